package trust

import (
	"slices"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// countersign has m countersign draft and merges its signature in.
func countersign(t testing.TB, m *member, draft []byte) []byte {
	t.Helper()
	sig, err := m.svc.Countersign(draft)
	if err != nil {
		t.Fatalf("%s countersigns: %v", m.id, err)
	}
	in, err := signedobject.Inspect(sig)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Sigs) != 1 || in.Sigs[0].Signer != m.id {
		t.Fatalf("Countersign returned the signatures of %+v, want only %s's", in.Sigs, m.id)
	}
	merged, err := signedobject.Merge(draft, sig)
	if err != nil {
		t.Fatal(err)
	}
	return merged
}

func signerIDs(v *protocol.Verification) []string {
	var out []string
	for _, s := range v.Signers {
		out = append(out, s.EntityID)
	}
	return out
}

// A service co-produced by the municipality (the origin), its civic group
// and, across the border, Zaragoza: the cosigners are listed in an order
// other than the signing order.
func TestCosigning(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	co, osp, za := f.m[comune], f.m[ospizio], f.m[zaragoza]
	cosigners := []string{ospizio, zaragoza, comune}
	draft := co.sign(t, co.object(t, f.clock.Now()), nil, cosigners...)

	// The co-signers check the draft: partial, but what is there verifies.
	for _, m := range []*member{osp, za} {
		r, err := m.svc.VerifyDraft(ctx, draft)
		if err != nil {
			t.Fatalf("%s checks the draft: %v", m.id, err)
		}
		if !slices.Equal(r.Signers, []string{comune}) || !slices.Equal(signerIDs(r.Verification), []string{comune}) {
			t.Fatalf("draft signers %v / %v, want the origin alone", r.Signers, signerIDs(r.Verification))
		}
	}
	// Nobody acts on a draft.
	_, err := za.svc.VerifyObject(ctx, draft)
	wantErr(t, err, signedobject.ErrMissingCosigner)

	f.clock.Advance(time.Minute)
	two := countersign(t, osp, draft)
	if _, err := za.svc.VerifyDraft(ctx, two); err != nil {
		t.Fatalf("draft with two of three signatures: %v", err)
	}
	_, err = f.m[anchorES].svc.VerifyObject(ctx, two)
	wantErr(t, err, signedobject.ErrMissingCosigner)

	// A countersignature alone is no draft: its issuer did not sign it.
	sig, err := za.svc.Countersign(draft)
	if err != nil {
		t.Fatal(err)
	}
	_, err = co.svc.VerifyDraft(ctx, sig)
	wantErr(t, err, signedobject.ErrForgedOrigin)

	f.clock.Advance(time.Minute)
	all := countersign(t, za, two)
	for _, receiver := range []string{anchorES, anchorIT, ospizio} {
		r, err := f.m[receiver].svc.VerifyObject(ctx, all)
		if err != nil {
			t.Fatalf("%s verifies the co-signed version: %v", receiver, err)
		}
		v := r.Verification
		if v.Status != protocol.Verified || !slices.Equal(signerIDs(v), cosigners) || !slices.Equal(r.Signers, cosigners) {
			t.Fatalf("%s: status %s signers %v / %v, want verified by %v in that order", receiver, v.Status, signerIDs(v), r.Signers, cosigners)
		}
		if v.Signers[0].Name != "Associazione Ospizio" || v.Signers[1].Country != "ES" || v.Signers[2].Anchor != anchorIT {
			t.Fatalf("%s: signers = %+v", receiver, v.Signers)
		}
		if v.Signers[1].Kid != za.keys.content().Kid {
			t.Fatalf("zaragoza's kid %q, want %q", v.Signers[1].Kid, za.keys.content().Kid)
		}
	}

	// Countersigning refuses a node not listed and a second signature.
	_, err = f.m[anchorIT].svc.Countersign(draft)
	wantErr(t, err, signedobject.ErrUnknownSigner)
	_, err = osp.svc.Countersign(two)
	wantErr(t, err, signedobject.ErrDuplicateSigner)
}

// A co-signer's key is judged at its own signing time: revoked before it
// countersigns, the version is refused; revoked after, it stays valid where
// it was seen before the revocation, and is refused by a receiver that
// first sees it after (the iat is the co-signer's own word).
func TestCosignerRevocation(t *testing.T) {
	tests := []struct {
		name         string
		revokeFirst  bool
		want         error
		wantAtOrigin error
	}{
		{"revoked before countersigning", true, trustchain.ErrRevoked, trustchain.ErrRevoked},
		{"revoked after countersigning", false, trustchain.ErrRevoked, trustchain.ErrRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newStandardFed(t)
			ctx := t.Context()
			co, za := f.m[comune], f.m[zaragoza]
			draft := co.sign(t, co.object(t, f.clock.Now()), nil, comune, zaragoza)
			if _, err := za.svc.VerifyDraft(ctx, draft); err != nil {
				t.Fatal(err)
			}
			revoke := func() {
				f.clock.Advance(time.Minute)
				if _, err := f.m[anchorES].svc.Revoke(ctx, zaragoza, "mandate ended"); err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(time.Second)
			}
			if tc.revokeFirst {
				revoke()
			}
			f.clock.Advance(time.Minute)
			all := countersign(t, za, draft)
			signedAt := f.clock.Now()
			if !tc.revokeFirst {
				revoke()
			}
			// A receiver that held it since before any revocation keeps it.
			receiver := f.m[ospizio]
			r, err := receiver.svc.Judge(ctx, all, signedAt)
			if tc.revokeFirst {
				wantErr(t, err, trustchain.ErrRevoked)
			} else if err != nil || r.Verification.Status != protocol.Verified {
				t.Fatalf("held since before the revocation: %+v, %v", r, err)
			}
			// A receiver that never saw Zaragoza's chain resolves it now,
			// with the revocation, and first sees the version after it.
			r, err = receiver.svc.VerifyObject(ctx, all)
			wantErr(t, err, errs(tc.want)...)
			if err == nil && (r.Verification.Status != protocol.Verified || !slices.Equal(signerIDs(r.Verification), []string{comune, zaragoza})) {
				t.Fatalf("verification = %+v", r.Verification)
			}
			// The origin gathering signatures judges the same way.
			_, err = co.svc.VerifyDraft(ctx, all)
			wantErr(t, err, errs(tc.wantAtOrigin)...)
		})
	}
}

func errs(err error) []error {
	if err == nil {
		return nil
	}
	return []error{err}
}
