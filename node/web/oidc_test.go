package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	opstorage "github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"go.uber.org/goleak"
	"golang.org/x/text/language"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/oidc"
	"github.com/interlink-project/interlink-node/storage"
)

// The tests of sign-in with an identity provider run a real OpenID
// provider in the test process: zitadel/oidc's op package with its example
// storage and login form (example/server), on 127.0.0.2, completed by a
// groups claim per user. The node's pages run on 127.0.0.1; a browser is an
// http.Client with a cookie jar that fills in the provider's login form.

const (
	opClientID     = "interlink-node"
	opClientSecret = "s3cret-never-logged-7f2a9c"
	opPassword     = "verysecure"
)

// opUsers is the provider's user store, with each user's groups.
type opUsers struct {
	mu     sync.Mutex
	users  map[string]*opstorage.User
	groups map[string][]string
}

func (u *opUsers) GetUserByID(id string) *opstorage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.users[id]
}

func (u *opUsers) GetUserByUsername(name string) *opstorage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, x := range u.users {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (u *opUsers) ExampleClientID() string { return "service" }

func (u *opUsers) add(id, username, name string, groups ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	first, last, _ := strings.Cut(name, " ")
	u.users[id] = &opstorage.User{ID: id, Username: username, Password: opPassword, FirstName: first, LastName: last,
		Email: username + "@example.org", EmailVerified: true, PreferredLanguage: language.Italian}
	u.groups[id] = groups
}

func (u *opUsers) setGroups(id string, groups ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.groups[id] = groups
}

func (u *opUsers) groupsOf(id string) []any {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := []any{}
	for _, g := range u.groups[id] {
		out = append(out, g)
	}
	return out
}

// opStore is the example storage, with a groups claim in the id_token and
// at the userinfo endpoint, and a switch that makes it put another nonce
// in the id_token (a provider, or a man in the middle, answering another
// flow).
type opStore struct {
	*opstorage.Storage
	users    *opUsers
	mu       sync.Mutex
	badNonce bool
}

func (s *opStore) CreateAuthRequest(ctx context.Context, req *zoidc.AuthRequest, userID string) (op.AuthRequest, error) {
	s.mu.Lock()
	if s.badNonce {
		req.Nonce = "a-nonce-of-another-flow"
	}
	s.mu.Unlock()
	return s.Storage.CreateAuthRequest(ctx, req, userID)
}

func (s *opStore) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	ui.AppendClaims("groups", s.users.groupsOf(req.GetSubject()))
	return nil
}

func (s *opStore) SetUserinfoFromToken(ctx context.Context, ui *zoidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	ui.AppendClaims("groups", s.users.groupsOf(ui.Subject))
	return nil
}

// syncBuffer is a log sink the servers' goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type oidcFixture struct {
	node   *httptest.Server
	op     *httptest.Server
	store  *opStore
	users  *opUsers
	acc    *accounts.Service
	logs   *syncBuffer
	issuer string
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s (loopback aliases needed): %v", addr, err)
	}
	return l
}

