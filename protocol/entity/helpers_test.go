package entity

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"testing"
	"time"
)

// The clock of every fixture.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	anchorIT = "https://anchor.example.it"
	leafRE   = "https://comune.reggioemilia.example.it"
)

// testKey is a deterministic Ed25519 key named by seed.
func testKey(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte("entity test key " + seed))
	return ed25519.NewKeyFromSeed(s[:])
}

func mustJWK(t testing.TB, key ed25519.PrivateKey) JWK {
	t.Helper()
	k, err := NewJWK(key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// config is a valid entity configuration of leafRE at t0, valid one day.
func config(t testing.TB, key ed25519.PrivateKey) Statement {
	t.Helper()
	return Statement{
		Iss: leafRE, Sub: leafRE,
		Iat: t0.Unix(), Exp: t0.Add(24 * time.Hour).Unix(),
		JWKS:           &JWKS{Keys: []JWK{mustJWK(t, key)}},
		AuthorityHints: []string{anchorIT},
		Metadata: &Metadata{
			FederationEntity: &FederationEntity{OrganizationName: "Comune di Reggio Emilia", Role: "leaf"},
			InterlinkNode: &InterlinkNode{
				Actor:       leafRE + "/actor",
				ContentKeys: []JWK{mustJWK(t, testKey("content"))},
			},
		},
	}
}

// subordinate is anchorIT's statement about leafRE listing leafKey.
func subordinate(t testing.TB, leafKey ed25519.PrivateKey) Statement {
	t.Helper()
	mpl := 0
	return Statement{
		Iss: anchorIT, Sub: leafRE,
		Iat: t0.Unix(), Exp: t0.Add(24 * time.Hour).Unix(),
		JWKS: &JWKS{Keys: []JWK{mustJWK(t, leafKey)}},
		Metadata: &Metadata{FederationEntity: &FederationEntity{
			OrganizationName: "Comune di Reggio Emilia", Country: "IT", OrgKind: "public_administration", Role: "leaf",
		}},
		Constraints: &Constraints{MaxPathLength: &mpl, NamingConstraints: &NamingConstraints{Permitted: []string{".example.it"}}},
	}
}

func mustSign(t testing.TB, st Statement, key ed25519.PrivateKey) []byte {
	t.Helper()
	raw, err := Sign(st, key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// craft builds a compact JWS by hand from a raw header and raw claims,
// signed by key (nil leaves the signature empty), for attacks Sign would
// never produce.
func craft(hdr string, claims []byte, key ed25519.PrivateKey) []byte {
	in := b64.EncodeToString([]byte(hdr)) + "." + b64.EncodeToString(claims)
	sig := ""
	if key != nil {
		sig = b64.EncodeToString(ed25519.Sign(key, []byte(in)))
	}
	return []byte(in + "." + sig)
}

// stdHeader is the header Sign writes for key.
func stdHeader(key ed25519.PrivateKey, typ string) string {
	return `{"alg":"EdDSA","kid":"` + jose.Thumbprint(key.Public().(ed25519.PublicKey)) + `","typ":"` + typ + `"}`
}

// sentinels lists every reason this package gives.
var sentinels = []error{
	ErrTooLarge, ErrMalformed, ErrAlgorithm, ErrHeader, ErrType, ErrKid, ErrUnknownKey,
	ErrBadSignature, ErrExpired, ErrNotYetValid, ErrInvalidClaims, ErrNamingConstraint,
	ErrKeyRetired, ErrKeyRevoked,
}

// reasons returns the sentinels err wraps.
func reasons(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

// wantReason fails unless err wraps exactly want among the sentinels.
func wantReason(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted, want %v", want)
	}
	if r := reasons(err); len(r) != 1 || r[0] != want {
		t.Fatalf("error %q wraps %v, want exactly %v", err, r, want)
	}
}
