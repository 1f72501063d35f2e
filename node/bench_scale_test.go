package node

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	rtmetrics "runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
	"github.com/interlink-project/interlink-node/testnet/corpus/benchdata"
)

// BenchmarkScale measures a node over the aggregator corpus
// (testnet/corpus: every signed version of every object, built once and
// cached by benchdata) at each size of the run: 10k and 100k objects, 1M
// with BENCH_CORPUS_SIZES=1M (issue 16 §2). Sub-benchmarks:
//
//   - start: a node process from exec to /readyz with its index present
//     (ready-ms) and its resident memory 1 s later, idle (idle-rss-MiB);
//
//   - heap: the live heap of an idle node started in this process, after
//     a collection (heap-live-MiB; the test binary's own heap included);
//
//   - rebuild: the search index rebuilt from the store into an empty
//     directory, as a node does when its index is missing (rebuild-s);
//
//   - backup: an online backup of the store to a file (backup-s);
//
//   - storage: bytes on disk a stored object, all versions (db-B/object,
//     index-B/object, total-B/object, db-B/version);
//
//   - rejudge: one re-judging pass (the trust layer over every stored
//     verdict), its duration against trust.reverify_interval
//     (pass-share-of-interval), and the search p99 while passes run back
//     to back against the p99 without them (search-p99-ms,
//     search-p99-rejudging-ms).
//
//     go test -run '^$' -bench 'BenchmarkScale/' -benchtime 3x -count 3 ./node
//     BENCH_CORPUS_SIZES=1M go test -run '^$' -bench 'BenchmarkScale/1M' -benchtime 3x -count 3 -timeout 0 ./node
func BenchmarkScale(b *testing.B) {
	for _, size := range benchdata.Sizes(b) {
		b.Run(size.Name, func(b *testing.B) {
			d := benchdata.Ensure(b, size.Objects)
			b.Run("start", func(b *testing.B) { benchScaleStart(b, d) })
			b.Run("heap", func(b *testing.B) { benchScaleHeap(b, d) })
			b.Run("rebuild", func(b *testing.B) { benchScaleRebuild(b, d) })
			b.Run("backup", func(b *testing.B) { benchScaleBackup(b, d) })
			b.Run("storage", func(b *testing.B) { benchScaleStorage(b, d) })
			b.Run("rejudge", func(b *testing.B) { benchScaleRejudge(b, d) })
		})
	}
}

func benchScaleStart(b *testing.B, d benchdata.Data) {
	cmd, _, _ := startChild(b, d.Dir) // the first start on the data creates the node's keys
	stopChild(cmd)
	var ready time.Duration
	var rss int64
	for b.Loop() {
		cmd, _, took := startChild(b, d.Dir)
		time.Sleep(time.Second)
		ready += took
		rss += vmRSS(cmd.Process.Pid)
		stopChild(cmd)
	}
	b.ReportMetric(float64(ready.Microseconds())/1000/float64(b.N), "ready-ms")
	b.ReportMetric(float64(rss)/float64(b.N)/(1<<20), "idle-rss-MiB")
}

func benchScaleHeap(b *testing.B, d benchdata.Data) {
	var live uint64
	for b.Loop() {
		tn := startNodeWith(b, d.Dir, freeAddr(b, "127.0.0.1"), nil)
		time.Sleep(time.Second)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		live += ms.HeapAlloc
		tn.n.Close()
	}
	b.ReportMetric(float64(live)/float64(b.N)/(1<<20), "heap-live-MiB")
}

