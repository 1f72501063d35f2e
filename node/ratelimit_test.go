package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/interlink-project/interlink-node/protocol"
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

// An attacker opening a new connection per request (a new source port each
// time) still spends one budget: the bucket is keyed by host, not
// host:port. Another host has its own.
func TestInboxRateLimitPerHostAcrossConnections(t *testing.T) {
	a := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.InboxRate, c.Federation.InboxBurst = 1, 3
	})
	client := func(host string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)}}
		return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DialContext: d.DialContext}}
	}
	ports := map[string]bool{}
	post := func(c *http.Client) (int, http.Header) {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
			ports[ci.Conn.LocalAddr().String()] = true
			if ci.Reused {
				t.Error("a connection was reused")
			}
		}}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			http.MethodPost, a.url+"/inbox", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/activity+json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	one := client("127.0.0.1")
	for i := range 3 {
		if status, _ := post(one); status == http.StatusTooManyRequests {
			t.Fatalf("request %d within the burst was limited", i)
		}
	}
	status, h := post(one)
	if status != http.StatusTooManyRequests {
		t.Fatalf("the 4th request on a new connection answered %d, want 429: the limit is per connection, not per host", status)
	}
	if got := h.Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After %q, want 1", got)
	}
	if len(ports) != 4 {
		t.Fatalf("%d source addresses for 4 requests, want 4 new connections", len(ports))
	}
	if status, _ := post(client("127.0.0.2")); status == http.StatusTooManyRequests {
		t.Fatal("another host was limited by 127.0.0.1's budget")
	}
}

// Past maxBuckets addresses the idle buckets are swept at once, even
// within a minute of the last sweep; below it they are not.
func TestRateLimiterSweepsWhenFull(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	cases := []struct {
		name  string
		idle  int // idle buckets already held
		fresh int // buckets used within the minute
		want  int // buckets after one more address
	}{
		{"full: idle ones swept", maxBuckets, 0, 1},
		{"full: active ones kept", maxBuckets - 1, 1, 2},
		{"one below full: nothing swept", maxBuckets - 1, 0, maxBuckets},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newRateLimiter(1, 1, clock.now)
			now := clock.now()
			l.swept = now.Add(-30 * time.Second) // the last sweep was recent
			for i := range c.idle {
				l.buckets[fmt.Sprintf("idle-%d", i)] = &bucket{lim: rate.NewLimiter(1, 1), last: now.Add(-time.Minute - time.Nanosecond)}
			}
			for i := range c.fresh {
				l.buckets[fmt.Sprintf("fresh-%d", i)] = &bucket{lim: rate.NewLimiter(1, 1), last: now.Add(-time.Minute)}
			}
			if ok, _ := l.allow("new"); !ok {
				t.Fatal("a new address was limited")
			}
			if len(l.buckets) != c.want {
				t.Fatalf("%d buckets, want %d", len(l.buckets), c.want)
			}
		})
	}
}

// The minute between sweeps and a bucket's idle minute are exact, and a
// sweep waits a minute after the previous one.
func TestRateLimiterSweepBoundaries(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	l := newRateLimiter(1, 1, clock.now)
	steps := []struct {
		advance time.Duration
		key     string
		held    []string // buckets held after the step
		gone    []string // buckets swept by then
	}{
		{0, "a", []string{"a"}, nil}, // the first call sweeps (swept is zero)
		// Exactly a minute later: no sweep yet, and "a" is not idle for more than a minute either.
		{time.Minute, "b", []string{"a", "b"}, nil},
		// 90 s after the last sweep: "a" (idle 90 s) goes, "b" (30 s) stays.
		{30 * time.Second, "c", []string{"b", "c"}, []string{"a"}},
		// 40 s after that sweep: none, although "b" is idle for 70 s.
		{40 * time.Second, "d", []string{"b", "c", "d"}, nil},
		// 61 s after it: "b" (91 s) and "c" (61 s) go.
		{21 * time.Second, "e", []string{"d", "e"}, []string{"b", "c"}},
	}
	for i, s := range steps {
		clock.advance(s.advance)
		l.allow(s.key)
		for _, k := range s.held {
			if _, ok := l.buckets[k]; !ok {
				t.Fatalf("step %d: %q was swept", i, k)
			}
		}
		for _, k := range s.gone {
			if _, ok := l.buckets[k]; ok {
				t.Fatalf("step %d: %q was kept", i, k)
			}
		}
	}
}

// allow's wait is exactly the time until the next token, and Retry-After is
// that wait rounded up to whole seconds, at least 1.
func TestRateLimiterWaitAndRetryAfter(t *testing.T) {
	cases := []struct {
		name        string
		rate, burst int
		spend       int           // requests allowed at the start
		advance     time.Duration // then the clock moves
		wait        time.Duration // allow's answer to the next request
		retryAfter  string
	}{
		{"rate 1, empty", 1, 2, 2, 0, time.Second, "1"},
		{"rate 2, empty", 2, 1, 1, 0, 500 * time.Millisecond, "1"},
		{"rate 4, a quarter refilled", 4, 1, 1, 125 * time.Millisecond, 125 * time.Millisecond, "1"},
		{"rate 1, almost refilled", 1, 1, 1, 999_900 * time.Microsecond, 100 * time.Microsecond, "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := &testClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
			l := newRateLimiter(c.rate, c.burst, clock.now)
			for i := range c.spend {
				if ok, _ := l.allow("h"); !ok {
					t.Fatalf("request %d within the burst was limited", i)
				}
			}
			clock.advance(c.advance)
			ok, wait := l.allow("h")
			if ok || (wait-c.wait).Abs() > time.Microsecond {
				t.Fatalf("allow = %v, wait %s; want refused, wait %s", ok, wait, c.wait)
			}

			// The same through the handler guard.
			l = newRateLimiter(c.rate, c.burst, clock.now)
			cfg := Defaults()
			n := activityPub{web: web{log: slog.New(slog.NewTextHandler(io.Discard, nil)), uris: protocol.NewURIs("http://127.0.0.1:1")},
				inboxLimit: l, inboxRate: cfg.Federation.InboxRate, inboxBurst: cfg.Federation.InboxBurst}
			for range c.spend {
				l.allow("addr 127.0.0.9") // the bucket of an unsigned request from 127.0.0.9
			}
			clock.advance(c.advance)
			w := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/inbox", nil)
			req.RemoteAddr = "127.0.0.9:4242"
			if !n.limitInbox(w, req) {
				t.Fatal("limitInbox let the request through")
			}
			if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != c.retryAfter {
				t.Fatalf("status %d, Retry-After %q; want 429, %s", w.Code, w.Header().Get("Retry-After"), c.retryAfter)
			}
		})
	}
}

// BenchmarkRateLimiter: one allow on the inbox path, for a few hot keys and
// for a spread of 10 000 addresses (docs/benchmarks.md).
func BenchmarkRateLimiter(b *testing.B) {
	clock := &testClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	for _, keys := range []int{4, 10_000} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			l := newRateLimiter(1_000_000, 1_000_000, clock.now)
			names := make([]string, keys)
			for i := range names {
				names[i] = fmt.Sprintf("addr 10.0.%d.%d", i/256, i%256)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l.allow(names[i%keys])
				i++
			}
		})
	}
}
