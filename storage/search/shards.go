package search

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// DefaultShards is Options.Shards when zero: on a 2-core machine two shards
// searched in parallel halve the latency of the queries that match a large
// part of the catalogue; more shards only add merging work.
const DefaultShards = 2

// maxShards bounds Options.Shards.
const maxShards = 64

// metaShard is the shard that holds the index's metadata (mapping version,
// shard count, state, epoch, indexed seq). Every batch reaches it last.
const metaShard = 0

// shardDirName is the directory of shard i inside an index directory.
func shardDirName(i int) string { return fmt.Sprintf("shard-%02d", i) }

// shardOf routes a document to its shard by a stable hash of its IRI
// (FNV-1a: the same IRI lands in the same shard in every process).
func shardOf(iri string, n int) int {
	h := fnv.New64a()
	_, _ = h.Write([]byte(iri))
	return int(h.Sum64() % uint64(n))
}

// shardSet is an open, sharded index: its shards and an alias that
// searches them in parallel and merges their hits and facets.
type shardSet struct {
	shards []bleve.Index
	alias  bleve.IndexAlias
}

// newShardSet wraps open shards that all use mapping m.
func newShardSet(shards []bleve.Index, m mapping.IndexMapping) (*shardSet, error) {
	alias := bleve.NewIndexAlias(shards...)
	// The shards share one mapping: telling the alias spares it looking
	// each shard's up at every search.
	if err := alias.SetIndexMapping(m); err != nil {
		return nil, fmt.Errorf("set alias mapping: %w", err)
	}
	return &shardSet{shards: shards, alias: alias}, nil
}

// openShards opens the n shards of the index directory path.
func openShards(path string, n int, config map[string]any) ([]bleve.Index, error) {
	shards := make([]bleve.Index, 0, n)
	for i := range n {
		bi, err := bleve.OpenUsing(filepath.Join(path, shardDirName(i)), config)
		if err != nil {
			closeAll(shards)
			return nil, fmt.Errorf("open shard %d: %w", i, err)
		}
		shards = append(shards, bi)
	}
	return shards, nil
}

// closeAll closes every shard, joining their errors.
func closeAll(shards []bleve.Index) error {
	var errs []error
	for i, bi := range shards {
		if err := bi.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close shard %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

func (s *shardSet) close() error {
	err := s.alias.Close() // marks the alias closed; it does not close the shards
	return errors.Join(err, closeAll(s.shards))
}

// persist waits until every shard is on disk with seq recorded (an empty
// batch's persisted callback fires once everything before it is persisted).
func (s *shardSet) persist(ctx context.Context, seq uint64) error {
	errs := make([]error, len(s.shards))
	var wg sync.WaitGroup
	for i, bi := range s.shards {
		wg.Go(func() {
			b := bi.NewBatch()
			b.SetInternal(keySeq, encodeSeq(seq))
			if err := writePersisted(ctx, bi, b); err != nil {
				errs[i] = fmt.Errorf("shard %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// meta is the shard holding the metadata.
func (s *shardSet) meta() bleve.Index { return s.shards[metaShard] }

// newBatches returns one empty batch per shard.
func (s *shardSet) newBatches() []*bleve.Batch {
	bs := make([]*bleve.Batch, len(s.shards))
	for i, bi := range s.shards {
		bs[i] = bi.NewBatch()
	}
	return bs
}

// docCount sums the live documents of every shard.
func (s *shardSet) docCount() (uint64, error) {
	var n uint64
	for i, bi := range s.shards {
		c, err := bi.DocCount()
		if err != nil {
			return 0, fmt.Errorf("count documents of shard %d: %w", i, err)
		}
		n += c
	}
	return n, nil
}

// each runs fn on every shard in parallel (they are independent indexes)
// and joins the errors.
func (s *shardSet) each(fn func(i int, bi bleve.Index) error) error {
	errs := make([]error, len(s.shards))
	var wg sync.WaitGroup
	for i, bi := range s.shards {
		wg.Go(func() {
			if err := fn(i, bi); err != nil {
				errs[i] = fmt.Errorf("shard %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// applyBatches writes bs[i] to shard i: the shards without metadata first
// (in parallel), the metadata shard last and only when all others
// succeeded. A crash between the two leaves documents for changes the
// recorded seq does not claim yet (replayed idempotently at the next
// start), never a claim without its documents. An empty batch is skipped.
func (s *shardSet) applyBatches(bs []*bleve.Batch) error {
	var wg sync.WaitGroup
	errs := make([]error, len(s.shards))
	for i, bi := range s.shards {
		if i == metaShard || bs[i].Size() == 0 {
			continue
		}
		wg.Go(func() {
			if err := bi.Batch(bs[i]); err != nil {
				errs[i] = fmt.Errorf("shard %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if bs[metaShard].Size() == 0 {
		return nil
	}
	if err := s.meta().Batch(bs[metaShard]); err != nil {
		return fmt.Errorf("shard %d: %w", metaShard, err)
	}
	return nil
}

// readers opens a reader on every shard; close releases them.
func (s *shardSet) readers() (rs []index.IndexReader, closeFn func(), err error) {
	closeFn = func() {
		for _, r := range rs {
			_ = r.Close()
		}
	}
	for i, bi := range s.shards {
		adv, err := bi.Advanced()
		if err != nil {
			closeFn()
			return nil, nil, fmt.Errorf("open reader of shard %d: %w", i, err)
		}
		r, err := adv.Reader()
		if err != nil {
			closeFn()
			return nil, nil, fmt.Errorf("open reader of shard %d: %w", i, err)
		}
		rs = append(rs, r)
	}
	return rs, closeFn, nil
}

// search runs req over every shard in parallel and merges the results. A
// failure of any shard fails the search: partial results would silently
// miss matches and break pagination.
func (s *shardSet) search(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	res, err := s.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	if res.Status != nil && res.Status.Failed > 0 {
		var errs []error
		for name, e := range res.Status.Errors {
			errs = append(errs, fmt.Errorf("%s: %w", name, e))
		}
		return nil, fmt.Errorf("%d of %d shards failed: %w", res.Status.Failed, len(s.shards), errors.Join(errs...))
	}
	return res, nil
}
