package transport

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is a loopback test server on a chosen 127.0.0.x address that counts
// the requests reaching it.
type server struct {
	*httptest.Server
	hits  atomic.Int64
	conns atomic.Int64 // new connections accepted
}

func newServer(t *testing.T, ip string, tls bool, h http.HandlerFunc) *server {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s (loopback aliases unavailable?): %v", ip, err)
	}
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	s.Listener.Close()
	s.Listener = ln
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// loopbackClient allows private networks (a test federation's setting).
func loopbackClient(t *testing.T, opts Options) *Client {
	t.Helper()
	opts.AllowPrivateNetworks = true
	c := New(opts)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func get(t *testing.T, c *Client, url string) (*Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(context.Background(), req)
}

func ok(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }

// TestGuardEndToEnd: with private networks not allowed, a loopback server is
// never reached, by IP or by a name resolving to it; allowed, it is.
func TestGuardEndToEnd(t *testing.T) {
	s := newServer(t, "127.0.0.1", false, ok)
	strict := New(Options{})
	t.Cleanup(strict.CloseIdleConnections)
	port := s.Listener.Addr().(*net.TCPAddr).Port
	for _, u := range []string{s.URL + "/actor", fmt.Sprintf("http://localhost:%d/actor", port)} {
		_, err := get(t, strict, u)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("GET %s = %v, want ErrForbiddenAddress", u, err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1") && !strings.Contains(err.Error(), "::1") {
			t.Fatalf("error does not name the address: %v", err)
		}
	}
	if n := s.hits.Load(); n != 0 {
		t.Fatalf("guarded client reached the server %d times", n)
	}
	resp, err := get(t, loopbackClient(t, Options{}), s.URL+"/actor")
	if err != nil || resp.Status != 200 || string(resp.Body) != "ok" {
		t.Fatalf("allowed client: %+v, %v", resp, err)
	}
}

func TestSchemeRefused(t *testing.T) {
	c := loopbackClient(t, Options{})
	for _, u := range []string{"file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://127.0.0.1/x", "data:text/plain,x", "ws://127.0.0.1/"} {
		if _, err := get(t, c, u); !errors.Is(err, ErrScheme) {
			t.Errorf("GET %s = %v, want ErrScheme", u, err)
		}
	}
	if _, err := get(t, c, "http:///no-host"); err == nil {
		t.Error("URL without host accepted")
	}
}

func TestSizeCap(t *testing.T) {
	const limit = 64 << 10
	text := strings.Repeat("interlink ", 1000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    error
		body    string
	}{
		{"exactly the cap", func(w http.ResponseWriter, _ *http.Request) {
			w.Write(bytes.Repeat([]byte("a"), limit))
		}, nil, strings.Repeat("a", limit)},
		{"Content-Length exactly the cap", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(limit))
			w.Write(bytes.Repeat([]byte("a"), limit))
		}, nil, strings.Repeat("a", limit)},
		{"Content-Length one under the cap", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(limit-1))
			w.Write(bytes.Repeat([]byte("a"), limit-1))
		}, nil, strings.Repeat("a", limit-1)},
		{"chunked, one over the cap", func(w http.ResponseWriter, _ *http.Request) {
			w.Write(bytes.Repeat([]byte("a"), limit))
			w.(http.Flusher).Flush()
			w.Write([]byte("a"))
		}, ErrTooLarge, ""},
		{"Content-Length over the cap", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(limit+1))
			w.Write(bytes.Repeat([]byte("a"), limit+1))
		}, ErrTooLarge, ""},
		{"chunked over the cap", func(w http.ResponseWriter, _ *http.Request) {
			for i := 0; i < 3; i++ {
				w.Write(bytes.Repeat([]byte("a"), limit/2))
				w.(http.Flusher).Flush()
			}
		}, ErrTooLarge, ""},
		{"gzip decoded transparently", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			io.WriteString(gz, text)
			gz.Close()
		}, nil, text},
		{"endless gzip bomb stops at the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			zeros := make([]byte, 64<<10)
			for r.Context().Err() == nil {
				if _, err := gz.Write(zeros); err != nil {
					return
				}
			}
		}, ErrTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, "127.0.0.1", false, tt.handler)
			c := loopbackClient(t, Options{MaxResponseBytes: limit, TotalTimeout: 10 * time.Second})
			resp, err := get(t, c, s.URL)
			if tt.want != nil {
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "127.0.0.1") {
					t.Fatalf("err = %v, want %v naming the host", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if string(resp.Body) != tt.body {
				t.Fatalf("resp = %d bytes, want %d", len(resp.Body), len(tt.body))
			}
		})
	}
}

