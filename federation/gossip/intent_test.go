package gossip

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
)

func TestIntentWire(t *testing.T) {
	in := leaveIntent{Name: "https://node.example.eu", LTime: 1_700_000_000_123}
	b := encodeIntent(in)
	if len(b) != intentHeader+len(in.Name) || b[0] != msgLeaveIntent || b[1] != wireVersion {
		t.Fatalf("encoded %x", b)
	}
	got, err := decodeIntent(b)
	if err != nil || got != in {
		t.Fatalf("decode = %+v, %v; want %+v", got, err, in)
	}
	long := leaveIntent{Name: strings.Repeat("n", maxNameLen), LTime: maxLTime - 1}
	if b := encodeIntent(long); len(b) != MaxIntentSize || MaxIntentSize > MaxMetaSize {
		t.Fatalf("longest intent %d bytes, MaxIntentSize %d", len(b), MaxIntentSize)
	}
	if got, err := decodeIntent(encodeIntent(long)); err != nil || got != long {
		t.Fatalf("longest intent: %+v, %v", got, err)
	}

	mut := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(encodeIntent(in))) }
	bad := map[string][]byte{
		"empty":            nil,
		"type only":        {msgLeaveIntent},
		"state type":       mut(func(b []byte) []byte { b[0] = msgState; return b }),
		"unknown type":     mut(func(b []byte) []byte { b[0] = 0x7f; return b }),
		"version 2":        mut(func(b []byte) []byte { b[1] = 2; return b }),
		"version 0":        mut(func(b []byte) []byte { b[1] = 0; return b }),
		"zero ltime":       mut(func(b []byte) []byte { binary.BigEndian.PutUint64(b[2:], 0); return b }),
		"ltime too large":  mut(func(b []byte) []byte { binary.BigEndian.PutUint64(b[2:], maxLTime); return b }),
		"ltime max uint64": mut(func(b []byte) []byte { binary.BigEndian.PutUint64(b[2:], ^uint64(0)); return b }),
		"no name length":   mut(func(b []byte) []byte { return b[:10] }),
		"empty name":       mut(func(b []byte) []byte { b[10] = 0; return b[:11] }),
		"name truncated":   mut(func(b []byte) []byte { return b[:len(b)-1] }),
		"length too long":  mut(func(b []byte) []byte { b[10]++; return b }),
		"trailing byte":    mut(func(b []byte) []byte { return append(b, 0) }),
		"space in name":    mut(func(b []byte) []byte { b[12] = ' '; return b }),
		"control in name":  mut(func(b []byte) []byte { b[12] = '\n'; return b }),
		"invalid utf-8":    mut(func(b []byte) []byte { b[12] = 0xff; return b }),
		"oversized":        append(encodeIntent(long), 'x'),
	}
	for name, b := range bad {
		if got, err := decodeIntent(b); !errors.Is(err, errWire) {
			t.Errorf("%s (%x): decoded %+v, err %v; want errWire", name, b, got, err)
		}
	}
}

