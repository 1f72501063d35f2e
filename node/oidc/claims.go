package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// ErrUnmapped: none of the person's role claim values maps to a role, and
// there is no default role: the person may not sign in here.
var ErrUnmapped = errors.New("oidc: no role is granted to this person")

// maxClaims bounds the claims document read (an id_token or userinfo).
const maxClaims = 64 << 10

// Claims are the claims of a signed-in person: the verified id_token's,
// completed by the userinfo endpoint's.
type Claims map[string]any

// ParseClaims decodes a JSON object of claims (numbers kept as
// json.Number); anything else is an error.
func ParseClaims(raw []byte) (Claims, error) {
	if len(raw) > maxClaims {
		return nil, fmt.Errorf("oidc: the claims are %d bytes, at most %d are read", len(raw), maxClaims)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var c Claims
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("oidc: the claims are not a JSON object: %w", err)
	}
	if c == nil {
		return nil, errors.New("oidc: the claims are not a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("oidc: the claims are followed by more data")
	}
	return c, nil
}

// lookup finds a claim by its whole name, or else by a dotted path into
// nested objects (realm_access.roles).
func (c Claims) lookup(name string) (any, bool) {
	if name == "" {
		return nil, false
	}
	if v, ok := c[name]; ok {
		return v, true
	}
	var cur any = map[string]any(c)
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// String returns a claim that is a string ("" when absent or not one).
func (c Claims) String(name string) string {
	v, _ := c.lookup(name)
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

// Values returns a claim's values: one for a string, each string of an
// array (other members skipped), none otherwise.
func (c Claims) Values(name string) []string {
	v, ok := c.lookup(name)
	if !ok {
		return nil
	}
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Role maps claims to a role: the highest role one of the claim's values
// gives, else Default, else ErrUnmapped.
func (m RoleMapping) Role(c Claims) (accounts.Role, error) {
	best := accounts.Role("")
	give := func(r accounts.Role, values []string, v string) {
		for _, want := range values {
			if v == want && !best.Allows(r) {
				best = r
			}
		}
	}
	if m.Claim != "" {
		for _, v := range c.Values(m.Claim) {
			give(accounts.RoleAdmin, m.Admin, v)
			give(accounts.RoleEditor, m.Editor, v)
			give(accounts.RoleReader, m.Reader, v)
		}
	}
	switch {
	case best != "":
		return best, nil
	case m.Default != "":
		return m.Default, nil
	}
	return "", ErrUnmapped
}

// merge adds to c the claims of more it lacks.
func (c Claims) merge(more Claims) {
	for k, v := range more {
		if _, ok := c[k]; !ok {
			c[k] = v
		}
	}
}
