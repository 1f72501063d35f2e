package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/gossip"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// memberChecker checks a gossip member over HTTP and JWS: it fetches the
// entity configuration of entityID and resolves its trust chain. Gossip
// metadata is never trusted by itself: the entity id it carries is a hint.
type memberChecker interface {
	CheckMember(ctx context.Context, entityID string) (MemberTrust, error)
}

// MemberTrust is the result of a member's check.
type MemberTrust struct {
	Verified bool      // the chain leads to a pinned anchor
	Name     string    // the organisation's name in its entity configuration
	Country  string    // its country, as its superior states it
	Anchor   string    // the anchor the chain ends at
	Reason   string    // why it is not verified (or a note)
	Expires  time.Time // the result holds until then (zero: the agent's default)
}

// Trust states of a member (GET /api/v1/members).
const (
	trustVerified   = "verified"   // checked: the chain leads to a pinned anchor
	trustUnverified = "unverified" // checked: it does not
	trustUnchecked  = "unchecked"  // not checked (yet, or discovery off, or no trust layer)
	trustFailed     = "failed"     // the check could not be made (unreachable, invalid documents)
)

// Agent tuning.
const (
	reconcileEvery   = 3 * time.Second  // the agent re-reads the whole membership (events may be dropped)
	checkConcurrency = 4                // member checks at once
	checkTimeout     = 15 * time.Second // one member check
	verifiedTTL      = time.Hour        // a verified result without Expires
	unverifiedTTL    = 10 * time.Minute // an unverified result without Expires
	failedRetryMin   = 5 * time.Second  // first retry of a failed check, doubling
	failedRetryMax   = 10 * time.Minute
	followRetry      = 30 * time.Second // recheck soon after a follow that failed
)

// gossipAgent acts on membership: it pauses and resumes deliveries to
// members that go down and come back, checks new (or changed) members
// through the checker, and follows the verified ones under follow-trusted.
type gossipAgent struct {
	n      *Node
	pool   *gossip.Pool
	self   string
	policy string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sem    chan struct{}

	mu    sync.Mutex
	peers map[string]*peerState
	meta  gossip.Meta // what this node gossips now
}

// peerState is what the agent knows of one other member.
type peerState struct {
	status   string // the status the agent last acted on
	lastSeen time.Time

	trust, reason        string
	org, country, anchor string
	checkedHash          string    // the ECHash the trust result is for
	recheck              time.Time // when the result is stale
	failures             int       // consecutive failed checks
	checking, followed   bool
	followErr            string
}

func newGossipAgent(n *Node, pool *gossip.Pool) *gossipAgent {
	ctx, cancel := context.WithCancel(context.Background())
	return &gossipAgent{n: n, pool: pool, self: n.uris.Base(), policy: n.cfg.Gossip.Discovery,
		ctx: ctx, cancel: cancel, sem: make(chan struct{}, checkConcurrency),
		peers: map[string]*peerState{}, meta: n.gossipMeta()}
}

func (a *gossipAgent) start() {
	a.wg.Add(1)
	go a.run()
}

// stop ends the agent and waits for its checks and follows.
func (a *gossipAgent) stop() {
	a.cancel()
	a.wg.Wait()
}

func (a *gossipAgent) run() {
	defer a.wg.Done()
	tick := time.NewTicker(reconcileEvery)
	defer tick.Stop()
	events := a.pool.Events()
	for {
		select {
		case <-a.ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return // the pool shut down
			}
			a.observe(ev.Member, false)
		case <-tick.C:
			a.refreshMeta()
			for _, m := range a.pool.Members() {
				a.observe(m, true)
			}
		}
	}
}

// refreshMeta gossips new hints (a new entity-configuration hash after a
// key rotation) when they changed.
func (a *gossipAgent) refreshMeta() {
	m := a.n.gossipMeta()
	a.mu.Lock()
	same := m == a.meta
	a.meta = m
	a.mu.Unlock()
	if same {
		return
	}
	if err := a.pool.UpdateMeta(m); err != nil {
		a.n.log.Warn("gossip metadata not updated", "err", err)
	}
}

// observe acts on one member's current state. It is idempotent: events
// trigger it, and the periodic reconcile repeats it for every member.
func (a *gossipAgent) observe(m gossip.Member, reconcile bool) {
	if m.Name == a.self {
		return
	}
	host := federation.HostOf(m.Name)
	now := a.n.now()
	down := m.Status == gossip.StatusDead || m.Status == gossip.StatusLeft
	a.mu.Lock()
	p := a.peers[m.Name]
	if p == nil {
		p = &peerState{trust: trustUnchecked}
		a.peers[m.Name] = p
	}
	wasDown := p.status == gossip.StatusDead || p.status == gossip.StatusLeft
	p.status = m.Status
	if !down {
		p.lastSeen = now
	}
	check := !down && a.needsCheck(p, m, now)
	if check {
		p.checking = true
	}
	a.mu.Unlock()

	if host != "" {
		switch {
		case down && (!wasDown || reconcile):
			// Re-asserted at every reconcile: a restore replaces the
			// federation service, and its pauses with it.
			a.withFed(func(f *federation.Service) { f.PauseHost(host) })
		case !down && wasDown:
			a.withFed(func(f *federation.Service) { f.ResumeHost(host) })
		}
	}
	if check {
		a.wg.Add(1)
		go a.check(m.Name, m.Meta.ECHash)
	}
}

