package sim

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestDeliverySmall: 50 followers each receive the activity once, signed,
// through the real delivery workers and durable queue; the queue drains.
func TestDeliverySmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := MeasureDelivery(ctx, DeliveryRun{Followers: 50, Workers: 8, RTT: 20 * time.Millisecond,
		Service: 5 * time.Millisecond, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	// 8 workers, 25 ms each: at least 50/8 rounds of 25 ms.
	if res.All < 150*time.Millisecond || res.Drained < res.All || res.MaxInFlight < 2 || res.MaxInFlight > 8 {
		t.Fatalf("%s", res)
	}
	if res.Depth[0] != 50 || res.Depth[len(res.Depth)-1] != 0 {
		t.Fatalf("queue depth %v: want 50 at the enqueue, 0 at the end", res.Depth)
	}
}

// TestDeliveryScale: one origin, 1,000 followers, behind -sim.scale.
func TestDeliveryScale(t *testing.T) {
	if !*scale {
		t.Skip("pass -sim.scale to deliver to 1,000 followers (docs/scale.md)")
	}
	for _, w := range []int{8, 32, 128} {
		t.Run(fmt.Sprintf("workers=%d", w), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			res, err := MeasureDelivery(ctx, DeliveryRun{Followers: 1000, Workers: w, RTT: *scaleRTT,
				Service: *scaleService, Jitter: *scaleRTT / 2, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res)
		})
	}
}
