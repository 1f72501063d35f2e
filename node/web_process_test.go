package node

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// TestProcessPagesMounted: the process pages run over the node's
// co-production use cases: an admin starts a process from the page, the
// workspace shares its IRI with the Group actor (a browser gets the page,
// ActivityPub the actor), an editor updates a task, and a second update
// against the old revision shows the stale-change message with the input
// kept.
// pageSession signs an admin in on tn and returns a client of its pages:
// send(method, path, accept, form, signedIn) → status, body, header; a
// form gets the session's CSRF token.
func pageSession(t *testing.T, tn *testNode) (send func(method, path, accept string, form url.Values, signedIn bool) (int, string, http.Header),
	upload func(path, filename string, content []byte) (int, string, http.Header)) {
	t.Helper()
	ctx := t.Context()
	acc := tn.n.live.accounts()
	if _, err := acc.CreateUser(ctx, accounts.NewUser{Username: "root", Role: accounts.RoleAdmin, Password: "Root-Passw0rd-long"}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := acc.Authenticate(ctx, "root", "Root-Passw0rd-long", accounts.Client{Address: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(req *http.Request, signedIn bool) (int, string, http.Header) {
		t.Helper()
		if signedIn {
			req.AddCookie(&http.Cookie{Name: "interlink_session", Value: secret.Reveal()})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	send = func(method, path, accept string, form url.Values, signedIn bool) (int, string, http.Header) {
		t.Helper()
		var body io.Reader
		if form != nil {
			form.Set("csrf", acc.CSRFToken(secret))
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, tn.url+path, body)
		req.Header.Set("Accept", accept)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return do(req, signedIn)
	}
	upload = func(path, filename string, content []byte) (int, string, http.Header) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("csrf", acc.CSRFToken(secret))
		part, _ := mw.CreateFormFile("file", filename)
		_, _ = part.Write(content)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, tn.url+path, &body)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return do(req, true)
	}
	return send, upload
}

func TestProcessPagesMounted(t *testing.T) {
	tn := startFed(t, "127.0.0.1")
	send, _ := pageSession(t, tn)
	const html = "text/html"
	st, body, _ := send("GET", "/processes?lang=en", html, nil, true)
	if st != 200 || !strings.Contains(body, `action="/processes"`) {
		t.Fatalf("/processes: %d", st)
	}
	st, body, h := send("POST", "/processes?lang=en", html, url.Values{"name": {"Shared gardens"}, "governance": {"government-plus-citizen"},
		"languages": {"en"}, "aim": {"Gardens for all"}}, true)
	loc := h.Get("Location")
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/processes/") {
		t.Fatalf("create: %d %q %s", st, loc, body)
	}
	path := strings.TrimSuffix(loc, "?done=process_created")
	id := strings.TrimPrefix(path, "/processes/")
	if st, body, _ := send("GET", path+"?lang=en", html, nil, true); st != 200 || !strings.Contains(body, "<h1>Shared gardens</h1>") || !strings.Contains(body, "Started the process") {
		t.Fatalf("workspace: %d %s", st, body)
	}
	if st, body, _ := send("GET", path, "application/activity+json", nil, false); st != 200 || !strings.Contains(body, `"Group"`) {
		t.Fatalf("the Group actor: %d %s", st, body)
	}
	if st, body, _ := send("POST", path+"/invite?lang=en", html, url.Values{"target": {"acct:nobody@127.0.0.1:1"}}, true); st != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "No organisation could be found") || !strings.Contains(body, `value="acct:nobody@127.0.0.1:1"`) {
		t.Fatalf("invite of nobody: %d %s", st, body)
	}
	tn.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "engage", "name": "Engage"}}, 200)
	tn.change(t, id, map[string]any{"op": "add-objective", "item": "engage", "data": map[string]any{"key": "map", "name": "Map"}}, 200)
	tn.change(t, id, map[string]any{"op": "add-task", "item": "map", "data": map[string]any{"key": "survey", "name": "Survey the residents"}}, 200)
	task := path + "/tasks/survey"
	st, body, _ = send("GET", task+"?lang=en", html, nil, true)
	i := strings.Index(body, `name="base" value="`)
	if st != 200 || i < 0 {
		t.Fatalf("task page: %d %s", st, body)
	}
	base := body[i+len(`name="base" value="`):]
	base = base[:strings.IndexByte(base, '"')]
	form := func(progress string) url.Values {
		return url.Values{"status": {"in_progress"}, "progress": {progress}, "start": {"2026-03-01"}, "end": {""}, "base": {base}}
	}
	if st, body, h := send("POST", task+"?lang=en", html, form("50"), true); st != http.StatusSeeOther || h.Get("Location") != task+"?done=task_updated" {
		t.Fatalf("update: %d %s", st, body)
	}
	if st, body, _ := send("POST", task+"?lang=en", html, form("70"), true); st != http.StatusConflict || !strings.Contains(body, "Someone changed this task") || !strings.Contains(body, `value="70"`) {
		t.Fatalf("stale update: %d %s", st, body)
	}
	if st, body, _ := send("GET", task+"?lang=en", html, nil, false); st != http.StatusSeeOther {
		t.Fatalf("a private process's task, signed out: %d %s", st, body)
	}
	if st, body, _ := send("POST", task+"/assets?lang=en", html, url.Values{"name": {"Pad"}, "link": {"https://pad.example/x"}}, true); st != http.StatusSeeOther {
		t.Fatalf("add link: %d %s", st, body)
	}
	if st, body, _ := send("GET", task+"?lang=en", html, nil, true); st != 200 || !strings.Contains(body, `href="https://pad.example/x"`) || !strings.Contains(body, "50%") {
		t.Fatalf("task page after: %d %s", st, body)
	}
}

