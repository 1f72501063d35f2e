package sim

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"time"

	"github.com/interlink-project/interlink-node/federation/gossip"
)

// GossipRun says what MeasureGossip does: N members, how long to let the
// pool settle after the first convergence, and the window over which
// steady traffic is counted; all in simulated time.
type GossipRun struct {
	N       int
	Settle  time.Duration // default 5 s
	Window  time.Duration // default 10 s
	Timeout time.Duration // for each convergence; default 60 s + 60 ms a member
	// Progress, when set, is told each phase as it ends.
	Progress func(format string, args ...any)
}

// GossipResult is what MeasureGossip measured.
type GossipResult struct {
	N, Profile string
	TimeScale  float64
	// Times and rates are in simulated time (TimeScale: wall time runs
	// that much slower). Storm is the time from the first start until every member of the
	// first N-1 saw every other alive (N-1 members joining together).
	Storm time.Duration
	// Join is the time from one more member's start until every member saw
	// every other alive; Death from a member's crash until every other saw
	// it dead (or left).
	Join, Death time.Duration
	// Steady is traffic per member per second over the window, once
	// settled; Churn over the join and the death.
	Steady, Churn Rates
	// PushPulls is the pool's own push/pulls (anti-entropy after changes,
	// reconnects to dead members: gossip.Stats.PushPulls) a member a minute
	// over the steady window; memberlist's periodic ones are not counted.
	PushPulls float64
	// Lost and Dropped count packets lost on the way and at full queues,
	// over the whole run.
	Lost, Dropped uint64
	// CPU is the process's CPU time over the run (user + system), and
	// Wall its duration: CPU/Wall near the machine's cores means the
	// simulation was short of CPU.
	CPU, Wall time.Duration
}

// Rates are bytes per second per member, in and out: medians and maxima.
type Rates struct {
	InMedian, InMax, OutMedian, OutMax float64
}

func (r Rates) String() string {
	return fmt.Sprintf("in %s (max %s), out %s (max %s)", kbs(r.InMedian), kbs(r.InMax), kbs(r.OutMedian), kbs(r.OutMax))
}

func kbs(b float64) string { return fmt.Sprintf("%.1f KB/s", b/1000) }

func (r GossipResult) String() string {
	return fmt.Sprintf("%s members (%s, time ×%g): storm %s, join %s, death %s; steady %s (%.1f pool push/pulls a member a minute); churn %s; lost %d, dropped %d; CPU %s over %s",
		r.N, r.Profile, r.TimeScale, r.Storm.Round(time.Millisecond), r.Join.Round(time.Millisecond), r.Death.Round(time.Millisecond),
		r.Steady, r.PushPulls, r.Churn, r.Lost, r.Dropped, r.CPU.Round(time.Millisecond), r.Wall.Round(time.Millisecond))
}

// MeasureGossip starts run.N-1 members and waits until they converge,
// lets them settle, counts steady traffic over the window, starts one more
// member and times until everybody sees everybody alive, crashes one member
// and times until every other sees it dead. It closes the cluster.
func MeasureGossip(ctx context.Context, cfg GossipConfig, run GossipRun) (res GossipResult, err error) {
	if run.N < 3 {
		return res, fmt.Errorf("sim: %d members: at least 3", run.N)
	}
	if run.Settle <= 0 {
		run.Settle = 5 * time.Second
	}
	if run.Window <= 0 {
		run.Window = 10 * time.Second
	}
	if run.Timeout <= 0 {
		run.Timeout = 60*time.Second + time.Duration(run.N)*60*time.Millisecond
	}
	progress := run.Progress
	if progress == nil {
		progress = func(string, ...any) {}
	}
	c, err := NewCluster(cfg)
	if err != nil {
		return res, err
	}
	k := c.cfg.TimeScale
	res.TimeScale = k
	wall := func(d time.Duration) time.Duration { return time.Duration(float64(d) * k) }
	sim := func(d time.Duration) time.Duration { return time.Duration(float64(d) / k) }
	run.Settle, run.Window, run.Timeout = wall(run.Settle), wall(run.Window), wall(run.Timeout)
	defer func() {
		if cerr := c.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	res.N, res.Profile = fmt.Sprint(run.N), cfg.Profile
	if res.Profile == "" {
		res.Profile = gossip.ProfileLAN
	}
	cpu0, wall0 := cpuTime(), time.Now()

	if err = c.Start(ctx, run.N-1); err != nil {
		return res, err
	}
	progress("%d members started in %s (wall)", run.N-1, time.Since(wall0).Round(time.Millisecond))
	if res.Storm, err = c.WaitAll(ctx, wall0, run.Timeout, c.Converged()); err != nil {
		return res, fmt.Errorf("first %d members: %w", run.N-1, err)
	}
	progress("storm: converged after %s", sim(res.Storm).Round(time.Millisecond))
	if err = sleep(ctx, run.Settle); err != nil {
		return res, err
	}
	t0, at0, pp0 := c.Traffic(), time.Now(), c.pushPulls()
	if err = sleep(ctx, run.Window); err != nil {
		return res, err
	}
	t1 := c.Traffic()
	res.Steady = rates(t0, t1, sim(time.Since(at0)), -1)
	res.PushPulls = float64(c.pushPulls()-pp0) / float64(len(t0)) / sim(time.Since(at0)).Minutes()
	progress("steady traffic: %s; %.1f push/pulls of the pool a member a minute", res.Steady, res.PushPulls)

	t2, at2 := c.Traffic(), time.Now()
	m, err := c.StartOne(ctx)
	if err != nil {
		return res, err
	}
	if res.Join, err = c.WaitAll(ctx, at2, run.Timeout, c.Converged()); err != nil {
		return res, fmt.Errorf("join of member %s: %w", m.Name, err)
	}
	progress("join: %s", sim(res.Join).Round(time.Millisecond))
	victim := c.Members()[run.N/2]
	at := time.Now()
	if err = c.Crash(victim); err != nil {
		return res, err
	}
	if res.Death, err = c.WaitAll(ctx, at, run.Timeout, func(m *Member) bool {
		s := m.Sees(victim.Name)
		return s == gossip.StatusDead || s == gossip.StatusLeft
	}); err != nil {
		return res, fmt.Errorf("death of %s: %w", victim.Name, err)
	}
	// Churn: the join and the death, over the members that ran throughout.
	res.Churn = rates(t2, c.Traffic(), sim(time.Since(at2)), run.N/2)
	res.Storm, res.Join, res.Death = sim(res.Storm), sim(res.Join), sim(res.Death)
	for _, t := range c.Traffic() {
		res.Lost += t.Lost
		res.Dropped += t.Dropped
	}
	res.CPU, res.Wall = cpuTime()-cpu0, time.Since(wall0)
	return res, nil
}

// rates turns two readings of the members' counters (Cluster.Traffic)
// into per-second rates per member, over the members of the first reading
// but skip.
func rates(before, after []Traffic, d time.Duration, skip int) Rates {
	n := min(len(before), len(after))
	in := make([]float64, 0, n)
	out := make([]float64, 0, n)
	for i := range n {
		if i == skip {
			continue
		}
		t := after[i].Sub(before[i])
		in = append(in, float64(t.BytesIn)/d.Seconds())
		out = append(out, float64(t.BytesOut)/d.Seconds())
	}
	return Rates{InMedian: median(in), InMax: slices.Max(in), OutMedian: median(out), OutMax: slices.Max(out)}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
