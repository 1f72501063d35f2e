package entity

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// TestSignInterop: the header is exactly the one OpenID Federation needs,
// jwx v3 verifies what Sign writes, and Parse reads back the same claims.
func TestSignInterop(t *testing.T) {
	leafKey, anchorKey := testKey("leaf"), testKey("anchor")
	tests := []struct {
		name string
		st   Statement
		key  ed25519.PrivateKey
	}{
		{"entity configuration", config(t, leafKey), leafKey},
		{"subordinate statement", subordinate(t, leafKey), anchorKey},
		{"revoked subordinate", func() Statement {
			s := subordinate(t, leafKey)
			s.RevokedAt, s.RevokedReason = t0.Add(-time.Hour).Unix(), "key compromise"
			return s
		}(), anchorKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := mustSign(t, tc.st, tc.key)
			parts := strings.Split(string(raw), ".")
			hdr, err := b64.DecodeString(parts[0])
			if err != nil {
				t.Fatal(err)
			}
			kid, err := signedobject.Thumbprint(tc.key.Public().(ed25519.PublicKey))
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"alg":"EdDSA","kid":"` + kid + `","typ":"entity-statement+jwt"}`; string(hdr) != want {
				t.Fatalf("header %s, want %s", hdr, want)
			}
			payload, err := jws.Verify(raw, jws.WithKey(jwa.EdDSA(), tc.key.Public()))
			if err != nil {
				t.Fatalf("jwx does not verify: %v", err)
			}
			var viaJWX Statement
			if err := json.Unmarshal(payload, &viaJWX); err != nil {
				t.Fatal(err)
			}
			p, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Statement, tc.st) || !reflect.DeepEqual(viaJWX, tc.st) {
				t.Fatalf("round trip differs:\n got %+v\nwant %+v", p.Statement, tc.st)
			}
			if p.Kid != kid {
				t.Fatalf("kid %q, want %q", p.Kid, kid)
			}
			if err := p.Verify([]JWK{mustJWK(t, tc.key)}, t0, time.Minute); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestParseJWXSigned: a statement signed by jwx v3 parses and verifies.
func TestParseJWXSigned(t *testing.T) {
	key := testKey("leaf")
	hdrs := jws.NewHeaders()
	for k, v := range map[string]any{"kid": jose.Thumbprint(key.Public().(ed25519.PublicKey)), "typ": Type} {
		if err := hdrs.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := jws.Sign(mustJSON(t, config(t, key)), jws.WithKey(jwa.EdDSA(), key, jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.VerifySelf(t0, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// TestSignRefuses: Sign refuses invalid claims and bad keys.
func TestSignRefuses(t *testing.T) {
	key := testKey("leaf")
	tests := []struct {
		name string
		st   Statement
		key  ed25519.PrivateKey
		want error
	}{
		{"no iss", func() Statement { s := config(t, key); s.Iss = ""; return s }(), key, ErrInvalidClaims},
		{"short key", config(t, key), key[:10], ErrInvalidClaims},
		{"over MaxBytes once encoded", func() Statement {
			s := config(t, key)
			label := strings.Repeat("a", 63)
			for i := 0; i < MaxNamingEntries; i++ {
				host := fmt.Sprintf("%s.%s.%s.x%d.it", label, label, label, i)
				s.Constraints = nonNil(s.Constraints)
				nc := s.Constraints.NamingConstraints
				nc.Permitted = append(nc.Permitted, "."+host)
				nc.Excluded = append(nc.Excluded, host)
			}
			for i := 0; i < MaxContentKeys-1; i++ {
				s.Metadata.InterlinkNode.ContentKeys = append(s.Metadata.InterlinkNode.ContentKeys, mustJWK(t, testKey(fmt.Sprint(i))))
			}
			long := func(host string) string { return "https://" + host + "/" + strings.Repeat("p", 2000) }
			s.AuthorityHints = []string{long("a1.example"), long("a2.example"), long("a3.example"), long("a4.example")}
			fe := s.Metadata.FederationEntity
			fe.FetchEndpoint, fe.ListEndpoint, fe.HistoricalKeysEndpoint, fe.DenylistEndpoint = long("f.example"), long("l.example"), long("h.example"), long("d.example")
			return s
		}(), key, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Sign(tc.st, tc.key)
			wantReason(t, err, tc.want)
		})
	}
}

// TestThumbprintMatchesJWX holds the hand-written thumbprint to jwx's.
func TestThumbprintMatchesJWX(t *testing.T) {
	for _, seed := range []string{"a", "b", "c", "anchor"} {
		pub := testKey(seed).Public().(ed25519.PublicKey)
		got, err := Thumbprint(pub)
		if err != nil {
			t.Fatal(err)
		}
		want, err := signedobject.Thumbprint(pub)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("thumbprint %s, jwx %s", got, want)
		}
	}
	if _, err := Thumbprint(make([]byte, 31)); err == nil {
		t.Fatal("31-byte key accepted")
	}
}

func nonNil(c *Constraints) *Constraints {
	if c == nil {
		c = &Constraints{}
	}
	if c.NamingConstraints == nil {
		c.NamingConstraints = &NamingConstraints{}
	}
	return c
}
