package node

import (
	"context"
	"errors"
	"time"
)

// The re-judging job: every trust.reverify_interval the trust layer judges
// the stored objects again (trust.Service.Rejudge), and co-sign requests
// nobody decided on in time expire.

func (n *Node) startReverifier() {
	ctx, cancel := context.WithCancel(context.Background())
	n.reverifyStop, n.reverifyDone = cancel, make(chan struct{})
	go func() {
		defer close(n.reverifyDone)
		ticker := time.NewTicker(n.cfg.Trust.ReverifyInterval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			if count, err := n.reverify(ctx); err != nil && !errors.Is(err, context.Canceled) {
				n.log.Warn("judging stored objects again", "err", err, "changed", count)
			} else if count > 0 {
				n.log.Info("stored objects judged again after a trust change", "changed", count)
			}
			if count, err := n.expireCosignRequests(ctx); err != nil && !errors.Is(err, context.Canceled) {
				n.log.Warn("expiring co-sign requests", "err", err)
			} else if count > 0 {
				n.log.Info("co-sign requests expired without a decision", "expired", count)
			}
		}
	}()
}

func (n *Node) stopReverifier() {
	if n.reverifyStop != nil {
		n.reverifyStop()
		<-n.reverifyDone
	}
}

// reverify runs one re-judging pass (trust.Service.Rejudge) under the
// restore gate and returns how many objects changed status.
func (n *Node) reverify(ctx context.Context) (count int, err error) {
	n.gate.do(func() { count, err = n.live.trust().Rejudge(ctx, n.live.store()) })
	return count, err
}

// expireCosignRequests expires the co-sign requests nobody decided on in
// time (federation.CosignRequestTTL), freeing their senders' quota.
func (n *Node) expireCosignRequests(ctx context.Context) (count int, err error) {
	n.gate.do(func() { count, err = n.live.fed().ExpireCosignRequests(ctx) })
	return count, err
}
