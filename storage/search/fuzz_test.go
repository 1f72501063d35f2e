package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/protocol"
)

// FuzzDecodeCursor: a client-supplied cursor never panics, fails only with
// ErrInvalidQuery, and a cursor that decodes re-encodes to one that decodes
// to the same value.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(cursor{Version: 1, Stage: stageExact, Hash: "abc", After: []string{"1.25", "https://n.example/objects/x"}}.encode())
	f.Add(cursor{Version: 1, Stage: stageAll, Hash: "abc", After: []string{"business model canvas", "x"}}.encode())
	f.Add(cursor{Version: 1, Stage: stageRelaxed, Hash: "", After: []string{"1e-300", "y"}, Fuzzy: []int{-1, 2}}.encode())
	f.Add("")
	f.Add("eyJ2IjoxfQ")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("error %v does not wrap ErrInvalidQuery", err)
			}
			return
		}
		c2, err := decodeCursor(c.encode())
		if err != nil {
			t.Fatalf("re-encoded cursor rejected: %v", err)
		}
		if c2.Version != c.Version || c2.Stage != c.Stage || c2.Hash != c.Hash || strings.Join(c2.After, "\x00") != strings.Join(c.After, "\x00") ||
			!slices.Equal(c2.Fuzzy, c.Fuzzy) {
			t.Fatalf("round trip changed the cursor: %+v → %+v", c, c2)
		}
	})
}

// FuzzSearch: any query text, language and filter value either searches
// or is rejected with ErrInvalidQuery; pages never repeat a hit.
func FuzzSearch(f *testing.F) {
	src := newFakeSource("fuzz")
	src.put(corpusObjects(f)...)
	ix := openIndex(f, f.TempDir(), nil)
	f.Cleanup(func() { ix.Close() })
	stop := runIndex(f, ix, src)
	stop()

	for _, seed := range []struct{ text, lang, filter string }{
		{"canvas", "en", "knowledge"},
		{"Business Model Canvas", "it", ""},
		{"biznesa modeļa", "lv", "eu"},
		{"servicios digitales", "es-ES", "local"},
		{"canvs", "", ""},
		{"the of and", "en", ""},
		{"<p>&amp;", "x-klingon", "ENG_PROBLEM_2"},
		{"surv", "", "software"},
		{"a b c d e f g h i j k l m", "", ""},
		{"\u200b\uffff", "", "\x00"},
	} {
		f.Add(seed.text, seed.lang, seed.filter, true)
	}
	f.Fuzz(func(t *testing.T, text, lang, filter string, facets bool) {
		q := Query{Text: text, Lang: lang, Facets: facets, Limit: 3}
		if filter != "" {
			q.Filters = map[string][]string{"scope": {filter}, "nature": {filter, "knowledge"}}
		}
		seen := map[string]bool{}
		for page := 0; page < 5; page++ {
			res, err := ix.Search(context.Background(), q)
			if err != nil {
				if !errors.Is(err, ErrInvalidQuery) {
					t.Fatalf("Search(%+v): %v (not ErrInvalidQuery)", q, err)
				}
				if utf8.ValidString(text) && len(text) <= maxTextBytes && utf8.ValidString(filter) && lang == "" {
					t.Fatalf("valid query rejected: %+v: %v", q, err)
				}
				return
			}
			if uint64(len(res.Hits)) > res.Total || len(res.Hits) > 3 {
				t.Fatalf("%d hits of total %d", len(res.Hits), res.Total)
			}
			for _, h := range res.Hits {
				if seen[h.IRI] {
					t.Fatalf("%s on two pages of %+v", h.IRI, q)
				}
				seen[h.IRI] = true
			}
			if res.Next == "" {
				return
			}
			q.Cursor = res.Next
		}
	})
}

// FuzzBuildDoc: any stored body yields a document (with at least the
// envelope's type) and never panics.
func FuzzBuildDoc(f *testing.F) {
	for _, o := range corpusObjects(f) {
		f.Add(string(o.Body))
	}
	f.Add(string(italianService(f).Body))
	f.Add(`{"type":"Interlinker"}`)
	f.Add(`<html>`)
	f.Fuzz(func(t *testing.T, body string) {
		obj := protocol.Object{Meta: protocol.Meta{IRI: "https://n.example/objects/x", Type: protocol.KindInterlinker,
			Origin: "https://n.example"}, Body: []byte(body)}
		doc, _ := buildDoc(obj)
		if !slices.Equal(doc[fieldType], []string{string(protocol.KindInterlinker)}) {
			t.Fatalf("type field = %v", doc[fieldType])
		}
		for _, lang := range sortLangs {
			if k := doc[sortField(lang)]; len(k) != 1 || !utf8.ValidString(k[0]) {
				t.Fatalf("sort key %s = %q", lang, k)
			}
		}
	})
}
