package signedobject

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestInspectSignatureMerge(t *testing.T) {
	now := t0.Add(time.Hour)
	a, b := newParty(t, entA), newParty(t, entB)
	p := payloadFor(a.EntityID, a.EntityID, b.EntityID)
	partial, err := Sign(p, a.Signer)
	if err != nil {
		t.Fatal(err)
	}
	in, err := Inspect(partial)
	if err != nil || in.Payload.Sub != p.Sub || len(in.Sigs) != 1 || in.Sigs[0].Signer != a.EntityID || in.Sigs[0].Kid != a.kid {
		t.Fatalf("inspect: %+v, %v", in, err)
	}
	// b countersigns, sends back only its own signature; the origin merges.
	both, err := AddSignature(partial, b.Signer)
	if err != nil {
		t.Fatal(err)
	}
	only, err := Signature(both, b.EntityID)
	if err != nil {
		t.Fatal(err)
	}
	if in, err := Inspect(only); err != nil || len(in.Sigs) != 1 || in.Sigs[0].Signer != b.EntityID {
		t.Fatalf("signature of b: %+v, %v", in, err)
	}
	merged, err := Merge(partial, only)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(merged, newDirectory(a, b).resolve, now, Options{}); err != nil {
		t.Fatalf("merged document: %v", err)
	}
	if _, err := Verify(partial, newDirectory(a, b).resolve, now, Options{}); !errors.Is(err, ErrMissingCosigner) {
		t.Fatalf("partial document: %v", err)
	}
	// A draft: the present signatures are checked, the missing one tolerated.
	if v, err := Verify(partial, newDirectory(a, b).resolve, now, Options{Partial: true}); err != nil || len(v.Signers) != 1 {
		t.Fatalf("partial document as a draft: %+v, %v", v, err)
	}
	if _, err := Verify(only, newDirectory(a, b).resolve, now, Options{Partial: true}); !errors.Is(err, ErrForgedOrigin) {
		t.Fatalf("a draft without its issuer's signature: %v", err)
	}
	spoiled := []byte(strings.Replace(string(merged), `"signature":"`, `"signature":"AA`, 1))
	if _, err := Verify(spoiled, newDirectory(a, b).resolve, now, Options{Partial: true}); err == nil {
		t.Fatal("a draft with a spoiled signature verified")
	}
	// Merging a signature over other bytes is refused.
	q := p
	q.Jti = "other"
	otherDoc, err := Sign(q, b.Signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(partial, otherDoc); !errors.Is(err, ErrMalformed) {
		t.Fatalf("merge of another payload: %v", err)
	}
	if _, err := Signature(partial, b.EntityID); !errors.Is(err, ErrMissingCosigner) {
		t.Fatalf("signature of a non-signer: %v", err)
	}
}

// A countersignature carries its own signing time: the co-signer's key must
// be valid then, not only when the origin signed.
func TestCountersignatureTime(t *testing.T) {
	a, b := newParty(t, entA), newParty(t, entB)
	revoked := t0.Add(30 * time.Minute) // b's key is revoked from then on
	resolve := func(ent, kid string, at time.Time) (ed25519.PublicKey, error) {
		if ent == b.EntityID && !at.Before(revoked) {
			return nil, errors.New("revoked")
		}
		return newDirectory(a, b).resolve(ent, kid, at)
	}
	draft, err := Sign(payloadFor(a.EntityID, a.EntityID, b.EntityID), a.Signer)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Hour)
	cases := []struct {
		name string
		at   time.Time
		want error
	}{
		{"signed before the revocation", t0.Add(10 * time.Minute), nil},
		{"signed after the revocation", t0.Add(time.Hour), ErrUntrustedKey},
		{"signed before the payload", t0.Add(-time.Hour), ErrInvalidPayload},
		{"signed in the future", now.Add(time.Hour), ErrNotYetValid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			signer := b.Signer
			signer.At = c.at
			doc, err := AddSignature(draft, signer)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Verify(doc, resolve, now, Options{})
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}
