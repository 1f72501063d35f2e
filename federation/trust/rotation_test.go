package trust

import (
	"errors"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// Content key rotation keeps what the old key signed verifiable; revoking
// the old key as compromised refuses every version signed by it that a
// receiver first sees from then on, whatever its iat, while what the
// receiver saw before the revocation and was signed before it stays valid.
func TestContentKeyRotation(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	o := f.m[ospizio]
	keyA := o.keys.content()
	seenBefore := f.clock.Now()
	signedByA := o.sign(t, o.object(t, f.clock.Now()), nil)

	f.clock.Advance(time.Minute)
	retiredAt := f.clock.Now()
	keyB := o.keys.rotateContent()
	o.svc.KeysChanged()
	f.clock.Advance(time.Second)
	signedByB := o.sign(t, o.object(t, f.clock.Now()), nil)
	if in, err := signedobject.Inspect(signedByB); err != nil || in.Sigs[0].Kid != keyB.Kid {
		t.Fatalf("after rotation the object is signed by %+v, %v; want %s", in, err, keyB.Kid)
	}
	// A thief holding A signs after its retirement, and backdates another
	// signature to before it (a retired key's iat is still its signer's
	// word: what a retired key signs is judged at its iat).
	stolenRetired := o.signRaw(t, o.payload(t, f.clock.Now()), keyA.Private)
	backdated := o.signRaw(t, o.payload(t, retiredAt.Add(-time.Second)), keyA.Private)

	type judged struct {
		name string
		jws  []byte
		seen time.Time // zero: first seen now (VerifyObject)
		kid  string
		want []error
	}
	check := func(t *testing.T, tests []judged) {
		t.Helper()
		for _, receiver := range []string{zaragoza, anchorIT, comune} {
			for _, tc := range tests {
				t.Run(receiver+"/"+tc.name, func(t *testing.T) {
					var r *trustchain.Received
					var err error
					if tc.seen.IsZero() {
						r, err = f.m[receiver].svc.VerifyObject(ctx, tc.jws)
					} else {
						r, err = f.m[receiver].svc.Judge(ctx, tc.jws, tc.seen)
					}
					wantErr(t, err, tc.want...)
					if err == nil && (r.Verification.Status != protocol.Verified || r.Verification.Signers[0].Kid != tc.kid) {
						t.Fatalf("verification = %+v, want verified with %s", r.Verification, tc.kid)
					}
				})
			}
		}
	}
	t.Run("retired", func(t *testing.T) {
		check(t, []judged{
			{"signed by the old key before the rotation", signedByA, time.Time{}, keyA.Kid, nil},
			{"signed by the new key", signedByB, time.Time{}, keyB.Kid, nil},
			{"old key used after its retirement", stolenRetired, time.Time{}, "", []error{signedobject.ErrUntrustedKey, entity.ErrKeyRetired}},
			{"old key backdated before its retirement", backdated, time.Time{}, keyA.Kid, nil},
		})
	})

	f.clock.Advance(time.Minute)
	o.keys.revokeContent(keyA.Kid, "laptop stolen")
	o.svc.KeysChanged()
	f.clock.Advance(time.Second)
	stolenRevoked := o.signRaw(t, o.payload(t, f.clock.Now()), keyA.Private)
	backdatedAfter := o.signRaw(t, o.payload(t, retiredAt.Add(-2*time.Second)), keyA.Private)
	// The receivers cached the chain before the revocation: within the
	// resolver's maximum age (trust.reverify_interval) they read it again.
	f.clock.Advance(f.m[zaragoza].svc.Config().ReverifyInterval)
	t.Run("revoked", func(t *testing.T) {
		check(t, []judged{
			{"signed by the new key", signedByB, time.Time{}, keyB.Kid, nil},
			{"old key used after its revocation", stolenRevoked, time.Time{}, "", []error{signedobject.ErrUntrustedKey, entity.ErrKeyRevoked}},
			{"old key backdated, first seen after the revocation", backdatedAfter, time.Time{}, "", []error{signedobject.ErrUntrustedKey, entity.ErrKeyRevoked}},
			{"old key before the rotation, first seen after the revocation", signedByA, time.Time{}, "", []error{signedobject.ErrUntrustedKey, entity.ErrKeyRevoked}},
			{"old key before the rotation, held since before the revocation", signedByA, seenBefore, keyA.Kid, nil},
			{"old key after its retirement, held since before the revocation", stolenRetired, retiredAt.Add(2 * time.Second), "", []error{signedobject.ErrUntrustedKey, entity.ErrKeyRetired}},
		})
	})
}

// A receiver that cached the signer's chain before a content key rotation
// must accept what the new key signs: the rotation is self-service and
// docs/trust.md promises that "the new key signs from now on".
func TestContentKeyRotationWarmCache(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	o, z := f.m[ospizio], f.m[zaragoza]
	if _, err := z.svc.VerifyObject(ctx, o.sign(t, o.object(t, f.clock.Now()), nil)); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	o.keys.rotateContent()
	o.svc.KeysChanged()
	f.clock.Advance(time.Second)
	r, err := z.svc.VerifyObject(ctx, o.sign(t, o.object(t, f.clock.Now()), nil))
	wantErr(t, err)
	if r.Verification.Status != protocol.Verified {
		t.Fatalf("verification = %+v", r.Verification)
	}
	// A second rotation a second later: the receiver's chain is younger
	// than its maximum age, but an unknown kid makes it look again (the
	// first Refresh of this signer).
	o.keys.rotateContent()
	f.clock.Advance(time.Second)
	if _, err := z.svc.VerifyObject(ctx, o.sign(t, o.object(t, f.clock.Now()), nil)); err != nil {
		t.Fatalf("a key rotated after the cached chain was fetched: %v", err)
	}
	// A third rotation within the refresh interval: the receiver does not
	// fetch again (a flood of unknown kids costs no fetches), so the newest
	// key is refused until the interval has passed.
	o.keys.rotateContent()
	f.clock.Advance(time.Second)
	if _, err := z.svc.VerifyObject(ctx, o.sign(t, o.object(t, f.clock.Now()), nil)); !errors.Is(err, entity.ErrUnknownKey) {
		t.Fatalf("a key rotated within the refresh interval: %v", err)
	}
	f.clock.Advance(trustchain.RefreshInterval)
	if _, err := z.svc.VerifyObject(ctx, o.sign(t, o.object(t, f.clock.Now()), nil)); err != nil {
		t.Fatalf("the same key after the refresh interval: %v", err)
	}
}

// Federation key rotation with an overlap: next published, the superior
// re-enrols, then promotion. Promoting first leaves the node without a
// chain until the superior lists the key.
func TestFederationKeyRotation(t *testing.T) {
	tests := []struct {
		name         string
		reenrolFirst bool
	}{
		{"re-enrolled before promotion", true},
		{"promoted before re-enrolment", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newStandardFed(t)
			ctx := t.Context()
			o := f.m[ospizio]
			old := o.keys.federation()
			before := o.sign(t, o.object(t, f.clock.Now()), nil)

			f.clock.Advance(time.Minute)
			next := o.keys.nextFederation()
			o.svc.KeysChanged()
			if _, err := o.svc.SelfStatus(ctx); err != nil {
				t.Fatalf("with a next key published: %v", err)
			}
			// The superior is given exactly the keys the entity
			// configuration lists: both during the overlap, the new one
			// alone after promotion.
			reenrol := func(kids ...string) {
				f.enrol(comune, Enrolment{EntityID: ospizio, Name: "Associazione Ospizio", Country: "IT", OrgKind: "citizen_group", Kids: kids})
			}
			if tc.reenrolFirst {
				reenrol(old.Kid, next.Kid)
			}
			f.clock.Advance(time.Minute)
			o.keys.promoteFederation()
			o.svc.KeysChanged()
			_, err := o.svc.SelfStatus(ctx)
			if !tc.reenrolFirst {
				wantErr(t, err, trustchain.ErrKeyNotListed)
				// A receiver resolving now finds no chain either.
				_, err = f.m[zaragoza].svc.VerifyObject(ctx, before)
				wantErr(t, err, ErrUnverified, trustchain.ErrKeyNotListed)
				reenrol(next.Kid)
				_, err = o.svc.SelfStatus(ctx)
			}
			wantErr(t, err)

			f.clock.Advance(time.Minute)
			after := o.sign(t, o.object(t, f.clock.Now()), nil)
			for _, jws := range [][]byte{before, after} {
				r, err := f.m[zaragoza].svc.VerifyObject(ctx, jws)
				if err != nil {
					t.Fatal(err)
				}
				if r.Verification.Status != protocol.Verified {
					t.Fatalf("verification = %+v", r.Verification)
				}
			}
		})
	}
}

