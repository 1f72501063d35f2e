package cpsv

// These tests check the export with json-gold under other contexts than
// the one the package embeds (its loader serves the official context file
// from the shared data, or an empty context, or refuses), and that the
// embedded context reads every document as the official file does.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/piprate/json-gold/ld"
)

// offlineLoader serves known documents by URL and refuses every other one.
type offlineLoader map[string]any

func (l offlineLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if doc, ok := l[u]; ok {
		return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
	}
	return nil, fmt.Errorf("offline: refusing to load %s", u)
}

// officialLoader serves the official CPSV-AP context from the shared data.
func officialLoader(t *testing.T) offlineLoader {
	doc, err := ld.DocumentFromReader(bytes.NewReader(readShared(t, contextFile)))
	if err != nil {
		t.Fatal(err)
	}
	return offlineLoader{ContextURL: doc}
}

// goldTriples expands doc with json-gold and returns its default-graph
// triples without blank nodes, as N-Triples-like strings.
func goldTriples(t *testing.T, doc []byte, loader ld.DocumentLoader) map[string]bool {
	t.Helper()
	input, err := ld.DocumentFromReader(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = loader
	out, err := ld.NewJsonLdProcessor().ToRDF(input, opts)
	if err != nil {
		t.Fatalf("json-gold ToRDF: %v", err)
	}
	triples := map[string]bool{}
	for _, q := range out.(*ld.RDFDataset).Graphs["@default"] {
		if ld.IsBlankNode(q.Subject) || ld.IsBlankNode(q.Object) {
			continue
		}
		obj := "<" + q.Object.GetValue() + ">"
		if l, ok := q.Object.(ld.Literal); ok {
			obj = literalString(l.Value, l.Language, l.Datatype)
		}
		triples["<"+q.Subject.GetValue()+"> <"+q.Predicate.GetValue()+"> "+obj] = true
	}
	return triples
}

// ownTriples reads doc as Import does (json-gold with the embedded
// context), in the same form.
func ownTriples(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	g, err := expandDocument(doc)
	if err != nil {
		t.Fatalf("expandDocument: %v", err)
	}
	triples := map[string]bool{}
	for _, id := range g.Order {
		n := g.Nodes[id]
		if strings.HasPrefix(id, "_:") {
			continue
		}
		for _, typ := range n.Types {
			triples["<"+id+"> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <"+typ+">"] = true
		}
		for prop, vals := range n.Props {
			for _, v := range vals {
				switch {
				case v.Lit != nil:
					triples["<"+id+"> <"+prop+"> "+literalString(v.Lit.Value, v.Lit.Lang, v.Lit.Datatype)] = true
				case v.Ref != "" && !v.IsBlank:
					triples["<"+id+"> <"+prop+"> <"+v.Ref+">"] = true
				}
			}
		}
	}
	return triples
}

func literalString(value, lang, datatype string) string {
	switch {
	case lang != "":
		return fmt.Sprintf("%q@%s", value, strings.ToLower(lang))
	case datatype == "" || datatype == "http://www.w3.org/2001/XMLSchema#string":
		return fmt.Sprintf("%q", value)
	case datatype == "http://www.w3.org/2001/XMLSchema#double":
		return "(a double)" // json-gold rewrites the lexical form canonically
	}
	return fmt.Sprintf("%q^^<%s>", value, datatype)
}

func diffTriples(t *testing.T, what string, got, want map[string]bool) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if !got[k] {
			t.Errorf("%s: missing %s", what, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if !want[k] {
			t.Errorf("%s: extra %s", what, k)
		}
	}
}

// TestJSONGoldReadsExportWithoutRemoteContext expands the export with
// json-gold three ways: with the official context, with an empty document in
// its place, and with the remote context dropped. All three give the same
// triples, which name the CPSV-AP IRIs.
func TestJSONGoldReadsExportWithoutRemoteContext(t *testing.T) {
	doc, err := Export([]*protocol.PublicService{fullService()}, fullOrgs(), "https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	empty := offlineLoader{ContextURL: map[string]any{"@context": map[string]any{}}}
	withEmpty := goldTriples(t, doc, empty)

	var tree map[string]any
	if err := json.Unmarshal(doc, &tree); err != nil {
		t.Fatal(err)
	}
	tree["@context"] = tree["@context"].([]any)[1:]
	withoutRemote := goldTriples(t, mustJSON(t, tree), offlineLoader{})
	diffTriples(t, "empty remote context vs none", withEmpty, withoutRemote)

	s, o := fullService(), fullOrgs()[0]
	for _, want := range []string{
		"<" + s.IRI + "> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/vocab/cpsv#PublicService>",
		"<" + s.IRI + "> <http://purl.org/dc/terms/identifier> \"bonus-nido-2025\"",
		"<" + s.IRI + "> <http://purl.org/dc/terms/title> \"Nursery bonus\"@en",
		"<" + s.IRI + "> <http://purl.org/dc/terms/description> \"A contribution to nursery fees.\"@en",
		"<" + s.IRI + "> <http://data.europa.eu/m8g/hasCompetentAuthority> <" + s.CompetentAuthority + ">",
		"<" + s.IRI + "> <http://www.w3.org/ns/dcat#keyword> \"famiglia\"@it",
		"<" + s.IRI + "> <http://purl.org/dc/terms/language> <http://publications.europa.eu/resource/authority/language/ITA>",
		"<" + s.IRI + "> <http://data.europa.eu/m8g/processingTime> \"P30D\"^^<http://www.w3.org/2001/XMLSchema#duration>",
		"<" + s.IRI + "> <http://data.europa.eu/m8g/hasChannel> <https://comune.re.it/channels/web>",
		"<https://comune.re.it/channels/web> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://data.europa.eu/m8g/Channel>",
		"<" + o.IRI + "> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://data.europa.eu/m8g/PublicOrganisation>",
		"<" + o.IRI + "> <http://www.w3.org/2004/02/skos/core#prefLabel> \"Comune di Reggio Emilia\"@it",
	} {
		if !withoutRemote[want] {
			t.Errorf("json-gold expansion lacks %s", want)
		}
	}
	diffTriples(t, "embedded context vs an empty one", ownTriples(t, doc), withEmpty)

	withOfficial := goldTriples(t, doc, officialLoader(t))
	diffTriples(t, "official remote context vs none", withOfficial, withoutRemote)
}

// TestEmbeddedContextAgreesWithOfficial compares the triples Import reads
// (the context rebuilt from the embedded terms) with those of the official
// context file, on the official example and on the forms the import tests use.
func TestEmbeddedContextAgreesWithOfficial(t *testing.T) {
	loader := officialLoader(t)
	docs := map[string][]byte{"official example": readShared(t, exampleFile), "minimal": mustJSON(t, minimalDoc())}
	for name, doc := range importForms {
		docs[name] = []byte(doc)
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			diffTriples(t, name, ownTriples(t, doc), goldTriples(t, doc, loader))
		})
	}
}
