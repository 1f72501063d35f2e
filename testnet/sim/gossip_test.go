package sim

import (
	"context"
	"flag"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines. memberlist's Shutdown does not
// wait for a probe in flight, which returns by itself once its ack timeout
// passes (as in federation/gossip's tests).
func TestMain(m *testing.M) {
	flag.Parse()
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/hashicorp/memberlist.(*Memberlist).probeNode"),
		goleak.IgnoreTopFunction("github.com/hashicorp/memberlist.(*Memberlist).handleIndirectPing.func2"))
}

var (
	scale        = flag.Bool("sim.scale", false, "run the large simulations (100, 300, 1,000 gossip members; 1,000 followers)")
	scaleSizes   = flag.String("sim.sizes", "100,300,1000", "with -sim.scale: the gossip pool sizes")
	scaleProfile = flag.String("sim.profile", "lan", "with -sim.scale: the gossip profile")
	scaleLatency = flag.Duration("sim.latency", 10*time.Millisecond, "with -sim.scale: one-way latency between members")
	scaleLoss    = flag.Float64("sim.loss", 0.01, "with -sim.scale: packet loss")
	scaleSettle  = flag.Duration("sim.settle", 5*time.Second, "with -sim.scale: how long the pool settles after its first convergence")
	scaleWindow  = flag.Duration("sim.window", 10*time.Second, "with -sim.scale: the window steady traffic is counted over")
	scaleTime    = flag.Float64("sim.timescale", 1, "with -sim.scale: slow the gossip simulation down by this factor (docs/scale.md)")
	scaleRTT     = flag.Duration("sim.rtt", 60*time.Millisecond, "with -sim.scale: a delivery's round trip to a follower")
	scaleService = flag.Duration("sim.service", 10*time.Millisecond, "with -sim.scale: a follower's time to verify and store a delivery")
)

// TestGossipSmall: 50 members (20, slowed down 8 times, under the race
// detector) over a network of 5 ms ± 2 ms and 1 % loss
// converge, notice a join and a death, and their traffic is counted.
func TestGossipSmall(t *testing.T) {
	n, scale := 50, 1.0
	if raceEnabled {
		n, scale = 20, 8
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := MeasureGossip(ctx, GossipConfig{Profile: "local", TimeScale: scale,
		Net: NetConfig{Latency: 5 * time.Millisecond, Jitter: 2 * time.Millisecond, Loss: 0.01}},
		GossipRun{N: n, Settle: 500 * time.Millisecond, Window: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.Join <= 0 || res.Join > 10*time.Second || res.Death <= 0 || res.Death > 20*time.Second {
		t.Fatalf("join %s, death %s", res.Join, res.Death)
	}
	// Probes alone are a few packets a second each way. (Half a second
	// after the storm, the pools' anti-entropy still runs: the "steady"
	// window of this short run may carry more than the churn's.)
	if res.Steady.InMedian < 100 || res.Steady.OutMedian < 100 || res.Churn.InMedian < 100 || res.Churn.OutMedian < 100 ||
		res.Steady.InMax < res.Steady.InMedian || res.Churn.OutMax < res.Churn.OutMedian {
		t.Fatalf("traffic: steady %s, churn %s", res.Steady, res.Churn)
	}
	if res.Lost == 0 {
		t.Fatal("1 % loss lost no packet")
	}
}

// TestGossipScale: the large pools, behind -sim.scale (docs/scale.md).
func TestGossipScale(t *testing.T) {
	if !*scale {
		t.Skip("pass -sim.scale to simulate 100, 300 and 1,000 gossip members (docs/scale.md)")
	}
	for _, s := range strings.Split(*scaleSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("-sim.sizes: %v", err)
		}
		t.Run(s, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
			defer cancel()
			res, err := MeasureGossip(ctx, GossipConfig{Profile: *scaleProfile, TimeScale: *scaleTime,
				Net: NetConfig{Latency: *scaleLatency, Jitter: *scaleLatency / 2, Loss: *scaleLoss}},
				GossipRun{N: n, Settle: *scaleSettle, Window: *scaleWindow, Progress: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res)
		})
	}
}

// TestAddrOf: every member up to 70,000 gets its own valid address.
func TestAddrOf(t *testing.T) {
	seen := map[string]bool{}
	n := NewNetwork(NetConfig{})
	for i := range 70000 {
		a := addrOf(i)
		if seen[a] {
			t.Fatalf("member %d: address %s given twice", i, a)
		}
		seen[a] = true
		if i%997 == 0 || i%256 == 255 {
			if _, err := n.Endpoint(a); err != nil {
				t.Fatalf("member %d: %v", i, err)
			}
		}
	}
}
