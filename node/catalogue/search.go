package catalogue

import (
	"context"
	"errors"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

// Hit is one search hit with its object.
type Hit struct {
	Score  float64
	Object protocol.Object
}

// SearchResult is one page of hits.
type SearchResult struct {
	Total  uint64 // every match, on all pages
	Hits   []Hit
	Facets map[string]map[string]int // never nil
	Next   string                    // the next page's cursor; empty on the last
}

// Search runs q over the index. It first waits, at most wait, until the
// index holds every write acknowledged before the call, so that a client
// reads its own writes (past wait it serves slightly stale results rather
// than none); the hits carry the objects as stored now, without those
// deleted since they were indexed. An error about the query itself wraps
// search.ErrInvalidQuery.
func (s *Service) Search(ctx context.Context, q search.Query, wait time.Duration) (SearchResult, error) {
	if err := s.waitIndex(ctx, wait); err != nil {
		return SearchResult{}, err
	}
	res, err := s.d.Index.Search(ctx, q)
	if err != nil {
		return SearchResult{}, err
	}
	out := SearchResult{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits)), Facets: res.Facets, Next: res.Next}
	for _, h := range res.Hits {
		obj, err := s.d.Store.Get(ctx, h.IRI)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted between the index and now
		}
		if err != nil {
			return SearchResult{}, err
		}
		if obj.Deleted {
			continue
		}
		out.Hits = append(out.Hits, Hit{Score: h.Score, Object: obj})
	}
	if out.Facets == nil {
		out.Facets = map[string]map[string]int{}
	}
	return out, nil
}

// waitIndex waits, at most wait, until the index holds the writes committed
// so far.
func (s *Service) waitIndex(ctx context.Context, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := s.d.Index.WaitFor(ctx, s.d.Store.Seq()); err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil // serve slightly stale results rather than none
		}
		return err
	}
	return nil
}
