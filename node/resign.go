package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/catalogue"
	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
)

// The origin re-signs its objects before their signatures expire: a new
// version with the same body and a fresh JWS (receivers take it like any
// update). A co-produced object needs its co-signers again: a draft is
// offered to them. Versions stored before the node signed objects are
// signed the same way at the first pass, and so are those signed with a
// content key revoked since (a receiver that first sees them after the
// revocation refuses them whatever their iat: docs/trust.md); revoking a
// key starts a pass at once.

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

// resignDue re-signs every local live object whose signature expires within
// trust.resign_before (or that has none). It returns how many it re-signed
// or offered again.
func (n *Node) resignDue(ctx context.Context) (int, error) {
	n.gate.RLock() // a restore swaps the store underneath
	defer n.gate.RUnlock()
	if n.closed.Load() {
		return 0, nil
	}
	horizon := n.now().Add(n.cfg.Trust.ResignBefore)
	revoked := map[string]bool{}
	for _, k := range n.keys.Ring.Snapshot().Content {
		if !k.RevokedAt.IsZero() {
			revoked[k.Kid] = true
		}
	}
	drafts, err := n.store().Drafts(ctx)
	if err != nil {
		return 0, err
	}
	waiting := map[string]bool{} // objects whose co-signers are being asked already
	for _, d := range drafts {
		if d.Status == federation.DraftPending {
			waiting[d.Object.IRI] = true
		}
	}
	var due []string
	err = n.store().ForEach(ctx, func(o protocol.Object) error {
		if o.Origin != n.uris.Base() || o.Deleted || waiting[o.IRI] {
			return nil
		}
		if len(o.JWS) == 0 || o.Verification == nil || o.Verification.Expires.IsZero() || o.Verification.Expires.Before(horizon) ||
			signedWithAny(o.Verification, n.uris.Base(), revoked) {
			due = append(due, o.ID)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("find objects to re-sign: %w", err)
	}
	count := 0
	for _, id := range due {
		if err := ctx.Err(); err != nil {
			return count, err
		}
		cur, err := n.store().GetByID(ctx, id)
		if err != nil {
			return count, err
		}
		e, err := protocol.DecodeEntity(cur.Body)
		if err != nil {
			n.log.Warn("cannot re-sign an object whose body does not decode", "iri", cur.IRI, "err", err)
			continue
		}
		_, err = n.catalogue().Update(ctx, id, e, cur.Version)
		var ds *catalogue.DraftStarted
		switch {
		case err == nil, errors.As(err, &ds):
			count++
		default:
			n.log.Warn("re-sign failed", "iri", cur.IRI, "err", err)
		}
	}
	return count, nil
}

// signedWithAny reports whether self's signature on the version recorded
// by v was made with one of kids.
func signedWithAny(v *protocol.Verification, self string, kids map[string]bool) bool {
	for _, s := range v.Signers {
		if s.EntityID == self && kids[s.Kid] {
			return true
		}
	}
	return false
}

// kickResigner starts a re-signing pass now (after a key revocation).
func (n *Node) kickResigner() {
	select {
	case n.resignKick <- struct{}{}:
	default:
	}
}
