package gossip

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var testKey = []byte("interlink-test-federation-key-32")

// freeAddr returns a 127.0.0.x:port whose port is free for both TCP and UDP
// right now (the caller retries on a lost race).
func freeAddr(tb testing.TB) string {
	tb.Helper()
	for range 100 {
		host := "127.0.0." + strconv.Itoa(2+rand.N(250))
		tl, err := net.Listen("tcp", host+":0")
		if err != nil {
			continue
		}
		port := tl.Addr().(*net.TCPAddr).Port
		ul, err := net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(port)))
		_ = tl.Close()
		if err != nil {
			continue
		}
		_ = ul.Close()
		return net.JoinHostPort(host, strconv.Itoa(port))
	}
	tb.Fatal("no free TCP+UDP port on 127.0.0.x after 100 tries")
	return ""
}

// startAt starts a member bound to addr (not retried: the caller chose addr).
func startAt(ctx context.Context, name, addr string, seeds []string, mut func(*Config)) (*Pool, error) {
	cfg := Config{
		Name:    name,
		Bind:    addr,
		Seeds:   seeds,
		Keyring: [][]byte{testKey},
		Profile: ProfileLocal,
		Meta:    Meta{EntityID: "https://" + name + ".example.eu", Role: "node", Country: "IT", Version: "test"},
	}
	if mut != nil {
		mut(&cfg)
	}
	return Start(ctx, cfg)
}

// startMember starts a member on a fresh address, retrying lost port races.
func startMember(tb testing.TB, name string, seeds []string, mut func(*Config)) *Pool {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for attempt := 0; ; attempt++ {
		p, err := startAt(ctx, name, freeAddr(tb), seeds, mut)
		if err == nil {
			return p
		}
		if attempt < 5 && strings.Contains(err.Error(), "address already in use") {
			continue
		}
		tb.Fatalf("start %s: %v", name, err)
	}
}

// startPool starts n members (m00, m01, ...) joining through the first.
func startPool(tb testing.TB, n int, mut func(i int, c *Config)) []*Pool {
	tb.Helper()
	pools := make([]*Pool, n)
	wrap := func(i int) func(*Config) {
		if mut == nil {
			return nil
		}
		return func(c *Config) { mut(i, c) }
	}
	pools[0] = startMember(tb, memberName(0), nil, wrap(0))
	seed := pools[0].s.advertiseIP + ":" + strconv.Itoa(pools[0].s.advertisePort)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Go(func() { pools[i] = startMember(tb, memberName(i), []string{seed}, wrap(i)) })
	}
	wg.Wait()
	tb.Cleanup(func() { shutdownAll(pools) })
	return pools
}

func shutdownAll(pools []*Pool) {
	var wg sync.WaitGroup
	for _, p := range pools {
		if p != nil {
			wg.Go(func() { _ = p.Shutdown() })
		}
	}
	wg.Wait()
}

func memberName(i int) string { return fmt.Sprintf("m%02d", i) }

func addrOf(p *Pool) string {
	return net.JoinHostPort(p.s.advertiseIP, strconv.Itoa(p.s.advertisePort))
}

// statusOf returns what p thinks of name ("" when unknown).
func statusOf(p *Pool, name string) string {
	for _, m := range p.Members() {
		if m.Name == name {
			return m.Status
		}
	}
	return ""
}

// allSee reports whether every pool sees every name in the given status.
func allSee(pools []*Pool, names []string, status string) bool {
	for _, p := range pools {
		for _, n := range names {
			if statusOf(p, n) != status {
				return false
			}
		}
	}
	return true
}

func namesOf(pools []*Pool) []string {
	out := make([]string, len(pools))
	for i, p := range pools {
		out[i] = p.s.name
	}
	return out
}

// waitFor polls cond every 10 ms; it returns the time it took, or fails the
// test after timeout.
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			tb.Fatalf("%s: not reached within %v", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// drain consumes a pool's events until the channel closes, returning them
// through the callback.
func drain(p *Pool, on func(Event)) {
	go func() {
		for ev := range p.Events() {
			if on != nil {
				on(ev)
			}
		}
	}()
}
