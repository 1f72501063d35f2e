package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Set holds the faults in force for one node. It is safe for concurrent use;
// readers see one consistent snapshot.
type Set struct {
	cur atomic.Pointer[snapshot]
}

type snapshot struct {
	f       Faults
	blocked map[string]bool
}

// NewSet returns a Set with no faults.
func NewSet() *Set {
	s := &Set{}
	s.cur.Store(&snapshot{blocked: map[string]bool{}})
	return s
}

// Replace puts f in force at once, replacing every earlier fault.
func (s *Set) Replace(f Faults) {
	snap := &snapshot{f: f, blocked: make(map[string]bool, len(f.Partition))}
	snap.f.Partition = append([]string(nil), f.Partition...)
	for _, a := range f.Partition {
		snap.blocked[a] = true
	}
	s.cur.Store(snap)
}

// Get returns the faults in force.
func (s *Set) Get() Faults {
	f := s.cur.Load().f
	f.Partition = append([]string(nil), f.Partition...)
	return f
}

// Latency is the delay added before each outbound send.
func (s *Set) Latency() time.Duration { return s.cur.Load().f.Latency }

// Skew is the clock skew.
func (s *Set) Skew() time.Duration { return s.cur.Load().f.ClockSkew }

// Blocked reports whether addr ("host:port" or "host") is partitioned away:
// its exact host:port, or its host alone, is listed.
func (s *Set) Blocked(addr string) bool {
	snap := s.cur.Load()
	if len(snap.blocked) == 0 {
		return false
	}
	addr = strings.ToLower(addr)
	if snap.blocked[addr] {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	return err == nil && snap.blocked[host]
}

// Clock returns base shifted by the skew in force at each reading.
func (s *Set) Clock(base func() time.Time) func() time.Time {
	if base == nil {
		base = time.Now
	}
	return func() time.Time { return base().Add(s.Skew()) }
}

// ErrPartitioned is what a send to a partitioned address fails with. The
// error also matches syscall.ECONNREFUSED, so callers treat it exactly as a
// peer that is down.
var ErrPartitioned = errors.New("partitioned away by a testing fault")

// partitionError is a refused connection caused by a partition.
type partitionError struct{ addr string }

func (e *partitionError) Error() string {
	return fmt.Sprintf("connect to %s: connection refused (%v)", e.addr, ErrPartitioned)
}

func (e *partitionError) Is(target error) bool {
	return target == ErrPartitioned || target == syscall.ECONNREFUSED
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WrapRoundTripper returns rt behind the faults: a request to a blocked
// host:port fails with an error matching ErrPartitioned and
// syscall.ECONNREFUSED before anything is sent, and every other request
// waits the latency first.
func (s *Set) WrapRoundTripper(rt http.RoundTripper) http.RoundTripper {
	return &roundTripper{s: s, next: rt}
}

type roundTripper struct {
	s    *Set
	next http.RoundTripper
}

func (t *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	addr := requestAddr(r)
	if t.s.Blocked(addr) {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &partitionError{addr: addr}}
	}
	if err := sleep(r.Context(), t.s.Latency()); err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(r)
}

// CloseIdleConnections passes through to the wrapped transport.
func (t *roundTripper) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// requestAddr is the request's host:port, the port filled in from the scheme.
func requestAddr(r *http.Request) string {
	host, port := r.URL.Hostname(), r.URL.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(r.URL.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}
