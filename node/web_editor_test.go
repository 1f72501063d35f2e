package node

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// TestEditorPages: the editor's routes are mounted on the node: an editor
// signed in publishes an interlinker through the form (signed by the
// node, served on its IRI as a page and as AS2) and opens its edit page;
// a visitor is sent to sign in.
func TestEditorPages(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	ctx := t.Context()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, secret, accept string, form url.Values) (*http.Response, string) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, tn.url+path, body)
		req.Header.Set("Accept", accept)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if secret != "" {
			req.AddCookie(&http.Cookie{Name: "interlink_session", Value: secret})
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := do(http.MethodGet, "/new/interlinker", "", "text/html", nil); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/login?next=%2Fnew%2Finterlinker" {
		t.Fatalf("anonymous: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	acc := tn.n.live.accounts()
	if _, err := acc.CreateUser(ctx, accounts.NewUser{Username: "eve", Role: accounts.RoleEditor, Password: "a-long-Passw0rd!"}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := acc.Authenticate(ctx, "eve", "a-long-Passw0rd!", accounts.Client{Address: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	resp, page := do(http.MethodGet, "/new/interlinker", secret.Reveal(), "text/html", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	i := strings.Index(page, `name="csrf" value="`) + len(`name="csrf" value="`)
	csrf := page[i : i+strings.IndexByte(page[i:], '"')]
	form := url.Values{"csrf": {csrf}, "op": {"save"}, "langs": {"en es it lv"}, "key": {"web_tool"}, "nature": {"knowledge"},
		"name.en": {"Web tool"}, "description.en": {"Made in the browser"}}
	resp, _ = do(http.MethodPost, "/new/interlinker", secret.Reveal(), "text/html", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/objects/") {
		t.Fatalf("publish: %d %q", resp.StatusCode, loc)
	}
	if resp, body := do(http.MethodGet, loc, secret.Reveal(), "text/html", nil); resp.StatusCode != 200 || !strings.Contains(body, `href="`+loc+`/edit"`) {
		t.Fatalf("object page: %d", resp.StatusCode)
	}
	if resp, body := do(http.MethodGet, loc, "", "application/activity+json", nil); resp.StatusCode != 200 || !strings.Contains(body, "Web tool") {
		t.Fatalf("AS2: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(http.MethodGet, loc+"/edit", secret.Reveal(), "text/html", nil); resp.StatusCode != 200 || !strings.Contains(body, `value="web_tool"`) {
		t.Fatalf("edit page: %d", resp.StatusCode)
	}
	if resp, _ := do(http.MethodGet, "/import", secret.Reveal(), "text/html", nil); resp.StatusCode != 200 {
		t.Fatalf("import page: %d", resp.StatusCode)
	}
}
