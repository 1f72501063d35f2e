package corpus

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// country is a member state whose nodes publish into the aggregator.
type country struct {
	code   string
	weight int      // share of the corpus's origins
	langs  []string // its languages, the commonest first
	pilot  bool     // an INTERLINK pilot country (its interlinkers are in the four pilot languages)
}

// countries are the member states of the corpus. The weights follow the
// pilots first (Italy, Spain, Latvia ran INTERLINK's pilots), then
// population: an aggregator follows many municipalities of the large states.
var countries = []country{
	{"IT", 18, []string{"it"}, true},
	{"ES", 16, []string{"es"}, true},
	{"DE", 14, []string{"de"}, false},
	{"FR", 13, []string{"fr"}, false},
	{"PL", 8, []string{"pl"}, false},
	{"NL", 6, []string{"nl"}, false},
	{"LV", 6, []string{"lv"}, true},
	{"PT", 5, []string{"pt"}, false},
	{"BE", 5, []string{"nl", "fr", "de"}, false},
	{"AT", 4, []string{"de"}, false},
	{"IE", 2, []string{"en"}, false},
	{"LU", 1, []string{"fr", "de"}, false},
	{"MT", 1, []string{"en"}, false},
	{"DK", 1, []string{"en"}, false}, // publishes in English only here (no Danish vocabulary)
}

// Facet values and their weights, from the INTERLINK catalogue's 78
// interlinkers (knowledge 46, externalsoftware 15, externalknowledge 12,
// software 5; public_domain 45, permissive 17, propietary 14, copyleft 2).
var (
	natures        = []string{"knowledge", "externalsoftware", "externalknowledge", "software"}
	natureWeights  = []int{46, 15, 12, 5}
	licences       = []string{"public_domain", "permissive", "propietary", "copyleft", "non_commercial"}
	licenceWeights = []int{45, 17, 14, 2, 2}
	// Administrative scopes: how many an interlinker lists (none 6, one
	// 44, two 9, three 19 of 78) and which (eu 63, national 28, local 28
	// mentions; regional none there, a few here).
	scopeCounts       = []int{0, 1, 2, 3}
	scopeCountWeights = []int{6, 44, 9, 19}
	scopes            = []string{"eu", "national", "local", "regional"}
	scopeWeights      = []int{63, 28, 28, 4}
	// Problem profiles an interlinker addresses: one for half of them,
	// a long tail up to 25 (0: 3, 1: 39, 2: 9, 3: 7, 4: 3, 5: 6, 11: 4,
	// 23: 3, 25: 4 of 78).
	profileCounts       = []int{0, 1, 2, 3, 4, 5, 11, 23, 25}
	profileCountWeights = []int{3, 39, 9, 7, 3, 6, 4, 3, 4}
	// The catalogue's 45 problem profiles fall in seven groups.
	profileGroups = []struct {
		prefix string
		n      int
	}{{"ORG", 16}, {"BUILD", 9}, {"UND", 6}, {"DEF", 6}, {"VAL", 5}, {"HACKATHON", 2}, {"SUS", 1}}
	difficulties = []string{"very_easy", "easy", "medium", "difficult", "very_difficult"}
	// Versions per object: most objects are never edited, a few often.
	versionCounts       = []int{1, 2, 3, 4, 5, 6, 8}
	versionCountWeights = []int{65, 20, 8, 3, 2, 1, 1}
	// Kinds: an aggregator's catalogue is mostly the member states'
	// public services (CPSV-AP), and the interlinkers that build them.
	serviceShare = 55 // percent
	// CPSV-AP channel types (the EU "com-channel" concept scheme's ids).
	channelTypes = []string{"b37115f83e", "6ad1a16bbf", "f5b1d1b1d8", "0cb5bd4d3c", "1d7c55b0b1"}
	// Thematic areas (cv:thematicArea), the EU's public service topics.
	thematicAreas = []string{"health", "education", "employment", "housing", "transport", "environment",
		"tax", "family", "business", "culture", "justice", "social-security", "citizenship", "agriculture"}
)

// ProblemProfiles are the corpus's problem-profile keys, the most
// addressed first.
func ProblemProfiles() []string {
	var out []string
	// Interleave the groups so that the most addressed ones mix them, as
	// in the catalogue (its top profiles are ORG, BUILD, UND and DEF).
	for k := 1; len(out) < 45; k++ {
		for _, g := range profileGroups {
			if k <= g.n {
				out = append(out, fmt.Sprintf("%s_PROBLEM_%d", g.prefix, k))
			}
		}
	}
	return out
}

// Natures, Licences, Scopes are the interlinkers' facet values, the
// commonest first.
func Natures() []string  { return natures }
func Licences() []string { return licences }
func Scopes() []string   { return scopes }

// Countries are the member states of the corpus's origins, the most
// frequent first.
func Countries() []string {
	out := make([]string, len(countries))
	for i, c := range countries {
		out[i] = c.code
	}
	return out
}

// weighted draws one of xs by weight.
func weighted[T any](r *rand.Rand, xs []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return xs[i]
		}
		x -= w
	}
	return xs[len(xs)-1]
}

// zipfTable draws ranks with probability proportional to 1/(rank+q)^s: the
// rank-frequency law of words in text.
type zipfTable struct{ cum []float64 }

func newZipfTable(n int, s, q float64) zipfTable {
	cum := make([]float64, n)
	total := 0.0
	for i := range n {
		total += 1 / math.Pow(float64(i)+q, s)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return zipfTable{cum}
}

func (z zipfTable) draw(r *rand.Rand) int {
	return min(sort.SearchFloat64s(z.cum, r.Float64()), len(z.cum)-1)
}

// lexicon is one language's words and how to draw them.
type lexicon struct {
	words    []string
	zipf     zipfTable
	function []string
}

// lexicons are built once from the word tables.
var lexicons = func() map[string]*lexicon {
	out := map[string]*lexicon{}
	add := func(lang, words string) {
		ws := strings.Fields(words)
		out[lang] = &lexicon{words: ws, zipf: newZipfTable(len(ws), 1.0, 2.7), function: strings.Fields(functionWords[lang])}
	}
	for l, w := range pilotWords {
		add(l, w)
	}
	for l, w := range euWords {
		add(l, w)
	}
	return out
}()
