package gossip

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// benchRuns is the number of runs per benchmark (GOSSIP_BENCH_RUNS, default 20).
func benchRuns() int {
	if n, err := strconv.Atoi(os.Getenv("GOSSIP_BENCH_RUNS")); err == nil && n > 0 {
		return n
	}
	return 20
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

// BenchmarkConvergence: n members join one seed concurrently; the time from
// the last Start returning until every member sees every member alive.
// Run: go test -run '^$' -bench Convergence -benchtime 1x ./federation/gossip
func BenchmarkConvergence(b *testing.B) {
	for _, n := range []int{16, 32, 64} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			for range b.N {
				var after, total []time.Duration
				for range benchRuns() {
					start := time.Now()
					pools := startPool(b, n, nil)
					joined := time.Now()
					for _, p := range pools {
						drain(p, nil)
					}
					names := namesOf(pools)
					waitFor(b, 30*time.Second, "convergence", func() bool { return allSee(pools, names, StatusAlive) })
					after = append(after, time.Since(joined))
					total = append(total, time.Since(start))
					shutdownAll(pools)
				}
				b.ReportMetric(float64(pct(after, 0.5).Milliseconds()), "p50-ms")
				b.ReportMetric(float64(slices.Max(after).Milliseconds()), "max-ms")
				b.ReportMetric(float64(slices.Max(total).Milliseconds()), "max-total-ms")
			}
		})
	}
}

// BenchmarkFailureDetection: kill one member without leave; the time until
// every survivor marks it dead.
func BenchmarkFailureDetection(b *testing.B) {
	for _, n := range []int{16, 64} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			for range b.N {
				var ds []time.Duration
				runs := max(benchRuns()/4, 1)
				for range runs {
					pools := startPool(b, n, nil)
					for _, p := range pools {
						drain(p, nil)
					}
					names := namesOf(pools)
					waitFor(b, 30*time.Second, "convergence", func() bool { return allSee(pools, names, StatusAlive) })
					victim := pools[n/2]
					_ = victim.Shutdown()
					survivors := slices.Delete(slices.Clone(pools), n/2, n/2+1)
					ds = append(ds, waitFor(b, 30*time.Second, "detection", func() bool {
						return allSee(survivors, []string{victim.s.name}, StatusDead)
					}))
					shutdownAll(pools)
				}
				b.ReportMetric(float64(pct(ds, 0.5).Milliseconds()), "p50-ms")
				b.ReportMetric(float64(slices.Max(ds).Milliseconds()), "max-ms")
			}
		})
	}
}

// BenchmarkTraffic: gossip bytes/s per node (sent+received), during the
// first 10 s after a join storm and in a 10 s steady-state window after it.
func BenchmarkTraffic(b *testing.B) {
	for _, n := range []int{16, 64} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			for range b.N {
				pools := startPool(b, n, nil)
				for _, p := range pools {
					drain(p, nil)
				}
				sum := func() uint64 {
					var t uint64
					for _, p := range pools {
						st := p.Stats()
						t += st.BytesSent + st.BytesReceived
					}
					return t
				}
				const window = 10 * time.Second
				time.Sleep(window)
				storm := sum()
				time.Sleep(window)
				steady := sum() - storm
				b.ReportMetric(float64(storm)/float64(n)/window.Seconds(), "join-B/s/node")
				b.ReportMetric(float64(steady)/float64(n)/window.Seconds(), "steady-B/s/node")
				shutdownAll(pools)
			}
		})
	}
}
