package entity

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes to Parse and Verify: no panic, every
// refusal names exactly one reason, and an accepted statement keeps its
// input bytes and passes Validate.
func FuzzParse(f *testing.F) {
	leafKey, anchorKey := testKey("leaf"), testKey("anchor")
	f.Add(mustSign(f, config(f, leafKey), leafKey))
	f.Add(mustSign(f, subordinate(f, leafKey), anchorKey))
	f.Add(craft(`{"alg":"none","kid":"k","typ":"entity-statement+jwt"}`, []byte(`{}`), nil))
	f.Add(craft(stdHeader(leafKey, Type), []byte(`{"iss":"https://a.example","iss":"https://b.example"}`), leafKey))
	f.Add([]byte("a.b.c"))
	// Statements cut short, and statements whose claims or header are cut
	// short (TestTruncatedStatements and TestTruncatedClaims try every
	// offset).
	for _, doc := range statementFixtures(f) {
		for _, cut := range truncatedSeeds(doc) {
			f.Add(cut)
		}
	}
	for _, cut := range truncatedSeeds(mustJSON(f, config(f, leafKey))) {
		f.Add(craft(stdHeader(leafKey, Type), cut, leafKey))
	}
	for _, cut := range truncatedSeeds([]byte(stdHeader(leafKey, Type))) {
		f.Add(craft(string(cut), mustJSON(f, config(f, leafKey)), leafKey))
	}
	keys := []JWK{mustJWK(f, leafKey), mustJWK(f, anchorKey)}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if p != nil {
				t.Fatal("a result with an error")
			}
			if r := reasons(err); len(r) != 1 {
				t.Fatalf("error %q wraps %d reasons", err, len(r))
			}
			return
		}
		if !bytes.Equal(p.Raw, data) {
			t.Fatal("Raw differs from the input")
		}
		if err := p.Statement.Validate(); err != nil {
			t.Fatalf("accepted claims fail Validate: %v", err)
		}
		if err := p.Verify(keys, t0, time.Minute); err != nil {
			if r := reasons(err); len(r) != 1 {
				t.Fatalf("verify error %q wraps %d reasons", err, len(r))
			}
		}
	})
}

// FuzzParseList does the same for key lists and denylists.
func FuzzParseList(f *testing.F) {
	key := testKey("anchor")
	for _, l := range []List{
		{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(), Revoked: []Revocation{{Sub: leafRE, RevokedAt: t0.Unix()}}},
		{Iss: leafRE, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(), Keys: []JWK{mustJWK(f, key)}},
	} {
		raw, err := SignList(l, key)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add(mustSign(f, config(f, key), key))
	for name, doc := range statementFixtures(f) {
		if strings.Contains(name, "list") {
			for _, cut := range truncatedSeeds(doc) {
				f.Add(cut)
			}
		}
	}
	keys := []JWK{mustJWK(f, key)}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseList(data)
		if err != nil {
			if r := reasons(err); p != nil || len(r) != 1 {
				t.Fatalf("error %q wraps %d reasons (result %v)", err, len(r), p != nil)
			}
			return
		}
		if err := p.List.Validate(); err != nil {
			t.Fatalf("accepted claims fail Validate: %v", err)
		}
		if err := p.Verify(keys, t0, time.Minute); err != nil {
			if r := reasons(err); len(r) != 1 {
				t.Fatalf("verify error %q wraps %d reasons", err, len(r))
			}
		}
	})
}
