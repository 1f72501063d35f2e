package peering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/gossip"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// Discovery policies (gossip.discovery): what a newly seen member leads to.
const (
	DiscoveryFollowTrusted = "follow-trusted" // check new members; follow the verified ones
	DiscoveryAnnounceOnly  = "announce-only"  // check new members and show the result; follow nobody
	DiscoveryOff           = "off"            // neither check nor follow
)

// Trust states of a member (GET /api/v1/members).
const (
	TrustVerified   = "verified"   // checked: the chain leads to a pinned anchor
	TrustUnverified = "unverified" // checked: it does not
	TrustUnchecked  = "unchecked"  // not checked (yet, or discovery off, or no trust layer)
	TrustFailed     = "failed"     // the check could not be made (unreachable, invalid documents)
)

// ReconcileEvery is how often the agent re-reads the whole membership
// (events may be dropped).
const ReconcileEvery = 3 * time.Second

// Agent tuning.
const (
	checkConcurrency = 4                // member checks at once
	checkTimeout     = 15 * time.Second // one member check
	verifiedTTL      = time.Hour        // a verified result without Expires
	unverifiedTTL    = 10 * time.Minute // an unverified result without Expires
	failedRetryMin   = 5 * time.Second  // first retry of a failed check, doubling
	failedRetryMax   = 10 * time.Minute
	followRetry      = 30 * time.Second // recheck soon after a follow that failed
)

// Checker checks a gossip member over HTTP and JWS: it fetches the entity
// configuration of entityID and resolves its trust chain. Gossip metadata is
// never trusted by itself: the entity id it carries is a hint.
type Checker interface {
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

// Federation is what the agent asks of the node's federation agent
// (*federation.Service).
type Federation interface {
	PauseHost(host string)
	ResumeHost(host string)
	FollowOnce(ctx context.Context, actor string) (storage.Follow, bool, error)
}

// Config is what the agent is built with.
type Config struct {
	Pool   *gossip.Pool
	Self   string // this node's member name: its public URL
	Policy string // a Discovery policy
	// Checker checks members; nil: members stay unchecked and
	// follow-trusted follows nobody.
	Checker Checker
	// Meta is what this node gossips about itself now; the agent gossips
	// it again when it changes (a new entity-configuration hash after a key
	// rotation).
	Meta func() gossip.Meta
	// Do runs fn with the node's current federation agent (a restore
	// replaces it) under the node's restore gate; it does not run fn once
	// the node is closing.
	Do  func(fn func(Federation))
	Now func() time.Time
	Log *slog.Logger
}

// Agent acts on membership: it pauses and resumes deliveries to members
// that go down and come back, checks new (or changed) members through the
// checker, and follows the verified ones under follow-trusted.
type Agent struct {
	cfg Config

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

// New returns the agent of cfg; Start runs it.
func New(cfg Config) *Agent {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Agent{cfg: cfg, ctx: ctx, cancel: cancel, sem: make(chan struct{}, checkConcurrency),
		peers: map[string]*peerState{}, meta: cfg.Meta()}
}

// Pool is the gossip pool the agent watches.
func (a *Agent) Pool() *gossip.Pool { return a.cfg.Pool }

// Start runs the agent until Stop.
func (a *Agent) Start() {
	a.wg.Add(1)
	go a.run()
}

// Stop ends the agent and waits for its checks and follows.
func (a *Agent) Stop() {
	a.cancel()
	a.wg.Wait()
}

// Leave leaves the pool within timeout (so that the others pause their
// deliveries to this node at once instead of after failure detection),
// shuts it down and stops the agent.
func (a *Agent) Leave(timeout time.Duration) error {
	var errs []error
	if err := a.cfg.Pool.Leave(max(timeout, 0)); err != nil {
		errs = append(errs, err)
	}
	if err := a.cfg.Pool.Shutdown(); err != nil {
		errs = append(errs, err)
	}
	a.Stop()
	if len(errs) > 0 {
		return fmt.Errorf("leave the gossip pool: %w", errs[0])
	}
	return nil
}

func (a *Agent) run() {
	defer a.wg.Done()
	tick := time.NewTicker(ReconcileEvery)
	defer tick.Stop()
	events := a.cfg.Pool.Events()
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
			for _, m := range a.cfg.Pool.Members() {
				a.observe(m, true)
			}
		}
	}
}

// refreshMeta gossips new hints (a new entity-configuration hash after a
// key rotation) when they changed.
func (a *Agent) refreshMeta() {
	m := a.cfg.Meta()
	a.mu.Lock()
	same := m == a.meta
	a.meta = m
	a.mu.Unlock()
	if same {
		return
	}
	if err := a.cfg.Pool.UpdateMeta(m); err != nil {
		a.cfg.Log.Warn("gossip metadata not updated", "err", err)
	}
}

