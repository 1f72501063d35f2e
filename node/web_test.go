package node

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
