package peering

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/interlink-project/interlink-node/federation/gossip"
	"github.com/interlink-project/interlink-node/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeFed records what the agent asks of the federation agent.
type fakeFed struct {
	mu              sync.Mutex
	paused, resumed []string
	follows         map[string]int
	followErr       error
}

func (f *fakeFed) PauseHost(h string)  { f.mu.Lock(); f.paused = append(f.paused, h); f.mu.Unlock() }
func (f *fakeFed) ResumeHost(h string) { f.mu.Lock(); f.resumed = append(f.resumed, h); f.mu.Unlock() }
func (f *fakeFed) FollowOnce(_ context.Context, actor string) (storage.Follow, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.followErr != nil {
		return storage.Follow{}, false, f.followErr
	}
	if f.follows == nil {
		f.follows = map[string]int{}
	}
	f.follows[actor]++
	return storage.Follow{Actor: actor, State: storage.FollowPending}, f.follows[actor] > 1, nil
}

type checkerFunc func(ctx context.Context, id string) (MemberTrust, error)

func (c checkerFunc) CheckMember(ctx context.Context, id string) (MemberTrust, error) {
	return c(ctx, id)
}

func newAgent(t *testing.T, policy string, c Checker, fed *fakeFed) *Agent {
	t.Helper()
	a := New(Config{Self: "http://127.0.0.1:1", Policy: policy, Checker: c, Meta: func() gossip.Meta { return gossip.Meta{} },
		Do: func(fn func(Federation)) { fn(fed) }})
	t.Cleanup(a.Stop)
	return a
}

func (a *Agent) peer(name string) peerState {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p := a.peers[name]; p != nil {
		return *p
	}
	return peerState{}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting: %s", what)
}

// Under follow-trusted a verified member is checked once (the result is
// cached until it expires or its hint changes) and followed once.
func TestAgentChecksOnceAndFollowsVerified(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	fed := &fakeFed{}
	a := newAgent(t, DiscoveryFollowTrusted, checkerFunc(func(context.Context, string) (MemberTrust, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		return MemberTrust{Verified: true, Name: "Comune", Country: "IT", Anchor: "http://anchor.test"}, nil
	}), fed)
	m := gossip.Member{Name: "http://127.0.0.2:1", Status: gossip.StatusAlive, Meta: gossip.Meta{ECHash: "h1"}}
	a.observe(m, false)
	waitFor(t, "the member is followed", func() bool { return a.peer(m.Name).followed })
	a.observe(m, true)
	a.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if p := a.peer(m.Name); calls != 1 || p.trust != TrustVerified || p.country != "IT" || fed.follows["http://127.0.0.2:1/actor"] != 1 {
		t.Fatalf("checks %d, peer %+v, follows %v", calls, p, fed.follows)
	}
}

// A member whose gossip metadata names another entity is not checked; one
// that goes down is paused, and resumed when it comes back.
func TestAgentRefusesForeignEntityAndPausesDownMembers(t *testing.T) {
	fed := &fakeFed{}
	a := newAgent(t, DiscoveryAnnounceOnly, checkerFunc(func(context.Context, string) (MemberTrust, error) {
		return MemberTrust{}, errors.New("must not be called")
	}), fed)
	a.observe(gossip.Member{Name: "http://127.0.0.3:1", Status: gossip.StatusAlive, Meta: gossip.Meta{EntityID: "http://evil.test"}}, false)
	if p := a.peer("http://127.0.0.3:1"); p.trust != TrustFailed || p.checking {
		t.Fatalf("a member naming another entity: %+v", p)
	}
	a.observe(gossip.Member{Name: "http://127.0.0.3:1", Status: gossip.StatusLeft}, false)
	a.observe(gossip.Member{Name: "http://127.0.0.3:1", Status: gossip.StatusLeft}, true) // re-asserted at a reconcile
	a.observe(gossip.Member{Name: "http://127.0.0.3:1", Status: gossip.StatusAlive, Meta: gossip.Meta{EntityID: "http://evil.test"}}, false)
	fed.mu.Lock()
	defer fed.mu.Unlock()
	if len(fed.paused) != 2 || fed.paused[0] != "127.0.0.3:1" || len(fed.resumed) != 1 || fed.resumed[0] != "127.0.0.3:1" {
		t.Fatalf("paused %v, resumed %v", fed.paused, fed.resumed)
	}
}

// A follow that fails is retried at the next check, soon.
func TestAgentRetriesAFailedFollow(t *testing.T) {
	fed := &fakeFed{followErr: errors.New("peer unreachable")}
	a := newAgent(t, DiscoveryFollowTrusted, checkerFunc(func(context.Context, string) (MemberTrust, error) {
		return MemberTrust{Verified: true}, nil
	}), fed)
	a.observe(gossip.Member{Name: "http://127.0.0.4:1", Status: gossip.StatusAlive}, false)
	a.wg.Wait()
	p := a.peer("http://127.0.0.4:1")
	if p.followed || p.followErr != "peer unreachable" || p.recheck.After(time.Now().Add(followRetry+time.Second)) {
		t.Fatalf("after a failed follow: %+v", p)
	}
}
