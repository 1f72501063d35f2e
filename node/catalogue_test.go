package node

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
)

// importSeed imports the real INTERLINK catalogue through the API, as the CLI does.
func importSeed(t *testing.T, tn *testNode, token string) *interlinkfmt.Seed {
	t.Helper()
	seed, err := interlinkfmt.ReadSeed(os.DirFS(filepath.Join(sharedData(t), "interlink-catalogue")))
	if err != nil {
		t.Fatalf("read the seed: %v", err)
	}
	var all []any
	for _, p := range seed.ProblemProfiles {
		all = append(all, p)
	}
	for _, il := range seed.Interlinkers {
		all = append(all, il)
	}
	for _, s := range seed.Schemas {
		all = append(all, s)
	}
	for i := 0; i < len(all); i += 100 {
		end := min(i+100, len(all))
		r := tn.postJSON("/api/v1/import", token, map[string]any{"objects": all[i:end]})
		if r.status != 201 && r.status != 200 {
			t.Fatalf("import batch %d: %d %s", i, r.status, r.body)
		}
	}
	return seed
}

func searchNames(t *testing.T, tn *testNode, query string) []string {
	t.Helper()
	r := tn.get("/api/v1/search?" + query)
	if r.status != 200 {
		t.Fatalf("search %s: %d %s", query, r.status, r.body)
	}
	var res struct {
		Total uint64 `json:"total"`
		Items []struct {
			Object protocol.Object `json:"object"`
		} `json:"items"`
		Facets map[string]map[string]int `json:"facets"`
	}
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range res.Items {
		out = append(out, it.Object.Key)
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestRealCatalogue(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t, "127.0.0.1")
	tn := startNodeAt(t, dir, addr)
	editor := tn.token("editor")
	seed := importSeed(t, tn, editor)

	counts := tn.get("/api/v1/status").json(t)["counts"].(map[string]any)
	if counts["Interlinker"] != 78.0 || counts["ProblemProfile"] != 45.0 || counts["CoproductionSchema"] != 4.0 {
		t.Fatalf("counts after importing the real catalogue: %v", counts)
	}

	var bmc *protocol.Interlinker
	for _, il := range seed.Interlinkers {
		if il.Key == "business_model_canvas" {
			bmc = il
		}
	}
	if bmc == nil {
		t.Fatal("the seed has no business_model_canvas")
	}
	queries := []string{
		"q=canvas&lang=en",
		"q=" + url.QueryEscape(bmc.Name["it"]) + "&lang=it",
		"q=biznesa&lang=lv",
		"q=canvs&lang=en", // a typo
	}
	for _, q := range queries {
		if got := searchNames(t, tn, q); !contains(got, "business_model_canvas") {
			t.Errorf("search %s does not find the business model canvas: %v", q, got)
		}
	}

	// A schema task's problem profiles recommend the interlinkers the seed links to them.
	var task *protocol.Task
	for _, s := range seed.Schemas {
		for _, ph := range s.Phases {
			for _, ob := range ph.Objectives {
				for i := range ob.Tasks {
					if task == nil && len(ob.Tasks[i].ProblemProfiles) > 0 {
						task = &ob.Tasks[i]
					}
				}
			}
		}
	}
	if task == nil {
		t.Fatal("no task with problem profiles in the seed")
	}
	want := map[string]bool{}
	for _, il := range seed.Interlinkers {
		for _, pp := range il.ProblemProfiles {
			if contains(task.ProblemProfiles, pp) {
				want[il.Key] = true
			}
		}
	}
	rec := tn.get("/api/v1/recommendations?limit=200&task=" + url.QueryEscape(task.Key))
	var recs struct {
		Items []struct {
			Object protocol.Object `json:"object"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.body, &recs); err != nil || rec.status != 200 {
		t.Fatalf("recommendations: %d %s", rec.status, rec.body)
	}
	got := map[string]bool{}
	for _, it := range recs.Items {
		got[it.Object.Key] = true
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("task %s (problem profiles %v) recommends %v, the seed links %v", task.Key, task.ProblemProfiles, got, want)
	}

	// Restart keeps everything; deleting the index gives identical results.
	probe := []string{"q=canvas&lang=en", "q=guide", "q=survey&type=Interlinker", "q=co-production&nature=knowledge&scope=eu", "type=ProblemProfile&limit=100"}
	before := map[string][]string{}
	for _, q := range probe {
		before[q] = searchNames(t, tn, q)
	}
	tn.n.Close()
	tn = startNodeAt(t, dir, addr)
	if c := tn.get("/api/v1/status").json(t)["counts"]; !reflect.DeepEqual(c, any(counts)) {
		t.Fatalf("counts after restart %v, before %v", c, counts)
	}
	tn.n.Close()
	if err := os.RemoveAll(filepath.Join(dir, indexDir)); err != nil {
		t.Fatal(err)
	}
	tn = startNodeAt(t, dir, addr)
	for _, q := range probe {
		if after := searchNames(t, tn, q); !reflect.DeepEqual(after, before[q]) {
			t.Errorf("search %s after rebuilding the index: %v, before %v", q, after, before[q])
		}
	}
	if len(before["q=canvas&lang=en"]) == 0 {
		t.Fatal("the probe queries found nothing")
	}
}

func TestBackupAndRestoreWhileServing(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	for i := 0; i < 20; i++ {
		tn.postJSON("/api/v1/objects", editor, interlinkerBody(fmt.Sprintf("k%d", i), fmt.Sprintf("Tool %d", i), "Strumento"))
	}
	tn.do("GET", "/api/v1/backup", editor, "", nil).problem(t, 403, "forbidden")
	backup := tn.do("GET", "/api/v1/backup", tn.admin, "", nil)
	if backup.status != 200 || len(backup.body) < 4096 {
		t.Fatalf("backup: %d, %d bytes", backup.status, len(backup.body))
	}
	// Changes after the backup disappear with the restore.
	for i := 20; i < 30; i++ {
		tn.postJSON("/api/v1/objects", editor, interlinkerBody(fmt.Sprintf("k%d", i), "Later tool", "Dopo"))
	}
	tn.do("POST", "/api/v1/restore", tn.admin, "application/octet-stream", []byte("not a database")).problem(t, 422, "invalid-backup")
	if c := tn.get("/api/v1/status").json(t)["counts"].(map[string]any); c["Interlinker"] != 30.0 {
		t.Fatalf("a refused restore changed the data: %v", c)
	}
	r := tn.do("POST", "/api/v1/restore", tn.admin, "application/octet-stream", backup.body)
	if r.status != 200 {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	tn.waitReady()
	if c := tn.get("/api/v1/status").json(t)["counts"].(map[string]any); c["Interlinker"] != 20.0 {
		t.Fatalf("after restore: %v", c)
	}
	if got := searchNames(t, tn, "q=later"); len(got) != 0 {
		t.Fatalf("the index still finds objects the restore removed: %v", got)
	}
	if got := searchNames(t, tn, "q=tool&limit=100"); len(got) != 20 {
		t.Fatalf("after restore search finds %d tools, want 20", len(got))
	}
	if !strings.HasPrefix(tn.admin, tokenPrefix) {
		t.Fatal("local credential malformed")
	}
}
