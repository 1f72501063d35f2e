package trust

import (
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// The constraints the anchor sets on the municipality bind what the
// municipality vouches for: its naming constraints and its path length.
func TestIntermediateConstraints(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	// Outside .re.example: the municipality enrols it, but no chain holds.
	intruder := f.add(spec{id: "https://intruso.example", role: RoleLeaf, hints: []string{comune}})
	f.enrol(comune, Enrolment{EntityID: intruder.id, Name: "Intruso", Country: "IT", OrgKind: "for_profit"})
	// Look-alike host: evilre.example is not under .re.example.
	lookalike := f.add(spec{id: "https://evilre.example", role: RoleLeaf, hints: []string{comune}})
	f.enrol(comune, Enrolment{EntityID: lookalike.id, Name: "Evil", Country: "IT", OrgKind: "for_profit"})
	// A second intermediate below the municipality (max_path_length 1
	// allows none).
	sub := f.add(spec{id: "https://quartiere.re.example", role: RoleIntermediate, hints: []string{comune}})
	f.enrol(comune, Enrolment{EntityID: sub.id, Name: "Quartiere", Country: "IT", OrgKind: "non_profit", Role: RoleIntermediate})
	deep := f.add(spec{id: "https://gruppo.quartiere.re.example", role: RoleLeaf, hints: []string{sub.id}})
	f.enrol(sub.id, Enrolment{EntityID: deep.id, Name: "Gruppo", Country: "IT", OrgKind: "citizen_group"})

	tests := []struct {
		m    *member
		want []error
	}{
		{intruder, []error{trustchain.ErrConstraint, entity.ErrNamingConstraint}},
		{lookalike, []error{trustchain.ErrConstraint, entity.ErrNamingConstraint}},
		{sub, nil}, // one intermediate below the anchor's: allowed
		{deep, []error{trustchain.ErrConstraint}},
	}
	for _, tc := range tests {
		t.Run(tc.m.id, func(t *testing.T) {
			_, err := tc.m.svc.SelfStatus(ctx)
			wantErr(t, err, tc.want...)
			_, err = f.m[zaragoza].svc.VerifyObject(ctx, tc.m.sign(t, tc.m.object(t, f.clock.Now()), nil))
			if tc.want != nil {
				wantErr(t, err, append([]error{ErrUnverified}, tc.want...)...)
			} else {
				wantErr(t, err)
			}
		})
	}
}

// Revoking an intermediate revokes the chains of everything below it from
// that moment; what they signed before stays valid where it was held since
// before the revocation.
func TestRevokedIntermediate(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	o := f.m[ospizio]
	seen := f.clock.Now()
	before := o.sign(t, o.object(t, f.clock.Now()), nil)
	f.clock.Advance(time.Minute)
	if _, err := f.m[anchorIT].svc.Revoke(ctx, comune, "commissariato"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	after := o.sign(t, o.object(t, f.clock.Now()), nil)
	receiver := f.m[zaragoza]
	r, err := receiver.svc.Judge(ctx, before, seen)
	if err != nil || r.Verification.Status != protocol.Verified {
		t.Fatalf("signed before the revocation: %+v, %v", r, err)
	}
	_, err = receiver.svc.VerifyObject(ctx, before)
	wantErr(t, err, trustchain.ErrRevoked) // first seen after it
	_, err = receiver.svc.VerifyObject(ctx, after)
	wantErr(t, err, trustchain.ErrRevoked)
}
