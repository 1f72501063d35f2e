package node

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// TestProcessPagesMounted: the process pages run over the node's
// co-production use cases: an admin starts a process from the page, the
// workspace shares its IRI with the Group actor (a browser gets the page,
// ActivityPub the actor), an editor updates a task, and a second update
// against the old revision shows the stale-change message with the input
// kept.
func TestProcessPagesMounted(t *testing.T) {
	tn := startFed(t, "127.0.0.1")
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
	send := func(method, path, accept string, form url.Values, signedIn bool) (int, string, http.Header) {
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
