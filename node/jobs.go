package node

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/node/coproduction"
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
	n.rejudger = trust.Rejudger{
		Do: func(fn func(*trust.Service, trust.Verdicts)) {
			n.gate.do(func() { fn(n.live.trust(), n.live.store()) })
		}}
	n.cosignExpiry = federation.CosignExpiry{
		Do: func(fn func(*federation.Coproduction)) { n.gate.do(func() { fn(n.live.fed().Cosign()) }) }}
}

// periodic is the one loop of every background job: pass runs every
// `every`, the first time after `first`, and at once on a kick (nil: never
// kicked), until ctx is done; what it did is logged under the job's name.
func periodic(log *slog.Logger, job string, every, first time.Duration, kick <-chan struct{}, pass func(context.Context) (int, error)) func(context.Context) {
	return func(ctx context.Context) {
		timer := time.NewTimer(first)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			case <-kick:
			}
			if count, err := pass(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("background job failed", "job", job, "err", err, "count", count)
			} else if count > 0 {
				log.Info("background job done", "job", job, "count", count)
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(every)
		}
	}
}

// runJobs starts the node's background jobs.
func (n *Node) runJobs() {
	n.jobs.start(
		periodic(n.log, "re-sign signatures due", n.resigner.Every, n.resigner.First, n.resigner.Kicks(), n.resigner.Pass),
		periodic(n.log, "re-judge stored objects", n.cfg.Trust.ReverifyInterval, n.cfg.Trust.ReverifyInterval, nil, n.rejudger.Pass),
		periodic(n.log, "expire co-sign requests", n.cfg.Trust.ReverifyInterval, n.cfg.Trust.ReverifyInterval, nil, n.cosignExpiry.Pass),
		periodic(n.log, "catch up with process hosts", coproduction.DefaultSyncInterval, coproduction.DefaultSyncInterval, nil,
			func(ctx context.Context) (int, error) {
				n.gate.do(func() { n.live.coproduction().SyncOnce(ctx) })
				return 0, nil
			}))
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
