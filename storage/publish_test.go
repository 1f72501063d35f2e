package storage

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestPublishFansOutToAcceptedFollowersOncePerSharedInbox(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	a := peer("127.0.0.3:8080", "a", true, FollowAccepted)
	b := peer("127.0.0.3:8080", "b", true, FollowAccepted) // same shared inbox as a
	c := peer("127.0.0.4:8080", "c", false, FollowAccepted)
	d := peer("127.0.0.5:8080", "d", false, FollowPending)
	e := peer("127.0.0.6:8080", "e", true, FollowRejected)
	mustPutFollower(t, s, a, b, c, d, e)
	shared3 := "http://127.0.0.3:8080/inbox"

	steps := []struct {
		name   string
		change func(t *testing.T)
		want   []string // inboxes of the next publish
	}{
		{"initial graph", func(*testing.T) {}, []string{shared3, c.Inbox}},
		{"a pending follower is accepted", func(t *testing.T) {
			d.State = FollowAccepted
			mustPutFollower(t, s, d)
		}, []string{shared3, c.Inbox, d.Inbox}},
		{"one of two followers behind a shared inbox leaves", func(t *testing.T) {
			if err := s.Follows().DeleteFollower(ctx, a.Actor); err != nil {
				t.Fatal(err)
			}
		}, []string{shared3, c.Inbox, d.Inbox}},
		{"the other is rejected after the fact", func(t *testing.T) {
			b.State = FollowRejected
			mustPutFollower(t, s, b)
		}, []string{c.Inbox, d.Inbox}},
		{"a follower gains a shared inbox", func(t *testing.T) {
			c.SharedInbox = "http://127.0.0.4:8080/inbox"
			mustPutFollower(t, s, c)
		}, []string{"http://127.0.0.4:8080/inbox", d.Inbox}},
		{"nobody accepted", func(t *testing.T) {
			for _, x := range []*Follow{&c, &d} {
				x.State = FollowPending
				mustPutFollower(t, s, *x)
			}
		}, nil},
	}
	for i, st := range steps {
		st.change(t)
		before := allDue(t, s)
		op := publishOp(t, f, "p-"+strconv.Itoa(i))
		mustApply(t, s, op)
		after := allDue(t, s)
		got := inboxesOf(after, op.Publish.IRI)
		want := slices.Sorted(slices.Values(st.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: deliveries to %v, want %v", st.name, got, want)
		}
		if len(after) != len(before)+len(want) {
			t.Errorf("%s: %d deliveries after, %d before, want %d more", st.name, len(after), len(before), len(want))
		}
		for _, dl := range after {
			if dl.ActivityIRI != op.Publish.IRI {
				continue
			}
			if h, _ := hostOf(dl.Inbox); dl.Host != h || dl.Attempts != 0 || !dl.NextAttempt.Equal(dl.Created) || dl.Dead {
				t.Errorf("%s: new delivery %+v", st.name, dl)
			}
		}
		mustVerify(t, s)
	}
	if _, total, _ := mustOutbox(t, s, "", 1); total != len(steps) {
		t.Errorf("outbox total %d, want %d", total, len(steps))
	}
}

func mustOutbox(t testing.TB, s *Store, before string, limit int) ([]Activity, int, string) {
	t.Helper()
	items, next, total, err := s.Outbox(context.Background(), before, limit)
	if err != nil {
		t.Fatalf("outbox(%q, %d): %v", before, limit, err)
	}
	return items, total, next
}

func TestPublishIsAtomicWithItsVersion(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	mustPutFollower(t, s, peer("127.0.0.3:8080", "a", true, FollowAccepted))
	existing := publishOp(t, f, "existing")
	mustApply(t, s, existing)

	cases := []struct {
		name string
		ops  func(t *testing.T) []WriteOp
		want error
	}{
		{"the version conflicts", func(t *testing.T) []WriteOp {
			op := publishOp(t, f, "conflict")
			op.ExpectVersion, op.Object.Version = 4, 5
			return []WriteOp{op}
		}, ErrConflict},
		{"a later op of the call fails", func(t *testing.T) []WriteOp {
			bad := publishOp(t, f, "second")
			bad.Object.Key = "not-the-body-key"
			return []WriteOp{publishOp(t, f, "first"), bad}
		}, ErrInvalidObject},
		{"a later op conflicts in the committer", func(t *testing.T) []WriteOp {
			dup := existing
			dup.Publish = nil // creates an IRI that exists
			return []WriteOp{publishOp(t, f, "first-again"), dup}
		}, ErrConflict},
		{"the activity id is taken", func(t *testing.T) []WriteOp {
			op := publishOp(t, f, "taken")
			op.Publish.IRI = existing.Publish.IRI
			return []WriteOp{op}
		}, ErrConflict},
		{"two ops announce with one activity id", func(t *testing.T) []WriteOp {
			a, b := publishOp(t, f, "twin-a"), publishOp(t, f, "twin-b")
			b.Publish.IRI = a.Publish.IRI
			return []WriteOp{a, b}
		}, ErrConflict},
		{"the activity is not JSON", func(t *testing.T) []WriteOp {
			op := publishOp(t, f, "json")
			op.Publish.Body = []byte("{not json")
			return []WriteOp{op}
		}, ErrInvalidObject},
		{"the activity announces another object", func(t *testing.T) []WriteOp {
			op := publishOp(t, f, "other")
			op.Publish.ObjectIRI = localURIs.Object("01HZZZZZZZZZZZZZZZZZZZZZZZ")
			return []WriteOp{op}
		}, ErrInvalidObject},
		{"the activity has no type", func(t *testing.T) []WriteOp {
			op := publishOp(t, f, "untyped")
			op.Publish.Type = ""
			return []WriteOp{op}
		}, ErrInvalidObject},
		{"the activity's actor is not a URL", func(t *testing.T) []WriteOp {
			op := publishOp(t, f, "actorless")
			op.Publish.Actor = "acct:node@127.0.0.1"
			return []WriteOp{op}
		}, ErrInvalidObject},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dueBefore := allDue(t, s)
			_, totalBefore, _ := mustOutbox(t, s, "", 1)
			ops := c.ops(t)
			if _, err := s.Apply(ctx, ops...); !errors.Is(err, c.want) {
				t.Fatalf("Apply = %v, want %v", err, c.want)
			}
			if due := allDue(t, s); len(due) != len(dueBefore) {
				t.Errorf("a failed publish queued deliveries: %s", describe(due))
			}
			if _, total, _ := mustOutbox(t, s, "", 1); total != totalBefore {
				t.Errorf("outbox total %d, was %d", total, totalBefore)
			}
			for _, op := range ops {
				if op.Publish != nil && op.Publish.IRI != existing.Publish.IRI {
					if _, err := s.ActivityByIRI(ctx, op.Publish.IRI); !errors.Is(err, ErrNotFound) {
						t.Errorf("activity %s stored: %v", op.Publish.IRI, err)
					}
				}
				if op.Object.IRI != existing.Object.IRI {
					if _, err := s.Get(ctx, op.Object.IRI); !errors.Is(err, ErrNotFound) {
						t.Errorf("object %s stored: %v", op.Object.IRI, err)
					}
				}
			}
			mustVerify(t, s)
		})
	}
	// The stored activity is the one given, with its defaults filled in.
	got, err := s.ActivityByIRI(ctx, existing.Publish.IRI)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Body, existing.Publish.Body) || got.ObjectIRI != existing.Object.IRI ||
		!got.Published.Equal(existing.Object.Updated) || got.Type != "Create" || got.Actor != localURIs.Actor() {
		t.Errorf("stored activity %+v", got)
	}
}

