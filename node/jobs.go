package node

import (
	"context"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/node/catalogue"
)

// The background jobs live next to what they serve (catalogue.Resigner,
// trust.Rejudger, federation.CosignExpiry); the node composes them, each
// reaching the current data layer under the gate, and starts and stops
// them with itself.

// resignInterval is how often the node looks for signatures due; the first
// pass runs resignFirst after start.
const (
	resignInterval = time.Hour
	resignFirst    = 10 * time.Second
)

// composeJobs builds the background jobs.
func (n *Node) composeJobs() {
	n.resigner = catalogue.NewResigner(catalogue.Resigner{Every: resignInterval, First: resignFirst,
		Before: n.cfg.Trust.ResignBefore, Now: n.now, Log: n.log,
		Revoked: func() map[string]bool {
			revoked := map[string]bool{}
			for _, k := range n.keys.Ring.Snapshot().Content {
				if !k.RevokedAt.IsZero() {
					revoked[k.Kid] = true
				}
			}
			return revoked
		},
		Do: func(fn func(*catalogue.Service)) { n.gate.do(func() { fn(n.live.catalogue()) }) },
	})
	n.rejudger = trust.Rejudger{Every: n.cfg.Trust.ReverifyInterval, Log: n.log,
		Do: func(fn func(*trust.Service, trust.Verdicts)) {
			n.gate.do(func() { fn(n.live.trust(), n.live.store()) })
		}}
	n.cosignExpiry = federation.CosignExpiry{Every: n.cfg.Trust.ReverifyInterval, Log: n.log,
		Do: func(fn func(*federation.Coproduction)) { n.gate.do(func() { fn(n.live.fed().Cosign()) }) }}
}

// jobs runs background jobs until stop.
type jobs struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// start runs each of runs in its own goroutine.
func (j *jobs) start(runs ...func(context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	j.cancel = cancel
	for _, run := range runs {
		j.wg.Add(1)
		go func() {
			defer j.wg.Done()
			run(ctx)
		}()
	}
}

// stop ends the jobs and waits for them.
func (j *jobs) stop() {
	if j.cancel != nil {
		j.cancel()
		j.wg.Wait()
	}
}
