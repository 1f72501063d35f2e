package node

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// The federation's metrics (docs/deployment.md, "Monitoring"): most are
// read from the live data layer at scrape time by fedCollector; the
// outcomes of deliveries and backfills are counted where they are recorded,
// by wrapping the store's views the federation agent is given (no hook in
// the agent).

// Label cardinality: a federation can have many peers and signers, so the
// per-peer and per-signer series are capped; the rest are summed into one
// series labelled otherLabel.
const (
	maxPeerSeries   = 50
	maxSignerSeries = 50
	otherLabel      = "_other"
	// signerScanTTL is how long one scan of the stored verifications serves
	// scrapes (the scan reads every object's envelope).
	signerScanTTL = 30 * time.Second
)

// Delivery outcomes (interlink_deliveries_total).
const (
	outcomeDelivered = "delivered"
	outcomeRetry     = "retry"
	outcomeDead      = "dead"
)

// countedQueue is the delivery queue that counts each delivery's outcome.
type countedQueue struct {
	storage.Queue
	m *metrics
}

func (q countedQueue) DeliveryDone(ctx context.Context, id string) error {
	return q.m.countDelivery(outcomeDelivered, q.Queue.DeliveryDone(ctx, id))
}

func (q countedQueue) DeliveryRetry(ctx context.Context, id string, next time.Time, status int, errText string) error {
	return q.m.countDelivery(outcomeRetry, q.Queue.DeliveryRetry(ctx, id, next, status, errText))
}

func (q countedQueue) DeliveryDead(ctx context.Context, id string, reason string) error {
	return q.m.countDelivery(outcomeDead, q.Queue.DeliveryDead(ctx, id, reason))
}

// countedFollows is the follow graph that counts finished backfills (the
// agent records each backfill's result with MarkPeer, and only then).
type countedFollows struct {
	storage.Follows
	m *metrics
}

func (f countedFollows) MarkPeer(ctx context.Context, actor string, ok bool, at time.Time, errText string) error {
	outcome := "ok"
	if !ok {
		outcome = "failed"
	}
	f.m.backfills.WithLabelValues(outcome).Inc()
	return f.Follows.MarkPeer(ctx, actor, ok, at, errText)
}

var (
	_ federation.Queue       = countedQueue{}
	_ federation.FollowGraph = countedFollows{}
)

func (m *metrics) countDelivery(outcome string, err error) error {
	if err == nil {
		m.deliveries.WithLabelValues(outcome).Inc()
	}
	return err
}

var (
	descQueueDepth   = prometheus.NewDesc("interlink_delivery_queue_depth", "Deliveries waiting in the queue, by peer host (at most 50 hosts; the rest summed as _other).", []string{"peer"}, nil)
	descQueueAge     = prometheus.NewDesc("interlink_delivery_queue_oldest_age_seconds", "Age of the oldest waiting delivery, by peer host (at most 50 hosts; _other: the oldest of the rest).", []string{"peer"}, nil)
	descQueueDue     = prometheus.NewDesc("interlink_delivery_queue_oldest_due_seconds", "How long the oldest due delivery to a host that is not paused has waited since its next attempt time (0: none due).", nil, nil)
	descQueueStuck   = prometheus.NewDesc("interlink_delivery_queue_stuck", "1 when the oldest due delivery has waited longer than health.stuck_after.", nil, nil)
	descDeadLetters  = prometheus.NewDesc("interlink_delivery_dead_letters", "Dead letters kept, by peer host (at most 50 hosts; the rest summed as _other).", []string{"peer"}, nil)
	descBackfills    = prometheus.NewDesc("interlink_backfills_running", "Backfills of followed peers' outboxes running or waiting to retry.", nil, nil)
	descFollowing    = prometheus.NewDesc("interlink_following_peers", "Peers this node follows, by follow state.", []string{"state"}, nil)
	descFollowFailed = prometheus.NewDesc("interlink_following_peers_failing", "Followed peers whose last exchange (backfill) failed.", nil, nil)
	descOwnChain     = prometheus.NewDesc("interlink_trust_own_chain", "1 for the state of this node's own trust chain: verified, unverified, revoked or unconfigured (no anchor pinned).", []string{"state"}, nil)
	descChainExpiry  = prometheus.NewDesc("interlink_trust_own_chain_expiry_timestamp_seconds", "When the earliest statement of this node's own trust chain expires (Unix time; its superiors re-issue them).", nil, nil)
	descObjExpiry    = prometheus.NewDesc("interlink_trust_own_signatures_expiry_timestamp_seconds", "When the earliest signature of this node's own live objects expires (Unix time; the node re-signs trust.resign_before it).", nil, nil)
	descKeys         = prometheus.NewDesc("interlink_trust_keys", "This node's trust keys by kind (content, federation) and state.", []string{"kind", "state"}, nil)
	descKeyAge       = prometheus.NewDesc("interlink_trust_active_key_created_timestamp_seconds", "When this node's active key of each kind was made (Unix time).", []string{"kind"}, nil)
	descSignerObjs   = prometheus.NewDesc("interlink_trust_signer_objects", "Live object versions by signer and the state of the signer's chain when judged: verified, unverified or revoked (at most 50 signers; the rest summed as _other).", []string{"signer", "state"}, nil)
	descSigners      = prometheus.NewDesc("interlink_trust_signers", "Signers of stored objects by their worst state: revoked, else unverified, else verified.", []string{"state"}, nil)
)

