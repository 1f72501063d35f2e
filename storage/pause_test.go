package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMakeHostDueAndExpireHost(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openTest(t, Options{NoSync: true, Now: clk.Now})
	h3, h4 := "http://127.0.0.3:8080", "http://127.0.0.4:8080"
	t0 := clk.Now()
	mustEnqueue(t, s, sendActivity(t, "p1", "Follow"), h3+"/inbox", h4+"/inbox") // created t0
	clk.Add(time.Hour)
	mustEnqueue(t, s, sendActivity(t, "p2", "Accept"), h3+"/inbox", h3+"/u/x/inbox") // created t0+1h
	ds := allDue(t, s)
	if len(ds) != 4 {
		t.Fatalf("%d deliveries: %s", len(ds), describe(ds))
	}
	// Every delivery to h3 backs off far into the future; h4's too.
	for _, d := range ds {
		if err := s.Queue().DeliveryRetry(ctx, d.ID, t0.Add(10*time.Hour), 503, "unavailable"); err != nil {
			t.Fatal(err)
		}
	}
	dueAt := func(now time.Time) map[string]int {
		got, err := s.Queue().DueDeliveries(ctx, now, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, d := range got {
			out[d.Host]++
		}
		return out
	}
	now := clk.Now()
	if got := dueAt(now); len(got) != 0 {
		t.Fatalf("due before MakeHostDue: %v", got)
	}

	tests := []struct {
		name    string
		host    string
		want    int
		wantDue map[string]int
	}{
		{"every delivery of the host is due now", "127.0.0.3:8080", 3, map[string]int{"127.0.0.3:8080": 3}},
		{"again: nothing left to move", "127.0.0.3:8080", 0, map[string]int{"127.0.0.3:8080": 3}},
		{"a host without deliveries", "127.0.0.9:80", 0, map[string]int{"127.0.0.3:8080": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.Queue().MakeHostDue(ctx, tt.host, now)
			if err != nil || n != tt.want {
				t.Fatalf("MakeHostDue = %d, %v; want %d", n, err, tt.want)
			}
			if got := dueAt(now); !equalCounts(got, tt.wantDue) {
				t.Fatalf("due: %v, want %v", got, tt.wantDue)
			}
		})
	}
	// Attempts and last errors are kept.
	for _, d := range allDue(t, s) {
		if d.Attempts != 1 || d.LastStatus != 503 {
			t.Fatalf("MakeHostDue changed the attempt record: %+v", d)
		}
	}
	commits := s.Stats().Commits
	if n, err := s.Queue().MakeHostDue(ctx, "127.0.0.3:8080", now); err != nil || n != 0 {
		t.Fatalf("MakeHostDue with nothing to do = %d, %v", n, err)
	}
	if _, err := s.Queue().ExpireHost(ctx, "127.0.0.4:8080", t0, "nothing that old"); err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().Commits; got != commits {
		t.Fatalf("calls that change nothing made %d commits", got-commits)
	}

	// ExpireHost dead-letters what was created before the cut, on that host only.
	n, err := s.Queue().ExpireHost(ctx, "127.0.0.3:8080", t0.Add(30*time.Minute), "paused for 48h")
	if err != nil || n != 1 {
		t.Fatalf("ExpireHost = %d, %v; want 1", n, err)
	}
	stats := hostStats(t, s)
	if q := stats["127.0.0.3:8080"]; q.Pending != 2 || q.Dead != 1 {
		t.Fatalf("h3 after ExpireHost: %+v", q)
	}
	if q := stats["127.0.0.4:8080"]; q.Pending != 1 || q.Dead != 0 {
		t.Fatalf("h4 touched by ExpireHost of h3: %+v", q)
	}
	dead, _, err := s.Queue().DeadLetters(ctx, "", 0)
	if err != nil || len(dead) != 1 || dead[0].DeadReason != "paused for 48h" || dead[0].Host != "127.0.0.3:8080" {
		t.Fatalf("dead letters: %+v %v", dead, err)
	}
	if n, err := s.Queue().ExpireHost(ctx, "127.0.0.3:8080", t0.Add(30*time.Minute), "again"); err != nil || n != 0 {
		t.Fatalf("second ExpireHost = %d, %v", n, err)
	}

	for _, bad := range []string{"", "bad\x00host", string(make([]byte, maxHostLen+1))} {
		if _, err := s.Queue().MakeHostDue(ctx, bad, now); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("MakeHostDue(%q): %v, want ErrInvalidQuery", bad, err)
		}
		if _, err := s.Queue().ExpireHost(ctx, bad, now, "x"); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("ExpireHost(%q): %v, want ErrInvalidQuery", bad, err)
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
