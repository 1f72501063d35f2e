package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// fakeFedAdmin records the admin pages' federation changes.
type fakeFedAdmin struct {
	mu        sync.Mutex
	calls     []string
	following []Follow
	followers []Follow
	dead      []DeadLetter
}

func (f *fakeFedAdmin) note(s string) { f.mu.Lock(); f.calls = append(f.calls, s); f.mu.Unlock() }

func (f *fakeFedAdmin) called(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if c == s {
			return true
		}
	}
	return false
}

func (f *fakeFedAdmin) Follow(_ context.Context, target string) (Follow, error) {
	if strings.Contains(target, "down.example") {
		return Follow{}, errors.New("GET https://down.example/.well-known/webfinger: connection refused")
	}
	f.note("follow " + target)
	return Follow{Actor: "https://peer.example/actor", State: "pending"}, nil
}

func (f *fakeFedAdmin) Unfollow(_ context.Context, actor string) error {
	if actor == "https://unknown.example/actor" {
		return fmt.Errorf("%w: no follow", ErrNotFound)
	}
	f.note("unfollow " + actor)
	return nil
}

func (f *fakeFedAdmin) Follows(_ context.Context, followers bool) ([]Follow, error) {
	if followers {
		return f.followers, nil
	}
	return f.following, nil
}

func (f *fakeFedAdmin) Decide(_ context.Context, actor string, approve bool) error {
	f.note(fmt.Sprintf("decide %s %v", actor, approve))
	return nil
}

func (f *fakeFedAdmin) DeadLetters(_ context.Context, cursor string) ([]DeadLetter, string, error) {
	if cursor == "" {
		return f.dead, "next-page", nil
	}
	return nil, "", nil
}

func (f *fakeFedAdmin) Replay(_ context.Context, id string) error {
	if id != "00000000000000a1" {
		return fmt.Errorf("%w: letter %s", ErrNotFound, id)
	}
	f.note("replay " + id)
	return nil
}

// fakeTokens keeps tokens in memory.
type fakeTokens struct {
	mu     sync.Mutex
	tokens []Token
}

func (f *fakeTokens) CreateToken(_ context.Context, name string, role accounts.Role, expires time.Time) (Token, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := Token{ID: fmt.Sprintf("tok%d", len(f.tokens)+1), Name: name, Role: role, Created: time.Now(), Expires: expires}
	f.tokens = append(f.tokens, t)
	return t, "itk_SECRET_" + t.ID, nil
}

func (f *fakeTokens) Tokens(context.Context) ([]Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Token(nil), f.tokens...), nil
}

