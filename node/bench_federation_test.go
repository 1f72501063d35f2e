package node

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// BenchmarkInboxIngest posts signed Create activities from 16 senders with
// 32 concurrent connections to one node's shared inbox. Each is verified
// (RSA signature, Digest, Date, key owner, origins) and durably committed
// before its 202.
//
//	go test -run '^$' -bench BenchmarkInboxIngest -benchtime 6000x -count 3 ./node
func BenchmarkInboxIngest(b *testing.B) {
	defer ApplyRuntime(Defaults())()
	a := startNodeWith(b, b.TempDir(), freeAddr(b, "127.0.0.1"), ingestConfig(b))
	benchIngest(b, a, b.N)
}

// ingestConfig is the receiving node's configuration in the ingest
// benchmarks.
func ingestConfig(b *testing.B) func(*Config) {
	return func(c *Config) {
		fedConfig(c)
		c.Federation.InboxRate = 0 // the benchmark measures capacity: every sender shares 127.0.0.1
		if err := c.LoadEnv(os.Environ()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchIngest posts n signed Creates from 16 senders to a's shared inbox
// over 32 connections (BENCH_CLIENTS) and reports the rate, the CPU an
// activity, the mean group-commit size and the pages a commit writes.
// Signing is the senders' cost, made before the clock starts. BENCH_PROF
// names a file for a CPU profile of the timed part.
func benchIngest(b *testing.B, a *testNode, n int) {
	const senders = 16
	peers := make([]*fakePeer, senders)
	for i := range peers {
		peers[i] = newFakePeerB(b, fmt.Sprintf("127.0.1.%d", i+1))
	}
	inbox := a.n.uris.SharedInbox()
	reqs := make([]*http.Request, n)
	bodies := make([][]byte, n)
	now := time.Now()
	for i := range reqs {
		p := peers[i%senders]
		bodies[i] = createFrom(b, p.url, p.url, 1, "Create", p)
		req, _ := http.NewRequest("POST", inbox, nil)
		req.Header.Set("Content-Type", activity.ContentType)
		if err := (&httpsig.Signer{KeyID: p.actor + "#main-key", Key: p.key}).SignRequest(req, bodies[i], now); err != nil {
			b.Fatal(err)
		}
		reqs[i] = req
	}
	clients := 32
	if v, err := strconv.Atoi(os.Getenv("BENCH_CLIENTS")); err == nil {
		clients = v
	}
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: transport}
	defer transport.CloseIdleConnections()
	before := a.n.live.store().Stats()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	stopProfile := profileTimed(b)
	b.ResetTimer()
	cpu0 := processCPU(b)
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				req := reqs[i].Clone(context.Background())
				req.Body = nopCloser(bytes.NewReader(bodies[i]))
				req.ContentLength = int64(len(bodies[i]))
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				drain(resp)
				if resp.StatusCode != 202 {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	stopProfile()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d activities refused", f, n)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "activities/s")
	// The process's CPU an activity, the senders' HTTP clients included
	// (their signing is done before the clock): steadier than the rate on
	// a shared machine, where a slower core shows in both.
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/activity")
	st := a.n.live.store().Stats()
	if commits := st.Commits - before.Commits; commits > 0 {
		b.ReportMetric(float64(st.Requests-before.Requests)/float64(commits), "writes/commit")
		b.ReportMetric(float64(st.Pages-before.Pages)/float64(commits), "pages/commit")
	}
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// profileTimed writes a CPU profile of the timed part of an ingest
// benchmark to the file BENCH_PROF names (-test.cpuprofile would include
// the senders' RSA signing before the clock). It returns the function that
// stops it; without BENCH_PROF both do nothing.
func profileTimed(b *testing.B) (stop func()) {
	path := os.Getenv("BENCH_PROF")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	}
}

// BenchmarkPublishToVisible measures, for 1 and 8 followers, the time from
// a create's acknowledgement on the origin to the object being stored on
// each follower (p50 and p99 over every follower and object).
//
//	go test -run '^$' -bench BenchmarkPublishToVisible -benchtime 200x -count 3 ./node
func BenchmarkPublishToVisible(b *testing.B) {
	for _, followers := range []int{1, 8} {
		b.Run(fmt.Sprintf("followers=%d", followers), func(b *testing.B) {
			defer ApplyRuntime(Defaults())()
			a := startFed(b, "127.0.0.1")
			fs := make([]*testNode, followers)
			for i := range fs {
				fs[i] = startFed(b, fmt.Sprintf("127.0.0.%d", i+2))
				fs[i].follow(b, a)
			}
			editor := a.token("editor")
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := a.postJSON("/api/v1/objects", editor, interlinkerBody(fmt.Sprintf("lat_%05d", i), "Latency probe", "Sonda"))
				t0 := time.Now()
				iri := r.json(b)["iri"].(string)
				var wg sync.WaitGroup
				var mu sync.Mutex
				for _, f := range fs {
					wg.Add(1)
					go func(f *testNode) {
						defer wg.Done()
						for {
							if _, err := f.n.live.store().Get(context.Background(), iri); err == nil {
								mu.Lock()
								lat = append(lat, time.Since(t0))
								mu.Unlock()
								return
							}
							if time.Since(t0) > 10*time.Second {
								b.Error("not visible within 10 s")
								return
							}
							time.Sleep(200 * time.Microsecond)
						}
					}(f)
				}
				wg.Wait()
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkBackfill measures a follower fetching a 5,000-object catalogue
// from the origin's outbox (objects/s).
//
//	go test -run '^$' -bench BenchmarkBackfill -benchtime 3x ./node
func BenchmarkBackfill(b *testing.B) {
	defer ApplyRuntime(Defaults())()
	a := backfillOrigin(b)
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := startFed(b, "127.0.0.2")
		b.StartTimer()
		elapsed += timeBackfill(b, f, a)
		b.StopTimer()
		f.n.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(backfillObjects*b.N)/elapsed.Seconds(), "objects/s")
}

// backfillObjects is the size of the catalogue backfillOrigin publishes.
const backfillObjects = 5000

// backfillOrigin starts the origin of the backfill benchmarks on 127.0.0.1,
// holding a catalogue of backfillObjects interlinkers.
func backfillOrigin(b *testing.B) *testNode {
	a := startFed(b, "127.0.0.1")
	editor := a.token("editor")
	for i := 0; i < backfillObjects; i += 500 {
		var objs []any
		for j := i; j < i+500; j++ {
			objs = append(objs, interlinkerBody(fmt.Sprintf("bf_%05d", j), fmt.Sprintf("Backfill tool %d", j), "Strumento", "P1"))
		}
		if r := a.postJSON("/api/v1/import", editor, map[string]any{"objects": objs}); r.status != 201 {
			b.Fatalf("import: %d %s", r.status, r.body)
		}
	}
	return a
}

// timeBackfill has f backfill a's whole catalogue and returns how long it
// took, failing b unless every object was applied.
func timeBackfill(b *testing.B, f, a *testNode) time.Duration {
	t0 := time.Now()
	n, err := f.n.live.fed().Backfill(context.Background(), a.actor())
	elapsed := time.Since(t0)
	if err != nil || n != backfillObjects {
		b.Fatalf("backfill applied %d of %d: %v", n, backfillObjects, err)
	}
	return elapsed
}
