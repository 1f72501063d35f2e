package node

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/protocol/publiccode"
)

// TestCPSVFormatsThroughTheAPI exports CPSV-AP by Accept (JSON-LD, Turtle,
// RDF/XML; 406 for others) and imports the official example's Turtle form.
func TestCPSVFormatsThroughTheAPI(t *testing.T) {
	data := sharedData(t)
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	dir := filepath.Join(data, "standards", "cpsv-ap", "3.2.0")
	ttl, err := os.ReadFile(filepath.Join(dir, "example-rdf_public_service.ttl"))
	if err != nil {
		t.Fatal(err)
	}
	if r := tn.do("POST", "/api/v1/import/cpsv", editor, "text/turtle", ttl); r.status != 201 {
		t.Fatalf("import the official example's Turtle: %d %s", r.status, r.body)
	}
	jsonld, err := os.ReadFile(filepath.Join(dir, "example-rdf_public_service.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	// The JSON-LD form is the same service: nothing changes.
	if r := tn.do("POST", "/api/v1/import/cpsv", editor, "application/ld+json", jsonld); r.status != 200 || r.json(t)["unchanged"].(float64) < 2 {
		t.Fatalf("re-import as JSON-LD: %d %s", r.status, r.body)
	}
	cases := []struct{ accept, contentType string }{
		{"", "application/ld+json"},
		{"*/*", "application/ld+json"},
		{"text/turtle", "text/turtle; charset=utf-8"},
		{"application/rdf+xml", "application/rdf+xml; charset=utf-8"},
		{"text/*;q=0.9, application/ld+json;q=0.5", "text/turtle; charset=utf-8"},
		{"application/ld+json;q=0, text/turtle;q=0.1", "text/turtle; charset=utf-8"},
	}
	for _, c := range cases {
		r := tn.getAccept("/api/v1/export/cpsv", c.accept)
		if r.status != 200 || r.header.Get("Content-Type") != c.contentType || !strings.Contains(string(r.body), "PublicService") {
			t.Errorf("Accept %q: %d %q", c.accept, r.status, r.header.Get("Content-Type"))
		}
		if c.contentType == "text/turtle; charset=utf-8" {
			if s, _, err := cpsv.ImportTurtle(r.body); err != nil || len(s) != 1 {
				t.Errorf("the Turtle export does not import: %v", err)
			}
		}
	}
	r := tn.getAccept("/api/v1/export/cpsv", "text/html")
	r.problem(t, 406, "not-acceptable")
	tn.do("POST", "/api/v1/import/cpsv", editor, "application/rdf+xml", []byte("<rdf:RDF/>")).problem(t, 415, "unsupported-media-type")
	tn.do("POST", "/api/v1/import/cpsv", editor, "text/turtle", []byte("@prefix x: <y")).problem(t, 422, "validation")
}

// TestPubliccodeExportThroughTheAPI imports a publiccode.yml, exports it by
// id and by IRI, imports the export, and reads the warnings of a newer 0.x.
func TestPubliccodeExportThroughTheAPI(t *testing.T) {
	data := sharedData(t)
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	yml, err := os.ReadFile(filepath.Join(data, "standards", "publiccode.yml", "v0.5.0", "publiccode.yml"))
	if err != nil {
		t.Fatal(err)
	}
	r := tn.do("POST", "/api/v1/import/publiccode", editor, "application/yaml", yml)
	if r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if _, ok := r.json(t)["warnings"]; ok {
		t.Errorf("warnings on the official example: %s", r.body)
	}
	iri := r.json(t)["items"].([]any)[0].(map[string]any)["iri"].(string)
	obj := tn.get("/api/v1/object?iri=" + url.QueryEscape(iri)).json(t)
	id, _ := obj["id"].(string)
	byID := tn.get("/api/v1/objects/" + id + "/publiccode.yml")
	byIRI := tn.get("/api/v1/object/publiccode.yml?iri=" + url.QueryEscape(iri))
	for name, e := range map[string]response{"by id": byID, "by IRI": byIRI} {
		if e.status != 200 || !strings.HasPrefix(e.header.Get("Content-Type"), "application/yaml") {
			t.Fatalf("export %s: %d %s %s", name, e.status, e.header.Get("Content-Type"), e.body)
		}
	}
	if string(byID.body) != string(byIRI.body) {
		t.Error("the exports by id and by IRI differ")
	}
	back, err := publiccode.Import(byID.body)
	if err != nil || back.Key != "example_com_italia_medusa" {
		t.Fatalf("the export does not import: %v\n%s", err, byID.body)
	}
	if r := tn.do("POST", "/api/v1/import/publiccode", editor, "application/yaml", byID.body); r.status != 200 {
		t.Errorf("re-import of the export: %d %s", r.status, r.body)
	}

	future := strings.Replace(string(yml), `publiccodeYmlVersion: "0.4"`, `publiccodeYmlVersion: "0.9"`, 1)
	r = tn.do("POST", "/api/v1/import/publiccode", editor, "application/yaml", []byte(future))
	if r.status != 200 && r.status != 201 || !strings.Contains(string(r.body), `"field":"publiccodeYmlVersion"`) {
		t.Errorf("a 0.9 document: %d %s", r.status, r.body)
	}

	tn.get("/api/v1/objects/01JD0000000000000000000000/publiccode.yml").problem(t, 404, "not-found")
	ttl := tn.do("POST", "/api/v1/import/cpsv", editor, "application/ld+json", mustRead(t, filepath.Join(data, "standards", "cpsv-ap", "3.2.0", "example-rdf_public_service.jsonld")))
	svc := ttl.json(t)["items"].([]any)
	for _, it := range svc {
		if it.(map[string]any)["type"] == "PublicService" {
			siri := it.(map[string]any)["iri"].(string)
			tn.get("/api/v1/object/publiccode.yml?iri="+url.QueryEscape(siri)).problem(t, 422, "not-software")
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
