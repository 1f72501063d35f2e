package scenario

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/interlink-project/interlink-node/testnet"
)

// retractForged deletes, after a run, every forged object some node
// accepted: a tombstone signed with its origin's active content key (the
// origin's operator retracting what was published in its name) goes to
// every running node that accepted it, so that the next scenario finds the
// nodes holding the same objects (converged, counts-equal).
func (fr *forgery) retractForged(ctx context.Context) error {
	byOrigin := map[string][]item{}
	seen := map[string]bool{}
	for _, s := range fr.objs.all() {
		for _, it := range s.list() {
			if it.Forged == nil || seen[it.IRI] || !anyTrue(it.Accepted) {
				continue
			}
			seen[it.IRI] = true
			byOrigin[it.Node] = append(byOrigin[it.Node], it)
		}
	}
	var errs []error
	for _, origin := range slices.Sorted(maps.Keys(byOrigin)) {
		n, err := fr.fl.node(origin)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f, err := newForger(n, "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		running, err := fr.fl.nodes(NodeSet{All: true, Except: []string{origin}})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items := byOrigin[origin]
		sort.Slice(items, func(i, j int) bool { return items[i].IRI < items[j].IRI })
		for _, it := range items {
			act, err := f.tombstone(&fr.ids, it)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			var holders []*testnet.NodeState
			for _, n := range running {
				if it.Accepted[n.Name] {
					holders = append(holders, n)
				}
			}
			verdicts, perrs := fr.inbox.postAll(ctx, f, holders, act)
			if len(perrs) > 0 {
				errs = append(errs, fmt.Errorf("retract %s: %w", it.IRI, joinByNode(perrs)))
			}
			for _, name := range slices.Sorted(maps.Keys(verdicts)) {
				if v := verdicts[name]; !v.accepted() {
					errs = append(errs, fmt.Errorf("retract %s: %s answered %s: %s", it.IRI, name, v, v.detail))
				}
			}
		}
		fr.out.printf("retracted %d forged objects of %s (tombstones signed with its active content key %s, sent to the nodes that accepted them)", len(items), origin, f.kid)
	}
	return errors.Join(errs...)
}

func anyTrue(m map[string]bool) bool {
	for _, v := range m {
		if v {
			return true
		}
	}
	return false
}
