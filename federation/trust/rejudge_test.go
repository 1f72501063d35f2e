package trust

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// slowFetcher answers through next after a pause and records how many
// fetches were in flight at once.
type slowFetcher struct {
	next trustchain.Fetcher
	mu   sync.Mutex
	now  int
	max  int
}

func (f *slowFetcher) Fetch(ctx context.Context, raw string) ([]byte, error) {
	f.mu.Lock()
	f.now++
	f.max = max(f.max, f.now)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	}()
	time.Sleep(20 * time.Millisecond)
	return f.next.Fetch(ctx, raw)
}

// signedBy lists one verified version per signer.
type signedBy []string

func (v signedBy) ForEachVerdict(_ context.Context, fn func(storage.Verdict) error) error {
	for i, signer := range v {
		vd := storage.Verdict{IRI: fmt.Sprintf("%s/objects/%d", signer, i), Version: 1, Origin: signer,
			Status: protocol.Verified, Signers: []storage.VerdictSigner{{EntityID: signer}}}
		if err := fn(vd); err != nil {
			return err
		}
	}
	return nil
}

func (signedBy) Get(context.Context, string) (protocol.Object, error) {
	return protocol.Object{}, errors.New("not asked")
}

func (signedBy) SetVerification(context.Context, string, uint64, *protocol.Verification) error {
	return errors.New("not asked")
}

// TestRejudgeResolvesSignersConcurrently: a pass reads every signer's chain
// afresh, several at once (an aggregator's pass reads hundreds over the
// network, one after the other it outgrew its interval), and no more than
// rejudgeResolvers at a time.
func TestRejudgeResolvesSignersConcurrently(t *testing.T) {
	f := newFed(t)
	slow := &slowFetcher{next: f.net}
	svc := aggregator(t, f, slow)
	var signers signedBy
	for i := range 3 * rejudgeResolvers {
		signers = append(signers, fmt.Sprintf("https://leaf%02d.example", i))
	}
	if _, err := svc.Rejudge(context.Background(), signers); err != nil {
		t.Fatal(err)
	}
	if slow.max < 2 || slow.max > rejudgeResolvers {
		t.Fatalf("at most %d chain fetches in flight at once, want 2 to %d", slow.max, rejudgeResolvers)
	}
	// A signer that cannot be read is asked once a pass, not again in the
	// pass's second loop (one after the other, each would cost a timeout).
	if n := f.net.fetches("https://leaf00.example"); n != 1 {
		t.Fatalf("an unreachable signer was fetched %d times in one pass, want 1", n)
	}
}

// agingFetcher advances the clock by a minute at every fetch, as a pass
// over hundreds of unreachable signers does: every remembered failure has
// expired by the pass's second loop.
type agingFetcher struct {
	next  trustchain.Fetcher
	clock *clock
}

func (f agingFetcher) Fetch(ctx context.Context, raw string) ([]byte, error) {
	f.clock.Advance(time.Minute)
	return f.next.Fetch(ctx, raw)
}

// aggregator is a leaf's trust service in f, fetching through fetch, for
// the re-judging tests that feed it verdicts of their own.
func aggregator(t *testing.T, f *fed, fetch trustchain.Fetcher) *Service {
	t.Helper()
	sp := spec{id: "https://aggregator.example", role: RoleLeaf, hints: []string{anchorIT}}
	cfg := f.config(sp)
	m := f.addWith(sp, cfg)
	svc, err := New(context.Background(), cfg, Deps{Self: m.id, Actor: m.id + "/actor", Keys: m.keys.Keys, Settings: m.store,
		Registry: m.store.Authority(), Fetcher: fetch, Now: f.clock.Now, Version: "test", IDs: m.ids})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestRejudgeAsksAnUnreachableSignerOncePerPass: the pass's second loop
// reads the chains the first one resolved; a signer whose chain did not
// resolve is not asked again, even once its remembered failure expired (at
// a million objects from 400 origins, asking again one signer after the
// other cost the pass a minute of DNS timeouts).
func TestRejudgeAsksAnUnreachableSignerOncePerPass(t *testing.T) {
	f := newFed(t)
	svc := aggregator(t, f, agingFetcher{f.net, f.clock})
	signers := signedBy{"https://gone1.example", "https://gone2.example", "https://gone3.example"}
	for pass := 1; pass <= 2; pass++ {
		if _, err := svc.Rejudge(context.Background(), signers); err != nil {
			t.Fatal(err)
		}
		for _, s := range signers {
			if n := f.net.fetches(s); n != pass {
				t.Fatalf("after pass %d, %s was fetched %d times, want %d", pass, s, n, pass)
			}
		}
	}
}

// countingVerdicts yields n verified versions from a few signers without
// allocating, and counts the walks over them.
type countingVerdicts struct {
	vds   []storage.Verdict
	walks int
}

func newCountingVerdicts(n int, signers ...string) *countingVerdicts {
	c := &countingVerdicts{}
	for i := range n {
		signer := signers[i%len(signers)]
		c.vds = append(c.vds, storage.Verdict{IRI: fmt.Sprintf("%s/objects/%d", signer, i), Version: 1, Origin: signer,
			Status: protocol.Verified, Signers: []storage.VerdictSigner{{EntityID: signer, Kid: "k1"}}})
	}
	return c
}

func (c *countingVerdicts) ForEachVerdict(_ context.Context, fn func(storage.Verdict) error) error {
	c.walks++
	for _, vd := range c.vds {
		if err := fn(vd); err != nil {
			return err
		}
	}
	return nil
}

func (*countingVerdicts) Get(context.Context, string) (protocol.Object, error) {
	return protocol.Object{}, errors.New("not asked")
}

func (*countingVerdicts) SetVerification(context.Context, string, uint64, *protocol.Verification) error {
	return errors.New("not asked")
}

// TestRejudgeHoldsSignersNotObjects: a pass with nothing to judge again (the
// steady state) walks the verdicts once and holds what it learns per signer
// and key, not per object: at a million objects, holding one reference per
// object for the length of a pass (41 s, waiting on the network) kept
// ~200 MB alive and made every collection meanwhile mark it.
func TestRejudgeHoldsSignersNotObjects(t *testing.T) {
	f := newFed(t)
	svc := aggregator(t, f, f.net)
	const n = 50_000
	st := newCountingVerdicts(n, "https://gone1.example", "https://gone2.example")
	if _, err := svc.Rejudge(context.Background(), st); err != nil { // a first pass: the resolver's caches
		t.Fatal(err)
	}
	st.walks = 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := svc.Rejudge(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if st.walks != 1 {
		t.Errorf("a pass with nothing to judge again walked the verdicts %d times, want 1", st.walks)
	}
	// One reference an object is 56 bytes: 2.8 MB for n, more with the
	// slices' growth. What a pass needs per signer is a few kilobytes.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<10 {
		t.Errorf("a pass over %d verdicts of 2 signers allocated %d KB, want under 512 KB", n, alloc>>10)
	}
}
