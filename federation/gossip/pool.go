package gossip

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// Member statuses.
const (
	StatusAlive = "alive"
	// StatusSuspect is reserved: memberlist v0.7.0 keeps suspicion internal
	// (no delegate callback, and Members() hands out pointers into its live
	// state, which cannot be read without a data race), so Members never
	// reports it yet; a suspect member shows as alive until declared dead.
	StatusSuspect = "suspect"
	StatusDead    = "dead"
	StatusLeft    = "left"
)

// EventType says what happened to a member.
type EventType int

// Event types.
const (
	EventJoin   EventType = iota + 1 // first seen alive
	EventUpdate                      // metadata or address changed
	EventLeave                       // left gracefully
	EventDead                        // declared dead by failure detection
	EventAlive                       // alive again after dead or left
)

func (t EventType) String() string {
	switch t {
	case EventJoin:
		return "join"
	case EventUpdate:
		return "update"
	case EventLeave:
		return "leave"
	case EventDead:
		return "dead"
	case EventAlive:
		return "alive"
	}
	return "EventType(" + strconv.Itoa(int(t)) + ")"
}

// Event is a membership change seen by this member.
type Event struct {
	Type   EventType
	Member Member
}

// Member is a pool member as this node sees it.
type Member struct {
	Name   string
	Addr   string // host:port it advertises
	Meta   Meta   // zero when its metadata did not decode (logged)
	Status string // alive, suspect, dead, left
	Since  time.Time
}

// Stats are counters of one pool member.
type Stats struct {
	BytesSent, BytesReceived     uint64 // on the network, UDP and TCP, encrypted
	PacketsSent, PacketsReceived uint64 // UDP
	StreamsOut, StreamsIn        uint64 // TCP connections (push/pull, fallback probes)
	PushPulls                    uint64 // supplementary push/pulls and reconnects to dead members started by this package
	EventsDropped                uint64 // events not delivered because the Events buffer was full
	Alive, Suspect, Dead, Left   int    // members by status
}

// eventBuffer is the capacity of the Events channel.
const eventBuffer = 1024

// Pool is this node's membership in the gossip pool. Its methods are safe for
// concurrent use.
type Pool struct {
	s   *settings
	ml  *memberlist.Memberlist
	c   counters
	log *slog.Logger

	mu      sync.Mutex
	members map[string]*Member
	meta    []byte
	closed  bool // events channel closed
	events  chan Event
	dropped atomic.Uint64
	pushes  atomic.Uint64

	// Leave intents (intent.go): intents guarded by mu.
	bq        *memberlist.TransmitLimitedQueue
	clock     hlc
	intents   map[string]*intentEntry
	intentTTL time.Duration
	leaving   bool // Leave broadcast this member's intent; guarded by downMu

	kick     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	downMu   sync.Mutex
	down     bool
}

// Start validates cfg, starts a memberlist instance with the tuned profile and
// joins the seeds, retrying with backoff until one answers or ctx ends. With no
// seeds (other than itself) the node starts a new pool.
func Start(ctx context.Context, cfg Config) (*Pool, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	p := &Pool{
		s:       s,
		log:     s.logger.With("component", "gossip", "member", s.name),
		members: make(map[string]*Member),
		meta:    s.meta,
		events:  make(chan Event, eventBuffer),
		intents: make(map[string]*intentEntry),
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
	}

	mc := memberlistConfig(s.profile)
	s.scaleTimes(mc)
	p.bq = &memberlist.TransmitLimitedQueue{NumNodes: p.numAlive, RetransmitMult: mc.RetransmitMult}
	// An intent is remembered long enough for the leave to follow it, even
	// through push/pull only.
	p.intentTTL = max(10*mc.PushPullInterval, 10*time.Second)
	mc.Name = s.name
	mc.BindAddr, mc.BindPort = s.bindIP, s.bindPort
	mc.AdvertiseAddr, mc.AdvertisePort = s.advertiseIP, s.advertisePort
	mc.Keyring = s.keyring
	mc.Delegate = (*delegate)(p)
	mc.Events = (*eventDelegate)(p)
	mc.Logger = log.New(&logBridge{l: p.log}, "", 0)

	var nt memberlist.NodeAwareTransport = s.transport
	if nt == nil {
		if nt, err = memberlist.NewNetTransport(&memberlist.NetTransportConfig{
			BindAddrs: []string{s.bindIP},
			BindPort:  s.bindPort,
			Logger:    mc.Logger,
		}); err != nil {
			return nil, fmt.Errorf("gossip: listen on %s: %w", net.JoinHostPort(s.bindIP, strconv.Itoa(s.bindPort)), err)
		}
	}
	var tr memberlist.Transport = newCountingTransport(nt, &p.c)
	if s.wrap != nil {
		tr = s.wrap(tr)
	}
	mc.Transport = tr

	p.ml, err = memberlist.Create(mc)
	if err != nil {
		_ = tr.Shutdown()
		return nil, fmt.Errorf("gossip: create memberlist %q: %w", s.name, err)
	}
	switch {
	case len(s.seeds) == 0:
		p.log.Info("starting a new gossip pool")
	case s.background:
		if n, err := p.ml.Join(s.seeds); n > 0 {
			p.log.Info("joined gossip pool", "seeds_answered", n, "attempts", 1)
		} else {
			p.log.Warn("no gossip seed answered yet: retrying in the background", "seeds", s.seeds, "err", err)
			ctx, cancel := context.WithCancel(context.Background())
			p.wg.Add(2)
			go func() { defer p.wg.Done(); defer cancel(); <-p.stop }()
			go func() {
				defer p.wg.Done()
				if err := p.join(ctx, 2); err != nil && ctx.Err() == nil { // cancelled: shutting down
					p.log.Error("gossip join stopped", "err", err)
				}
			}()
		}
	default:
		if err := p.join(ctx, 1); err != nil {
			_ = p.Shutdown()
			return nil, err
		}
	}
	p.wg.Add(1)
	go p.antiEntropy()
	p.kickAntiEntropy()
	return p, nil
}