func TestOutboxPagesNewestFirstWithStableCursors(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	var published []string // in publish order
	publish := func(n int) {
		for i := range n {
			op := publishOp(t, f, "o"+strconv.Itoa(len(published))+"-"+strconv.Itoa(i))
			mustApply(t, s, op)
			published = append(published, op.Publish.IRI)
		}
	}
	publish(25)
	first, total, next := mustOutbox(t, s, "", 10)
	if total != 25 || len(first) != 10 || next == "" {
		t.Fatalf("first page: %d items, total %d, next %q", len(first), total, next)
	}
	publish(5) // newer activities must not shift the pages after a cursor
	var walked []string
	for _, a := range first {
		walked = append(walked, a.IRI)
	}
	pages := 1
	for next != "" {
		var items []Activity
		items, total, next = mustOutbox(t, s, next, 10)
		if total != 30 {
			t.Fatalf("total %d, want 30", total)
		}
		for _, a := range items {
			walked = append(walked, a.IRI)
		}
		pages++
	}
	want := slices.Clone(published[:25])
	slices.Reverse(want)
	if !slices.Equal(walked, want) || pages != 3 {
		t.Errorf("walked %d items in %d pages, want the first 25 newest first in 3", len(walked), pages)
	}
	newest, _, _ := mustOutbox(t, s, "", 0)
	if len(newest) != DefaultOutboxLimit || newest[0].IRI != published[29] {
		t.Errorf("default page: %d items, first %s", len(newest), newest[0].IRI)
	}

	for _, c := range []struct {
		before string
		limit  int
		ok     bool
		n      int
	}{
		{"1", 10, true, 0},    // below the first position: an empty page
		{"2", 10, true, 1},    // just the first activity
		{"999", 5, true, 5},   // past the end: from the newest
		{"", 5000, true, 30},  // capped, everything fits
		{"", -1, false, 0},    // negative limit
		{"0", 10, false, 0},   // positions start at 1
		{"01", 10, false, 0},  // not canonical
		{"+3", 10, false, 0},  // not canonical
		{"abc", 10, false, 0}, // not a number
		{"-5", 10, false, 0},  // not a position
		{"1e3", 10, false, 0}, // not a position
		{" 12", 10, false, 0}, // not canonical
		{"99999999999999999999999", 10, false, 0},
	} {
		items, next, _, err := s.Outbox(context.Background(), c.before, c.limit)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidQuery)) {
			t.Errorf("Outbox(%q, %d) = %v", c.before, c.limit, err)
			continue
		}
		if c.ok && (len(items) != c.n || (c.n < c.limit && next != "")) {
			t.Errorf("Outbox(%q, %d): %d items, next %q; want %d", c.before, c.limit, len(items), next, c.n)
		}
	}
	if _, err := s.ActivityByIRI(context.Background(), localURIs.Activity("nope")); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown activity: %v", err)
	}
}

