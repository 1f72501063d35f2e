package storage

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestApplyInboundAppliesEachActivityOnce(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	var ids protocol.ULIDSource
	id := ids.New(testEpoch)
	op := remoteOp(t, id, 1, protocol.KindProblemProfile, profile("remote-once"))
	activity := remoteURIs.Activity("create-" + id)

	var applied, notApplied atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 64 {
		wg.Go(func() {
			<-start
			ok, err := s.ApplyInbound(ctx, activity, op)
			switch {
			case err != nil:
				t.Errorf("ApplyInbound: %v", err)
			case ok:
				applied.Add(1)
			default:
				notApplied.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if applied.Load() != 1 || notApplied.Load() != 63 {
		t.Fatalf("applied %d times, skipped %d times; want 1 and 63", applied.Load(), notApplied.Load())
	}
	if seen, err := s.SeenActivity(ctx, activity); err != nil || !seen {
		t.Errorf("SeenActivity = %v, %v", seen, err)
	}
	if vs, err := s.Versions(ctx, op.Object.IRI); err != nil || len(vs) != 1 {
		t.Errorf("versions %+v, %v", vs, err)
	}
	// The same version relayed under another activity id is stale, not an error
	// of the store, and records nothing.
	relayed := remoteURIs.Activity("relay-" + id)
	ok, err := s.ApplyInbound(ctx, relayed, op)
	var se *StaleError
	if ok || !errors.As(err, &se) || !errors.Is(err, ErrStale) || se.Have != 1 || se.Got != 1 || se.IRI != op.Object.IRI {
		t.Errorf("relayed copy: applied=%v, %v", ok, err)
	}
	if seen, _ := s.SeenActivity(ctx, relayed); seen {
		t.Error("a refused activity was recorded as seen")
	}
	// Activities that change no object are recorded too (Follow, Accept).
	follow := remoteURIs.Activity("follow-1")
	for i, want := range []bool{true, false} {
		if ok, err := s.ApplyInbound(ctx, follow); err != nil || ok != want {
			t.Errorf("follow delivery %d: applied=%v, %v", i, ok, err)
		}
	}
	for _, bad := range []string{"", "urn:uuid:1", "http://127.0.0.2/a b"} {
		if _, err := s.ApplyInbound(ctx, bad); !errors.Is(err, ErrInvalidObject) {
			t.Errorf("activity id %q: %v", bad, err)
		}
	}
	mustVerify(t, s)
}

func TestRemoteVersionsNeverGoBack(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now})
	var ids protocol.ULIDSource
	id, early := ids.New(testEpoch), ids.New(testEpoch)
	kind := protocol.KindProblemProfile
	n := 0
	inbound := func(ops ...WriteOp) error {
		n++
		_, err := s.ApplyInbound(ctx, remoteURIs.Activity("a"+string(rune('a'+n))), ops...)
		return err
	}
	steps := []struct {
		name     string
		op       func() WriteOp
		want     error
		current  uint64 // the stored current version after the step
		body     string // the current key after the step ("" : a tombstone)
		versions []uint64
	}{
		{"create", func() WriteOp { return remoteOp(t, id, 1, kind, profile("v1")) }, nil, 1, "v1", []uint64{1}},
		{"a gap is fine", func() WriteOp { return remoteOp(t, id, 3, kind, profile("v3")) }, nil, 3, "v3", []uint64{1, 3}},
		{"an older version", func() WriteOp { return remoteOp(t, id, 2, kind, profile("v2")) }, ErrStale, 3, "v3", []uint64{1, 3}},
		{"the same version again, changed", func() WriteOp { return remoteOp(t, id, 3, kind, profile("v3-evil")) }, ErrStale, 3, "v3", []uint64{1, 3}},
		{"the origin cannot change", func() WriteOp {
			op := remoteOp(t, id, 4, kind, profile("v4"))
			op.Object.Origin = "http://127.0.0.3:8080"
			return op
		}, ErrInvalidObject, 3, "v3", []uint64{1, 3}},
		{"no provenance", func() WriteOp {
			op := remoteOp(t, id, 4, kind, profile("v4"))
			op.Object.Actor = ""
			return op
		}, ErrInvalidObject, 3, "v3", []uint64{1, 3}},
		{"version 0", func() WriteOp { return remoteOp(t, id, 0, kind, profile("v0")) }, ErrInvalidObject, 3, "v3", []uint64{1, 3}},
		{"delete leaves a tombstone", func() WriteOp { return remoteOp(t, id, 5, kind, nil) }, nil, 5, "", []uint64{1, 3, 5}},
		{"an older update after the delete", func() WriteOp { return remoteOp(t, id, 4, kind, profile("v4")) }, ErrStale, 5, "", []uint64{1, 3, 5}},
		{"a newer update after the delete", func() WriteOp { return remoteOp(t, id, 6, kind, profile("v6")) }, ErrGone, 5, "", []uint64{1, 3, 5}},
	}
	for _, st := range steps {
		err := inbound(st.op())
		if !errors.Is(err, st.want) || (err == nil) != (st.want == nil) {
			t.Fatalf("%s: %v, want %v", st.name, err, st.want)
		}
		cur, err := s.Get(ctx, remoteURIs.Object(id))
		if err != nil || cur.Version != st.current || cur.Deleted != (st.body == "") || cur.Key != st.body {
			t.Fatalf("%s: current %+v, %v", st.name, cur.Meta, err)
		}
		var vs []uint64
		ms, _ := s.Versions(ctx, cur.IRI)
		for _, m := range ms {
			vs = append(vs, m.Version)
		}
		if !slices.Equal(vs, st.versions) {
			t.Errorf("%s: versions %v, want %v", st.name, vs, st.versions)
		}
		mustVerify(t, s)
		clk.Add(time.Second)
	}

	// A Delete seen before its Create keeps the late Create out.
	if err := inbound(remoteOp(t, early, 2, kind, nil)); err != nil {
		t.Fatal(err)
	}
	if err := inbound(remoteOp(t, early, 1, kind, profile("late"))); !errors.Is(err, ErrStale) {
		t.Errorf("a Create after its Delete: %v", err)
	}
	mustVerify(t, s)
}

func TestRemoteObjectsCarryProvenanceAndAreListed(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now})
	f := newFixture()
	mustApply(t, s, create(f.object(t, profile("local"))))
	var ids protocol.ULIDSource
	implicit := remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile("remote-a"))
	explicit := remoteOp(t, ids.New(testEpoch), 2, protocol.KindProblemProfile, profile("remote-b"))
	received := testEpoch.Add(-time.Hour).In(time.FixedZone("CET", 3600))
	explicit.Object.Received = received
	if ok, err := s.ApplyInbound(ctx, remoteURIs.Activity("x1"), implicit, explicit); err != nil || !ok {
		t.Fatal(ok, err)
	}
	for _, c := range []struct {
		op   WriteOp
		want time.Time
	}{{implicit, clk.Now()}, {explicit, received}} {
		got, err := s.Get(ctx, c.op.Object.IRI)
		if err != nil || got.Actor != remoteURIs.Actor() || !got.Received.Equal(c.want) || got.Origin != remoteOrigin {
			t.Errorf("provenance of %s: %+v, %v", c.op.Object.IRI, got.Meta, err)
		}
		if got.Received.Location() != time.UTC {
			t.Errorf("received time not in UTC: %v", got.Received)
		}
	}
	local, _, _ := s.List(ctx, ListOptions{Filters: map[string][]string{"origin": {testOrigin}}})
	remote, _, _ := s.List(ctx, ListOptions{Filters: map[string][]string{"origin": {remoteOrigin}}})
	if len(local) != 1 || len(remote) != 2 || !local[0].Received.IsZero() || local[0].Actor != "" {
		t.Errorf("list by origin: %d local, %d remote", len(local), len(remote))
	}
	if counts, _ := s.Counts(ctx); counts[protocol.KindProblemProfile] != 3 {
		t.Errorf("counts %v", counts)
	}
	mustVerify(t, s)
}

