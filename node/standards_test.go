package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStandardsThroughTheAPI imports the official CPSV-AP example and the
// publiccode.yml examples through the API and exports CPSV-AP again.
func TestStandardsThroughTheAPI(t *testing.T) {
	data := sharedData(t)
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")

	doc, err := os.ReadFile(filepath.Join(data, "standards", "cpsv-ap", "3.2.0", "example-rdf_public_service.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	if r := tn.do("POST", "/api/v1/import/cpsv", editor, "application/ld+json", doc); r.status != 201 {
		t.Fatalf("import the official CPSV-AP example: %d %s", r.status, r.body)
	}
	// Importing it again changes nothing.
	if r := tn.do("POST", "/api/v1/import/cpsv", editor, "application/ld+json", doc); r.status != 200 || r.json(t)["unchanged"].(float64) < 2 {
		t.Fatalf("re-import: %d %s", r.status, r.body)
	}
	c := tn.get("/api/v1/status").json(t)["counts"].(map[string]any)
	if c["PublicService"] != 1.0 || c["Organisation"] != 1.0 {
		t.Fatalf("counts after the CPSV-AP import: %v", c)
	}
	out := tn.get("/api/v1/export/cpsv")
	if out.status != 200 || out.header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("export: %d %s", out.status, out.header.Get("Content-Type"))
	}
	for _, want := range []string{"Tax-on-web", "cpsv:PublicService", "cv:hasCompetentAuthority", `"@language": "en"`, "Federal Public Service FINANCE"} {
		if !strings.Contains(strings.ReplaceAll(string(out.body), `"@language":"en"`, `"@language": "en"`), want) {
			t.Errorf("the CPSV-AP export lacks %s", want)
		}
	}
	if got := searchNames(t, tn, "q=tax&type=PublicService"); len(got) != 1 {
		t.Fatalf("the imported service is not searchable: %v", got)
	}

	for _, v := range []string{"v0.4.0", "v0.5.0"} {
		for _, f := range []string{"publiccode.yml", "publiccode.minimal.yml"} {
			yml, err := os.ReadFile(filepath.Join(data, "standards", "publiccode.yml", v, f))
			if err != nil {
				t.Fatal(err)
			}
			if r := tn.do("POST", "/api/v1/import/publiccode", editor, "application/yaml", yml); r.status != 201 && r.status != 200 {
				t.Fatalf("import %s/%s: %d %s", v, f, r.status, r.body)
			}
		}
	}
	if got := searchNames(t, tn, "q=medusa"); len(got) == 0 {
		t.Fatal("the publiccode.yml software is not searchable")
	}
	// A publiccode.yml missing mandatory keys is refused naming each.
	bad := []byte("publiccodeYmlVersion: \"0.4\"\nname: X\nurl: https://example.org/x.git\n")
	p := tn.do("POST", "/api/v1/import/publiccode", editor, "application/yaml", bad).problem(t, 422, "validation")
	for _, key := range []string{`"field":"legal"`, `"field":"platforms"`, `"field":"maintenance"`} {
		if !strings.Contains(string(mustJSON(p)), key) {
			t.Fatalf("the problem does not name %s: %v", key, p)
		}
	}
}
