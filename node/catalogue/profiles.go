package catalogue

import (
	"context"
	"slices"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// listAll pages through every live object matching filters.
func (s *Service) listAll(ctx context.Context, filters map[string][]string) ([]protocol.Object, error) {
	var out []protocol.Object
	after := ""
	for {
		items, next, err := s.d.Store.List(ctx, storage.ListOptions{Filters: filters, After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		after = next
	}
}

// ProblemProfiles maps each problem profile key this node holds to its
// object: this node's own when it has one, else the first peer's copy (in the
// order this node stored them). Pages link a key to its page through it.
func (s *Service) ProblemProfiles(ctx context.Context) (map[string]protocol.Object, error) {
	items, err := s.listAll(ctx, map[string][]string{"type": {string(protocol.KindProblemProfile)}})
	if err != nil {
		return nil, err
	}
	out := make(map[string]protocol.Object, len(items))
	for _, it := range items {
		if prev, ok := out[it.Key]; ok && (prev.Origin == s.d.URIs.Base() || it.Origin != s.d.URIs.Base()) {
			continue
		}
		out[it.Key] = it
	}
	return out, nil
}

// Addressing is what addresses one problem profile: the interlinkers that
// list it and the co-production schemas with an objective or task that
// lists it.
type Addressing struct {
	Interlinkers []protocol.Object
	Schemas      []protocol.Object
}

// AddressingProfile searches the catalogue by problem profile key: the
// interlinkers through the store's problem_profile filter, the schemas by
// reading their objectives and tasks (a schema's profiles sit inside its
// phases, which the filter does not index).
func (s *Service) AddressingProfile(ctx context.Context, key string) (Addressing, error) {
	var a Addressing
	var err error
	if a.Interlinkers, err = s.listAll(ctx, map[string][]string{"type": {string(protocol.KindInterlinker)}, "problem_profile": {key}}); err != nil {
		return Addressing{}, err
	}
	schemas, err := s.listAll(ctx, map[string][]string{"type": {string(protocol.KindCoproductionSchema)}})
	if err != nil {
		return Addressing{}, err
	}
	for _, it := range schemas {
		addresses := false
		eachTask(it, func(ob protocol.Objective, t protocol.Task) bool {
			addresses = slices.Contains(ob.ProblemProfiles, key) || slices.Contains(t.ProblemProfiles, key)
			return !addresses
		})
		if addresses {
			a.Schemas = append(a.Schemas, it)
		}
	}
	return a, nil
}

// eachTask calls fn with every task of a stored co-production schema and
// its objective, until fn returns false; an objective without tasks is
// passed once with a zero Task. Anything else (or a body that does not
// decode) has no tasks.
func eachTask(obj protocol.Object, fn func(ob protocol.Objective, t protocol.Task) bool) {
	e, err := protocol.DecodeEntity(obj.Body)
	if err != nil {
		return
	}
	sc, ok := e.(*protocol.CoproductionSchema)
	if !ok {
		return
	}
	for _, ph := range sc.Phases {
		for _, ob := range ph.Objectives {
			if len(ob.Tasks) == 0 && !fn(ob, protocol.Task{}) {
				return
			}
			for _, t := range ob.Tasks {
				if !fn(ob, t) {
					return
				}
			}
		}
	}
}