// Verify tolerates gaps only in remote objects: a local object with a
// missing version is still reported.
func TestVerifyReportsLocalVersionGaps(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	o := f.object(t, profile("g"))
	v2 := next(t, o, profile("g2"))
	mustApply(t, s, create(o), v2, next(t, v2.Object, profile("g3")))
	mustVerify(t, s)
	if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bVersions).Delete(versionKey(o.IRI, 2)) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(context.Background()); err == nil {
		t.Fatal("Verify accepted a local object with a missing version")
	}
}

func TestInboxIDsArePrunedAfterRetention(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now, InboxRetention: 30 * 24 * time.Hour})
	a1, a2, a3 := remoteURIs.Activity("p1"), remoteURIs.Activity("p2"), remoteURIs.Activity("p3")
	steps := []struct {
		advance time.Duration
		apply   string
		seen    map[string]bool // after the step
	}{
		{0, a1, map[string]bool{a1: true}},
		{10 * 24 * time.Hour, a2, map[string]bool{a1: true, a2: true}},
		{21 * 24 * time.Hour, a3, map[string]bool{a1: false, a2: true, a3: true}}, // a1 is 31 days old
		{0, a1, map[string]bool{a1: true, a2: true, a3: true}},                    // forgotten, so accepted again
		{25 * 24 * time.Hour, a3, map[string]bool{a1: true, a2: false, a3: true}}, // a3 is 25 days old: a duplicate
	}
	for i, st := range steps {
		clk.Add(st.advance)
		if _, err := s.ApplyInbound(ctx, st.apply); err != nil {
			t.Fatal(err)
		}
		for iri, want := range st.seen {
			if got, _ := s.SeenActivity(ctx, iri); got != want {
				t.Errorf("step %d: seen %s = %v, want %v", i, iri, got, want)
			}
		}
		mustVerify(t, s)
	}
}

