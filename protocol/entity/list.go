package entity

import (
	"crypto/ed25519"
	"fmt"
	"time"
)

// List is an entity's historical-keys document (Keys: its federation or
// content keys that were rotated out or revoked, so that old signatures can
// still be checked) or an anchor's denylist (Revoked: the subordinates it
// revoked). A list carries one kind, not both.
type List struct {
	Iss     string       `json:"iss"`
	Iat     int64        `json:"iat"`
	Exp     int64        `json:"exp"`
	Keys    []JWK        `json:"keys,omitempty"`
	Revoked []Revocation `json:"revoked,omitempty"`
}

// Revocation is one entry of a denylist.
type Revocation struct {
	Sub       string `json:"sub"`
	RevokedAt int64  `json:"revoked_at"`
	Reason    string `json:"reason,omitempty"`
}

const (
	// MaxListKeys is the most keys of a historical-keys document.
	MaxListKeys = 256
	// MaxRevocations is the most entries of a denylist.
	MaxRevocations = 4096
)

// ParsedList is a list whose structure, header and claims were checked.
type ParsedList struct {
	List List
	Kid  string
	Raw  []byte

	c *compact
}

// Validate checks a list's claims; errors wrap ErrInvalidClaims.
func (l *List) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("entity: list by %s: %w: %s", l.Iss, ErrInvalidClaims, fmt.Sprintf(format, args...))
	}
	if err := CheckEntityID(l.Iss); err != nil {
		return bad("iss: %v", err)
	}
	if l.Iat <= 0 || l.Exp <= l.Iat {
		return bad("exp %d must be after iat %d > 0", l.Exp, l.Iat)
	}
	if len(l.Keys) > 0 && len(l.Revoked) > 0 {
		return bad("a list carries keys or revoked, not both")
	}
	if err := validKeys(l.Keys, MaxListKeys); err != nil {
		return bad("keys: %v", err)
	}
	if len(l.Revoked) > MaxRevocations {
		return bad("%d revoked entries, at most %d", len(l.Revoked), MaxRevocations)
	}
	for i, r := range l.Revoked {
		if err := CheckEntityID(r.Sub); err != nil {
			return bad("revoked[%d].sub: %v", i, err)
		}
		if r.RevokedAt <= 0 || len(r.Reason) > maxTextLen {
			return bad("revoked[%d]: revoked_at must be > 0 and reason at most %d bytes", i, maxTextLen)
		}
	}
	return nil
}

// SignList signs l as a compact JWS of typ ListType.
func SignList(l List, key ed25519.PrivateKey) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	out, err := signCompact(l, ListType, key)
	if err != nil {
		return nil, fmt.Errorf("entity: sign list by %s: %w", l.Iss, err)
	}
	return out, nil
}

// ParseList checks raw as Parse does, with typ ListType and the claims of
// a List. It does not verify the signature.
func ParseList(raw []byte) (*ParsedList, error) {
	c, err := parseCompact(raw, ListType)
	if err != nil {
		return nil, fmt.Errorf("entity: parse list: %w", err)
	}
	var l List
	if err := decodeClaims(c.claims, &l); err != nil {
		return nil, fmt.Errorf("entity: parse list: %w: claims: %v", ErrMalformed, err)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return &ParsedList{List: l, Kid: c.kid, Raw: raw, c: c}, nil
}

// Verify checks the list's signature with keys (the issuer's federation
// keys) and its validity at now, as Parsed.Verify does.
func (p *ParsedList) Verify(keys []JWK, now time.Time, skew time.Duration) error {
	if err := p.c.verify(keys); err != nil {
		return fmt.Errorf("entity: list by %s: %w", p.List.Iss, err)
	}
	return checkTimes("list by "+p.List.Iss, p.List.Iat, p.List.Exp, now, skew)
}

// Revocation returns the denylist entry for sub, if any.
func (l *List) Revocation(sub string) (Revocation, bool) {
	for _, r := range l.Revoked {
		if r.Sub == sub {
			return r, true
		}
	}
	return Revocation{}, false
}
