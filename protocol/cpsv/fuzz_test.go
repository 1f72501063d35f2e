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

// FuzzImportTurtle feeds ImportTurtle arbitrary bytes, seeded with the
// Turtle exports. It must not panic; what it accepts must validate and
// export as Turtle that imports again to as many entities.
func FuzzImportTurtle(f *testing.F) {
	if dir, err := testenv.DataDir(); err == nil {
		if b, err := os.ReadFile(filepath.Join(dir, "standards", "cpsv-ap", "3.2.0", "example-rdf_public_service.ttl")); err == nil {
			f.Add(b)
		}
	}
	if doc, err := ExportAs(FormatTurtle, []*protocol.PublicService{fullService()}, fullOrgs(), "https://node.example"); err == nil {
		f.Add(doc)
	}
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
