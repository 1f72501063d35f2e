package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// This file is the catalogue processing: what creating, updating, deleting
// and importing an object means, between the thin HTTP handlers and storage.

// maxImportBatch bounds the objects of one import request.
const maxImportBatch = 500

// newObject makes version 1 of a local object holding e.
func (n *Node) newObject(e protocol.Entity, body []byte) protocol.Object {
	now := n.now().UTC()
	id := n.ids.New(now)
	return protocol.Object{
		Meta: protocol.Meta{IRI: n.uris.Object(id), ID: id, Type: e.Kind(), Version: 1, Origin: n.uris.Base(),
			Key: e.NaturalKey(), Created: now, Updated: now},
		Body: body,
	}
}

// nextVersion makes the version after cur holding body (nil for a
// tombstone). Its JWS is still cur's until applyLocal signs it (the new
// signature links to the old one).
func (n *Node) nextVersion(cur protocol.Object, key string, body []byte) protocol.Object {
	next := cur
	next.Version = cur.Version + 1
	next.Updated = n.now().UTC()
	next.Key = key
	next.Body = body
	next.Deleted = body == nil
	return next
}

// applyLocal stores new versions of local objects (each op's Entity is its
// decoded body, so that nothing decodes it again), each with the activity
// that announces it to the followers (Create, Update, Delete), in one
// durable transaction; the delivery workers are woken afterwards.
func (n *Node) applyLocal(ctx context.Context, ops ...storage.WriteOp) error {
	if err := n.signLocal(ctx, ops); err != nil {
		return err
	}
	for i := range ops {
		act, err := federation.Publication(n.uris, n.ids, ops[i].Object, ops[i].Entity, n.now())
		if err != nil {
			return err
		}
		ops[i].Publish = act
	}
	if _, err := n.store().Apply(ctx, ops...); err != nil {
		return err
	}
	n.fed.Kick()
	return nil
}

// checkReferences refuses adoptions and ratings of objects the node does not hold.
func (n *Node) checkReferences(ctx context.Context, e protocol.Entity, field string) error {
	target := e.Index().Target
	if target == "" {
		return nil
	}
	obj, err := n.store().Get(ctx, target)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && obj.Deleted) {
		return fieldError(http.StatusUnprocessableEntity, "validation", "The object is invalid", field+"object", "exists",
			"%s is not an object this node holds (import or follow it first)", target)
	}
	return err
}

// createObject validates e and stores it as version 1.
func (n *Node) createObject(ctx context.Context, e protocol.Entity) (protocol.Object, error) {
	if err := n.checkReferences(ctx, e, ""); err != nil {
		return protocol.Object{}, err
	}
	body, err := protocol.EncodeEntity(e)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("encode %s: %w", e.Kind(), err)
	}
	obj := n.newObject(e, body)
	if cs := federation.Cosigners(n.uris.Base(), e); len(cs) > 1 {
		return obj, n.startDraft(ctx, obj, 0, nil, cs)
	}
	if err := n.applyLocal(ctx, storage.WriteOp{Object: obj, Entity: e}); err != nil {
		return protocol.Object{}, err
	}
	return obj, nil
}

// localObject fetches the current version of one of this node's own objects.
func (n *Node) localObject(ctx context.Context, id string) (protocol.Object, error) {
	cur, err := n.store().GetByID(ctx, id)
	if err != nil {
		return protocol.Object{}, err
	}
	if cur.Origin != n.uris.Base() {
		return protocol.Object{}, errorf(http.StatusForbidden, "not-owner", "Not this node's object",
			"%s belongs to %s: only its origin node can change it", cur.IRI, cur.Origin)
	}
	if cur.Deleted {
		return protocol.Object{}, fmt.Errorf("%s: %w", cur.IRI, storage.ErrGone)
	}
	return cur, nil
}

