package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Query is a search request.
type Query struct {
	// Text is what the user typed; empty lists every object (filtered),
	// ordered by name in Lang.
	Text string
	// Lang is the BCP 47 tag of the user's language: its fields weigh most,
	// other languages still match. Empty weighs all languages alike.
	Lang string
	// Filters maps a field (see filterFields) to accepted values: an object
	// matches when, for every field, it has one of the values (exact).
	Filters map[string][]string
	// Limit is the page size: 0 means DefaultLimit, more than MaxLimit means MaxLimit.
	Limit int
	// Cursor is Result.Next of the previous page of the same query.
	Cursor string
	// Facets asks for value counts of every facet field over the matching objects.
	Facets bool
}

// Hit is one matching object.
type Hit struct {
	IRI   string
	Score float64 // relevance; 0 when Text is empty
}

// Result is one page of matches.
type Result struct {
	// Total counts every matching object, on all pages.
	Total uint64
	Hits  []Hit
	// Facets maps each facet field to counts per value (the FacetSize most
	// frequent values), when Query.Facets is set.
	Facets map[string]map[string]int
	// Next is the cursor of the next page; empty on the last page.
	Next string
}

// Limits of a query.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// FacetSize is the number of values counted per facet field.
	FacetSize    = 50
	maxTextBytes = 2048 // a longer text is invalid (QueryError on "q", rule range)

	maxFacetTerms   = 1 << 20 // distinct values counted over all facet fields
	maxWords        = 10      // further words are ignored
	maxFilterValues = 100     // per filter field
	maxLangBytes    = 35
	// handful is the hit count under which an exact query is retried with
	// typo tolerance and any-word matching.
	handful = 5
	// minPrefixRunes is the shortest last word matched as a prefix.
	minPrefixRunes = 3
)

// ErrInvalidQuery is wrapped by every error about the query itself (an
// unknown filter, a bad cursor, ...), as opposed to a failure of the index.
var ErrInvalidQuery = errors.New("search: invalid query")

// QueryError is an invalid query, naming the part at fault: "q", "lang",
// "limit", "cursor" or a filter's name, and the rule it breaks (range,
// utf8, bcp47, syntax, stale, unknown_parameter). It wraps ErrInvalidQuery.
type QueryError struct {
	Field, Rule, Message string
}

func (e *QueryError) Error() string { return ErrInvalidQuery.Error() + ": " + e.Message }
func (e *QueryError) Unwrap() error { return ErrInvalidQuery }

func invalid(field, rule, format string, args ...any) error {
	return &QueryError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Stages of a text search; also recorded in the cursor so that later pages
// run the same query as the first.
const (
	stageAll   = 0 // no text: match all, sorted by name
	stageExact = 1 // every significant word matches (as stemmed, or as a prefix for the last)
	stageFuzzy = 2 // every significant word matches within an edit distance
	// stageRelaxed drops the words the index does not know when others are
	// known (all known words must match); when every word is known, any
	// word may match (the more the better).
	stageRelaxed = 3
)

// Search runs q and returns one page of matches.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	p, err := ix.plan(q)
	if err != nil {
		return nil, err
	}
	stage, after := stageExact, []string(nil)
	if len(p.words) == 0 {
		stage = stageAll
	}
	var fuzzy []int // per word edit distances of a cursor's later stages
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, err
		}
		if c.Hash != p.hash {
			return nil, invalid("cursor", "stale", "cursor belongs to another query")
		}
		if (c.Stage == stageAll) != (stage == stageAll) {
			return nil, invalid("cursor", "stale", "cursor belongs to another query")
		}
		if c.Stage == stageFuzzy || c.Stage == stageRelaxed {
			if len(c.Fuzzy) != len(p.words) {
				return nil, invalid("cursor", "syntax", "cursor holds %d edit distances for %d words", len(c.Fuzzy), len(p.words))
			}
			fuzzy = c.Fuzzy
		}
		stage, after = c.Stage, c.After
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	if ix.ss == nil {
		return nil, errors.New("search: index unavailable (a rebuild is repairing it)")
	}
	gen := ix.gen.Load()
	key := fmt.Sprintf("%s\x00%d\x00%t\x00%s", p.hash, p.limit, p.facets, q.Cursor)
	if r, ok := ix.cache.get(gen, key); ok {
		return r, nil
	}
	out, err := ix.search(ctx, p, q.Cursor != "", stage, after, fuzzy)
	if err != nil {
		return nil, err
	}
	ix.cache.put(gen, key, out)
	return out, nil
}

