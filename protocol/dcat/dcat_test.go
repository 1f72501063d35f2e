package dcat

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/protocol/rdf"
)

func entries(n int) []Entry {
	var out []Entry
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range n {
		it := &protocol.Interlinker{Type: protocol.KindInterlinker, Key: fmt.Sprintf("k%d", i), Nature: protocol.NatureSoftware,
			Name: protocol.Text{"en": "Survey", "lv": "Aptauja"}, Description: protocol.Text{"en": "A survey editor"},
			Tags: protocol.TextList{"en": {"survey"}}, Languages: []string{"en", "lv"}, SPDXLicence: "EUPL-1.2",
			URI: protocol.Text{"en": "https://example.org/survey"}, PublicCode: &protocol.PublicCodeInfo{URL: "https://git.example.org/survey.git"}}
		if i == 1 {
			it.SPDXLicence = "MIT OR Apache-2.0"
		}
		iri := "https://node.example/objects/" + strconv.Itoa(i)
		out = append(out, Entry{Meta: protocol.Meta{IRI: iri, Origin: "https://node.example", Created: t0, Updated: t0.Add(time.Hour)}, Entity: it})
	}
	return out
}

// triples renders a page and returns its RDF as N-Triples-like lines.
func triples(t *testing.T, c Catalog, es []Entry, p Paging) map[string]bool {
	t.Helper()
	doc, err := Page(c, es, nil, p, "https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := cpsv.Dataset(doc)
	if err != nil {
		t.Fatalf("the page is not JSON-LD json-gold reads: %v\n%s", err, doc)
	}
	out := map[string]bool{}
	for _, q := range rdf.Triples(ds) {
		o := "<" + q.Object.GetValue() + ">"
		if l, ok := q.Object.(ld.Literal); ok {
			o = `"` + l.Value + `"`
		}
		out["<"+q.Subject.GetValue()+"> <"+q.Predicate.GetValue()+"> "+o] = true
	}
	return out
}

func TestPageHydraLinks(t *testing.T) {
	url := func(n int) string { return "https://node.example/catalog?page=" + strconv.Itoa(n) }
	c := Catalog{IRI: "https://node.example/catalog", Title: protocol.Text{"en": "Catalogue"}, Publisher: "https://node.example/actor", PublisherName: "Node"}
	all := entries(5)
	got := triples(t, c, all[2:4], Paging{Page: 2, PerPage: 2, Total: 5, URL: url})
	page := "<https://node.example/catalog?page=2> <" + NSHydra
	for _, want := range []string{
		page + `totalItems> "5"`, page + `itemsPerPage> "2"`,
		page + `firstPage> "https://node.example/catalog?page=1"`, page + `lastPage> "https://node.example/catalog?page=3"`,
		page + `nextPage> "https://node.example/catalog?page=3"`, page + `previousPage> "https://node.example/catalog?page=1"`,
		page + `next> <https://node.example/catalog?page=3>`, page + `previous> <https://node.example/catalog?page=1>`,
		page + `first> <https://node.example/catalog?page=1>`, page + `last> <https://node.example/catalog?page=3>`,
		"<https://node.example/catalog> <http://www.w3.org/ns/dcat#dataset> <https://node.example/objects/2>",
		"<https://node.example/catalog> <http://www.w3.org/ns/dcat#dataset> <https://node.example/objects/3>",
		"<https://node.example/objects/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/adms#Asset>",
		"<https://node.example/objects/2> <http://purl.org/dc/terms/license> <http://spdx.org/licenses/EUPL-1.2>",
		"<https://node.example/objects/2> <http://www.w3.org/ns/dcat#landingPage> <https://example.org/survey>",
		"<https://node.example/objects/2#repository> <http://www.w3.org/ns/dcat#accessURL> <https://git.example.org/survey.git>",
		"<https://node.example/objects/2#record> <http://xmlns.com/foaf/0.1/primaryTopic> <https://node.example/objects/2>",
		"<https://node.example/objects/2> <http://purl.org/dc/terms/language> <http://publications.europa.eu/resource/authority/language/LAV>",
	} {
		if !got[want] {
			t.Errorf("missing %s", want)
		}
	}
	if got["<https://node.example/catalog> <http://www.w3.org/ns/dcat#dataset> <https://node.example/objects/1>"] {
		t.Error("page 2 lists an entry of page 1")
	}

	one := triples(t, c, all[1:2], Paging{Page: 1, PerPage: 10, Total: 1, URL: url})
	for k := range one {
		if strings.Contains(k, NSHydra+"next") || strings.Contains(k, NSHydra+"previous") {
			t.Errorf("a single page links to another: %s", k)
		}
		if strings.Contains(k, "/objects/1> <http://purl.org/dc/terms/license>") {
			t.Errorf("an SPDX expression became one licence: %s", k)
		}
	}
}

func TestPageRefusals(t *testing.T) {
	if _, err := Page(Catalog{IRI: "not a url"}, nil, nil, Paging{URL: func(int) string { return "" }}, ""); err == nil {
		t.Error("a catalogue without an http IRI was rendered")
	}
	bad := []Entry{{Meta: protocol.Meta{IRI: "https://n/o/1"}, Entity: &protocol.Organisation{}}}
	if _, err := Page(Catalog{IRI: "https://n/catalog"}, bad, nil, Paging{Page: 1, PerPage: 1, Total: 1, URL: func(int) string { return "https://n/c" }}, "https://n"); err == nil {
		t.Error("an organisation was catalogued as an entry")
	}
	if got := (Paging{Total: 0, PerPage: 100}).Pages(); got != 1 {
		t.Errorf("Pages of an empty catalogue = %d", got)
	}
	if got := (Paging{Total: 201, PerPage: 100}).Pages(); got != 3 {
		t.Errorf("Pages(201/100) = %d", got)
	}
}
