package federation

import (
	"sync"
	"time"
)

// breaker is a per-host circuit breaker: after `failures` consecutive
// failures a host is skipped for `cooldown`, then tried again (half open:
// one more failure re-opens it at once).
type breaker struct {
	failures int
	cooldown time.Duration
	mu       sync.Mutex
	hosts    map[string]*hostState
}

type hostState struct {
	consecutive int
	openUntil   time.Time
}

func newBreaker(failures int, cooldown time.Duration) *breaker {
	return &breaker{failures: failures, cooldown: cooldown, hosts: map[string]*hostState{}}
}

func (b *breaker) success(host string) {
	b.mu.Lock()
	delete(b.hosts, host)
	b.mu.Unlock()
}

func (b *breaker) failure(host string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.hosts[host]
	if h == nil {
		h = &hostState{}
		b.hosts[host] = h
	}
	h.consecutive++
	if h.consecutive >= b.failures {
		h.openUntil = now.Add(b.cooldown)
	}
}

// open lists the hosts whose circuit is open at now.
func (b *breaker) open(now time.Time) map[string]bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]bool{}
	for host, h := range b.hosts {
		if now.Before(h.openUntil) {
			out[host] = true
		}
	}
	return out
}

// state reports a host's consecutive failures and whether it is open.
func (b *breaker) state(host string, now time.Time) (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.hosts[host]
	if h == nil {
		return 0, false
	}
	return h.consecutive, now.Before(h.openUntil)
}
