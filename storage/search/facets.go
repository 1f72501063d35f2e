package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
)

// Facet counting.
//
// bleve counts facets by visiting, for every matching document, the doc
// values of the facet field and looking each value up in a map by string:
// over a broad match (tens of thousands of documents, a dozen values each)
// that is most of a search's time. Instead, each segment of a shard gets a
// compact column, built once from the segment's postings of the combined
// facet field: for every document of the segment the small integer ids of
// its facet values. A search hands bleve's top-N collector a document
// handler (bleve's MakeDocumentMatchHandler hook) that, for every match,
// adds one to the counter of each of the document's value ids, then passes
// the match on to the usual top-N handling. The counts are exact: the same
// documents, the same values, as bleve's facet builder would count.
//
// Segments are immutable, so a column stays valid as long as its segment
// lives; a merge or a batch makes a new segment, whose column Run builds
// after its next catch-up (warmFacets), or else the first search that meets
// a match in it. Columns of segments no search uses any more are dropped.
// bleve's facet builder stays behind Index.bleveFacets as the reference the
// tests and BenchmarkFacets100k compare the columns with.

// facetColumn is the facet values of every document of one segment.
type facetColumn struct {
	terms []string // value id → "field\x1fvalue"
	// start[d] .. start[d+1] delimit the value ids of local document d in
	// v16 (when there are at most 1<<16 terms) or v32.
	start []uint32
	v16   []uint16
	v32   []uint32
}

// add counts the values of local document d into counts.
func (c *facetColumn) add(d uint64, counts []uint32) {
	if d+1 >= uint64(len(c.start)) {
		return // not a document of this segment (cannot happen)
	}
	lo, hi := c.start[d], c.start[d+1]
	if c.v16 != nil {
		for _, v := range c.v16[lo:hi] {
			counts[v]++
		}
		return
	}
	for _, v := range c.v32[lo:hi] {
		counts[v]++
	}
}

// buildFacetColumn reads the postings of every term of the combined facet
// field of one segment into a column.
func buildFacetColumn(ss *scorch.SegmentSnapshot) (*facetColumn, error) {
	seg := ss.Segment()
	n := seg.Count()
	if n >= math.MaxUint32 {
		return nil, fmt.Errorf("segment of %d documents is too large for a facet column", n)
	}
	dict, err := seg.Dictionary(fieldFacets)
	if err != nil {
		return nil, fmt.Errorf("read facet dictionary: %w", err)
	}
	var terms []string
	var docs [][]uint32 // per term, the local documents holding it
	it := dict.AutomatonIterator(nil, nil, nil)
	for {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("read facet dictionary: %w", err)
		}
		if e == nil {
			break
		}
		pl, err := dict.PostingsList([]byte(e.Term), nil, nil)
		if err != nil {
			return nil, fmt.Errorf("read postings of %q: %w", e.Term, err)
		}
		ds := make([]uint32, 0, pl.Count())
		pit := pl.Iterator(false, false, false, nil)
		for {
			p, err := pit.Next()
			if err != nil {
				return nil, fmt.Errorf("read postings of %q: %w", e.Term, err)
			}
			if p == nil {
				break
			}
			d := p.Number()
			if d >= n {
				return nil, fmt.Errorf("posting of %q names document %d of a segment of %d", e.Term, d, n)
			}
			ds = append(ds, uint32(d))
		}
		terms = append(terms, e.Term)
		docs = append(docs, ds)
	}
	return newFacetColumn(terms, docs, n)
}

