package sim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interlink-project/interlink-node/federation/gossip"
)

// GossipConfig is a simulated gossip federation.
type GossipConfig struct {
	Profile string    // gossip profile: local, lan (default), wan
	Net     NetConfig // the network between every two members
	Seeds   int       // how many of the first members every member joins through (default 3)
	// StartConcurrency bounds the members started at once (default 16).
	StartConcurrency int
	// TimeScale slows the simulation down (default 1): the profile's
	// intervals and timeouts and the network's delays are multiplied by it
	// (gossip.Config.TimeScale), so the process needs 1/TimeScale of the
	// CPU a second; MeasureGossip divides the times it measures by it and
	// multiplies the rates. Net is given in simulated time.
	TimeScale float64
	Logger    *slog.Logger // memberlist's and the pool's logs; nil: none
}

// Cluster is a set of gossip pools over one simulated network.
type Cluster struct {
	cfg     GossipConfig
	net     *Network
	keyring [][]byte

	mu      sync.Mutex
	members []*Member
	wg      sync.WaitGroup // event drains
}

// Member is one simulated node: its pool, its endpoint and its view of the
// membership, kept from its pool's events.
type Member struct {
	Name string
	Addr string
	Pool *gossip.Pool
	EP   *Endpoint

	mu     sync.Mutex
	status map[string]string // member name → alive, dead, left
	alive  int               // others alive
	down   atomic.Bool
}

// NewCluster returns an empty cluster with a fresh keyring.
func NewCluster(cfg GossipConfig) (*Cluster, error) {
	if cfg.Seeds <= 0 {
		cfg.Seeds = 3
	}
	if cfg.StartConcurrency <= 0 {
		cfg.StartConcurrency = 16
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.TimeScale = max(cfg.TimeScale, 1)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	wall := cfg.Net
	wall.Latency = time.Duration(float64(wall.Latency) * cfg.TimeScale)
	wall.Jitter = time.Duration(float64(wall.Jitter) * cfg.TimeScale)
	wall.Bandwidth /= cfg.TimeScale
	return &Cluster{cfg: cfg, net: NewNetwork(wall), keyring: [][]byte{key}}, nil
}

// Network is the cluster's network.
func (c *Cluster) Network() *Network { return c.net }

// Members returns the members started so far, in order.
func (c *Cluster) Members() []*Member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.members)
}

// addrOf is member i's address: 10.0.0.1 onwards, one host each, port
// 7946.
func addrOf(i int) string {
	h := i + 1
	return fmt.Sprintf("10.%d.%d.%d:7946", (h>>16)&0xff, (h>>8)&0xff, h&0xff)
}

// Start starts n more members, at most StartConcurrency at once, each
// joining through the first Seeds members (the first one starts the pool).
func (c *Cluster) Start(ctx context.Context, n int) error {
	c.mu.Lock()
	first := len(c.members)
	c.mu.Unlock()
	if first == 0 && n > 0 {
		if _, err := c.startOne(ctx, 0); err != nil {
			return err
		}
		first, n = 1, n-1
	}
	sem := make(chan struct{}, c.cfg.StartConcurrency)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, errs[k] = c.startOne(ctx, first+k)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// StartOne starts one more member and returns it.
func (c *Cluster) StartOne(ctx context.Context) (*Member, error) {
	c.mu.Lock()
	i := len(c.members)
	c.mu.Unlock()
	return c.startOne(ctx, i)
}

func (c *Cluster) startOne(ctx context.Context, i int) (*Member, error) {
	addr := addrOf(i)
	ep, err := c.net.Endpoint(addr)
	if err != nil {
		return nil, err
	}
	var seeds []string
	for s := range min(c.cfg.Seeds, i) {
		seeds = append(seeds, addrOf(s))
	}
	name := fmt.Sprintf("https://node-%04d.example.eu", i)
	m := &Member{Name: name, Addr: addr, EP: ep, status: map[string]string{}}
	p, err := gossip.Start(ctx, gossip.Config{Name: name, Bind: addr, Seeds: seeds, Keyring: c.keyring,
		Profile: c.cfg.Profile, Logger: c.cfg.Logger, Transport: ep, JoinInBackground: true, TimeScale: c.cfg.TimeScale,
		Meta: gossip.Meta{EntityID: name, ECHash: "sha256-0123456789abcdef0123456789abcdef0123456789a",
			Role: "node", Country: "EU", Version: "sim"}})
	if err != nil {
		_ = ep.Shutdown()
		return nil, err
	}
	m.Pool = p
	c.mu.Lock()
	c.members = append(c.members, m)
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for ev := range p.Events() {
			m.observe(ev)
		}
	}()
	return m, nil
}

// observe updates the member's view with one event of its pool.
func (m *Member) observe(ev gossip.Event) {
	if ev.Member.Name == m.Name {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	was := m.status[ev.Member.Name]
	now := was
	switch ev.Type {
	case gossip.EventJoin, gossip.EventAlive:
		now = gossip.StatusAlive
	case gossip.EventDead:
		now = gossip.StatusDead
	case gossip.EventLeave:
		now = gossip.StatusLeft
	}
	if was == gossip.StatusAlive {
		m.alive--
	}
	if now == gossip.StatusAlive {
		m.alive++
	}
	m.status[ev.Member.Name] = now
}

// Sees reports the status member m gives the member called name ("" when
// it has not heard of it).
func (m *Member) Sees(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status[name]
}

// AliveOthers is how many other members m sees alive.
func (m *Member) AliveOthers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.alive
}

// Up reports whether the member runs (not crashed or stopped).
func (m *Member) Up() bool { return !m.down.Load() }

// Crash cuts the member off the network at once and stops its pool
// without a leave: the others must detect its death.
func (c *Cluster) Crash(m *Member) error {
	m.down.Store(true)
	c.net.Crash(m.Addr)
	return m.Pool.Shutdown()
}

// WaitAll polls every running member every 10 ms until ok holds for each,
// and returns how long that took from start; or an error naming how many
// members it did not hold for after timeout.
func (c *Cluster) WaitAll(ctx context.Context, start time.Time, timeout time.Duration, ok func(*Member) bool) (time.Duration, error) {
	deadline := start.Add(timeout)
	for {
		missing := 0
		for _, m := range c.Members() {
			if m.Up() && !ok(m) {
				missing++
			}
		}
		if missing == 0 {
			return time.Since(start), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("sim: %d members not there after %s", missing, timeout)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Converged reports whether every running member sees every other running
// member alive (the condition of WaitAll for full convergence).
func (c *Cluster) Converged() func(*Member) bool {
	up := 0
	for _, m := range c.Members() {
		if m.Up() {
			up++
		}
	}
	return func(m *Member) bool { return m.AliveOthers() >= up-1 }
}

// Traffic reads every member's counters, in order (a crashed member's
// stay as they were).
func (c *Cluster) Traffic() []Traffic {
	ms := c.Members()
	out := make([]Traffic, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.EP.Traffic())
	}
	return out
}

// pushPulls sums the pools' own push/pulls (gossip.Stats.PushPulls).
func (c *Cluster) pushPulls() uint64 {
	var n uint64
	for _, m := range c.Members() {
		if m.Up() {
			n += m.Pool.Stats().PushPulls
		}
	}
	return n
}

// Close stops every running member (without a leave) and waits for their
// event drains.
func (c *Cluster) Close() error {
	var errs []error
	for _, m := range c.Members() {
		m.down.Store(true)
		errs = append(errs, m.Pool.Shutdown())
	}
	c.wg.Wait()
	return errors.Join(errs...)
}
