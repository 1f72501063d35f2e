// Package catalogue is the application layer of the node's catalogue: what
// creating, updating, deleting and importing an object means (validation
// against what the node holds, signing, publishing to the followers, a draft
// for the co-producers when a version needs their signatures), and the
// recommendations, search, the CPSV-AP export, drafts and co-sign requests,
// and the re-signing job (resign.go). The JSON handlers call it today, the
// web pages and the co-production processes next; it reaches storage, the
// trust layer and the federation agent only through the seams its Deps
// declare.
package catalogue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

// Errors of the use cases; the HTTP layer maps each to its problem.
var (
	// ErrNotOwner: the object belongs to another node; only its origin
	// changes it.
	ErrNotOwner = errors.New("not this node's object")
	// ErrNoSuchTask: no stored co-production schema has the task.
	ErrNoSuchTask = errors.New("no such task")
	// ErrCosignFailed: the co-producers of a version could not be asked to
	// sign it (wraps federation.ErrCosign).
	ErrCosignFailed = errors.New("the co-producers could not be asked to sign")
)

// Publisher is what the catalogue needs of the federation agent.
type Publisher interface {
	// Kick wakes the delivery workers after a write enqueued deliveries.
	Kick()
}

// Cosigner is what the catalogue needs of co-production over ActivityPub
// (federation.Coproduction).
type Cosigner interface {
	// StartCosign offers a co-produced version to its co-signers.
	StartCosign(ctx context.Context, obj protocol.Object, expect uint64, prevJWS []byte, cosigners []string) (storage.Draft, error)
	// AnswerCosign approves or rejects a received co-sign request.
	AnswerCosign(ctx context.Context, id string, approve bool, reason string) (storage.CosignRequest, error)
	// DraftBody is the entity a received draft carries when it verifies
	// as far as it is signed; nil otherwise.
	DraftBody(ctx context.Context, jws []byte) json.RawMessage
}

// Signer is what the catalogue needs of the trust layer.
type Signer interface {
	// SignLocal signs a version this node makes alone (prevJWS: the
	// version before, nil for version 1) and returns its verification.
	SignLocal(ctx context.Context, obj protocol.Object, prevJWS []byte) ([]byte, *protocol.Verification, error)
}

// Deps are the catalogue's seams.
type Deps struct {
	Store      *storage.Store
	Index      *search.Index // derived from Store: Search
	Federation Publisher
	Cosign     Cosigner
	Trust      Signer
	URIs       protocol.URIs
	IDs        *protocol.ULIDSource
	Now        func() time.Time
}

// Service runs the catalogue use cases; safe for concurrent use.
type Service struct{ d Deps }

// New returns the catalogue over d.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.IDs == nil {
		d.IDs = &protocol.ULIDSource{}
	}
	return &Service{d: d}
}

// DraftStarted is what Create and Update return (as an error) when the
// version needs other nodes' signatures first: the caller answers with the
// draft.
type DraftStarted struct{ Draft storage.Draft }

func (d *DraftStarted) Error() string { return "draft " + d.Draft.ID + " waits for its co-signers" }

// startDraft offers a co-produced version to its co-signers.
func (s *Service) startDraft(ctx context.Context, obj protocol.Object, expect uint64, prevJWS []byte, cosigners []string) error {
	d, err := s.d.Cosign.StartCosign(ctx, obj, expect, prevJWS, cosigners)
	if err != nil {
		if errors.Is(err, federation.ErrCosign) {
			return fmt.Errorf("%w: %w", ErrCosignFailed, err)
		}
		return err
	}
	return &DraftStarted{Draft: d}
}

// sign signs each new local version (linking it to the version before,
// whose JWS nextVersion left in the object) and records this node's own
// verification of it.
func (s *Service) sign(ctx context.Context, ops []storage.WriteOp) error {
	for i := range ops {
		o := &ops[i].Object
		var prev []byte
		if o.Version > 1 {
			prev = o.JWS
		}
		jws, v, err := s.d.Trust.SignLocal(ctx, *o, prev)
		if err != nil {
			return err
		}
		o.JWS, o.Verification = jws, v
	}
	return nil
}

