package storage

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDueDeliveriesOrderAndSkipHosts(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now})
	h3, h4, h5 := "http://127.0.0.3:8080", "http://127.0.0.4:8080", "http://127.0.0.5"
	t0 := clk.Now()
	mustEnqueue(t, s, sendActivity(t, "a1", "Follow"), h3+"/inbox", h4+"/inbox")     // due t0
	clk.Add(time.Second)                                                             // t0+1s
	mustEnqueue(t, s, sendActivity(t, "a2", "Accept"), h5+"/inbox", h3+"/u/x/inbox") // due t0+1s
	clk.Add(time.Second)                                                             // t0+2s
	mustEnqueue(t, s, sendActivity(t, "a3", "Undo"), h4+"/inbox")                    // due t0+2s
	// Push the first delivery to h3 back by a minute.
	ds := allDue(t, s)
	if len(ds) != 5 {
		t.Fatalf("%d deliveries: %s", len(ds), describe(ds))
	}
	if err := s.Queue().DeliveryRetry(ctx, ds[0].ID, t0.Add(time.Minute), 503, "service unavailable"); err != nil {
		t.Fatal(err)
	}
	type due struct{ activity, host string }
	cases := []struct {
		name  string
		now   time.Time
		limit int
		skip  map[string]bool
		want  []due
	}{
		{"nothing is due before t0", t0.Add(-time.Nanosecond), 0, nil, nil},
		{"due at t0", t0, 0, nil, []due{{"a1", "127.0.0.4:8080"}}},
		{"earliest first, ties in creation order", t0.Add(2 * time.Second), 0, nil, []due{
			{"a1", "127.0.0.4:8080"}, {"a2", "127.0.0.3:8080"}, {"a2", "127.0.0.5:80"}, {"a3", "127.0.0.4:8080"}}},
		{"the rescheduled one comes last", t0.Add(time.Hour), 0, nil, []due{
			{"a1", "127.0.0.4:8080"}, {"a2", "127.0.0.3:8080"}, {"a2", "127.0.0.5:80"}, {"a3", "127.0.0.4:8080"}, {"a1", "127.0.0.3:8080"}}},
		{"limit", t0.Add(time.Hour), 2, nil, []due{{"a1", "127.0.0.4:8080"}, {"a2", "127.0.0.3:8080"}}},
		{"paused hosts are skipped", t0.Add(time.Hour), 0, map[string]bool{"127.0.0.4:8080": true, "127.0.0.3:8080": true},
			[]due{{"a2", "127.0.0.5:80"}}},
		{"skipping fills the limit from later entries", t0.Add(time.Hour), 1, map[string]bool{"127.0.0.4:8080": true},
			[]due{{"a2", "127.0.0.3:8080"}}},
	}
	for _, c := range cases {
		got, err := s.Queue().DueDeliveries(ctx, c.now, c.limit, c.skip)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var g []due
		for _, d := range got {
			g = append(g, due{strings.TrimPrefix(d.ActivityIRI, localURIs.Activity("")), d.Host})
			if d.NextAttempt.After(c.now) {
				t.Errorf("%s: %s is due at %v, after %v", c.name, d.ID, d.NextAttempt, c.now)
			}
		}
		if !reflect.DeepEqual(g, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, g, c.want)
		}
	}
	if _, err := s.Queue().DueDeliveries(ctx, t0, -1, nil); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("negative limit: %v", err)
	}
	mustVerify(t, s)
}