// An anchor's key rotates the same way; receivers add the new thumbprint
// to their pin during the overlap, and those that do not lose the chain
// at promotion.
func TestAnchorKeyRotation(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	a, z := f.m[anchorES], f.m[zaragoza]
	next := a.keys.nextFederation()
	a.svc.KeysChanged()
	updated := f.add(spec{id: "https://aggiornato.it.example", role: RoleLeaf}) // pins old and next
	stale := f.add(spec{id: "https://vecchio.it.example", role: RoleLeaf, anchors: []trustchain.Anchor{{EntityID: anchorES, Kids: []string{a.keys.federation().Kid}}}})
	f.clock.Advance(time.Minute)
	a.keys.promoteFederation()
	a.svc.KeysChanged()
	if h := protectedHeader(t, mustEC(t, a)); h["kid"] != next.Kid {
		t.Fatalf("anchor signs with %v, want %s", h["kid"], next.Kid)
	}
	jws := z.sign(t, z.object(t, f.clock.Now()), nil)
	r, err := updated.svc.VerifyObject(ctx, jws)
	if err != nil || r.Verification.Signers[0].Anchor != anchorES {
		t.Fatalf("receiver pinning the new key: %+v, %v", r, err)
	}
	_, err = stale.svc.VerifyObject(ctx, jws)
	wantErr(t, err, ErrUnverified, trustchain.ErrNotPinned)
}

func mustEC(t testing.TB, m *member) []byte {
	t.Helper()
	raw, err := m.svc.EntityConfiguration()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