// TestProcessPagesRunAProcess: a whole process through the pages over the
// node's use cases: the tree grown by its forms, a file uploaded (hashed
// by the domain, served back byte for byte) and removed, the board, and
// the finish form, whose service (the host alone co-produced it) is
// published at once and linked from the story.
func TestProcessPagesRunAProcess(t *testing.T) {
	tn := startFed(t, "127.0.0.1")
	send, upload := pageSession(t, tn)
	const html = "text/html"
	st, body, h := send("POST", "/processes?lang=en", html, url.Values{"name": {"Bike lanes"}, "governance": {"citizen-to-government"}, "languages": {"en"}}, true)
	if st != http.StatusSeeOther {
		t.Fatalf("create: %d %s", st, body)
	}
	ws := strings.TrimSuffix(h.Get("Location"), "?done=process_created")
	steps := []struct {
		path string
		form url.Values
		want string
	}{
		{ws + "/phases", url.Values{"phase-name": {"Plan"}, "phase-key": {"plan"}}, ws + "/tree?done=phase_added"},
		{ws + "/objectives", url.Values{"objective-name": {"Map the streets"}, "objective-key": {"map"}, "objective-phase": {"plan"}}, ws + "/tree?done=objective_added"},
		{ws + "/tasks", url.Values{"task-name": {"Count the bikes"}, "task-key": {"count"}, "task-objective": {"map"}, "task-start": {"2026-05-01"},
			"task-responsible": {tn.url}}, ws + "/tree?done=task_added"},
	}
	for _, s := range steps {
		if st, body, h := send("POST", s.path+"?lang=en", html, s.form, true); st != http.StatusSeeOther || h.Get("Location") != s.want {
			t.Fatalf("%s: %d %q %s", s.path, st, h.Get("Location"), body)
		}
	}
	// The domain's own rule, beside the field: a key in use.
	if st, body, _ := send("POST", ws+"/phases?lang=en", html, url.Values{"phase-name": {"Again"}, "phase-key": {"count"}}, true); st != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "already used") {
		t.Fatalf("a key in use: %d", st)
	}
	task := ws + "/tasks/count"
	content := []byte("street,bikes\nVia Emilia,120\n")
	if st, body, h := upload(task+"/files?lang=en", "counts.csv", content); st != http.StatusSeeOther || h.Get("Location") != task+"?done=file_added" {
		t.Fatalf("upload: %d %s", st, body)
	}
	sum := sha256.Sum256(content)
	hash := hex.EncodeToString(sum[:])
	st, body, _ = send("GET", task+"?lang=en", html, nil, true)
	if st != 200 || !strings.Contains(body, ws+"/assets/"+hash) || !strings.Contains(body, "counts.csv") {
		t.Fatalf("the task page lacks the file %s: %d %s", hash, st, body)
	}
	if st, got, h := send("GET", ws+"/assets/"+hash, html, nil, true); st != 200 || got != string(content) || !strings.Contains(h.Get("Content-Disposition"), "counts.csv") {
		t.Fatalf("download: %d %q %v", st, got, h)
	}
	if st, body, _ := upload(task+"/files?lang=en", "big.bin", bytes.Repeat([]byte("x"), 300<<10)); st != http.StatusRequestEntityTooLarge ||
		!strings.Contains(body, "larger than 256 KiB") {
		t.Fatalf("a file over the limit: %d", st)
	}
	i := strings.Index(body, `name="asset" value="`)
	if i < 0 {
		t.Fatal("no remove button")
	}
	asset := body[i+len(`name="asset" value="`):]
	asset = asset[:strings.IndexByte(asset, '"')]
	if st, body, _ := send("POST", task+"/assets/remove?lang=en", html, url.Values{"asset": {asset}}, true); st != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", st, body)
	}
	if st, body, _ := send("GET", ws+"?view=board&lang=en", html, nil, true); st != 200 || !strings.Contains(body, `id="col-awaiting">Not started <span class="meta">(1)</span>`) ||
		!strings.Contains(body, "Count the bikes") {
		t.Fatalf("board: %d %s", st, body)
	}
	if st, body, h := send("POST", ws+"/finish?lang=en", html, url.Values{"title": {"Safer lanes"}, "summary": {"Counted and drawn with the residents."}}, true); st != http.StatusSeeOther ||
		h.Get("Location") != ws+"?done=process_finished" {
		t.Fatalf("finish: %d %s", st, body)
	}
	st, body, _ = send("GET", ws+"?lang=en", html, nil, false) // a finished process is public
	if st != 200 || !strings.Contains(body, "Story: Safer lanes") || !strings.Contains(body, "is published, signed by every participant") ||
		!strings.Contains(body, `<a href="/objects/`) {
		t.Fatalf("the story: %d %s", st, body)
	}
	// The story itself is a catalogue object: the workspace links its page,
	// which names the participants.
	i = strings.Index(body, "The story as published in the catalogue")
	if i < 0 {
		t.Fatalf("the workspace does not link the story's page: %s", body)
	}
	storyHref := body[strings.LastIndex(body[:i], `href="`)+len(`href="`):]
	storyHref = storyHref[:strings.IndexByte(storyHref, '"')]
	if st, page, _ := send("GET", storyHref+"?lang=en", html, nil, false); st != 200 || !strings.Contains(page, "How it was co-produced") ||
		!strings.Contains(page, "Participants and their contributions") {
		t.Fatalf("the story's page %s: %d %s", storyHref, st, page)
	}
}

