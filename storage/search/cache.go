package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// resultCacheSize bounds the number of cached result pages.
const resultCacheSize = 256

// resultCache keeps recent result pages of the current index generation:
// the catalogue's landing page (everything, with facets) and popular queries
// are asked far more often than the index changes. Any change to the index
// starts a new generation and empties the cache, so a search after WaitFor
// never sees a page from before the write.
type resultCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*Result
	order   []string // insertion order, for eviction
}

func newResultCache() *resultCache {
	return &resultCache{entries: map[string]*Result{}}
}

func (c *resultCache) get(gen uint64, key string) (*Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	r, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	return r.clone(), true
}

func (c *resultCache) put(gen uint64, key string, r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.gen {
		return // computed on an older index
	}
	if gen > c.gen {
		c.gen = gen
		clear(c.entries)
		c.order = c.order[:0]
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	if len(c.order) >= resultCacheSize {
		delete(c.entries, c.order[0])
		c.order = slices.Delete(c.order, 0, 1)
	}
	c.entries[key] = r.clone()
	c.order = append(c.order, key)
}

// clone copies a result deeply, so that callers may modify what they get.
func (r *Result) clone() *Result {
	cp := *r
	cp.Hits = slices.Clone(r.Hits)
	if r.Facets != nil {
		cp.Facets = make(map[string]map[string]int, len(r.Facets))
		for k, v := range r.Facets {
			cp.Facets[k] = maps.Clone(v)
		}
	}
	return &cp
}

// termCount is one facet term and the number of documents holding it.
type termCount struct {
	term  string
	count int
}

// globalFacets counts the facet values of every live document from the
// term dictionaries of the shards (postings counts net of deletions,
// summed) instead of visiting each document: the unfiltered listing counts
// over the whole catalogue.
func (ix *Index) globalFacets(ctx context.Context) (map[string]map[string]int, error) {
	rs, closeReaders, err := ix.ss.readers()
	if err != nil {
		return nil, fmt.Errorf("search: facets: %w", err)
	}
	defer closeReaders()
	sums := map[string]int{}
	for i, r := range rs {
		if err := shardFacets(ctx, r, sums); err != nil {
			return nil, fmt.Errorf("search: facets of shard %d: %w", i, err)
		}
	}
	counts := make([]termCount, 0, len(sums))
	for t, n := range sums {
		if n > 0 {
			counts = append(counts, termCount{t, n})
		}
	}
	return splitFacets(counts), nil
}

// shardFacets adds the live document count of every facet term of one
// shard to sums.
func shardFacets(ctx context.Context, r index.IndexReader, sums map[string]int) error {
	dict, err := r.FieldDict(fieldFacets)
	if err != nil {
		return fmt.Errorf("read dictionary: %w", err)
	}
	var terms []string
	for {
		e, err := dict.Next()
		if err != nil {
			_ = dict.Close()
			return fmt.Errorf("read dictionary: %w", err)
		}
		if e == nil {
			break
		}
		terms = append(terms, e.Term)
	}
	if err := dict.Close(); err != nil {
		return fmt.Errorf("close dictionary: %w", err)
	}
	for _, t := range terms {
		n, err := termDocCount(ctx, r, t)
		if err != nil {
			return err
		}
		sums[t] += int(n)
	}
	return nil
}

func termDocCount(ctx context.Context, r index.IndexReader, term string) (uint64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), fieldFacets, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("search: facets: count %q: %w", term, err)
	}
	n := tfr.Count()
	if err := tfr.Close(); err != nil {
		return 0, fmt.Errorf("search: facets: count %q: %w", term, err)
	}
	return n, nil
}