func benchScaleRebuild(b *testing.B, d benchdata.Data) {
	st, err := storage.Open(d.DB, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var took time.Duration
	for b.Loop() {
		ix, err := search.Open(filepath.Join(b.TempDir(), "index"), benchdata.IndexOptions())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- ix.Run(ctx, search.StoreSource{St: st}) }()
		err = ix.WaitFor(context.Background(), st.Seq())
		took += time.Since(start)
		cancel()
		if rerr := <-done; err == nil && !errors.Is(rerr, context.Canceled) {
			err = rerr
		}
		if n, cerr := ix.Count(); err == nil && (cerr != nil || n != uint64(d.Objects)) {
			err = errors.Join(cerr, errors.New("the rebuilt index misses objects"))
		}
		if err := errors.Join(err, ix.Close()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "rebuild-s")
	b.ReportMetric(float64(d.Objects)*float64(b.N)/took.Seconds(), "objects/s")
}

func benchScaleBackup(b *testing.B, d benchdata.Data) {
	st, err := storage.Open(d.DB, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var took time.Duration
	var bytes int64
	for b.Loop() {
		f, err := os.Create(filepath.Join(b.TempDir(), "backup.db"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		n, err := st.Backup(context.Background(), f)
		if err == nil {
			err = f.Sync() // a backup is taken when it is on disk
		}
		took += time.Since(start)
		if err := errors.Join(err, f.Close(), os.Remove(f.Name())); err != nil {
			b.Fatal(err)
		}
		bytes = n
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "backup-s")
	b.ReportMetric(float64(bytes)/(1<<20), "backup-MiB")
}

func benchScaleStorage(b *testing.B, d benchdata.Data) {
	var db, index int64
	for b.Loop() {
		db, index = diskSize(b, d.DB), diskSize(b, d.Index)
	}
	b.ReportMetric(float64(db)/float64(d.Objects), "db-B/object")
	b.ReportMetric(float64(index)/float64(d.Objects), "index-B/object")
	b.ReportMetric(float64(db+index)/float64(d.Objects), "total-B/object")
	b.ReportMetric(float64(db)/float64(d.Versions), "db-B/version")
	b.ReportMetric(float64(d.Versions)/float64(d.Objects), "versions/object")
}

// benchScaleRejudge runs re-judging passes on a node over the corpus (its
// signers' chains do not resolve here: a pass reads every verdict, asks
// for each signer's chain once and keeps what it knew, the steady state of
// an aggregator whose peers changed nothing), back to back until
// besideQueries searches have run beside them, then the same searches
// without passes.
func benchScaleRejudge(b *testing.B, d benchdata.Data) {
	tn := startNodeWith(b, d.Dir, freeAddr(b, "127.0.0.1"), nil)
	ctx := context.Background()
	ix := tn.n.live.index()
	qs := benchdata.Queries(d.Corpus, 4096)
	searchLatencies(ctx, b, ix, qs[:200], nil, nil) // warm the caches
	qs = qs[200:]
	var took time.Duration
	var passes int
	var heapPeak uint64
	var quiet, during []time.Duration
	for b.Loop() {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var searched atomic.Int64
		var lat []time.Duration
		wg.Go(func() { lat = searchLatencies(ctx, b, ix, qs, stop, &searched) })
		wg.Go(func() { heapPeak = max(heapPeak, peakHeap(stop)) })
		start := time.Now()
		for n := 0; n == 0 || searched.Load() < besideQueries; n++ {
			if _, err := tn.n.rejudger.Pass(ctx); err != nil {
				b.Fatal(err)
			}
			passes++
		}
		took += time.Since(start)
		close(stop)
		wg.Wait()
		during = append(during, lat...)
		// The same searches without passes beside them (a tail depends on
		// which queries it is taken over), from the middle of the sequence
		// on: the result cache (256 pages, first in first out) then holds
		// none of the pages it needs, as the searches above had none.
		b.StopTimer()
		k := len(lat)
		again := make([]search.Query, k)
		for j := range again {
			again[j] = qs[(k/2+j)%k%len(qs)]
		}
		quiet = append(quiet, searchLatencies(ctx, b, ix, again, nil, nil)...)
		b.StartTimer()
	}
	pass := took / time.Duration(passes)
	b.ReportMetric(pass.Seconds(), "pass-s")
	b.ReportMetric(pass.Seconds()/tn.n.cfg.Trust.ReverifyInterval.Seconds(), "pass-share-of-interval")
	b.ReportMetric(p99ms(quiet), "search-p99-ms")
	b.ReportMetric(p99ms(during), "search-p99-rejudging-ms")
	b.ReportMetric(meanms(quiet), "search-mean-ms")
	b.ReportMetric(meanms(during), "search-mean-rejudging-ms")
	b.ReportMetric(float64(heapPeak)/(1<<20), "heap-peak-MiB")
	b.ReportMetric(float64(len(during))/float64(b.N), "searches")
}

// besideQueries is how many searches a re-judging benchmark runs beside its
// passes, at least: four times the result cache, so that the quiet run that
// follows, started halfway through the sequence, finds nothing cached.
const besideQueries = 1100

// searchLatencies runs qs in turn and returns their latencies: all of them
// once when stop is nil, else from the first again after the last until
// stop is closed. It counts the searches done in progress when not nil.
func searchLatencies(ctx context.Context, b *testing.B, ix *search.Index, qs []search.Query, stop chan struct{}, progress *atomic.Int64) []time.Duration {
	var lat []time.Duration
	for i := 0; ; i++ {
		if stop == nil && i == len(qs) {
			return lat
		}
		if stop != nil {
			select {
			case <-stop:
				return lat
			default:
			}
		}
		start := time.Now()
		if _, err := ix.Search(ctx, qs[i%len(qs)]); err != nil {
			b.Error(err)
			return lat
		}
		lat = append(lat, time.Since(start))
		if progress != nil {
			progress.Add(1)
		}
	}
}

// meanms is the mean of lat in ms.
func meanms(lat []time.Duration) float64 {
	if len(lat) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	return float64(sum.Microseconds()) / 1000 / float64(len(lat))
}

// peakHeap samples the bytes of live and not yet swept heap objects every
// 50 ms until stop is closed and returns the largest.
func peakHeap(stop chan struct{}) uint64 {
	sample := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		rtmetrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}

func p99ms(lat []time.Duration) float64 {
	if len(lat) == 0 {
		return 0
	}
	lat = slices.Sorted(slices.Values(lat))
	return float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds()) / 1000
}

// diskSize is benchdata.DiskBytes, failing b on error.
func diskSize(b *testing.B, path string) int64 {
	n, err := benchdata.DiskBytes(path)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkIngestScale is the signed inbox ingest of BenchmarkInboxIngest
// into a node that already holds the aggregator corpus of each size (a copy
// of the cached one, so the cache stays as built): how receiving keeps up
// as the catalogue grows, the ingest curve of docs/benchmarks.md. Each run
// posts BENCH_INGEST_N activities (default 3,000), once: run it with
// -benchtime 1x (a larger b.N would copy the corpus again for nothing).
//
//	go test -run '^$' -bench 'BenchmarkIngestScale/' -benchtime 1x -count 3 ./node
//	BENCH_CORPUS_SIZES=1M go test -run '^$' -bench 'BenchmarkIngestScale/1M' -benchtime 1x -timeout 0 ./node
func BenchmarkIngestScale(b *testing.B) {
	defer ApplyRuntime(Defaults())()
	n := 3000
	if v, err := strconv.Atoi(os.Getenv("BENCH_INGEST_N")); err == nil && v > 0 {
		n = v
	}
	for _, size := range benchdata.Sizes(b) {
		b.Run(size.Name, func(b *testing.B) {
			a := startOnCorpusCopy(b, size.Objects, "127.0.0.1")
			benchIngest(b, a, n) // once: run with -benchtime 1x
		})
	}
}

// BenchmarkBackfillScale is BenchmarkBackfill into a node that already holds
// the aggregator corpus of each size (a copy of the cached one): a follower
// of a new origin takes its 5,000-object catalogue from its outbox, pages
// fetched, every signature verified, group commits into the large store.
// Once per run: use -benchtime 1x. BENCH_PROF names a file for a CPU
// profile of the backfill.
//
//	go test -run '^$' -bench 'BenchmarkBackfillScale/' -benchtime 1x -count 3 ./node
//	BENCH_CORPUS_SIZES=1M go test -run '^$' -bench 'BenchmarkBackfillScale/1M' -benchtime 1x -timeout 0 ./node
func BenchmarkBackfillScale(b *testing.B) {
	defer ApplyRuntime(Defaults())()
	a := backfillOrigin(b)
	for _, size := range benchdata.Sizes(b) {
		b.Run(size.Name, func(b *testing.B) {
			f := startOnCorpusCopy(b, size.Objects, "127.0.0.2")
			stopProfile := profileTimed(b)
			b.ResetTimer()
			elapsed := timeBackfill(b, f, a) // once: run with -benchtime 1x
			stopProfile()
			b.ReportMetric(backfillObjects/elapsed.Seconds(), "objects/s")
		})
	}
}

// startOnCorpusCopy starts a receiving node (ingestConfig) on host over a
// copy of the cached corpus of the given size, so that what it receives
// leaves the cache as it was.
func startOnCorpusCopy(b *testing.B, objects int, host string) *testNode {
	b.Helper()
	d := benchdata.Ensure(b, objects)
	dir := filepath.Join(b.TempDir(), "data")
	if err := copyDataDir(dir, d.Dir); err != nil {
		b.Fatal(err)
	}
	return startNodeWith(b, dir, freeAddr(b, host), ingestConfig(b))
}

// copyDataDir copies a node's data directory, owner-only as the node keeps
// it (os.CopyFS makes files readable by all, which the key loader refuses).
func copyDataDir(dst, src string) error {
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return err
	}
	return filepath.WalkDir(dst, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return os.Chmod(path, 0o700)
		}
		return os.Chmod(path, 0o600)
	})
}
