package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// inFlight counts the requests a handler is serving and keeps the peak.
type inFlight struct{ cur, peak atomic.Int64 }

func (f *inFlight) enter() {
	n := f.cur.Add(1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
}

func (f *inFlight) leave() { f.cur.Add(-1) }

// closeCounter is a request body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed atomic.Int64
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

// noNetwork is a base RoundTripper that must not be reached.
type noNetwork struct{ calls atomic.Int64 }

func (n *noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	n.calls.Add(1)
	return nil, errors.New("the network was reached")
}

// TestSignFailureRoundTrip drives limitedRoundTripper directly: when the
// SignFunc fails, the hop is not sent, its body (if any) is closed, as
// RoundTrip must, and its host slot is released; the error is the
// signer's.
func TestSignFailureRoundTrip(t *testing.T) {
	boom := errors.New("key unavailable")
	tests := []struct {
		name   string
		method string
		body   *closeCounter // nil: a request without a body
	}{
		{"GET without a body", http.MethodGet, nil},
		{"POST with a body", http.MethodPost, &closeCounter{Reader: strings.NewReader("{}")}},
		{"PUT with a body", http.MethodPut, &closeCounter{Reader: strings.NewReader("x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &noNetwork{}
			rt := &limitedRoundTripper{base: base, limiter: newHostLimiter(1), sign: func(*http.Request, []byte) error { return boom }, body: []byte("{}")}
			req, err := http.NewRequest(tt.method, "http://127.0.0.1:1/inbox", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != nil {
				req.Body = tt.body
			}
			resp, err := rt.RoundTrip(req)
			if resp != nil || !errors.Is(err, boom) {
				t.Fatalf("RoundTrip = %v, %v; want the signer's error", resp, err)
			}
			var se *signError
			if !errors.As(err, &se) {
				t.Fatalf("err %T is not a *signError", err)
			}
			if tt.body != nil && tt.body.closed.Load() != 1 {
				t.Fatalf("body closed %d times, want once", tt.body.closed.Load())
			}
			if base.calls.Load() != 0 {
				t.Fatal("the unsigned hop was sent")
			}
			if n := rt.limiter.size(); n != 0 {
				t.Fatalf("limiter holds %d hosts after a failed signing", n)
			}
		})
	}
}

// TestSlotReleased: a host slot is given back after every outcome of a
// request (an answer, an error status, a body over the cap, a failing
// signer, a refused redirect), so that with one slot a host keeps being
// reachable. Each request runs under a short deadline: a leaked slot fails
// here quickly instead of stalling the tests that follow until their
// TotalTimeout.
func TestSlotReleased(t *testing.T) {
	s := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/big":
			w.Write(bytes.Repeat([]byte("a"), 2048))
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			io.WriteString(w, "ok")
		}
	})
	c := loopbackClient(t, Options{MaxConnsPerHost: 1, MaxResponseBytes: 1024, TotalTimeout: 5 * time.Second})
	boom := errors.New("key unavailable")
	tests := []struct {
		path string
		sign SignFunc
		want error // nil: a response
	}{
		{"/ok", nil, nil},
		{"/gone", nil, nil},
		{"/big", nil, ErrTooLarge},
		{"/ok", func(*http.Request, []byte) error { return boom }, boom},
		{"/loop", nil, ErrTooManyRedirects},
		{"/ok", nil, nil},
	}
	for i, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+tt.path, nil)
		resp, err := c.DoSigned(ctx, req, tt.sign)
		cancel()
		if tt.want == nil && (err != nil || resp == nil) {
			t.Fatalf("%d %s: %v", i, tt.path, err)
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Fatalf("%d %s: err = %v, want %v", i, tt.path, err, tt.want)
		}
		if n := c.limiter.size(); n != 0 {
			t.Fatalf("%d %s: limiter holds %d hosts after the request", i, tt.path, n)
		}
	}
}

