package trust

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// Re-judging keeps stored verdicts current: every trust.reverify_interval
// the node polls the denylists of the authorities its signers' chains pass
// through, resolves each signer's chain afresh, and judges again the objects
// of every signer whose chain or key changed since they arrived: revoked
// (what was signed, or first seen here, at or after the revocation becomes
// invalid), a key retired or revoked (what it signed after retirement, or
// what was first seen after its revocation, becomes invalid), or enrolled
// since (unverified objects become verified). A chain that fails to resolve
// (an unreachable superior) changes nothing.

// Verdicts is what re-judging reads and writes of the stored objects;
// *storage.Store implements it.
type Verdicts interface {
	// ForEachVerdict walks the verdict of every live object whose current
	// version carries one (a compact copy of the record's verification).
	ForEachVerdict(ctx context.Context, fn func(storage.Verdict) error) error
	Get(ctx context.Context, iri string) (protocol.Object, error)
	// SetVerification replaces the verdict of version ver of iri, which
	// must still be current (storage.ErrConflict otherwise).
	SetVerification(ctx context.Context, iri string, ver uint64, v *protocol.Verification) error
}

type judgedRef struct {
	iri     string
	version uint64
	status  string
	kid     string // the signer's key the version was judged with
}

// rejudgeResolvers bounds the signers' chains a re-judging pass resolves at
// once: an aggregator's pass asks hundreds of origins, each a few round
// trips away.
const rejudgeResolvers = 32

// errUnresolved marks a signer whose chain did not resolve earlier in the
// same pass.
var errUnresolved = errors.New("trust: the signer's chain did not resolve at this pass")

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

// Rejudge runs one pass over st and returns how many objects changed status. Each
// signer's chain is resolved afresh (so that the pass sees a key retired or
// revoked since the last one), and its objects are judged again when the
// chain is revoked, when they were unverified, or when the key they were
// signed with changed state (retired, revoked) at this pass or the one
// before.
//
// A pass walks the verdicts twice: first to learn which keys each signer
// signed with and with which outcomes, then, only when some signer's
// objects are to be judged again, to collect those objects. A pass that
// finds nothing to do, the steady state of an aggregator, holds what it
// knows of each signer and key, not of each object.
func (s *Service) Rejudge(ctx context.Context, st Verdicts) (int, error) {
	s.rejudging.Lock()
	defer s.rejudging.Unlock()
	// signer -> kid -> the outcomes of the current versions it signed
	keys := map[string]map[string]outcomes{}
	err := st.ForEachVerdict(ctx, func(v storage.Verdict) error { // a verdict means a signed version
		if v.Origin == s.d.Self {
			return nil
		}
		o := outcomesOf(v.Status)
		for _, sg := range v.Signers {
			kids := keys[sg.EntityID]
			if kids == nil {
				kids = map[string]outcomes{}
				keys[sg.EntityID] = kids
			}
			kids[sg.Kid] |= o
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	unresolved := s.resolveSigners(ctx, keys)
	states := map[string]map[string]keyMemo{}
	plans := map[string]*signerPlan{}
	for signer, kids := range keys {
		// Cached since resolveSigners, unless a denylist dropped it. A
		// chain that did not resolve there is not asked again in the same
		// pass: its remembered failure may have expired meanwhile, and
		// asking again, one signer after the other, would cost the pass a
		// network timeout each.
		var ch *trustchain.Chain
		err := errUnresolved
		if !unresolved[signer] {
			ch, err = s.resolver.Resolve(ctx, signer)
		}
		if err != nil {
			if known, ok := s.keyStates[signer]; ok {
				states[signer] = known // no answer is not a verdict: keep what we knew
			}
			continue
		}
		p := &signerPlan{chain: ch, revoked: !ch.RevokedAt.IsZero(), prev: s.keyStates[signer],
			memos: map[string]keyMemo{}, changed: map[string]bool{}}
		states[signer] = p.memos
		work := false
		for kid, o := range kids {
			if p.keyChanged(kid) && o&signedVerified != 0 || p.revoked && o&signedNotInvalid != 0 || o&signedUnverified != 0 {
				work = true
			}
		}
		if work {
			plans[signer] = p
		}
	}
	changed := 0
	if len(plans) > 0 {
		refs, err := collectRefs(ctx, st, s.d.Self, plans)
		if err != nil {
			return 0, err
		}
		for _, ref := range refs {
			ok, err := s.judgeAgain(ctx, st, ref)
			if err != nil {
				return changed, err
			}
			if ok {
				changed++
			}
		}
	}
	s.keyStates = states
	return changed, nil
}

// outcomes is the set of statuses of the current versions a signer's key
// signed, as far as re-judging tells them apart.
type outcomes uint8

const (
	signedVerified outcomes = 1 << iota
	signedUnverified
	signedNotInvalid // what a revocation of the signer changes
)

func outcomesOf(status string) outcomes {
	switch status {
	case protocol.Invalid:
		return 0
	case protocol.Verified:
		return signedVerified | signedNotInvalid
	case protocol.Unverified:
		return signedUnverified | signedNotInvalid
	}
	return signedNotInvalid
}

// signerPlan is what a pass knows of a signer whose chain resolved.
type signerPlan struct {
	chain   *trustchain.Chain
	revoked bool
	prev    map[string]keyMemo // what the last pass knew of its keys
	memos   map[string]keyMemo // what this pass knows
	changed map[string]bool    // kid -> its state changed at this pass or the one before
}

// keyChanged reports whether kid's state changed at this pass or the one
// before (see keyMemo), recording what the pass knows of it.
func (p *signerPlan) keyChanged(kid string) bool {
	if c, ok := p.changed[kid]; ok {
		return c
	}
	prev := p.prev[kid]
	memo := keyMemo{state: keyState(p.chain, kid)}
	memo.fresh = memo.state != prev.state
	p.memos[kid] = memo
	c := memo.state != "" && (memo.fresh || prev.fresh)
	p.changed[kid] = c
	return c
}

// judgesAgain reports whether a version of p's signer with status, signed
// with kid, is judged again.
func (p *signerPlan) judgesAgain(status, kid string) bool {
	switch {
	case p.revoked && status != protocol.Invalid:
	case status == protocol.Unverified:
	case p.keyChanged(kid) && status == protocol.Verified:
	default:
		return false
	}
	return true
}

// collectRefs walks the verdicts again for the versions that plans judge
// again, each once. They are judged after the walk: judging writes, which
// must not wait inside the walk's read transactions.
func collectRefs(ctx context.Context, st Verdicts, self string, plans map[string]*signerPlan) ([]judgedRef, error) {
	var refs []judgedRef
	err := st.ForEachVerdict(ctx, func(v storage.Verdict) error {
		if v.Origin == self {
			return nil
		}
		for _, sg := range v.Signers {
			if p := plans[sg.EntityID]; p != nil && p.judgesAgain(v.Status, sg.Kid) {
				refs = append(refs, judgedRef{v.IRI, v.Version, v.Status, sg.Kid})
				break // judgeAgain judges the whole version
			}
		}
		return nil
	})
	return refs, err
}

// resolveSigners reads every signer's chain afresh, once: a key retired or
// revoked since the last pass, or an enrolment (a remembered failure would
// hide it), shows now. The denylists of the authorities on the way then
// drop the chains of what they revoked, which Rejudge reads again. The
// signers are resolved concurrently (an aggregator's pass reads hundreds of
// chains over the network), at most rejudgeResolvers at a time; the
// resolver fetches a document shared by several chains once. It returns
// the signers whose chain did not resolve.
func (s *Service) resolveSigners(ctx context.Context, keys map[string]map[string]outcomes) map[string]bool {
	authorities := map[string]bool{}
	unresolved := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, rejudgeResolvers)
	for signer := range keys {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			s.resolver.Invalidate(signer)
			ch, err := s.resolver.Resolve(ctx, signer)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				unresolved[signer] = true
				return
			}
			for _, a := range ch.Path[1:] {
				authorities[a] = true
			}
		})
	}
	wg.Wait()
	list := make([]string, 0, len(authorities))
	for a := range authorities {
		list = append(list, a)
	}
	s.PollDenylists(ctx, list)
	return unresolved
}

