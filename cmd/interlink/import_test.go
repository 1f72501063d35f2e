package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// writeSyntheticSeed writes a seed of n problem profiles and returns its root.
func writeSyntheticSeed(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	profiles := make([]map[string]any, n)
	for i := range profiles {
		profiles[i] = map[string]any{
			"id":                       fmt.Sprintf("PP_%03d", i),
			"name_translations":        map[string]string{"en": fmt.Sprintf("Problem %d", i)},
			"description_translations": map[string]string{"en": fmt.Sprintf("The problem number %d", i)},
		}
	}
	b, err := json.Marshal(profiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "problemprofiles"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "problemprofiles", "problemprofiles.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestImportProgressLines checks batching (at most 200 objects a request)
// and the plain progress lines a non-terminal stderr gets.
func TestImportProgressLines(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	seed := writeSyntheticSeed(t, 401)
	r := mustRun(t, "import", "interlink", seed, "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
	wantErr := "imported 200/401 objects\nimported 400/401 objects\nimported 401/401 objects\n"
	if r.stderr != wantErr {
		t.Errorf("progress lines %q, want %q", r.stderr, wantErr)
	}
	var sizes []int
	for _, b := range n.batches {
		sizes = append(sizes, len(b))
	}
	if fmt.Sprint(sizes) != "[200 200 1]" {
		t.Errorf("batch sizes %v, want [200 200 1]", sizes)
	}
	if !strings.HasPrefix(r.stdout, "imported 401 objects from "+seed+": 401 created, 0 updated, 0 unchanged\n") ||
		!strings.Contains(r.stdout, "ProblemProfile      401        0          0") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	for _, req := range n.seen() {
		if req.Auth != "Bearer "+fakeAdminToken || req.ContentType != "application/json" {
			t.Errorf("import request: Authorization %q, Content-Type %q", req.Auth, req.ContentType)
		}
	}

	// A second import changes nothing.
	r = mustRun(t, "import", "interlink", seed, "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
	if !strings.HasPrefix(r.stdout, "imported 401 objects from "+seed+": 0 created, 0 updated, 401 unchanged\n") {
		t.Errorf("second import summary:\n%s", r.stdout)
	}
}

// TestImportRealCatalogue imports the real INTERLINK seed: 45 problem
// profiles, then 78 interlinkers, then 4 schemas, each batch of one type.
func TestImportRealCatalogue(t *testing.T) {
	seed := filepath.Join(sharedData(t), "interlink-catalogue")
	data := isolate(t)
	n := newFakeNode(t)
	start := time.Now()
	r := mustRun(t, "import", "interlink", seed, "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
	elapsed := time.Since(start)
	t.Logf("imported the real catalogue in %v", elapsed)
	if limit := time.Second; !raceEnabled && !testing.Short() && elapsed > limit {
		t.Errorf("import took %v, want under %v", elapsed, limit)
	}

	var order []string
	counts := map[string]int{}
	for _, b := range n.batches {
		if len(b) > maxBatchObjects {
			t.Errorf("a batch of %d objects", len(b))
		}
		for _, e := range b {
			if e.Type != b[0].Type {
				t.Errorf("a batch mixes %s and %s", b[0].Type, e.Type)
			}
			if len(order) == 0 || order[len(order)-1] != e.Type {
				order = append(order, e.Type)
			}
			counts[e.Type]++
		}
	}
	if got := strings.Join(order, ","); got != "ProblemProfile,Interlinker,CoproductionSchema" {
		t.Errorf("types sent in order %s", got)
	}
	if counts["ProblemProfile"] != 45 || counts["Interlinker"] != 78 || counts["CoproductionSchema"] != 4 {
		t.Errorf("sent %v, want 45 problem profiles, 78 interlinkers, 4 schemas", counts)
	}
	// Every object sent is an entity the node can decode.
	n.mu.Lock()
	for id, body := range n.objects {
		if _, err := protocol.DecodeEntity([]byte(body)); err != nil {
			t.Errorf("%s: the node could not decode what the CLI sent: %v", id, err)
		}
	}
	n.mu.Unlock()
	for _, w := range []string{"imported 127 objects from " + seed + ": 127 created, 0 updated, 0 unchanged",
		"\nProblemProfile           45        0          0\n", "\nInterlinker              78        0          0\n",
		"\nCoproductionSchema        4        0          0\n"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("summary lacks %q:\n%s", w, r.stdout)
		}
	}
	if !strings.HasSuffix(r.stderr, "imported 127/127 objects\n") {
		t.Errorf("progress %q", r.stderr)
	}
}

// TestImportSplitsTooLargeBatches checks that a batch the node refuses as
// too large is sent again in halves.
func TestImportSplitsTooLargeBatches(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	n.bodyLimit = 4 << 10
	seed := writeSyntheticSeed(t, 100)
	r := mustRun(t, "import", "interlink", seed, "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
	total := 0
	for _, b := range n.batches {
		total += len(b)
	}
	if total != 100 || len(n.batches) < 4 {
		t.Errorf("%d objects in %d accepted batches, want 100 in several", total, len(n.batches))
	}
	if !strings.HasSuffix(r.stderr, "imported 100/100 objects\n") {
		t.Errorf("progress %q", r.stderr)
	}
}

// TestImportErrors checks that a rejected batch names the entities, and
// that a bad seed stops before anything is sent.
func TestImportErrors(t *testing.T) {
	data := isolate(t)
	n := newFakeNode(t)
	seed := writeSyntheticSeed(t, 3)
	n.failOnce("POST /api/v1/import", 422, "application/problem+json",
		`{"type":"x/problems/validation","title":"The object is invalid","status":422,"detail":"objects[2].name: required",`+
			`"errors":[{"field":"objects[2].name.en","rule":"required","message":"is required"},{"field":"objects","rule":"max_items","message":"too many"}]}`)
	r := runCLI(t, "", "import", "interlink", seed, "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
	for _, w := range []string{`import 3 ProblemProfile objects ("PP_000" … "PP_002"): The object is invalid (HTTP 422)`,
		"  - ProblemProfile[PP_002].name.en [required]: is required", "  - objects [max_items]: too many"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if r.code != exitError {
		t.Errorf("exit %d", r.code)
	}

	before := len(n.seen())
	r = runCLI(t, "", "import", "interlink", t.TempDir(), "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
	if r.code != exitError || !strings.Contains(r.stderr, "read the INTERLINK seed in") || len(n.seen()) != before {
		t.Errorf("empty seed: exit %d, %q, %d requests sent", r.code, r.stderr, len(n.seen())-before)
	}
	r = runCLI(t, "", "import", "interlink", filepath.Join(seed, "nope"), "--data", data, "--server", n.URL())
	if r.code != exitError || !strings.Contains(r.stderr, "no such file or directory") {
		t.Errorf("missing seed: exit %d, %q", r.code, r.stderr)
	}
}

func TestImportDocuments(t *testing.T) {
	tests := []struct {
		name, format, path, contentType, body string
	}{
		{"publiccode", "publiccode", "/api/v1/import/publiccode", "application/yaml", "publiccodeYmlVersion: \"0.4\"\nname: Medusa\n"},
		{"cpsv", "cpsv", "/api/v1/import/cpsv", "application/ld+json", `{"@context":{},"@graph":[]}`},
	}
	for _, tt := range tests {
		for _, viaStdin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s stdin=%v", tt.name, viaStdin), func(t *testing.T) {
				data := isolate(t)
				n := newFakeNode(t)
				file, stdin, source := filepath.Join(t.TempDir(), "doc"), "", ""
				if viaStdin {
					file, stdin, source = "-", tt.body, "stdin"
				} else {
					source = file
					if err := os.WriteFile(file, []byte(tt.body), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				r := runCLI(t, stdin, "import", tt.format, file, "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
				if r.code != exitOK {
					t.Fatalf("exit %d: %s", r.code, r.stderr)
				}
				got := n.docs[tt.path]
				if got.ContentType != tt.contentType || string(got.Body) != tt.body {
					t.Errorf("node got Content-Type %q, body %q", got.ContentType, got.Body)
				}
				for _, w := range []string{"imported 2 objects from " + source + ": 1 created, 1 updated, 0 unchanged",
					"PublicService        1        0          0", "Organisation         0        1          0"} {
					if !strings.Contains(r.stdout, w) {
						t.Errorf("summary lacks %q:\n%s", w, r.stdout)
					}
				}
				// --json: the same summary as data.
				r = runCLI(t, stdin, "import", tt.format, file, "--json", "--data", data, "--server", n.URL(), "--token", fakeAdminToken)
				var sum importSummary
				if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || r.code != exitOK {
					t.Fatalf("import --json: exit %d, %v: %s %s", r.code, err, r.stdout, r.stderr)
				}
				want := importSummary{Source: source, importCounts: importCounts{Created: 1, Updated: 1},
					Types: []importCounts{{Type: "PublicService", Created: 1}, {Type: "Organisation", Updated: 1}}}
				if !reflect.DeepEqual(sum, want) {
					t.Errorf("import --json: %+v, want %+v", sum, want)
				}
			})
		}
	}
}

func TestBatches(t *testing.T) {
	item := func(kind protocol.Kind, size int) importItem {
		return importItem{kind: kind, body: bytes.Repeat([]byte("x"), size)}
	}
	many := func(kind protocol.Kind, n, size int) []importItem {
		out := make([]importItem, n)
		for i := range out {
			out[i] = item(kind, size)
		}
		return out
	}
	tests := []struct {
		name  string
		items []importItem
		want  string
	}{
		{"none", nil, "[]"},
		{"one", many("A", 1, 10), "[1]"},
		{"exactly 200", many("A", 200, 10), "[200]"},
		{"201", many("A", 201, 10), "[200 1]"},
		{"kinds apart", append(many("A", 3, 10), many("B", 2, 10)...), "[3 2]"},
		{"bytes cap", many("A", 5, maxBatchBytes/2-8), "[2 2 1]"},
		{"one huge object alone", append(many("A", 1, 2*maxBatchBytes), many("A", 2, 10)...), "[1 2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []int
			total := 0
			for _, b := range batches(tt.items) {
				sizes = append(sizes, len(b))
				total += len(b)
			}
			if got := fmt.Sprint(sizes); got != tt.want && !(tt.want == "[]" && sizes == nil) {
				t.Errorf("batch sizes %s, want %s", got, tt.want)
			}
			if total != len(tt.items) {
				t.Errorf("%d items batched, want %d", total, len(tt.items))
			}
		})
	}
}

func TestCPSVMediaType(t *testing.T) {
	cases := []struct{ file, body, want string }{
		{"a.ttl", `{}`, "text/turtle"},
		{"a.TTL", ``, "text/turtle"},
		{"a.jsonld", `@prefix`, mediaJSONLD},
		{"stdin", "  {\"@graph\": []}", mediaJSONLD},
		{"stdin", "", mediaJSONLD},
		{"stdin", "@prefix cpsv: <http://purl.org/vocab/cpsv#> .", "text/turtle"},
		{"export.txt", "[]", mediaJSONLD},
	}
	for _, c := range cases {
		if got := cpsvMediaType(c.file, []byte(c.body)); got != c.want {
			t.Errorf("cpsvMediaType(%q, %q) = %q, want %q", c.file, c.body, got, c.want)
		}
	}
}
