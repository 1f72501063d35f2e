package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestLanguageMatching(t *testing.T) {
	ix, _ := newCorpusIndex(t)
	tests := []struct {
		name  string
		q     Query
		first string   // expected first hit ("" to skip)
		want  []string // must all be found
		not   []string // must not be found
	}{
		{"en word in names", Query{Text: "canvas", Lang: "en"}, "",
			[]string{"business_model_canvas", "gamification_canvas", "workshop_guide"}, []string{"survey_editor"}},
		{"en stemming: services finds service", Query{Text: "services", Lang: "en"}, "digital_service_guide",
			[]string{"digital_service_guide"}, []string{"survey_editor"}},
		{"it stemming: servizi finds servizio", Query{Text: "servizi", Lang: "it"}, "digital_service_guide",
			[]string{"digital_service_guide"}, nil},
		{"es stemming: servicios finds servicio", Query{Text: "servicios", Lang: "es"}, "",
			[]string{"citizen_participation", "digital_service_guide"}, []string{"survey_editor"}},
		{"es stemming: servicio finds servicios", Query{Text: "servicio", Lang: "es"}, "",
			[]string{"digital_service_guide", "citizen_participation"}, nil},
		{"lv word, standard analysis", Query{Text: "biznesa"}, "business_model_canvas",
			[]string{"business_model_canvas"}, []string{"gamification_canvas"}},
		{"lv word with lang lv", Query{Text: "Biznesa", Lang: "lv"}, "business_model_canvas",
			[]string{"business_model_canvas"}, nil},
		{"lv without diacritics", Query{Text: "modela planosanas", Lang: "lv"}, "business_model_canvas",
			[]string{"business_model_canvas"}, nil},
		{"lv with diacritics", Query{Text: "rokasgrāmata"}, "service_design_handbook",
			[]string{"service_design_handbook"}, nil},
		{"italian name finds the canvas", Query{Text: "Business Model Canvas", Lang: "it"}, "business_model_canvas",
			[]string{"business_model_canvas"}, nil},
		{"other languages still match", Query{Text: "encuestas", Lang: "en"}, "survey_editor",
			[]string{"survey_editor"}, nil},
		{"typo tolerance", Query{Text: "canvs", Lang: "en"}, "",
			[]string{"business_model_canvas", "gamification_canvas"}, nil},
		{"typo in a long word", Query{Text: "questionaires"}, "survey_editor", []string{"survey_editor"}, nil},
		{"prefix of the last word", Query{Text: "surv"}, "survey_editor", []string{"survey_editor"}, nil},
		{"prefix after a full word", Query{Text: "business mod"}, "business_model_canvas",
			[]string{"business_model_canvas"}, nil},
		{"stop words are optional", Query{Text: "the canvas of the business", Lang: "en"}, "business_model_canvas",
			[]string{"business_model_canvas"}, nil},
		{"every significant word is required", Query{Text: "gamification canvas", Lang: "en"}, "gamification_canvas",
			[]string{"gamification_canvas"}, []string{"business_model_canvas", "workshop_guide"}},
		{"an unknown word is dropped when nothing matches", Query{Text: "gamification hackathon", Lang: "en"},
			"gamification_canvas", []string{"gamification_canvas"}, []string{"survey_editor"}},
		{"known words that never meet: any may match", Query{Text: "survey canvas", Lang: "en"}, "",
			[]string{"survey_editor", "business_model_canvas", "gamification_canvas"}, []string{"citizen_participation"}},
		{"html stripped from descriptions", Query{Text: "questionnaires"}, "survey_editor", []string{"survey_editor"}, nil},
		{"html tags are not words", Query{Text: "amp"}, "", nil, []string{"survey_editor"}},
		{"tags", Query{Text: "votación"}, "citizen_participation", []string{"citizen_participation"}, nil},
		{"public service title", Query{Text: "bilancio", Lang: "it"}, "", []string{"svc1"}, nil},
		{"language region subtag", Query{Text: "servizi", Lang: "it-IT"}, "digital_service_guide",
			[]string{"digital_service_guide"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(t, ix, tc.q)
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("%q (lang %q) = %v, missing %s", tc.q.Text, tc.q.Lang, got, w)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("%q (lang %q) = %v, should not contain %s", tc.q.Text, tc.q.Lang, got, n)
				}
			}
			if tc.first != "" && (len(got) == 0 || got[0] != tc.first) {
				t.Errorf("%q (lang %q) = %v, want %s first", tc.q.Text, tc.q.Lang, got, tc.first)
			}
		})
	}
}

