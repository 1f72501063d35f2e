package rdf

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// ground returns the triples without blank nodes as N-Triples lines, and
// the number of triples.
func ground(ds *ld.RDFDataset) (map[string]bool, int) {
	out := map[string]bool{}
	n := 0
	seen := map[string]bool{}
	for _, q := range Triples(ds) {
		line := nt(q.Subject) + " " + nt(q.Predicate) + " " + nt(q.Object)
		exact := nodeKey(q.Subject) + " " + line + " " + nodeKey(q.Object)
		if seen[exact] {
			continue
		}
		seen[exact] = true
		n++
		if !ld.IsBlankNode(q.Subject) && !ld.IsBlankNode(q.Object) {
			out[line] = true
		}
	}
	return out, n
}

func nt(n ld.Node) string {
	switch v := n.(type) {
	case ld.Literal:
		dt := v.Datatype
		if dt == "" {
			dt = XSDString
		}
		return `"` + escapeString(v.Value) + `"@` + v.Language + "^^" + dt
	}
	if ld.IsBlankNode(n) {
		return "_"
	}
	return "<" + n.GetValue() + ">"
}

func sameGraph(t *testing.T, what string, a, b *ld.RDFDataset) {
	t.Helper()
	ga, na := ground(a)
	gb, nb := ground(b)
	if na != nb {
		t.Errorf("%s: %d triples, want %d", what, nb, na)
	}
	for l := range ga {
		if !gb[l] {
			t.Errorf("%s: missing %s", what, l)
		}
	}
	for l := range gb {
		if !ga[l] {
			t.Errorf("%s: extra %s", what, l)
		}
	}
}

const sample = `@prefix ex: <http://example.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
@base <http://example.org/base/> .
# a comment
ex:s a ex:Service , ex:Thing ;
    dct:title "Tax \"on\" web"@en , 'Impôt'@fr-BE ;
    dct:description """Long
text with "quotes" and ""two"" """ ;
    ex:count 12 , -3.5 , 1e3 , true ;
    ex:when "P2D"^^xsd:duration ;
    ex:rel <relative> , <#frag> ;
    ex:blank [ ex:p "inner" ; ex:q [ ex:r ex:leaf ] ] ;
    ex:list ( ex:a "b" ( 1 2 ) ) ;
    ex:empty ( ) ;
    ex:lab _:x ;;
    .
_:x ex:back _:x ; ex:name "labelled\u00e9\t" .
[] ex:anon ex:s .
ex:dots ex:local.name ex:a-b_c.d .
`

func TestTurtleParse(t *testing.T) {
	ds, order, err := ParseTurtle([]byte(sample), "")
	if err != nil {
		t.Fatal(err)
	}
	g, n := ground(ds)
	for _, want := range []string{
		`<http://example.org/s> <` + RDFType + `> <http://example.org/Service>`,
		`<http://example.org/s> <http://purl.org/dc/terms/title> "Tax \"on\" web"@en^^` + RDFLangStr,
		`<http://example.org/s> <http://purl.org/dc/terms/title> "Impôt"@fr-BE^^` + RDFLangStr,
		`<http://example.org/s> <http://purl.org/dc/terms/description> "Long\ntext with \"quotes\" and \"\"two\"\" "@^^` + XSDString,
		`<http://example.org/s> <http://example.org/count> "12"@^^` + XSDInteger,
		`<http://example.org/s> <http://example.org/count> "-3.5"@^^` + XSDDecimal,
		`<http://example.org/s> <http://example.org/count> "1e3"@^^` + XSDDouble,
		`<http://example.org/s> <http://example.org/count> "true"@^^` + XSDBoolean,
		`<http://example.org/s> <http://example.org/when> "P2D"@^^http://www.w3.org/2001/XMLSchema#duration`,
		`<http://example.org/s> <http://example.org/rel> <http://example.org/base/relative>`,
		`<http://example.org/s> <http://example.org/rel> <http://example.org/base/#frag>`,
		`<http://example.org/s> <http://example.org/empty> <` + RDFNil + `>`,
		`<http://example.org/dots> <http://example.org/local.name> <http://example.org/a-b_c.d>`,
	} {
		if !g[want] {
			t.Errorf("missing %s", want)
		}
	}
	if n != 33 {
		t.Errorf("%d triples, want 33", n)
	}
	if order[0] != "http://example.org/s" {
		t.Errorf("order = %v", order)
	}
}

func TestTurtleSyntaxErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"undeclared prefix": "ex:a ex:b ex:c .",
		"no dot":            "<http://a> <http://b> <http://c>",
		"unclosed iri":      "<http://a",
		"bad escape":        `<http://a> <http://b> "\q" .`,
		"relative no base":  "<a> <http://b> <http://c> .",
		"short string nl":   "<http://a> <http://b> \"x\ny\" .",
		"deep":              "<http://a> <http://b> " + strings.Repeat("[ <http://b> ", 100) + strings.Repeat("]", 100) + " .",
		"bad number":        "<http://a> <http://b> +. .",
		"literal subject":   `"x" <http://b> <http://c> .`,
		"bad utf8":          "<http://a> <http://b> \"\xff\" .",
	} {
		_, _, err := ParseTurtle([]byte(doc), "")
		if _, ok := errors.AsType[*SyntaxError](err); !ok {
			t.Errorf("%s: %v, want a *SyntaxError", name, err)
		}
	}
}

func TestWritersRoundTrip(t *testing.T) {
	ds, _, err := ParseTurtle([]byte(sample), "")
	if err != nil {
		t.Fatal(err)
	}
	prefixes := []Prefix{{"ex", "http://example.org/"}, {"dct", "http://purl.org/dc/terms/"}, {"xsd", XSDNS}}
	var ttl bytes.Buffer
	if err := WriteTurtle(&ttl, ds, prefixes); err != nil {
		t.Fatal(err)
	}
	back, _, err := ParseTurtle(ttl.Bytes(), "")
	if err != nil {
		t.Fatalf("%v\n%s", err, ttl.String())
	}
	sameGraph(t, "Turtle", ds, back)
	if !strings.HasPrefix(ttl.String(), "@prefix ex: <http://example.org/> .") {
		t.Errorf("Turtle starts with %q", ttl.String()[:40])
	}

	var x bytes.Buffer
	if err := WriteRDFXML(&x, ds, prefixes); err != nil {
		t.Fatal(err)
	}
	fromXML := readRDFXML(t, x.Bytes())
	sameGraph(t, "RDF/XML", ds, fromXML)
}

// readRDFXML reads the subset of RDF/XML that WriteRDFXML writes, with
// encoding/xml: an independent check of the writer's output.
func readRDFXML(t *testing.T, doc []byte) *ld.RDFDataset {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	ds := ld.NewRDFDataset()
	var subj ld.Node
	var pred string
	var lit *ld.Literal
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("RDF/XML is not XML: %v\n%s", err, doc)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			a := map[string]string{}
			for _, at := range e.Attr {
				key := at.Name.Local
				if at.Name.Space == "http://www.w3.org/XML/1998/namespace" {
					key = "xml:" + key
				}
				a[key] = at.Value
			}
			switch {
			case e.Name.Space == RDFNS && e.Name.Local == "RDF":
			case e.Name.Space == RDFNS && e.Name.Local == "Description":
				if id, ok := a["nodeID"]; ok {
					subj = ld.NewBlankNode("_:" + id)
				} else {
					subj = ld.NewIRI(a["about"])
				}
			default:
				pred = e.Name.Space + e.Name.Local
				switch {
				case a["resource"] != "":
					ds.Graphs["@default"] = append(ds.Graphs["@default"], ld.NewQuad(subj, ld.NewIRI(pred), ld.NewIRI(a["resource"]), ""))
					pred = ""
				case a["nodeID"] != "":
					ds.Graphs["@default"] = append(ds.Graphs["@default"], ld.NewQuad(subj, ld.NewIRI(pred), ld.NewBlankNode("_:"+a["nodeID"]), ""))
					pred = ""
				default:
					l := ld.NewLiteral("", a["datatype"], a["xml:lang"])
					if l.Language != "" {
						l.Datatype = RDFLangStr
					}
					lit = &l
				}
			}
		case xml.CharData:
			if lit != nil {
				lit.Value += string(e)
			}
		case xml.EndElement:
			if lit != nil && pred != "" {
				ds.Graphs["@default"] = append(ds.Graphs["@default"], ld.NewQuad(subj, ld.NewIRI(pred), *lit, ""))
			}
			lit, pred = nil, ""
		}
	}
	return ds
}