// TestPerHostLimitStaggered: requests that arrive while others are in flight
// and others wait (workers each sending several requests one after the
// other, so that slots are released while new requests join) never push
// the in-flight count of a host past MaxConnsPerHost; two hosts have a cap
// each (a host is scheme, name and port). A slot released early, or a host entry dropped while requests still
// hold or wait for its slots (a new semaphore for the same host), shows as a
// peak above the cap. Over HTTP/2 one connection carries every request, so
// the cap is the limiter's alone; over HTTP/1.1 http.Transport's
// MaxConnsPerHost bounds it too.
func TestPerHostLimitStaggered(t *testing.T) {
	const (
		limit   = 3
		workers = 10
		rounds  = 6
	)
	for _, h2 := range []bool{false, true} {
		t.Run(fmt.Sprintf("HTTP/2=%t", h2), func(t *testing.T) {
			var counts [2]inFlight
			var urls [2]string
			var tlsConf *tls.Config
			var wrongProto atomic.Int64
			for i := range counts { // two hosts: one IP, two ports
				f := &counts[i]
				s := newH2Server(t, "127.0.0.1", h2, func(w http.ResponseWriter, r *http.Request) {
					f.enter()
					defer f.leave()
					if (r.ProtoMajor == 2) != h2 {
						wrongProto.Add(1)
					}
					time.Sleep(time.Duration(1+len(r.URL.Query().Get("n"))%3) * 2 * time.Millisecond)
				})
				urls[i] = s.URL
				if h2 {
					tlsConf = s.Client().Transport.(*http.Transport).TLSClientConfig
				}
			}
			// A bounded TotalTimeout: a leaked slot makes the waiting requests fail
			// after 10 s rather than after the default 30 s.
			c := newClient(Options{AllowPrivateNetworks: true, MaxConnsPerHost: limit, TotalTimeout: 10 * time.Second}, testHooks{tlsConfig: tlsConf})
			t.Cleanup(c.CloseIdleConnections)
			var wg sync.WaitGroup
			errs := make(chan error, 2*workers*rounds)
			for w := range 2 * workers {
				wg.Go(func() {
					time.Sleep(time.Duration(w%workers) * time.Millisecond) // arrivals spread out
					for i := range rounds {
						req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, fmt.Sprintf("%s/?n=%d", urls[w%2], w*i), nil)
						if err != nil {
							errs <- err
							return
						}
						if _, err := c.Do(context.Background(), req); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if n := wrongProto.Load(); n > 0 {
				t.Fatalf("%d requests not over HTTP/2=%t", n, h2)
			}
			for i := range counts {
				if p := counts[i].peak.Load(); p > limit {
					t.Errorf("host %d: %d requests in flight at once, cap %d", i+1, p, limit)
				} else if p < limit {
					t.Errorf("host %d: peak %d, the cap %d was never reached (the test did not load the host)", i+1, p, limit)
				}
			}
			if n := c.limiter.size(); n != 0 {
				t.Fatalf("limiter holds %d hosts after all requests ended", n)
			}
		})
	}
}

// newH2Server is a loopback test server on ip, over TLS with HTTP/2 when h2
// is set, plain HTTP/1.1 otherwise.
func newH2Server(t *testing.T, ip string, h2 bool, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s (loopback aliases unavailable?): %v", ip, err)
	}
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = ln
	if h2 {
		s.EnableHTTP2 = true
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// TestLimiterSlots drives the limiter directly: while two holders and a
// waiter use a host's slots, releasing one holder hands its slot to the
// waiter and no other request gets in; the host entry lives exactly as long
// as it has holders or waiters; releasing twice frees one slot.
func TestLimiterSlots(t *testing.T) {
	l := newHostLimiter(2)
	ctx := context.Background()
	r1, err := l.acquire(ctx, "http://a")
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := l.acquire(ctx, "http://a")
	type result struct {
		release func()
		err     error
	}
	got := make(chan result, 1)
	go func() {
		r3, err := l.acquire(ctx, "http://a")
		got <- result{r3, err}
	}()
	waitUsers(t, l, "http://a", 3)
	r1()
	r1() // a second release is a no-op
	res := <-got
	if res.err != nil {
		t.Fatal(res.err)
	}
	r3 := res.release
	if n := users(l, "http://a"); n != 2 {
		t.Fatalf("after one release and a hand-over, %d users, want 2", n)
	}
	// Both slots are held (r2, r3): a fourth request must wait.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(short, "http://a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third concurrent slot granted with a cap of 2 (err %v)", err)
	}
	if n := users(l, "http://a"); n != 2 {
		t.Fatalf("a waiter that gave up is still counted: %d users", n)
	}
	// Another host is independent.
	rb, err := l.acquire(ctx, "http://b")
	if err != nil {
		t.Fatalf("host b waits for host a's slots: %v", err)
	}
	rb()
	r2()
	if l.size() != 1 {
		t.Fatalf("%d hosts, want 1 (a still held by one request)", l.size())
	}
	r3()
	if l.size() != 0 {
		t.Fatalf("%d hosts after every release, want 0", l.size())
	}
}

func users(l *hostLimiter, key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.hosts[key]; s != nil {
		return s.users
	}
	return 0
}

func waitUsers(t *testing.T, l *hostLimiter, key string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for users(l, key) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d users of %s, want %d", users(l, key), key, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestConnsPerHostZero: a MaxConnsPerHost of 0 or less takes the default
// (Options: zero values take the defaults) rather than making a semaphore of
// size 0 on which every request would wait until its deadline. The requests
// run under a short deadline so that a regression fails instead of hanging.
func TestConnsPerHostZero(t *testing.T) {
	for _, n := range []int{0, -1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := loopbackClient(t, Options{MaxConnsPerHost: n})
			if got := c.Options().MaxConnsPerHost; got != DefaultMaxConnsPerHost {
				t.Fatalf("MaxConnsPerHost %d in force, want the default %d", got, DefaultMaxConnsPerHost)
			}
			if c.limiter.limit != DefaultMaxConnsPerHost || c.transport.MaxConnsPerHost != DefaultMaxConnsPerHost {
				t.Fatalf("limiter cap %d, http.Transport cap %d; want %d", c.limiter.limit, c.transport.MaxConnsPerHost, DefaultMaxConnsPerHost)
			}
			var f inFlight
			s := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
				f.enter()
				defer f.leave()
				time.Sleep(5 * time.Millisecond)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			errs := make(chan error, 2*DefaultMaxConnsPerHost)
			for range 2 * DefaultMaxConnsPerHost {
				wg.Go(func() {
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
					_, err := c.Do(ctx, req)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("MaxConnsPerHost %d: %v", n, err)
				}
			}
			if p := f.peak.Load(); p > DefaultMaxConnsPerHost {
				t.Fatalf("peak %d in flight, default cap %d", p, DefaultMaxConnsPerHost)
			}
		})
	}
}
