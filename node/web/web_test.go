package web

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

// TestMessagesComplete fails when a message is missing (or extra) in one
// of the four languages, or left empty.
func TestMessagesComplete(t *testing.T) {
	load := func(tag string) map[string]string {
		files, err := localeFiles(tag)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, f := range files {
			b, err := fs.ReadFile(localeFS, f)
			if err != nil {
				t.Fatal(err)
			}
			var part map[string]string
			if err := json.Unmarshal(b, &part); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for id, v := range part {
				if _, dup := m[id]; dup {
					t.Errorf("%s: message %q is defined twice", f, id)
				}
				m[id] = v
			}
		}
		return m
	}
	en := load("en")
	for _, l := range supported {
		m := load(l.tag)
		for id := range en {
			if strings.TrimSpace(m[id]) == "" {
				t.Errorf("%s: message %q is missing", l.tag, id)
			}
		}
		for id := range m {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: message %q is not in en", l.tag, id)
			}
		}
	}
}

func TestWantsHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"": false, "*/*": false, "application/activity+json": false, "application/json": false,
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`: false,
		"text/html": true, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"application/json, text/html;q=0.5": false, "text/html;q=0.9, application/json;q=0.1": true,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", accept)
		if got := WantsHTML(r); got != want {
			t.Errorf("Accept %q: WantsHTML = %v, want %v", accept, got, want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text stays", "plain text stays"},
		{"<p>This resource supports the team.</p>", "This resource supports the team."},
		{"<p>one</p><p>two<br/>three</p>", "one two three"},
		{"a &amp; b &lt;c&gt;", "a & b <c>"},
		{"<a href=\"https://x.example\">link</a> <!-- note --> end", "link end"},
		{"3 < 4 and 5 > 2", "3 < 4 and 5 > 2"},
		{"<script>alert(1)</script>", "alert(1)"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHighlight(t *testing.T) {
	tests := []struct{ s, q, want string }{
		{"Business <Model> Canvas", "canvas model", "Business &lt;<mark>Model</mark>&gt; <mark>Canvas</mark>"},
		// Only where a word starts: not the "de" of "Model", "puede", "ideas".
		{"Business Model Canvas: se puede definir ideas de negocio", "modelo de negocio",
			"Business Model Canvas: se puede definir ideas de <mark>negocio</mark>"},
		{"Business models and profiles of use", "model of", "Business <mark>model</mark>s and profiles of use"},
		// A query of short words only marks them, as whole words.
		{"AI in the city: an AI plan", "AI", "<mark>AI</mark> in the city: an <mark>AI</mark> plan"},
		{"Design of services", "of", "Design <mark>of</mark> services"},
		// Case folding that changes a letter's length in bytes, and letters beyond ASCII.
		{"ĶEKAVA un Ķekavas novads", "ķekava", "<mark>ĶEKAVA</mark> un <mark>Ķekava</mark>s novads"},
		{"Città metropolitana", "CITTÀ", "<mark>Città</mark> metropolitana"},
		{"ab", "abc", "ab"},
	}
	for _, tt := range tests {
		if got := string(highlight(tt.s, queryWords(tt.q))); got != tt.want {
			t.Errorf("highlight(%q, %q) = %s, want %s", tt.s, tt.q, got, tt.want)
		}
	}
}

type fixture struct {
	h   *Handler
	srv http.Handler
	acc *accounts.Service
	st  *storage.Store
	cat *catalogue.Service
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := storage.Open(filepath.Join(dir, "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ix, err := search.Open(filepath.Join(dir, "index"), search.Options{IsNotFound: func(err error) bool { return errors.Is(err, storage.ErrNotFound) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	ctx, stop := context.WithCancel(context.Background())
	indexed := make(chan struct{})
	go func() { defer close(indexed); ix.Run(ctx, search.StoreSource{St: st}) }()
	t.Cleanup(func() { stop(); <-indexed }) // before the index closes
	uris := protocol.NewURIs("http://node.test")
	cat := catalogue.New(catalogue.Deps{Store: st, Index: ix, URIs: uris, Federation: fakeTrust{}, Trust: fakeTrust{}})
	acc, err := accounts.New(st.Accounts(), accounts.Config{CSRFKey: make([]byte, 32), SessionLifetime: 2 * time.Hour, IdleTimeout: 30 * time.Minute, Hash: accounts.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Deps{Catalogue: func() *catalogue.Service { return cat }, Accounts: func() *accounts.Service { return acc },
		Site: Site{Name: "Comune di Prova", Country: "IT", OrgKind: "public_administration", TrustRole: "leaf"}, URIs: uris})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", h.Sessions(http.HandlerFunc(h.Home)))
	mux.Handle("GET /actor", h.Sessions(http.HandlerFunc(h.Home)))
	mux.Handle("GET /search", h.Sessions(http.HandlerFunc(h.Search)))
	mux.Handle("GET /peers", h.Sessions(http.HandlerFunc(h.Peers)))
	mux.Handle("GET /login", h.Sessions(http.HandlerFunc(h.Login)))
	mux.Handle("POST /login", h.Sessions(http.HandlerFunc(h.LoginPost)))
	mux.Handle("POST /logout", h.Sessions(http.HandlerFunc(h.Logout)))
	mux.Handle("GET /objects/{id}", h.Sessions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Object(w, r, r.PathValue("id")) })))
	mux.Handle("GET /static/", h.Static())
	if _, err := acc.CreateUser(context.Background(), accounts.NewUser{Username: "alice", Role: accounts.RoleEditor, Password: "Secret-Passw0rd!"}); err != nil {
		t.Fatal(err)
	}
	return fixture{h: h, srv: mux, acc: acc, st: st, cat: cat}
}

func (f fixture) do(t *testing.T, method, target string, form url.Values, cookies []*http.Cookie, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

func cookie(t *testing.T, w *httptest.ResponseRecorder, name string) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfField = `name="csrf" value="`

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, csrfField)
	if i < 0 {
		t.Fatalf("no csrf field in %s", body)
	}
	rest := body[i+len(csrfField):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestHomeLanguages(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ al, query, want string }{
		{"", "", "en"}, {"es-ES,es;q=0.9", "", "es"}, {"it", "", "it"}, {"lv", "", "lv"}, {"de", "", "en"}, {"es", "?lang=lv", "lv"},
	} {
		w := f.do(t, http.MethodGet, "/"+c.query, nil, nil, "Accept-Language", c.al)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `<html lang="`+c.want+`">`) {
			t.Errorf("Accept-Language %q%s: %d, want lang %s", c.al, c.query, w.Code, c.want)
		}
		if !strings.Contains(w.Body.String(), `href="/login"`) || !strings.Contains(w.Body.String(), `name="q"`) {
			t.Errorf("the home page lacks the sign-in link or the search box")
		}
		if !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Accept") {
			t.Errorf("no Vary: Accept")
		}
		if c.query != "" {
			lc := cookie(t, w, langCookie)
			if lc == nil || lc.Value != c.want {
				t.Fatalf("?lang= is not remembered: %v", lc)
			}
			w = f.do(t, http.MethodGet, "/", nil, []*http.Cookie{lc}, "Accept-Language", "es")
			if !strings.Contains(w.Body.String(), `<html lang="lv">`) {
				t.Errorf("the lang cookie is not used")
			}
		}
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	get := f.do(t, http.MethodGet, "/login", nil, nil)
	if get.Code != 200 {
		t.Fatalf("GET /login: %d", get.Code)
	}
	pre := cookie(t, get, "interlink_presession")
	if pre == nil || !pre.HttpOnly {
		t.Fatalf("no HttpOnly pre-session cookie: %v", pre)
	}
	tok := csrfOf(t, get.Body.String())
	cases := []struct {
		name    string
		form    url.Values
		cookies []*http.Cookie
		status  int
		text    string
	}{
		{"no csrf", url.Values{"username": {"alice"}, "password": {"Secret-Passw0rd!"}}, []*http.Cookie{pre}, 403, "form expired"},
		{"no pre-session", url.Values{"csrf": {tok}, "username": {"alice"}, "password": {"Secret-Passw0rd!"}}, nil, 403, "form expired"},
		{"no username", url.Values{"csrf": {tok}, "password": {"x"}}, []*http.Cookie{pre}, 400, "Enter your username."},
		{"no password", url.Values{"csrf": {tok}, "username": {"alice"}}, []*http.Cookie{pre}, 400, "Enter your password."},
		{"wrong password", url.Values{"csrf": {tok}, "username": {"alice"}, "password": {"wrong-password-1"}}, []*http.Cookie{pre}, 401, "The username or password is wrong."},
	}
	for _, c := range cases {
		w := f.do(t, http.MethodPost, "/login", c.form, c.cookies)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.text) {
			t.Errorf("%s: %d, want %d with %q", c.name, w.Code, c.status, c.text)
		}
		if cookie(t, w, "interlink_session") != nil {
			t.Errorf("%s: a session cookie was set", c.name)
		}
	}
	w := f.do(t, http.MethodPost, "/login", url.Values{"csrf": {tok}, "username": {"alice"}, "password": {"Secret-Passw0rd!"}, "next": {"//evil.example/"}}, []*http.Cookie{pre})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
		t.Fatalf("sign-in: %d to %q", w.Code, w.Header().Get("Location"))
	}
	sc := cookie(t, w, "interlink_session")
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.Path != "/" {
		t.Fatalf("session cookie: %+v", sc)
	}
	if sc.MaxAge != int((2 * time.Hour).Seconds()) {
		t.Fatalf("session cookie Max-Age %d, want the configured lifetime (2 h)", sc.MaxAge)
	}
	home := f.do(t, http.MethodGet, "/", nil, []*http.Cookie{sc})
	if !strings.Contains(home.Body.String(), "alice") || !strings.Contains(home.Body.String(), `action="/logout"`) {
		t.Fatalf("the home page does not show the signed-in user")
	}
	if !strings.Contains(home.Header().Get("Cache-Control"), "no-store") {
		t.Errorf("a signed-in page may be cached")
	}
	// sign-out needs the session's CSRF token
	if w := f.do(t, http.MethodPost, "/logout", url.Values{"csrf": {"nope"}}, []*http.Cookie{sc}); w.Code != 403 {
		t.Fatalf("sign-out without the token: %d", w.Code)
	}
	out := f.do(t, http.MethodPost, "/logout", url.Values{"csrf": {csrfOf(t, home.Body.String())}}, []*http.Cookie{sc})
	if out.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", out.Code)
	}
	if _, err := f.acc.Lookup(context.Background(), accounts.Secret(sc.Value)); err == nil {
		t.Fatal("the session survived sign-out")
	}
}

func TestLoginLockout(t *testing.T) {
	f := newFixture(t)
	get := f.do(t, http.MethodGet, "/login", nil, nil)
	pre, tok := cookie(t, get, "interlink_presession"), csrfOf(t, get.Body.String())
	var w *httptest.ResponseRecorder
	for range accounts.DefaultMaxFailures + 1 {
		w = f.do(t, http.MethodPost, "/login", url.Values{"csrf": {tok}, "username": {"alice"}, "password": {"wrong-password-1"}}, []*http.Cookie{pre})
	}
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("after %d failures: %d, Retry-After %q", accounts.DefaultMaxFailures+1, w.Code, w.Header().Get("Retry-After"))
	}
}

func TestErrorAndObjectPages(t *testing.T) {
	f := newFixture(t)
	w := f.do(t, http.MethodGet, "/objects/01J00000000000000000000000", nil, nil, "Accept-Language", "it")
	if w.Code != 404 || !strings.Contains(w.Body.String(), "Pagina non trovata") {
		t.Fatalf("missing object: %d %s", w.Code, w.Body.String())
	}
	if w := f.do(t, http.MethodGet, "/static/style.css", nil, nil); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("style.css: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}
