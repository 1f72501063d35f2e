package signedobject

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// Payload is what a signed object says. Its bytes travel inside the JWS and
// are never re-serialised to verify.
type Payload struct {
	Iss       string          `json:"iss"`            // signer's entity id (its node's public URL)
	Sub       string          `json:"sub"`            // the object IRI
	Iat       int64           `json:"iat"`            // issued at, Unix seconds
	Exp       int64           `json:"exp"`            // expires at, Unix seconds
	Jti       string          `json:"jti"`            // unique id of this signed document
	Ver       uint64          `json:"ver"`            // object version, from 1
	Prev      string          `json:"prev,omitempty"` // PayloadHash of the previous version's payload bytes
	Type      string          `json:"type"`           // entity kind
	Cosigners []string        `json:"cosigners"`      // entity ids that must all sign (includes Iss)
	Body      json.RawMessage `json:"body"`           // the entity
}

const (
	maxJtiLen      = 256
	maxTypeLen     = 64
	maxEntityIDLen = 2048
	hashLen        = 43 // base64url (unpadded) of 32 bytes
)

// PayloadHash is the base64url (unpadded) SHA-256 of a payload's bytes: the
// value the next version carries in prev.
func PayloadHash(raw []byte) string {
	sum := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckSuccessor reports whether next may follow prev, whose payload bytes
// were prevRaw: same sub and iss, a higher ver, and prev equal to
// PayloadHash(prevRaw). Its errors wrap ErrRollback.
func CheckSuccessor(prevRaw []byte, prev, next Payload) error {
	switch {
	case next.Sub != prev.Sub:
		return fmt.Errorf("signedobject: check successor: %w: sub %q differs from %q", ErrRollback, next.Sub, prev.Sub)
	case next.Iss != prev.Iss:
		return fmt.Errorf("signedobject: check successor of %s: %w: iss %q differs from %q", next.Sub, ErrRollback, next.Iss, prev.Iss)
	case next.Ver <= prev.Ver:
		return fmt.Errorf("signedobject: check successor of %s: %w: ver %d is not after %d", next.Sub, ErrRollback, next.Ver, prev.Ver)
	case next.Prev != PayloadHash(prevRaw):
		return fmt.Errorf("signedobject: check successor of %s: %w: prev %q is not the hash of version %d", next.Sub, ErrRollback, next.Prev, prev.Ver)
	}
	return nil
}

// decodePayload decodes raw strictly and checks its fields.
func decodePayload(raw []byte) (Payload, error) {
	var p Payload
	if err := strictjson.Decode(raw, &p, strictOptions(0)); err != nil {
		return Payload{}, fmt.Errorf("signedobject: payload: %w: %w", ErrMalformed, err)
	}
	if err := p.validate(); err != nil {
		return Payload{}, err
	}
	return p, nil
}

// validate checks the fields of p (not the signatures, clock or origin).
func (p *Payload) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("signedobject: payload: %w: %s", ErrInvalidPayload, fmt.Sprintf(format, args...))
	}
	if _, err := parseEntityURL(p.Iss); err != nil {
		return bad("iss: %v", err)
	}
	if _, err := parseEntityURL(p.Sub); err != nil {
		return bad("sub: %v", err)
	}
	if p.Jti == "" || len(p.Jti) > maxJtiLen {
		return bad("jti must have 1 to %d bytes", maxJtiLen)
	}
	if p.Ver == 0 {
		return bad("ver must be at least 1")
	}
	if p.Exp <= p.Iat {
		return bad("exp %d is not after iat %d", p.Exp, p.Iat)
	}
	if p.Prev != "" && !validHash(p.Prev) {
		return bad("prev %q is not a base64url SHA-256", p.Prev)
	}
	if p.Type == "" || len(p.Type) > maxTypeLen || !jose.TokenChars(p.Type) {
		return bad("type %q must be 1 to %d characters of [A-Za-z0-9_-]", p.Type, maxTypeLen)
	}
	if len(p.Cosigners) == 0 {
		return bad("cosigners is empty")
	}
	if len(p.Cosigners) > MaxSignatures {
		return bad("more than %d cosigners", MaxSignatures)
	}
	for i, c := range p.Cosigners {
		if _, err := parseEntityURL(c); err != nil {
			return bad("cosigners[%d]: %v", i, err)
		}
		for _, d := range p.Cosigners[:i] {
			if c == d {
				return bad("cosigner %q listed twice", c)
			}
		}
	}
	body := bytes.TrimSpace(p.Body)
	if len(body) == 0 || body[0] != '{' {
		return bad("body must be a JSON object")
	}
	return nil
}

// parseEntityURL parses an entity id or object IRI: an absolute http(s) URL
// with a host, no user info and no fragment.
func parseEntityURL(s string) (*url.URL, error) {
	if s == "" || len(s) > maxEntityIDLen {
		return nil, fmt.Errorf("must be a URL of 1 to %d bytes", maxEntityIDLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", s, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "https" && scheme != "http") || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL with a host and no user info or fragment", s)
	}
	return u, nil
}

func validHash(s string) bool {
	if len(s) != hashLen || !jose.TokenChars(s) {
		return false
	}
	_, err := b64.DecodeString(s)
	return err == nil
}

// b64 decodes unpadded base64url and refuses non-zero trailing bits, so that
// each byte string has exactly one encoding.
var b64 = jose.B64

// TombstoneType is the payload type of a deleted object's last version; its
// body is a TombstoneBody.
const TombstoneType = "tombstone"

// TombstoneBody is the body of a tombstone: {"deleted": true, "former_type": <kind>}.
type TombstoneBody struct {
	Deleted    bool          `json:"deleted"`
	FormerType protocol.Kind `json:"former_type"`
}
