package trustchain

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// TestContentKey: content keys as a receiver asks for them, at the time an
// object was signed (its iat): rotation keeps old signatures valid, a
// compromised key refuses what is dated at or after its revocation, and a
// revoked co-signer stays valid for what it signed before.
func TestContentKey(t *testing.T) {
	current, old, stolen := key("content now"), key("content old"), key("content stolen")
	oldJWK := jwk(t, old)
	oldJWK.RetiredAt = t0.Add(-24 * time.Hour).Unix()
	stolenJWK := jwk(t, stolen)
	stolenJWK.RevokedAt = t0.Add(-12 * time.Hour).Unix()
	stolenJWK.Reason = "keyCompromise"
	newJWK := jwk(t, key("content next"))
	newJWK.NotBefore = t0.Add(time.Hour).Unix()
	revokedAt := t0.Add(-time.Hour)

	f := newFed(t)
	f.nodes[leafPA].contentJWK = []entity.JWK{jwk(t, current), oldJWK, stolenJWK, newJWK}
	f.publish(leafPA)
	// The civic group co-signs services; its municipality revoked it an
	// hour ago.
	f.enroll(muni, leafCivic, func(s *entity.Statement) {
		s.Constraints = muniConstraints()
		s.RevokedAt, s.RevokedReason = revokedAt.Unix(), "association dissolved"
	})
	r := f.resolver(anchorIT)
	pa, err := r.Resolve(context.Background(), leafPA)
	if err != nil {
		t.Fatal(err)
	}
	civic, err := r.Resolve(context.Background(), leafCivic)
	if err != nil {
		t.Fatal(err)
	}
	if !civic.RevokedAt.Equal(revokedAt) {
		t.Fatalf("RevokedAt %s", civic.RevokedAt)
	}
	civicKid := kidOf(f.nodes[leafCivic].contentKey)

	tests := []struct {
		name string
		c    *Chain
		kid  string
		at   time.Time
		want []error
		pub  ed25519.PrivateKey
	}{
		{name: "current key", c: pa, kid: kidOf(current), at: t0, pub: current},
		{name: "rotated key, object signed while current", c: pa, kid: kidOf(old), at: t0.Add(-48 * time.Hour), pub: old},
		{name: "rotated key used after retirement", c: pa, kid: kidOf(old), at: t0, want: []error{entity.ErrKeyRetired}},
		{name: "compromised key, object signed before", c: pa, kid: kidOf(stolen), at: t0.Add(-13 * time.Hour), pub: stolen},
		{name: "compromised key at revocation", c: pa, kid: kidOf(stolen), at: t0.Add(-12 * time.Hour), want: []error{entity.ErrKeyRevoked}},
		{name: "compromised key after revocation", c: pa, kid: kidOf(stolen), at: t0, want: []error{entity.ErrKeyRevoked}},
		{name: "key before its nbf", c: pa, kid: newJWK.Kid, at: t0, want: []error{entity.ErrNotYetValid}},
		{name: "key removed from the EC", c: pa, kid: kidOf(key("content removed")), at: t0, want: []error{entity.ErrUnknownKey}},
		{name: "federation key is not a content key", c: pa, kid: kidOf(f.nodes[leafPA].key), at: t0, want: []error{entity.ErrUnknownKey}},
		{name: "revoked co-signer, signed before", c: civic, kid: civicKid, at: revokedAt.Add(-time.Second), pub: f.nodes[leafCivic].contentKey},
		{name: "revoked co-signer, signed at revocation", c: civic, kid: civicKid, at: revokedAt, want: []error{ErrRevoked}},
		{name: "revoked co-signer, signed after", c: civic, kid: civicKid, at: t0, want: []error{ErrRevoked}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pub, err := tc.c.ContentKeyAt(tc.kid, tc.at, time.Time{})
			wantReasons(t, err, tc.want...)
			if err == nil && !pub.Equal(tc.pub.Public()) {
				t.Fatal("wrong key")
			}
			// The self-signed path gives the same answers, revocation aside.
			if tc.c.RevokedAt.IsZero() {
				pub2, err2 := ContentKeyAt(tc.c.Config, tc.kid, tc.at, time.Time{})
				wantReasons(t, err2, tc.want...)
				if err2 == nil && !pub2.Equal(pub) {
					t.Fatal("ContentKey and Chain.ContentKey differ")
				}
			}
		})
	}
}

