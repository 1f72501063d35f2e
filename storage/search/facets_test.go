package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/interlink-project/interlink-node/protocol"
	synthcorpus "github.com/interlink-project/interlink-node/testnet/corpus"
)

// searchBoth runs q with bleve's facet builder (the way facets were counted
// before the columns) and with the columns, each time on a fresh result
// cache, and fails unless both give the same page.
func searchBoth(t *testing.T, ix *Index, q Query) *Result {
	t.Helper()
	run := func(bleveFacets bool) *Result {
		ix.bleveFacets = bleveFacets
		defer func() { ix.bleveFacets = false }()
		ix.gen.Add(1) // a new generation: nothing from the result cache
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", q, err)
		}
		return res
	}
	old, cols := run(true), run(false)
	// The scores are bleve's in both; the background persister may swap
	// segments between the two searches, which can move a score by an ulp.
	if !reflect.DeepEqual(roundScores(cols), roundScores(old)) {
		t.Errorf("Search(%+v):\ncolumns %+v\n  bleve %+v", q, cols, old)
	}
	return cols
}

// roundScores returns a copy of r with its scores rounded to 12 digits.
func roundScores(r *Result) *Result {
	c := *r
	c.Hits = slices.Clone(r.Hits)
	for i := range c.Hits {
		c.Hits[i].Score = math.Round(c.Hits[i].Score*1e12) / 1e12
	}
	return &c
}