// newFacetColumn lays out the column of a segment of n documents from the
// documents holding each term (each below n).
func newFacetColumn(terms []string, docs [][]uint32, n uint64) (*facetColumn, error) {
	pos := make([]uint32, n+1) // values per document, then where the next one goes
	var total uint64
	for _, ds := range docs {
		for _, d := range ds {
			pos[d]++
		}
		total += uint64(len(ds))
	}
	if total >= math.MaxUint32 {
		return nil, fmt.Errorf("%d facet values are too many for a column", total)
	}
	c := &facetColumn{terms: terms, start: make([]uint32, n+1)}
	var at uint32
	for d := range n {
		c.start[d] = at
		at += pos[d]
	}
	c.start[n] = at
	copy(pos, c.start)
	if len(terms) <= 1<<16 {
		c.v16 = make([]uint16, total)
	} else {
		c.v32 = make([]uint32, total)
	}
	for t, ds := range docs {
		for _, d := range ds {
			if c.v16 != nil {
				c.v16[pos[d]] = uint16(t)
			} else {
				c.v32[pos[d]] = uint32(t)
			}
			pos[d]++
		}
	}
	return c, nil
}

// facetColumns caches the columns of the segments in use, keyed by the
// segment (compared by identity: a persisted or merged segment is a new
// one).
type facetColumns struct {
	tick    atomic.Uint64 // numbers searches, to find unused columns
	mu      sync.Mutex
	entries map[any]*facetEntry
}

type facetEntry struct {
	once sync.Once
	col  *facetColumn
	err  error
	used uint64 // tick of the last search that met the segment; guarded by facetColumns.mu
}

func newFacetColumns() *facetColumns { return &facetColumns{entries: map[any]*facetEntry{}} }

// entriesFor returns the entries of a snapshot's segments, creating the
// missing ones (their columns are built on first use) and marking all used
// by the search numbered tick.
func (fc *facetColumns) entriesFor(segs []*scorch.SegmentSnapshot, tick uint64) []*facetEntry {
	out := make([]*facetEntry, len(segs))
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for i, ss := range segs {
		key := any(ss.Segment())
		e := fc.entries[key]
		if e == nil {
			e = &facetEntry{}
			fc.entries[key] = e
		}
		e.used = max(e.used, tick)
		out[i] = e
	}
	return out
}

// column returns the entry's column, building it from ss once.
func (e *facetEntry) column(ss *scorch.SegmentSnapshot) (*facetColumn, error) {
	e.once.Do(func() { e.col, e.err = buildFacetColumn(ss) })
	return e.col, e.err
}

// evict drops the columns that neither the search numbered tick nor any
// later one has met: their segments were merged away or belong to a
// replaced index. (An older search still running keeps its own references.)
func (fc *facetColumns) evict(tick uint64) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for k, e := range fc.entries {
		if e.used < tick {
			delete(fc.entries, k)
		}
	}
}

// facetCount counts the facet values of one search's matches over every
// shard.
type facetCount struct {
	cols *facetColumns
	tick uint64

	mu   sync.Mutex
	sums map[string]int
}

// newFacetCount starts the counting of one search.
func (fc *facetColumns) newFacetCount() *facetCount {
	return &facetCount{cols: fc, tick: fc.tick.Add(1), sums: map[string]int{}}
}

// context returns ctx carrying the document handler that counts.
func (c *facetCount) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(c.makeHandler))
}

// makeHandler is called by bleve's top-N collector of each shard: it wraps
// the collector's own handler, counting every match before passing it on.
func (c *facetCount) makeHandler(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
	next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
	if err != nil {
		return nil, false, err
	}
	if next == nil {
		return nil, false, fmt.Errorf("search: facets: unexpected collector %T", sctx.Collector)
	}
	snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
	if !ok {
		return nil, false, fmt.Errorf("search: facets: unexpected index reader %T", sctx.IndexReader)
	}
	sc := c.newShardCount(snap)
	return func(d *bsearch.DocumentMatch) error {
		if d == nil {
			c.merge(sc)
			return next(nil)
		}
		if err := sc.add(d.IndexInternalID.Value()); err != nil {
			return err
		}
		return next(d)
	}, loadID, nil
}

// shardCount counts the matches of one shard, per segment of its snapshot.
type shardCount struct {
	segs    []*scorch.SegmentSnapshot
	entries []*facetEntry
	offsets []uint64 // first global document number of each segment, and the end
	cols    []*facetColumn
	counts  [][]uint32
	cur     int // segment of the last match (matches come in document order)
}