// invalid is a validation failure naming one field.
func invalid(field, rule, format string, args ...any) error {
	ve := &protocol.ValidationError{}
	ve.Add(field, rule, format, args...)
	return ve
}

// validate checks e against its kind's rules, whatever built it (a
// decoder validates what it decodes; a form, a process or a test builds
// entities itself): an entity that no node could decode is never stored
// or published. prefix names e's place in a batch ("objects[3].").
func validate(e protocol.Entity, prefix string) error {
	err := e.Validate()
	var ve *protocol.ValidationError
	if err == nil || prefix == "" || !errors.As(err, &ve) {
		return err
	}
	out := &protocol.ValidationError{Kind: ve.Kind, Errors: slices.Clone(ve.Errors)}
	for i := range out.Errors {
		out.Errors[i].Field = prefix + out.Errors[i].Field
	}
	return out
}

// MaxImportBatch bounds the objects of one import request.
const MaxImportBatch = 500

// newObject makes version 1 of a local object holding e.
func (s *Service) newObject(e protocol.Entity, body []byte) protocol.Object {
	now := s.d.Now().UTC()
	id := s.d.IDs.New(now)
	return protocol.Object{
		Meta: protocol.Meta{IRI: s.d.URIs.Object(id), ID: id, Type: e.Kind(), Version: 1, Origin: s.d.URIs.Base(),
			Key: e.NaturalKey(), Created: now, Updated: now},
		Body: body,
	}
}

// nextVersion makes the version after cur holding body (nil for a
// tombstone). Its JWS is still cur's until applyLocal signs it (the new
// signature links to the old one).
func (s *Service) nextVersion(cur protocol.Object, key string, body []byte) protocol.Object {
	next := cur
	next.Version = cur.Version + 1
	next.Updated = s.d.Now().UTC()
	next.Key = key
	next.Body = body
	next.Deleted = body == nil
	return next
}

// applyLocal stores new versions of local objects (each op's Entity is its
// decoded body, so that nothing decodes it again), each with the activity
// that announces it to the followers (Create, Update, Delete), in one
// durable transaction; the delivery workers are woken afterwards.
func (s *Service) applyLocal(ctx context.Context, ops ...storage.WriteOp) error {
	if err := s.sign(ctx, ops); err != nil {
		return err
	}
	for i := range ops {
		act, err := federation.Publication(s.d.URIs, s.d.IDs, ops[i].Object, ops[i].Entity, s.d.Now())
		if err != nil {
			return err
		}
		ops[i].Publish = act
	}
	if _, err := s.d.Store.Apply(ctx, ops...); err != nil {
		return err
	}
	s.d.Federation.Kick()
	return nil
}

// checkReferences refuses adoptions and ratings of objects the node does not hold.
func (s *Service) checkReferences(ctx context.Context, e protocol.Entity, field string) error {
	target := e.Index().Target
	if target == "" {
		return nil
	}
	obj, err := s.d.Store.Get(ctx, target)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && obj.Deleted) {
		return invalid(field+"object", "exists", "%s is not an object this node holds (import or follow it first)", target)
	}
	return err
}

// Create validates e and stores it as version 1.
func (s *Service) Create(ctx context.Context, e protocol.Entity) (protocol.Object, error) {
	if err := validate(e, ""); err != nil {
		return protocol.Object{}, err
	}
	if err := s.checkReferences(ctx, e, ""); err != nil {
		return protocol.Object{}, err
	}
	body, err := protocol.EncodeEntity(e)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("encode %s: %w", e.Kind(), err)
	}
	obj := s.newObject(e, body)
	if cs := federation.Cosigners(s.d.URIs.Base(), e); len(cs) > 1 {
		return obj, s.startDraft(ctx, obj, 0, nil, cs)
	}
	ops := []storage.WriteOp{{Object: obj, Entity: e}}
	if err := s.applyLocal(ctx, ops...); err != nil {
		return protocol.Object{}, err
	}
	return ops[0].Object, nil // as stored: signed, with its verification
}

