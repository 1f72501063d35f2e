package node

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/storage"
)

// Every 401 says how to authenticate (WWW-Authenticate, RFC 9110 §11.6.1);
// a 403 and other refusals do not. Roles are ordered and compared exactly.
func TestAuthenticationAndRoles(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	reader, editor := tn.token("reader"), tn.token("editor")
	// A token whose role the node does not know (written by an older or a
	// newer version) has no rights at all.
	unknownRole, hash := newTokenSecret()
	if err := tn.n.live.store().Tokens().Put(context.Background(), storage.Token{ID: "odd", Name: "odd", Role: "superuser", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	const challenge = `Bearer realm="interlink"`
	cases := []struct {
		name, method, path, auth string
		status                   int
	}{
		{"no token on an admin route", "GET", "/api/v1/tokens", "", 401},
		{"no token on a reader route", "GET", "/api/v1/follows", "", 401},
		{"empty bearer", "GET", "/api/v1/tokens", "Bearer ", 401},
		{"blank bearer", "GET", "/api/v1/tokens", "Bearer    ", 401},
		{"other scheme", "GET", "/api/v1/tokens", "Basic " + tn.admin, 401},
		{"no scheme", "GET", "/api/v1/tokens", tn.admin, 401},
		{"unknown token", "GET", "/api/v1/tokens", "Bearer itk_unknown", 401},
		{"unknown token on a public route", "GET", "/api/v1/status", "Bearer itk_unknown", 401},
		{"signature header is anonymous", "GET", "/api/v1/tokens", `Signature keyId="k",signature="x"`, 401},
		{"signature header on a public route", "GET", "/api/v1/status", `Signature keyId="k",signature="x"`, 200},
		{"anonymous on a public route", "GET", "/api/v1/status", "", 200},
		{"scheme in any case", "GET", "/api/v1/tokens", "bEaReR " + tn.admin, 200},
		{"token with spaces around", "GET", "/api/v1/tokens", "Bearer  " + tn.admin + " ", 200},
		{"reader below editor", "POST", "/api/v1/follows", "Bearer " + reader, 403},
		{"reader at reader", "GET", "/api/v1/follows", "Bearer " + reader, 200},
		{"editor at editor", "DELETE", "/api/v1/follows", "Bearer " + editor, 400},
		{"reader below editor, delete", "DELETE", "/api/v1/follows", "Bearer " + reader, 403},
		{"editor below admin", "GET", "/api/v1/tokens", "Bearer " + editor, 403},
		{"admin at admin", "GET", "/api/v1/tokens", "Bearer " + tn.admin, 200},
		{"admin above reader", "GET", "/api/v1/follows", "Bearer " + tn.admin, 200},
		{"unknown role below reader", "GET", "/api/v1/follows", "Bearer " + unknownRole, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, tn.url+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			got := resp.Header.Get("WWW-Authenticate")
			if want := map[bool]string{true: challenge}[c.status == 401]; got != want {
				t.Fatalf("WWW-Authenticate %q, want %q", got, want)
			}
		})
	}
}

// The 401 names the role the endpoint needs, in English.
func TestUnauthorizedNamesTheRole(t *testing.T) {
	for _, tc := range []struct{ role, want string }{{"reader", "a reader"}, {"editor", "an editor"}, {"admin", "an admin"}} {
		if got := withArticle(tc.role); got != tc.want {
			t.Errorf("withArticle(%q) = %q, want %q", tc.role, got, tc.want)
		}
	}
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	resp, err := http.Post(tn.url+"/api/v1/follows", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "this endpoint needs an editor token") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