// signerStates are the per-signer chain states: a stored verification's
// status, Invalid shown as revoked (the signer was revoked or its key
// compromised).
var signerStates = []string{protocol.Verified, protocol.Unverified, chainRevoked}

// fedCollector reads the federation's state at scrape time.
type fedCollector struct {
	gate   *gate
	live   *live
	health fedHealth
	keys   func() trust.KeySet // the key ring's snapshot
	now    func() time.Time

	mu      sync.Mutex
	scanned time.Time
	scan    signerScan
}

func (c *fedCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueueDepth, descQueueAge, descQueueDue, descQueueStuck, descDeadLetters, descBackfills,
		descFollowing, descFollowFailed, descOwnChain, descChainExpiry, descObjExpiry, descKeys, descKeyAge, descSignerObjs, descSigners} {
		ch <- d
	}
}

func (c *fedCollector) Collect(ch chan<- prometheus.Metric) {
	c.gate.tryDo(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		c.collectQueue(ctx, ch)
		c.collectFollows(ctx, ch)
		c.collectTrust(ctx, ch)
	})
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func (c *fedCollector) collectQueue(ctx context.Context, ch chan<- prometheus.Metric) {
	stats, err := c.live.store().Queue().QueueStats(ctx)
	if err != nil {
		return
	}
	now := c.now()
	for _, h := range capHosts(stats) {
		c.hostSeries(ch, h.name, h.q, now)
	}
	if q, err := c.health.queue(ctx); err == nil {
		ch <- gauge(descQueueDue, q.OldestDue.Seconds())
		ch <- gauge(descQueueStuck, b2f(q.Stuck))
	}
}

// hostQueue is one host's series.
type hostQueue struct {
	name string
	q    storage.HostQueue
}

// capHosts keeps a series for the maxPeerSeries hosts with the most waiting
// and dead deliveries and sums the rest under otherLabel (the oldest of
// their oldest deliveries).
func capHosts(stats map[string]storage.HostQueue) []hostQueue {
	hosts := make([]hostQueue, 0, len(stats))
	for name, q := range stats {
		hosts = append(hosts, hostQueue{name, q})
	}
	slices.SortFunc(hosts, func(a, b hostQueue) int {
		return cmp.Or(cmp.Compare(b.q.Pending+b.q.Dead, a.q.Pending+a.q.Dead), cmp.Compare(a.name, b.name))
	})
	if len(hosts) <= maxPeerSeries {
		return hosts
	}
	other := hostQueue{name: otherLabel}
	for _, h := range hosts[maxPeerSeries:] {
		other.q.Pending += h.q.Pending
		other.q.Dead += h.q.Dead
		if !h.q.Oldest.IsZero() && (other.q.Oldest.IsZero() || h.q.Oldest.Before(other.q.Oldest)) {
			other.q.Oldest = h.q.Oldest
		}
	}
	return append(hosts[:maxPeerSeries:maxPeerSeries], other)
}

func (c *fedCollector) hostSeries(ch chan<- prometheus.Metric, name string, q storage.HostQueue, now time.Time) {
	ch <- gauge(descQueueDepth, float64(q.Pending), name)
	ch <- gauge(descDeadLetters, float64(q.Dead), name)
	age := 0.0
	if q.Pending > 0 && !q.Oldest.IsZero() {
		age = max(now.Sub(q.Oldest).Seconds(), 0)
	}
	ch <- gauge(descQueueAge, age, name)
}