func TestDeliveryLifecycle(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now})
	const host = "127.0.0.3:8080"
	inbox := "http://" + host + "/inbox"
	mustEnqueue(t, s, sendActivity(t, "life", "Follow"), inbox)
	id := allDue(t, s)[0].ID
	created := clk.Now()

	var dead Delivery
	steps := []struct {
		name  string
		do    func() error
		want  error
		check func(t *testing.T)
	}{
		{"retry", func() error {
			return s.Queue().DeliveryRetry(ctx, id, created.Add(time.Minute), 503, "upstream \x00 says\xff no")
		}, nil, func(t *testing.T) {
			d, err := s.Queue().Delivery(ctx, id)
			if err != nil || d.Attempts != 1 || d.LastStatus != 503 || !d.NextAttempt.Equal(created.Add(time.Minute)) ||
				d.LastError != "upstream \x00 says\uFFFD no" || !d.Created.Equal(created) {
				t.Errorf("after retry: %+v, %v", d, err)
			}
			if due, _ := s.Queue().DueDeliveries(ctx, created.Add(time.Second), 0, nil); len(due) != 0 {
				t.Errorf("a rescheduled delivery is due early")
			}
			h := hostStats(t, s)[host]
			if h.Pending != 1 || h.LastStatus != 503 || !h.LastFailure.Equal(created) || !h.Oldest.Equal(created) {
				t.Errorf("host after retry: %+v", h)
			}
		}},
		{"a second retry with a huge error text", func() error {
			clk.Add(time.Minute)
			return s.Queue().DeliveryRetry(ctx, id, created.Add(5*time.Minute), 0, strings.Repeat("é", 4000))
		}, nil, func(t *testing.T) {
			d, _ := s.Queue().Delivery(ctx, id)
			if d.Attempts != 2 || d.LastStatus != 0 || len(d.LastError) > maxErrorText || !strings.HasPrefix(d.LastError, "éé") {
				t.Errorf("after the second retry: attempts %d status %d error %d bytes", d.Attempts, d.LastStatus, len(d.LastError))
			}
		}},
		{"a bad status", func() error { return s.Queue().DeliveryRetry(ctx, id, created, 1000, "") }, ErrInvalidQuery, nil},
		{"dead", func() error { return s.Queue().DeliveryDead(ctx, id, "gave up after 48h") }, nil, func(t *testing.T) {
			if len(allDue(t, s)) != 0 {
				t.Error("a dead delivery is still queued")
			}
			ls, next, err := s.Queue().DeadLetters(ctx, "", 0)
			if err != nil || len(ls) != 1 || next != "" || ls[0].ID != id || !ls[0].Dead || ls[0].DeadReason != "gave up after 48h" || ls[0].Attempts != 2 {
				t.Fatalf("dead letters %+v, %q, %v", ls, next, err)
			}
			dead = ls[0]
			h := hostStats(t, s)[host]
			if h.Pending != 0 || h.Dead != 1 || !h.Oldest.IsZero() {
				t.Errorf("host after dead: %+v", h)
			}
		}},
		{"done on a dead letter", func() error { return s.Queue().DeliveryDone(ctx, id) }, ErrNotFound, nil},
		{"retry on a dead letter", func() error { return s.Queue().DeliveryRetry(ctx, id, created, 500, "") }, ErrNotFound, nil},
		{"replay", func() error { return s.Queue().Replay(ctx, id, clk.Now()) }, nil, func(t *testing.T) {
			ds := allDue(t, s)
			if len(ds) != 1 || ds[0].ID == id || ds[0].Attempts != 0 || ds[0].Dead || ds[0].DeadReason != "" ||
				!ds[0].Created.Equal(clk.Now()) || !ds[0].NextAttempt.Equal(clk.Now()) || ds[0].Inbox != dead.Inbox ||
				ds[0].ActivityIRI != dead.ActivityIRI || ds[0].LastError != dead.LastError {
				t.Fatalf("replayed: %+v (dead letter %+v)", ds, dead)
			}
			if ls, _, _ := s.Queue().DeadLetters(ctx, "", 0); len(ls) != 0 {
				t.Errorf("the dead letter stayed: %+v", ls)
			}
			id = ds[0].ID
		}},
		{"replay of a pending delivery", func() error { return s.Queue().Replay(ctx, id, clk.Now()) }, ErrNotFound, nil},
		{"done", func() error { clk.Add(time.Second); return s.Queue().DeliveryDone(ctx, id) }, nil, func(t *testing.T) {
			if len(allDue(t, s)) != 0 {
				t.Error("a delivered entry is still queued")
			}
			if _, err := s.Queue().Delivery(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Delivery after done: %v", err)
			}
			h := hostStats(t, s)[host]
			if h.Pending != 0 || h.Dead != 0 || !h.LastSuccess.Equal(clk.Now()) || h.LastStatus != 0 {
				t.Errorf("host after done: %+v", h)
			}
		}},
		{"done twice", func() error { return s.Queue().DeliveryDone(ctx, id) }, ErrNotFound, nil},
		{"a malformed id", func() error { return s.Queue().DeliveryDone(ctx, "../etc") }, ErrInvalidQuery, nil},
		{"an unknown id", func() error { return s.Queue().DeliveryDead(ctx, "00000000000000ff", "x") }, ErrNotFound, nil},
		{"delete an unknown dead letter", func() error { return s.Queue().DeleteDead(ctx, "00000000000000ff") }, ErrNotFound, nil},
	}
	for _, st := range steps {
		err := st.do()
		if !errors.Is(err, st.want) || (st.want == nil) != (err == nil) {
			t.Fatalf("%s: %v, want %v", st.name, err, st.want)
		}
		if st.check != nil {
			st.check(t)
		}
		mustVerify(t, s)
	}
}

