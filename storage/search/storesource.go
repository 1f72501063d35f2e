package search

import (
	"context"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// StoreSource is the store as the index follows it: its change log, its
// objects and its commit signal. (Here rather than in storage, so that the
// store's users do not load bleve.)
type StoreSource struct{ St *storage.Store }

var _ Source = StoreSource{}

func (s StoreSource) Seq() uint64              { return s.St.Seq() }
func (s StoreSource) Epoch() string            { return s.St.Epoch() }
func (s StoreSource) Changed() <-chan struct{} { return s.St.Changed() }

func (s StoreSource) Get(ctx context.Context, iri string) (protocol.Object, error) {
	return s.St.Get(ctx, iri)
}

func (s StoreSource) ForEach(ctx context.Context, fn func(protocol.Object) error) error {
	return s.St.ForEach(ctx, fn)
}

func (s StoreSource) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	cs, err := s.St.Changes(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Change, len(cs))
	for i, c := range cs {
		out[i] = Change{Seq: c.Seq, IRI: c.IRI}
	}
	return out, nil
}
