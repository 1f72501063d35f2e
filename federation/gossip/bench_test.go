package gossip

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Benchmarks of the pool on loopback, every member in this process on its
// own 127.0.0.x address. Each benchmark makes benchRuns runs per
// iteration and reports the median (p50) and the worst run (max).
//
//	go test -run '^$' -bench . -benchtime 1x -count 3 -timeout 60m ./federation/gossip

// benchRuns is the number of runs per benchmark (GOSSIP_BENCH_RUNS, default 20).
func benchRuns() int {
	if n, err := strconv.Atoi(os.Getenv("GOSSIP_BENCH_RUNS")); err == nil && n > 0 {
		return n
	}
	return 20
}

// benchProfiles are the profiles measured (GOSSIP_BENCH_PROFILES,
// comma-separated; default local,lan).
func benchProfiles() []string {
	if v := os.Getenv("GOSSIP_BENCH_PROFILES"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{ProfileLocal, ProfileLAN}
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

// eachCase runs fn as a sub-benchmark per profile and pool size.
func eachCase(b *testing.B, sizes []int, fn func(b *testing.B, profile string, n int)) {
	for _, profile := range benchProfiles() {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("profile=%s/members=%d", profile, n), func(b *testing.B) { fn(b, profile, n) })
		}
	}
}

// startBenchPool starts n members of profile, their events drained.
func startBenchPool(b *testing.B, profile string, n int) []*Pool {
	pools := startPool(b, n, func(_ int, c *Config) { c.Profile = profile })
	for _, p := range pools {
		drain(p, nil)
	}
	return pools
}

// BenchmarkConvergence: n members join one seed concurrently; the time from
// the last Start returning until every member sees every member alive
// (after), and from the first Start (total).
func BenchmarkConvergence(b *testing.B) {
	eachCase(b, []int{16, 32, 64}, func(b *testing.B, profile string, n int) {
		for range b.N {
			var after, total []time.Duration
			for range benchRuns() {
				start := time.Now()
				pools := startBenchPool(b, profile, n)
				joined := time.Now()
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

// BenchmarkFailureDetection: kill one member without a leave message; the
// time until every survivor marks it dead.
func BenchmarkFailureDetection(b *testing.B) {
	eachCase(b, []int{16, 64}, func(b *testing.B, profile string, n int) {
		for range b.N {
			var ds []time.Duration
			for range max(benchRuns()/4, 1) {
				pools := startBenchPool(b, profile, n)
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

// BenchmarkTraffic: gossip bytes/s per node (sent + received, encrypted, on
// the network) in the first 10 s after a join storm and in the next 10 s
// (steady state).
func BenchmarkTraffic(b *testing.B) {
	eachCase(b, []int{16, 64}, func(b *testing.B, profile string, n int) {
		for range b.N {
			pools := startBenchPool(b, profile, n)
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