// TestOfficialExampleTurtleMatchesJSONLD reads the official CPSV-AP example
// in both its forms: json-gold's RDF of the JSON-LD and this reader's RDF of
// the Turtle must hold the same ground triples (the JSON-LD form's context
// comes from the shared data through Loader: nothing is fetched).
func TestOfficialExampleTurtleMatchesJSONLD(t *testing.T) {
	dir := testenv.Data(t, filepath.Join("standards", "cpsv-ap", "3.2.0"))
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var ctx, doc any
	if err := json.Unmarshal(read("cpsv-ap.jsonld"), &ctx); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(read("example-rdf_public_service.jsonld"), &doc); err != nil {
		t.Fatal(err)
	}
	fromJSON, err := FromJSONLD(doc, Loader{"https://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.2.0/context/cpsv-ap.jsonld": ctx}.Options())
	if err != nil {
		t.Fatal(err)
	}
	fromTTL, _, err := ParseTurtle(read("example-rdf_public_service.ttl"), "")
	if err != nil {
		t.Fatal(err)
	}
	g1, _ := ground(fromJSON)
	g2, _ := ground(fromTTL)
	common := 0
	for l := range g1 {
		if g2[l] {
			common++
		}
	}
	if common < len(g1)*9/10 || len(g1) < 20 {
		t.Errorf("the Turtle and JSON-LD forms share %d of %d ground triples (Turtle has %d)", common, len(g1), len(g2))
	}
}

func TestLoaderRefuses(t *testing.T) {
	_, err := FromJSONLD(map[string]any{"@context": "https://example.org/ctx", "@id": "https://a", "https://p": "x"}, Loader{}.Options())
	if !errors.Is(err, ErrRemoteDocument) {
		t.Errorf("err = %v, want ErrRemoteDocument", err)
	}
}

func TestRDFXMLNamespaces(t *testing.T) {
	ds := ld.NewRDFDataset()
	ds.Graphs["@default"] = []*ld.Quad{
		ld.NewQuad(ld.NewIRI("https://a"), ld.NewIRI("https://x.org/ns#prop"), ld.NewLiteral("v", "", ""), ""),
		ld.NewQuad(ld.NewIRI("https://a"), ld.NewIRI("https://y.org/terms/other"), ld.NewIRI("https://b"), ""),
		ld.NewQuad(ld.NewIRI("https://a"), ld.NewIRI("urn:x:p1"), ld.NewIRI("https://b"), ""),
	}
	var b bytes.Buffer
	if err := WriteRDFXML(&b, ds, nil); err != nil {
		t.Fatal(err)
	}
	sameGraph(t, "generated namespaces", ds, readRDFXML(t, b.Bytes()))
	ds.Graphs["@default"] = append(ds.Graphs["@default"], ld.NewQuad(ld.NewIRI("https://a"), ld.NewIRI("https://z.org/123"), ld.NewIRI("https://b"), ""))
	if err := WriteRDFXML(io.Discard, ds, nil); err == nil {
		t.Error("a predicate ending in digits was written")
	}
}

func TestFromJSONLDNeedsALoader(t *testing.T) {
	if _, err := FromJSONLD(map[string]any{}, nil); err == nil {
		t.Error("FromJSONLD ran without a loader")
	}
}