// localObject fetches the current version of one of this node's own objects.
func (s *Service) localObject(ctx context.Context, id string) (protocol.Object, error) {
	cur, err := s.d.Store.GetByID(ctx, id)
	if err != nil {
		return protocol.Object{}, err
	}
	if cur.Origin != s.d.URIs.Base() {
		return protocol.Object{}, fmt.Errorf("%w: %s belongs to %s: only its origin node can change it", ErrNotOwner, cur.IRI, cur.Origin)
	}
	if cur.Deleted {
		return protocol.Object{}, fmt.Errorf("%s: %w", cur.IRI, storage.ErrGone)
	}
	return cur, nil
}

// Update makes the next version of object id; content equal to the
// current version's changes nothing and answers the current version.
// ifMatch, when not 0, is the version the caller based its change on.
func (s *Service) Update(ctx context.Context, id string, e protocol.Entity, ifMatch uint64) (protocol.Object, error) {
	return s.update(ctx, id, e, ifMatch, false)
}

// update is Update; always makes the next version even of the same
// content (re-signing: the same content under a new signature).
func (s *Service) update(ctx context.Context, id string, e protocol.Entity, ifMatch uint64, always bool) (protocol.Object, error) {
	cur, err := s.localObject(ctx, id)
	if err != nil {
		return protocol.Object{}, err
	}
	if e.Kind() != cur.Type {
		return protocol.Object{}, invalid("type", "immutable", "%s is a %s; its type cannot become %s", cur.IRI, cur.Type, e.Kind())
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		return protocol.Object{}, &storage.ConflictError{IRI: cur.IRI, Want: ifMatch, Have: cur.Version}
	}
	if !always { // re-signing keeps content already published, whatever today's rules say of it
		if err := validate(e, ""); err != nil {
			return protocol.Object{}, err
		}
	}
	if err := s.checkReferences(ctx, e, ""); err != nil {
		return protocol.Object{}, err
	}
	body, err := protocol.EncodeEntity(e)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("encode %s: %w", e.Kind(), err)
	}
	if !always && bytes.Equal(body, cur.Body) {
		// The same content again changes nothing (a PUT is idempotent,
		// RFC 9110 §9.2.2): no new version to sign, store and announce.
		return cur, nil
	}
	next := s.nextVersion(cur, e.NaturalKey(), body)
	if cs := federation.Cosigners(s.d.URIs.Base(), e); len(cs) > 1 {
		return next, s.startDraft(ctx, next, cur.Version, cur.JWS, cs)
	}
	ops := []storage.WriteOp{{Object: next, ExpectVersion: cur.Version, Entity: e}}
	if err := s.applyLocal(ctx, ops...); err != nil {
		return protocol.Object{}, err
	}
	return ops[0].Object, nil
}