func TestDropHostAndDeadLetters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	gone, alive := "127.0.0.3:8080", "127.0.0.4:8080"
	for _, name := range []string{"d1", "d2", "d3"} {
		mustEnqueue(t, s, sendActivity(t, name, "Update"), "http://"+gone+"/inbox", "http://"+gone+"/users/x/inbox", "http://"+alive+"/inbox")
	}
	n, err := s.Queue().DropHost(ctx, gone, "410 Gone from the shared inbox")
	if err != nil || n != 6 {
		t.Fatalf("DropHost = %d, %v", n, err)
	}
	for _, d := range allDue(t, s) {
		if d.Host != alive {
			t.Errorf("still queued for the dropped host: %+v", d)
		}
	}
	var all []Delivery
	after := ""
	for pages := 0; ; pages++ {
		ls, next, err := s.Queue().DeadLetters(ctx, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ls...)
		if next == "" {
			if pages != 1 {
				t.Errorf("6 dead letters in %d pages of 4", pages+1)
			}
			break
		}
		after = next
	}
	if len(all) != 6 || !slices.IsSortedFunc(all, func(a, b Delivery) int { return strings.Compare(a.ID, b.ID) }) {
		t.Fatalf("dead letters: %s", describe(all))
	}
	for _, d := range all {
		if d.Host != gone || d.DeadReason != "410 Gone from the shared inbox" || !d.Dead {
			t.Errorf("dead letter %+v", d)
		}
	}
	st := hostStats(t, s)
	if st[gone].Pending != 0 || st[gone].Dead != 6 || st[alive].Pending != 3 || st[alive].Dead != 0 {
		t.Errorf("stats %+v", st)
	}
	if n, err := s.Queue().DropHost(ctx, "127.0.0.9:1", "x"); err != nil || n != 0 {
		t.Errorf("dropping an unknown host: %d, %v", n, err)
	}
	if _, err := s.Queue().DropHost(ctx, "", "x"); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("dropping the empty host: %v", err)
	}
	if err := s.Queue().DeleteDead(ctx, all[0].ID); err != nil {
		t.Fatal(err)
	}
	if st := hostStats(t, s); st[gone].Dead != 5 {
		t.Errorf("dead count after delete: %+v", st[gone])
	}
	for _, bad := range []string{"x", "zzzzzzzzzzzzzzzz"} {
		if _, _, err := s.Queue().DeadLetters(ctx, bad, 1); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
	mustVerify(t, s)
}

