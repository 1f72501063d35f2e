package node

import (
	"net/http"
	"sync"
	"sync/atomic"
)

// gate is held shared by every API request and every pass of a background
// job, and exclusively by a restore, which swaps the data layer underneath
// (and by Shutdown, which closes it); closed is set once the node shuts
// down.
type gate struct {
	mu     sync.RWMutex
	closed atomic.Bool
}

// do runs fn holding the gate shared, unless the node is closing; it
// reports whether fn ran.
func (g *gate) do(fn func()) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed.Load() {
		return false
	}
	fn()
	return true
}

// tryDo is do without waiting: it does not run fn while a restore holds
// the gate (metrics are read then, not waited for).
func (g *gate) tryDo(fn func()) bool {
	if !g.mu.TryRLock() {
		return false
	}
	defer g.mu.RUnlock()
	if g.closed.Load() {
		return false
	}
	fn()
	return true
}

// hold holds the gate shared for the duration of a request.
func (g *gate) hold(p web, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.RLock()
		defer g.mu.RUnlock()
		if g.closed.Load() {
			p.writeProblem(w, r, errorf(http.StatusServiceUnavailable, "not-ready", "The node is shutting down", "retry against the restarted node"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