// updateObject makes the next version of object id. ifMatch, when not 0, is
// the version the caller based its change on.
func (n *Node) updateObject(ctx context.Context, id string, e protocol.Entity, ifMatch uint64) (protocol.Object, error) {
	cur, err := n.localObject(ctx, id)
	if err != nil {
		return protocol.Object{}, err
	}
	if e.Kind() != cur.Type {
		return protocol.Object{}, fieldError(http.StatusUnprocessableEntity, "validation", "The object is invalid", "type", "immutable",
			"%s is a %s; its type cannot become %s", cur.IRI, cur.Type, e.Kind())
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		return protocol.Object{}, &storage.ConflictError{IRI: cur.IRI, Want: ifMatch, Have: cur.Version}
	}
	if err := n.checkReferences(ctx, e, ""); err != nil {
		return protocol.Object{}, err
	}
	body, err := protocol.EncodeEntity(e)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("encode %s: %w", e.Kind(), err)
	}
	next := n.nextVersion(cur, e.NaturalKey(), body)
	if cs := federation.Cosigners(n.uris.Base(), e); len(cs) > 1 {
		return next, n.startDraft(ctx, next, cur.Version, cur.JWS, cs)
	}
	if err := n.applyLocal(ctx, storage.WriteOp{Object: next, ExpectVersion: cur.Version, Entity: e}); err != nil {
		return protocol.Object{}, err
	}
	return next, nil
}

// deleteObject leaves a tombstone as the last version of object id.
func (n *Node) deleteObject(ctx context.Context, id string, ifMatch uint64) (protocol.Object, error) {
	cur, err := n.localObject(ctx, id)
	if err != nil {
		return protocol.Object{}, err
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		return protocol.Object{}, &storage.ConflictError{IRI: cur.IRI, Want: ifMatch, Have: cur.Version}
	}
	tomb := n.nextVersion(cur, cur.Key, nil)
	if err := n.applyLocal(ctx, storage.WriteOp{Object: tomb, ExpectVersion: cur.Version}); err != nil {
		return protocol.Object{}, err
	}
	return tomb, nil
}

// ImportItem is the outcome of one imported entity.
type ImportItem struct {
	Type    protocol.Kind `json:"type"`
	Key     string        `json:"key,omitempty"`
	IRI     string        `json:"iri"`
	Version uint64        `json:"version"`
	Result  string        `json:"result"` // created, updated, unchanged
}

// ImportResult sums up an import.
type ImportResult struct {
	Created   int          `json:"created"`
	Updated   int          `json:"updated"`
	Unchanged int          `json:"unchanged"`
	Items     []ImportItem `json:"items"`
}

// importEntities upserts entities by (type, key) in one atomic write: a new
// key creates version 1, a known key with other content makes the next
// version, identical content changes nothing. A concurrent change to one of
// the objects makes the whole import retry once against the new state.
func (n *Node) importEntities(ctx context.Context, entities []protocol.Entity) (ImportResult, error) {
	if len(entities) > maxImportBatch {
		return ImportResult{}, fieldError(http.StatusUnprocessableEntity, "validation", "Too many objects", "objects", "max_items",
			"%d objects in one import; send at most %d per request", len(entities), maxImportBatch)
	}
	seen := map[string]int{}
	for i, e := range entities {
		if k := e.NaturalKey(); k != "" {
			id := string(e.Kind()) + "\x00" + k
			if j, dup := seen[id]; dup {
				return ImportResult{}, fieldError(http.StatusUnprocessableEntity, "validation", "The import is invalid",
					fmt.Sprintf("objects[%d].%s", i, keyField(e.Kind())), "unique", "%s %q already appears at objects[%d]", e.Kind(), k, j)
			}
			seen[id] = i
		}
		if err := n.checkReferences(ctx, e, fmt.Sprintf("objects[%d].", i)); err != nil {
			return ImportResult{}, err
		}
	}
	var res ImportResult
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		res, err = n.tryImport(ctx, entities)
		if !errors.Is(err, storage.ErrConflict) && !errors.Is(err, storage.ErrKeyExists) {
			break
		}
	}
	return res, err
}

