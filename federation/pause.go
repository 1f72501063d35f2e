package federation

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/storage"
)

// Failure awareness: when gossip declares a peer node dead (or gone), its
// deliveries are paused. The delivery loop then skips the host's due
// deliveries without attempting them, so no attempt is counted, no backoff
// grows and the circuit breaker is left alone: no retry storm against a node
// known to be down. When the node is alive again, ResumeHost makes its whole
// queue due at once. The give-up age (max_delivery_age) still applies: a host
// paused that long has its old deliveries moved to the dead letters, as if
// they had been retried all along.

// expireEvery is how often the delivery loop applies the give-up age to
// paused hosts.
const expireEvery = time.Minute

// pauses is the set of paused hosts. The zero value is ready to use.
type pauses struct {
	mu         sync.Mutex
	hosts      map[string]time.Time // host:port → paused since
	lastExpiry time.Time
}

// HostOf is the delivery host of a URL: host:port in lower case, the port
// defaulted from the scheme, as the delivery queue keys hosts
// (storage.Delivery.Host). It is "" for a URL without a host.
func HostOf(rawURL string) string {
	h := hostOf(rawURL)
	if strings.HasPrefix(h, ":") {
		return ""
	}
	return h
}

// PauseHost pauses the deliveries to host (host:port, see HostOf) until
// ResumeHost. Pausing a paused host changes nothing.
func (s *Service) PauseHost(host string) {
	host = strings.ToLower(host)
	if host == "" {
		return
	}
	s.paused.mu.Lock()
	defer s.paused.mu.Unlock()
	if _, ok := s.paused.hosts[host]; ok {
		return
	}
	if s.paused.hosts == nil {
		s.paused.hosts = map[string]time.Time{}
	}
	s.paused.hosts[host] = s.now()
	s.log.Info("deliveries paused: the peer is down", "host", host)
}

// ResumeHost ends the pause of host, closes its circuit, makes every queued
// delivery to it due now (those in backoff included) and wakes the delivery
// loop, so that its queue is flushed at once.
func (s *Service) ResumeHost(host string) {
	host = strings.ToLower(host)
	if host == "" {
		return
	}
	s.paused.mu.Lock()
	since, was := s.paused.hosts[host]
	delete(s.paused.hosts, host)
	s.paused.mu.Unlock()
	s.breaker.success(host)
	n, err := s.queue.MakeHostDue(s.ctx, host, s.now())
	if err != nil && s.ctx.Err() == nil && !errors.Is(err, storage.ErrClosed) {
		s.log.Error("resume deliveries", "host", host, "err", err)
	}
	if was || n > 0 {
		s.log.Info("deliveries resumed: the peer is back", "host", host, "queued_made_due", n, "paused_for", s.now().Sub(since).Round(time.Second))
	}
	s.Kick()
}

// PausedHosts returns the paused hosts and since when.
func (s *Service) PausedHosts() map[string]time.Time {
	s.paused.mu.Lock()
	defer s.paused.mu.Unlock()
	return maps.Clone(s.paused.hosts)
}

// skipHosts are the hosts the delivery loop leaves out at now: open
// circuits and paused hosts.
func (dl *deliverer) skipHosts(now time.Time) map[string]bool {
	s := dl.s
	skip := s.breaker.open(now)
	s.paused.mu.Lock()
	defer s.paused.mu.Unlock()
	for h := range s.paused.hosts {
		skip[h] = true
	}
	return skip
}

// expirePaused applies the give-up age to the queues of paused hosts, at
// most once per expireEvery.
func (dl *deliverer) expirePaused(ctx context.Context) {
	s := dl.s
	now := s.now()
	s.paused.mu.Lock()
	if len(s.paused.hosts) == 0 || now.Sub(s.paused.lastExpiry) < expireEvery {
		s.paused.mu.Unlock()
		return
	}
	s.paused.lastExpiry = now
	hosts := maps.Clone(s.paused.hosts)
	s.paused.mu.Unlock()
	cut := now.Add(-s.cfg.MaxDeliveryAge)
	for host, since := range hosts {
		reason := fmt.Sprintf("not delivered within %s: the peer has been down (gossip) since %s",
			s.cfg.MaxDeliveryAge, since.UTC().Format(time.RFC3339))
		n, err := s.queue.ExpireHost(ctx, host, cut, reason)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, storage.ErrClosed) {
				s.log.Error("expire the deliveries of a paused host", "host", host, "err", err)
			}
			return
		}
		if n > 0 {
			s.log.Warn("paused host: deliveries past the give-up age moved to the dead letters", "host", host, "dead", n)
		}
	}
}
