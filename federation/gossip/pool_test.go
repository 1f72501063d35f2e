package gossip

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines. memberlist's Shutdown does not wait
// for a probe in flight: probeNode, and the waiter of an indirect probe made
// for another member, return by themselves once their ack timeout (at most a
// few seconds) passes, so they are not leaks of ours.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/hashicorp/memberlist.(*Memberlist).probeNode"),
		goleak.IgnoreTopFunction("github.com/hashicorp/memberlist.(*Memberlist).handleIndirectPing.func2"))
}

// eventLog collects events per pool.
type eventLog struct {
	mu  sync.Mutex
	evs map[string][]Event // observer -> events
}

func (l *eventLog) add(observer string, ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs[observer] = append(l.evs[observer], ev)
}

func (l *eventLog) has(observer string, typ EventType, subject string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ev := range l.evs[observer] {
		if ev.Type == typ && ev.Member.Name == subject {
			return true
		}
	}
	return false
}

func watchAll(pools []*Pool) *eventLog {
	l := &eventLog{evs: map[string][]Event{}}
	for _, p := range pools {
		name := p.s.name
		drain(p, func(ev Event) { l.add(name, ev) })
	}
	return l
}

func TestJoinKillRestart16(t *testing.T) {
	const n = 16
	pools := startPool(t, n, nil)
	evs := watchAll(pools)
	names := namesOf(pools)
	took := waitFor(t, 5*time.Second, "16 members all alive everywhere", func() bool { return allSee(pools, names, StatusAlive) })
	t.Logf("converged %v after the last join", took)
	for _, p := range pools {
		if got := p.Stats().Alive; got != n {
			t.Fatalf("%s: Stats().Alive = %d, want %d", p.s.name, got, n)
		}
		for _, m := range p.Members() {
			if m.Meta.EntityID != "https://"+m.Name+".example.eu" || m.Meta.Country != "IT" {
				t.Fatalf("%s sees %s with meta %+v", p.s.name, m.Name, m.Meta)
			}
		}
	}

	// Kill m05 without a leave message.
	victim := pools[5]
	victimAddr, victimName := addrOf(victim), victim.s.name
	if err := victim.Shutdown(); err != nil {
		t.Fatal(err)
	}
	survivors := append(append([]*Pool{}, pools[:5]...), pools[6:]...)
	took = waitFor(t, 8*time.Second, "all survivors mark the killed member dead", func() bool {
		return allSee(survivors, []string{victimName}, StatusDead)
	})
	t.Logf("failure detected by all %d survivors in %v", len(survivors), took)
	waitFor(t, 5*time.Second, "every survivor got a dead event for the killed member", func() bool {
		for _, p := range survivors {
			if !evs.has(p.s.name, EventDead, victimName) {
				return false
			}
		}
		return true
	})

	// Restart it under the same name and address.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	restarted, err := startAt(ctx, victimName, victimAddr, []string{addrOf(pools[0])}, nil)
	if err != nil {
		t.Fatalf("restart %s: %v", victimName, err)
	}
	pools[5] = restarted
	drain(restarted, nil)
	took = waitFor(t, 5*time.Second, "restarted member alive everywhere", func() bool { return allSee(pools, names, StatusAlive) })
	t.Logf("restarted member alive everywhere in %v", took)
	// The events reach the watchers asynchronously: give them a moment.
	waitFor(t, 5*time.Second, "every survivor got an alive event for the restarted member", func() bool {
		for _, p := range survivors {
			if !evs.has(p.s.name, EventAlive, victimName) {
				return false
			}
		}
		return true
	})
	if st := pools[0].Stats(); st.BytesSent == 0 || st.BytesReceived == 0 || st.PacketsSent == 0 || st.StreamsIn == 0 {
		t.Errorf("traffic counters not counting: %+v", st)
	}
}