// search runs the stages of a query (only the given one for a later page).
func (ix *Index) search(ctx context.Context, p *plan, later bool, stage int, after []string, fuzzy []int) (*Result, error) {
	if fuzzy != nil {
		p = p.withFuzzy(fuzzy)
	}
	res, err := ix.run(ctx, p, stage, after)
	if err != nil {
		return nil, err
	}
	if later || stage != stageExact || res.Total >= handful {
		return ix.result(ctx, p, stage, res)
	}
	// Few exact matches. Words the index does not know are likely typos:
	// retry tolerating edit distances on them, still requiring every word.
	fp, err := ix.typoPlan(ctx, p)
	if err != nil {
		return nil, err
	}
	if fp.hasFuzzy() {
		fz, err := ix.run(ctx, fp, stageFuzzy, nil)
		if err != nil {
			return nil, err
		}
		if fz.Total > res.Total {
			p, stage, res = fp, stageFuzzy, fz
		}
	}
	// Still nothing: relax the query (see stageRelaxed).
	if res.Total == 0 && p.required() > 1 {
		rel, err := ix.run(ctx, fp, stageRelaxed, nil)
		if err != nil {
			return nil, err
		}
		p, stage, res = fp, stageRelaxed, rel
	}
	return ix.result(ctx, p, stage, res)
}

// stageResult is what one stage of a query found.
type stageResult struct {
	*bleve.SearchResult
	facets []termCount // combined facet field counts, when asked and not global
}

// run executes one stage of p, from the hit after "after" when set.
func (ix *Index) run(ctx context.Context, p *plan, stage int, after []string) (*stageResult, error) {
	req := bleve.NewSearchRequestOptions(ix.query(p, stage), p.limit+1, 0, false)
	if stage == stageAll {
		req.SortByCustom(bsearch.SortOrder{
			&bsearch.SortField{Field: p.sort, Type: bsearch.SortFieldAsString},
			&bsearch.SortDocID{},
		})
		req.Score = bleve.ScoreNone
	} else {
		req.SortByCustom(bsearch.SortOrder{&bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}})
	}
	if after != nil {
		req.SetSearchAfter(after)
	}
	var fc *facetCount
	if p.facets && !p.globalFacets(stage) {
		if ix.bleveFacets {
			req.AddFacet(fieldFacets, bleve.NewFacetRequest(fieldFacets, maxFacetTerms))
		} else {
			fc = ix.facetCols.newFacetCount()
			ctx = fc.context(ctx)
		}
	}
	res, err := ix.ss.search(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: run query (stage %d): %w", stage, err)
	}
	out := &stageResult{SearchResult: res}
	switch {
	case fc != nil:
		out.facets = fc.result()
	case p.facets && !p.globalFacets(stage):
		out.facets = facetResult(res.Facets[fieldFacets])
	}
	return out, nil
}

func (ix *Index) result(ctx context.Context, p *plan, stage int, res *stageResult) (*Result, error) {
	out := &Result{Total: res.Total, Hits: make([]Hit, 0, min(len(res.Hits), p.limit))}
	for i, h := range res.Hits {
		if i == p.limit {
			last := res.Hits[i-1]
			c := cursor{Version: cursorVersion, Stage: stage, Hash: p.hash}
			if stage == stageFuzzy || stage == stageRelaxed {
				c.Fuzzy = p.fuzzyCodes()
			}
			if stage == stageAll {
				c.After = []string{last.Sort[0], last.ID}
			} else {
				c.After = []string{formatScore(last.Score), last.ID}
			}
			out.Next = c.encode()
			break
		}
		out.Hits = append(out.Hits, Hit{IRI: h.ID, Score: h.Score})
	}
	if p.facets {
		if p.globalFacets(stage) {
			f, err := ix.globalFacets(ctx)
			if err != nil {
				return nil, err
			}
			out.Facets = f
		} else {
			out.Facets = splitFacets(res.facets)
		}
	}
	return out, nil
}

