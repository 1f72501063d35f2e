package federation

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newTestService(t *testing.T, cfg Config) (*Service, *storage.Store, *clock) {
	t.Helper()
	clk := &clock{t: time.Now()}
	st, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	key, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg.AllowPrivateNetworks = true
	uris := protocol.NewURIs("http://127.0.0.1:1")
	client := NewClient(cfg, uris, "test", nil)
	_, content, _ := ed25519.GenerateKey(nil)
	_, fedKey, _ := ed25519.GenerateKey(nil)
	keys := trust.KeySet{Content: []trust.Key{{Kid: "content", Private: content, State: trust.KeyActive}},
		Federation: []trust.Key{{Kid: "federation", Private: fedKey, State: trust.KeyActive}}}
	tr, err := trust.New(context.Background(), trust.Defaults(), trust.Deps{Self: uris.Base(), Actor: uris.Actor(),
		Keys: func() trust.KeySet { return keys }, Settings: st, Registry: st.Authority(), Fetcher: TrustFetcher(cfg, uris, client), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, Deps{Objects: st, Queue: st.Queue(), Follows: st.Follows(), Cosigning: st.Cosigning(), URIs: uris, HTTPKey: key, Now: clk.now, Version: "test", Client: client, Trust: tr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); st.Close() })
	return s, st, clk
}

// enqueue queues one Follow-like activity to inbox and returns its delivery.
func enqueue(t *testing.T, s *Service, st *storage.Store, inbox string) storage.Delivery {
	t.Helper()
	id := s.ids.New(s.now())
	a := storage.Activity{IRI: s.uris.Activity(id), Type: "Follow", Actor: s.uris.Actor(), Published: s.now(),
		Body: []byte(`{"type":"Follow","id":"` + s.uris.Activity(id) + `"}`)}
	if err := st.Queue().Enqueue(context.Background(), a, []string{inbox}); err != nil {
		t.Fatal(err)
	}
	due, err := st.Queue().DueDeliveries(context.Background(), s.now().Add(time.Second), 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if d.ActivityIRI == a.IRI {
			return d
		}
	}
	t.Fatal("the enqueued delivery is not due")
	return storage.Delivery{}
}