func TestGracefulLeave(t *testing.T) {
	pools := startPool(t, 4, nil)
	evs := watchAll(pools)
	names := namesOf(pools)
	waitFor(t, 5*time.Second, "4 alive", func() bool { return allSee(pools, names, StatusAlive) })
	leaver := pools[3]
	if err := leaver.Leave(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if got := statusOf(leaver, leaver.s.name); got != StatusLeft {
		t.Errorf("leaver sees itself %q, want left", got)
	}
	if err := leaver.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if err := leaver.Leave(time.Second); err == nil {
		t.Error("Leave after Shutdown succeeded")
	}
	rest := pools[:3]
	waitFor(t, 3*time.Second, "others see the leaver as left", func() bool { return allSee(rest, []string{leaver.s.name}, StatusLeft) })
	waitFor(t, 3*time.Second, "the others got a leave event", func() bool {
		for _, p := range rest {
			if !evs.has(p.s.name, EventLeave, leaver.s.name) {
				return false
			}
		}
		return true
	})
	for _, p := range rest {
		if st := p.Stats(); st.Alive != 3 || st.Left != 1 || st.Dead != 0 {
			t.Errorf("%s stats %+v, want 3 alive, 1 left", p.s.name, st)
		}
	}
}

func TestWrongKeyringCannotJoin(t *testing.T) {
	pools := startPool(t, 2, nil)
	for _, p := range pools {
		drain(p, nil)
	}
	waitFor(t, 5*time.Second, "2 alive", func() bool { return allSee(pools, namesOf(pools), StatusAlive) })

	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	other := []byte("another-federation-key-32-bytes!")
	intruder, err := startAt(ctx, "intruder", freeAddr(t), []string{addrOf(pools[0])}, func(c *Config) { c.Keyring = [][]byte{other} })
	if err == nil {
		_ = intruder.Shutdown()
		t.Fatal("a member with another keyring joined")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "gave up") {
		t.Errorf("error %v: want a join give-up wrapping the deadline", err)
	}
	time.Sleep(300 * time.Millisecond)
	for _, p := range pools {
		if s := statusOf(p, "intruder"); s != "" {
			t.Errorf("%s knows the intruder as %q", p.s.name, s)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	// Rotation step one: a member that already holds the next key as a
	// secondary still joins members that have only the current key.
	oldKey := testKey
	newKey := []byte("rotated-federation-key-32-bytes!")
	seed := startMember(t, "seed", nil, nil)
	drain(seed, nil)
	defer func() { _ = seed.Shutdown() }()
	joiner := startMember(t, "joiner", []string{addrOf(seed)}, func(c *Config) { c.Keyring = [][]byte{oldKey, newKey} })
	drain(joiner, nil)
	defer func() { _ = joiner.Shutdown() }()
	pools := []*Pool{seed, joiner}
	waitFor(t, 5*time.Second, "rotating member joins", func() bool { return allSee(pools, namesOf(pools), StatusAlive) })
}

func TestUpdateMeta(t *testing.T) {
	pools := startPool(t, 3, nil)
	evs := watchAll(pools)
	waitFor(t, 5*time.Second, "3 alive", func() bool { return allSee(pools, namesOf(pools), StatusAlive) })
	want := Meta{EntityID: "https://m01.example.eu", ECHash: "sha256-abc", Role: "anchor", Country: "LV", Version: "1.2.3"}
	if err := pools[1].UpdateMeta(want); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "new metadata everywhere", func() bool {
		for _, p := range pools {
			for _, m := range p.Members() {
				if m.Name == "m01" && m.Meta != want {
					return false
				}
			}
		}
		return true
	})
	waitFor(t, 3*time.Second, "m00 got an update event", func() bool { return evs.has("m00", EventUpdate, "m01") })
	err := pools[1].UpdateMeta(Meta{ECHash: strings.Repeat("x", 600)})
	if !errors.Is(err, ErrMetaTooLarge) {
		t.Fatalf("oversized UpdateMeta: err = %v, want ErrMetaTooLarge", err)
	}
}

// partition drops every packet and refuses every stream between groups.
type partition struct {
	on    atomic.Bool
	group map[string]int // addr -> group
}

type partitionedTransport struct {
	memberlist.Transport
	p    *partition
	self string
}

func (t *partitionedTransport) cut(addr string) bool {
	return t.p.on.Load() && t.p.group[addr] != t.p.group[t.self]
}

func (t *partitionedTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	if t.cut(addr) {
		return time.Now(), nil // dropped on the floor, as a lost UDP packet
	}
	return t.Transport.WriteTo(b, addr)
}

func (t *partitionedTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	if t.cut(addr) {
		return nil, errors.New("partitioned")
	}
	return t.Transport.DialTimeout(addr, timeout)
}

func TestPartitionAndHeal(t *testing.T) {
	if testing.Short() {
		t.Skip("partition test takes ~10 s")
	}
	const n = 8
	part := &partition{group: map[string]int{}}
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = freeAddr(t)
		part.group[addrs[i]] = i % 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pools := make([]*Pool, n)
	t.Cleanup(func() { shutdownAll(pools) })
	for i := range pools {
		var seeds []string
		if i > 0 {
			seeds = []string{addrs[0]}
		}
		self := addrs[i]
		p, err := startAt(ctx, memberName(i), self, seeds, func(c *Config) {
			c.WrapTransport = func(tr memberlist.Transport) memberlist.Transport {
				return &partitionedTransport{Transport: tr, p: part, self: self}
			}
		})
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		pools[i] = p
		drain(p, nil)
	}
	names := namesOf(pools)
	waitFor(t, 5*time.Second, "8 alive", func() bool { return allSee(pools, names, StatusAlive) })

	part.on.Store(true)
	took := waitFor(t, 12*time.Second, "each side marks the other dead", func() bool {
		for i, p := range pools {
			for j, name := range names {
				s := statusOf(p, name)
				if i%2 == j%2 && s != StatusAlive {
					return false
				}
				if i%2 != j%2 && s != StatusDead && s != StatusSuspect {
					return false
				}
			}
		}
		return true
	})
	t.Logf("partition detected on both sides in %v", took)

	part.on.Store(false)
	took = waitFor(t, 10*time.Second, "healed pool converges", func() bool { return allSee(pools, names, StatusAlive) })
	t.Logf("healed in %v", took)
}

func TestEventsNeverBlock(t *testing.T) {
	p := startMember(t, "solo", nil, nil)
	defer func() { _ = p.Shutdown() }()
	// Nobody reads Events: the self-join event plus these fill the buffer.
	const extra = eventBuffer + 100
	for i := range extra {
		(*eventDelegate)(p).NotifyUpdate(&memberlist.Node{Name: "solo", Addr: net.IPv4(127, 0, 0, 1), Port: uint16(1000 + i)})
	}
	if got, want := p.Stats().EventsDropped, uint64(extra+1-eventBuffer); got != want {
		t.Fatalf("EventsDropped = %d, want %d", got, want)
	}
	if err := p.Shutdown(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for range p.Events() {
		n++
	}
	if n != eventBuffer {
		t.Fatalf("read %d buffered events after Shutdown, want %d", n, eventBuffer)
	}
}

func TestJoinInBackground(t *testing.T) {
	seedAddr := freeAddr(t) // nothing listens there yet
	bg := func(c *Config) { c.JoinInBackground = true }
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	early, err := startAt(ctx, "early", freeAddr(t), []string{seedAddr}, bg)
	if err != nil {
		t.Fatalf("a background join refused to start without its seed: %v", err)
	}
	drain(early, nil)
	defer func() { _ = early.Shutdown() }()
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("Start with an absent seed took %v: it must not wait for the seed", took)
	}

	// A member whose seed never comes up shuts down promptly, without leaks
	// (goleak in TestMain).
	lonely, err := startAt(ctx, "lonely", freeAddr(t), []string{freeAddr(t)}, bg)
	if err != nil {
		t.Fatal(err)
	}
	drain(lonely, nil)
	if err := lonely.Shutdown(); err != nil {
		t.Fatal(err)
	}

	time.Sleep(200 * time.Millisecond) // a few failed attempts
	seed, err := startAt(ctx, "seed", seedAddr, nil, nil)
	if err != nil {
		t.Fatalf("start the seed at %s: %v", seedAddr, err)
	}
	drain(seed, nil)
	defer func() { _ = seed.Shutdown() }()
	pools := []*Pool{seed, early}
	took := waitFor(t, 10*time.Second, "the early member joins the seed once it is up", func() bool {
		return allSee(pools, namesOf(pools), StatusAlive)
	})
	t.Logf("joined %v after the seed started", took)
}