func TestStateWire(t *testing.T) {
	s := poolState{Clock: 42, Intents: []leaveIntent{{"a", 1}, {"https://b.example.eu", 99}}}
	got, err := decodeState(encodeState(s))
	if err != nil || got.Clock != s.Clock || len(got.Intents) != 2 || got.Intents[0] != s.Intents[0] || got.Intents[1] != s.Intents[1] {
		t.Fatalf("decode = %+v, %v", got, err)
	}
	if got, err := decodeState(encodeState(poolState{Clock: 7})); err != nil || got.Clock != 7 || len(got.Intents) != 0 {
		t.Fatalf("empty state: %+v, %v", got, err)
	}
	many := poolState{Clock: 1}
	for i := range maxStateIntents + 1 {
		many.Intents = append(many.Intents, leaveIntent{fmt.Sprintf("m%03d", i), 5})
	}
	full := poolState{Clock: 1, Intents: many.Intents[:maxStateIntents]}
	if _, err := decodeState(encodeState(full)); err != nil {
		t.Fatalf("%d intents refused: %v", maxStateIntents, err)
	}
	bad := map[string][]byte{
		"empty":          nil,
		"intent type":    encodeIntent(leaveIntent{"a", 1}),
		"version 2":      append([]byte{msgState, 2}, encodeState(s)[2:]...),
		"zero clock":     encodeState(poolState{Clock: 0}),
		"clock too big":  encodeState(poolState{Clock: maxLTime}),
		"no count":       encodeState(s)[:10],
		"too many":       encodeState(many),
		"duplicate name": encodeState(poolState{Clock: 1, Intents: []leaveIntent{{"a", 1}, {"a", 2}}}),
		"truncated":      encodeState(s)[:len(encodeState(s))-1],
		"trailing":       append(encodeState(s), 0),
		"count too big":  func() []byte { b := encodeState(s); b[10] = 3; return b }(),
		"bad entry":      encodeState(poolState{Clock: 1, Intents: []leaveIntent{{"a b", 1}}}),
	}
	for name, b := range bad {
		if got, err := decodeState(b); !errors.Is(err, errWire) {
			t.Errorf("%s: decoded %+v, err %v; want errWire", name, got, err)
		}
	}
}