// Delete leaves a tombstone as the last version of object id.
func (s *Service) Delete(ctx context.Context, id string, ifMatch uint64) (protocol.Object, error) {
	cur, err := s.localObject(ctx, id)
	if err != nil {
		return protocol.Object{}, err
	}
	if ifMatch != 0 && ifMatch != cur.Version {
		return protocol.Object{}, &storage.ConflictError{IRI: cur.IRI, Want: ifMatch, Have: cur.Version}
	}
	tomb := s.nextVersion(cur, cur.Key, nil)
	if err := s.applyLocal(ctx, storage.WriteOp{Object: tomb, ExpectVersion: cur.Version}); err != nil {
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

// Import upserts entities by (type, key) in one atomic write: a new
// key creates version 1, a known key with other content makes the next
// version, identical content changes nothing. A concurrent change to one of
// the objects makes the whole import retry once against the new state.
func (s *Service) Import(ctx context.Context, entities []protocol.Entity) (ImportResult, error) {
	if len(entities) > MaxImportBatch {
		return ImportResult{}, invalid("objects", "max_items", "%d objects in one import; send at most %d per request", len(entities), MaxImportBatch)
	}
	seen := map[string]int{}
	for i, e := range entities {
		if k := e.NaturalKey(); k != "" {
			id := string(e.Kind()) + "\x00" + k
			if j, dup := seen[id]; dup {
				return ImportResult{}, invalid(fmt.Sprintf("objects[%d].%s", i, protocol.KeyField(e.Kind())), "unique", "%s %q already appears at objects[%d]", e.Kind(), k, j)
			}
			seen[id] = i
		}
		if err := validate(e, fmt.Sprintf("objects[%d].", i)); err != nil {
			return ImportResult{}, err
		}
		if err := s.checkReferences(ctx, e, fmt.Sprintf("objects[%d].", i)); err != nil {
			return ImportResult{}, err
		}
	}
	var res ImportResult
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		res, err = s.tryImport(ctx, entities)
		if !errors.Is(err, storage.ErrConflict) && !errors.Is(err, storage.ErrKeyExists) {
			break
		}
	}
	return res, err
}

func (s *Service) tryImport(ctx context.Context, entities []protocol.Entity) (ImportResult, error) {
	res := ImportResult{Items: make([]ImportItem, 0, len(entities))}
	ops := make([]storage.WriteOp, 0, len(entities))
	for i, e := range entities {
		body, err := protocol.EncodeEntity(e)
		if err != nil {
			return ImportResult{}, fmt.Errorf("encode objects[%d]: %w", i, err)
		}
		item := ImportItem{Type: e.Kind(), Key: e.NaturalKey()}
		if cs := federation.Cosigners(s.d.URIs.Base(), e); len(cs) > 1 {
			return ImportResult{}, invalid(fmt.Sprintf("objects[%d].coproduced_by", i), "cosign",
				"%s is co-produced with %s: create it with POST /api/v1/objects so that every co-producer signs it", item.Key, strings.Join(cs[1:], ", "))
		}
		var cur protocol.Object
		found := false
		if item.Key != "" {
			iri, err := s.d.Store.LookupKey(ctx, s.d.URIs.Base(), e.Kind(), item.Key)
			switch {
			case err == nil:
				if cur, err = s.d.Store.Get(ctx, iri); err != nil {
					return ImportResult{}, fmt.Errorf("import objects[%d]: %w", i, err)
				}
				found = !cur.Deleted
			case !errors.Is(err, storage.ErrNotFound):
				return ImportResult{}, fmt.Errorf("import objects[%d]: %w", i, err)
			}
		}
		switch {
		case !found:
			obj := s.newObject(e, body)
			ops = append(ops, storage.WriteOp{Object: obj, Entity: e})
			item.IRI, item.Version, item.Result = obj.IRI, 1, "created"
			res.Created++
		case bytes.Equal(cur.Body, body):
			item.IRI, item.Version, item.Result = cur.IRI, cur.Version, "unchanged"
			res.Unchanged++
		default:
			next := s.nextVersion(cur, item.Key, body)
			ops = append(ops, storage.WriteOp{Object: next, ExpectVersion: cur.Version, Entity: e})
			item.IRI, item.Version, item.Result = next.IRI, next.Version, "updated"
			res.Updated++
		}
		res.Items = append(res.Items, item)
	}
	if len(ops) > 0 {
		if err := s.applyLocal(ctx, ops...); err != nil {
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

// TaskProblemProfiles finds a co-production task by key in the stored schemas
// and returns its problem profiles (the objective's when the task has none).
func (s *Service) TaskProblemProfiles(ctx context.Context, task string) ([]string, error) {
	schemas, err := s.listAll(ctx, map[string][]string{"type": {string(protocol.KindCoproductionSchema)}})
	if err != nil {
		return nil, err
	}
	for _, it := range schemas {
		var found []string
		eachTask(it, func(ob protocol.Objective, t protocol.Task) bool {
			if t.Key == "" || t.Key != task {
				return true
			}
			found = t.ProblemProfiles
			if len(found) == 0 {
				found = ob.ProblemProfiles
			}
			return false
		})
		if found != nil {
			return found, nil
		}
	}
	return nil, fmt.Errorf("%w: no stored co-production schema has a task %q", ErrNoSuchTask, task)
}

// Recommend ranks the interlinkers that share problem profiles with pps:
// more shared profiles first, then the better rated, then by name.
func (s *Service) Recommend(ctx context.Context, pps []string, limit int) ([]Recommendation, error) {
	byIRI := map[string]*Recommendation{}
	for _, pp := range pps {
		items, err := s.listAll(ctx, map[string][]string{"type": {string(protocol.KindInterlinker)}, "problem_profile": {pp}})
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
	}
	out := make([]Recommendation, 0, len(byIRI))
	for _, r := range byIRI {
		if agg, err := s.d.Store.Aggregates(ctx, r.Object.IRI); err == nil {
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
