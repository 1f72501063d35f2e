package cpsv

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// FuzzImport feeds Import arbitrary bytes. It must not panic; what it
// accepts must validate, export, and import again to the same number of
// entities.
func FuzzImport(f *testing.F) {
	if dir, err := testenv.DataDir(); err == nil {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(exampleFile))); err == nil {
			f.Add(b)
		}
	}
	f.Add(mustJSON(f, minimalDoc()))
	for _, doc := range importForms {
		f.Add([]byte(doc))
	}
	if doc, err := Export([]*protocol.PublicService{fullService()}, fullOrgs(), "https://node.example"); err == nil {
		f.Add(doc)
	}
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"@graph": 1}`, `{"@context": {"a": {"@id": "a:b", "@container": "@list"}}, "a": [1, [2]]}`,
		`{"@context": {"x": "x:"}, "@id": "x:1", "@type": "x:T", "x:p": {"@list": [{"@value": true}]}}`,
		`{"@context": [{"p": {"@reverse": "q"}}]}`, `{"@context": {"t": {"@id": "t"}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		services, orgs, err := Import(doc)
		if err != nil {
			return
		}
		for i, s := range services {
			if err := s.Validate(); err != nil {
				t.Fatalf("services[%d] does not validate: %v", i, err)
			}
		}
		for i, o := range orgs {
			if err := o.Validate(); err != nil {
				t.Fatalf("organisations[%d] does not validate: %v", i, err)
			}
		}
		out, err := Export(services, orgs, "https://node.example")
		if err != nil {
			t.Fatalf("Export of imported entities: %v", err)
		}
		s2, o2, err := Import(out)
		if err != nil {
			t.Fatalf("Import(Export(Import(doc))): %v\n%s", err, out)
		}
		if len(s2) != len(services) || len(o2) != len(orgs) {
			t.Fatalf("re-import has %d services and %d organisations, want %d and %d", len(s2), len(o2), len(services), len(orgs))
		}
	})
}

// FuzzImportTurtle feeds ImportTurtle arbitrary bytes. It must not panic;
// what it accepts must validate and export as Turtle that imports again to
// as many entities. Seeds stay a few hundred bytes (go test -fuzz minimizes
// each new input in O(n²) runs); the official example and the full export
// are imported by the unit tests.
func FuzzImportTurtle(f *testing.F) {
	f.Add([]byte(`@prefix cpsv: <http://purl.org/vocab/cpsv#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix cv: <http://data.europa.eu/m8g/> .
<https://a/s> a cpsv:PublicService ; dct:identifier "s" ; dct:title "T"@en ; dct:description "D"@en ;
  cv:hasCompetentAuthority <https://a/o> ; cv:hasChannel [ a cv:Channel ; dct:identifier "c" ] .
<https://a/o> a cv:PublicOrganisation ; dct:spatial <http://publications.europa.eu/resource/authority/country/LVA> ;
  <http://www.w3.org/2004/02/skos/core#prefLabel> "O"@lv .`))
	f.Add([]byte("@prefix cpsv: <http://purl.org/vocab/cpsv#> . <https://a> a cpsv:PublicService ."))
	f.Fuzz(func(t *testing.T, doc []byte) {
		services, orgs, err := ImportTurtle(doc)
		if err != nil {
			if _, ok := errors.AsType[*protocol.ValidationError](err); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for i, s := range services {
			if err := s.Validate(); err != nil {
				t.Fatalf("services[%d] does not validate: %v", i, err)
			}
		}
		out, err := ExportAs(FormatTurtle, services, orgs, "https://node.example")
		if err != nil {
			t.Fatalf("ExportAs of imported entities: %v", err)
		}
		s2, o2, err := ImportTurtle(out)
		if err != nil || len(s2) != len(services) || len(o2) != len(orgs) {
			t.Fatalf("re-import: %v (%d, %d services, %d, %d organisations)\n%s", err, len(s2), len(services), len(o2), len(orgs), out)
		}
	})
}
