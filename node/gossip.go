package node

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/gossip"
	"github.com/interlink-project/interlink-node/federation/peering"
)

// Discovery policies (gossip.discovery), as the gossip agent
// (federation/peering) applies them.
const (
	DiscoveryFollowTrusted = peering.DiscoveryFollowTrusted // check new members; follow the verified ones
	DiscoveryAnnounceOnly  = peering.DiscoveryAnnounceOnly  // check new members and show the result; follow nobody
	DiscoveryOff           = peering.DiscoveryOff           // neither check nor follow
)

// GossipConfig configures the node's membership in its federation's gossip
// pool (docs/gossip.md). Gossip is off unless Bind is set.
type GossipConfig struct {
	// Bind is the IP:PORT gossip listens on, TCP and UDP; empty: gossip off.
	Bind string `yaml:"bind"`
	// Advertise is the IP:PORT other members reach; default Bind.
	Advertise string `yaml:"advertise"`
	// Seeds are host:port of members to join through (retried in the
	// background until one answers).
	Seeds []string `yaml:"seeds"`
	// Keyring holds the federation's gossip keys, base64 AES-256 (32
	// bytes); the first encrypts, every one decrypts (rotation).
	Keyring []string `yaml:"keyring"`
	// Profile tunes failure detection and convergence: local, lan or wan.
	Profile string `yaml:"profile"`
	// Discovery decides what a newly seen member leads to:
	// follow-trusted, announce-only or off.
	Discovery string `yaml:"discovery"`
}

func gossipDefaults() GossipConfig {
	return GossipConfig{Profile: gossip.ProfileLAN, Discovery: DiscoveryAnnounceOnly}
}

// validate checks the section; bad names the setting. publicURL is the
// member name.
func (g *GossipConfig) validate(publicURL string, bad func(key, format string, args ...any)) {
	switch g.Profile {
	case gossip.ProfileLocal, gossip.ProfileLAN, gossip.ProfileWAN:
	default:
		bad("gossip.profile", "%q is not one of local, lan, wan", g.Profile)
	}
	switch g.Discovery {
	case DiscoveryFollowTrusted, DiscoveryAnnounceOnly, DiscoveryOff:
	default:
		bad("gossip.discovery", "%q is not one of follow-trusted, announce-only, off", g.Discovery)
	}
	if g.Bind == "" {
		if g.Advertise != "" || len(g.Seeds) > 0 || len(g.Keyring) > 0 {
			bad("gossip.bind", "is empty (gossip off) while gossip.advertise, seeds or keyring are set: set it to IP:PORT, e.g. 0.0.0.0:7946")
		}
		return
	}
	checkAddr := func(key, v string, unspecifiedOK bool) {
		ap, err := netip.ParseAddrPort(v)
		switch {
		case err != nil:
			bad(key, "%q is not IP:PORT with a literal IP address (e.g. 10.0.0.5:7946)", v)
		case ap.Port() == 0:
			bad(key, "%q: port 0 is not supported (gossip needs the same port for TCP and UDP): pick one, e.g. 7946", v)
		case !unspecifiedOK && ap.Addr().IsUnspecified():
			bad(key, "%q cannot be reached by other members: advertise this host's address", v)
		}
	}
	checkAddr("gossip.bind", g.Bind, true)
	if g.Advertise != "" {
		checkAddr("gossip.advertise", g.Advertise, false)
	}
	for i, s := range g.Seeds {
		host, port, err := net.SplitHostPort(s)
		p, perr := strconv.Atoi(port)
		if err != nil || host == "" || perr != nil || p < 1 || p > 65535 {
			bad("gossip.seeds", "entry %d (%q) is not host:port", i, s)
		}
	}
	if _, err := decodeKeyring(g.Keyring); err != nil {
		bad("gossip.keyring", "%v", err)
	}
	if len(publicURL) > 255 {
		bad("public_url", "is %d bytes: a gossip member name (the public URL) has at most 255", len(publicURL))
	}
}

// decodeKeyring decodes the base64 AES-256 keys of gossip.keyring.
func decodeKeyring(keys []string) ([][]byte, error) {
	const hint = "make one with: head -c 32 /dev/urandom | base64"
	if len(keys) == 0 {
		return nil, fmt.Errorf("at least one key is required when gossip.bind is set (gossip is encrypted; %s)", hint)
	}
	out := make([][]byte, len(keys))
	seen := map[string]int{}
	for i, k := range keys {
		b, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return nil, fmt.Errorf("key %d is not base64: %v (%s)", i, err, hint)
		}
		if len(b) != 32 {
			return nil, fmt.Errorf("key %d decodes to %d bytes, want 32 (AES-256; %s)", i, len(b), hint)
		}
		if j, dup := seen[string(b)]; dup {
			return nil, fmt.Errorf("key %d repeats key %d", i, j)
		}
		seen[string(b)] = i
		out[i] = b
	}
	return out, nil
}