// redirector serves /r/N → 302 to /r/N-1, and /r/0 → 200.
func redirector(w http.ResponseWriter, r *http.Request) {
	var n int
	if _, err := fmt.Sscanf(r.URL.Path, "/r/%d", &n); err != nil || n == 0 {
		io.WriteString(w, "done")
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
}

func TestRedirects(t *testing.T) {
	s := newServer(t, "127.0.0.1", false, redirector)
	c := loopbackClient(t, Options{})
	resp, err := get(t, c, s.URL+"/r/3")
	if err != nil || string(resp.Body) != "done" || resp.URL.Path != "/r/0" {
		t.Fatalf("3 redirects: %+v, %v", resp, err)
	}
	if _, err := get(t, c, s.URL+"/r/4"); !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("4 redirects: %v", err)
	}
	none := loopbackClient(t, Options{MaxRedirects: -1})
	if _, err := get(t, none, s.URL+"/r/1"); !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("redirects disabled: %v", err)
	}
	if resp, err := get(t, none, s.URL+"/r/0"); err != nil || resp.Status != 200 {
		t.Fatalf("no redirect needed: %v", err)
	}

	to := func(loc string) string {
		srv := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, loc, http.StatusFound)
		})
		return srv.URL
	}
	for _, loc := range []string{"file:///etc/passwd", "gopher://127.0.0.1:70/_GET", "ftp://127.0.0.1/"} {
		if _, err := get(t, c, to(loc)); !errors.Is(err, ErrScheme) {
			t.Errorf("redirect to %s: %v, want ErrScheme", loc, err)
		}
	}
}

// Equivalent mutant: transport.go:236:25 CONDITIONALS_BOUNDARY — checkRedirect's
// "c.opts.MaxRedirects < 0" made "<= 0" differs only when MaxRedirects is 0,
// which a Client never holds: withDefaults turns 0 into DefaultMaxRedirects
// (the rows with max 0 below) and c.opts is set nowhere else.

// TestRedirectCount: exactly MaxRedirects hops are followed, one more is
// ErrTooManyRedirects; a negative MaxRedirects follows none.
func TestRedirectCount(t *testing.T) {
	s := newServer(t, "127.0.0.1", false, redirector)
	tests := []struct {
		max   int // Options.MaxRedirects
		chain int // redirects before the final answer
		ok    bool
	}{
		{1, 0, true},
		{1, 1, true},
		{1, 2, false},
		{2, 2, true},
		{2, 3, false},
		{0, DefaultMaxRedirects, true}, // 0 takes the default
		{0, DefaultMaxRedirects + 1, false},
		{5, 5, true},
		{5, 6, false},
		{-1, 0, true},
		{-1, 1, false},
		{-5, 1, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max %d, %d hops", tt.max, tt.chain), func(t *testing.T) {
			before := s.hits.Load()
			resp, err := get(t, loopbackClient(t, Options{MaxRedirects: tt.max}), fmt.Sprintf("%s/r/%d", s.URL, tt.chain))
			if tt.ok {
				if err != nil || string(resp.Body) != "done" || resp.URL.Path != "/r/0" {
					t.Fatalf("resp %+v, err %v", resp, err)
				}
			} else if !errors.Is(err, ErrTooManyRedirects) {
				t.Fatalf("err = %v, want ErrTooManyRedirects", err)
			}
			// Requests sent: the first and each hop followed.
			want := int64(tt.chain + 1)
			if !tt.ok {
				want = int64(max(tt.max, 0) + 1)
				if tt.max == 0 {
					want = DefaultMaxRedirects + 1
				}
			}
			if n := s.hits.Load() - before; n != want {
				t.Fatalf("%d requests sent, want %d", n, want)
			}
		})
	}
}

// TestRedirectRechecked: the first hop's address is exempted for the test,
// and the redirect into another loopback address is refused by the real
// policy at dial time, before the second server sees anything.
func TestRedirectRechecked(t *testing.T) {
	inner := newServer(t, "127.0.0.2", false, ok)
	innerPort := inner.Listener.Addr().(*net.TCPAddr).Port
	for _, loc := range []string{inner.URL + "/secret", fmt.Sprintf("http://localhost:%d/secret", innerPort)} {
		outer := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, loc, http.StatusTemporaryRedirect)
		})
		outerAddr := netip.MustParseAddrPort(outer.Listener.Addr().String())
		c := newClient(Options{}, testHooks{exempt: func(ap netip.AddrPort) bool { return ap == outerAddr }})
		_, err := get(t, c, outer.URL+"/start")
		c.CloseIdleConnections()
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("redirect to %s: %v, want ErrForbiddenAddress", loc, err)
		}
		if outer.hits.Load() != 1 || inner.hits.Load() != 0 {
			t.Fatalf("hits: outer %d, inner %d", outer.hits.Load(), inner.hits.Load())
		}
	}
}