// TestFacetColumnsMatchBleve compares the facet counts of the columns with
// bleve's facet builder over the stages and shapes of queries.
func TestFacetColumnsMatchBleve(t *testing.T) {
	ix, _ := newCorpusIndex(t)
	first, err := ix.Search(context.Background(), Query{Text: "canvas", Limit: 1, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if first.Next == "" {
		t.Fatal("a one-hit page of \"canvas\" has no next page")
	}
	tests := []struct {
		name string
		q    Query
	}{
		{"filter only", Query{Filters: map[string][]string{"nature": {"knowledge"}}, Facets: true}},
		{"two filters", Query{Filters: map[string][]string{"scope": {"local", "eu"}, "licence": {"permissive"}}, Facets: true}},
		{"one word", Query{Text: "canvas", Facets: true}},
		{"one word in a language", Query{Text: "servizio", Lang: "it", Facets: true}},
		{"words and a filter", Query{Text: "service guide", Filters: map[string][]string{"language": {"en"}}, Facets: true}},
		{"prefix of the last word", Query{Text: "canv", Facets: true}},
		{"typo (fuzzy stage)", Query{Text: "gamificaton", Facets: true}},
		{"no exact match (relaxed stage)", Query{Text: "canvas xylophone", Facets: true}},
		{"no match", Query{Text: "xylophone", Facets: true}},
		{"filter matching nothing", Query{Filters: map[string][]string{"country": {"ZZ"}}, Facets: true}},
		{"later page", Query{Text: "canvas", Limit: 1, Facets: true, Cursor: first.Next}},
		{"facets off", Query{Text: "canvas"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := searchBoth(t, ix, tc.q)
			if tc.q.Facets && res.Total > 0 && len(res.Facets[fieldType]) == 0 {
				t.Errorf("no type counted over %d matches: %v", res.Total, res.Facets)
			}
		})
	}
}

// naiveFacets counts the facet values of the current objects with the
// given IRIs from their index fields, one by one.
func naiveFacets(t *testing.T, objs map[string]protocol.Object, iris []string) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	for _, f := range facetFields {
		out[f] = map[string]int{}
	}
	for _, iri := range iris {
		obj, ok := objs[iri]
		if !ok {
			t.Fatalf("search found %s, which the source does not hold", iri)
		}
		doc, _ := buildDoc(obj)
		for _, f := range facetFields {
			for _, v := range doc[f] {
				out[f][v]++
			}
		}
	}
	return out
}

// TestFacetCountsProperty checks, over random queries on a generated
// catalogue indexed in many small batches (many segments, with updated and
// deleted documents in the older ones, merged in the background meanwhile),
// that the facet counts are those of a naive count over every match, and
// the same as bleve's facet builder counts.
func TestFacetCountsProperty(t *testing.T) {
	const n = 600
	syn := newSynth(n)
	r := rand.New(rand.NewPCG(1, 2))
	src := newFakeSource("e1")
	objs := make([]protocol.Object, n)
	for i := range objs {
		objs[i] = syn.object(t, i)
		if r.IntN(3) == 0 {
			objs[i].Verification = &protocol.Verification{Status: protocol.Verified,
				Signers: []protocol.SignerInfo{{Country: synthcorpus.Pick(r, []string{"IT", "ES", "LV", "DE"})}}}
		}
	}
	ix := openShardedIndex(t, t.TempDir(), 2)
	t.Cleanup(func() { _ = ix.Close() })
	runIndex(t, ix, src)
	for i := 0; i < n; i += 40 {
		waitSeq(t, ix, src.put(objs[i:min(i+40, n)]...))
	}
	// Updates (another object's content under the same IRI) and deletions
	// leave superseded documents in the older segments.
	for range 5 {
		var batch []protocol.Object
		for range 20 {
			i, j := r.IntN(n), r.IntN(n)
			o := syn.object(t, j)
			o.IRI, o.ID = objs[i].IRI, objs[i].ID
			objs[i] = o
			batch = append(batch, o)
		}
		waitSeq(t, ix, src.put(batch...))
	}
	for range 30 {
		waitSeq(t, ix, src.tombstone(objs[r.IntN(n)].IRI))
	}
	current := map[string]protocol.Object{}
	src.mu.Lock()
	for iri, o := range src.objs {
		if !o.Deleted {
			current[iri] = o
		}
	}
	src.mu.Unlock()

	filterValues := map[string][]string{}
	for _, o := range current {
		doc, _ := buildDoc(o)
		for _, f := range facetFields {
			for _, v := range doc[f] {
				if !slices.Contains(filterValues[f], v) {
					filterValues[f] = append(filterValues[f], v)
				}
			}
		}
	}
	for f := range filterValues {
		slices.Sort(filterValues[f])
	}

	for i := range 60 {
		q := Query{Facets: true, Limit: MaxLimit}
		lang := synthcorpus.Languages[r.IntN(len(synthcorpus.Languages))]
		if r.IntN(5) > 0 {
			ws := make([]string, 1+r.IntN(2))
			for k := range ws {
				ws[k] = synthcorpus.Pick(r, synthcorpus.Vocabulary(lang))
			}
			q.Text = strings.Join(ws, " ")
			q.Lang = lang
		}
		if r.IntN(2) == 0 {
			q.Filters = map[string][]string{}
			for range 1 + r.IntN(2) {
				f := facetFields[r.IntN(len(facetFields))]
				q.Filters[f] = append(q.Filters[f], synthcorpus.Pick(r, filterValues[f]))
			}
		}
		t.Run(fmt.Sprintf("%d %q %v", i, q.Text, q.Filters), func(t *testing.T) {
			res := searchBoth(t, ix, q)
			list := q
			list.Facets = false
			iris := allIDs(t, ix, list)
			if res.Total != uint64(len(iris)) {
				t.Fatalf("Total = %d, but paging finds %d", res.Total, len(iris))
			}
			want := naiveFacets(t, current, iris)
			for _, f := range facetFields {
				if len(want[f]) > FacetSize {
					t.Fatalf("%s has %d values, more than FacetSize: the comparison would need trimming", f, len(want[f]))
				}
			}
			if !reflect.DeepEqual(res.Facets, want) {
				t.Errorf("facets over %d matches:\n got %v\nwant %v", len(iris), res.Facets, want)
			}
		})
	}

	// Only columns of segments in use stay cached.
	segs := map[any]bool{}
	ix.mu.RLock()
	rs, closeReaders, err := ix.ss.readers()
	if err != nil {
		ix.mu.RUnlock()
		t.Fatal(err)
	}
	for _, rd := range rs {
		for _, ss := range rd.(*scorch.IndexSnapshot).Segments() {
			segs[ss.Segment()] = true
		}
	}
	closeReaders()
	ix.mu.RUnlock()
	if _, err := ix.Search(context.Background(), Query{Text: "service", Facets: true}); err != nil {
		t.Fatal(err)
	}
	ix.facetCols.mu.Lock()
	defer ix.facetCols.mu.Unlock()
	if len(ix.facetCols.entries) == 0 {
		t.Error("no facet column cached after a search with facets")
	}
	for k := range ix.facetCols.entries {
		if !segs[k] {
			// A background merge between the two looks may have replaced
			// segments: only a stale entry would be a leak.
			t.Logf("cached column of a segment not in the snapshot read before the search (merged meanwhile?)")
		}
	}
	if len(ix.facetCols.entries) > len(segs)+4 {
		t.Errorf("%d facet columns cached for %d segments in use", len(ix.facetCols.entries), len(segs))
	}
}

// TestFacetColumnLayout checks a column built from postings and the
// counting of matches across segments by global document number.
func TestFacetColumnLayout(t *testing.T) {
	// Segment A: 4 documents; segment B: 3 documents.
	colA, err := newFacetColumn([]string{"type\x1fX", "type\x1fY", "scope\x1feu"},
		[][]uint32{{0, 2}, {1, 3}, {0, 1, 3}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	colB, err := newFacetColumn([]string{"type\x1fY", "scope\x1flocal"},
		[][]uint32{{0, 1, 2}, {2}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint32{0, 2, 4, 5, 7}; !slices.Equal(colA.start, want) {
		t.Errorf("start = %v, want %v", colA.start, want)
	}
	if want := []uint16{0, 2, 1, 2, 0, 1, 2}; !slices.Equal(colA.v16, want) {
		t.Errorf("values = %v, want %v", colA.v16, want)
	}
	tests := []struct {
		name string
		docs []uint64 // global numbers: A is 0-3, B is 4-6
		want map[string]int
		err  bool
	}{
		{"none", nil, map[string]int{}, false},
		{"one of A", []uint64{1}, map[string]int{"type\x1fY": 1, "scope\x1feu": 1}, false},
		{"across segments", []uint64{0, 2, 3, 4, 6},
			map[string]int{"type\x1fX": 2, "type\x1fY": 3, "scope\x1feu": 2, "scope\x1flocal": 1}, false},
		{"out of order", []uint64{6, 0, 5},
			map[string]int{"type\x1fX": 1, "type\x1fY": 2, "scope\x1feu": 1, "scope\x1flocal": 1}, false},
		{"beyond the snapshot", []uint64{7}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &facetCount{cols: newFacetColumns(), sums: map[string]int{}}
			sc := &shardCount{
				segs:    make([]*scorch.SegmentSnapshot, 2),
				entries: []*facetEntry{{}, {}},
				offsets: []uint64{0, 4, 7},
				cols:    []*facetColumn{colA, colB},
				counts:  [][]uint32{make([]uint32, 3), make([]uint32, 2)},
			}
			for _, d := range tc.docs {
				if err := sc.add(d); err != nil {
					if !tc.err || !errors.Is(err, errFacetDoc) {
						t.Fatalf("add(%d): %v", d, err)
					}
					return
				}
			}
			if tc.err {
				t.Fatal("no error")
			}
			c.merge(sc)
			got := map[string]int{}
			for _, tc := range c.result() {
				got[tc.term] = tc.count
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("counts = %v, want %v", got, tc.want)
			}
		})
	}
	big := make([]string, 1<<16+1)
	for i := range big {
		big[i] = fmt.Sprint(i)
	}
	col, err := newFacetColumn(big, [][]uint32{{0}}, 1)
	if err != nil || col.v32 == nil || col.v16 != nil {
		t.Errorf("a column of %d terms: v16 %t v32 %t (%v)", len(big), col.v16 != nil, col.v32 != nil, err)
	}
}

// TestRunWarmsFacetColumns checks that Run builds the facet columns of the
// index's segments before any search asks for facets.
func TestRunWarmsFacetColumns(t *testing.T) {
	ix, src := newCorpusIndex(t)
	waitSeq(t, ix, src.put(italianService(t))) // one more turn of Run after the first catch-up
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, bytes := ix.facetCols.stats(); n > 0 && bytes > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no facet column built by Run")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFacetColumnsConcurrent searches with facets from several goroutines
// while Run indexes batches (new segments, merges, columns dropped), then
// checks the counts against bleve's. Run it with -race.
func TestFacetColumnsConcurrent(t *testing.T) {
	syn := newSynth(300)
	src := newFakeSource("e1")
	ix := openShardedIndex(t, t.TempDir(), 2)
	t.Cleanup(func() { _ = ix.Close() })
	runIndex(t, ix, src)
	waitSeq(t, ix, src.put(syn.object(t, 0)))
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			qs := []Query{{Text: "service", Facets: true}, {Filters: map[string][]string{"scope": {"local"}}, Facets: true},
				{Text: "digital platform", Lang: "en", Facets: true}}
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := ix.Search(context.Background(), qs[(g+i)%len(qs)]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var seq uint64
	for i := 1; i < 300; i += 10 {
		var batch []protocol.Object
		for j := i; j < min(i+10, 300); j++ {
			batch = append(batch, syn.object(t, j))
		}
		seq = src.put(batch...)
	}
	waitSeq(t, ix, seq)
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	res := searchBoth(t, ix, Query{Text: "service", Facets: true})
	if res.Total == 0 {
		t.Fatal("no match for \"service\"")
	}
}