// TestProcessPagesJoinAndAdmit: B's admin asks, from B's page, to join a
// public process A hosts (a private one is refused, said beside the
// field); B lists its request; A's admin admits B from the workspace, and B
// takes part.
func TestProcessPagesJoinAndAdmit(t *testing.T) {
	host, b := startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1")
	hostSend, _ := pageSession(t, host)
	bSend, _ := pageSession(t, b)
	mk := func(public bool) string {
		r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Open data", "governance": "citizen-to-citizen", "public": public})
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		return r.json(t)["process"].(string)
	}
	const html = "text/html"
	private, public := mk(false), mk(true)
	if st, body, _ := bSend("POST", "/processes/join?lang=en", html, url.Values{"process": {private}}, true); st != http.StatusForbidden ||
		!strings.Contains(body, "ask its host for an invitation") || !strings.Contains(body, `value="`+private+`"`) {
		t.Fatalf("join a private process: %d %s", st, body)
	}
	if st, body, h := bSend("POST", "/processes/join?lang=en", html, url.Values{"process": {public}}, true); st != http.StatusSeeOther ||
		h.Get("Location") != "/processes?done=process_requested" {
		t.Fatalf("join: %d %s", st, body)
	}
	if st, body, _ := bSend("GET", "/processes?lang=en", html, nil, true); st != 200 || !strings.Contains(body, "Requests to join sent") {
		t.Fatalf("B's processes: %d %s", st, body)
	}
	ws := strings.TrimPrefix(public, host.url)
	st, body, _ := hostSend("GET", ws+"?lang=en", html, nil, true)
	if st != 200 || !strings.Contains(body, `action="`+ws+`/admit"`) || !strings.Contains(body, "Asked to join") {
		t.Fatalf("A's workspace: %d %s", st, body)
	}
	if st, body, h := hostSend("POST", ws+"/admit?lang=en", html, url.Values{"entity": {b.n.uris.Base()}}, true); st != http.StatusSeeOther ||
		h.Get("Location") != ws+"?done=participant_admitted" {
		t.Fatalf("admit: %d %s", st, body)
	}
	eventually(t, 10*time.Second, "B takes part", func() bool { return b.processes(t)[public].Local == "participant" })
}
