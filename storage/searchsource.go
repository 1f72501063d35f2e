package storage

import (
	"context"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage/search"
)

// SearchSource is the store as the search index follows it: its change
// log, its objects and its commit signal (search.Source).
type SearchSource struct{ St *Store }

var _ search.Source = SearchSource{}

func (s SearchSource) Seq() uint64              { return s.St.Seq() }
func (s SearchSource) Epoch() string            { return s.St.Epoch() }
func (s SearchSource) Changed() <-chan struct{} { return s.St.Changed() }

func (s SearchSource) Get(ctx context.Context, iri string) (protocol.Object, error) {
	return s.St.Get(ctx, iri)
}

func (s SearchSource) ForEach(ctx context.Context, fn func(protocol.Object) error) error {
	return s.St.ForEach(ctx, fn)
}

func (s SearchSource) Changes(ctx context.Context, after uint64, limit int) ([]search.Change, error) {
	cs, err := s.St.Changes(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]search.Change, len(cs))
	for i, c := range cs {
		out[i] = search.Change{Seq: c.Seq, IRI: c.IRI}
	}
	return out, nil
}