func TestDeliveryOutcomes(t *testing.T) {
	cfg := Defaults()
	cfg.BreakerFailures = 2
	s, st, clk := newTestService(t, cfg)
	ctx := context.Background()

	var status atomic.Int64
	var retryAfter atomic.Value
	retryAfter.Store("")
	var signed atomic.Int64
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Signature"), `algorithm="rsa-sha256"`) && r.Header.Get("Digest") != "" &&
			r.Header.Get("Content-Type") == "application/activity+json" {
			signed.Add(1)
		}
		if ra := retryAfter.Load().(string); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer inbox.Close()
	host := strings.TrimPrefix(inbox.URL, "http://")

	t.Run("success removes the delivery", func(t *testing.T) {
		status.Store(202)
		d := enqueue(t, s, st, inbox.URL+"/inbox")
		s.deliveries.deliver(ctx, d)
		if _, err := st.Queue().Delivery(ctx, d.ID); err == nil {
			t.Fatal("a delivered activity is still queued")
		}
		if signed.Load() != 1 {
			t.Fatal("the POST was not signed with rsa-sha256 and a Digest, as application/activity+json")
		}
	})
	t.Run("Retry-After is honoured", func(t *testing.T) {
		status.Store(429)
		retryAfter.Store("120")
		defer retryAfter.Store("")
		d := enqueue(t, s, st, inbox.URL+"/inbox")
		s.deliveries.deliver(ctx, d)
		got, err := st.Queue().Delivery(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if wait := got.NextAttempt.Sub(clk.now()); wait < 119*time.Second || wait > 121*time.Second || got.LastStatus != 429 {
			t.Fatalf("next attempt in %s (status %d), want 120 s", wait, got.LastStatus)
		}
	})
	t.Run("a 5xx backs off exponentially with jitter", func(t *testing.T) {
		status.Store(503)
		d := enqueue(t, s, st, inbox.URL+"/inbox")
		s.deliveries.deliver(ctx, d)
		got, _ := st.Queue().Delivery(ctx, d.ID)
		if wait := got.NextAttempt.Sub(clk.now()); wait < cfg.RetryBase/2 || wait > cfg.RetryBase {
			t.Fatalf("first retry in %s, want within [%s, %s]", wait, cfg.RetryBase/2, cfg.RetryBase)
		}
		if _, open := s.breaker.state(host, clk.now()); !open {
			t.Fatal("two consecutive failures (429, 503) did not open the host's circuit")
		}
		due, _ := st.Queue().DueDeliveries(ctx, clk.now().Add(time.Hour), 100, s.breaker.open(clk.now()))
		if len(due) != 0 {
			t.Fatalf("an open circuit still lets %d deliveries through", len(due))
		}
		clk.add(cfg.BreakerCooldown + time.Second)
		if _, open := s.breaker.state(host, clk.now()); open {
			t.Fatal("the circuit did not close after its cooldown")
		}
	})
	t.Run("a 4xx is a dead letter", func(t *testing.T) {
		status.Store(400)
		d := enqueue(t, s, st, inbox.URL+"/inbox")
		s.deliveries.deliver(ctx, d)
		got, err := st.Queue().Delivery(ctx, d.ID)
		if err != nil || !got.Dead || !strings.Contains(got.DeadReason, "400") {
			t.Fatalf("after a 400: %+v %v", got, err)
		}
	})
	t.Run("after max_delivery_age it is a dead letter", func(t *testing.T) {
		status.Store(500)
		d := enqueue(t, s, st, inbox.URL+"/inbox")
		clk.add(cfg.MaxDeliveryAge + time.Hour)
		s.deliveries.deliver(ctx, d)
		got, err := st.Queue().Delivery(ctx, d.ID)
		if err != nil || !got.Dead || !strings.Contains(got.DeadReason, "not delivered within") {
			t.Fatalf("after 49 h: %+v %v", got, err)
		}
		// The admin can replay it.
		if err := st.Queue().Replay(ctx, d.ID, clk.now()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("410 from a shared inbox stops deliveries to the host", func(t *testing.T) {
		status.Store(410)
		d := enqueue(t, s, st, inbox.URL+"/inbox")
		enqueue(t, s, st, inbox.URL+"/actor/inbox")
		s.deliveries.deliver(ctx, d)
		stats, _ := st.Queue().QueueStats(ctx)
		if q := stats[host]; q.Pending != 0 {
			t.Fatalf("after a 410 the host still has %d pending deliveries", q.Pending)
		}
	})
}

func TestBackoffBounds(t *testing.T) {
	s := &Service{cfg: Defaults()}
	for attempt := 1; attempt <= 30; attempt++ {
		want := s.cfg.RetryBase << min(attempt-1, 20)
		want = min(want, s.cfg.RetryMax)
		for i := 0; i < 20; i++ {
			if d := (&deliverer{s: s}).backoff(attempt); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, d, want/2, want)
			}
		}
	}
	if retryAfter("7", time.Now()) != 7*time.Second || retryAfter("soon", time.Now()) != 0 {
		t.Fatal("Retry-After seconds")
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	if got := retryAfter(now.Add(time.Minute).Format(http.TimeFormat), now); got != time.Minute {
		t.Fatalf("Retry-After date: %s", got)
	}
}

func TestDomainLists(t *testing.T) {
	tests := []struct {
		allow, block []string
		host         string
		want         bool
	}{
		{nil, nil, "comune.re.it", true},
		{nil, []string{"evil.example"}, "evil.example", false},
		{nil, []string{"evil.example"}, "EVIL.example.", false},
		{nil, []string{"*.evil.example"}, "a.evil.example", false},
		{nil, []string{"*.evil.example"}, "evil.example", true},
		{[]string{"*.gov.it"}, nil, "mef.gov.it", true},
		{[]string{"*.gov.it"}, nil, "evilgov.it", false},
		{[]string{"*.gov.it"}, nil, "gov.it.evil.example", false},
		{[]string{"*.gov.it"}, []string{"bad.gov.it"}, "bad.gov.it", false},
	}
	for _, tt := range tests {
		c := Config{AllowDomains: tt.allow, BlockDomains: tt.block}
		if got := c.hostAllowed(tt.host); got != tt.want {
			t.Errorf("allow %v block %v: %s → %v, want %v", tt.allow, tt.block, tt.host, got, tt.want)
		}
	}
	bad := Defaults()
	bad.FollowPolicy = "everyone"
	bad.BlockDomains = []string{"UPPER.example"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "follow_policy") || !strings.Contains(err.Error(), "block_domains") {
		t.Fatalf("Validate: %v", err)
	}
}
