package node

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// A stored object's verification stays current: every trust.reverify_interval
// the node polls the denylists of the authorities its signers' chains pass
// through, and judges again the objects of every signer whose chain changed
// since they arrived: revoked (what it signed at or after the revocation
// becomes invalid) or enrolled since (unverified objects become verified). A
// chain that fails to resolve (an unreachable superior) changes nothing.

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
		}
	}()
}

func (n *Node) stopReverifier() {
	if n.reverifyStop != nil {
		n.reverifyStop()
		<-n.reverifyDone
	}
}

type judgedRef struct {
	iri     string
	version uint64
	status  string
}

// reverify runs one pass and returns how many objects changed status.
func (n *Node) reverify(ctx context.Context) (int, error) {
	n.gate.RLock()
	defer n.gate.RUnlock()
	if n.closed.Load() {
		return 0, nil
	}
	tr, st := n.trust(), n.store()
	bySigner := map[string][]judgedRef{}
	err := st.ForEachMeta(ctx, func(o protocol.Object) error { // a verification record means a signed version
		if o.Origin == n.uris.Base() || o.Deleted || o.Verification == nil {
			return nil
		}
		for _, s := range o.Verification.Signers {
			bySigner[s.EntityID] = append(bySigner[s.EntityID], judgedRef{o.IRI, o.Version, o.Verification.Status})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	authorities := map[string]bool{}
	for signer := range bySigner {
		if ch, err := tr.Resolver().Resolve(ctx, signer); err == nil {
			for _, a := range ch.Path[1:] {
				authorities[a] = true
			}
		}
	}
	list := make([]string, 0, len(authorities))
	for a := range authorities {
		list = append(list, a)
	}
	tr.PollDenylists(ctx, list)
	changed := 0
	for signer, refs := range bySigner {
		if slices.ContainsFunc(refs, func(r judgedRef) bool { return r.status == protocol.Unverified }) {
			tr.Resolver().Refresh(signer) // enrolled since? (a remembered failure would hide it)
		}
		ch, err := tr.Resolver().Resolve(ctx, signer)
		if err != nil {
			continue // no answer is not a verdict
		}
		revoked := !ch.RevokedAt.IsZero()
		for _, ref := range refs {
			if !revoked && ref.status == protocol.Verified {
				continue
			}
			if revoked && ref.status == protocol.Invalid {
				continue
			}
			ok, err := n.judgeAgain(ctx, ref)
			if err != nil {
				return changed, err
			}
			if ok {
				changed++
			}
		}
	}
	return changed, nil
}

// judgeAgain verifies ref's current version again and records a changed
// verdict; it reports whether the status changed.
func (n *Node) judgeAgain(ctx context.Context, ref judgedRef) (bool, error) {
	o, err := n.store().Get(ctx, ref.iri)
	if err != nil || o.Version != ref.version || o.Verification == nil {
		return false, nil // changed or gone meanwhile: its new version was judged on arrival
	}
	v := &protocol.Verification{Status: protocol.Invalid, Checked: n.now().UTC(), Expires: o.Verification.Expires, Signers: o.Verification.Signers}
	if r, err := n.trust().Judge(ctx, o.JWS); err != nil {
		v.Reason = err.Error()
	} else {
		v = r.Verification
	}
	if v.Status == o.Verification.Status {
		return false, nil
	}
	err = n.store().SetVerification(ctx, o.IRI, o.Version, v)
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err == nil {
		n.log.Info("object judged again", "iri", o.IRI, "from", o.Verification.Status, "to", v.Status, "reason", v.Reason)
	}
	return err == nil, err
}
