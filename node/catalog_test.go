package node

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol/dcat"
	"github.com/interlink-project/interlink-node/protocol/rdf"
	"github.com/interlink-project/interlink-node/protocol/rdf/shacltest"
)

// TestCatalogHarvestable serves the DCAT-AP catalogue of a node holding a
// publiccode.yml interlinker and the official CPSV-AP service: JSON-LD,
// Turtle and RDF/XML by Accept, Hydra paging, 404 past the last page; the
// Turtle page holds the assets, services and records, and its services
// conform to the official CPSV-AP shapes.
func TestCatalogHarvestable(t *testing.T) {
	data := sharedData(t)
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	yml := mustRead(t, filepath.Join(data, "standards", "publiccode.yml", "v0.5.0", "publiccode.yml"))
	if r := tn.do("POST", "/api/v1/import/publiccode", editor, "application/yaml", yml); r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	ex := mustRead(t, filepath.Join(data, "standards", "cpsv-ap", "3.2.0", "example-rdf_public_service.jsonld"))
	if r := tn.do("POST", "/api/v1/import/cpsv", editor, "application/ld+json", ex); r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}

	js := tn.getAccept("/catalog", "application/ld+json")
	if js.status != 200 || js.header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("GET /catalog: %d %s %s", js.status, js.header.Get("Content-Type"), js.body)
	}
	var doc struct {
		Graph []map[string]any `json:"@graph"`
	}
	if err := json.Unmarshal(js.body, &doc); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, n := range doc.Graph {
		switch v := n["@type"].(type) {
		case string:
			types[v]++
		case []any:
			for _, t := range v {
				types[t.(string)]++
			}
		}
	}
	for typ, want := range map[string]int{"dcat:Catalog": 1, "adms:Asset": 1, "cpsv:PublicService": 1, "dcat:CatalogRecord": 2,
		"hydra:PagedCollection": 1, "hydra:PartialCollectionView": 1, "cv:PublicOrganisation": 1} {
		if types[typ] != want {
			t.Errorf("%d nodes of type %s, want %d (%v)", types[typ], typ, want, types)
		}
	}

	ttl := tn.getAccept("/catalog?page=1", "text/turtle")
	if ttl.status != 200 || !strings.HasPrefix(ttl.header.Get("Content-Type"), "text/turtle") {
		t.Fatalf("Turtle: %d %s", ttl.status, ttl.header.Get("Content-Type"))
	}
	ds, _, err := rdf.ParseTurtle(ttl.body, "")
	if err != nil {
		t.Fatalf("the Turtle page does not parse: %v", err)
	}
	found := map[string]bool{}
	for _, q := range rdf.Triples(ds) {
		found[q.Predicate.GetValue()] = true
	}
	for _, p := range []string{"http://www.w3.org/ns/dcat#dataset", "http://www.w3.org/ns/dcat#resource", "http://www.w3.org/ns/dcat#record",
		dcat.NSHydra + "totalItems", dcat.NSHydra + "firstPage", dcat.NSHydra + "lastPage", "http://purl.org/dc/terms/license"} {
		if !found[p] {
			t.Errorf("the Turtle page has no %s", p)
		}
	}
	if x := tn.getAccept("/catalog", "application/rdf+xml"); x.status != 200 || !strings.Contains(string(x.body), "<rdf:RDF") {
		t.Errorf("RDF/XML: %d %.200s", x.status, x.body)
	}
	tn.getAccept("/catalog", "text/csv").problem(t, 406, "not-acceptable")
	tn.get("/catalog?page=2").problem(t, 404, "not-found")
	tn.get("/catalog?page=0").problem(t, 400, "bad-query")

	shapes := filepath.Join(data, "standards", "cpsv-ap", "3.2.0", "cpsv-ap-SHACL.ttl")
	if _, err := os.Stat(shapes); err != nil {
		t.Fatal(err)
	}
	rep := shacltest.Validate(t, shapes, shacltest.WriteTemp(t, "catalog.ttl", ttl.body))
	for _, v := range rep.Violations() {
		t.Errorf("the catalogue page against the CPSV-AP shapes: %s", v)
	}
}