func TestRanking(t *testing.T) {
	ix, _ := newCorpusIndex(t)
	// Names weigh over descriptions: both canvases before the workshop guide,
	// which mentions a canvas only in its description.
	got := ids(t, ix, Query{Text: "canvas", Lang: "en"})
	if len(got) < 3 || got[2] != "workshop_guide" {
		t.Errorf("canvas ranking = %v, want the two canvases before workshop_guide", got)
	}
	// The query's language weighs most: with lang=it the Italian description
	// of the guide ("servizio") ...; an English query for "digital" must
	// rank the guide whose English name has it first.
	got = ids(t, ix, Query{Text: "digital", Lang: "en"})
	if len(got) == 0 || got[0] != "digital_service_guide" {
		t.Errorf("digital = %v", got)
	}
	// Scores descend.
	res, err := ix.Search(context.Background(), Query{Text: "canvas business model"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Score > res.Hits[i-1].Score {
			t.Errorf("hits not in descending score order: %+v", res.Hits)
		}
	}
}

func TestFiltersAndFacets(t *testing.T) {
	ix, _ := newCorpusIndex(t)
	type facetCheck map[string]map[string]int
	tests := []struct {
		name   string
		q      Query
		want   []string
		facets facetCheck // exact counts of the listed fields
	}{
		{"match all, facets over everything", Query{Facets: true, Limit: 100},
			[]string{"business_model_canvas", "citizen_participation", "digital_service_guide", "gamification_canvas",
				"service_design_handbook", "survey_editor", "svc1", "workshop_guide"},
			facetCheck{
				"type":     {"Interlinker": 7, "PublicService": 1},
				"nature":   {"knowledge": 4, "externalknowledge": 1, "externalsoftware": 1, "software": 1},
				"licence":  {"public_domain": 2, "permissive": 2, "copyleft": 2, "proprietary": 1},
				"scope":    {"eu": 3, "local": 4, "national": 2, "regional": 1},
				"country":  {"IT": 1},
				"origin":   {"node.example.org": 7, "comune.re.example:8443": 1},
				"language": {"en": 6, "es": 4, "it": 4, "lv": 3},
				"problem_profile": {"SUS_PROBLEM_1": 2, "ENG_PROBLEM_2": 3, "BUILD_PROBLEM_4": 2,
					"ORG_PROBLEM_3": 1},
			}},
		{"one filter", Query{Filters: map[string][]string{"nature": {"knowledge"}}, Facets: true},
			[]string{"business_model_canvas", "gamification_canvas", "service_design_handbook", "workshop_guide"},
			facetCheck{"licence": {"public_domain": 2, "permissive": 1, "proprietary": 1}}},
		{"values of one field are alternatives", Query{Filters: map[string][]string{"nature": {"software", "externalsoftware"}}},
			[]string{"citizen_participation", "survey_editor"}, nil},
		{"fields are all required", Query{Filters: map[string][]string{"scope": {"local"}, "licence": {"permissive"}}},
			[]string{"gamification_canvas", "survey_editor"}, nil},
		{"text and two filters", Query{Text: "canvas", Filters: map[string][]string{
			"problem_profile": {"SUS_PROBLEM_1"}, "scope": {"local"}}, Facets: true},
			[]string{"gamification_canvas"}, facetCheck{"nature": {"knowledge": 1}, "scope": {"eu": 1, "local": 1}}},
		{"misspelt licence found by its canonical name", Query{Filters: map[string][]string{"licence": {"proprietary"}}},
			[]string{"service_design_handbook"}, nil},
		{"country", Query{Filters: map[string][]string{"country": {"it"}}}, []string{"svc1"}, nil},
		{"origin by host", Query{Filters: map[string][]string{"origin": {"comune.re.example:8443"}}}, []string{"svc1"}, nil},
		{"origin by URL", Query{Filters: map[string][]string{"origin": {"https://Comune.RE.example:8443/"}}}, []string{"svc1"}, nil},
		{"type", Query{Filters: map[string][]string{"type": {"PublicService"}}}, []string{"svc1"}, nil},
		{"language is case-insensitive", Query{Filters: map[string][]string{"language": {"LV"}}},
			[]string{"business_model_canvas", "service_design_handbook", "survey_editor"}, nil},
		{"filter values are exact", Query{Filters: map[string][]string{"nature": {"Knowledge"}}}, nil, nil},
		{"empty value list is no constraint", Query{Filters: map[string][]string{"nature": {}}, Limit: 100},
			[]string{"business_model_canvas", "citizen_participation", "digital_service_guide", "gamification_canvas",
				"service_design_handbook", "survey_editor", "svc1", "workshop_guide"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.IRI[strings.LastIndex(h.IRI, "/")+1:])
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("hits = %v, want %v", got, tc.want)
			}
			if res.Total != uint64(len(tc.want)) {
				t.Errorf("Total = %d, want %d", res.Total, len(tc.want))
			}
			if !tc.q.Facets {
				if res.Facets != nil {
					t.Errorf("facets returned without being asked: %v", res.Facets)
				}
				return
			}
			if len(res.Facets) != len(facetFields) {
				t.Errorf("facets for %d fields, want %d: %v", len(res.Facets), len(facetFields), res.Facets)
			}
			for field, want := range tc.facets {
				if !maps.Equal(res.Facets[field], want) {
					t.Errorf("facet %s = %v, want %v", field, res.Facets[field], want)
				}
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	ix, _ := newCorpusIndex(t)
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"unknown filter", Query{Filters: map[string][]string{"colour": {"red"}}}, `unknown filter "colour"`},
		{"negative limit", Query{Limit: -1}, "negative limit"},
		{"bad lang", Query{Text: "x", Lang: "en; drop"}, "not a language tag"},
		{"text too long", Query{Text: strings.Repeat("a", maxTextBytes+1)}, "maximum"},
		{"invalid utf-8", Query{Text: "caf\xe9"}, "UTF-8"},
		{"too many filter values", Query{Filters: map[string][]string{"scope": slices.Repeat([]string{"x"}, maxFilterValues+1)}}, "maximum"},
		{"garbage cursor", Query{Cursor: "!!!"}, "base64url"},
		{"cursor of another query", Query{Text: "canvas", Cursor: cursor{Version: 1, Stage: stageExact, Hash: "00", After: []string{"1", "x"}}.encode()}, "another query"},
		{"cursor with a bad score", Query{Text: "canvas", Cursor: cursor{Version: 1, Stage: stageExact, Hash: "00", After: []string{"NaN", "x"}}.encode()}, "finite"},
		{"cursor of another version", Query{Cursor: cursor{Version: 9, After: []string{"a", "b"}}.encode()}, "version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ix.Search(context.Background(), tc.q)
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("err = %v, want ErrInvalidQuery", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	src := newFakeSource("e1")
	var objs []il
	for i := range 47 {
		x := il{key: fmt.Sprintf("tool_%02d", i), name: map[string]string{"en": fmt.Sprintf("Tool number %02d", 46-i)},
			desc: map[string]string{"en": strings.Repeat("collaboration ", 1+i%5) + "toolkit"}}
		if i%3 == 0 {
			x.scopes = []string{"local"}
		}
		objs = append(objs, x)
	}
	for _, x := range objs {
		src.put(x.object(t, testOrigin))
	}
	ix := openIndex(t, t.TempDir(), nil)
	defer ix.Close()
	runIndex(t, ix, src)

	tests := []struct {
		name  string
		q     Query
		total int
	}{
		{"match all by name", Query{Limit: 10}, 47},
		{"match all default limit", Query{}, 47},
		{"text", Query{Text: "collaboration", Limit: 20}, 47},
		{"text with filter", Query{Text: "toolkit", Filters: map[string][]string{"scope": {"local"}}, Limit: 4}, 16},
		{"limit above max", Query{Text: "toolkit", Limit: 1000}, 47},
		{"typo: pages of the fuzzy stage", Query{Text: "colaboration toolkit", Limit: 10}, 47},
		{"relaxed stage pages", Query{Text: "toolkit hackathonz", Limit: 9}, 47},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := allIDs(t, ix, tc.q)
			if len(got) != tc.total {
				t.Fatalf("%d hits over all pages, want %d", len(got), tc.total)
			}
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Fatalf("%s returned twice", id)
				}
				seen[id] = true
			}
			res, err := ix.Search(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			limit := min(max(tc.q.Limit, 0), MaxLimit)
			if limit == 0 {
				limit = DefaultLimit
			}
			if len(res.Hits) != min(limit, tc.total) || res.Total != uint64(tc.total) {
				t.Errorf("first page has %d hits (total %d), want %d (total %d)", len(res.Hits), res.Total, min(limit, tc.total), tc.total)
			}
		})
	}
	// Match-all lists by name in the query language.
	got := ids(t, ix, Query{Limit: 3})
	if want := []string{"tool_46", "tool_45", "tool_44"}; !slices.Equal(got, want) {
		t.Errorf("match all = %v, want %v (sorted by name)", got, want)
	}
	// A cursor of one query does not serve another.
	res, err := ix.Search(context.Background(), Query{Text: "toolkit", Limit: 5})
	if err != nil || res.Next == "" {
		t.Fatalf("first page: %v, next %q", err, res.Next)
	}
	for _, q := range []Query{
		{Text: "collaboration", Cursor: res.Next},
		{Text: "toolkit", Lang: "it", Cursor: res.Next},
		{Text: "toolkit", Filters: map[string][]string{"scope": {"local"}}, Cursor: res.Next},
		{Cursor: res.Next},
	} {
		if _, err := ix.Search(context.Background(), q); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("cursor reused for %+v: err = %v, want ErrInvalidQuery", q, err)
		}
	}
	// Another page size with the same cursor is fine.
	if _, err := ix.Search(context.Background(), Query{Text: "toolkit", Limit: 7, Cursor: res.Next}); err != nil {
		t.Errorf("same query, other limit: %v", err)
	}
}

func TestSortKeyByLanguage(t *testing.T) {
	src := newFakeSource("e1")
	src.put(
		il{key: "a", name: map[string]string{"en": "Alpha", "it": "Zeta"}}.object(t, testOrigin),
		il{key: "b", name: map[string]string{"en": "Beta", "it": "Ápice"}}.object(t, testOrigin),
		il{key: "c", name: map[string]string{"lv": "Čuska"}}.object(t, testOrigin),
	)
	ix := openIndex(t, t.TempDir(), nil)
	defer ix.Close()
	runIndex(t, ix, src)
	for lang, want := range map[string][]string{
		"":   {"a", "b", "c"},
		"en": {"a", "b", "c"},
		"it": {"b", "c", "a"}, // Ápice folds to apice; c has no Italian name: its Latvian one (cuska)
		"fr": {"a", "b", "c"},
	} {
		if got := ids(t, ix, Query{Lang: lang}); !slices.Equal(got, want) {
			t.Errorf("lang %q: %v, want %v", lang, got, want)
		}
	}
}