func newOIDCFixture(t *testing.T) *oidcFixture {
	t.Helper()
	// Registered first, so run last: after the servers closed, nothing the
	// sign-ins started (key set fetches, connections) is left running.
	running := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		goleak.VerifyNone(t, running)
	})
	f := &oidcFixture{logs: &syncBuffer{}, users: &opUsers{users: map[string]*opstorage.User{}, groups: map[string][]string{}}}
	logger := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	f.node = httptest.NewUnstartedServer(nil)
	f.node.Listener.Close()
	f.node.Listener = listen(t, "127.0.0.1:0")
	nodeURL := "http://" + f.node.Listener.Addr().String()
	callback := nodeURL + "/login/oidc/callback"

	f.op = httptest.NewUnstartedServer(nil)
	f.op.Listener.Close()
	f.op.Listener = listen(t, "127.0.0.2:0")
	f.issuer = "http://" + f.op.Listener.Addr().String()
	clients := map[string]*opstorage.Client{opClientID: opstorage.WebClient(opClientID, opClientSecret, callback)}
	f.store = &opStore{Storage: opstorage.NewStorageWithClients(f.users, clients), users: f.users}
	f.op.Config.Handler = exampleop.SetupServer(f.issuer, f.store, nil, false)
	f.op.Start()
	t.Cleanup(f.op.Close)

	st, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.acc, err = accounts.New(st.Accounts(), accounts.Config{CSRFKey: make([]byte, 32), Logger: logger,
		Hash: accounts.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := oidc.New(oidc.Config{Issuer: f.issuer, ClientID: opClientID, ClientSecret: opClientSecret,
		RedirectURL: callback, ProviderName: "Comune ID", Scopes: []string{"openid", "profile", "email"},
		Roles:  oidc.RoleMapping{Claim: "groups", Admin: []string{"node-admins"}, Editor: []string{"editors"}, Reader: []string{"staff"}},
		Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Deps{Accounts: func() *accounts.Service { return f.acc }, OIDC: rp, Logger: logger,
		Site: Site{Name: "Comune di Prova", Country: "IT", OrgKind: "public_administration"}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /login", h.Sessions(http.HandlerFunc(h.Login)))
	mux.Handle("GET /login/oidc", h.Sessions(http.HandlerFunc(h.OIDC().OIDCStart)))
	mux.Handle("GET /login/oidc/callback", h.Sessions(http.HandlerFunc(h.OIDC().OIDCCallback)))
	f.node.Config.Handler = mux
	f.node.Start()
	t.Cleanup(f.node.Close)
	return f
}

// browser is a person's browser: a cookie jar, redirects followed except
// the provider's redirect to the node's callback and the callback's own
// (kept for the test).
type browser struct {
	c *http.Client
}

func (f *oidcFixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/login/oidc/callback" || via[len(via)-1].URL.Path == "/login/oidc/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{c: c}
}

func (b *browser) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", "it")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp, buf.String()
}

// toCallback starts a sign-in at the node and signs in at the provider as
// username; it returns the callback URL the provider sends the browser to.
func (f *oidcFixture) toCallback(t *testing.T, b *browser, username, next string) string {
	t.Helper()
	resp, body := b.get(t, f.node.URL+"/login/oidc?next="+url.QueryEscape(next))
	id := resp.Request.URL.Query().Get("authRequestID")
	if resp.StatusCode != http.StatusOK || id == "" || !strings.HasPrefix(resp.Request.URL.String(), f.issuer+"/login/username") {
		t.Fatalf("the start did not reach the provider's login form: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	resp, err := b.c.PostForm(f.issuer+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {opPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, f.node.URL+"/login/oidc/callback?") {
		t.Fatalf("the provider did not send the browser to the callback: %d %q", resp.StatusCode, loc)
	}
	return loc
}

// signIn goes through the whole flow and returns the callback's answer.
func (f *oidcFixture) signIn(t *testing.T, b *browser, username, next string) (*http.Response, string) {
	t.Helper()
	return b.get(t, f.toCallback(t, b, username, next))
}

func (f *oidcFixture) sessionUser(t *testing.T, b *browser) (accounts.User, bool) {
	t.Helper()
	u, _ := url.Parse(f.node.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "interlink_session" {
			s, err := f.acc.Lookup(context.Background(), accounts.Secret(c.Value))
			if err != nil {
				return accounts.User{}, false
			}
			return s.User, true
		}
	}
	return accounts.User{}, false
}

func TestOIDCSignIn(t *testing.T) {
	f := newOIDCFixture(t)
	f.users.add("u-anna", "anna.rossi", "Anna Rossi", "staff", "editors")
	b := f.browser(t)

	_, body := b.get(t, f.node.URL+"/login?next=/search")
	if !strings.Contains(body, `href="/login/oidc?next=%2fsearch"`) || !strings.Contains(body, "Accedi con Comune ID") {
		t.Fatalf("the login page has no link to the provider:\n%s", body)
	}
	resp, body := f.signIn(t, b, "anna.rossi", "/search")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/search" {
		t.Fatalf("callback: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "interlink_session" && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax", c)
		}
	}
	u, ok := f.sessionUser(t, b)
	if !ok || u.Username != "anna.rossi" || u.Role != accounts.RoleEditor || u.DisplayName != "Anna Rossi" ||
		u.HasPassword || u.OIDCIssuer != f.issuer || u.OIDCSubject != "u-anna" {
		t.Fatalf("session user = %+v (ok %v)", u, ok)
	}
	es, _, err := f.acc.ListAudit(context.Background(), 0, 10)
	if err != nil || len(es) != 1 || es[0].Action != accounts.ActionExternalCreate || es[0].UserID != u.ID {
		t.Fatalf("audit = %+v, %v", es, err)
	}

	// The role follows the groups at the next sign-in, and is audited.
	f.users.setGroups("u-anna", "staff", "node-admins")
	b2 := f.browser(t)
	if resp, body := f.signIn(t, b2, "anna.rossi", "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d\n%s", resp.StatusCode, body)
	}
	u2, _ := f.sessionUser(t, b2)
	if u2.ID != u.ID || u2.Role != accounts.RoleAdmin {
		t.Fatalf("after the groups changed: %+v, want the same account as admin", u2)
	}
	if es, _, _ := f.acc.ListAudit(context.Background(), 0, 10); len(es) != 2 || es[0].Action != accounts.ActionExternalRole ||
		es[0].Detail != "editor → admin" {
		t.Fatalf("audit = %+v", es)
	}
	if users, _ := f.acc.List(context.Background()); len(users) != 1 {
		t.Fatalf("%d accounts, want 1", len(users))
	}
}

func TestOIDCRefusals(t *testing.T) {
	f := newOIDCFixture(t)
	f.users.add("u-bea", "bea", "Bea Verdi", "editors")
	f.users.add("u-carlo", "carlo", "Carlo Neri", "visitors")

	refused := func(t *testing.T, resp *http.Response, body string, status int, msg string) {
		t.Helper()
		if resp.StatusCode != status || !strings.Contains(body, msg) || !strings.Contains(body, `role="alert"`) {
			t.Fatalf("status %d (want %d), want %q on the page:\n%s", resp.StatusCode, status, msg, body)
		}
		if c := resp.Cookies(); len(c) > 0 {
			for _, c := range c {
				if c.Name == "interlink_session" && c.Value != "" {
					t.Fatalf("a refused sign-in set a session cookie")
				}
			}
		}
	}

	t.Run("wrong state", func(t *testing.T) {
		b := f.browser(t)
		cb := f.toCallback(t, b, "bea", "/")
		u, _ := url.Parse(cb)
		q := u.Query()
		q.Set("state", "forged-"+q.Get("state"))
		u.RawQuery = q.Encode()
		resp, body := b.get(t, u.String())
		refused(t, resp, body, http.StatusBadRequest, "Questo accesso è scaduto")
		// The flow is used up: the genuine callback fails too.
		resp, body = b.get(t, cb)
		refused(t, resp, body, http.StatusBadRequest, "Questo accesso è scaduto")
	})

	t.Run("denied at the provider", func(t *testing.T) {
		b := f.browser(t)
		stop := &http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := stop.Get(f.node.URL + "/login/oidc?next=/search")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		auth, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(auth.String(), f.issuer) {
			t.Fatalf("start: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		q := auth.Query()
		if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("nonce") == "" ||
			q.Get("redirect_uri") != f.node.URL+"/login/oidc/callback" || q.Get("response_type") != "code" {
			t.Fatalf("authorization request lacks PKCE, nonce or the callback: %v", q)
		}
		// The person cancels at the provider, which says so to the callback.
		cb := f.node.URL + "/login/oidc/callback?" + url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}.Encode()
		r, body := b.get(t, cb)
		refused(t, r, body, http.StatusUnauthorized, "Comune ID non ha effettuato l&#39;accesso")
		if !strings.Contains(body, `href="/login/oidc?next=%2fsearch"`) {
			t.Errorf("the refusal page does not offer to try again towards /search:\n%s", body)
		}
	})

	t.Run("no flow cookie", func(t *testing.T) {
		b := f.browser(t)
		cb := f.toCallback(t, b, "bea", "/")
		resp, body := f.browser(t).get(t, cb) // another browser: the login CSRF a flow cookie stops
		refused(t, resp, body, http.StatusBadRequest, "Questo accesso è scaduto")
	})

	t.Run("replayed code", func(t *testing.T) {
		b := f.browser(t)
		cb := f.toCallback(t, b, "bea", "/")
		if resp, body := b.get(t, cb); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: %d\n%s", resp.StatusCode, body)
		}
		resp, body := b.get(t, cb) // the same callback again
		refused(t, resp, body, http.StatusBadRequest, "Questo accesso è scaduto")
		// The used code with a fresh flow's state: the provider refuses it.
		first, _ := url.Parse(cb)
		fresh, _ := url.Parse(f.toCallback(t, b, "bea", "/"))
		q := fresh.Query()
		q.Set("code", first.Query().Get("code"))
		fresh.RawQuery = q.Encode()
		resp, body = b.get(t, fresh.String())
		refused(t, resp, body, http.StatusUnauthorized, "Non è stato possibile verificare")
		if !strings.Contains(f.logs.String(), "refused the authorization code") {
			t.Errorf("the provider's refusal is not logged")
		}
	})

	t.Run("nonce mismatch", func(t *testing.T) {
		f.store.mu.Lock()
		f.store.badNonce = true
		f.store.mu.Unlock()
		defer func() { f.store.mu.Lock(); f.store.badNonce = false; f.store.mu.Unlock() }()
		b := f.browser(t)
		resp, body := f.signIn(t, b, "bea", "/")
		refused(t, resp, body, http.StatusUnauthorized, "Non è stato possibile verificare")
		if !strings.Contains(f.logs.String(), "nonce does not match") {
			t.Errorf("the nonce mismatch is not logged")
		}
	})

	t.Run("unmapped groups", func(t *testing.T) {
		b := f.browser(t)
		resp, body := f.signIn(t, b, "carlo", "/")
		refused(t, resp, body, http.StatusForbidden, "Il tuo account su Comune ID non ti dà alcun ruolo")
		if _, err := f.acc.UserByUsername(context.Background(), "carlo"); err == nil {
			t.Fatal("an account was made for a person without a role")
		}
	})

	t.Run("role taken away", func(t *testing.T) {
		f.users.add("u-ezio", "ezio", "Ezio Grigi", "editors")
		b := f.browser(t)
		if resp, body := f.signIn(t, b, "ezio", "/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d\n%s", resp.StatusCode, body)
		}
		f.users.setGroups("u-ezio", "former-staff")
		resp, body := f.signIn(t, f.browser(t), "ezio", "/")
		refused(t, resp, body, http.StatusForbidden, "non ti dà alcun ruolo")
		if _, ok := f.sessionUser(t, b); ok {
			t.Fatal("the session of an account whose role is gone still works")
		}
		es, _, _ := f.acc.ListAudit(context.Background(), 0, 1)
		if len(es) != 1 || es[0].Action != accounts.ActionExternalRefused || es[0].Username != "ezio" {
			t.Fatalf("audit = %+v", es)
		}
	})

	t.Run("disabled account", func(t *testing.T) {
		b := f.browser(t)
		if resp, body := f.signIn(t, b, "bea", "/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first sign-in: %d\n%s", resp.StatusCode, body)
		}
		u, err := f.acc.UserByUsername(context.Background(), "bea")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.acc.Disable(context.Background(), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, ok := f.sessionUser(t, b); ok {
			t.Fatal("the disabled account's session still works")
		}
		f.users.setGroups("u-bea", "node-admins")
		resp, body := f.signIn(t, f.browser(t), "bea", "/")
		refused(t, resp, body, http.StatusForbidden, "account è disattivato")
		if u2, _ := f.acc.User(context.Background(), u.ID); u2.Role != accounts.RoleEditor || !u2.Disabled {
			t.Fatalf("a refused sign-in changed the disabled account: %+v", u2)
		}
	})

	t.Run("provider down", func(t *testing.T) {
		rp, err := oidc.New(oidc.Config{Issuer: "http://127.0.0.3:1", ClientID: "x", RedirectURL: f.node.URL + "/login/oidc/callback",
			Roles: oidc.RoleMapping{Default: accounts.RoleReader}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := New(Deps{Accounts: func() *accounts.Service { return f.acc }, OIDC: rp})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/login/oidc?next=/x", nil)
		r.Header.Set("Accept-Language", "lv")
		h.Sessions(http.HandlerFunc(h.OIDC().OIDCStart)).ServeHTTP(w, r)
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "127.0.0.3 pašlaik nav sasniedzams") {
			t.Fatalf("provider down: %d\n%s", w.Code, w.Body.String())
		}
	})

	if strings.Contains(f.logs.String(), opClientSecret) {
		t.Fatal("the client secret is in the logs")
	}
}

// TestOIDCSecretNeverLogged: a whole sign-in logged at debug level, and
// the relying party's configuration printed and logged, never show the
// client secret.
func TestOIDCSecretNeverLogged(t *testing.T) {
	f := newOIDCFixture(t)
	f.users.add("u-dario", "dario", "Dario Blu", "staff")
	if resp, body := f.signIn(t, f.browser(t), "dario", "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d\n%s", resp.StatusCode, body)
	}
	cfg := oidc.Config{Issuer: f.issuer, ClientID: opClientID, ClientSecret: opClientSecret}
	slog.New(slog.NewJSONHandler(f.logs, nil)).Info("config", "oidc", cfg, "secret", cfg.ClientSecret)
	var printed bytes.Buffer
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		printed.WriteString(strings.ReplaceAll(format, "%", "") + ": ")
		_, _ = printed.WriteString(fmt.Sprintf(format, cfg) + fmt.Sprintf(format, cfg.ClientSecret) + "\n")
	}
	for what, s := range map[string]string{"logs": f.logs.String(), "printed": printed.String()} {
		if strings.Contains(s, opClientSecret) {
			t.Errorf("the client secret is in the %s:\n%s", what, s)
		}
	}
	if !strings.Contains(f.logs.String(), "signed in with the identity provider") {
		t.Errorf("the sign-in was not logged at all (the check above proves nothing):\n%s", f.logs.String())
	}
}
