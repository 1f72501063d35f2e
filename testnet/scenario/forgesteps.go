package scenario

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/testnet"
)

// Forge steps: forge and forge-until-refused play an attacker who stole the
// content key rotated out (the private key is read from the node's data
// directory, DATA/keys: forger.go) and publish with it from outside,
// straight to the other nodes' inboxes (delivery.go).

// forgery does the forge steps and, after the run, retracts what they
// got accepted (retract.go).
type forgery struct {
	fl     *fleet
	objs   *catalog
	keys   map[string]*keyHistory // by node, as keySteps recorded them
	ids    protocol.ULIDSource    // ids of forged objects and activities
	inbox  *deliverer
	out    printer
	report *Report
	run    string
	marks  *marks
}

// forgeSetup resolves a forge step: the forger with the stolen key, the
// signing time, and the nodes to deliver to (never the key's own node).
func (fr *forgery) forgeSetup(fs *Forge) (*forger, func() time.Time, []*testnet.NodeState, error) {
	n, err := fr.fl.node(fs.Node)
	if err != nil {
		return nil, nil, nil, err
	}
	h := fr.keys[n.Name]
	kid := ""
	switch {
	case fs.Key == forgeActive:
		// The node's own active key ("" to newForger): what a revoked
		// node signs from now on.
	case h != nil && fs.Key == forgeRetired:
		kid = h.retired
	case h != nil && fs.Key == forgeRevoked:
		kid = h.revoked
	}
	if kid == "" && fs.Key != forgeActive {
		return nil, nil, nil, fmt.Errorf("no earlier step left %s a %s content key", n.Name, fs.Key)
	}
	f, err := newForger(n, kid)
	if err != nil {
		return nil, nil, nil, err
	}
	iat := time.Now
	if fs.Iat == iatBeforeRetirement {
		at := h.retiredAt[kid]
		if at.IsZero() {
			return nil, nil, nil, fmt.Errorf("%s's key %s has no retirement time", n.Name, kid)
		}
		before := at.Truncate(time.Second).Add(-time.Second)
		iat = func() time.Time { return before }
	}
	on := fs.On
	if on.IsZero() {
		on = NodeSet{All: true}
	}
	nodes, err := fr.fl.nodes(on)
	if err != nil {
		return nil, nil, nil, err
	}
	var to []*testnet.NodeState
	for _, t := range nodes {
		if t.Name != n.Name {
			to = append(to, t)
		}
	}
	if len(to) == 0 {
		return nil, nil, nil, errors.New("no node to deliver forged objects to")
	}
	return f, iat, to, nil
}

// forge delivers one forged object to every node of the step.
func (fr *forgery) forge(ctx context.Context, fs *Forge) error {
	f, iat, to, err := fr.forgeSetup(fs)
	if err != nil {
		return err
	}
	set := fr.objs.set(fs.As)
	it, act, err := f.object(&fr.ids, fs.As, fr.run, len(set.list()), iat())
	if err != nil {
		return err
	}
	verdicts, errs := fr.inbox.postAll(ctx, f, to, act)
	it.Accepted = map[string]bool{}
	for name, v := range verdicts {
		it.Accepted[name] = v.accepted()
	}
	set.add(it)
	fr.out.printf("  %s (%s, key %s): %s", it.IRI, it.Key, f.kid, summarize(verdicts, errs))
	if len(errs) > 0 {
		return fmt.Errorf("deliver the forged object: %w", joinByNode(errs))
	}
	var wrong []string
	for _, name := range slices.Sorted(maps.Keys(verdicts)) {
		v := verdicts[name]
		if (fs.Expect == expectAccepted && !v.accepted()) || (fs.Expect == expectRefused && !v.refused()) {
			wrong = append(wrong, name+" answered "+v.String())
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("expected every node to have %s the forged object %s: %s", fs.Expect, it.IRI, strings.Join(wrong, "; "))
	}
	return nil
}

// forgeUntilRefused forges a new object every fs.Every and delivers it
// to the nodes that have not refused one yet, until every node has.
func (fr *forgery) forgeUntilRefused(ctx context.Context, fs *Forge) error {
	f, iat, to, err := fr.forgeSetup(fs)
	if err != nil {
		return err
	}
	var from time.Time
	switch h := fr.keys[f.node.Name]; {
	case fs.Key == forgeActive:
		from = fr.marks.revoke
	case fs.Key == forgeRevoked:
		from = h.revokeStep
	default:
		from = h.rotated
	}
	set := fr.objs.set(fs.As)
	pending := to
	refusedAt, refusals, accepted := map[string]time.Time{}, map[string]verdict{}, map[string]int{}
	lastErr := map[string]error{}
	deadline := time.Now().Add(fs.Timeout)
	for round := 0; len(pending) > 0; round++ {
		tick := time.Now()
		it, act, err := f.object(&fr.ids, fs.As, fr.run, len(set.list()), iat())
		if err != nil {
			return err
		}
		verdicts, errs := fr.inbox.postAll(ctx, f, pending, act)
		it.Accepted = map[string]bool{}
		var still []*testnet.NodeState
		for _, n := range pending {
			v, ok := verdicts[n.Name]
			switch {
			case !ok:
				lastErr[n.Name] = errs[n.Name]
				still = append(still, n)
			case v.refused():
				refusedAt[n.Name], refusals[n.Name] = time.Now(), v
			case v.accepted():
				it.Accepted[n.Name] = true
				accepted[n.Name]++
				still = append(still, n)
			default: // 429, 5xx: no judgement yet
				lastErr[n.Name] = fmt.Errorf("answered %s: %s", v, v.detail)
				still = append(still, n)
			}
		}
		set.add(it)
		pending = still
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			var why []string
			for _, n := range pending {
				w := fmt.Sprintf("%s accepted %d forged objects", n.Name, accepted[n.Name])
				if e := lastErr[n.Name]; e != nil {
					w += fmt.Sprintf(" (last error: %v)", e)
				}
				why = append(why, w)
			}
			fr.printRefusals(from, refusedAt, refusals, accepted)
			return fmt.Errorf("not every node refused %s's %s key within %s: %s", f.node.Name, fs.Key, fs.Timeout, strings.Join(why, "; "))
		}
		if err := sleep(ctx, time.Until(tick.Add(fs.Every))); err != nil {
			return err
		}
	}
	last := time.Time{}
	for _, t := range refusedAt {
		if t.After(last) {
			last = t
		}
	}
	fr.printRefusals(from, refusedAt, refusals, accepted)
	if fs.Measure != "" {
		fr.report.addFigure(fs.Measure, last.Sub(from))
	}
	return nil
}

// printRefusals prints when each node refused, counted from from, and the
// problem types seen.
func (fr *forgery) printRefusals(from time.Time, at map[string]time.Time, v map[string]verdict, accepted map[string]int) {
	types := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(at)) {
		fr.out.printf("  %s refused after %s (%s), having accepted %d forged objects", name, round(at[name].Sub(from)), v[name], accepted[name])
		types[v[name].problem]++
	}
	var seen []string
	for _, t := range slices.Sorted(maps.Keys(types)) {
		seen = append(seen, fmt.Sprintf("%s ×%d", t, types[t]))
	}
	fr.out.printf("  refusals: %s", strings.Join(seen, ", "))
}
