package node

import (
	"net/http"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	l := newRateLimiter(2, 3, clock.now) // 2 per second, burst 3
	steps := []struct {
		advance time.Duration
		key     string
		want    bool
	}{
		{0, "a", true}, {0, "a", true}, {0, "a", true}, // the burst
		{0, "a", false},                     // spent
		{0, "b", true},                      // another address has its own bucket
		{500 * time.Millisecond, "a", true}, // one token back after 0.5 s at 2/s
		{0, "a", false},
		{10 * time.Second, "a", true}, // refilled, capped at the burst
		{0, "a", true}, {0, "a", true}, {0, "a", false},
	}
	for i, s := range steps {
		clock.advance(s.advance)
		if ok, wait := l.allow(s.key); ok != s.want || (!ok && wait <= 0) {
			t.Fatalf("step %d: allow(%s) = %v (wait %s), want %v", i, s.key, ok, wait, s.want)
		}
	}
	clock.advance(2 * time.Minute)
	l.allow("c") // sweeps the idle buckets
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets after the idle ones were swept", len(l.buckets))
	}
	if ok, _ := newRateLimiter(0, 0, clock.now).allow("x"); !ok {
		t.Fatal("a zero rate must not limit")
	}
}

// A flood from one address is answered 429 with Retry-After before the
// body is parsed or any signature verified.
func TestInboxRateLimit(t *testing.T) {
	a := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.InboxRate, c.Federation.InboxBurst = 1, 2
	})
	post := func() response {
		return a.do(http.MethodPost, "/inbox", "", "application/activity+json", []byte(`{}`))
	}
	for i := range 2 {
		if r := post(); r.status == http.StatusTooManyRequests {
			t.Fatalf("request %d within the burst was limited", i)
		}
	}
	r := post()
	r.problem(t, http.StatusTooManyRequests, "rate-limited")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}