func (f *fakeTokens) RevokeToken(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, t := range f.tokens {
		if t.ID == id {
			f.tokens = append(f.tokens[:i], f.tokens[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%w: token %s", ErrNotFound, id)
}

// who is a signed-in person: the session cookie and the forms' CSRF token.
type who struct {
	cookies []*http.Cookie
	csrf    string
}

// adminFixture is the page fixture with the admin, co-signing and object
// routes mounted, an admin "root", an editor "alice" and a reader "rita".
type adminFixture struct {
	fixture
	fed    *fakeFedAdmin
	tokens *fakeTokens
	admin  who
	editor who
	reader who
}

func newAdminFixture(t *testing.T) adminFixture {
	t.Helper()
	f := newFixture(t)
	mux := f.srv.(*http.ServeMux)
	s := func(h http.HandlerFunc) http.Handler { return f.h.Sessions(h) }
	id := func(h func(http.ResponseWriter, *http.Request, string)) http.Handler {
		return s(func(w http.ResponseWriter, r *http.Request) { h(w, r, r.PathValue("id")) })
	}
	mux.Handle("GET /admin", s(f.h.Admin().AdminHome))
	mux.Handle("GET /admin/follows", s(f.h.Admin().AdminFollows))
	mux.Handle("POST /admin/follows", s(f.h.Admin().AdminFollow))
	mux.Handle("POST /admin/follows/unfollow", s(f.h.Admin().AdminUnfollow))
	mux.Handle("POST /admin/followers/accept", s(f.h.Admin().AdminDecide(true)))
	mux.Handle("POST /admin/followers/reject", s(f.h.Admin().AdminDecide(false)))
	mux.Handle("GET /admin/deadletters", s(f.h.Admin().AdminDeadLetters))
	mux.Handle("POST /admin/deadletters/replay", s(f.h.Admin().AdminReplay))
	mux.Handle("GET /admin/users", s(f.h.Admin().AdminUsers))
	mux.Handle("POST /admin/users", s(f.h.Admin().AdminUserCreate))
	mux.Handle("POST /admin/users/{id}", id(f.h.Admin().AdminUserChange))
	mux.Handle("GET /admin/tokens", s(f.h.Admin().AdminTokens))
	mux.Handle("POST /admin/tokens", s(f.h.Admin().AdminTokenCreate))
	mux.Handle("POST /admin/tokens/revoke", s(f.h.Admin().AdminTokenRevoke))
	mux.Handle("GET /admin/audit", s(f.h.Admin().AdminAudit))
	mux.Handle("GET /cosign", s(f.h.Uses().CosignInbox))
	mux.Handle("GET /cosign/{id}", id(f.h.Uses().CosignRequest))
	mux.Handle("POST /cosign/{id}/approve", id(f.h.Uses().CosignAnswer(true)))
	mux.Handle("POST /cosign/{id}/reject", id(f.h.Uses().CosignAnswer(false)))
	mux.Handle("GET /objects/{id}/diff", id(f.h.Uses().ObjectDiff))
	mux.Handle("POST /objects/{id}/adopt", id(f.h.Uses().Adopt))
	mux.Handle("POST /objects/{id}/rate", id(f.h.Uses().Rate))
	af := adminFixture{fixture: f, fed: &fakeFedAdmin{}, tokens: &fakeTokens{}}
	f.h.d.FederationAdmin, f.h.d.Tokens = af.fed, af.tokens
	ctx := context.Background()
	for _, u := range []accounts.NewUser{{Username: "root", Role: accounts.RoleAdmin, Password: "Root-Passw0rd-long"},
		{Username: "rita", Role: accounts.RoleReader, Password: "Rita-Passw0rd-long"}} {
		if _, err := f.acc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	af.admin = af.as(t, "root", "Root-Passw0rd-long")
	af.editor = af.as(t, "alice", "Secret-Passw0rd!")
	af.reader = af.as(t, "rita", "Rita-Passw0rd-long")
	return af
}

// as signs username in and returns the session.
func (f adminFixture) as(t *testing.T, username, password string) who {
	t.Helper()
	secret, _, err := f.acc.Authenticate(context.Background(), username, password, accounts.Client{Address: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	return who{cookies: []*http.Cookie{{Name: "interlink_session", Value: secret.Reveal()}}, csrf: f.acc.CSRFToken(secret)}
}

// post sends form (with w's CSRF token unless form has one) as w.
func (f adminFixture) post(t *testing.T, w who, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", w.csrf)
	}
	return f.do(t, http.MethodPost, path, form, w.cookies)
}

// audited reports whether the audit list has action on target by username.
func (f adminFixture) audited(t *testing.T, username, action, target string) bool {
	t.Helper()
	es, _, err := f.acc.ListAudit(context.Background(), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Username == username && e.Action == action && (target == "" || e.Target == target) {
			return true
		}
	}
	return false
}

func wantRedirect(t *testing.T, w *httptest.ResponseRecorder, prefix string) {
	t.Helper()
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), prefix) {
		t.Fatalf("got %d to %q, want 303 to %s…: %s", w.Code, w.Header().Get("Location"), prefix, w.Body.String())
	}
}

func wantPage(t *testing.T, w *httptest.ResponseRecorder, status int, texts ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("got %d, want %d: %s", w.Code, status, w.Body.String())
	}
	for _, s := range texts {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("the page lacks %q", s)
		}
	}
}

// TestAdminPagesRefuse: every admin page and form sends a visitor to
// /login, shows the 403 page to an editor, and refuses a form without the
// session's CSRF token.
func TestAdminPagesRefuse(t *testing.T) {
	f := newAdminFixture(t)
	for _, p := range []string{"/admin", "/admin/follows", "/admin/deadletters", "/admin/users", "/admin/tokens", "/admin/audit"} {
		wantRedirect(t, f.do(t, http.MethodGet, p, nil, nil), "/login?next="+url.QueryEscape(p))
		wantPage(t, f.do(t, http.MethodGet, p, nil, f.editor.cookies), http.StatusForbidden)
		wantPage(t, f.do(t, http.MethodGet, p, nil, f.admin.cookies), http.StatusOK)
	}
	// the navigation offers what the person may use
	for _, c := range []struct {
		cookies       []*http.Cookie
		cosign, admin bool
	}{{nil, false, false}, {f.reader.cookies, false, false}, {f.editor.cookies, true, false}, {f.admin.cookies, true, true}} {
		body := f.do(t, http.MethodGet, "/", nil, c.cookies).Body.String()
		if strings.Contains(body, `href="/cosign"`) != c.cosign || strings.Contains(body, `href="/admin"`) != c.admin {
			t.Errorf("navigation: /cosign %v /admin %v wanted", c.cosign, c.admin)
		}
	}
	uid := f.userID(t, "alice")
	for _, p := range []string{"/admin/follows", "/admin/follows/unfollow", "/admin/followers/accept", "/admin/followers/reject",
		"/admin/deadletters/replay", "/admin/users", "/admin/users/" + uid, "/admin/tokens", "/admin/tokens/revoke"} {
		form := url.Values{"target": {"https://peer.example/actor"}, "actor": {"https://peer.example/actor"}, "id": {"00000000000000a1"}, "op": {"disable"}}
		wantRedirect(t, f.do(t, http.MethodPost, p, form, nil), "/login")
		wantPage(t, f.post(t, f.editor, p, form), http.StatusForbidden)
		bad := url.Values{"csrf": {"forged"}}
		for k, v := range form {
			bad[k] = v
		}
		wantPage(t, f.post(t, f.admin, p, bad), http.StatusForbidden)
	}
	// a signed-out post goes to sign-in, then back to the form's page
	wantRedirect(t, f.do(t, http.MethodPost, "/admin/follows", url.Values{}, nil, "Referer", "http://example.com/admin/follows?lang=it"), "/login?next=%2Fadmin%2Ffollows%3Flang%3Dit")
	wantRedirect(t, f.do(t, http.MethodPost, "/admin/follows", url.Values{}, nil, "Referer", "https://evil.example/x"), "/login?next=%2F")
	if len(f.fed.calls) != 0 || len(f.tokens.tokens) != 0 {
		t.Fatalf("a refused form changed something: %v", f.fed.calls)
	}
	if u, _ := f.acc.UserByUsername(context.Background(), "alice"); u.Disabled {
		t.Fatal("a refused form disabled alice")
	}
}

func (f adminFixture) userID(t *testing.T, name string) string {
	t.Helper()
	u, err := f.acc.UserByUsername(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestAdminFollows(t *testing.T) {
	f := newAdminFixture(t)
	since := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	f.fed.following = []Follow{{Actor: "https://rix.example/actor", State: "accepted", Since: since}}
	f.fed.followers = []Follow{{Actor: "https://zgz.example/actor", State: "pending", Since: since}, {Actor: "https://ham.example/actor", State: "accepted"}}
	wantPage(t, f.do(t, http.MethodGet, "/admin/follows?lang=en", nil, f.admin.cookies), 200, "https://rix.example/actor", "1 waiting for a decision",
		`action="/admin/followers/accept"`, `value="https://zgz.example/actor"`, "Unfollow")
	for _, c := range []struct {
		name, target string
		status       int
		text         string
	}{
		{"empty", "", http.StatusUnprocessableEntity, `<a href="#target">Enter the node&#39;s address or handle.</a>`},
		{"not an address", "peer example", http.StatusUnprocessableEntity, "Enter an https:// address"},
		{"no scheme", "peer.example", http.StatusUnprocessableEntity, "Enter an https:// address"},
		{"unreachable", "https://down.example/actor", http.StatusBadGateway, "connection refused"},
	} {
		w := f.post(t, f.admin, "/admin/follows?lang=en", url.Values{"target": {c.target}})
		wantPage(t, w, c.status, c.text, `aria-invalid="true"`)
	}
	wantRedirect(t, f.post(t, f.admin, "/admin/follows", url.Values{"target": {"acct:node@peer.example"}}), "/admin/follows?done=followed")
	if !f.fed.called("follow acct:node@peer.example") || !f.audited(t, "root", actionFollow, "https://peer.example/actor") {
		t.Fatalf("follow not made or not audited: %v", f.fed.calls)
	}
	wantPage(t, f.do(t, http.MethodGet, "/admin/follows?done=followed&lang=es", nil, f.admin.cookies), 200, "Solicitud de seguimiento enviada.")
	if strings.Contains(f.do(t, http.MethodGet, "/admin/follows?done=<b>x</b>", nil, f.admin.cookies).Body.String(), "<b>x") {
		t.Fatal("a link makes the page say anything")
	}
	wantRedirect(t, f.post(t, f.admin, "/admin/follows/unfollow", url.Values{"actor": {"https://rix.example/actor"}}), "/admin/follows?done=unfollowed")
	wantPage(t, f.post(t, f.admin, "/admin/follows/unfollow", url.Values{"actor": {"https://unknown.example/actor"}}), http.StatusNotFound)
	wantPage(t, f.post(t, f.admin, "/admin/follows/unfollow", url.Values{}), http.StatusBadRequest)
	wantRedirect(t, f.post(t, f.admin, "/admin/followers/accept", url.Values{"actor": {"https://zgz.example/actor"}}), "/admin/follows?done=accepted")
	wantRedirect(t, f.post(t, f.admin, "/admin/followers/reject", url.Values{"actor": {"https://ham.example/actor"}}), "/admin/follows?done=rejected")
	for _, c := range []string{"unfollow https://rix.example/actor", "decide https://zgz.example/actor true", "decide https://ham.example/actor false"} {
		if !f.fed.called(c) {
			t.Errorf("not called: %s", c)
		}
	}
	for _, a := range []string{actionUnfollow, actionAcceptFollow, actionRejectFollow} {
		if !f.audited(t, "root", a, "") {
			t.Errorf("%s not audited", a)
		}
	}
	f.h.d.FederationAdmin = nil
	wantPage(t, f.do(t, http.MethodGet, "/admin/follows?lang=en", nil, f.admin.cookies), 200, "This node runs no federation.")
}

func TestAdminDeadLetters(t *testing.T) {
	f := newAdminFixture(t)
	f.fed.dead = []DeadLetter{{ID: "00000000000000a1", Activity: "https://node.test/activities/1", Inbox: "https://peer.example/inbox",
		Attempts: 12, LastStatus: 503, LastError: "503 Service Unavailable", Reason: "too many attempts"}}
	wantPage(t, f.do(t, http.MethodGet, "/admin/deadletters?lang=it", nil, f.admin.cookies), 200, "https://node.test/activities/1", "503 Service Unavailable",
		"Consegna di nuovo", `href="/admin/deadletters?cursor=next-page"`)
	wantPage(t, f.do(t, http.MethodGet, "/admin/deadletters?cursor=next-page&lang=en", nil, f.admin.cookies), 200, "No failed deliveries.")
	wantRedirect(t, f.post(t, f.admin, "/admin/deadletters/replay", url.Values{"id": {"00000000000000a1"}}), "/admin/deadletters?done=replayed")
	if !f.fed.called("replay 00000000000000a1") || !f.audited(t, "root", actionReplay, "00000000000000a1") {
		t.Fatal("replay not made or not audited")
	}
	wantPage(t, f.post(t, f.admin, "/admin/deadletters/replay", url.Values{"id": {"ffffffffffffffff"}}), http.StatusNotFound)
	wantPage(t, f.post(t, f.admin, "/admin/deadletters/replay", url.Values{}), http.StatusBadRequest)
}