// FuzzDecodeIntent: leave intents are outside input. Whatever decodes is
// canonical (encodes back to the same bytes) and valid.
func FuzzDecodeIntent(f *testing.F) {
	f.Add(encodeIntent(leaveIntent{Name: "https://node.example.eu", LTime: 1_700_000_000_123}))
	f.Add(encodeIntent(leaveIntent{Name: "m", LTime: 1}))
	f.Add(encodeIntent(leaveIntent{Name: strings.Repeat("é", 127), LTime: maxLTime - 1}))
	f.Add([]byte{})
	f.Add([]byte{msgLeaveIntent, wireVersion})
	f.Add([]byte{msgLeaveIntent, wireVersion, 0, 0, 0, 0, 0, 0, 0, 1, 0})
	f.Add([]byte{msgLeaveIntent, 2, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'a'})
	f.Add(encodeState(poolState{Clock: 1, Intents: []leaveIntent{{"a", 1}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := decodeIntent(b)
		if err != nil {
			return
		}
		if checkName(in.Name) != nil || in.LTime == 0 || in.LTime >= maxLTime || len(b) > MaxIntentSize {
			t.Fatalf("accepted invalid %+v from %x", in, b)
		}
		if re := encodeIntent(in); !bytes.Equal(re, b) {
			t.Fatalf("not canonical: %x decodes to %+v, encodes to %x", b, in, re)
		}
	})
}

// FuzzDecodeState: push/pull state is outside input too.
func FuzzDecodeState(f *testing.F) {
	f.Add(encodeState(poolState{Clock: 42, Intents: []leaveIntent{{"a", 1}, {"https://b.example.eu", 99}}}))
	f.Add(encodeState(poolState{Clock: 1}))
	f.Add(encodeState(poolState{Clock: 1, Intents: []leaveIntent{{"a", 1}, {"a", 2}}}))
	f.Add([]byte{msgState, wireVersion, 0, 0, 0, 0, 0, 0, 0, 1, 255})
	f.Add(encodeIntent(leaveIntent{"a", 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeState(b)
		if err != nil {
			return
		}
		if len(s.Intents) > maxStateIntents || s.Clock == 0 || s.Clock >= maxLTime {
			t.Fatalf("accepted invalid %+v", s)
		}
		if re := encodeState(s); !bytes.Equal(re, b) {
			t.Fatalf("not canonical: %x encodes back to %x", b, re)
		}
	})
}

func TestHLC(t *testing.T) {
	var c hlc
	a := c.tick()
	if w := wallMillis(); a > w+1 || a+1000 < w {
		t.Fatalf("first tick %d, wall %d", a, w)
	}
	b := c.tick()
	if b <= a {
		t.Fatalf("tick went from %d to %d", a, b)
	}
	future := b + 1_000_000
	c.witness(future)
	if r := c.read(); r != future {
		t.Fatalf("read after witnessing %d: %d", future, r)
	}
	if n := c.tick(); n != future+1 {
		t.Fatalf("tick after witnessing %d: %d", future, n)
	}
	c.witness(3) // the past changes nothing
	c.witness(maxLTime)
	if r := c.read(); r != future+1 {
		t.Fatalf("read = %d, want %d", r, future+1)
	}
}

// fakeNode is a member this pool hears about through its delegates only.
func fakeNode(name string, port int) *memberlist.Node {
	return &memberlist.Node{Name: name, Addr: net.IPv4(127, 0, 0, 1), Port: uint16(port)}
}

func lastEvent(evs []Event, name string) EventType {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Member.Name == name {
			return evs[i].Type
		}
	}
	return 0
}

// TestIntentClassification drives the delegates of one pool by hand.
func TestIntentClassification(t *testing.T) {
	p := startMember(t, "solo", nil, nil)
	defer func() { _ = p.Shutdown() }()
	var (
		mu  sync.Mutex
		evs []Event
	)
	got := func() []Event { mu.Lock(); defer mu.Unlock(); return slices.Clone(evs) }
	drain(p, func(ev Event) { mu.Lock(); evs = append(evs, ev); mu.Unlock() })
	ev, d := (*eventDelegate)(p), (*delegate)(p)
	expect := func(name, status string, et EventType) {
		t.Helper()
		waitFor(t, time.Second, name+" "+status, func() bool {
			return statusOf(p, name) == status && lastEvent(got(), name) == et
		})
	}
	msg := func(name string, lt uint64) []byte { return encodeIntent(leaveIntent{Name: name, LTime: lt}) }
	now := p.clock.tick()

	// Unknown members, this member, garbage: nothing recorded or re-gossiped.
	d.NotifyMsg(msg("ghost", now))
	d.NotifyMsg(msg("solo", now))
	d.NotifyMsg([]byte("garbage"))
	d.NotifyMsg(append(msg("solo", now), 0))
	if statusOf(p, "ghost") != "" || len(p.intents) != 0 || p.bq.NumQueued() != 0 {
		t.Fatalf("ignored intents left traces: ghost %q, intents %v, queued %d", statusOf(p, "ghost"), p.intents, p.bq.NumQueued())
	}

	// An intent, then the leave: left. The intent is re-gossiped once.
	ev.NotifyJoin(fakeNode("a", 1))
	d.NotifyMsg(msg("a", now))
	d.NotifyMsg(msg("a", now))   // a copy
	d.NotifyMsg(msg("a", now-1)) // an older one
	if n := p.bq.NumQueued(); n != 1 {
		t.Fatalf("%d intents queued for re-gossip, want 1", n)
	}
	ev.NotifyLeave(fakeNode("a", 1))
	expect("a", StatusLeft, EventLeave)

	// No intent: dead. A late intent (the leave overtook it): left.
	ev.NotifyJoin(fakeNode("b", 2))
	ev.NotifyLeave(fakeNode("b", 2))
	expect("b", StatusDead, EventDead)
	d.NotifyMsg(msg("b", now))
	expect("b", StatusLeft, EventLeave)

	// a comes back: its intent is forgotten, a stale copy of it ignored, a
	// death is a death. A new intent counts again.
	ev.NotifyJoin(fakeNode("a", 1))
	expect("a", StatusAlive, EventAlive)
	d.NotifyMsg(msg("a", now))
	ev.NotifyLeave(fakeNode("a", 1))
	expect("a", StatusDead, EventDead)
	ev.NotifyJoin(fakeNode("a", 1))
	expect("a", StatusAlive, EventAlive)
	d.NotifyMsg(msg("a", p.clock.tick()))
	ev.NotifyLeave(fakeNode("a", 1))
	expect("a", StatusLeft, EventLeave)

	// An intent about a member dead for longer than intentTTL changes nothing.
	ev.NotifyJoin(fakeNode("c", 3))
	ev.NotifyLeave(fakeNode("c", 3))
	expect("c", StatusDead, EventDead)
	p.mu.Lock()
	p.members["c"].Since = time.Now().Add(-p.intentTTL)
	p.mu.Unlock()
	d.NotifyMsg(msg("c", p.clock.tick()))
	if s := statusOf(p, "c"); s != StatusDead {
		t.Fatalf("c long dead, then an intent: %s", s)
	}

	// Intents expire.
	ev.NotifyJoin(fakeNode("e", 5))
	d.NotifyMsg(msg("e", p.clock.tick()))
	p.mu.Lock()
	p.intents["e"].at = time.Now().Add(-p.intentTTL)
	p.mu.Unlock()
	ev.NotifyLeave(fakeNode("e", 5))
	expect("e", StatusDead, EventDead)

	// Push/pull carries the clock and the live intents to another member.
	q := startMember(t, "other", nil, nil)
	defer func() { _ = q.Shutdown() }()
	drain(q, nil)
	ev.NotifyJoin(fakeNode("f", 6))
	lt := p.clock.tick()
	d.NotifyMsg(msg("f", lt))
	st, err := decodeState(d.LocalState(false))
	if err != nil || !slices.Contains(st.Intents, leaveIntent{"f", lt}) || st.Clock < lt {
		t.Fatalf("local state %+v, %v: want f's intent and a clock at least %d", st, err, lt)
	}
	for _, in := range st.Intents {
		if in.Name == "e" {
			t.Fatalf("expired intent of e in the local state")
		}
	}
	qe, qd := (*eventDelegate)(q), (*delegate)(q)
	qe.NotifyJoin(fakeNode("f", 6))
	qd.MergeRemoteState(d.LocalState(false), false)
	qd.MergeRemoteState([]byte{msgState, 9}, false) // ignored
	qd.MergeRemoteState(nil, false)                 // a member without state
	if q.clock.read() < lt || q.bq.NumQueued() != 0 {
		t.Fatalf("other's clock %d < %d, or %d queued", q.clock.read(), lt, q.bq.NumQueued())
	}
	qe.NotifyLeave(fakeNode("f", 6))
	waitFor(t, time.Second, "other sees f left", func() bool { return statusOf(q, "f") == StatusLeft })
}

func TestIntentsBounded(t *testing.T) {
	p := startMember(t, "solo", nil, nil)
	defer func() { _ = p.Shutdown() }()
	drain(p, nil)
	ev, d := (*eventDelegate)(p), (*delegate)(p)
	for i := range maxIntents + 10 {
		name := fmt.Sprintf("n%05d", i)
		ev.NotifyJoin(fakeNode(name, 1000))
		d.NotifyMsg(encodeIntent(leaveIntent{Name: name, LTime: p.clock.tick()}))
	}
	p.mu.Lock()
	n := len(p.intents)
	p.mu.Unlock()
	if n != maxIntents {
		t.Fatalf("%d intents remembered, want %d", n, maxIntents)
	}
	if b := d.LocalState(false); len(b) > maxStateSize {
		t.Fatalf("local state of %d bytes", len(b))
	}
	st, err := decodeState(d.LocalState(false))
	if err != nil || len(st.Intents) != maxStateIntents {
		t.Fatalf("local state: %d intents, %v", len(st.Intents), err)
	}
}

// noEvent fails if a pool got a typ event about subject.
func noEvent(evs *eventLog, pools []*Pool, typ EventType, subject string) error {
	for _, p := range pools {
		if evs.has(p.s.name, typ, subject) {
			return fmt.Errorf("%s got a %v event for %s", p.s.name, typ, subject)
		}
	}
	return nil
}

func TestGracefulLeaveSeenByAll(t *testing.T) {
	pools := startPool(t, 5, nil)
	evs := watchAll(pools)
	waitFor(t, 5*time.Second, "5 alive", func() bool { return allSee(pools, namesOf(pools), StatusAlive) })
	leaver, rest := pools[2], []*Pool{pools[0], pools[1], pools[3], pools[4]}
	start := time.Now()
	if err := leaver.Leave(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("Leave took %v", time.Since(start))
	if err := leaver.Shutdown(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "every member sees the leaver left, with a leave event", func() bool {
		if !allSee(rest, []string{leaver.s.name}, StatusLeft) {
			return false
		}
		for _, p := range rest {
			if !evs.has(p.s.name, EventLeave, leaver.s.name) {
				return false
			}
		}
		return true
	})
	if err := noEvent(evs, rest, EventDead, leaver.s.name); err != nil {
		t.Error(err)
	}
}

// oneWayCut drops every packet and stream from one member to another.
type oneWayCut struct {
	memberlist.Transport
	to  string
	cut *atomic.Bool
}

func (c *oneWayCut) WriteTo(b []byte, addr string) (time.Time, error) {
	if c.cut.Load() && addr == c.to {
		return time.Now(), nil
	}
	return c.Transport.WriteTo(b, addr)
}

func (c *oneWayCut) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	if c.cut.Load() && addr == c.to {
		return nil, errors.New("cut")
	}
	return c.Transport.DialTimeout(addr, timeout)
}

// TestLeaveIntentRelayed: a member the leaver cannot reach learns the leave
// and its intent from the others.
func TestLeaveIntentRelayed(t *testing.T) {
	deaf := freeAddr(t)
	var cut atomic.Bool
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var pools []*Pool
	t.Cleanup(func() { shutdownAll(pools) })
	for i := range 4 {
		addr, seeds := freeAddr(t), []string(nil)
		if i == 1 {
			addr = deaf
		}
		if i > 0 {
			seeds = []string{addrOf(pools[0])}
		}
		var mut func(*Config)
		if i == 3 {
			mut = func(c *Config) {
				c.WrapTransport = func(tr memberlist.Transport) memberlist.Transport {
					return &oneWayCut{Transport: tr, to: deaf, cut: &cut}
				}
			}
		}
		p, err := startAt(ctx, memberName(i), addr, seeds, mut)
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		pools = append(pools, p)
	}
	evs := watchAll(pools)
	waitFor(t, 5*time.Second, "4 alive", func() bool { return allSee(pools, namesOf(pools), StatusAlive) })
	cut.Store(true)
	leaver := pools[3]
	if err := leaver.Leave(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	_ = leaver.Shutdown()
	waitFor(t, 5*time.Second, "m01, cut off from the leaver, sees it left", func() bool {
		return statusOf(pools[1], leaver.s.name) == StatusLeft && evs.has("m01", EventLeave, leaver.s.name)
	})
	waitFor(t, 3*time.Second, "the others too", func() bool { return allSee(pools[:3], []string{leaver.s.name}, StatusLeft) })
	// The intent was relayed ahead of the leave, not carried by a later
	// push/pull (which would show dead first).
	if err := noEvent(evs, pools[:3], EventDead, leaver.s.name); err != nil {
		t.Error(err)
	}
}

// TestKilledAndForged: a member killed without a leave is dead everywhere,
// even after garbage, malformed and misdirected intents gossiped about it.
func TestKilledAndForged(t *testing.T) {
	pools := startPool(t, 4, nil)
	evs := watchAll(pools)
	waitFor(t, 5*time.Second, "4 alive", func() bool { return allSee(pools, namesOf(pools), StatusAlive) })
	victim := pools[3].s.name
	good := encodeIntent(leaveIntent{Name: victim, LTime: pools[0].clock.tick()})
	forged := [][]byte{
		[]byte("garbage"),
		append(bytes.Clone(good), 0),                       // trailing byte
		append([]byte{msgLeaveIntent, 2}, good[2:]...),     // unknown version
		append([]byte{0x7f, wireVersion}, good[2:]...),     // unknown type
		good[:len(good)-1],                                 // truncated
		encodeIntent(leaveIntent{Name: "ghost", LTime: 5}), // unknown member
	}
	for i, b := range forged {
		pools[0].bq.QueueBroadcast(&intentBroadcast{name: fmt.Sprint("forged", i), msg: b})
	}
	waitFor(t, 3*time.Second, "forged messages gossiped", func() bool { return pools[0].bq.NumQueued() == 0 })
	for _, p := range pools {
		p.mu.Lock()
		n := len(p.intents)
		p.mu.Unlock()
		if n != 0 || statusOf(p, "ghost") != "" {
			t.Fatalf("%s recorded %d intents, ghost %q", p.s.name, n, statusOf(p, "ghost"))
		}
	}
	if err := pools[3].Shutdown(); err != nil {
		t.Fatal(err)
	}
	rest := pools[:3]
	waitFor(t, 8*time.Second, "the killed member dead everywhere", func() bool {
		if !allSee(rest, []string{victim}, StatusDead) {
			return false
		}
		for _, p := range rest {
			if !evs.has(p.s.name, EventDead, victim) {
				return false
			}
		}
		return true
	})
	if err := noEvent(evs, rest, EventLeave, victim); err != nil {
		t.Error(err)
	}
}

// TestIntentThenRejoin: a member leaves, comes back under its name and
// address, then dies: its old intent (even replayed) does not make it left.
func TestIntentThenRejoin(t *testing.T) {
	pools := startPool(t, 3, nil)
	evs := watchAll(pools)
	names := namesOf(pools)
	waitFor(t, 5*time.Second, "3 alive", func() bool { return allSee(pools, names, StatusAlive) })
	leaver := pools[2]
	name, addr := leaver.s.name, addrOf(leaver)
	if err := leaver.Leave(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	leaver.mu.Lock()
	old := encodeIntent(leaveIntent{Name: name, LTime: leaver.intents[name].ltime})
	leaver.mu.Unlock()
	_ = leaver.Shutdown()
	rest := pools[:2]
	waitFor(t, 3*time.Second, "left", func() bool { return allSee(rest, []string{name}, StatusLeft) })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	back, err := startAt(ctx, name, addr, []string{addrOf(pools[0])}, nil)
	if err != nil {
		t.Fatalf("restart %s: %v", name, err)
	}
	pools[2] = back
	drain(back, nil)
	waitFor(t, 5*time.Second, "back alive everywhere", func() bool { return allSee(pools, names, StatusAlive) })
	waitFor(t, 3*time.Second, "alive events", func() bool {
		return evs.has("m00", EventAlive, name) && evs.has("m01", EventAlive, name)
	})
	// A stale copy of the old intent, replayed through the pool.
	pools[0].bq.QueueBroadcast(&intentBroadcast{name: "replay", msg: old})
	(*delegate)(pools[1]).NotifyMsg(old)
	waitFor(t, 3*time.Second, "replay gossiped", func() bool { return pools[0].bq.NumQueued() == 0 })
	for _, p := range rest {
		if p.bq.NumQueued() != 0 {
			t.Errorf("%s re-gossips the stale intent", p.s.name)
		}
	}
	if err := back.Shutdown(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 8*time.Second, "the rejoined member, killed, is dead everywhere", func() bool {
		return allSee(rest, []string{name}, StatusDead)
	})
	for _, p := range rest {
		if s := statusOf(p, name); s != StatusDead {
			t.Errorf("%s sees %s %s", p.s.name, name, s)
		}
	}
}
