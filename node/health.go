package node

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// This file computes the federation's own health, which /readyz reports
// beside the node's (readyz.go) and the metrics export (metrics_fed.go):
// whether the node's own trust chain verifies and whether its delivery
// queue is stuck. Both read the live data layer when asked.

// HealthConfig configures /readyz (docs/deployment.md, "Health").
type HealthConfig struct {
	// StuckAfter: the delivery queue is stuck when a delivery to a host
	// that is not paused has been due (its next attempt time passed) for
	// longer than this without being attempted. A peer that is merely down
	// does not make the queue stuck: its deliveries wait in back-off, not
	// due; a stuck queue means this node's deliverer is not keeping up.
	StuckAfter time.Duration `yaml:"stuck_after"`
	// RequireFederation makes /readyz answer 503 when a federation check
	// (own trust chain, delivery queue) fails; by default those checks
	// report "degraded" in a 200 answer, since the node still serves.
	RequireFederation bool `yaml:"require_federation"`
}

// Own trust chain states (metrics and /readyz).
const (
	chainVerified     = "verified"
	chainUnverified   = "unverified"
	chainRevoked      = "revoked"
	chainUnconfigured = "unconfigured" // no anchor is pinned: nothing can verify a chain
)

// chainStates are the own chain states, in the order the metrics list them.
var chainStates = []string{chainVerified, chainUnverified, chainRevoked, chainUnconfigured}

// ownChain is the state of this node's own trust chain.
type ownChain struct {
	State   string
	Expires time.Time // earliest expiry of the chain's statements (verified or revoked)
	Anchor  string
	Reason  string // why not verified
}

// queueHealth is the delivery queue's health.
type queueHealth struct {
	// OldestDue is how long the oldest due delivery (to a host that is not
	// paused) has waited since its next attempt time; zero: none due.
	OldestDue time.Duration
	Host      string // its host
	Stuck     bool   // OldestDue > health.stuck_after
}

// fedHealth computes the federation checks from the live data layer.
type fedHealth struct {
	live       *live
	now        func() time.Time
	stuckAfter time.Duration
}

// queue reports the delivery queue's health.
func (h fedHealth) queue(ctx context.Context) (queueHealth, error) {
	st, fed := h.live.store(), h.live.fed()
	if st == nil || fed == nil {
		return queueHealth{}, errors.New("the data layer is not open")
	}
	skip := map[string]bool{}
	for host := range fed.PausedHosts() {
		skip[host] = true
	}
	now := h.now()
	due, err := st.Queue().DueDeliveries(ctx, now, 1, skip)
	if err != nil {
		return queueHealth{}, fmt.Errorf("delivery queue: %w", err)
	}
	var q queueHealth
	if len(due) == 1 {
		q.OldestDue, q.Host = max(now.Sub(due[0].NextAttempt), 0), due[0].Host
		q.Stuck = q.OldestDue > h.stuckAfter
	}
	return q, nil
}

// ownChain resolves this node's own chain through the resolver's cache
// (fetched again after trust.reverify_interval): a probe every few
// seconds does not make the node fetch its superiors' statements each time.
func (h fedHealth) ownChain(ctx context.Context) ownChain {
	tr := h.live.trust()
	if tr == nil {
		return ownChain{State: chainUnverified, Reason: "the data layer is not open"}
	}
	if len(tr.Config().Anchors) == 0 {
		return ownChain{State: chainUnconfigured, Reason: "no trust anchor is pinned (trust.anchors)"}
	}
	ch, err := tr.Resolver().Resolve(ctx, tr.Self())
	if err != nil {
		return ownChain{State: chainUnverified, Reason: err.Error()}
	}
	out := ownChain{State: chainVerified, Expires: ch.Expires, Anchor: ch.Anchor}
	if !ch.RevokedAt.IsZero() {
		out.State, out.Reason = chainRevoked, "revoked at "+ch.RevokedAt.UTC().Format(time.RFC3339)
	}
	return out
}

// health is the node's federation checks.
func (n *Node) health() fedHealth {
	return fedHealth{live: &n.live, now: n.now, stuckAfter: n.cfg.Health.StuckAfter}
}
