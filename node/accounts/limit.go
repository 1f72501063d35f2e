package accounts

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/interlink-project/interlink-node/protocol"
)

// ErrTooManyAttempts: sign-in attempts are refused for a while (see
// RetryError).
var ErrTooManyAttempts = errors.New("accounts: too many failed sign-in attempts")

// Scopes of a RetryError.
const (
	ScopeAccount = "account" // the username had too many failures
	ScopeAddress = "address" // the client's address had too many failures
)

// RetryError refuses a sign-in attempt without checking the password: the
// account or the client's address failed too often. A page answers 429
// with a Retry-After of RetryAfter. errors.Is(err, ErrTooManyAttempts) holds.
// An account lock says nothing about whether the username exists: unknown
// usernames are counted and locked the same way.
type RetryError struct {
	Scope      string
	Until      time.Time
	RetryAfter time.Duration // Until minus the time of the attempt, rounded up to a second
}

func (e *RetryError) Error() string {
	what := "this account"
	if e.Scope == ScopeAddress {
		what = "this address"
	}
	return fmt.Sprintf("accounts: too many failed sign-in attempts for %s: retry in %v", what, e.RetryAfter)
}

// Is makes errors.Is(err, ErrTooManyAttempts) hold.
func (e *RetryError) Is(target error) bool { return target == ErrTooManyAttempts }

func retryError(scope string, now, until time.Time) *RetryError {
	d := until.Sub(now)
	if r := d % time.Second; r != 0 {
		d += time.Second - r
	}
	return &RetryError{Scope: scope, Until: until, RetryAfter: d}
}

// entries is a bounded map of per-key state that forgets its least
// recently used key when full (HashiCorp's simplelru). Not safe for
// concurrent use: its owner locks.
type entries[V any] struct{ c *simplelru.LRU[string, *V] }

func newEntries[V any](size int) entries[V] {
	c, err := simplelru.NewLRU[string, *V](max(size, 1), nil)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return entries[V]{c}
}

// get returns the entry of key, marking it used, or nil.
func (e entries[V]) get(key string) *V {
	v, _ := e.c.Get(key)
	return v
}

// add returns the entry of key, creating it (zero) when absent.
func (e entries[V]) add(key string) *V {
	if v, ok := e.c.Get(key); ok {
		return v
	}
	v := new(V)
	e.c.Add(key, v)
	return v
}

func (e entries[V]) remove(key string) { e.c.Remove(key) }

func (e entries[V]) len() int { return e.c.Len() }

// accountLimiter locks a username after MaxFailures failures within
// FailureWindow, for Lockout, doubling with each lock that follows another
// (up to MaxLockout). It tracks at most MaxTracked usernames, known or not.
type accountLimiter struct {
	mu                   sync.Mutex
	max                  int
	window, base, capped time.Duration
	m                    entries[accountState]
}

type accountState struct {
	failures int
	since    time.Time // the first failure of the window
	until    time.Time // locked until
	locks    int       // locks in a row, for the back-off
}

func (l *accountLimiter) check(key string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.m.get(key); st != nil && now.Before(st.until) {
		return retryError(ScopeAccount, now, st.until)
	}
	return nil
}

// fail counts a failure; it returns the end of the lock it started, if it
// started one.
func (l *accountLimiter) fail(key string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.m.add(key)
	if st.failures == 0 || now.Sub(st.since) >= l.window {
		st.failures, st.since = 0, now
	}
	st.failures++
	if st.failures < l.max {
		return time.Time{}
	}
	if !st.until.IsZero() && now.Sub(st.until) >= l.capped {
		st.locks = 0 // a long quiet spell since the last lock forgives
	}
	d := l.base << min(st.locks, 30)
	if d <= 0 || d > l.capped {
		d = l.capped
	}
	st.locks++
	st.failures, st.until = 0, now.Add(d)
	return st.until
}

func (l *accountLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m.remove(key)
}

// addressLimiter is a token bucket per client address that only failures
// drain: Burst failures at once, then one more every Refill. An address
// with an empty bucket may not try at all until it refills. It tracks at
// most MaxTracked addresses.
type addressLimiter struct {
	mu     sync.Mutex
	burst  float64
	refill time.Duration
	m      entries[bucket]
}

type bucket struct {
	tokens float64
	at     time.Time
}

func (b *bucket) fill(now time.Time, burst float64, refill time.Duration) {
	if b.at.IsZero() {
		b.tokens, b.at = burst, now
		return
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(burst, b.tokens+float64(d)/float64(refill))
		b.at = now
	}
}

func (l *addressLimiter) check(key string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m.get(key)
	if b == nil {
		return nil
	}
	b.fill(now, l.burst, l.refill)
	if b.tokens >= 1 {
		return nil
	}
	wait := time.Duration((1 - b.tokens) * float64(l.refill))
	return retryError(ScopeAddress, now, now.Add(wait))
}

func (l *addressLimiter) fail(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m.add(key)
	b.fill(now, l.burst, l.refill)
	b.tokens = max(b.tokens-1, 0)
	return b.tokens < 1
}

// addressKey is the unit the address limiter counts: an IPv4 address, an
// IPv6 /64 (one subscriber's usual allocation), or the clipped text of an
// address that does not parse. addr may carry a port.
func addressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		ap, perr := netip.ParseAddrPort(addr)
		if perr != nil {
			return "?" + protocol.Clip(strings.TrimSpace(addr), 64)
		}
		a = ap.Addr()
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
