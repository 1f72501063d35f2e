package signedobject

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
)

// benchObject is a single-signer object of about 2 KB.
func benchObject(b *testing.B) (party, []byte) {
	a := newParty(b, entA)
	p := payloadFor(entA)
	p.Body = json.RawMessage(`{"title":{"en":"Waste collection booking"},"description":{"en":"` + strings.Repeat("Book a bulky waste pickup online. ", 30) + `"}}`)
	doc := mustSign(b, p, a)
	if n := len(doc); n < 1800 || n > 2400 {
		b.Fatalf("object is %d bytes, want about 2 KB", n)
	}
	return a, doc
}

// BenchmarkVerify verifies a single-signer ~2 KB object with a warm
// resolver (a map lookup). Compare with BenchmarkRawEd25519Verify in the
// same run: go test -run '^$' -bench 'Verify' -cpu 1 ./protocol/signedobject/
func BenchmarkVerify(b *testing.B) {
	a, doc := benchObject(b)
	resolve := newDirectory(a).resolve
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(doc, resolve, t0, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawEd25519Verify is the floor: ed25519.Verify over the same
// signing input as BenchmarkVerify's object.
func BenchmarkRawEd25519Verify(b *testing.B) {
	a, doc := benchObject(b)
	m, err := parseMessage(doc, DefaultMaxBytes)
	if err != nil {
		b.Fatal(err)
	}
	in := signingInput(m.sigs[0].protectedB64, m.payloadB64)
	sig := m.sigs[0].sig
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(a.pub, in, sig) {
			b.Fatal("raw verify failed")
		}
	}
}

// BenchmarkSign signs the same object (Sign throughput).
func BenchmarkSign(b *testing.B) {
	a := newParty(b, entA)
	p := payloadFor(entA)
	p.Body = json.RawMessage(`{"title":{"en":"Waste collection booking"},"description":{"en":"` + strings.Repeat("Book a bulky waste pickup online. ", 30) + `"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(p, a.Signer); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseObject parses the same object without verifying its
// signature (Inspect: size cap, strict JSON, headers, payload shape): the
// parsing share of BenchmarkVerify.
func BenchmarkParseObject(b *testing.B) {
	_, doc := benchObject(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Inspect(doc); err != nil {
			b.Fatal(err)
		}
	}
}
