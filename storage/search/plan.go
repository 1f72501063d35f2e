package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	index "github.com/blevesearch/bleve_index_api"
)

// word is one word of the query text.
type word struct {
	text     string // lower-cased
	optional bool   // a stop word: scores but is not required
	prefix   string // folded prefix to match on names and tags; "" for none
	fuzzy    int    // edit distance in the fuzzy stages
	unknown  bool   // no text field holds the word (set by typoPlan)
}

// plan is a validated, normalised Query.
type plan struct {
	words   []word
	lang    string // field language suffix weighted most; "" for none
	sort    string // sort field for stageAll
	filters []filterClause
	limit   int
	facets  bool
	hash    string
}

type filterClause struct {
	field  string
	values []string
}

// withFuzzy returns a copy of p with the given per-word edit distances,
// -1 marking a word the index knows (matched exactly).
func (p *plan) withFuzzy(fuzzy []int) *plan {
	cp := *p
	cp.words = slices.Clone(p.words)
	for i := range cp.words {
		cp.words[i].fuzzy = max(fuzzy[i], 0)
		cp.words[i].unknown = fuzzy[i] >= 0
	}
	return &cp
}

// fuzzyCodes is the inverse of withFuzzy, for the cursor.
func (p *plan) fuzzyCodes() []int {
	out := make([]int, len(p.words))
	for i, w := range p.words {
		out[i] = -1
		if w.unknown {
			out[i] = w.fuzzy
		}
	}
	return out
}

// typoPlan keeps the edit distance only of the words that no text field
// holds exactly: a known word is taken as spelt as meant, and fuzzy
// expansion of common words is what makes typo tolerance slow.
func (ix *Index) typoPlan(ctx context.Context, p *plan) (*plan, error) {
	rs, closeReaders, err := ix.ss.readers()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer closeReaders()
	fuzzy := make([]int, len(p.words))
	for i, w := range p.words {
		known, err := ix.known(ctx, rs, w.text)
		if err != nil {
			return nil, err
		}
		fuzzy[i] = -1
		if !known {
			fuzzy[i] = w.fuzzy
		}
	}
	return p.withFuzzy(fuzzy), nil
}

// known reports whether some text field of some shard holds the word (as
// analyzed for it).
func (ix *Index) known(ctx context.Context, rs []index.IndexReader, word string) (bool, error) {
	for _, r := range rs {
		ok, err := ix.knownIn(ctx, r, word)
		if ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// knownIn reports whether some text field of one shard holds the word.
func (ix *Index) knownIn(ctx context.Context, r index.IndexReader, word string) (bool, error) {
	for _, lang := range fieldLangs {
		for _, tok := range ix.analyzers[lang].Analyze([]byte(word)) {
			for _, tk := range textKinds {
				tfr, err := r.TermFieldReader(ctx, tok.Term, textField(tk.kind, lang), false, false, false)
				if err != nil {
					return false, fmt.Errorf("search: look up %q: %w", tok.Term, err)
				}
				n := tfr.Count()
				if err := tfr.Close(); err != nil {
					return false, fmt.Errorf("search: look up %q: %w", tok.Term, err)
				}
				if n > 0 {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// globalFacets reports whether the facets of a stage are those of the
// whole index (an unfiltered listing), which globalFacets counts cheaply.
func (p *plan) globalFacets(stage int) bool {
	return stage == stageAll && len(p.filters) == 0
}

// hasFuzzy reports whether some word is long enough for typo tolerance.
func (p *plan) hasFuzzy() bool {
	return slices.ContainsFunc(p.words, func(w word) bool { return w.fuzzy > 0 })
}

// required counts the words every exact match must contain.
func (p *plan) required() int {
	n := 0
	for _, w := range p.words {
		if !w.optional {
			n++
		}
	}
	return n
}

// plan validates and normalises q.
func (ix *Index) plan(q Query) (*plan, error) {
	p := &plan{limit: q.Limit, facets: q.Facets, sort: sortField("en")}
	switch {
	case q.Limit < 0:
		return nil, invalid("limit", "range", "negative limit %d", q.Limit)
	case q.Limit == 0:
		p.limit = DefaultLimit
	case q.Limit > MaxLimit:
		p.limit = MaxLimit
	}
	if len(q.Text) > maxTextBytes {
		return nil, invalid("q", "range", "text is %d bytes long, the maximum is %d", len(q.Text), maxTextBytes)
	}
	if !utf8.ValidString(q.Text) {
		return nil, invalid("q", "utf8", "text is not valid UTF-8")
	}
	if q.Lang != "" {
		if len(q.Lang) > maxLangBytes || strings.IndexFunc(q.Lang, func(r rune) bool {
			return !(r == '-' || r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)))
		}) >= 0 {
			return nil, invalid("lang", "bcp47", "lang %q is not a language tag", q.Lang)
		}
		p.lang = fieldLang(q.Lang)
		if pl := primaryLang(q.Lang); slices.Contains(sortLangs, pl) {
			p.sort = sortField(pl)
		}
	}

	for _, field := range slices.Sorted(maps.Keys(q.Filters)) {
		if !slices.Contains(filterFields, field) {
			return nil, invalid(field, "unknown_parameter", "unknown filter %q (filters: %s)", field, strings.Join(filterFields, ", "))
		}
		vals := q.Filters[field]
		if len(vals) > maxFilterValues {
			return nil, invalid(field, "range", "filter %q has %d values, the maximum is %d", field, len(vals), maxFilterValues)
		}
		fc := filterClause{field: field}
		for _, v := range vals {
			if !utf8.ValidString(v) {
				return nil, invalid(field, "utf8", "filter %q: value is not valid UTF-8", field)
			}
			if v = normFilter(field, v); v != "" && !slices.Contains(fc.values, v) {
				fc.values = append(fc.values, v)
			}
		}
		slices.Sort(fc.values)
		if len(fc.values) > 0 {
			p.filters = append(p.filters, fc)
		}
	}

	p.words = ix.words(q.Text, p.lang)
	p.hash = planHash(p)
	return p, nil
}

// words splits text into at most maxWords distinct words and classifies
// them. The last word is also matched as a prefix of names and tags when
// the text ends with it (the user may still be typing it).
func (ix *Index) words(text, lang string) []word {
	var out []word
	var last string
	lastEnd := -1
	for _, tok := range unicodetok.NewUnicodeTokenizer().Tokenize([]byte(text)) {
		t := strings.ToLower(string(tok.Term))
		if !slices.ContainsFunc(out, func(w word) bool { return w.text == t }) {
			if len(out) == maxWords {
				break
			}
			out = append(out, word{text: t, optional: ix.isStopWord(t, lang), fuzzy: fuzziness(t)})
		}
		last, lastEnd = t, tok.End
	}
	if lastEnd != len(text) || utf8.RuneCountInString(last) < minPrefixRunes {
		return out
	}
	toks := ix.analyzers[langOther].Analyze([]byte(last))
	if len(toks) != 1 {
		return out
	}
	for i := range out {
		if out[i].text == last {
			out[i].prefix = string(toks[0].Term)
		}
	}
	return out
}

// isStopWord reports whether an analyzer of the query's language drops the
// word (any of them when the language has no analyzer of its own).
func (ix *Index) isStopWord(w, lang string) bool {
	langs := textLangs
	if slices.Contains(textLangs, lang) {
		langs = []string{lang}
	}
	for _, l := range langs {
		if len(ix.analyzers[l].Analyze([]byte(w))) == 0 {
			return true
		}
	}
	return false
}

// fuzziness is the edit distance tolerated for a word in the fuzzy stages.
func fuzziness(w string) int {
	n := utf8.RuneCountInString(w)
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// planHash identifies the query a cursor belongs to (text, language, filters).
func planHash(p *plan) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", p.lang, p.sort)
	for _, w := range p.words {
		fmt.Fprintf(h, "w%q%t%q\x00", w.text, w.optional, w.prefix)
	}
	for _, f := range p.filters {
		fmt.Fprintf(h, "f%q%q\x00", f.field, f.values)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