// A Delete (a tombstone version) is announced like any other version.
func TestPublishDeleteAnnouncesTombstone(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	mustPutFollower(t, s, peer("127.0.0.3:8080", "a", false, FollowAccepted))
	create := publishOp(t, f, "doomed")
	mustApply(t, s, create)
	del := next(t, create.Object, nil)
	iri := localURIs.Activity("delete-" + create.Object.ID)
	del.Publish = &Activity{IRI: iri, Type: "Delete", Actor: localURIs.Actor(), Body: activityJSON(t, iri, "Delete", localURIs.Actor(), create.Object.IRI)}
	mustApply(t, s, del)
	items, total, _ := mustOutbox(t, s, "", 10)
	if total != 2 || items[0].Type != "Delete" || items[1].Type != "Create" {
		t.Fatalf("outbox %+v (total %d)", items, total)
	}
	got, err := s.Get(ctx, create.Object.IRI)
	if err != nil || !got.Deleted {
		t.Fatalf("Get = %+v, %v", got.Meta, err)
	}
	if n := len(inboxesOf(allDue(t, s), iri)); n != 1 {
		t.Errorf("the Delete has %d deliveries", n)
	}
	counts, _ := s.Counts(ctx)
	if counts[protocol.KindProblemProfile] != 0 {
		t.Errorf("counts %v", counts)
	}
	mustVerify(t, s)
}

// TestOutboxPageByteBudget checks that a byte budget ends a page early, that
// walking with the cursors still sees every activity once, and that a page
// always holds at least one activity.
func TestOutboxPageByteBudget(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	var published []string
	for i := range 12 {
		op := publishOp(t, f, "b"+strconv.Itoa(i))
		mustApply(t, s, op)
		published = append(published, op.Publish.IRI)
	}
	items, _, _, err := s.Outbox(context.Background(), "", 1)
	if err != nil {
		t.Fatal(err)
	}
	size := len(items[0].Body)
	var walked []string
	next, pages := "", 0
	for {
		page, n, _, err := s.OutboxPage(context.Background(), next, 100, 3*size+size/2) // room for three
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 || len(page) > 3 {
			t.Fatalf("a page of %d activities under a budget of three", len(page))
		}
		for _, a := range page {
			walked = append(walked, a.IRI)
		}
		pages++
		if next = n; next == "" {
			break
		}
	}
	want := slices.Clone(published)
	slices.Reverse(want)
	if !slices.Equal(walked, want) || pages != 4 {
		t.Fatalf("walked %d activities in %d pages, want all 12 newest first in 4", len(walked), pages)
	}
	one, _, _, err := s.OutboxPage(context.Background(), "", 100, 1)
	if err != nil || len(one) != 1 {
		t.Fatalf("a budget smaller than one activity gave %d activities (%v), want 1", len(one), err)
	}
}