// join tries the seeds, counting attempts from first, until one answers or
// ctx ends. Failures are logged at warn level every tenth attempt. A
// background join (first > 1) also ends once another member has joined this
// one: the node is in the pool, whose anti-entropy takes over.
func (p *Pool) join(ctx context.Context, first int) error {
	backoff := 100 * time.Millisecond
	const maxBackoff = 5 * time.Second
	for attempt := first; ; attempt++ {
		if first > 1 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("gossip: join %q: %w", p.s.name, err)
			}
			if p.othersAlive() {
				p.log.Info("in the gossip pool through a member that joined this one; seeds no longer tried", "attempts", attempt-1)
				return nil
			}
		}
		n, err := p.ml.Join(p.s.seeds)
		if n > 0 {
			p.log.Info("joined gossip pool", "seeds_answered", n, "attempts", attempt)
			return nil
		}
		if err == nil {
			err = errors.New("no seed answered")
		}
		level := slog.LevelDebug
		if attempt%10 == 0 {
			level = slog.LevelWarn
		}
		p.log.Log(ctx, level, "gossip join attempt failed", "attempt", attempt, "seeds", p.s.seeds, "err", err)
		wait := backoff/2 + rand.N(backoff) // jitter in [backoff/2, 3·backoff/2)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("gossip: join %q through seeds %v: gave up after %d attempts (%w): last error: %w",
				p.s.name, p.s.seeds, attempt, ctx.Err(), err)
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// othersAlive reports whether another member is alive.
func (p *Pool) othersAlive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.members {
		if m.Status == StatusAlive && m.Name != p.s.name {
			return true
		}
	}
	return false
}

// Members returns every member this node has seen (itself included, dead and
// left members too), sorted by name.
func (p *Pool) Members() []Member {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Member, 0, len(p.members))
	for _, m := range p.members {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Events returns the membership events. The channel is buffered; when it is
// full, events are dropped and counted in Stats.EventsDropped so memberlist
// never blocks. It is closed by Shutdown.
func (p *Pool) Events() <-chan Event { return p.events }

// UpdateMeta replaces this node's metadata and gossips it.
func (p *Pool) UpdateMeta(m Meta) error {
	b, err := m.Encode()
	if err != nil {
		return fmt.Errorf("gossip: update metadata of %q: %w", p.s.name, err)
	}
	if p.isDown() {
		return fmt.Errorf("gossip: update metadata of %q: pool is shut down", p.s.name)
	}
	p.mu.Lock()
	p.meta = b
	p.mu.Unlock()
	// A timeout only means the broadcast has not been sent to enough members
	// yet; it keeps spreading, and push/pull carries it regardless.
	if err := p.ml.UpdateNode(time.Second); err != nil {
		p.log.Debug("metadata update still spreading", "err", err)
	}
	return nil
}

// Leave broadcasts that this node leaves the pool and waits up to timeout for
// the broadcast to go out. Call Shutdown afterwards.
//
// It first gossips this node's leave intent, so that the others record a
// leave rather than a death, and waits until the intent has been transmitted
// or half of timeout (5 s without a timeout) has passed; then it leaves
// memberlist, waiting for the rest of timeout.
func (p *Pool) Leave(timeout time.Duration) error {
	p.downMu.Lock()
	defer p.downMu.Unlock()
	if p.down {
		return fmt.Errorf("gossip: leave %q: pool is shut down", p.s.name)
	}
	start := time.Now()
	if !p.leaving {
		p.leaving = true
		in := leaveIntent{Name: p.s.name, LTime: p.clock.tick()}
		p.mu.Lock()
		e := p.newIntentLocked(in.Name, start)
		e.ltime, e.at = in.LTime, start
		p.mu.Unlock()
		if p.othersAlive() {
			b := &intentBroadcast{name: in.Name, msg: encodeIntent(in), done: make(chan struct{})}
			p.bq.QueueBroadcast(b)
			wait := maxIntentWait
			if timeout > 0 {
				wait = timeout / 2
			}
			t := time.NewTimer(wait)
			select {
			case <-b.done:
			case <-t.C:
				p.log.Warn("leave intent not fully gossiped before leaving", "waited", wait)
			}
			t.Stop()
		}
	}
	rest := timeout
	if timeout > 0 {
		rest = max(timeout-time.Since(start), time.Millisecond)
	}
	if err := p.ml.Leave(rest); err != nil {
		return fmt.Errorf("gossip: leave %q: %w", p.s.name, err)
	}
	return nil
}

// Shutdown stops gossiping without a leave message (peers will declare this
// node dead) and closes the Events channel. It is safe to call more than once.
func (p *Pool) Shutdown() error {
	p.downMu.Lock()
	defer p.downMu.Unlock()
	if p.down {
		return nil
	}
	p.down = true
	p.stopOnce.Do(func() { close(p.stop) })
	err := p.ml.Shutdown()
	p.wg.Wait()
	p.mu.Lock()
	p.closed = true
	close(p.events)
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("gossip: shut down %q: %w", p.s.name, err)
	}
	return nil
}

