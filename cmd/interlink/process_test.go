package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProcessThroughTheCLI starts a process from INTERLINK's real default
// schema on a real node, works on it, reads it back, exports it and checks
// the bundle offline with verify (unverified: the node pins no anchor, but
// every signature and the history verify), then refuses an altered one.
func TestProcessThroughTheCLI(t *testing.T) {
	data := isolate(t)
	seedDir := filepath.Join(sharedData(t), "interlink-catalogue")
	startServe(t, data)
	mustRun(t, "import", "interlink", seedDir, "--data", data)
	out := mustRun(t, "process", "create", "--name", "Bibliotecas de barrio", "--governance", "government-plus-citizen",
		"--schema", "default", "--language", "es", "--data", data).stdout
	iri := strings.TrimSpace(strings.TrimPrefix(out, "created "))
	id := iri[strings.LastIndexByte(iri, '/')+1:]
	if !strings.HasPrefix(out, "created http") {
		t.Fatalf("create printed %q", out)
	}
	show := mustRun(t, "process", "show", id, "--data", data).stdout
	if !strings.Contains(show, "TREE") || strings.Count(show, "rev 1") < 5 {
		t.Fatalf("the tree of the default schema is not shown:\n%s", show)
	}
	var objective string
	for _, l := range strings.Split(show, "\n") {
		if strings.HasPrefix(l, "    ") && !strings.HasPrefix(l, "      ") {
			objective = strings.Fields(l)[0]
			break
		}
	}
	var task string
	for _, l := range strings.Split(show, "\n") {
		if strings.HasPrefix(l, "      ") {
			task = strings.Fields(l)[0]
			break
		}
	}
	// A schema task recommends the interlinkers sharing its problem profiles.
	if rec := mustRun(t, "process", "task", "recommend", id, task, "--data", data).stdout; !strings.Contains(rec, `"matched"`) {
		t.Fatalf("no interlinker recommended for %s:\n%s", task, rec)
	}
	mustRun(t, "process", "task", "add", id, "--objective", objective, "--key", "horarios", "--name", "Acordar los horarios", "--data", data)
	if r := mustRun(t, "process", "task", "update", id, "horarios", "--progress", "30", "--status", "in_progress", "--base", "2", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// The task (added by entry 2) was changed since by the update above: stale.
	if r := runCLI(t, "", "process", "task", "update", id, "horarios", "--progress", "40", "--base", "2", "--data", data); r.code == 0 || !strings.Contains(r.stderr, "stale") {
		t.Fatalf("a stale update: exit %d %s", r.code, r.stderr)
	}
	if list := mustRun(t, "process", "list", "--data", data).stdout; !strings.Contains(list, id) || !strings.Contains(list, "host") {
		t.Fatalf("list:\n%s", list)
	}
	if h := mustRun(t, "process", "history", id, "--data", data).stdout; !strings.Contains(h, "update-task") || !strings.Contains(h, "add-task") {
		t.Fatalf("history:\n%s", h)
	}
	bundle := filepath.Join(t.TempDir(), "bundle.json")
	mustRun(t, "process", "export", id, "-o", bundle, "--data", data)
	r := runCLI(t, "", "verify", bundle, "--data", data)
	if r.code != exitUnverified || !strings.Contains(r.stdout, "3 entries ordered") {
		t.Fatalf("verify a bundle: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	raw, _ := os.ReadFile(bundle)
	if err := os.WriteFile(bundle, []byte(strings.Replace(string(raw), `"progress":30`, `"progress":31`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "", "verify", bundle, "--data", data); r.code != exitError {
		t.Fatalf("an altered bundle: exit %d\n%s", r.code, r.stdout)
	}
	// Finishing a process of one organisation publishes its service and
	// its story at once; the process links the story.
	fin := mustRun(t, "process", "finish", id, "--title", "Bibliotecas abiertas", "--summary", "Horarios acordados con el barrio",
		"--material", "https://example.org/horarios.pdf", "--data", data).stdout
	if !strings.Contains(fin, "ordered as change 4") || !strings.Contains(fin, "service http") || !strings.Contains(fin, "story   http") {
		t.Fatalf("finish printed:\n%s", fin)
	}
	story := strings.TrimSpace(fin[strings.Index(fin, "story   ")+8:])
	if show := mustRun(t, "process", "show", id, "--data", data).stdout; !strings.Contains(show, "story: "+story) {
		t.Fatalf("show does not link the story %s:\n%s", story, show)
	}
}

// TestProcessImportThroughTheCLI exports a process from one node and
// imports the bundle on another with `process import`: verified there, kept
// as an archive, held once when imported again; a tampered bundle is
// refused.
func TestProcessImportThroughTheCLI(t *testing.T) {
	isolate(t)
	dataA, dataB := t.TempDir(), t.TempDir()
	fed := []string{"--set", "federation.allow_private_networks=true"}
	startServeOn(t, "127.0.0.1", dataA, fed...)
	startServeOn(t, "127.0.0.2", dataB, fed...)
	out := mustRun(t, "process", "create", "--name", "Bibliotecas de barrio", "--governance", "citizen-to-government", "--data", dataA).stdout
	iri := strings.TrimSpace(strings.TrimPrefix(out, "created "))
	id := iri[strings.LastIndexByte(iri, '/')+1:]
	bundle := filepath.Join(t.TempDir(), "bundle.json")
	mustRun(t, "process", "export", id, "-o", bundle, "--data", dataA)

	imp := mustRun(t, "process", "import", bundle, "--data", dataB).stdout
	if !strings.Contains(imp, "imported "+iri+": 1 changes verified, 1 new (archived") {
		t.Fatalf("import printed %q", imp)
	}
	if again := mustRun(t, "process", "import", bundle, "--data", dataB).stdout; !strings.HasPrefix(again, "held already: "+iri) {
		t.Fatalf("import again printed %q", again)
	}
	if list := mustRun(t, "process", "list", "--data", dataB).stdout; !strings.Contains(list, id) || !strings.Contains(list, "archived") {
		t.Fatalf("list:\n%s", list)
	}
	if r := runCLI(t, "", "process", "task", "add", id, "--objective", "o", "--key", "k", "--name", "N", "--data", dataB); r.code == 0 ||
		!strings.Contains(r.stderr, "archive") {
		t.Fatalf("a change on the archive: exit %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "process", "import", bundle, "--data", dataA); r.code == 0 || !strings.Contains(r.stderr, "holds the live process") {
		t.Fatalf("the host imports its own process: exit %d %s", r.code, r.stderr)
	}
	raw, _ := os.ReadFile(bundle)
	if err := os.WriteFile(bundle, []byte(strings.Replace(string(raw), `"payload":"ey`, `"payload":"ez`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "", "process", "import", bundle, "--data", dataB); r.code == 0 || !strings.Contains(r.stderr, "does not verify") {
		t.Fatalf("a tampered bundle: exit %d %s", r.code, r.stderr)
	}
}