// Equivalent mutant (gremlins v0.5.0, default mutators):
//
//   - chain.go:107 `k.RevokedAt > 0` → `k.RevokedAt >= 0` (CONDITIONALS_BOUNDARY).
//     With RevokedAt 0 the extra call k.ValidAt(at) can never return
//     entity.ErrKeyRevoked (JWK.ValidAt reports revocation only when
//     RevokedAt > 0), so the branch returns nothing and keyValid falls
//     through to k.ValidAt(signed) as before. The guard only saves a call.
//     (The same holds for dropping `at.After(signed)`, which gremlins does
//     not mutate: at == signed makes both calls the same.)
//
// TestContentKeyAt: every combination of a key's state, the signature's
// asserted time (signed) and the time this node first saw it (seen, zero
// when unknown), around one boundary second B. Retirement and not-before
// are judged at signed (retired_at is exclusive: a signature in its second
// still verifies; nbf inclusive); revocation, of the key or of the chain,
// at the later of signed and seen, and inclusive (a signature or sighting
// in its second is refused).
func TestContentKeyAt(t *testing.T) {
	b := t0.Add(-time.Hour) // every event's second
	at := func(d time.Duration) time.Time { return b.Add(d) }
	var never time.Time
	const s, m, h = time.Second, time.Minute, time.Hour

	valid, retired, revoked, both, nbf := key("at valid"), key("at retired"), key("at revoked"), key("at retired revoked"), key("at nbf")
	retiredJWK := jwk(t, retired)
	retiredJWK.RetiredAt = b.Unix()
	revokedJWK := jwk(t, revoked)
	revokedJWK.RevokedAt, revokedJWK.Reason = b.Unix(), "keyCompromise"
	bothJWK := jwk(t, both) // rotated out an hour before B, found compromised at B
	bothJWK.RetiredAt, bothJWK.RevokedAt, bothJWK.Reason = at(-h).Unix(), b.Unix(), "keyCompromise"
	nbfJWK := jwk(t, nbf)
	nbfJWK.NotBefore = b.Unix()
	civicValid, civicStolen := key("at civic"), key("at civic stolen")
	civicStolenJWK := jwk(t, civicStolen) // revoked half an hour before its signer
	civicStolenJWK.RevokedAt = at(-30 * m).Unix()

	f := newFed(t)
	f.nodes[leafPA].contentJWK = []entity.JWK{jwk(t, valid), retiredJWK, revokedJWK, bothJWK, nbfJWK}
	f.publish(leafPA)
	f.nodes[leafCivic].contentJWK = []entity.JWK{jwk(t, civicValid), civicStolenJWK}
	f.publish(leafCivic)
	f.enroll(muni, leafCivic, func(s *entity.Statement) {
		s.Constraints = muniConstraints()
		s.RevokedAt = b.Unix() // the municipality revoked the civic group at B
	})
	r := f.resolver(anchorIT)
	pa, err := r.Resolve(context.Background(), leafPA)
	if err != nil {
		t.Fatal(err)
	}
	civic, err := r.Resolve(context.Background(), leafCivic)
	if err != nil {
		t.Fatal(err)
	}
	if !civic.RevokedAt.Equal(b) || !pa.RevokedAt.IsZero() {
		t.Fatalf("RevokedAt %s and %s", civic.RevokedAt, pa.RevokedAt)
	}
	unknown := key("at unknown")

	tests := []struct {
		name         string
		c            *Chain
		k            ed25519.PrivateKey
		signed, seen time.Time
		want         []error
		// self is what the self-signed path (ContentKeyAt of the EC alone)
		// answers, for the rows where the chain's revocation decides.
		self   []error
		selfOK bool
	}{
		{name: "valid key, seen unknown", c: pa, k: valid, signed: b},
		{name: "valid key, seen later", c: pa, k: valid, signed: b, seen: at(h)},
		{name: "valid key, seen before its claimed signing time", c: pa, k: valid, signed: b, seen: at(-h)},

		{name: "retired key, signed a second before retirement", c: pa, k: retired, signed: at(-s)},
		{name: "retired key, signed in the second of retirement", c: pa, k: retired, signed: b},
		{name: "retired key, signed a second after retirement", c: pa, k: retired, signed: at(s), want: []error{entity.ErrKeyRetired}},
		{name: "retired key, signed before, seen after retirement", c: pa, k: retired, signed: at(-s), seen: at(h)},
		{name: "retired key, signed in its second, seen a second later", c: pa, k: retired, signed: b, seen: at(s)},
		{name: "retired key, signed after, seen before retirement", c: pa, k: retired, signed: at(s), seen: at(-h), want: []error{entity.ErrKeyRetired}},

		{name: "revoked key, signed a second before, seen unknown", c: pa, k: revoked, signed: at(-s)},
		{name: "revoked key, signed and seen a second before", c: pa, k: revoked, signed: at(-s), seen: at(-s)},
		{name: "revoked key, signed before, seen earlier still", c: pa, k: revoked, signed: at(-s), seen: at(-2 * s)},
		{name: "revoked key, signed before, seen a second before", c: pa, k: revoked, signed: at(-h), seen: at(-s)},
		{name: "revoked key, signed before, seen in the second of revocation", c: pa, k: revoked, signed: at(-s), seen: b, want: []error{entity.ErrKeyRevoked}},
		{name: "revoked key, signed before, seen after", c: pa, k: revoked, signed: at(-h), seen: at(h), want: []error{entity.ErrKeyRevoked}},
		{name: "revoked key, signed in the second of revocation", c: pa, k: revoked, signed: b, want: []error{entity.ErrKeyRevoked}},
		{name: "revoked key, signed after, seen before", c: pa, k: revoked, signed: at(s), seen: at(-h), want: []error{entity.ErrKeyRevoked}},

		{name: "retired then revoked, signed while current", c: pa, k: both, signed: at(-2 * h)},
		{name: "retired then revoked, signed while current, seen between", c: pa, k: both, signed: at(-2 * h), seen: at(-s)},
		{name: "retired then revoked, signed while current, seen at revocation", c: pa, k: both, signed: at(-2 * h), seen: b, want: []error{entity.ErrKeyRevoked}},
		{name: "retired then revoked, signed between", c: pa, k: both, signed: at(-30 * m), want: []error{entity.ErrKeyRetired}},
		{name: "retired then revoked, signed and seen between", c: pa, k: both, signed: at(-30 * m), seen: at(-20 * m), want: []error{entity.ErrKeyRetired}},
		{name: "retired then revoked, signed between, seen after: revoked", c: pa, k: both, signed: at(-30 * m), seen: at(h), want: []error{entity.ErrKeyRevoked}},

		{name: "key before its nbf", c: pa, k: nbf, signed: at(-s), want: []error{entity.ErrNotYetValid}},
		{name: "key in the second of its nbf", c: pa, k: nbf, signed: b},
		{name: "key signed before its nbf, seen after", c: pa, k: nbf, signed: at(-s), seen: at(h), want: []error{entity.ErrNotYetValid}},
		{name: "unknown kid", c: pa, k: unknown, signed: b, want: []error{entity.ErrUnknownKey}},

		{name: "revoked signer, signed a second before", c: civic, k: civicValid, signed: at(-s)},
		{name: "revoked signer, signed and seen a second before", c: civic, k: civicValid, signed: at(-s), seen: at(-s)},
		{name: "revoked signer, signed before, seen earlier still", c: civic, k: civicValid, signed: at(-h), seen: at(-2 * h)},
		{name: "revoked signer, signed before, seen in the second of revocation", c: civic, k: civicValid, signed: at(-s), seen: b, want: []error{ErrRevoked}, selfOK: true},
		{name: "revoked signer, signed before, seen after", c: civic, k: civicValid, signed: at(-h), seen: at(h), want: []error{ErrRevoked}, selfOK: true},
		{name: "revoked signer, signed in the second of revocation", c: civic, k: civicValid, signed: b, want: []error{ErrRevoked}, selfOK: true},
		{name: "revoked signer, signed after, seen before", c: civic, k: civicValid, signed: at(s), seen: at(-h), want: []error{ErrRevoked}, selfOK: true},
		{name: "revoked signer's revoked key, seen before either", c: civic, k: civicStolen, signed: at(-45 * m), seen: at(-40 * m)},
		{name: "revoked signer's revoked key, seen after the key's revocation", c: civic, k: civicStolen, signed: at(-45 * m), seen: at(-30 * m), want: []error{entity.ErrKeyRevoked}},
		{name: "revoked signer's revoked key, seen after both", c: civic, k: civicStolen, signed: at(-45 * m), seen: b, want: []error{ErrRevoked}, self: []error{entity.ErrKeyRevoked}},
		{name: "revoked signer, unknown kid, signed before", c: civic, k: unknown, signed: at(-s), want: []error{entity.ErrUnknownKey}},
		{name: "revoked signer, unknown kid, signed after: revoked first", c: civic, k: unknown, signed: b, want: []error{ErrRevoked}, self: []error{entity.ErrUnknownKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kid := kidOf(tc.k)
			check := func(what string, pub ed25519.PublicKey, err error, want []error) {
				t.Helper()
				if err != nil {
					t.Logf("%s: %v", what, err)
				}
				wantReasons(t, err, want...)
				if err == nil && !pub.Equal(tc.k.Public()) {
					t.Fatalf("%s: wrong key", what)
				}
			}
			pub, err := tc.c.ContentKeyAt(kid, tc.signed, tc.seen)
			check("Chain.ContentKeyAt", pub, err, tc.want)
			// A chain whose keys were not decoded (built by hand) answers
			// the same through the EC's key list.
			bare := &Chain{EntityID: tc.c.EntityID, Config: tc.c.Config, RevokedAt: tc.c.RevokedAt}
			pub, err = bare.ContentKeyAt(kid, tc.signed, tc.seen)
			check("undecoded Chain.ContentKeyAt", pub, err, tc.want)
			// The self-signed path knows nothing of the chain's revocation.
			self := tc.want
			if tc.self != nil || tc.selfOK {
				self = tc.self
			}
			pub, err = ContentKeyAt(tc.c.Config, kid, tc.signed, tc.seen)
			check("ContentKeyAt", pub, err, self)
		})
	}

	// The refusal names both times, "-" for a sighting not known.
	_, err = civic.ContentKeyAt(kidOf(civicValid), b, never)
	if want := "signed at " + b.Format(time.RFC3339) + ", first seen -"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v does not say %q", err, want)
	}
	_, err = civic.ContentKeyAt(kidOf(civicValid), at(-h), at(h))
	if want := "first seen " + at(h).Format(time.RFC3339); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v does not say %q", err, want)
	}
}

// TestContentKeyAtNoConfig: the self-signed path refuses a missing EC.
func TestContentKeyAtNoConfig(t *testing.T) {
	if _, err := ContentKeyAt(nil, "kid", t0, t0); err == nil {
		t.Fatal("a nil EC gave a key")
	}
}