// numAlive counts the alive members, this one included (the broadcast
// queue's retransmit limit grows with its logarithm).
func (p *Pool) numAlive() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, m := range p.members {
		if m.Status == StatusAlive {
			n++
		}
	}
	return n
}

func (p *Pool) isDown() bool {
	p.downMu.Lock()
	defer p.downMu.Unlock()
	return p.down
}

// Stats returns this node's counters.
func (p *Pool) Stats() Stats {
	st := Stats{
		BytesSent:       p.c.bytesSent.Load(),
		BytesReceived:   p.c.bytesReceived.Load(),
		PacketsSent:     p.c.packetsSent.Load(),
		PacketsReceived: p.c.packetsReceived.Load(),
		StreamsOut:      p.c.streamsOut.Load(),
		StreamsIn:       p.c.streamsIn.Load(),
		PushPulls:       p.pushes.Load(),
		EventsDropped:   p.dropped.Load(),
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.members {
		switch m.Status {
		case StatusAlive:
			st.Alive++
		case StatusSuspect:
			st.Suspect++
		case StatusDead:
			st.Dead++
		case StatusLeft:
			st.Left++
		}
	}
	return st
}

// antiEntropy supplements memberlist: after a membership change it does a
// push/pull with one random alive member, and one more (trailing) after the
// changes stop, at most one per trailing interval. Periodically it also tries
// one member declared dead, which heals partitions. A member that missed a
// broadcast (memberlist's infect-and-die gossip) learns it from the full
// state, and whatever it learns it re-gossips. No traffic without changes.
func (p *Pool) antiEntropy() {
	defer p.wg.Done()
	delay, trail, reconnect := 100*time.Millisecond, 500*time.Millisecond, 2*time.Second
	switch p.s.profile {
	case ProfileLAN:
		delay, trail, reconnect = 200*time.Millisecond, time.Second, 5*time.Second
	case ProfileWAN:
		delay, trail, reconnect = time.Second, 5*time.Second, 30*time.Second
	}
	delay, trail, reconnect = p.s.scaled(delay), p.s.scaled(trail), p.s.scaled(reconnect)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	ticker := time.NewTicker(reconnect)
	defer ticker.Stop()
	pending, dirty := false, false
	for {
		select {
		case <-p.stop:
			return
		case <-ticker.C:
			p.reconnectDead()
		case <-p.kick:
			if pending {
				dirty = true
				continue
			}
			pending = true
			timer.Reset(delay + rand.N(delay))
		case <-timer.C:
			p.pushPullRandom()
			if dirty {
				dirty = false
				timer.Reset(trail + rand.N(trail/2))
				continue
			}
			pending = false
		}
	}
}

// reconnectWindow is how long a dead member is still tried (as serf's
// ReconnectTimeout): memberlist only push/pulls with alive members, so without
// this the two sides of a healed partition could stay apart.
const reconnectWindow = 24 * time.Hour

// reconnectDead tries a push/pull with one random member declared dead (not
// left) within reconnectWindow.
func (p *Pool) reconnectDead() {
	p.mu.Lock()
	var addrs []string
	for _, m := range p.members {
		if m.Status == StatusDead && time.Since(m.Since) < reconnectWindow {
			addrs = append(addrs, m.Addr)
		}
	}
	p.mu.Unlock()
	if len(addrs) == 0 {
		return
	}
	addr := addrs[rand.N(len(addrs))]
	if _, err := p.ml.Join([]string{addr}); err != nil {
		p.log.Debug("reconnect to dead member failed", "peer", addr, "err", err)
		return
	}
	p.pushes.Add(1)
}

func (p *Pool) kickAntiEntropy() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *Pool) pushPullRandom() {
	p.mu.Lock()
	var addrs []string
	for _, m := range p.members {
		if m.Status == StatusAlive && m.Name != p.s.name {
			addrs = append(addrs, m.Addr)
		}
	}
	p.mu.Unlock()
	if len(addrs) == 0 {
		return
	}
	addr := addrs[rand.N(len(addrs))]
	p.pushes.Add(1)
	if _, err := p.ml.Join([]string{addr}); err != nil {
		p.log.Debug("supplementary push/pull failed", "peer", addr, "err", err)
	}
}
