package node

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	opstorage "github.com/zitadel/oidc/v3/example/server/storage"
)

func TestOIDCConfig(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("file-secret-9c1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"INTERLINK_OIDC_ISSUER=https://id.example.gov/realms/city", "INTERLINK_OIDC_CLIENT_ID=interlink",
		"INTERLINK_OIDC_ROLE_CLAIM=groups", "INTERLINK_OIDC_ROLES_EDITOR=editors, redazione"}
	for _, c := range []struct {
		name string
		env  []string
		want string // "" valid
	}{
		{"valid", base, ""},
		{"off", nil, ""},
		{"loopback http", append(base, "INTERLINK_OIDC_ISSUER=http://127.0.0.2:9998"), ""},
		{"default only", []string{"INTERLINK_OIDC_ISSUER=https://id.example.gov", "INTERLINK_OIDC_CLIENT_ID=x", "INTERLINK_OIDC_DEFAULT_ROLE=Reader"}, ""},
		{"plain http", append(base, "INTERLINK_OIDC_ISSUER=http://id.example.gov"), "setting oidc.issuer"},
		{"no client id", []string{base[0], base[2], base[3]}, "setting oidc.client_id"},
		{"two secrets", append(base, "INTERLINK_OIDC_CLIENT_SECRET=x", "INTERLINK_OIDC_CLIENT_SECRET_FILE="+secretFile), "setting oidc.client_secret"},
		{"missing secret file", append(base, "INTERLINK_OIDC_CLIENT_SECRET_FILE="+filepath.Join(dir, "nope")), "setting oidc.client_secret_file"},
		{"empty secret file", append(base, "INTERLINK_OIDC_CLIENT_SECRET_FILE="+empty), "setting oidc.client_secret_file"},
		{"bad default role", append(base, "INTERLINK_OIDC_DEFAULT_ROLE=owner"), "setting oidc.default_role"},
		{"roles without claim", []string{base[0], base[1], base[3]}, "setting oidc.role_claim"},
		{"claim without roles", []string{base[0], base[1], base[2]}, "setting oidc.roles"},
		{"nobody", []string{base[0], base[1]}, "setting oidc.role_claim"},
		{"settings without issuer", []string{base[1]}, "setting oidc.issuer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Defaults()
			err := cfg.LoadEnv(c.env)
			if err == nil {
				err = cfg.Validate()
			}
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("error %v, want one naming %q", err, c.want)
			}
		})
	}

	cfg := Defaults()
	if err := cfg.LoadEnv(append(base, "INTERLINK_OIDC_CLIENT_SECRET_FILE="+secretFile)); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	rp := cfg.OIDC.relyingParty(cfg.PublicURL, nil, nil)
	if rp.ClientSecret.Reveal() != "file-secret-9c1" || rp.RedirectURL != "http://127.0.0.1:8080/login/oidc/callback" ||
		strings.Join(cfg.OIDC.Roles.Editor, "|") != "editors|redazione" {
		t.Fatalf("relying party: redirect %q, editors %q", rp.RedirectURL, cfg.OIDC.Roles.Editor)
	}
	cfg.OIDC.ClientSecret = "env-secret-3b7"
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "oidc", cfg.OIDC)
	for _, out := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg.OIDC), logged.String()} {
		if strings.Contains(out, "secret-9c1") || strings.Contains(out, "secret-3b7") {
			t.Fatalf("the client secret is shown: %s", out)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestOIDCNode signs a person in through a whole node, its configuration
// from the environment with the client secret in a file, against
// zitadel/oidc's example OpenID provider on 127.0.0.2: the login page
// links to the provider, the callback starts a session the pages know,
// and the debug log never shows the secret.
func TestOIDCNode(t *testing.T) {
	const secret = "node-test-secret-5e8d"
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "oidc-secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t, "127.0.0.1")
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no loopback alias 127.0.0.2: %v", err)
	}
	op := httptest.NewUnstartedServer(nil)
	op.Listener.Close()
	op.Listener = l
	issuer := "http://" + l.Addr().String()
	clients := map[string]*opstorage.Client{"node": opstorage.WebClient("node", secret, "http://"+addr+"/login/oidc/callback")}
	op.Config.Handler = exampleop.SetupServer(issuer, opstorage.NewStorageWithClients(opstorage.NewUserStore(issuer), clients), nil, false)
	op.Start()
	defer op.Close()

	cfg := Defaults()
	cfg.Data, cfg.Listen = filepath.Join(dir, "data"), addr
	if err := cfg.LoadEnv([]string{"INTERLINK_OIDC_ISSUER=" + issuer, "INTERLINK_OIDC_CLIENT_ID=node",
		"INTERLINK_OIDC_CLIENT_SECRET_FILE=" + secretFile, "INTERLINK_OIDC_DEFAULT_ROLE=editor",
		"INTERLINK_OIDC_PROVIDER_NAME=Comune ID"}); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	n, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		n.Close()
		t.Fatal(err)
	}
	defer n.Close()
	tn := &testNode{t: t, n: n, dir: cfg.Data, url: "http://" + n.Addr()}
	tn.waitReady()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if _, body := get(tn.url + "/login"); !strings.Contains(body, `href="/login/oidc?next=%2f"`) || !strings.Contains(body, "Comune ID") {
		t.Fatalf("no sign-in link on the login page:\n%s", body)
	}
	resp, body := get(tn.url + "/login/oidc?next=/search")
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("not at the provider's login form: %s\n%s", resp.Request.URL, body)
	}
	resp, err = c.PostForm(issuer+"/login/username", url.Values{"id": {id}, "username": {"test-user2"}, "password": {"verysecure"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/search" || !strings.Contains(string(b), "Signed in as <strong>Test User2</strong>") {
		t.Fatalf("after the provider: %d %s, want the search page, signed in\n%s", resp.StatusCode, resp.Request.URL, b)
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatal("the client secret is in the node's log")
	}
	if !strings.Contains(logs.String(), "signed in with the identity provider") {
		t.Fatalf("the sign-in is not logged:\n%s", logs.String())
	}
}
