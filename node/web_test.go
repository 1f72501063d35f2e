package node

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/storage"
)

func (tn *testNode) getAccept(path, accept string) response {
	tn.t.Helper()
	req, err := http.NewRequest(http.MethodGet, tn.url+path, nil)
	if err != nil {
		tn.t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tn.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: []byte(b.String())}
}

// TestPagesNegotiate: /, /actor and object IRIs answer pages to browsers
// and AS2 to ActivityPub clients, with Vary: Accept; unknown paths answer
// an HTML 404 to browsers and a problem to programs.
func TestPagesNegotiate(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	ed := tn.token("editor")
	r := tn.postJSON("/api/v1/objects", ed, map[string]any{"type": "ProblemProfile", "key": "pp_web", "name": map[string]string{"en": "Web problem", "es": "Problema web"}, "description": map[string]string{"en": "A problem seen on the web"}})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	const browser = "text/html,application/xhtml+xml,*/*;q=0.8"
	for _, p := range []string{"/", "/actor", "/objects/" + id} {
		page := tn.getAccept(p, browser)
		if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s for a browser: %d %s", p, page.status, page.header.Get("Content-Type"))
		}
		if !strings.Contains(strings.Join(page.header.Values("Vary"), ","), "Accept") {
			t.Errorf("%s: no Vary: Accept on the page", p)
		}
		as := tn.getAccept(p, "application/activity+json")
		if as.status != 200 || !strings.HasPrefix(as.header.Get("Content-Type"), "application/activity+json") {
			t.Errorf("%s for ActivityPub: %d %s", p, as.status, as.header.Get("Content-Type"))
		}
		if !strings.Contains(strings.Join(as.header.Values("Vary"), ","), "Accept") {
			t.Errorf("%s: no Vary: Accept on AS2", p)
		}
	}
	if page := tn.getAccept("/objects/"+id, browser); !strings.Contains(string(page.body), "Problema web") || !strings.Contains(string(page.body), "Web problem") {
		t.Errorf("the object page lacks a language: %s", page.body)
	}
	if s := tn.getAccept("/search?q=web", browser); s.status != 200 || !strings.Contains(string(s.body), "<mark>") {
		t.Errorf("search page: %d, no highlight", s.status)
	}
	if nf := tn.getAccept("/nothing-here", browser); nf.status != 404 || !strings.HasPrefix(nf.header.Get("Content-Type"), "text/html") {
		t.Errorf("404 for a browser: %d %s", nf.status, nf.header.Get("Content-Type"))
	}
	tn.getAccept("/nothing-here", "application/json").problem(t, 404, "not-found")
	fi, err := os.Stat(filepath.Join(tn.dir, csrfKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("csrf key file: %v %v", fi, err)
	}
}

// TestUsersAPI: create, list, disable, enable, set password; errors name
// the field; only admins.
func TestUsersAPI(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	ok := map[string]string{"username": "alice", "password": "Secret-Passw0rd!", "role": "editor", "display_name": "Alice"}
	tn.postJSON("/api/v1/users", tn.token("editor"), ok).problem(t, 403, "forbidden")
	r := tn.postJSON("/api/v1/users", tn.admin, ok)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if strings.Contains(string(r.body), "argon2") || strings.Contains(string(r.body), "Secret-Passw0rd!") {
		t.Fatalf("the answer shows the password: %s", r.body)
	}
	tn.postJSON("/api/v1/users", tn.admin, ok).problem(t, 409, "conflict")
	for field, body := range map[string]map[string]string{
		"role":     {"username": "bob", "password": "Secret-Passw0rd!", "role": "boss"},
		"password": {"username": "bob", "password": "short", "role": "reader"},
		"username": {"username": "", "password": "Secret-Passw0rd!", "role": "reader"},
	} {
		p := tn.postJSON("/api/v1/users", tn.admin, body).problem(t, 422, "validation")
		if !strings.Contains(string(mustJSON(p["errors"])), `"field":"`+field+`"`) {
			t.Errorf("%s: the problem does not name the field: %v", field, p)
		}
	}
	l := tn.do("GET", "/api/v1/users", tn.admin, "", nil)
	if l.status != 200 || !strings.Contains(string(l.body), `"username":"alice"`) {
		t.Fatalf("list: %d %s", l.status, l.body)
	}
	if d := tn.do("POST", "/api/v1/users/"+id+"/disable", tn.admin, "", nil); d.status != 200 || d.json(t)["disabled"] != true {
		t.Fatalf("disable: %d %s", d.status, d.body)
	}
	if e := tn.do("POST", "/api/v1/users/"+id+"/enable", tn.admin, "", nil); e.status != 200 || e.json(t)["disabled"] != false {
		t.Fatalf("enable: %d %s", e.status, e.body)
	}
	if p := tn.do("PUT", "/api/v1/users/"+id+"/password", tn.admin, "application/json", mustJSON(map[string]string{"password": "Another-Passw0rd!"})); p.status != 204 {
		t.Fatalf("password: %d %s", p.status, p.body)
	}
	tn.do("POST", "/api/v1/users/01J00000000000000000000000/disable", tn.admin, "", nil).problem(t, 404, "not-found")
}

// TestPeersPage: /peers is mounted over the federation's own views; it
// sends a visitor who is not signed in to /login and shows a signed-in
// reader the follows and whether gossip is on.
func TestPeersPage(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	ctx := t.Context()
	const peer = "https://peer.example/actor"
	if err := tn.n.live.store().Follows().PutFollowing(ctx, storage.Follow{Actor: peer, Inbox: peer + "/inbox",
		FollowIRI: "https://127.0.0.1/follows/1", State: storage.FollowAccepted, Since: time.Now(), Updated: time.Now()}); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(cookie string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, tn.url+"/peers", nil)
		req.Header.Set("Accept", "text/html")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "interlink_session", Value: cookie})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := get(""); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous /peers: %d %s, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	acc := tn.n.live.accounts()
	if _, err := acc.CreateUser(ctx, accounts.NewUser{Username: "rita", Role: accounts.RoleReader, Password: "a-long-Passw0rd!"}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := acc.Authenticate(ctx, "rita", "a-long-Passw0rd!", accounts.Client{Address: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	resp := get(secret.Reveal())
	defer resp.Body.Close()
	var body strings.Builder
	_, _ = io.Copy(&body, resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body.String(), "peer.example") {
		t.Fatalf("signed-in /peers: %d, the followed peer missing: %s", resp.StatusCode, body.String())
	}
}
