package transport

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
)

// hostLimiter bounds the requests in flight to one host (scheme, host and
// port), whatever the protocol: http.Transport.MaxConnsPerHost bounds
// connections, and over HTTP/2 one connection carries many requests. A
// slot is held from the moment a hop is sent until its body is closed.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem   chan struct{}
	users int // goroutines holding or waiting for a slot; the entry goes at 0
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: map[string]*hostSlot{}}
}

// acquire waits for a slot for key, or for ctx to end. The returned release
// must be called exactly once.
func (l *hostLimiter) acquire(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	s := l.hosts[key]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, l.limit)}
		l.hosts[key] = s
	}
	s.users++
	l.mu.Unlock()
	done := func() {
		l.mu.Lock()
		s.users--
		if s.users == 0 {
			delete(l.hosts, key)
		}
		l.mu.Unlock()
	}
	select {
	case s.sem <- struct{}{}:
		var once sync.Once
		return func() {
			once.Do(func() {
				<-s.sem
				done()
			})
		}, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}

// size returns the number of hosts with requests in flight or waiting.
func (l *hostLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hosts)
}

func hostKey(r *http.Request) string {
	return strings.ToLower(r.URL.Scheme + "://" + r.URL.Host)
}

// limitedRoundTripper takes a host slot per hop and signs each hop, if asked,
// just before it is sent.
type limitedRoundTripper struct {
	base    http.RoundTripper
	limiter *hostLimiter
	sign    SignFunc
	body    []byte // the request body, for signing each hop that carries it
}

func (rt *limitedRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	release, err := rt.limiter.acquire(r.Context(), hostKey(r))
	if err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	if rt.sign != nil {
		// RoundTrip must not modify its request: sign a copy.
		r = r.Clone(r.Context())
		var body []byte
		if r.Body != nil && r.Body != http.NoBody {
			body = rt.body
		}
		if err := rt.sign(r, body); err != nil {
			if r.Body != nil {
				r.Body.Close()
			}
			release()
			return nil, &signError{err}
		}
	}
	resp, err := rt.base.RoundTrip(r)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releasingBody frees the host slot when the body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// signError marks an error of the caller's SignFunc.
type signError struct{ err error }

func (e *signError) Error() string { return "signing the request: " + e.err.Error() }
func (e *signError) Unwrap() error { return e.err }
