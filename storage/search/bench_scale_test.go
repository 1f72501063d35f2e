package search_test

import (
	"context"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/storage/search"
	"github.com/interlink-project/interlink-node/testnet/corpus/benchdata"
)

// BenchmarkSearchScale measures search with facets over the aggregator
// corpus (testnet/corpus) at each size of the run (10k and 100k objects;
// 1M with BENCH_CORPUS_SIZES=1M): the query mix of benchdata.Queries
// (1-3 words, two filters, facets on), p50 and p99 in ms, the CPU time a
// query and the mean number of matches. The corpora are built once and
// cached (testnet/corpus/benchdata).
//
//	GOGC=400 go test -run '^$' -bench SearchScale -benchtime 2000x -count 3 ./storage/search/
//	BENCH_CORPUS_SIZES=1M GOGC=400 go test -run '^$' -bench SearchScale/1M -benchtime 2000x -count 3 -timeout 0 ./storage/search/
func BenchmarkSearchScale(b *testing.B) {
	for _, size := range benchdata.Sizes(b) {
		b.Run(size.Name, func(b *testing.B) {
			d := benchdata.Ensure(b, size.Objects)
			ix, err := search.Open(d.Index, benchdata.IndexOptions())
			if err != nil {
				b.Fatal(err)
			}
			defer ix.Close()
			lat, hits, cpu := MeasureSearches(b, ix, benchdata.Queries(d.Corpus, 4096))
			ReportLatency(b, lat)
			b.ReportMetric(float64(hits)/float64(len(lat)), "matches/query")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/query")
		})
	}
}

// MeasureSearches warms ix with the first 200 queries, then runs one query
// of qs per iteration of b, from the 201st, on a fresh result cache, and
// returns the latencies, the total matches and the process CPU time used.
func MeasureSearches(b *testing.B, ix *search.Index, qs []search.Query) ([]time.Duration, int, time.Duration) {
	ctx := context.Background()
	search.NewGeneration(ix)
	for _, q := range qs[:200] {
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, 4096)
	hits, i := 0, 200
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
	return lat, hits, processCPU(b) - cpu0
}

// ReportLatency reports the p50 and p99 of lat in ms.
func ReportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