func (c *facetCount) newShardCount(snap *scorch.IndexSnapshot) *shardCount {
	segs := snap.Segments()
	sc := &shardCount{
		segs:    segs,
		entries: c.cols.entriesFor(segs, c.tick),
		offsets: make([]uint64, len(segs)+1),
		cols:    make([]*facetColumn, len(segs)),
		counts:  make([][]uint32, len(segs)),
	}
	// The snapshot numbers documents globally: each segment's documents
	// follow those of the segments before it, deleted ones included.
	var running uint64
	for i, ss := range segs {
		sc.offsets[i] = running
		running += ss.Segment().Count()
	}
	sc.offsets[len(segs)] = running
	return sc
}

var errFacetDoc = errors.New("search: facets: match outside the snapshot's documents")

// add counts the values of the document with global number doc.
func (sc *shardCount) add(doc uint64) error {
	i := sc.cur
	if i >= len(sc.segs) || doc < sc.offsets[i] || doc >= sc.offsets[i+1] {
		i = sort.Search(len(sc.segs), func(x int) bool { return sc.offsets[x+1] > doc })
		if i == len(sc.segs) {
			return fmt.Errorf("%w: %d of %d", errFacetDoc, doc, sc.offsets[len(sc.segs)])
		}
		sc.cur = i
	}
	col := sc.cols[i]
	if col == nil {
		var err error
		if col, err = sc.entries[i].column(sc.segs[i]); err != nil {
			return fmt.Errorf("search: facets: %w", err)
		}
		sc.cols[i] = col
		sc.counts[i] = make([]uint32, len(col.terms))
	}
	col.add(doc-sc.offsets[i], sc.counts[i])
	return nil
}

// merge adds a finished shard's counts to the search's sums.
func (c *facetCount) merge(sc *shardCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, counts := range sc.counts {
		for t, n := range counts {
			if n > 0 {
				c.sums[sc.cols[i].terms[t]] += int(n)
			}
		}
	}
}

// result returns the counts of a finished search (a shard fails the whole
// search when it fails), and lets the cache drop the columns this search did
// not use.
func (c *facetCount) result() []termCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]termCount, 0, len(c.sums))
	for t, n := range c.sums {
		out = append(out, termCount{t, n})
	}
	c.cols.evict(c.tick)
	return out
}

// size is the column's approximate memory in bytes.
func (c *facetColumn) size() int {
	n := 4*len(c.start) + 2*len(c.v16) + 4*len(c.v32)
	for _, t := range c.terms {
		n += len(t) + 16
	}
	return n
}

// stats reports the number of built columns and their memory in bytes.
func (fc *facetColumns) stats() (n, bytes int) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for _, e := range fc.entries {
		if e.col != nil {
			n++
			bytes += e.col.size()
		}
	}
	return n, bytes
}

// warmFacets builds the facet columns of every segment of the serving index
// that has none yet (after a start, a batch or a merge), so that searches do
// not pay for it, and drops those of segments gone.
func (ix *Index) warmFacets(ctx context.Context) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed || ix.ss == nil {
		return nil
	}
	rs, closeReaders, err := ix.ss.readers()
	if err != nil {
		return fmt.Errorf("search: warm facet columns: %w", err)
	}
	defer closeReaders()
	tick := ix.facetCols.tick.Add(1)
	for i, r := range rs {
		snap, ok := r.(*scorch.IndexSnapshot)
		if !ok {
			return fmt.Errorf("search: warm facet columns: shard %d reader is a %T", i, r)
		}
		segs := snap.Segments()
		for j, e := range ix.facetCols.entriesFor(segs, tick) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, err := e.column(segs[j]); err != nil {
				return fmt.Errorf("search: warm facet columns of shard %d: %w", i, err)
			}
		}
	}
	ix.facetCols.evict(tick)
	return nil
}
