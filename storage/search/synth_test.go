package search

import (
	"context"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	synthcorpus "github.com/interlink-project/interlink-node/testnet/corpus"
)

// synth is the synthetic catalogue of the benchmarks (testnet/corpus).
type synth struct {
	n int
	c *synthcorpus.Synthetic
}

func newSynth(n int) *synth { return &synth{n: n, c: synthcorpus.New(n)} }

// object i of the synthetic catalogue.
func (s *synth) object(t testing.TB, i int) protocol.Object {
	o, err := s.c.Object(i)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// synthSource serves the synthetic catalogue for a full rebuild.
type synthSource struct {
	t testing.TB
	s *synth
}

func (s synthSource) Seq() uint64              { return uint64(s.s.n) }
func (s synthSource) Epoch() string            { return "synthetic" }
func (s synthSource) Changed() <-chan struct{} { return nil }
func (s synthSource) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	return nil, nil
}
func (s synthSource) Get(ctx context.Context, iri string) (protocol.Object, error) {
	return protocol.Object{}, errNotFound
}
func (s synthSource) ForEach(ctx context.Context, fn func(protocol.Object) error) error {
	for i := range s.s.n {
		if err := fn(s.s.object(s.t, i)); err != nil {
			return err
		}
	}
	return nil
}

// buildSynth builds the synthetic index of n objects in dir and returns how long it took.
func buildSynth(t testing.TB, dir string, n, batchSize int) time.Duration {
	ix, err := Open(dir, Options{IsNotFound: isNotFound, BatchSize: batchSize, Shards: benchShards(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	src := synthSource{t: t, s: newSynth(n)}
	go func() { done <- ix.Run(ctx, src) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer wcancel()
	if err := ix.WaitFor(wctx, src.Seq()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, err := ix.Count(); err != nil || c != uint64(n) {
		t.Fatalf("synthetic index holds %d objects (%v), want %d", c, err, n)
	}
	return took
}

func TestSynthShape(t *testing.T) {
	s := newSynth(200)
	kinds := map[protocol.Kind]int{}
	for i := range s.n {
		o := s.object(t, i)
		if _, err := protocol.DecodeEntity(o.Body); err != nil {
			t.Fatalf("synthetic object %d is invalid: %v", i, err)
		}
		kinds[o.Type]++
	}
	if kinds[protocol.KindInterlinker] < 70 || kinds[protocol.KindPublicService] < 80 { // about 45 % and 55 %
		t.Errorf("kinds %v", kinds)
	}
}
