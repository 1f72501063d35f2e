package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestFollowGraphPutGetDelete(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now})
	type dir struct {
		name string
		put  func(context.Context, Follow) error
		get  func(context.Context, string) (Follow, error)
		del  func(context.Context, string) error
		list func(context.Context, string, int, string) ([]Follow, string, int, error)
	}
	for _, d := range []dir{
		{"followers", s.Follows().PutFollower, s.Follows().Follower, s.Follows().DeleteFollower, s.Follows().Followers},
		{"following", s.Follows().PutFollowing, s.Follows().Following, s.Follows().DeleteFollowing, s.Follows().Followings},
	} {
		t.Run(d.name, func(t *testing.T) {
			a := peer("127.0.0.3:8080", "a-"+d.name, true, FollowPending)
			since := clk.Now()
			if err := d.put(ctx, a); err != nil {
				t.Fatal(err)
			}
			got, err := d.get(ctx, a.Actor)
			if err != nil || got.State != FollowPending || !got.Since.Equal(since) || !got.Updated.Equal(since) ||
				got.Inbox != a.Inbox || got.SharedInbox != a.SharedInbox || got.FollowIRI != a.FollowIRI {
				t.Fatalf("after put: %+v, %v", got, err)
			}
			if err := s.Follows().MarkPeer(ctx, a.Actor, false, clk.Now(), "connection refused"); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Hour)
			a.State = FollowAccepted
			if err := d.put(ctx, a); err != nil { // Accept arrived: Since and the peer's health stay
				t.Fatal(err)
			}
			got, _ = d.get(ctx, a.Actor)
			if got.State != FollowAccepted || !got.Since.Equal(since) || !got.Updated.Equal(clk.Now()) ||
				got.Failures != 1 || got.LastError != "connection refused" {
				t.Errorf("after accept: %+v", got)
			}
			if err := d.del(ctx, a.Actor); err != nil {
				t.Fatal(err)
			}
			if _, err := d.get(ctx, a.Actor); !errors.Is(err, ErrNotFound) {
				t.Errorf("get after delete: %v", err)
			}
			if err := d.del(ctx, a.Actor); !errors.Is(err, ErrNotFound) {
				t.Errorf("delete twice: %v", err)
			}
			for _, c := range []struct {
				name   string
				mutate func(f *Follow)
			}{
				{"actor not a URL", func(f *Follow) { f.Actor = "acct:a@127.0.0.3" }},
				{"no inbox", func(f *Follow) { f.Inbox = "" }},
				{"shared inbox not http", func(f *Follow) { f.SharedInbox = "gopher://127.0.0.3/inbox" }},
				{"unknown state", func(f *Follow) { f.State = "blocked" }},
				{"follow id not a URL", func(f *Follow) { f.FollowIRI = "follow 1" }},
				{"negative failures", func(f *Follow) { f.Failures = -1 }},
			} {
				f := peer("127.0.0.4:8080", "bad", false, FollowPending)
				c.mutate(&f)
				if err := d.put(ctx, f); !errors.Is(err, ErrInvalidObject) {
					t.Errorf("%s: %v", c.name, err)
				}
			}
			mustVerify(t, s)
		})
	}
}

func TestFollowListsPageByStateWithTotals(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	want := map[string][]string{}
	states := []string{FollowAccepted, FollowPending, FollowAccepted, FollowRejected, FollowAccepted}
	for i := range 23 {
		f := peer(fmt.Sprintf("127.0.0.%d:8080", 3+i%4), fmt.Sprintf("u%02d", i), i%2 == 0, states[i%len(states)])
		mustPutFollower(t, s, f)
		want[f.State] = append(want[f.State], f.Actor)
		want[""] = append(want[""], f.Actor)
	}
	for _, st := range []string{"", FollowAccepted, FollowPending, FollowRejected} {
		slices.Sort(want[st])
		var got []string
		after := ""
		for {
			page, next, total, err := s.Follows().Followers(ctx, after, 4, st)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(want[st]) {
				t.Errorf("state %q: total %d, want %d", st, total, len(want[st]))
			}
			for _, f := range page {
				if st != "" && f.State != st {
					t.Errorf("state %q listed %+v", st, f)
				}
				got = append(got, f.Actor)
			}
			if next == "" {
				break
			}
			after = next
		}
		if !slices.Equal(got, want[st]) {
			t.Errorf("state %q: listed %v, want %v", st, got, want[st])
		}
	}
	if _, _, _, err := s.Follows().Followers(ctx, "", 0, "blocked"); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("unknown state: %v", err)
	}
	if _, _, _, err := s.Follows().Followers(ctx, "!!", 0, ""); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("bad cursor: %v", err)
	}
	if _, _, _, err := s.Follows().Followings(ctx, "", -1, ""); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("negative limit: %v", err)
	}
	if fs, _, total, err := s.Follows().Followings(ctx, "", 0, ""); err != nil || len(fs) != 0 || total != 0 {
		t.Errorf("followings: %v %d %v", fs, total, err)
	}
	mustVerify(t, s)
}

func TestMarkPeer(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	both := peer("127.0.0.3:8080", "both", true, FollowAccepted)
	onlyFollowed := peer("127.0.0.4:8080", "followed", false, FollowPending)
	mustPutFollower(t, s, both)
	for _, f := range []Follow{both, onlyFollowed} {
		if err := s.Follows().PutFollowing(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	t1 := testEpoch.Add(time.Minute)
	steps := []struct {
		actor    string
		ok       bool
		errText  string
		want     error
		failures int
		lastErr  string
		success  time.Time
	}{
		{both.Actor, false, "timeout", nil, 1, "timeout", time.Time{}},
		{both.Actor, false, "503", nil, 2, "503", time.Time{}},
		{both.Actor, true, "", nil, 0, "", t1},
		{onlyFollowed.Actor, false, "refused", nil, 1, "refused", time.Time{}},
		{"http://127.0.0.9/users/nobody", true, "", ErrNotFound, 0, "", time.Time{}},
	}
	for i, st := range steps {
		if err := s.Follows().MarkPeer(ctx, st.actor, st.ok, t1, st.errText); !errors.Is(err, st.want) || (err != nil) != (st.want != nil) {
			t.Fatalf("step %d: %v", i, err)
		}
		if st.want != nil {
			continue
		}
		var views []Follow
		if f, err := s.Follows().Follower(ctx, st.actor); err == nil {
			views = append(views, f)
		}
		if f, err := s.Follows().Following(ctx, st.actor); err == nil {
			views = append(views, f)
		}
		for _, f := range views {
			if f.Failures != st.failures || f.LastError != st.lastErr || !f.LastSuccess.Equal(st.success) {
				t.Errorf("step %d: %+v", i, f)
			}
		}
	}
	mustVerify(t, s)
}