// splitFacets turns counts of the combined facet field into counts per
// field, keeping the FacetSize most frequent values of each (ties by value).
func splitFacets(terms []termCount) map[string]map[string]int {
	byField := make(map[string][]termCount, len(facetFields))
	for _, t := range terms {
		if field, value, ok := strings.Cut(t.term, facetSeparator); ok {
			byField[field] = append(byField[field], termCount{value, t.count})
		}
	}
	out := make(map[string]map[string]int, len(facetFields))
	for _, f := range facetFields {
		terms := byField[f]
		slices.SortFunc(terms, func(a, b termCount) int {
			if a.count != b.count {
				return b.count - a.count
			}
			return strings.Compare(a.term, b.term)
		})
		counts := make(map[string]int, min(len(terms), FacetSize))
		for _, t := range terms[:min(len(terms), FacetSize)] {
			counts[t.term] = t.count
		}
		out[f] = counts
	}
	return out
}

// facetResult collects the combined facet field's counts of a search.
func facetResult(fr *bsearch.FacetResult) []termCount {
	if fr == nil || fr.Terms == nil {
		return nil
	}
	var out []termCount
	for _, t := range fr.Terms.Terms() {
		out = append(out, termCount{t.Term, t.Count})
	}
	return out
}

// query builds the bleve query of a stage.
func (ix *Index) query(p *plan, stage int) query.Query {
	filter := filterQuery(p.filters)
	if stage == stageAll {
		if filter == nil {
			return bleve.NewMatchAllQuery()
		}
		return filter // sorted by name: scoring is off, the filter can drive
	}
	dropUnknown := false
	if stage == stageRelaxed {
		var known, unknown int
		for _, w := range p.words {
			switch {
			case w.optional:
			case w.unknown:
				unknown++
			default:
				known++
			}
		}
		dropUnknown = known > 0 && unknown > 0
	}
	var must, should []query.Query
	for _, w := range p.words {
		switch {
		case dropUnknown && w.unknown && !w.optional:
		case w.optional || stage == stageRelaxed && !dropUnknown:
			should = append(should, ix.wordQuery(p, w, stage))
		default:
			must = append(must, ix.wordQuery(p, w, stage))
		}
	}
	// The filter joins the required clauses rather than filtering their
	// matches afterwards: the conjunction then skips ahead over documents
	// the filter excludes. Its negligible boost keeps it out of the ranking.
	if filter != nil {
		must = append(must, filter)
	}
	bq := bleve.NewBooleanQuery()
	if len(must) > 0 {
		bq.AddMust(must...)
	}
	if len(should) > 0 {
		bq.AddShould(should...)
		if len(must) == 0 || (filter != nil && len(must) == 1) {
			bq.SetMinShould(1)
		}
	}
	return bq
}

// wordQuery matches one word in any text field, weighting names over tags
// over descriptions and the query's language over the others.
func (ix *Index) wordQuery(p *plan, w word, stage int) query.Query {
	var qs []query.Query
	for _, tk := range textKinds {
		for _, lang := range fieldLangs {
			boost := tk.boost
			if p.lang == lang {
				boost *= 2
			}
			mq := bleve.NewMatchQuery(w.text)
			mq.SetField(textField(tk.kind, lang))
			mq.SetBoost(boost)
			if stage != stageExact {
				mq.SetFuzziness(w.fuzzy)
			}
			qs = append(qs, mq)
		}
	}
	if w.prefix != "" {
		for _, f := range []struct {
			field string
			boost float64
		}{{fieldNameAll, 2}, {fieldTagsAll, 1}} {
			pq := bleve.NewPrefixQuery(w.prefix)
			pq.SetField(f.field)
			pq.SetBoost(f.boost)
			qs = append(qs, pq)
		}
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// filterBoost weighs filter clauses: enough to be a valid boost, too
// little to move a relevance score.
const filterBoost = 1e-9

// filterQuery is the conjunction over fields of the disjunction of values.
func filterQuery(filters []filterClause) query.Query {
	if len(filters) == 0 {
		return nil
	}
	var conj []query.Query
	for _, fc := range filters {
		var disj []query.Query
		for _, v := range fc.values {
			tq := bleve.NewTermQuery(v)
			tq.SetField(fc.field)
			tq.SetBoost(filterBoost)
			disj = append(disj, tq)
		}
		if len(disj) == 1 {
			conj = append(conj, disj[0])
		} else {
			conj = append(conj, bleve.NewDisjunctionQuery(disj...))
		}
	}
	if len(conj) == 1 {
		return conj[0]
	}
	return bleve.NewConjunctionQuery(conj...)
}
