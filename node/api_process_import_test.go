package node

import (
	"strings"
	"testing"
	"time"
)

// TestProcessImport exports a process from its host and imports the bundle
// on another node: it is kept as an archive, listed, shown, read and
// exported there like any process, takes no change, and importing it again
// changes nothing; a tampered bundle is refused, and so is a bundle of a
// process the node holds live.
func TestProcessImport(t *testing.T) {
	host, b := startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1")
	r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Biblioteca di quartiere", "governance": "citizen-to-government"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["process"].(string)
	id := iri[len(iri)-26:]
	host.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "engage", "name": "Engage"}}, 200)
	bundle := host.do("GET", "/api/v1/processes/"+id+"/export", host.admin, "", nil)
	if bundle.status != 200 {
		t.Fatalf("export: %d %s", bundle.status, bundle.body)
	}

	// Only admins import.
	b.do("POST", "/api/v1/processes/import", b.token("editor"), "application/json", bundle.body).problem(t, 403, "forbidden")
	tampered := strings.Replace(string(bundle.body), `"payload":"ey`, `"payload":"ez`, 1)
	b.do("POST", "/api/v1/processes/import", b.admin, "application/json", []byte(tampered)).problem(t, 422, "invalid-bundle")
	b.do("POST", "/api/v1/processes/import", b.admin, "application/json", []byte(`{"format":"x","process":"`+iri+`","entries":[],"state":{}}`)).
		problem(t, 422, "invalid-bundle")

	r = b.do("POST", "/api/v1/processes/import", b.admin, "application/json", bundle.body)
	if r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if m := r.json(t); m["process"] != iri || m["local"] != "archived" || m["changes"].(float64) != 2 || m["added"].(float64) != 2 {
		t.Fatalf("import answered %s", r.body)
	}
	if p := b.processes(t)[iri]; p.Local != "archived" || p.Changes != 2 {
		t.Fatalf("b lists %+v", p)
	}
	if g := b.do("GET", "/api/v1/processes/"+id, b.admin, "", nil); g.status != 200 || !strings.Contains(string(g.body), `"local":"archived"`) {
		t.Fatalf("show: %d %s", g.status, g.body)
	}
	if h := b.do("GET", "/api/v1/processes/"+id+"/history", b.admin, "", nil); h.status != 200 || !strings.Contains(string(h.body), `"add-phase"`) {
		t.Fatalf("history: %d %s", h.status, h.body)
	}
	if e := b.do("GET", "/api/v1/processes/"+id+"/export", b.admin, "", nil); e.status != 200 || string(e.body) != string(bundle.body) {
		t.Fatalf("the archive exports another bundle: %d", e.status)
	}
	// Again: held already.
	r = b.do("POST", "/api/v1/processes/import", b.admin, "application/json", bundle.body)
	if r.status != 200 || r.json(t)["added"].(float64) != 0 {
		t.Fatalf("import again: %d %s", r.status, r.body)
	}
	// The archive takes no change.
	b.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "build", "name": "Build"}}, 409)
	b.postJSON("/api/v1/processes/"+id+"/changes", b.admin, map[string]any{"op": "add-phase", "data": map[string]any{"key": "x", "name": "X"}}).
		problem(t, 409, "process-archived")
	// The host holds it live.
	host.do("POST", "/api/v1/processes/import", host.admin, "application/json", bundle.body).problem(t, 409, "process-held")
	// Invited later, b catches the archive up from the group and holds the live process.
	host.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "build", "name": "Build"}}, 200)
	if r := host.postJSON("/api/v1/processes/"+id+"/invitations", host.admin, map[string]any{"target": b.actor()}); r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the archive becomes an invitation", func() bool {
		p := b.processes(t)[iri]
		return p.Local == "invited" && p.Changes == 4
	})
}