// keyState is what a pass remembers of a signer's key: "" while it is
// simply valid, else when it was retired or revoked.
func keyState(ch *trustchain.Chain, kid string) string {
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

// judgeAgain verifies ref's current version again and records a changed
// verdict; it reports whether the status changed.
func (s *Service) judgeAgain(ctx context.Context, st Verdicts, ref judgedRef) (bool, error) {
	o, err := st.Get(ctx, ref.iri)
	if err != nil || o.Version != ref.version || o.Verification == nil {
		return false, nil // changed or gone meanwhile: its new version was judged on arrival
	}
	v := &protocol.Verification{Status: protocol.Invalid, Checked: s.d.Now().UTC(), Expires: o.Verification.Expires, Signers: o.Verification.Signers}
	if r, err := s.Judge(ctx, o.JWS, o.Received); err != nil {
		v.Reason, v.Cause = err.Error(), trustchain.CauseOf(err)
	} else {
		v = r.Verification
	}
	if v.Status == o.Verification.Status {
		return false, nil
	}
	err = st.SetVerification(ctx, o.IRI, o.Version, v)
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err == nil {
		s.d.Logger.Info("object judged again", "iri", o.IRI, "from", o.Verification.Status, "to", v.Status, "reason", v.Reason)
	}
	return err == nil, err
}

// Rejudger is the re-judging job: a Pass runs Rejudge over the node's
// current store; the node runs one every trust.reverify_interval.
type Rejudger struct {
	// Do runs fn with the node's current trust layer and stored verdicts
	// (a restore replaces both) under the node's restore gate; it does not
	// run fn once the node is closing.
	Do func(fn func(*Service, Verdicts))
}

// Pass runs one re-judging pass and returns how many objects changed
// status.
func (j Rejudger) Pass(ctx context.Context) (count int, err error) {
	j.Do(func(s *Service, st Verdicts) { count, err = s.Rejudge(ctx, st) })
	return count, err
}