// startGossip joins the gossip pool when gossip.bind is set and starts the
// discovery agent. The node serves and delivers already: members that
// check this node reach it.
func (n *Node) startGossip() error {
	g := n.cfg.Gossip
	if g.Bind == "" {
		return nil
	}
	keys, err := decodeKeyring(g.Keyring)
	if err != nil {
		return fmt.Errorf("setting gossip.keyring: %w", err)
	}
	cfg := gossip.Config{
		Name:             n.uris.Base(),
		Bind:             g.Bind,
		Advertise:        g.Advertise,
		Seeds:            g.Seeds,
		Keyring:          keys,
		Profile:          g.Profile,
		Meta:             n.gossipMeta(),
		Logger:           n.log,
		JoinInBackground: true,
	}
	if n.faults != nil {
		cfg.WrapTransport = n.faults.WrapGossip
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool, err := gossip.Start(ctx, cfg)
	if err != nil {
		return fmt.Errorf("gossip: %w", err)
	}
	a := peering.New(peering.Config{Pool: pool, Self: n.uris.Base(), Policy: g.Discovery, Checker: n.memberCheck,
		Meta: n.gossipMeta, Now: n.now, Log: n.log,
		Do: func(fn func(peering.Federation)) { n.gate.do(func() { fn(n.live.fed()) }) }})
	n.gossip.Store(a)
	a.Start()
	n.log.Info("gossip started", "bind", g.Bind, "profile", g.Profile, "discovery", g.Discovery, "seeds", len(g.Seeds))
	return nil
}

// stopGossip leaves the pool (so that the others pause their deliveries to
// this node at once instead of after failure detection), shuts it down and
// stops the agent, within ctx.
func (n *Node) stopGossip(ctx context.Context) error {
	a := n.gossip.Load()
	if a == nil {
		return nil
	}
	timeout := 2 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	return a.Leave(timeout)
}

// gossipMeta is the hint this node gossips about itself.
func (n *Node) gossipMeta() gossip.Meta {
	m := gossip.Meta{EntityID: n.uris.Base(), Country: n.cfg.Country, Version: Version}
	if n.gossipMetaHints != nil {
		m.ECHash, m.Role = n.gossipMetaHints()
	}
	return m
}

var (
	descGossipEnabled = prometheus.NewDesc("interlink_gossip_enabled", "1 when the node is in a gossip pool.", nil, nil)
	descGossipMembers = prometheus.NewDesc("interlink_gossip_members", "Gossip pool members this node knows, itself included, by status.", []string{"status"}, nil)
	descGossipTrust   = prometheus.NewDesc("interlink_gossip_members_trust", "Other gossip members by the result of their trust check.", []string{"trust"}, nil)
	descGossipSent    = prometheus.NewDesc("interlink_gossip_sent_bytes_total", "Gossip bytes sent (UDP and TCP, encrypted).", nil, nil)
	descGossipRecv    = prometheus.NewDesc("interlink_gossip_received_bytes_total", "Gossip bytes received (UDP and TCP, encrypted).", nil, nil)
	descGossipDropped = prometheus.NewDesc("interlink_gossip_events_dropped_total", "Membership events dropped because the agent lagged (the agent reconciles every few seconds).", nil, nil)
	descPausedHosts   = prometheus.NewDesc("interlink_deliveries_paused_hosts", "Hosts whose deliveries are paused because gossip says their node is down.", nil, nil)
)

// gossipCollector reads the pool's counters at scrape time.
type gossipCollector struct {
	self  string                // this node's member name
	agent func() *peering.Agent // nil while gossip is off
	gate  *gate
	fed   func() *federation.Service
}

func (c *gossipCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descGossipEnabled, descGossipMembers, descGossipTrust, descGossipSent, descGossipRecv, descGossipDropped, descPausedHosts} {
		ch <- d
	}
}

func (c *gossipCollector) Collect(ch chan<- prometheus.Metric) {
	a := c.agent()
	if a == nil {
		ch <- prometheus.MustNewConstMetric(descGossipEnabled, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descGossipEnabled, prometheus.GaugeValue, 1)
	st := a.Pool().Stats()
	for status, v := range map[string]int{gossip.StatusAlive: st.Alive, gossip.StatusSuspect: st.Suspect, gossip.StatusDead: st.Dead, gossip.StatusLeft: st.Left} {
		ch <- prometheus.MustNewConstMetric(descGossipMembers, prometheus.GaugeValue, float64(v), status)
	}
	trust := map[string]int{peering.TrustVerified: 0, peering.TrustUnverified: 0, peering.TrustUnchecked: 0, peering.TrustFailed: 0}
	for _, m := range a.Members() {
		if m.Name != c.self {
			trust[m.Trust]++
		}
	}
	for t, v := range trust {
		ch <- prometheus.MustNewConstMetric(descGossipTrust, prometheus.GaugeValue, float64(v), t)
	}
	ch <- prometheus.MustNewConstMetric(descGossipSent, prometheus.CounterValue, float64(st.BytesSent))
	ch <- prometheus.MustNewConstMetric(descGossipRecv, prometheus.CounterValue, float64(st.BytesReceived))
	ch <- prometheus.MustNewConstMetric(descGossipDropped, prometheus.CounterValue, float64(st.EventsDropped))
	c.gate.tryDo(func() {
		ch <- prometheus.MustNewConstMetric(descPausedHosts, prometheus.GaugeValue, float64(len(c.fed().PausedHosts())))
	})
}

// anchorIDs are the trust anchors this node pins.
func (n *Node) anchorIDs() []string {
	out := make([]string, 0, len(n.cfg.Trust.Anchors))
	for _, a := range n.cfg.Trust.Anchors {
		out = append(out, a.EntityID)
	}
	return out
}
