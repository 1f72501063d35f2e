package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/coproduction"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

type procItem struct {
	ID      string `json:"id"`
	IRI     string `json:"iri"`
	Local   string `json:"local"`
	Changes uint64 `json:"changes"`
}

func (tn *testNode) processes(t *testing.T) map[string]procItem {
	t.Helper()
	r := tn.do("GET", "/api/v1/processes", tn.admin, "", nil)
	if r.status != 200 {
		t.Fatalf("list processes: %d %s", r.status, r.body)
	}
	var l struct{ Items []procItem }
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatal(err)
	}
	out := map[string]procItem{}
	for _, it := range l.Items {
		out[it.IRI] = it
	}
	return out
}

func (tn *testNode) change(t *testing.T, id string, v any, want int) map[string]any {
	t.Helper()
	r := tn.postJSON("/api/v1/processes/"+id+"/changes", tn.admin, v)
	if r.status != want {
		t.Fatalf("change %v on %s: %d, want %d: %s", v, tn.url, r.status, want, r.body)
	}
	return r.json(t)
}

// TestProcessFederation runs a process over three nodes: the host creates it
// and invites two organisations, both accept, each works on the tree, a
// stale edit is refused with its own problem, a removed participant's
// changes are refused, and every node ends with the same history.
func TestProcessFederation(t *testing.T) {
	host, b, c := startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1")
	r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Shared gardens", "governance": "government-plus-citizen",
		"aim": "Gardens run with the neighbourhood", "languages": []string{"en", "it"}})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["process"].(string)
	id := iri[len(iri)-26:]
	host.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "engage", "name": "Engage"}}, 200)
	host.change(t, id, map[string]any{"op": "add-objective", "item": "engage", "data": map[string]any{"key": "map-needs", "name": "Map the needs"}}, 200)
	for _, p := range []*testNode{b, c} {
		r := host.postJSON("/api/v1/processes/"+id+"/invitations", host.admin, map[string]any{"target": p.actor()})
		if r.status != 200 {
			t.Fatalf("invite: %d %s", r.status, r.body)
		}
	}
	for _, p := range []*testNode{b, c} {
		eventually(t, 10*time.Second, "the invitation arrives", func() bool { return p.processes(t)[iri].Local == "invited" })
		if r := p.postJSON("/api/v1/processes/"+id+"/accept", p.admin, nil); r.status != 200 {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
	}
	b.change(t, id, map[string]any{"op": "add-task", "item": "map-needs", "data": map[string]any{"key": "survey", "name": "Survey the residents"}}, 200)
	eventually(t, 10*time.Second, "c holds the task", func() bool { return c.processes(t)[iri].Changes >= 8 })
	c.change(t, id, map[string]any{"op": "update-task", "item": "survey", "base": 8, "data": map[string]any{"status": "in_progress", "progress": 40}}, 200)
	// b edits the task against the revision it held before c's change.
	eventually(t, 10*time.Second, "b holds c's change", func() bool { return b.processes(t)[iri].Changes >= 9 })
	req, _ := http.NewRequest(http.MethodPatch, b.url+"/api/v1/processes/"+id+"/tasks/survey", strings.NewReader(`{"progress": 50}`))
	req.Header.Set("Authorization", "Bearer "+b.admin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", `"8"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	response{status: resp.StatusCode, header: resp.Header, body: rb}.problem(t, 409, "stale-change")
	// A file asset: stored with its hash on every node.
	if r := b.postJSON("/api/v1/processes/"+id+"/tasks/survey/assets", b.admin, map[string]any{"id": "form", "name": "Survey form",
		"content": []byte("q1,q2\n")}); r.status != 200 {
		t.Fatalf("add an asset: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the host holds the file", func() bool {
		return host.do("GET", "/api/v1/processes/"+id+"/assets/"+sha("q1,q2\n"), host.admin, "", nil).status == 200
	})
	host.change(t, id, map[string]any{"op": "remove", "data": map[string]any{"entity": c.n.uris.Base()}}, 200)
	eventually(t, 10*time.Second, "c learns it was removed", func() bool { return c.processes(t)[iri].Local == "left" })
	c.postJSON("/api/v1/processes/"+id+"/changes", c.admin, map[string]any{"op": "update-task", "item": "survey",
		"data": map[string]any{"progress": 90}}).problem(t, 403, "change-forbidden")
	want := host.processes(t)[iri].Changes
	if want != 11 {
		t.Fatalf("the host holds %d changes, want 11", want)
	}
	eventually(t, 10*time.Second, "b holds every change", func() bool { return b.processes(t)[iri].Changes == want })
	// Both histories are the same signed entries.
	hist := func(tn *testNode) string {
		r := tn.do("GET", "/api/v1/processes/"+id+"/history", tn.admin, "", nil)
		if r.status != 200 {
			t.Fatalf("history: %d %s", r.status, r.body)
		}
		var tl struct {
			Items []struct {
				Seq            uint64
				Change, Author string
			}
		}
		json.Unmarshal(r.body, &tl)
		return fmt.Sprint(tl.Items)
	}
	if h, bh := hist(host), hist(b); h != bh {
		t.Fatalf("histories differ:\nhost %s\nb    %s", h, bh)
	}
	// The export verifies against the state.
	r = b.do("GET", "/api/v1/processes/"+id+"/export", b.admin, "", nil)
	if r.status != 200 {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	p, n, err := cp.VerifyBundle(context.Background(), coproduction.TrustVerifier(c.n.live.trust()), r.body)
	if err != nil || n != 11 || p.Task("survey").Progress != 40 || len(p.Task("survey").Assets) != 1 {
		t.Fatalf("the bundle does not verify on a third node: %v (%d entries)", err, n)
	}
	// A bundle whose stated state was edited is refused.
	if _, _, err := cp.VerifyBundle(context.Background(), coproduction.TrustVerifier(c.n.live.trust()),
		bytes.Replace(r.body, []byte(`"progress":40`), []byte(`"progress":41`), 1)); err == nil {
		t.Fatal("an edited bundle verified")
	}
}

// TestProcessFinishCosigned finishes a process of two organisations: the
// drafted service is co-signed by the participant's node on its own (its
// finished process says the same) and published signed by both.
func TestProcessFinishCosigned(t *testing.T) {
	host, b := startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1")
	r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Library hours", "governance": "citizen-to-government", "languages": []string{"es"}})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["process"].(string)
	id := iri[len(iri)-26:]
	if r := host.postJSON("/api/v1/processes/"+id+"/invitations", host.admin, map[string]any{"target": b.actor()}); r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the invitation arrives", func() bool { return b.processes(t)[iri].Local == "invited" })
	if r := b.postJSON("/api/v1/processes/"+id+"/accept", b.admin, nil); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	// Without trust chains (no anchors here), a node takes co-sign
	// requests from the nodes it follows only.
	b.follow(t, host)
	// Only the host finishes.
	b.postJSON("/api/v1/processes/"+id+"/finish", b.admin, map[string]any{"title": "T", "summary": "S"}).problem(t, 409, "not-host")
	r = host.postJSON("/api/v1/processes/"+id+"/finish", host.admin, map[string]any{"title": "Horario de la biblioteca", "summary": "Decidido con los vecinos"})
	if r.status != 200 {
		t.Fatalf("finish: %d %s", r.status, r.body)
	}
	f := r.json(t)
	svc, _ := f["iri"].(string)
	if svc == "" || f["draft"] == "" {
		t.Fatalf("finish drafted no service: %s", r.body)
	}
	eventually(t, 20*time.Second, "the service is published signed by both", func() bool {
		status, m := host.object(svc)
		if status != 200 {
			return false
		}
		v, _ := m["verification"].(map[string]any)
		signers, _ := v["signers"].([]any)
		return len(signers) == 2
	})
	v, err := host.n.live.coproduction().Get(context.Background(), iri)
	if err != nil || v.Process.Status != cp.Finished || v.Process.Story.Service == "" {
		t.Fatalf("the process is not finished with its story: %v", err)
	}
}

// TestProcessPublicRequest: an organisation asks to join a public process
// and is admitted; a private process refuses it; an Invite for a process
// whose history does not invite the node leaves nothing behind.
func TestProcessPublicRequest(t *testing.T) {
	host, b := startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1")
	mk := func(public bool) (string, string) {
		r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Open data", "governance": "citizen-to-citizen", "public": public})
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		iri := r.json(t)["process"].(string)
		return iri, iri[len(iri)-26:]
	}
	private, _ := mk(false)
	b.postJSON("/api/v1/processes/join", b.admin, map[string]any{"process": private}).problem(t, 403, "change-forbidden")
	// A forged invitation: the group exists, but its history invites nobody.
	invite := map[string]any{"type": "Invite", "id": private + "/history/1/invite", "actor": private, "object": private, "target": b.actor()}
	if r := b.postJSON("/coproduction/inbox", "", invite); r.status != 403 {
		t.Fatalf("an invitation the history does not hold: %d %s", r.status, r.body)
	}
	if len(b.processes(t)) != 0 {
		t.Fatal("a forged invitation left a process behind")
	}
	public, id := mk(true)
	if r := b.postJSON("/api/v1/processes/join", b.admin, map[string]any{"process": public}); r.status != 200 {
		t.Fatalf("request: %d %s", r.status, r.body)
	}
	host.change(t, id, map[string]any{"op": "admit", "data": map[string]any{"entity": b.n.uris.Base()}}, 200)
	eventually(t, 10*time.Second, "b takes part", func() bool { return b.processes(t)[public].Local == "participant" })
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestProcessHostAway: while the host is down a participant's change is
// queued (202) and the participant keeps reading; when the host returns the
// change is ordered once and every node holds it.
func TestProcessHostAway(t *testing.T) {
	dirH, addrH := t.TempDir(), freeAddr(t, "127.0.0.1")
	host := startNodeWith(t, dirH, addrH, fedConfig)
	b := startFed(t, "127.0.0.1")
	r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Parks", "governance": "government-to-citizen"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["process"].(string)
	id := iri[len(iri)-26:]
	host.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "engage", "name": "Engage"}}, 200)
	host.change(t, id, map[string]any{"op": "add-objective", "item": "engage", "data": map[string]any{"key": "o", "name": "O"}}, 200)
	if r := host.postJSON("/api/v1/processes/"+id+"/invitations", host.admin, map[string]any{"target": b.actor()}); r.status != 200 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the invitation arrives", func() bool { return b.processes(t)[iri].Local == "invited" })
	if r := b.postJSON("/api/v1/processes/"+id+"/accept", b.admin, nil); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	host.n.Close()
	res := b.change(t, id, map[string]any{"op": "add-task", "item": "o", "data": map[string]any{"key": "t", "name": "T"}}, 202)
	if res["queued"] != true {
		t.Fatalf("not queued: %v", res)
	}
	if b.processes(t)[iri].Changes != 5 {
		t.Fatal("the participant stopped reading what it holds")
	}
	host = startNodeWith(t, dirH, addrH, fedConfig)
	eventually(t, 20*time.Second, "the queued change is ordered and reaches both", func() bool {
		return host.processes(t)[iri].Changes == 6 && b.processes(t)[iri].Changes == 6
	})
	time.Sleep(300 * time.Millisecond) // a retry in flight would order it twice
	if n := host.processes(t)[iri].Changes; n != 6 {
		t.Fatalf("the host holds %d changes, want 6: ordered twice", n)
	}
}

// TestProcessAssetLimitIsConfigured: the host applies processes.asset_limit
// to file assets (a bigger file is refused naming the limit, a smaller one
// taken).
func TestProcessAssetLimitIsConfigured(t *testing.T) {
	host := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) { fedConfig(c); c.Processes.AssetLimit = 2 << 10 })
	r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Small files", "governance": "citizen-to-citizen"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["process"].(string)
	id := iri[len(iri)-26:]
	host.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "p", "name": "P"}}, 200)
	host.change(t, id, map[string]any{"op": "add-objective", "item": "p", "data": map[string]any{"key": "o", "name": "O"}}, 200)
	host.change(t, id, map[string]any{"op": "add-task", "item": "o", "data": map[string]any{"key": "t", "name": "T"}}, 200)
	r = host.postJSON("/api/v1/processes/"+id+"/tasks/t/assets", host.admin, map[string]any{"id": "big", "name": "Big", "content": make([]byte, 3<<10)})
	if p := r.problem(t, 422, "invalid-change"); !strings.Contains(fmt.Sprint(p["detail"]), "more than the 2048") {
		t.Fatalf("the refusal does not name the limit: %v", p["detail"])
	}
	if r := host.postJSON("/api/v1/processes/"+id+"/tasks/t/assets", host.admin, map[string]any{"id": "small", "name": "Small", "content": make([]byte, 1<<10)}); r.status != 200 {
		t.Fatalf("a file under the limit: %d %s", r.status, r.body)
	}
}
