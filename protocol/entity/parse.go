package entity

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// Parsed is a statement whose structure, header and claims were checked;
// its signature is checked by Verify or VerifySelf.
type Parsed struct {
	Statement Statement
	Kid       string
	Raw       []byte // the compact JWS exactly as received

	c *compact
}

// Sign signs st as a compact JWS with the protected header
// {"alg":"EdDSA","kid":<thumbprint of key>,"typ":"entity-statement+jwt"}.
// st must pass Validate.
func Sign(st Statement, key ed25519.PrivateKey) ([]byte, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	out, err := signCompact(st, Type, key)
	if err != nil {
		return nil, fmt.Errorf("entity: sign statement by %s about %s: %w", st.Iss, st.Sub, err)
	}
	return out, nil
}

// Parse checks raw, cheapest first: the size cap (MaxBytes), three
// base64url parts, the header rules (alg EdDSA, a kid of [A-Za-z0-9_-] of
// at most 128 characters, typ Type, no other member), strict JSON claims
// and Validate. It does not verify the signature. Raw keeps raw's bytes.
func Parse(raw []byte) (*Parsed, error) {
	c, err := parseCompact(raw, Type)
	if err != nil {
		return nil, fmt.Errorf("entity: parse statement: %w", err)
	}
	var st Statement
	if err := decodeClaims(c.claims, &st); err != nil {
		return nil, fmt.Errorf("entity: parse statement: %w: claims: %v", ErrMalformed, err)
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	return &Parsed{Statement: st, Kid: c.kid, Raw: raw, c: c}, nil
}

// Verify checks the signature with the key of keys whose kid is p.Kid
// (ErrUnknownKey when none; ErrKid when that key's kid is not its
// thumbprint; ErrBadSignature), then exp at now (ErrExpired at or after
// exp) and iat (ErrNotYetValid when after now+skew). The retired and
// revoked rules of the keys are not applied here: statements are fresh,
// and the caller decides.
func (p *Parsed) Verify(keys []JWK, now time.Time, skew time.Duration) error {
	st := &p.Statement
	if err := p.c.verify(keys); err != nil {
		return fmt.Errorf("entity: statement by %s about %s: %w", st.Iss, st.Sub, err)
	}
	return checkTimes(fmt.Sprintf("statement by %s about %s", st.Iss, st.Sub), st.Iat, st.Exp, now, skew)
}

// VerifySelf verifies an entity configuration with its own keys: iss must
// equal sub (ErrInvalidClaims), then as Verify with st.JWKS. This proves
// only that the configuration is intact; no one has vouched for it.
func (p *Parsed) VerifySelf(now time.Time, skew time.Duration) error {
	st := &p.Statement
	if !st.IsConfiguration() {
		return fmt.Errorf("entity: statement by %s about %s: %w: not an entity configuration (iss differs from sub)", st.Iss, st.Sub, ErrInvalidClaims)
	}
	return p.Verify(st.Keys(), now, skew)
}

// Expires returns the time of exp.
func (p *Parsed) Expires() time.Time { return time.Unix(p.Statement.Exp, 0) }

// checkTimes refuses a document (named by what) at or after exp, or whose
// iat is after now+skew.
func checkTimes(what string, iat, exp int64, now time.Time, skew time.Duration) error {
	if !now.Before(time.Unix(exp, 0)) {
		return fmt.Errorf("entity: %s: %w %s (now %s)", what, ErrExpired, stamp(exp), now.UTC().Format(time.RFC3339))
	}
	if time.Unix(iat, 0).After(now.Add(skew)) {
		return fmt.Errorf("entity: %s: %w: iat %s (now %s)", what, ErrNotYetValid, stamp(iat), now.UTC().Format(time.RFC3339))
	}
	return nil
}
