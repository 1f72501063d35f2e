package catalogue

import (
	"context"

	"github.com/interlink-project/interlink-node/protocol"
)

// ObjectByIRI reads the current version of the object at iri this node
// holds (its own or a peer's copy); storage.ErrNotFound when there is none.
// The co-signing page compares a draft with it.
func (s *Service) ObjectByIRI(ctx context.Context, iri string) (protocol.Object, error) {
	return s.d.Store.Get(ctx, iri)
}

// Uses are the live adoptions and ratings of one object, each a signed
// object of its own (its Verification says whether the adopter's or
// rater's signature verified and who signed).
type Uses struct {
	Adoptions []protocol.Object
	Ratings   []protocol.Object
}

// UsesOf lists the adoptions and ratings whose target is iri (from every
// node this one holds them from).
func (s *Service) UsesOf(ctx context.Context, iri string) (Uses, error) {
	var u Uses
	var err error
	if u.Adoptions, err = s.listAll(ctx, map[string][]string{"type": {string(protocol.KindAdoption)}, "target": {iri}}); err != nil {
		return Uses{}, err
	}
	if u.Ratings, err = s.listAll(ctx, map[string][]string{"type": {string(protocol.KindRating)}, "target": {iri}}); err != nil {
		return Uses{}, err
	}
	return u, nil
}
