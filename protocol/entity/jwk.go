package entity

import (
	"crypto/ed25519"
	"fmt"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"time"
)

// JWKS is a JSON Web Key Set of Ed25519 keys.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWK is an Ed25519 public key (kty OKP, crv Ed25519) whose Kid is its
// RFC 7638 thumbprint, with the times that bound its use.
type JWK struct {
	Kty       string `json:"kty"`
	Crv       string `json:"crv"`
	X         string `json:"x"`
	Kid       string `json:"kid"`
	Use       string `json:"use,omitempty"`
	NotBefore int64  `json:"nbf,omitempty"`        // valid from (Unix seconds)
	RetiredAt int64  `json:"retired_at,omitempty"` // rotated out: signatures made before still verify
	RevokedAt int64  `json:"revoked_at,omitempty"` // compromised: signatures made at or after never verify
	Reason    string `json:"reason,omitempty"`
}

// MaxKidLen is the longest kid accepted.
const MaxKidLen = 128

// b64 is unpadded base64url that refuses non-zero trailing bits, so that
// each byte string has exactly one encoding.
var b64 = jose.B64

// NewJWK returns the JWK of pub with its thumbprint as kid.
func NewJWK(pub ed25519.PublicKey) (JWK, error) {
	kid, err := Thumbprint(pub)
	if err != nil {
		return JWK{}, err
	}
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub), Kid: kid}, nil
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of an Ed25519 public
// key, base64url without padding: the kid of every key and signature of the
// trust layer (signedobject.Thumbprint, through jwx, gives the same value).
func Thumbprint(pub ed25519.PublicKey) (string, error) {
	if len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("entity: thumbprint: %w: public key has %d bytes, want %d", ErrInvalidClaims, len(pub), ed25519.PublicKeySize)
	}
	return jose.Thumbprint(pub), nil
}

// PublicKey returns the key after checking kty, crv, the length of x and
// that Kid is its thumbprint (ErrKid); other faults wrap ErrInvalidClaims.
func (k JWK) PublicKey() (ed25519.PublicKey, error) {
	if k.Kty != "OKP" || k.Crv != "Ed25519" {
		return nil, fmt.Errorf("entity: key %q: %w: kty %q crv %q, want OKP Ed25519", k.Kid, ErrInvalidClaims, k.Kty, k.Crv)
	}
	if k.Use != "" && k.Use != "sig" {
		return nil, fmt.Errorf("entity: key %q: %w: use %q, want sig", k.Kid, ErrInvalidClaims, k.Use)
	}
	if len(k.X) != 43 || !jose.TokenChars(k.X) {
		return nil, fmt.Errorf("entity: key %q: %w: x is not the base64url of 32 bytes", k.Kid, ErrInvalidClaims)
	}
	pub, err := b64.DecodeString(k.X)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("entity: key %q: %w: x is not the base64url of 32 bytes", k.Kid, ErrInvalidClaims)
	}
	if tp := jose.Thumbprint(pub); k.Kid != tp {
		return nil, fmt.Errorf("entity: key %q: %w: kid is not the key's RFC 7638 thumbprint %q", k.Kid, ErrKid, tp)
	}
	if k.NotBefore < 0 || k.RetiredAt < 0 || k.RevokedAt < 0 {
		return nil, fmt.Errorf("entity: key %q: %w: negative nbf, retired_at or revoked_at", k.Kid, ErrInvalidClaims)
	}
	return ed25519.PublicKey(pub), nil
}

// ValidAt reports whether the key may have made a signature at time at:
// not before nbf (ErrNotYetValid), before revoked_at (ErrKeyRevoked: a
// compromised key never verifies what is dated at or after it) and not
// after retired_at (ErrKeyRetired: a rotated key still verifies what it
// signed while current, including in the second it was retired: times are
// whole seconds and its successor starts in that same second).
func (k JWK) ValidAt(at time.Time) error {
	switch {
	case k.RevokedAt > 0 && !at.Before(time.Unix(k.RevokedAt, 0)):
		return fmt.Errorf("entity: key %q: %w at %s (used at %s)", k.Kid, ErrKeyRevoked, stamp(k.RevokedAt), at.UTC().Format(time.RFC3339))
	case k.RetiredAt > 0 && at.After(time.Unix(k.RetiredAt, 0)):
		return fmt.Errorf("entity: key %q: %w at %s (used at %s)", k.Kid, ErrKeyRetired, stamp(k.RetiredAt), at.UTC().Format(time.RFC3339))
	case k.NotBefore > 0 && at.Before(time.Unix(k.NotBefore, 0)):
		return fmt.Errorf("entity: key %q: %w: nbf %s (used at %s)", k.Kid, ErrNotYetValid, stamp(k.NotBefore), at.UTC().Format(time.RFC3339))
	}
	return nil
}

// FindKey returns the key of keys whose kid is kid.
func FindKey(keys []JWK, kid string) (JWK, bool) {
	for _, k := range keys {
		if k.Kid == kid {
			return k, true
		}
	}
	return JWK{}, false
}

// validKeys checks a key list: at most max keys, each valid, no kid twice.
func validKeys(keys []JWK, max int) error {
	if len(keys) > max {
		return fmt.Errorf("%d keys, at most %d", len(keys), max)
	}
	for i, k := range keys {
		if _, err := k.PublicKey(); err != nil {
			return fmt.Errorf("keys[%d]: %v", i, err)
		}
		for _, o := range keys[:i] {
			if o.Kid == k.Kid {
				return fmt.Errorf("keys[%d]: kid %q listed twice", i, k.Kid)
			}
		}
	}
	return nil
}

// stamp renders Unix seconds as RFC 3339 UTC.
func stamp(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }
