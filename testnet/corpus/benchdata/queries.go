package benchdata

import (
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/storage/search"
	"github.com/interlink-project/interlink-node/testnet/corpus"
)

// Queries are the search benchmarks' query mix over c: 1-3 words of one
// language (the commoner words more often, as people type them; a tenth
// with a typo), half of them in that language, each with two filters
// picked from the corpus's facet values, facets on.
func Queries(c *corpus.Synthetic, n int) []search.Query {
	r := rand.New(rand.NewPCG(7, 16))
	profiles, origins := corpus.ProblemProfiles(), c.Origins()
	filterSets := []func() map[string][]string{
		func() map[string][]string {
			return map[string][]string{"nature": {corpus.Pick(r, corpus.Natures())}, "scope": {corpus.Pick(r, corpus.Scopes())}}
		},
		func() map[string][]string {
			return map[string][]string{"licence": {corpus.Pick(r, corpus.Licences())}, "language": {corpus.Pick(r, corpus.AllLanguages)}}
		},
		func() map[string][]string {
			return map[string][]string{"type": {"PublicService"}, "country": {corpus.Pick(r, corpus.Countries())}}
		},
		func() map[string][]string {
			return map[string][]string{"problem_profile": {corpus.Pick(r, profiles)}, "origin": {corpus.Pick(r, origins).Host}}
		},
	}
	out := make([]search.Query, n)
	for i := range out {
		lang := corpus.Pick(r, corpus.AllLanguages)
		q := search.Query{Text: strings.Join(typed(r, lang), " "), Filters: filterSets[r.IntN(len(filterSets))](), Facets: true}
		if r.IntN(2) == 0 {
			q.Lang = lang
		}
		out[i] = q
	}
	return out
}

// PageQueries are the search page benchmarks' requests over c: 1-3 words
// of one language, the page in that language, a third of them with a
// filter picked from the facets (as a click on one adds).
func PageQueries(c *corpus.Synthetic, n int) []string {
	r := rand.New(rand.NewPCG(7, 9))
	profiles := corpus.ProblemProfiles()
	filters := []func() string{
		func() string { return "nature=" + corpus.Pick(r, corpus.Natures()) },
		func() string { return "type=PublicService&country=" + corpus.Pick(r, corpus.Countries()) },
		func() string { return "problem_profile=" + corpus.Pick(r, profiles) },
		func() string { return "licence=" + corpus.Pick(r, corpus.Licences()) },
	}
	out := make([]string, n)
	for i := range out {
		lang := corpus.Pick(r, corpus.AllLanguages)
		q := "/search?q=" + url.QueryEscape(strings.Join(typed(r, lang), " ")) + "&lang=" + lang
		if r.IntN(3) == 0 {
			q += "&" + filters[r.IntN(len(filters))]()
		}
		out[i] = q
	}
	return out
}

// typed is what someone types: 1-3 words of lang, the common ones more
// often, a tenth of the time with a letter missing from the longest.
func typed(r *rand.Rand, lang string) []string {
	vocab := corpus.Vocabulary(lang)
	ws := make([]string, 1+r.IntN(3))
	for k := range ws {
		ws[k] = corpus.Pick(r, vocab)
	}
	if r.IntN(10) == 0 {
		i := 0
		for j, w := range ws {
			if len(w) > len(ws[i]) {
				i = j
			}
		}
		if rs := []rune(ws[i]); len(rs) > 4 {
			k := 1 + r.IntN(len(rs)-2)
			ws[i] = string(slices.Delete(rs, k, k+1))
		}
	}
	return ws
}