func TestEnqueueIsIdempotentPerInbox(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	a := sendActivity(t, "accept-1", "Accept")
	in1, in2 := "http://127.0.0.3:8080/inbox", "http://127.0.0.4:8080/users/y/inbox"
	mustEnqueue(t, s, a, in1, in1, in2) // a duplicate in one call
	mustEnqueue(t, s, a, in2)           // a handler repeating itself after a crash
	if got := inboxesOf(allDue(t, s), a.IRI); !slices.Equal(got, []string{in1, in2}) {
		t.Fatalf("deliveries to %v", got)
	}
	for _, d := range allDue(t, s) {
		if d.Inbox == in1 {
			if err := s.Queue().DeliveryDone(ctx, d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustEnqueue(t, s, a, in1) // sent again on purpose once delivered
	if got := inboxesOf(allDue(t, s), a.IRI); !slices.Equal(got, []string{in1, in2}) {
		t.Fatalf("deliveries to %v after a resend", got)
	}
	if _, _, total, _ := s.Outbox(ctx, "", 1); total != 0 {
		t.Errorf("an enqueued activity is in the outbox (%d)", total)
	}
	got, err := s.ActivityByIRI(ctx, a.IRI)
	if err != nil || string(got.Body) != string(a.Body) || got.Published.IsZero() {
		t.Errorf("ActivityByIRI = %+v, %v", got, err)
	}

	changed := a
	changed.Body = activityJSON(t, a.IRI, "Accept", localURIs.Actor(), "http://127.0.0.9/other")
	for _, c := range []struct {
		name    string
		a       Activity
		inboxes []string
		want    error
	}{
		{"another activity under the same id", changed, []string{in1}, ErrConflict},
		{"no inboxes", a, nil, ErrInvalidObject},
		{"an inbox that is not a URL", a, []string{"inbox"}, ErrInvalidObject},
		{"a non-http inbox", a, []string{"ftp://127.0.0.3/inbox"}, ErrInvalidObject},
		{"an empty body", Activity{IRI: a.IRI, Type: "Accept", Actor: a.Actor}, []string{in1}, ErrInvalidObject},
	} {
		if err := s.Queue().Enqueue(ctx, c.a, c.inboxes); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	mustVerify(t, s)
}

func TestQueueSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	mustPutFollower(t, s, peer("127.0.0.3:8080", "a", true, FollowAccepted), peer("127.0.0.4:8080", "b", false, FollowAccepted))
	for _, k := range []string{"r1", "r2", "r3"} {
		mustApply(t, s, publishOp(t, f, k))
	}
	mustEnqueue(t, s, sendActivity(t, "follow-1", "Follow"), "http://127.0.0.5:8080/inbox")
	ds := allDue(t, s)
	if len(ds) != 7 {
		t.Fatalf("%d deliveries", len(ds))
	}
	if err := s.Queue().DeliveryRetry(ctx, ds[1].ID, testEpoch.Add(time.Hour), 429, "slow down"); err != nil {
		t.Fatal(err)
	}
	if err := s.Queue().DeliveryDead(ctx, ds[2].ID, "410"); err != nil {
		t.Fatal(err)
	}
	if err := s.Queue().DeliveryDone(ctx, ds[3].ID); err != nil {
		t.Fatal(err)
	}
	type state struct { // exported fields: normalise sets them by reflection
		Due    []Delivery
		Dead   []Delivery
		Stats  map[string]HostQueue
		Outbox []Activity
		Fols   []Follow
	}
	snapshot := func(s *Store) state {
		var st state
		st.Due = allDue(t, s)
		st.Dead, _, _ = s.Queue().DeadLetters(ctx, "", 0)
		st.Stats = hostStats(t, s)
		st.Outbox, _, _, _ = s.Outbox(ctx, "", 0)
		st.Fols, _, _, _ = s.Follows().Followers(ctx, "", 0, "")
		return st
	}
	before := snapshot(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	after := snapshot(s)
	if !reflect.DeepEqual(normalise(before), normalise(after)) {
		t.Errorf("state changed across reopen:\nbefore %+v\nafter  %+v", before, after)
	}
	if len(after.Due) != 5 || len(after.Dead) != 1 || len(after.Outbox) != 3 || len(after.Fols) != 2 || len(after.Stats) != 3 {
		t.Errorf("after reopen: %+v", after)
	}
	// The queue keeps working: new ids do not collide with old ones.
	mustApply(t, s, publishOp(t, f, "r4"))
	if got := allDue(t, s); len(got) != 7 {
		t.Errorf("%d deliveries after another publish", len(got))
	}
	mustVerify(t, s)
}

// normalise makes times comparable with DeepEqual (locations differ).
func normalise(v any) any {
	rv := reflect.ValueOf(v)
	out := reflect.New(rv.Type()).Elem()
	normaliseInto(out, rv)
	return out.Interface()
}

func normaliseInto(dst, src reflect.Value) {
	if t, ok := src.Interface().(time.Time); ok {
		dst.Set(reflect.ValueOf(time.Unix(0, t.UnixNano()).UTC()))
		return
	}
	switch src.Kind() {
	case reflect.Struct:
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				normaliseInto(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
		for i := range src.Len() {
			normaliseInto(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeMap(src.Type()))
		for _, k := range src.MapKeys() {
			e := reflect.New(src.Type().Elem()).Elem()
			normaliseInto(e, src.MapIndex(k))
			dst.SetMapIndex(k, e)
		}
	default:
		dst.Set(src)
	}
}

// Delivery completions from a worker pool share (durable) commits.
func TestDeliveryCompletionsGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	inboxes := make([]string, 400)
	for i := range inboxes {
		inboxes[i] = "http://127.0.0.3:8080/users/u" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "/inbox"
	}
	mustEnqueue(t, s, sendActivity(t, "many", "Update"), inboxes...)
	ds := allDue(t, s)
	before := s.Stats()
	var wg sync.WaitGroup
	work := make(chan Delivery)
	for range 32 {
		wg.Go(func() {
			for d := range work {
				var err error
				if d.ID[len(d.ID)-1]%2 == 0 {
					err = s.Queue().DeliveryDone(ctx, d.ID)
				} else {
					err = s.Queue().DeliveryRetry(ctx, d.ID, testEpoch.Add(time.Minute), 502, "bad gateway")
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, d := range ds {
		work <- d
	}
	close(work)
	wg.Wait()
	after := s.Stats()
	commits, reqs := after.Commits-before.Commits, after.Requests-before.Requests
	if reqs < 400 || commits >= reqs {
		t.Errorf("%d requests in %d commits: completions do not share commits", reqs, commits)
	}
	if st := hostStats(t, s)["127.0.0.3:8080"]; st.Pending != 200 {
		t.Errorf("pending %d, want 200", st.Pending)
	}
	mustVerify(t, s)
}
