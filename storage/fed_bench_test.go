package storage

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// runParallel runs work(i) for i in [0, n) on workers goroutines.
func runParallel(b *testing.B, n, workers int, work func(i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				if err := work(int(i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func reportRate(b *testing.B, s *Store, before Stats, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	st := s.Stats()
	if c := st.Commits - before.Commits; c > 0 {
		b.ReportMetric(float64(st.Requests-before.Requests)/float64(c), "writes/commit")
	}
}

// BenchmarkApplyInbound measures durable (fsynced) inbox ingest: 64
// goroutines (HTTP handlers) each apply a remote Create of a ~1 KB object
// under its own activity id; every call returns after its commit reached
// the disk.
func BenchmarkApplyInbound(b *testing.B) {
	s := openTest(b, Options{})
	var ids protocol.ULIDSource
	ops := make([]WriteOp, b.N)
	acts := make([]string, b.N)
	for i := range ops {
		id := ids.New(testEpoch)
		ops[i] = remoteOp(b, id, 1, protocol.KindProblemProfile, kilobyteProfile(i))
		acts[i] = remoteURIs.Activity("create-" + id)
	}
	ctx := context.Background()
	before := s.Stats()
	b.ResetTimer()
	runParallel(b, b.N, 64, func(i int) error {
		ok, err := s.ApplyInbound(ctx, acts[i], ops[i])
		if err == nil && !ok {
			err = fmt.Errorf("activity %d not applied", i)
		}
		return err
	})
	b.StopTimer()
	reportRate(b, s, before, "activities/s")
}

// BenchmarkPublish measures durable local writes announced to 8 accepted
// followers (8 deliveries each) from 16 writers.
func BenchmarkPublish(b *testing.B) {
	s := openTest(b, Options{})
	for i := range 8 {
		mustPutFollower(b, s, peer(fmt.Sprintf("127.0.0.%d:8080", 3+i), "f", i%2 == 0, FollowAccepted))
	}
	f := newFixture()
	ops := make([]WriteOp, b.N)
	for i := range ops {
		ops[i] = publishOp(b, f, fmt.Sprintf("pub-%d", i))
	}
	ctx := context.Background()
	before := s.Stats()
	b.ResetTimer()
	runParallel(b, b.N, 16, func(i int) error { _, err := s.Apply(ctx, ops[i]); return err })
	b.StopTimer()
	reportRate(b, s, before, "publishes/s")
}

// BenchmarkDeliveryDone measures durable completions from a pool of 64
// delivery workers.
func BenchmarkDeliveryDone(b *testing.B) {
	s := openTest(b, Options{})
	inboxes := make([]string, b.N)
	for i := range inboxes {
		inboxes[i] = fmt.Sprintf("http://127.0.0.%d:8080/users/u%d/inbox", 3+i%8, i)
	}
	for i := 0; i < len(inboxes); i += 5000 {
		mustEnqueue(b, s, sendActivity(b, fmt.Sprintf("bulk-%d", i), "Update"), inboxes[i:min(i+5000, len(inboxes))]...)
	}
	var ds []string
	_ = s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bDeliveries).ForEach(func(k, _ []byte) error { ds = append(ds, string(k)); return nil })
	})
	if len(ds) != b.N {
		b.Fatalf("%d deliveries queued, want %d", len(ds), b.N)
	}
	ctx := context.Background()
	before := s.Stats()
	b.ResetTimer()
	runParallel(b, len(ds), 64, func(i int) error { return s.Queue().DeliveryDone(ctx, ds[i]) })
	b.StopTimer()
	reportRate(b, s, before, "completions/s")
}