func TestNoDowngrade(t *testing.T) {
	plain := newServer(t, "127.0.0.1", false, ok)
	secure := newServer(t, "127.0.0.1", true, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/x", http.StatusFound)
	})
	c := newClient(Options{AllowPrivateNetworks: true},
		testHooks{tlsConfig: secure.Client().Transport.(*http.Transport).TLSClientConfig})
	t.Cleanup(c.CloseIdleConnections)
	if _, err := get(t, c, secure.URL); !errors.Is(err, ErrScheme) {
		t.Fatalf("https → http redirect: %v, want ErrScheme", err)
	}
	if plain.hits.Load() != 0 {
		t.Fatal("downgraded hop was sent")
	}
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	slowHeaders := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) { wait(r) })
	slowBody := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		wait(r)
	})
	tests := []struct {
		name string
		opts Options
		url  string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"response headers", Options{ReadTimeout: 100 * time.Millisecond}, slowHeaders.URL, nil, ErrTimeout},
		{"total, slow body", Options{TotalTimeout: 200 * time.Millisecond}, slowBody.URL, nil, ErrTimeout},
		{"caller deadline", Options{}, slowHeaders.URL, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, ErrTimeout},
		{"caller cancels", Options{}, slowBody.URL, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loopbackClient(t, tt.opts)
			ctx, cancel := context.Background(), func() {}
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
			start := time.Now()
			_, err := c.Do(ctx, req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == context.Canceled && errors.Is(err, ErrTimeout) {
				t.Fatalf("cancellation reported as a timeout: %v", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %s", d)
			}
		})
	}
}

// TestPooling: sequential requests to one peer reuse one kept-alive
// connection.
func TestPooling(t *testing.T) {
	s := newServer(t, "127.0.0.1", false, ok)
	c := loopbackClient(t, Options{})
	for i := 0; i < 20; i++ {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/inbox", strings.NewReader(`{"n":1}`))
		if _, err := c.Do(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("%d connections for 20 requests", n)
	}
}

// TestPerHostLimit: no more than MaxConnsPerHost requests are in flight to a
// host at once, and the limit is reached.
func TestPerHostLimit(t *testing.T) {
	var cur, peak atomic.Int64
	s := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		cur.Add(-1)
	})
	c := loopbackClient(t, Options{MaxConnsPerHost: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			_, err := get(t, c, s.URL)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p != 2 {
		t.Fatalf("peak concurrency %d, want 2", p)
	}
	if n := c.limiter.size(); n != 0 {
		t.Fatalf("limiter holds %d hosts after all requests ended", n)
	}
}

func TestResponseAndHeaders(t *testing.T) {
	var gotUA []string
	var mu sync.Mutex
	s := newServer(t, "127.0.0.1", false, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotUA = append(gotUA, r.UserAgent())
		mu.Unlock()
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusGone)
		io.WriteString(w, "gone")
	})
	c := loopbackClient(t, Options{UserAgent: "interlink-node/test (+https://127.0.0.1)"})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/inbox", nil)
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusGone || resp.Header.Get("Retry-After") != "120" || string(resp.Body) != "gone" {
		t.Fatalf("response %+v", resp)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL+"/inbox", nil)
	req.Header.Set("User-Agent", "custom")
	if _, err := c.Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(gotUA) != 2 || gotUA[0] != "interlink-node/test (+https://127.0.0.1)" || gotUA[1] != "custom" {
		t.Fatalf("User-Agents %q", gotUA)
	}
	if o := New(Options{}).Options(); o.ConnectTimeout != 5*time.Second || o.ReadTimeout != 10*time.Second ||
		o.TotalTimeout != 30*time.Second || o.MaxResponseBytes != 1<<20 || o.MaxRedirects != 3 || o.MaxConnsPerHost != 4 || o.AllowPrivateNetworks {
		t.Fatalf("defaults %+v", o)
	}
}

// TestErrorNamesRequest: an error names the request's method (GET when the
// request has none) and URL, and a refused dial names the address, port
// included.
func TestErrorNamesRequest(t *testing.T) {
	s := newServer(t, "127.0.0.1", false, ok)
	strict := New(Options{})
	t.Cleanup(strict.CloseIdleConnections)
	addr := s.Listener.Addr().String()
	tests := []struct {
		method, url string
		want        error
		prefix      string
		contains    string
	}{
		{"", "ftp://127.0.0.1/x", ErrScheme, "transport: GET ftp://127.0.0.1/x: ", ""},
		{http.MethodGet, "ftp://127.0.0.1/x", ErrScheme, "transport: GET ftp://127.0.0.1/x: ", ""},
		{http.MethodPost, "ftp://127.0.0.1/x", ErrScheme, "transport: POST ftp://127.0.0.1/x: ", ""},
		{http.MethodDelete, "gopher://127.0.0.1/x", ErrScheme, "transport: DELETE gopher://127.0.0.1/x: ", ""},
		{"", s.URL + "/actor", ErrForbiddenAddress, "transport: GET " + s.URL + "/actor: ", "connecting to " + addr + ": "},
		{http.MethodPost, s.URL + "/inbox", ErrForbiddenAddress, "transport: POST " + s.URL + "/inbox: ", "connecting to " + addr + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Method = tt.method // NewRequest turns "" into GET
			_, err = strict.Do(context.Background(), req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.prefix) || !strings.Contains(msg, tt.contains) {
				t.Fatalf("err = %q, want it to start with %q and contain %q", msg, tt.prefix, tt.contains)
			}
		})
	}
	if n := s.hits.Load(); n != 0 {
		t.Fatalf("guarded client reached the server %d times", n)
	}
}
