package entity

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// cuts returns every proper prefix of doc and doc with each single byte
// removed.
func cuts(doc []byte) (prefixes, holes [][]byte) {
	for i := range doc {
		prefixes = append(prefixes, doc[:i:i])
		hole := make([]byte, 0, len(doc)-1)
		hole = append(append(hole, doc[:i]...), doc[i+1:]...)
		holes = append(holes, hole)
	}
	return prefixes, holes
}

// noPanic runs f and turns a panic into a test error naming what was fed.
// The test stops at its first failure, which a broken decoder would
// otherwise report for thousands of offsets.
func noPanic(t *testing.T, what string, input []byte, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panics on %q: %v", what, shorten(input), r)
		}
		if t.Failed() {
			t.FailNow()
		}
	}()
	f()
}

// shorten cuts an input for an error message.
func shorten(b []byte) string {
	if len(b) > 200 {
		return string(b[:100]) + "..." + string(b[len(b)-100:])
	}
	return string(b)
}

// statementFixtures are valid statements and lists of every kind this
// package signs.
func statementFixtures(t testing.TB) map[string][]byte {
	leafKey, anchorKey := testKey("leaf"), testKey("anchor")
	keyList, err := SignList(List{Iss: leafRE, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(),
		Keys: []JWK{mustJWK(t, leafKey)}}, leafKey)
	if err != nil {
		t.Fatal(err)
	}
	denylist, err := SignList(List{Iss: anchorIT, Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(),
		Revoked: []Revocation{{Sub: leafRE, RevokedAt: t0.Unix(), Reason: "compromised"}}}, anchorKey)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"entity configuration":  mustSign(t, config(t, leafKey), leafKey),
		"subordinate statement": mustSign(t, subordinate(t, leafKey), anchorKey),
		"key list":              keyList,
		"denylist":              denylist,
	}
}

// TestTruncatedStatements cuts valid statements and lists at every byte
// offset and removes each single byte: Parse and ParseList refuse (a
// removal may leave a valid document, which Verify must then refuse or
// accept) and never panic.
func TestTruncatedStatements(t *testing.T) {
	keys := []JWK{mustJWK(t, testKey("leaf")), mustJWK(t, testKey("anchor"))}
	for name, doc := range statementFixtures(t) {
		t.Run(name, func(t *testing.T) {
			list := strings.Contains(name, "list")
			parse := func(in []byte) error {
				if list {
					p, err := ParseList(in)
					if err == nil {
						err = p.Verify(keys, t0, time.Minute)
					}
					return err
				}
				p, err := Parse(in)
				if err == nil {
					err = p.Verify(keys, t0, time.Minute)
				}
				return err
			}
			if err := parse(doc); err != nil {
				t.Fatalf("fixture refused: %v", err)
			}
			prefixes, holes := cuts(doc)
			for i, in := range prefixes {
				noPanic(t, "Parse", in, func() {
					err := parse(in)
					if err == nil {
						t.Errorf("the first %d bytes are accepted", i)
					} else if r := reasons(err); len(r) != 1 {
						t.Errorf("cut at %d: error %q wraps %d reasons", i, err, len(r))
					}
				})
			}
			for i, in := range holes {
				noPanic(t, "Parse", in, func() {
					if err := parse(in); err != nil {
						if r := reasons(err); len(r) != 1 {
							t.Errorf("byte %d removed: error %q wraps %d reasons", i, err, len(r))
						}
					}
				})
			}
		})
	}
}

// TestTruncatedClaims cuts the JSON a statement carries in base64url (the
// claims and the protected header), signs what is left again and parses
// it: a proper prefix of JSON is malformed, never a panic.
func TestTruncatedClaims(t *testing.T) {
	key := testKey("leaf")
	claims := mustJSON(t, config(t, key))
	header := []byte(stdHeader(key, Type))
	tests := []struct {
		name   string
		doc    []byte
		signed func(in []byte) []byte
	}{
		{"claims", claims, func(in []byte) []byte { return craft(string(header), in, key) }},
		{"protected header", header, func(in []byte) []byte { return craft(string(in), claims, key) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefixes, holes := cuts(tc.doc)
			for i, in := range prefixes {
				raw := tc.signed(in)
				noPanic(t, "Parse", raw, func() {
					_, err := Parse(raw)
					wantReason(t, err, ErrMalformed)
					if t.Failed() {
						t.Fatalf("the first %d bytes %q", i, shorten(in))
					}
				})
			}
			for _, in := range holes {
				raw := tc.signed(in)
				noPanic(t, "Parse", raw, func() { _, _ = Parse(raw) })
			}
		})
	}
}

// truncatedSeeds returns a few cuts of doc for a fuzz corpus: around each
// dot of a compact JWS and the first occurrence of each JSON separator,
// in the middle and one byte short.
func truncatedSeeds(doc []byte) [][]byte {
	out := [][]byte{doc[: len(doc)/2 : len(doc)/2], doc[: len(doc)-1 : len(doc)-1]}
	seen := map[byte]bool{}
	for i, c := range doc {
		if bytes.IndexByte([]byte(`.{}[]":,-0123456789`), c) < 0 || seen[c] {
			continue
		}
		seen[c] = c != '.'
		out = append(out, doc[:i+1:i+1], doc[:i:i])
	}
	return out
}
