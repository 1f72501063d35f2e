package signedobject

import (
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Type is the typ header of every object JWS.
const Type = "interlink-object+jws"

// Signer is one organisation's content key.
type Signer struct {
	EntityID string             // the signer's entity id (its node's public URL)
	Key      ed25519.PrivateKey // its content key
	// At, when set, is when this signature is made, written as the
	// protected header iat: a co-signer signs after the origin, and its
	// key must be valid then (a co-signer revoked before it signs is
	// refused). Zero: the payload's iat is the signing time.
	At time.Time
}

// KeyID returns the RFC 7638 thumbprint (SHA-256, base64url) of the public
// key: the kid of the signatures s makes.
func (s Signer) KeyID() (string, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("signedobject: key id of %s: private key has %d bytes, want %d", s.EntityID, len(s.Key), ed25519.PrivateKeySize)
	}
	return Thumbprint(s.Key.Public().(ed25519.PublicKey))
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of an Ed25519 public
// key, base64url without padding (computed by jwx).
func Thumbprint(pub ed25519.PublicKey) (string, error) {
	if len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("signedobject: thumbprint: public key has %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	k, err := jwk.Import(pub)
	if err != nil {
		return "", fmt.Errorf("signedobject: thumbprint: import key: %w", err)
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("signedobject: thumbprint: %w", err)
	}
	return b64.EncodeToString(tp), nil
}

// protectedHeader is the protected header this package writes.
type protectedHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
	Iss string `json:"iss"`
	Iat int64  `json:"iat,omitempty"`
}

// envelope is the general JSON serialization as this package writes it.
type envelope struct {
	Payload    string      `json:"payload"`
	Signatures []signature `json:"signatures"`
}

type signature struct {
	Protected string                     `json:"protected"`
	Header    map[string]json.RawMessage `json:"header,omitempty"`
	Signature string                     `json:"signature"`
}

// Sign serialises p and signs it once per signer, in the general JSON
// serialization. Every signer must be listed in p.Cosigners, once; signers
// listed but absent add their signatures later with AddSignature.
func Sign(p Payload, signers ...Signer) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("signedobject: sign %s: %w", p.Sub, err)
	}
	if len(signers) == 0 {
		return nil, fmt.Errorf("signedobject: sign %s: no signers", p.Sub)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("signedobject: sign %s: encode payload: %w", p.Sub, err)
	}
	env := envelope{Payload: b64.EncodeToString(raw)}
	for i, s := range signers {
		if !contains(p.Cosigners, s.EntityID) {
			return nil, fmt.Errorf("signedobject: sign %s: %w: %q", p.Sub, ErrUnknownSigner, s.EntityID)
		}
		for _, o := range signers[:i] {
			if o.EntityID == s.EntityID {
				return nil, fmt.Errorf("signedobject: sign %s: %w: %q", p.Sub, ErrDuplicateSigner, s.EntityID)
			}
		}
		sig, err := signOne(env.Payload, s)
		if err != nil {
			return nil, fmt.Errorf("signedobject: sign %s: %w", p.Sub, err)
		}
		env.Signatures = append(env.Signatures, sig)
	}
	out, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("signedobject: sign %s: encode jws: %w", p.Sub, err)
	}
	return out, nil
}

// AddSignature adds s's signature over the same payload bytes to jws (a
// co-producer countersigning). The existing signatures are kept unchanged
// and are not verified here (Verify does that); jws must be well-formed,
// s must be listed in its cosigners and must not have signed already.
func AddSignature(jws []byte, s Signer) ([]byte, error) {
	msg, err := parseMessage(jws, DefaultMaxBytes)
	if err != nil {
		return nil, fmt.Errorf("signedobject: add signature of %s: %w", s.EntityID, err)
	}
	p, err := decodePayload(msg.payload)
	if err != nil {
		return nil, fmt.Errorf("signedobject: add signature of %s: %w", s.EntityID, err)
	}
	if !contains(p.Cosigners, s.EntityID) {
		return nil, fmt.Errorf("signedobject: add signature to %s: %w: %q", p.Sub, ErrUnknownSigner, s.EntityID)
	}
	env := envelope{Payload: msg.payloadB64}
	for _, sg := range msg.sigs {
		if sg.signer == s.EntityID {
			return nil, fmt.Errorf("signedobject: add signature to %s: %w: %q has signed already", p.Sub, ErrDuplicateSigner, s.EntityID)
		}
		env.Signatures = append(env.Signatures, signature{Protected: sg.protectedB64, Header: sg.header, Signature: sg.signatureB64})
	}
	if len(env.Signatures) >= MaxSignatures {
		return nil, fmt.Errorf("signedobject: add signature to %s: %w: already %d", p.Sub, ErrTooManySignatures, len(env.Signatures))
	}
	sig, err := signOne(msg.payloadB64, s)
	if err != nil {
		return nil, fmt.Errorf("signedobject: add signature to %s: %w", p.Sub, err)
	}
	env.Signatures = append(env.Signatures, sig)
	out, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("signedobject: add signature to %s: encode jws: %w", p.Sub, err)
	}
	return out, nil
}

// signOne signs ASCII(BASE64URL(protected)) || '.' || payloadB64 with s.
func signOne(payloadB64 string, s Signer) (signature, error) {
	if _, err := parseEntityURL(s.EntityID); err != nil {
		return signature{}, fmt.Errorf("signer entity id: %w", err)
	}
	kid, err := s.KeyID()
	if err != nil {
		return signature{}, err
	}
	ph := protectedHeader{Alg: "EdDSA", Kid: kid, Typ: Type, Iss: s.EntityID}
	if !s.At.IsZero() {
		ph.Iat = s.At.Unix()
	}
	hdr, err := json.Marshal(ph)
	if err != nil {
		return signature{}, fmt.Errorf("encode protected header: %w", err)
	}
	prot := b64.EncodeToString(hdr)
	sig := ed25519.Sign(s.Key, signingInput(prot, payloadB64))
	return signature{Protected: prot, Signature: b64.EncodeToString(sig)}, nil
}

// signingInput is ASCII(protected) || '.' || ASCII(payload) (RFC 7515 §5.1).
func signingInput(protB64, payloadB64 string) []byte {
	in := make([]byte, 0, len(protB64)+1+len(payloadB64))
	in = append(in, protB64...)
	in = append(in, '.')
	return append(in, payloadB64...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