func (c *fedCollector) collectFollows(ctx context.Context, ch chan<- prometheus.Metric) {
	if fed := c.live.fed(); fed != nil {
		ch <- gauge(descBackfills, float64(fed.BackfillsRunning()))
	}
	counts := map[string]int{storage.FollowPending: 0, storage.FollowAccepted: 0, storage.FollowRejected: 0}
	failing := 0
	after := ""
	for range 100 { // at most 100 pages of 200 peers
		items, next, _, err := c.live.store().Follows().Followings(ctx, after, 200, "")
		if err != nil {
			return
		}
		for _, f := range items {
			counts[f.State]++
			if f.Failures > 0 {
				failing++
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	for state, v := range counts {
		ch <- gauge(descFollowing, float64(v), state)
	}
	ch <- gauge(descFollowFailed, float64(failing))
}

func (c *fedCollector) collectTrust(ctx context.Context, ch chan<- prometheus.Metric) {
	own := c.health.ownChain(ctx)
	for _, s := range chainStates {
		ch <- gauge(descOwnChain, b2f(own.State == s), s)
	}
	if !own.Expires.IsZero() {
		ch <- gauge(descChainExpiry, float64(own.Expires.Unix()))
	}
	for _, k := range c.keyCounts() {
		ch <- k
	}
	scan, ok := c.signers(ctx)
	if !ok {
		return
	}
	if !scan.ownExpiry.IsZero() {
		ch <- gauge(descObjExpiry, float64(scan.ownExpiry.Unix()))
	}
	for _, s := range scan.series {
		for _, state := range signerStates {
			ch <- gauge(descSignerObjs, float64(s.counts[state]), s.signer, state)
		}
	}
	for _, state := range signerStates {
		ch <- gauge(descSigners, float64(scan.signers[state]), state)
	}
}

// keyCounts are the key metrics from the key ring.
func (c *fedCollector) keyCounts() []prometheus.Metric {
	if c.keys == nil {
		return nil
	}
	ks := c.keys()
	counts := map[[2]string]int{}
	var out []prometheus.Metric
	for kind, list := range map[string][]trust.Key{keyKindContent: ks.Content, keyKindFederation: ks.Federation} {
		for _, k := range list {
			counts[[2]string{kind, k.State}]++
			if k.State == trust.KeyActive && !k.Created.IsZero() {
				out = append(out, gauge(descKeyAge, float64(k.Created.Unix()), kind))
			}
		}
	}
	for k, v := range counts {
		out = append(out, gauge(descKeys, float64(v), k[0], k[1]))
	}
	return out
}

// signerScan is what one pass over the stored verifications found.
type signerScan struct {
	series    []signerSeries
	signers   map[string]int // signers by worst state
	ownExpiry time.Time      // earliest expiry of this node's own live signatures
}

type signerSeries struct {
	signer string
	counts map[string]int
}

// signers returns the last scan, scanning again when it is older than
// signerScanTTL.
func (c *fedCollector) signers(ctx context.Context) (signerScan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.scanned.IsZero() && c.now().Sub(c.scanned) < signerScanTTL {
		return c.scan, true
	}
	scan, err := scanSigners(ctx, c.live.store(), c.health.live.trust().Self())
	if err != nil {
		return signerScan{}, false
	}
	c.scan, c.scanned = scan, c.now()
	return scan, true
}

// scanSigners reads every live object's verdict.
func scanSigners(ctx context.Context, st *storage.Store, self string) (signerScan, error) {
	per := map[string]map[string]int{}
	var own time.Time
	err := st.ForEachVerdict(ctx, func(v storage.Verdict) error {
		if v.Origin == self {
			if !v.Expires.IsZero() && (own.IsZero() || v.Expires.Before(own)) {
				own = v.Expires
			}
		}
		state := v.Status
		if state == protocol.Invalid {
			state = chainRevoked
		}
		for _, s := range v.Signers {
			if per[s.EntityID] == nil {
				per[s.EntityID] = map[string]int{}
			}
			per[s.EntityID][state]++
		}
		return nil
	})
	if err != nil {
		return signerScan{}, err
	}
	out := signerScan{signers: map[string]int{}, ownExpiry: own, series: capSigners(per)}
	for _, counts := range per {
		switch {
		case counts[chainRevoked] > 0:
			out.signers[chainRevoked]++
		case counts[protocol.Unverified] > 0:
			out.signers[protocol.Unverified]++
		default:
			out.signers[protocol.Verified]++
		}
	}
	return out, nil
}

// capSigners keeps a series for maxSignerSeries signers, the revoked and
// unverified first (what an operator looks for), then those with the most
// objects, and sums the rest under otherLabel.
func capSigners(per map[string]map[string]int) []signerSeries {
	all := make([]signerSeries, 0, len(per))
	for signer, counts := range per {
		all = append(all, signerSeries{signer, counts})
	}
	total := func(s signerSeries) int {
		return s.counts[chainRevoked] + s.counts[protocol.Unverified] + s.counts[protocol.Verified]
	}
	slices.SortFunc(all, func(a, b signerSeries) int {
		return cmp.Or(cmp.Compare(b.counts[chainRevoked], a.counts[chainRevoked]), cmp.Compare(b.counts[protocol.Unverified], a.counts[protocol.Unverified]),
			cmp.Compare(total(b), total(a)), cmp.Compare(a.signer, b.signer))
	})
	if len(all) <= maxSignerSeries {
		return all
	}
	other := signerSeries{signer: otherLabel, counts: map[string]int{}}
	for _, s := range all[maxSignerSeries:] {
		for k, v := range s.counts {
			other.counts[k] += v
		}
	}
	return append(all[:maxSignerSeries:maxSignerSeries], other)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
