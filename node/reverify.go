package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust/chain"
	"github.com/interlink-project/interlink-node/federation/trust/entity"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// A stored object's verification stays current: every trust.reverify_interval
// the node polls the denylists of the authorities its signers' chains pass
// through, resolves each signer's chain afresh, and judges again the objects
// of every signer whose chain or key changed since they arrived: revoked
// (what was signed, or first seen here, at or after the revocation becomes
// invalid), a key retired or revoked (what it signed after retirement, or
// what was first seen after its revocation, becomes invalid), or enrolled
// since (unverified objects become verified). A chain that fails to resolve
// (an unreachable superior) changes nothing.

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

type judgedRef struct {
	iri     string
	version uint64
	status  string
	kid     string // the signer's key the version was judged with
}

// keyMemo is what a pass remembers of a signer's key: its state, and
// whether that state was new at that pass. The pass after a change judges
// the key's objects again too: a version accepted with the old chain while
// the pass ran (after its snapshot of the store, before it resolved the
// chain afresh) is in the next snapshot; verifications that start after the
// chain was resolved afresh use the new one.
type keyMemo struct {
	state string
	fresh bool
}

// reverify runs one pass and returns how many objects changed status. Each
// signer's chain is resolved afresh (so that the pass sees a key retired or
// revoked since the last one), and its objects are judged again when the
// chain is revoked, when they were unverified, or when the key they were
// signed with changed state (retired, revoked) at this pass or the one
// before.
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
			bySigner[s.EntityID] = append(bySigner[s.EntityID], judgedRef{o.IRI, o.Version, o.Verification.Status, s.Kid})
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
	states := map[string]keyMemo{}
	rejudge := map[string]bool{}
	changed := 0
	for signer, refs := range bySigner {
		// Resolved afresh: a key retired or revoked since the last pass,
		// or an enrolment (a remembered failure would hide it), shows now.
		tr.Resolver().Invalidate(signer)
		ch, err := tr.Resolver().Resolve(ctx, signer)
		if err != nil {
			for k, v := range n.keyStates {
				if strings.HasPrefix(k, signer+" ") {
					states[k] = v // no answer is not a verdict: keep what we knew
				}
			}
			continue
		}
		revoked := !ch.RevokedAt.IsZero()
		for _, ref := range refs {
			key := signer + " " + ref.kid
			keyChanged, ok := rejudge[key]
			if !ok {
				prev := n.keyStates[key]
				memo := keyMemo{state: keyState(ch, ref.kid)}
				memo.fresh = memo.state != prev.state
				states[key] = memo
				// Changed at this pass, or at the one before (see keyMemo).
				keyChanged = memo.state != "" && (memo.fresh || prev.fresh)
				rejudge[key] = keyChanged
			}
			switch {
			case revoked && ref.status != protocol.Invalid:
			case ref.status == protocol.Unverified:
			case keyChanged && ref.status == protocol.Verified:
			default:
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
	n.keyStates = states
	return changed, nil
}

// keyState is what a pass remembers of a signer's key: "" while it is
// simply valid, else when it was retired or revoked.
func keyState(ch *chain.Chain, kid string) string {
	if ch.Config == nil {
		return ""
	}
	in := ch.Config.Statement.InterlinkNode()
	if in == nil {
		return ""
	}
	k, ok := entity.FindKey(in.ContentKeys, kid)
	if !ok {
		return "gone"
	}
	if k.RetiredAt == 0 && k.RevokedAt == 0 {
		return ""
	}
	return fmt.Sprintf("retired %d revoked %d", k.RetiredAt, k.RevokedAt)
}

// expireCosignRequests expires the co-sign requests nobody decided on in
// time (federation.CosignRequestTTL), freeing their senders' quota.
func (n *Node) expireCosignRequests(ctx context.Context) (int, error) {
	n.gate.RLock()
	defer n.gate.RUnlock()
	if n.closed.Load() {
		return 0, nil
	}
	return n.fed.ExpireCosignRequests(ctx)
}

// judgeAgain verifies ref's current version again and records a changed
// verdict; it reports whether the status changed.
func (n *Node) judgeAgain(ctx context.Context, ref judgedRef) (bool, error) {
	o, err := n.store().Get(ctx, ref.iri)
	if err != nil || o.Version != ref.version || o.Verification == nil {
		return false, nil // changed or gone meanwhile: its new version was judged on arrival
	}
	v := &protocol.Verification{Status: protocol.Invalid, Checked: n.now().UTC(), Expires: o.Verification.Expires, Signers: o.Verification.Signers}
	if r, err := n.trust().Judge(ctx, o.JWS, o.Received); err != nil {
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
