package signedobject

import (
	"crypto/ed25519"
	"fmt"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// DefaultSkew is the clock skew Verify allows when Options.Skew is zero.
const DefaultSkew = 60 * time.Second

// KeyResolver returns the trusted Ed25519 public key of entityID whose kid is
// kid, as it stood at time at (the signature's iat header, else the payload's iat: keys rotated out
// since still verify the objects they signed). The trust layer supplies it;
// an error means "no trusted key" and is wrapped with ErrUntrustedKey.
type KeyResolver func(entityID, kid string, at time.Time) (ed25519.PublicKey, error)

// Options tune Verify; the zero value applies the defaults.
type Options struct {
	MaxBytes int           // size cap of the JWS; 0 means DefaultMaxBytes
	Skew     time.Duration // how far iat may lie in the future; 0 means DefaultSkew
	// Partial accepts a draft that some listed cosigners have not signed
	// yet: every present signature is still checked, and iss must have
	// signed. Never use it for an object to act on.
	Partial bool
}

// Verified is an object whose every signature verified.
type Verified struct {
	Payload Payload
	Raw     []byte   // the payload bytes exactly as signed
	Signers []string // entity ids whose signatures verified, in cosigners order
}

// Verify checks jws cheapest first and returns its payload when every check
// passes: size cap, strict JSON, header rules, payload shape, signers equal to
// cosigners, every signature against the key resolve gives, expiry at now,
// and iss among the signers with sub on iss's origin. Errors wrap the
// sentinel of their reason (ErrTooLarge, ErrMalformed, ...).
func Verify(jws []byte, resolve KeyResolver, now time.Time, opts Options) (*Verified, error) {
	if resolve == nil {
		return nil, fmt.Errorf("signedobject: verify: nil key resolver")
	}
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	skew := opts.Skew
	if skew <= 0 {
		skew = DefaultSkew
	}
	msg, err := parseMessage(jws, maxBytes)
	if err != nil {
		return nil, err
	}
	p, err := decodePayload(msg.payload)
	if err != nil {
		return nil, err
	}
	// The signers must be exactly the cosigners: checked before any
	// signature work, so a stripped or foreign signature costs nothing.
	for _, s := range msg.sigs {
		if !contains(p.Cosigners, s.signer) {
			return nil, fmt.Errorf("signedobject: verify %s: %w: %q", p.Sub, ErrUnknownSigner, s.signer)
		}
	}
	for _, c := range p.Cosigners {
		if msg.signature(c) == nil && !opts.Partial {
			return nil, fmt.Errorf("signedobject: verify %s: %w: %q", p.Sub, ErrMissingCosigner, c)
		}
	}
	at := time.Unix(p.Iat, 0)
	for i := range msg.sigs {
		s := &msg.sigs[i]
		signedAt := at
		if s.iat != 0 {
			// A countersignature made after the payload: its key must be
			// valid when it was made, which cannot precede the payload.
			signedAt = time.Unix(s.iat, 0)
			if s.iat < p.Iat {
				return nil, fmt.Errorf("signedobject: verify %s: signer %q: %w: signed at %d, before the payload's iat %d", p.Sub, s.signer, ErrInvalidPayload, s.iat, p.Iat)
			}
			if signedAt.After(now.Add(skew)) {
				return nil, fmt.Errorf("signedobject: verify %s: signer %q: %w: signed at %s, now %s", p.Sub, s.signer, ErrNotYetValid, signedAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
			}
		}
		pub, err := resolve(s.signer, s.kid, signedAt)
		if err != nil {
			return nil, fmt.Errorf("signedobject: verify %s: signer %q kid %q: %w: %w", p.Sub, s.signer, s.kid, ErrUntrustedKey, err)
		}
		if len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("signedobject: verify %s: signer %q kid %q: %w: resolver gave a %d-byte key", p.Sub, s.signer, s.kid, ErrUntrustedKey, len(pub))
		}
		if jose.Thumbprint(pub) != s.kid {
			return nil, fmt.Errorf("signedobject: verify %s: signer %q: %w: kid %q is not the thumbprint of the resolved key", p.Sub, s.signer, ErrKid, s.kid)
		}
		if len(s.sig) != ed25519.SignatureSize || !ed25519.Verify(pub, signingInput(s.protectedB64, msg.payloadB64), s.sig) {
			return nil, fmt.Errorf("signedobject: verify %s: %w: signer %q kid %q", p.Sub, ErrBadSignature, s.signer, s.kid)
		}
	}
	if !now.Before(time.Unix(p.Exp, 0)) {
		return nil, fmt.Errorf("signedobject: verify %s: %w: exp %s, now %s", p.Sub, ErrExpired, time.Unix(p.Exp, 0).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if at.After(now.Add(skew)) {
		return nil, fmt.Errorf("signedobject: verify %s: %w: iat %s, now %s", p.Sub, ErrNotYetValid, at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if msg.signature(p.Iss) == nil {
		return nil, fmt.Errorf("signedobject: verify %s: %w: iss %q did not sign", p.Sub, ErrForgedOrigin, p.Iss)
	}
	iss, _ := parseEntityURL(p.Iss) // both parsed in decodePayload
	sub, _ := parseEntityURL(p.Sub)
	if !protocol.SameOrigin(iss, sub) {
		return nil, fmt.Errorf("signedobject: verify %s: %w: sub is not on the origin of iss %q", p.Sub, ErrForgedOrigin, p.Iss)
	}
	signers := make([]string, 0, len(p.Cosigners))
	for _, c := range p.Cosigners {
		if msg.signature(c) != nil {
			signers = append(signers, c)
		}
	}
	return &Verified{Payload: p, Raw: msg.payload, Signers: signers}, nil
}

// signature returns the signature of entity, or nil.
func (m *message) signature(entity string) *parsedSig {
	for i := range m.sigs {
		if m.sigs[i].signer == entity {
			return &m.sigs[i]
		}
	}
	return nil
}
