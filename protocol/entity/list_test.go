package entity

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestListRoundTrip(t *testing.T) {
	anchorKey := testKey("anchor")
	retired := mustJWK(t, testKey("old"))
	retired.RetiredAt = t0.Add(-time.Hour).Unix()
	tests := []struct {
		name string
		l    List
	}{
		{"historical keys", List{Iss: leafRE, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(), Keys: []JWK{retired}}},
		{"denylist", List{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(), Revoked: []Revocation{{Sub: leafRE, RevokedAt: t0.Unix(), Reason: "key compromise"}}}},
		{"empty denylist", List{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := SignList(tc.l, anchorKey)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ParseList(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.List, tc.l) {
				t.Fatalf("got %+v, want %+v", p.List, tc.l)
			}
			if err := p.Verify([]JWK{mustJWK(t, anchorKey)}, t0, time.Minute); err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(raw); err == nil {
				t.Fatal("a list parsed as a statement")
			} else {
				wantReason(t, err, ErrType)
			}
		})
	}
}

func TestParseListAttacks(t *testing.T) {
	key := testKey("anchor")
	good := List{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(), Revoked: []Revocation{{Sub: leafRE, RevokedAt: t0.Unix()}}}
	claims := string(mustJSON(t, good))
	withClaims := func(raw string) []byte { return craft(stdHeader(key, ListType), []byte(raw), key) }
	modified := func(mod func(*List)) []byte {
		l := good
		mod(&l)
		return withClaims(string(mustJSON(t, l)))
	}
	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"statement presented as a list", mustSign(t, config(t, key), key), ErrType},
		{"alg none", craft(`{"alg":"none","kid":"a","typ":"interlink-keys+jwt"}`, []byte(claims), nil), ErrAlgorithm},
		{"jku", craft(`{"alg":"EdDSA","kid":"a","typ":"interlink-keys+jwt","jku":"https://x.example"}`, []byte(claims), key), ErrHeader},
		{"duplicate keys", withClaims(strings.Replace(claims, `{"iss":`, `{"iss":"https://x.example","iss":`, 1)), ErrMalformed},
		{"both kinds", modified(func(l *List) { l.Keys = []JWK{mustJWK(t, key)} }), ErrInvalidClaims},
		{"revocation without time", modified(func(l *List) { l.Revoked = []Revocation{{Sub: leafRE}} }), ErrInvalidClaims},
		{"revocation of a non-URL", modified(func(l *List) { l.Revoked = []Revocation{{Sub: "leaf", RevokedAt: 1}} }), ErrInvalidClaims},
		{"exp before iat", modified(func(l *List) { l.Exp = l.Iat - 1 }), ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseList(tc.raw)
			wantReason(t, err, tc.want)
		})
	}
	p, err := ParseList(withClaims(claims))
	if err != nil {
		t.Fatal(err)
	}
	wantReason(t, p.Verify([]JWK{mustJWK(t, testKey("other"))}, t0, time.Minute), ErrUnknownKey)
	wantReason(t, p.Verify([]JWK{mustJWK(t, key)}, t0.Add(time.Hour), time.Minute), ErrExpired)
	if r, ok := p.List.Revocation(leafRE); !ok || r.RevokedAt != t0.Unix() {
		t.Fatalf("revocation of %s: %+v %v", leafRE, r, ok)
	}
}
