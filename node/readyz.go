package node

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// /readyz answers whether the node serves (storage open, search index
// caught up) and, separately, whether its federation is healthy (its own
// trust chain verifies, its delivery queue is not stuck; health.go). The
// node checks decide the status code: 503 while a restore, a shutdown or
// an index rebuild runs. The federation checks report "degraded" in a 200
// answer (the node still serves its catalogue), unless
// health.require_federation is set: then a failing federation check makes
// the answer 503 too.

// Readiness is the body of GET /readyz.
type Readiness struct {
	// Status is "ready", "degraded" (serving, a federation check failed)
	// or "not ready".
	Status string `json:"status"`
	// RequireFederation: health.require_federation (federation checks decide readiness too).
	RequireFederation bool                      `json:"require_federation"`
	Checks            map[string]ReadinessCheck `json:"checks"`
}

// ReadinessCheck is one check: its status ("ok", "failing", "degraded" or
// "skipped") and what it found.
type ReadinessCheck struct {
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Federation: a federation check (degraded rather than failing unless
	// health.require_federation).
	Federation bool `json:"federation,omitempty"`
}

// Check statuses.
const (
	checkOK       = "ok"
	checkFailing  = "failing"
	checkDegraded = "degraded"
	checkSkipped  = "skipped"
)

// readyzTimeout bounds the federation checks (the own chain may need a
// fetch from a superior when its cached copy is old).
const readyzTimeout = 3 * time.Second

func (h *adminAPI) handleReadyz(w http.ResponseWriter, r *http.Request) {
	out := Readiness{Status: "ready", RequireFederation: h.requireFed, Checks: map[string]ReadinessCheck{}}
	w.Header().Set("Cache-Control", "no-store")
	if !h.gate.mu.TryRLock() {
		out.Status = "not ready"
		out.Checks["storage"] = ReadinessCheck{Status: checkFailing, Detail: "a restore is in progress"}
		writeJSON(w, http.StatusServiceUnavailable, out)
		return
	}
	defer h.gate.mu.RUnlock()
	if h.gate.closed.Load() {
		out.Status = "not ready"
		out.Checks["storage"] = ReadinessCheck{Status: checkFailing, Detail: "the node is shutting down"}
		writeJSON(w, http.StatusServiceUnavailable, out)
		return
	}
	out.Checks["storage"] = ReadinessCheck{Status: checkOK}
	ix := h.index()
	if ix.Ready() {
		out.Checks["index"] = ReadinessCheck{Status: checkOK}
	} else {
		out.Status = "not ready"
		out.Checks["index"] = ReadinessCheck{Status: checkFailing,
			Detail: fmt.Sprintf("the search index is catching up with the database (%d of %d changes)", ix.IndexedSeq(), h.store().Seq())}
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyzTimeout)
	defer cancel()
	fedFailed := false
	fail := checkDegraded
	if h.requireFed {
		fail = checkFailing
	}
	switch own := h.health.ownChain(ctx); own.State {
	case chainVerified:
		out.Checks["trust_chain"] = ReadinessCheck{Status: checkOK, Federation: true,
			Detail: fmt.Sprintf("verified to %s until %s", own.Anchor, own.Expires.UTC().Format(time.RFC3339))}
	case chainUnconfigured:
		out.Checks["trust_chain"] = ReadinessCheck{Status: checkSkipped, Federation: true, Detail: own.Reason}
	default:
		fedFailed = true
		out.Checks["trust_chain"] = ReadinessCheck{Status: fail, Federation: true, Detail: "this node's own trust chain is " + own.State + ": " + own.Reason}
	}
	switch q, err := h.health.queue(ctx); {
	case err != nil:
		fedFailed = true
		out.Checks["delivery_queue"] = ReadinessCheck{Status: fail, Federation: true, Detail: err.Error()}
	case q.Stuck:
		fedFailed = true
		out.Checks["delivery_queue"] = ReadinessCheck{Status: fail, Federation: true,
			Detail: fmt.Sprintf("stuck: a delivery to %s has been due for %s (health.stuck_after %s)", q.Host, q.OldestDue.Round(time.Second), h.health.stuckAfter)}
	default:
		d := "no delivery is due"
		if q.OldestDue > 0 {
			d = fmt.Sprintf("the oldest due delivery has waited %s", q.OldestDue.Round(time.Millisecond))
		}
		out.Checks["delivery_queue"] = ReadinessCheck{Status: checkOK, Federation: true, Detail: d}
	}
	status := http.StatusOK
	switch {
	case out.Status == "not ready":
		status = http.StatusServiceUnavailable
	case fedFailed && h.requireFed:
		out.Status, status = "not ready", http.StatusServiceUnavailable
	case fedFailed:
		out.Status = "degraded"
	}
	writeJSON(w, status, out)
}