// needsCheck decides whether member m is checked now; a.mu is held.
func (a *gossipAgent) needsCheck(p *peerState, m gossip.Member, now time.Time) bool {
	if a.policy == DiscoveryOff || p.checking {
		return false
	}
	if m.Meta.EntityID != "" && m.Meta.EntityID != m.Name {
		p.trust, p.reason = trustFailed, fmt.Sprintf("its gossip metadata names entity %q, not its member name", m.Meta.EntityID)
		return false
	}
	if a.n.memberCheck == nil {
		p.trust, p.reason = trustUnchecked, "no trust layer to check members with"
		return false
	}
	return p.recheck.IsZero() || !now.Before(p.recheck) || p.checkedHash != m.Meta.ECHash
}

// check runs the member check off the event loop, at most checkConcurrency
// at once, records its result and follows a verified member under
// follow-trusted.
func (a *gossipAgent) check(entityID, ecHash string) {
	defer a.wg.Done()
	select {
	case a.sem <- struct{}{}:
	case <-a.ctx.Done():
		return
	}
	defer func() { <-a.sem }()
	ctx, cancel := context.WithTimeout(a.ctx, checkTimeout)
	res, err := a.n.memberCheck.CheckMember(ctx, entityID)
	cancel()
	if a.ctx.Err() != nil {
		return
	}
	now := a.n.now()
	a.mu.Lock()
	p := a.peers[entityID]
	p.checking, p.checkedHash = false, ecHash
	p.org, p.country, p.anchor = res.Name, res.Country, res.Anchor
	ttl := func(def time.Duration) time.Time {
		if res.Expires.After(now) {
			return res.Expires
		}
		return now.Add(def)
	}
	switch {
	case err != nil:
		p.failures++
		p.trust, p.reason = trustFailed, err.Error()
		p.recheck = now.Add(min(failedRetryMin<<min(p.failures-1, 16), failedRetryMax))
	case res.Verified:
		p.failures = 0
		p.trust, p.reason, p.recheck = trustVerified, res.Reason, ttl(verifiedTTL)
	default:
		p.failures = 0
		p.trust, p.reason, p.recheck = trustUnverified, res.Reason, ttl(unverifiedTTL)
		if p.reason == "" {
			p.reason = "its trust chain does not lead to a pinned anchor"
		}
	}
	follow := a.policy == DiscoveryFollowTrusted && p.trust == trustVerified && !p.followed
	trust, reason := p.trust, p.reason
	a.mu.Unlock()
	a.n.log.Info("gossip member checked", "member", entityID, "trust", trust, "reason", reason)
	if follow {
		a.follow(entityID)
	}
}

// follow follows a verified member once: a follow already recorded (in any
// state) is not repeated; the federation layer backfills once it is accepted.
func (a *gossipAgent) follow(entityID string) {
	actor := protocol.NewURIs(entityID).Actor()
	var err error
	done := false
	a.withFed(func(f *federation.Service) {
		if old, ferr := a.n.live.store().Following(a.ctx, actor); ferr == nil {
			a.n.log.Debug("gossip member already followed", "member", entityID, "state", old.State)
			done = true
			return
		} else if !errors.Is(ferr, storage.ErrNotFound) {
			err = ferr
			return
		}
		var fl storage.Follow
		if fl, err = f.Follow(a.ctx, actor); err == nil {
			done = true
			a.n.log.Info("following a verified gossip member", "member", entityID, "actor", actor, "state", fl.State)
		}
	})
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.peers[entityID]
	if done {
		p.followed, p.followErr = true, ""
		return
	}
	if err == nil {
		err = errors.New("the node is shutting down")
	}
	p.followErr = err.Error()
	if retry := a.n.now().Add(followRetry); retry.Before(p.recheck) {
		p.recheck = retry // checked again, and followed then
	}
	if a.ctx.Err() == nil {
		a.n.log.Warn("could not follow a verified gossip member; retrying", "member", entityID, "err", err, "retry_in", followRetry)
	}
}

// withFed runs fn with the current federation service under the restore
// gate (a restore replaces the service); not once the node is closing.
func (a *gossipAgent) withFed(fn func(*federation.Service)) {
	a.n.gate.do(func() {
		if a.ctx.Err() == nil {
			fn(a.n.live.fed())
		}
	})
}
