package signedobject

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary bytes to Verify: it must never panic, every
// refusal must name exactly one reason, and an accepted document must be
// signed by exactly its cosigners over the bytes it returns.
func FuzzVerify(f *testing.F) {
	a, b, c := newParty(f, entA), newParty(f, entB), newParty(f, entC)
	dir := newDirectory(a, b, c)
	f.Add(mustSign(f, payloadFor(entA), a))
	f.Add(mustSign(f, payloadFor(entA, entA, entB), a, b))
	f.Add(mustSign(f, payloadFor(entA, entA, entB, entC), a, b, c))
	f.Add(mustSign(f, payloadFor(entA, entA, entB), a))
	raw := mustJSON(f, payloadFor(entA))
	f.Add(craft(f, raw, rawSigSpec{protected: `{"alg":"none","kid":"k","typ":"interlink-object+jws","iss":"` + entA + `"}`}))
	f.Add(craft(f, raw, rawSigSpec{protected: hdr(a), header: `{"trust_chain":["e30"]}`, key: a.Key}))
	f.Add([]byte(`{"payload":"e30","signatures":[{"signature":""}]}`))
	// A countersignature with its own signing time (protected iat).
	late := b.Signer
	late.At = t0.Add(-time.Minute)
	if doc, err := AddSignature(mustSign(f, payloadFor(entA, entA, entB), a), late); err == nil {
		f.Add(doc)
	}
	// Truncated documents: envelopes cut short, and whole envelopes around
	// a payload or a protected header cut short (TestTruncatedDocuments
	// and TestTruncatedJSON try every offset).
	for _, doc := range truncatedSeeds(mustSign(f, payloadFor(entA, entA, entB), a, b)) {
		f.Add(doc)
	}
	for _, p := range truncatedSeeds(raw) {
		f.Add(craft(f, p, rawSigSpec{protected: hdr(a), key: a.Key}))
	}
	for _, h := range truncatedSeeds([]byte(hdr(a))) {
		f.Add(craft(f, raw, rawSigSpec{protected: string(h), key: a.Key}))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Verify(data, dir.resolve, t0, Options{})
		if err != nil {
			if v != nil {
				t.Fatal("non-nil result with an error")
			}
			if r := reasons(err); len(r) != 1 {
				t.Fatalf("error %q wraps %d reasons", err, len(r))
			}
			return
		}
		if !slices.Equal(v.Signers, v.Payload.Cosigners) {
			t.Fatalf("signers %v, cosigners %v", v.Signers, v.Payload.Cosigners)
		}
		m, perr := parseMessage(data, DefaultMaxBytes)
		if perr != nil || !bytes.Equal(m.payload, v.Raw) {
			t.Fatalf("accepted but raw differs or reparse fails: %v", perr)
		}
		again, err := decodePayload(v.Raw)
		if err != nil || again.Sub != v.Payload.Sub || again.Ver != v.Payload.Ver {
			t.Fatalf("raw does not decode to the payload: %v", err)
		}
	})
}