func TestPruneInboxIsBounded(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now})
	for i := range 5 {
		if _, err := s.ApplyInbound(ctx, remoteURIs.Activity("b"+string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := nanos(clk.Now().Add(time.Nanosecond))
	var got []int
	for range 4 {
		err := s.db.Update(func(tx *bbolt.Tx) error {
			n, err := pruneInbox(tx, cutoff, 2)
			got = append(got, n)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, []int{2, 2, 1, 0}) {
		t.Errorf("pruned %v per call, want [2 2 1 0]", got)
	}
	mustVerify(t, s)
}

// A remote object takes its id and natural key only when free: a peer that
// claims another node's ids first (or a stale copy holding a key) cannot
// make the store refuse the real objects.
func TestRemoteObjectsDoNotBlockOnIDsOrKeys(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	kind := protocol.KindProblemProfile
	local := f.object(t, profile("mine"))
	mustApply(t, s, create(local))
	squatter := protocol.NewURIs("http://127.0.0.3:8080")
	var ids protocol.ULIDSource
	stolen := ids.New(testEpoch)
	n := 0
	inbound := func(op WriteOp) error {
		n++
		_, err := s.ApplyInbound(ctx, remoteURIs.Activity("k"+string(rune('a'+n))), op)
		return err
	}
	// The squatter sends an object under the id the real origin will use.
	sq := remoteOp(t, stolen, 1, kind, profile("squat"))
	sq.Object.IRI, sq.Object.Origin, sq.Object.Actor = squatter.Object(stolen), squatter.Base(), squatter.Actor()
	real := remoteOp(t, stolen, 1, kind, profile("k"))
	sameAsLocal := remoteOp(t, local.ID, 1, kind, profile("k2"))
	steps := []struct {
		name string
		op   WriteOp
	}{
		{"the squatter's copy", sq},
		{"the real object under the same id", real},
		{"a remote object with a local object's id", sameAsLocal},
		{"a second live object of the origin with key k (a missed delete)", remoteOp(t, ids.New(testEpoch), 1, kind, profile("k"))},
		{"the holder of key k is deleted", remoteOp(t, stolen, 2, kind, nil)},
	}
	for _, st := range steps {
		if err := inbound(st.op); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got, err := s.Get(ctx, st.op.Object.IRI); err != nil || got.Version != st.op.Object.Version {
			t.Errorf("%s: stored %+v, %v", st.name, got.Meta, err)
		}
		mustVerify(t, s)
	}
	if o, err := s.GetByID(ctx, local.ID); err != nil || o.IRI != local.IRI {
		t.Errorf("the local object lost its id: %s, %v", o.IRI, err)
	}
	if o, err := s.GetByID(ctx, stolen); err != nil || o.IRI != sq.Object.IRI {
		t.Errorf("GetByID(stolen) = %s, %v (the first claim keeps it)", o.IRI, err)
	}
	// The key of the deleted holder is free: the other live object takes it
	// with its next version.
	second := steps[3].op
	if _, err := s.LookupKey(ctx, remoteOrigin, kind, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("key k after its holder's delete: %v", err)
	}
	upd := remoteOp(t, second.Object.ID, 2, kind, profile("k"))
	if err := inbound(upd); err != nil {
		t.Fatal(err)
	}
	if iri, err := s.LookupKey(ctx, remoteOrigin, kind, "k"); err != nil || iri != second.Object.IRI {
		t.Errorf("key k = %s, %v", iri, err)
	}
	// Local objects must still own their id and key.
	clash := f.object(t, profile("mine"))
	if _, err := s.Apply(ctx, create(clash)); !errors.Is(err, ErrKeyExists) {
		t.Errorf("a local key clash: %v", err)
	}
	clash = f.object(t, profile("other"))
	clash.ID, clash.IRI = stolen, localURIs.Object(stolen)
	if _, err := s.Apply(ctx, create(clash)); !errors.Is(err, ErrConflict) {
		t.Errorf("a local id clash: %v", err)
	}
	mustVerify(t, s)
}