// observe acts on one member's current state. It is idempotent: events
// trigger it, and the periodic reconcile repeats it for every member.
func (a *Agent) observe(m gossip.Member, reconcile bool) {
	if m.Name == a.cfg.Self {
		return
	}
	host := federation.HostOf(m.Name)
	now := a.cfg.Now()
	down := m.Status == gossip.StatusDead || m.Status == gossip.StatusLeft
	a.mu.Lock()
	p := a.peers[m.Name]
	if p == nil {
		p = &peerState{trust: TrustUnchecked}
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
			a.withFed(func(f Federation) { f.PauseHost(host) })
		case !down && wasDown:
			a.withFed(func(f Federation) { f.ResumeHost(host) })
		}
	}
	if check {
		a.wg.Add(1)
		go a.check(m.Name, m.Meta.ECHash)
	}
}

// needsCheck decides whether member m is checked now; a.mu is held.
func (a *Agent) needsCheck(p *peerState, m gossip.Member, now time.Time) bool {
	if a.cfg.Policy == DiscoveryOff || p.checking {
		return false
	}
	if m.Meta.EntityID != "" && m.Meta.EntityID != m.Name {
		p.trust, p.reason = TrustFailed, fmt.Sprintf("its gossip metadata names entity %q, not its member name", m.Meta.EntityID)
		return false
	}
	if a.cfg.Checker == nil {
		p.trust, p.reason = TrustUnchecked, "no trust layer to check members with"
		return false
	}
	return p.recheck.IsZero() || !now.Before(p.recheck) || p.checkedHash != m.Meta.ECHash
}

// check runs the member check off the event loop, at most checkConcurrency
// at once, records its result and follows a verified member under
// follow-trusted.
func (a *Agent) check(entityID, ecHash string) {
	defer a.wg.Done()
	select {
	case a.sem <- struct{}{}:
	case <-a.ctx.Done():
		return
	}
	defer func() { <-a.sem }()
	ctx, cancel := context.WithTimeout(a.ctx, checkTimeout)
	res, err := a.cfg.Checker.CheckMember(ctx, entityID)
	cancel()
	if a.ctx.Err() != nil {
		return
	}
	now := a.cfg.Now()
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
		p.trust, p.reason = TrustFailed, err.Error()
		p.recheck = now.Add(min(failedRetryMin<<min(p.failures-1, 16), failedRetryMax))
	case res.Verified:
		p.failures = 0
		p.trust, p.reason, p.recheck = TrustVerified, res.Reason, ttl(verifiedTTL)
	default:
		p.failures = 0
		p.trust, p.reason, p.recheck = TrustUnverified, res.Reason, ttl(unverifiedTTL)
		if p.reason == "" {
			p.reason = "its trust chain does not lead to a pinned anchor"
		}
	}
	follow := a.cfg.Policy == DiscoveryFollowTrusted && p.trust == TrustVerified && !p.followed
	trust, reason := p.trust, p.reason
	a.mu.Unlock()
	a.cfg.Log.Info("gossip member checked", "member", entityID, "trust", trust, "reason", reason)
	if follow {
		a.follow(entityID)
	}
}

// follow follows a verified member once: a follow already recorded (in any
// state) is not repeated; the federation layer backfills once it is accepted.
func (a *Agent) follow(entityID string) {
	actor := protocol.NewURIs(entityID).Actor()
	var err error
	done := false
	a.withFed(func(f Federation) {
		fl, existed, ferr := f.FollowOnce(a.ctx, actor)
		switch {
		case ferr != nil:
			err = ferr
		case existed:
			a.cfg.Log.Debug("gossip member already followed", "member", entityID, "state", fl.State)
			done = true
		default:
			done = true
			a.cfg.Log.Info("following a verified gossip member", "member", entityID, "actor", actor, "state", fl.State)
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
	if retry := a.cfg.Now().Add(followRetry); retry.Before(p.recheck) {
		p.recheck = retry // checked again, and followed then
	}
	if a.ctx.Err() == nil {
		a.cfg.Log.Warn("could not follow a verified gossip member; retrying", "member", entityID, "err", err, "retry_in", followRetry)
	}
}

// withFed runs fn with the current federation agent, not once the agent
// stops or the node is closing.
func (a *Agent) withFed(fn func(Federation)) {
	a.cfg.Do(func(f Federation) {
		if a.ctx.Err() == nil {
			fn(f)
		}
	})
}
