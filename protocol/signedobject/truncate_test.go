package signedobject

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// cuts returns every proper prefix of doc (doc cut at each byte offset) and
// doc with each single byte removed: what a connection dropped mid-way or a
// lost byte leaves of a document.
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

// signedFixtures are valid documents of every shape Sign and AddSignature
// write: one signature, two and three co-signers, a countersignature with
// its own iat, and a hand-made one with an unprotected header.
func signedFixtures(t testing.TB) map[string][]byte {
	a, b, c := newParty(t, entA), newParty(t, entB), newParty(t, entC)
	late := b.Signer
	late.At = t0.Add(time.Minute)
	counter, err := AddSignature(mustSign(t, payloadFor(entA, entA, entB), a), late)
	if err != nil {
		t.Fatal(err)
	}
	p := payloadFor(entA)
	p.Prev = PayloadHash([]byte(`{}`))
	p.Ver = 2
	p.Body = json.RawMessage(`{"n":[-1.5e+3,0,true,false,null],"s":"\"\\\/\b\f\n\r\t\u00e8\ud83d\ude00"}`)
	return map[string][]byte{
		"single":           mustSign(t, payloadFor(entA), a),
		"co-signed":        mustSign(t, payloadFor(entA, entA, entB), a, b),
		"three co-signers": mustSign(t, payloadFor(entA, entA, entB, entC), a, b, c),
		"countersigned":    counter,
		"every JSON token": mustSign(t, p, a),
		"unprotected header": craft(t, mustJSON(t, payloadFor(entA)),
			rawSigSpec{protected: hdr(a), header: `{"x":{"y":[1,"\u00e8",null]},"z":-0.5}`, key: a.Key}),
	}
}

// TestTruncatedDocuments cuts valid signed objects at every byte offset and
// removes each single byte: every function that reads a JWS must refuse
// (or, for a removal that leaves a valid document, accept) and never
// panic. An index out of range there would let any peer stop a node with
// a short request.
func TestTruncatedDocuments(t *testing.T) {
	a, b, c := newParty(t, entA), newParty(t, entB), newParty(t, entC)
	dir := newDirectory(a, b, c)
	for name, doc := range signedFixtures(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := Verify(doc, dir.resolve, t0.Add(2*time.Minute), Options{}); err != nil {
				t.Fatalf("fixture refused: %v", err)
			}
			prefixes, holes := cuts(doc)
			for i, in := range prefixes {
				noPanic(t, "Verify", in, func() {
					v, err := Verify(in, dir.resolve, t0.Add(2*time.Minute), Options{})
					if err == nil || v != nil {
						t.Errorf("Verify accepts the first %d bytes", i)
					} else if r := reasons(err); len(r) != 1 {
						t.Errorf("cut at %d: error %q wraps %d reasons", i, err, len(r))
					}
				})
				noPanic(t, "Inspect", in, func() {
					if _, err := Inspect(in); err == nil {
						t.Errorf("Inspect accepts the first %d bytes", i)
					}
				})
				noPanic(t, "Signature", in, func() { _, _ = Signature(in, entA) })
				noPanic(t, "Merge", in, func() { _, _ = Merge(doc, in); _, _ = Merge(in, doc) })
			}
			for i, in := range holes {
				noPanic(t, "Verify", in, func() {
					if _, err := Verify(in, dir.resolve, t0.Add(2*time.Minute), Options{}); err != nil {
						if r := reasons(err); len(r) != 1 {
							t.Errorf("byte %d removed: error %q wraps %d reasons", i, err, len(r))
						}
					}
				})
				noPanic(t, "Inspect", in, func() { _, _ = Inspect(in) })
			}
		})
	}
}

// TestTruncatedJSON cuts the JSON inside a JWS (the payload and a
// protected header, whose bytes the envelope carries in base64url, so that
// cutting the envelope never reaches them) at every offset and removes each
// byte, and feeds what is left both to the strict decoders directly and,
// signed again, to Verify: a proper prefix of a JSON value is never a JSON
// value, so each must be refused as malformed, without a panic.
func TestTruncatedJSON(t *testing.T) {
	a := newParty(t, entA)
	dir := newDirectory(a)
	p := payloadFor(entA)
	p.Prev = PayloadHash([]byte(`{}`))
	p.Ver = 2
	p.Body = json.RawMessage(`{"n":[-1.5e+3,0,1E-2,true,false,null,{}],"s":"\"\\\/\b\f\n\r\t\u00e8\ud83d\ude00","e":[]}`)
	payload := mustJSON(t, p)
	header := []byte(`{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","iat":1772366400}`)
	// A header with every kind of value the decoder may meet in one.
	anyHeader := []byte(`{"a":[1,-2.5e+3,true,false,null,"s\u00e8",{"b":{}}],"c":[]}`)
	envelope := craft(t, payload, rawSigSpec{protected: string(header), header: `{"x":[1,{"y":null}]}`, key: a.Key})
	docs := []struct {
		name string
		doc  []byte
		// check feeds one cut document to the decoder under test.
		check func(in []byte) error
		// signed wraps it in a JWS for Verify (nil: not a part of one).
		signed func(in []byte) []byte
	}{
		{"payload", payload, func(in []byte) error { var v Payload; return strictjson.Decode(in, &v, strictOptions(0)) },
			func(in []byte) []byte { return craft(t, in, rawSigSpec{protected: hdr(a), key: a.Key}) }},
		{"protected header", header, func(in []byte) error { _, err := decodeHeader(in); return err },
			func(in []byte) []byte { return craft(t, payload, rawSigSpec{protected: string(in), key: a.Key}) }},
		{"any header", anyHeader, func(in []byte) error { _, err := decodeHeader(in); return err }, nil},
		{"any value", anyHeader, func(in []byte) error { return checkStrict(in, anyShape) }, nil},
		{"envelope", envelope, func(in []byte) error { var env rawEnvelope; return decodeEnvelope(in, &env, DefaultMaxBytes) }, nil},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			if err := d.check(d.doc); err != nil {
				t.Fatalf("fixture refused: %v", err)
			}
			prefixes, holes := cuts(d.doc)
			for i, in := range prefixes {
				noPanic(t, d.name, in, func() {
					if err := d.check(in); err == nil {
						t.Errorf("the first %d bytes %q are accepted", i, shorten(in))
					}
				})
				if d.signed == nil {
					continue
				}
				want := ErrMalformed
				if i == 0 && d.name == "protected header" {
					want = ErrHeader // an empty protected header is a missing one
				}
				jws := d.signed(in)
				noPanic(t, "Verify", jws, func() {
					_, err := Verify(jws, dir.resolve, t0, Options{})
					if r := reasons(err); len(r) != 1 || r[0] != want {
						t.Errorf("the first %d bytes %q: Verify = %v, want %v", i, shorten(in), err, want)
					}
				})
			}
			for _, in := range holes {
				noPanic(t, d.name, in, func() { _ = d.check(in) })
				if d.signed != nil {
					jws := d.signed(in)
					noPanic(t, "Verify", jws, func() { _, _ = Verify(jws, dir.resolve, t0, Options{}) })
				}
			}
		})
	}
}

// truncatedSeeds returns a few cuts of doc for a fuzz corpus: the cut just
// before each structural character and the end, so that the seeds end in
// every state of the scanner without adding a seed per byte.
func truncatedSeeds(doc []byte) [][]byte {
	var out [][]byte
	seen := map[byte]bool{}
	for i, c := range doc {
		if bytes.IndexByte([]byte(`{}[]":,\-.0123456789eEtfn`), c) < 0 || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, doc[:i+1:i+1], doc[:i:i])
	}
	return out
}
