package search

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	synthcorpus "github.com/interlink-project/interlink-node/testnet/corpus"
)

const (
	benchObjects = 100_000
	// benchVersion keys the cached benchmark index with the generator's
	// version (the mapping version is part of the key too).
	benchVersion = "synth-" + synthcorpus.GeneratorVersion
)

// benchIndexDir returns the cached 100k-object index directory, building it
// (minutes) when it is missing. The cache lives under os.TempDir(), keyed by
// the mapping and generator versions, so repeated runs reuse it.
func benchIndexDir(b *testing.B) string {
	b.Helper()
	key := strings.NewReplacer("/", "-", " ", "-").Replace(fmt.Sprintf("%s-%s-%d-shards%d", mappingVersion, benchVersion, benchObjects, benchShards(b)))
	dir := filepath.Join(os.TempDir(), "interlink-search-bench", key)
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		b.Fatal(err)
	}
	b.Logf("building the %d-object benchmark index in %s (cached for later runs)", benchObjects, dir)
	took := buildSynth(b, tmp, benchObjects, 0)
	b.Logf("built in %s", took.Round(time.Second))
	if err := os.WriteFile(filepath.Join(tmp, "complete"), []byte(took.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// benchShards is the shard count of the benchmark indexes: DefaultShards,
// or $INTERLINK_BENCH_SHARDS to compare others.
func benchShards(tb testing.TB) int {
	v := os.Getenv("INTERLINK_BENCH_SHARDS")
	if v == "" {
		return DefaultShards
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxShards {
		tb.Fatalf("INTERLINK_BENCH_SHARDS=%q: want 1..%d", v, maxShards)
	}
	return n
}

// vmRSS reads the process's resident set size in bytes.
func vmRSS(b *testing.B) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb * 1024
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// BenchmarkBuild100k builds the synthetic 100k-object index from scratch
// (a full rebuild through Run) and reports its time and size.
//
//	go test -run '^$' -bench Build100k -benchtime 1x ./storage/search/
func BenchmarkBuild100k(b *testing.B) {
	for b.Loop() {
		dir := b.TempDir()
		took := buildSynth(b, dir, benchObjects, 0)
		b.ReportMetric(took.Seconds(), "build-s")
		b.ReportMetric(float64(benchObjects)/took.Seconds(), "objects/s")
		b.ReportMetric(float64(dirSize(b, dir))/(1<<20), "disk-MB")
	}
}

// benchQueries are 1-3 word queries in the four languages (a tenth with a
// typo), each with two filters, facets on.
func benchQueries(n int) []Query {
	origins := synthcorpus.New(benchObjects).Origins()
	r := rand.New(rand.NewPCG(7, 7))
	filterSets := []func() map[string][]string{
		func() map[string][]string {
			return map[string][]string{"nature": {synthcorpus.Pick(r, []string{"knowledge", "externalsoftware", "software"})}, "scope": {"local"}}
		},
		func() map[string][]string {
			return map[string][]string{"licence": {synthcorpus.Pick(r, []string{"public_domain", "permissive", "copyleft"})}, "language": {synthcorpus.Pick(r, synthcorpus.Languages)}}
		},
		func() map[string][]string {
			return map[string][]string{"type": {"PublicService"}, "country": {synthcorpus.Pick(r, []string{"IT", "ES", "LV"})}}
		},
		func() map[string][]string {
			return map[string][]string{"problem_profile": {synthcorpus.Pick(r, synthcorpus.ProblemProfiles())}, "origin": {synthcorpus.Pick(r, origins).Host}}
		},
	}
	var qs []Query
	for range n {
		lang := synthcorpus.Languages[r.IntN(len(synthcorpus.Languages))]
		vocab := synthcorpus.Vocabulary(lang)
		var ws []string
		for range 1 + r.IntN(3) {
			ws = append(ws, vocab[r.IntN(len(vocab))])
		}
		if r.IntN(10) == 0 { // a typo: drop a letter of the longest word
			i := 0
			for j, w := range ws {
				if len(w) > len(ws[i]) {
					i = j
				}
			}
			if rs := []rune(ws[i]); len(rs) > 4 {
				k := 1 + r.IntN(len(rs)-2)
				ws[i] = string(slices.Delete(rs, k, k+1))
			}
		}
		q := Query{Text: strings.Join(ws, " "), Filters: filterSets[r.IntN(len(filterSets))](), Facets: true}
		if r.IntN(2) == 0 {
			q.Lang = lang
		}
		qs = append(qs, q)
	}
	return qs
}

// BenchmarkSearch100k measures search latency on the cached 100k-object
// index: 1-3 words, two filters, facets on. Reports p50 and p99 in ms, the
// index size on disk and the process RSS right after opening it.
//
//	go test -run '^$' -bench Search100k -benchtime 2000x ./storage/search/
func BenchmarkSearch100k(b *testing.B) {
	dir := benchIndexDir(b)
	rssBefore := vmRSS(b)
	ix := openBenchIndex(b, dir)
	rssOpen := vmRSS(b)
	searchLatency(b, ix, benchQueries(4096))
	b.ReportMetric(float64(dirSize(b, dir))/(1<<20), "disk-MB")
	b.ReportMetric(float64(rssOpen)/(1<<20), "rss-open-MB")
	b.ReportMetric(float64(rssOpen-rssBefore)/(1<<20), "rss-open-delta-MB")
	b.ReportMetric(float64(vmRSS(b))/(1<<20), "rss-end-MB")
}

// BenchmarkFacets100k compares, in one run, facet counting by bleve's facet
// builder ("bleve", the way before the facet columns) with the facet
// columns ("columns") over two query mixes on the cached 100k-object index:
// "mix" is BenchmarkSearch100k's (two filters), "broad" the search page's
// (1-3 common words of one language, a third with one filter), facets on.
// Every query runs both ways in turn (the first alternating), each on a
// fresh result cache, so that both meet the same load on a shared machine.
// Reports per way p50 and p99 in ms and the process CPU time per query
// (which waiting for a busy CPU does not inflate), and the ratios.
//
//	go test -run '^$' -bench Facets100k -benchtime 1000x -count 3 ./storage/search/
func BenchmarkFacets100k(b *testing.B) {
	ix := openBenchIndex(b, benchIndexDir(b))
	for _, mix := range []struct {
		name string
		qs   []Query
	}{{"mix", benchQueries(4096)}, {"broad", broadQueries(4096)}} {
		b.Run(mix.name, func(b *testing.B) {
			ways := []*wayStats{{name: "bleve", bleve: true}, {name: "columns"}}
			for _, q := range mix.qs[:100] { // warm both ways
				for _, w := range ways {
					w.search(b, ix, q, false)
				}
			}
			i := 100
			for b.Loop() {
				q := mix.qs[i%len(mix.qs)]
				for k := range ways {
					ways[(i+k)%2].search(b, ix, q, true)
				}
				i++
			}
			defer func() { ix.bleveFacets = false }()
			for _, w := range ways {
				b.ReportMetric(w.pct(0.50), w.name+"-p50-ms")
				b.ReportMetric(w.pct(0.99), w.name+"-p99-ms")
				b.ReportMetric(w.cpuMs(), w.name+"-cpu-ms/query")
			}
			b.ReportMetric(ways[0].pct(0.50)/ways[1].pct(0.50), "p50-ratio")
			b.ReportMetric(ways[0].pct(0.99)/ways[1].pct(0.99), "p99-ratio")
			b.ReportMetric(ways[0].cpuMs()/ways[1].cpuMs(), "cpu-ratio")
		})
	}
}

// wayStats is the latencies and CPU time of one way of counting facets.
type wayStats struct {
	name  string
	bleve bool
	lat   []time.Duration
	cpu   time.Duration
}

// search runs q the way w counts facets, on a fresh result cache, and
// records its latency and CPU time when record is set.
func (w *wayStats) search(b *testing.B, ix *Index, q Query, record bool) {
	ix.bleveFacets = w.bleve
	ix.gen.Add(1)
	cpu0, start := processCPU(b), time.Now()
	if _, err := ix.Search(context.Background(), q); err != nil {
		b.Fatal(err)
	}
	if record {
		w.lat = append(w.lat, time.Since(start))
		w.cpu += processCPU(b) - cpu0
	}
}

func (w *wayStats) pct(p float64) float64 {
	lat := slices.Sorted(slices.Values(w.lat))
	return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
}

func (w *wayStats) cpuMs() float64 {
	return float64(w.cpu.Microseconds()) / 1000 / float64(len(w.lat))
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// broadQueries are the search page's benchmark queries (node/web
// pageBenchQueries): 1-3 of the 120 most common words of one language, in
// that language, a third of them with one filter, facets on.
func broadQueries(n int) []Query {
	r := rand.New(rand.NewPCG(7, 9))
	filters := []func() map[string][]string{
		func() map[string][]string {
			return map[string][]string{"nature": {synthcorpus.Pick(r, []string{"knowledge", "externalsoftware", "software"})}}
		},
		func() map[string][]string {
			return map[string][]string{"type": {"PublicService"}, "country": {synthcorpus.Pick(r, []string{"IT", "ES", "LV"})}}
		},
		func() map[string][]string {
			return map[string][]string{"problem_profile": {synthcorpus.Pick(r, synthcorpus.ProblemProfiles())}}
		},
		func() map[string][]string {
			return map[string][]string{"licence": {synthcorpus.Pick(r, []string{"public_domain", "permissive", "copyleft"})}}
		},
	}
	out := make([]Query, n)
	for i := range out {
		lang := synthcorpus.Languages[r.IntN(len(synthcorpus.Languages))]
		ws := make([]string, 1+r.IntN(3))
		for k := range ws {
			ws[k] = synthcorpus.Pick(r, synthcorpus.Vocabulary(lang)[:120])
		}
		out[i] = Query{Text: strings.Join(ws, " "), Lang: lang, Facets: true}
		if r.IntN(3) == 0 {
			out[i].Filters = filters[r.IntN(len(filters))]()
		}
	}
	return out
}

// openBenchIndex opens the cached benchmark index in dir.
func openBenchIndex(b *testing.B, dir string) *Index {
	ix, err := Open(dir, Options{IsNotFound: isNotFound, Shards: benchShards(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ix.Close() })
	if n, err := ix.Count(); err != nil || n != benchObjects {
		b.Fatalf("cached index holds %d objects (%v)", n, err)
	}
	return ix
}

// searchLatency runs the queries qs in turn and reports p50 and p99 in ms
// and the mean number of matches per query. It starts a new index
// generation first, so that no result comes from the result cache.
func searchLatency(b *testing.B, ix *Index, qs []Query) {
	ix.gen.Add(1)
	ctx := context.Background()
	// Warm up the OS page cache, bleve's segment caches and the facet
	// columns (with queries not measured: the measured ones start at 200).
	for _, q := range qs[:200] {
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, 4096)
	var hits int
	i := 200
	cpu0 := processCPU(b)
	for b.Loop() {
		q := qs[i%len(qs)]
		i++
		start := time.Now()
		res, err := ix.Search(ctx, q)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		hits += int(res.Total)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(hits)/float64(len(lat)), "matches/query")
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/query")
}

// BenchmarkFacetColumns100k measures building the facet columns of every
// segment of the cached 100k-object index (what the first search with
// facets after opening pays, unless Run has warmed them) and their size.
//
//	go test -run '^$' -bench FacetColumns100k -benchtime 5x ./storage/search/
func BenchmarkFacetColumns100k(b *testing.B) {
	ix := openBenchIndex(b, benchIndexDir(b))
	var segs, bytes int
	for b.Loop() {
		ix.facetCols = newFacetColumns()
		if err := ix.warmFacets(context.Background()); err != nil {
			b.Fatal(err)
		}
		segs, bytes = ix.facetCols.stats()
	}
	b.ReportMetric(float64(segs), "segments")
	b.ReportMetric(float64(bytes)/(1<<20), "columns-MB")
}
