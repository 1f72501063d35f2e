package federation

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/storage"
)

// waitUntil polls cond every 10 ms until it holds or d passes.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHostOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.3:8080", "127.0.0.3:8080"},
		{"https://Comune.RE.it/actor", "comune.re.it:443"},
		{"http://node.example.eu", "node.example.eu:80"},
		{"not a url", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := HostOf(tt.in); got != tt.want {
			t.Errorf("HostOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPausedHostIsNotAttemptedAndFlushedOnResume(t *testing.T) {
	cfg := Defaults()
	cfg.BreakerFailures = 1
	s, st, clk := newTestService(t, cfg)
	ctx := context.Background()

	var posts atomic.Int64
	var status atomic.Int64
	status.Store(http.StatusAccepted)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	host := HostOf(srv.URL)

	// One delivery in backoff (a failed attempt an hour before the next),
	// made before the pause; one queued during the pause.
	status.Store(http.StatusServiceUnavailable)
	backedOff := enqueue(t, s, st, srv.URL+"/inbox")
	s.deliveries.deliver(ctx, backedOff)
	if err := st.Queue().DeliveryRetry(ctx, backedOff.ID, clk.now().Add(time.Hour), 503, "unavailable"); err != nil {
		t.Fatal(err)
	}
	s.breaker.success(host)
	posts.Store(0)
	s.PauseHost(host)
	s.PauseHost(host) // idempotent
	queued := enqueue(t, s, st, srv.URL+"/actor/inbox")
	if _, ok := s.PausedHosts()[host]; !ok {
		t.Fatalf("PausedHosts = %v, want %s", s.PausedHosts(), host)
	}

	s.Start()
	s.Kick()
	time.Sleep(300 * time.Millisecond) // several loop turns: nothing may be sent
	if n := posts.Load(); n != 0 {
		t.Fatalf("%d POSTs reached a paused host", n)
	}
	d, err := st.Queue().Delivery(ctx, queued.ID)
	if err != nil || d.Attempts != 0 || d.LastStatus != 0 {
		t.Fatalf("the paused delivery was attempted: %+v %v", d, err)
	}
	if failures, open := s.breaker.state(host, clk.now()); failures != 0 || open {
		t.Fatalf("pausing consumed the breaker: %d failures, open %v", failures, open)
	}

	status.Store(http.StatusAccepted)
	s.ResumeHost(host)
	waitUntil(t, 3*time.Second, "both deliveries are made after the resume", func() bool {
		q := queueOf(t, st, host)
		return q.Pending == 0 && posts.Load() == 2
	})
	if len(s.PausedHosts()) != 0 {
		t.Fatalf("still paused: %v", s.PausedHosts())
	}
}

func TestPausedHostStillGivesUpAfterMaxAge(t *testing.T) {
	cfg := Defaults()
	s, st, clk := newTestService(t, cfg)
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	host := HostOf(srv.URL)
	s.PauseHost(host)
	old := enqueue(t, s, st, srv.URL+"/inbox")
	clk.add(cfg.MaxDeliveryAge - time.Hour)
	young := enqueue(t, s, st, srv.URL+"/actor/inbox")
	clk.add(2 * time.Hour) // old is 49 h old, young 2 h

	s.Start()
	s.Kick()
	waitUntil(t, 3*time.Second, "the old delivery is a dead letter", func() bool {
		d, err := st.Queue().Delivery(context.Background(), old.ID)
		return err == nil && d.Dead
	})
	d, _ := st.Queue().Delivery(context.Background(), old.ID)
	if !strings.Contains(d.DeadReason, "not delivered within 48h0m0s") || !strings.Contains(d.DeadReason, "down (gossip)") || d.Attempts != 0 {
		t.Fatalf("dead letter %+v", d)
	}
	if d, err := st.Queue().Delivery(context.Background(), young.ID); err != nil || d.Dead {
		t.Fatalf("the young delivery: %+v %v", d, err)
	}
	if posts.Load() != 0 {
		t.Fatalf("%d POSTs reached the paused host", posts.Load())
	}
	s.ResumeHost(host)
	waitUntil(t, 3*time.Second, "the young delivery is made after the resume", func() bool {
		return queueOf(t, st, host).Pending == 0 && posts.Load() == 1
	})
}

func queueOf(t *testing.T, st *storage.Store, host string) storage.HostQueue {
	t.Helper()
	stats, err := st.Queue().QueueStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stats[host]
}