func (n *Node) tryImport(ctx context.Context, entities []protocol.Entity) (ImportResult, error) {
	res := ImportResult{Items: make([]ImportItem, 0, len(entities))}
	ops := make([]storage.WriteOp, 0, len(entities))
	for i, e := range entities {
		body, err := protocol.EncodeEntity(e)
		if err != nil {
			return ImportResult{}, fmt.Errorf("encode objects[%d]: %w", i, err)
		}
		item := ImportItem{Type: e.Kind(), Key: e.NaturalKey()}
		if cs := federation.Cosigners(n.uris.Base(), e); len(cs) > 1 {
			return ImportResult{}, fieldError(http.StatusUnprocessableEntity, "validation", "The object is invalid",
				fmt.Sprintf("objects[%d].coproduced_by", i), "cosign",
				"%s is co-produced with %s: create it with POST /api/v1/objects so that every co-producer signs it", item.Key, strings.Join(cs[1:], ", "))
		}
		var cur protocol.Object
		found := false
		if item.Key != "" {
			iri, err := n.store().LookupKey(ctx, n.uris.Base(), e.Kind(), item.Key)
			switch {
			case err == nil:
				if cur, err = n.store().Get(ctx, iri); err != nil {
					return ImportResult{}, fmt.Errorf("import objects[%d]: %w", i, err)
				}
				found = !cur.Deleted
			case !errors.Is(err, storage.ErrNotFound):
				return ImportResult{}, fmt.Errorf("import objects[%d]: %w", i, err)
			}
		}
		switch {
		case !found:
			obj := n.newObject(e, body)
			ops = append(ops, storage.WriteOp{Object: obj, Entity: e})
			item.IRI, item.Version, item.Result = obj.IRI, 1, "created"
			res.Created++
		case bytes.Equal(cur.Body, body):
			item.IRI, item.Version, item.Result = cur.IRI, cur.Version, "unchanged"
			res.Unchanged++
		default:
			next := n.nextVersion(cur, item.Key, body)
			ops = append(ops, storage.WriteOp{Object: next, ExpectVersion: cur.Version, Entity: e})
			item.IRI, item.Version, item.Result = next.IRI, next.Version, "updated"
			res.Updated++
		}
		res.Items = append(res.Items, item)
	}
	if len(ops) > 0 {
		if err := n.applyLocal(ctx, ops...); err != nil {
			return ImportResult{}, err
		}
	}
	return res, nil
}

// Recommendation is an interlinker that addresses some of the asked problem profiles.
type Recommendation struct {
	Score   int             `json:"score"`
	Matched []string        `json:"matched"`
	Rating  float64         `json:"rating_mean,omitempty"`
	Object  protocol.Object `json:"object"`
}

// taskProblemProfiles finds a co-production task by key in the stored schemas
// and returns its problem profiles (the objective's when the task has none).
func (n *Node) taskProblemProfiles(ctx context.Context, task string) ([]string, error) {
	var after string
	for {
		items, next, err := n.store().List(ctx, storage.ListOptions{
			Filters: map[string][]string{"type": {string(protocol.KindCoproductionSchema)}}, After: after, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			e, err := protocol.DecodeEntity(it.Body)
			if err != nil {
				continue
			}
			s, ok := e.(*protocol.CoproductionSchema)
			if !ok {
				continue
			}
			for _, ph := range s.Phases {
				for _, ob := range ph.Objectives {
					for _, t := range ob.Tasks {
						if t.Key == task {
							if len(t.ProblemProfiles) > 0 {
								return t.ProblemProfiles, nil
							}
							return ob.ProblemProfiles, nil
						}
					}
				}
			}
		}
		if next == "" {
			return nil, fieldError(http.StatusNotFound, "not-found", "No such task", "task", "exists",
				"no stored co-production schema has a task %q", task)
		}
		after = next
	}
}

// recommend ranks the interlinkers that share problem profiles with pps:
// more shared profiles first, then the better rated, then by name.
func (n *Node) recommend(ctx context.Context, pps []string, limit int) ([]Recommendation, error) {
	byIRI := map[string]*Recommendation{}
	for _, pp := range pps {
		var after string
		for {
			items, next, err := n.store().List(ctx, storage.ListOptions{
				Filters: map[string][]string{"type": {string(protocol.KindInterlinker)}, "problem_profile": {pp}},
				After:   after, Limit: 500})
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				r := byIRI[it.IRI]
				if r == nil {
					r = &Recommendation{Object: it}
					byIRI[it.IRI] = r
				}
				r.Score++
				r.Matched = append(r.Matched, pp)
			}
			if next == "" {
				break
			}
			after = next
		}
	}
	out := make([]Recommendation, 0, len(byIRI))
	for _, r := range byIRI {
		if agg, err := n.store().Aggregates(ctx, r.Object.IRI); err == nil {
			r.Rating = agg.RatingMean
		}
		out = append(out, *r)
	}
	// Names are decoded once each, not at every comparison.
	names := make(map[string]string, len(out))
	for _, r := range out {
		names[r.Object.IRI] = strings.ToLower(displayName(r.Object))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].Rating != out[j].Rating {
			return out[i].Rating > out[j].Rating
		}
		return names[out[i].Object.IRI] < names[out[j].Object.IRI]
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// displayName is an object's name in English, else any language.
func displayName(o protocol.Object) string {
	e, err := protocol.DecodeEntity(o.Body)
	if err != nil {
		return o.IRI
	}
	if s := e.Index().Name.Preferred(); s != "" {
		return s
	}
	return o.IRI
}
