package node

import (
	"context"
	"errors"
	"time"
)

// The re-signing job: every resignInterval, and at once after a content
// key is revoked, the catalogue re-signs what is due (catalogue.ResignDue).

// resignInterval is how often the node looks for signatures due.
const resignInterval = time.Hour

func (n *Node) startResigner() {
	ctx, cancel := context.WithCancel(context.Background())
	n.resignStop, n.resignDone = cancel, make(chan struct{})
	go func() {
		defer close(n.resignDone)
		timer := time.NewTimer(10 * time.Second) // first pass shortly after start
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			case <-n.resignKick:
			}
			if count, err := n.resignDue(ctx); err != nil && !errors.Is(err, context.Canceled) {
				n.log.Warn("re-signing objects", "err", err, "resigned", count)
			} else if count > 0 {
				n.log.Info("objects re-signed before their signatures expire", "count", count)
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(resignInterval)
		}
	}()
}

func (n *Node) stopResigner() {
	if n.resignStop != nil {
		n.resignStop()
		<-n.resignDone
	}
}

// resignDue runs catalogue.ResignDue under the restore gate: objects whose
// signature expires within trust.resign_before, has none, or was made with
// a content key revoked since.
func (n *Node) resignDue(ctx context.Context) (count int, err error) {
	n.gate.do(func() { // a restore swaps the store underneath
		revoked := map[string]bool{}
		for _, k := range n.keys.Ring.Snapshot().Content {
			if !k.RevokedAt.IsZero() {
				revoked[k.Kid] = true
			}
		}
		count, err = n.live.catalogue().ResignDue(ctx, n.now().Add(n.cfg.Trust.ResignBefore), revoked, n.log)
	})
	return count, err
}

// kickResigner starts a re-signing pass now (after a key revocation).
func (n *Node) kickResigner() {
	select {
	case n.resignKick <- struct{}{}:
	default:
	}
}
