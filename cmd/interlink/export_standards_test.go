package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestExportStandards checks what export cpsv --format and export
// publiccode ask of the node and where they write.
func TestExportStandards(t *testing.T) {
	data := isolate(t)
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI()+" "+strings.SplitN(r.Header.Get("Accept"), ",", 2)[0])
		mu.Unlock()
		switch {
		case r.URL.Path == "/api/v1/export/cpsv":
			w.Header().Set("Content-Type", r.Header.Get("Accept"))
			_, _ = w.Write([]byte("doc as " + strings.SplitN(r.Header.Get("Accept"), ",", 2)[0]))
		case strings.HasSuffix(r.URL.Path, "/publiccode.yml"):
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write([]byte("publiccodeYmlVersion: \"0.7\"\nname: Medusa\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	base := []string{"--data", data, "--server", srv.URL}

	for format, accept := range map[string]string{"turtle": "text/turtle", "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json"} {
		r := mustRun(t, append([]string{"export", "cpsv", "--format", format}, base...)...)
		if r.stdout != "doc as "+accept {
			t.Errorf("--format %s printed %q", format, r.stdout)
		}
	}
	if r := runCLI(t, "", append([]string{"export", "cpsv", "--format", "n3"}, base...)...); r.code == 0 || !strings.Contains(r.stderr, "turtle") {
		t.Errorf("--format n3: exit %d, %q", r.code, r.stderr)
	}

	out := filepath.Join(t.TempDir(), "publiccode.yml")
	mustRun(t, append([]string{"export", "publiccode", "01JD0000000000000000000001", "--out", out}, base...)...)
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "publiccodeYmlVersion") {
		t.Errorf("export publiccode --out wrote %q (%v)", b, err)
	}
	r := mustRun(t, append([]string{"export", "publiccode", "https://node.example/objects/01JD0000000000000000000001"}, base...)...)
	if !strings.Contains(r.stdout, "name: Medusa") {
		t.Errorf("export publiccode IRI printed %q", r.stdout)
	}
	mu.Lock()
	defer mu.Unlock()
	joined := strings.Join(seen, "\n")
	for _, want := range []string{
		"/api/v1/objects/01JD0000000000000000000001/publiccode.yml application/yaml",
		"/api/v1/object/publiccode.yml?iri=https%3A%2F%2Fnode.example%2Fobjects%2F01JD0000000000000000000001 application/yaml",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("no request %q in\n%s", want, joined)
		}
	}
}

// TestImportPrintsWarnings: the node's import warnings reach stderr.
func TestImportPrintsWarnings(t *testing.T) {
	data := isolate(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"created":1,"updated":0,"unchanged":0,"items":[{"iri":"https://n/objects/1","version":1,"key":"k","type":"Interlinker","result":"created"}],` +
			`"warnings":[{"field":"publiccodeYmlVersion","message":"version 0.9 is newer than the newest this node knows (0.7)"}]}`))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "publiccode.yml")
	if err := os.WriteFile(file, []byte("publiccodeYmlVersion: \"0.9\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, "import", "publiccode", file, "--data", data, "--server", srv.URL, "--token", "secret")
	if !strings.Contains(r.stderr, "warning: publiccodeYmlVersion: version 0.9 is newer") || !strings.Contains(r.stdout, "1 created") {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
}

// TestCPSVTurtleWithARealNode imports the official CPSV-AP example's
// Turtle form through the CLI (chosen by the .ttl extension) and exports
// it in every format.
func TestCPSVTurtleWithARealNode(t *testing.T) {
	data := isolate(t)
	ttl := filepath.Join(sharedData(t), "standards", "cpsv-ap", "3.2.0", "example-rdf_public_service.ttl")
	startServe(t, data)
	tok := strings.TrimSpace(mustRun(t, "token", "create", "--data", data, "--role", "editor").stdout)
	if r := mustRun(t, "import", "cpsv", ttl, "--data", data, "--token", tok); !strings.Contains(r.stdout, "2 created") {
		t.Fatalf("import cpsv .ttl: %q %q", r.stdout, r.stderr)
	}
	if r := mustRun(t, "export", "dcat", "--data", data); !strings.Contains(r.stdout, "dcat:Catalog") || !strings.Contains(r.stdout, "hydra:totalItems") {
		t.Errorf("export dcat:\n%.400s", r.stdout)
	}
	if r := runCLI(t, "", "export", "dcat", "--page", "2", "--data", data); r.code == 0 || !strings.Contains(r.stderr, "No such page") {
		t.Errorf("export dcat --page 2: exit %d %q", r.code, r.stderr)
	}
	for format, want := range map[string]string{"turtle": "@prefix cpsv:", "rdfxml": "<rdf:RDF", "jsonld": `"@graph"`} {
		out := filepath.Join(t.TempDir(), "export")
		mustRun(t, "export", "cpsv", "--format", format, "--out", out, "--data", data)
		b, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(b), want) || !strings.Contains(string(b), "Tax-on-web") {
			t.Errorf("export --format %s: %v\n%.300s", format, err, b)
		}
	}
}
