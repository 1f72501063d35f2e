package node

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// TestAdminPagesMounted: the admin, co-signing and comparison pages are
// mounted over the node's own federation and tokens: a token made on the
// tokens page works on the API, and the change is in the audit list with
// the person who made it.
func TestAdminPagesMounted(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	page, _ := pageSession(t, tn)
	send := func(method, path string, form url.Values, signedIn bool) (int, string, http.Header) {
		t.Helper()
		return page(method, path, "text/html", form, signedIn)
	}
	if st, _, h := send("GET", "/admin/follows", nil, false); st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Fatalf("anonymous /admin/follows: %d %s", st, h.Get("Location"))
	}
	for _, p := range []string{"/admin", "/admin/follows", "/admin/deadletters", "/admin/users", "/admin/tokens", "/admin/audit", "/cosign"} {
		if st, body, _ := send("GET", p+"?lang=en", nil, true); st != 200 || strings.Contains(body, "runs no federation") {
			t.Errorf("%s: %d", p, st)
		}
	}
	st, body, _ := send("POST", "/admin/tokens?lang=en", url.Values{"name": {"from-the-page"}, "role": {"reader"}, "expires": {"7"}}, true)
	if st != http.StatusCreated {
		t.Fatalf("token create: %d %s", st, body)
	}
	i := strings.Index(body, `value="itk_`)
	if i < 0 {
		t.Fatalf("no secret shown: %s", body)
	}
	tok := body[i+len(`value="`):]
	tok = tok[:strings.IndexByte(tok, '"')]
	if r := tn.do("GET", "/api/v1/drafts", tok, "", nil); r.status != 200 {
		t.Fatalf("the page's token does not work on the API: %d %s", r.status, r.body)
	}
	if st, body, _ := send("GET", "/admin/tokens?lang=en", nil, true); st != 200 || !strings.Contains(body, "from-the-page") || strings.Contains(body, tok) {
		t.Fatalf("token list: %d", st)
	}
	// following a node that does not answer: the error next to the field
	if st, body, _ := send("POST", "/admin/follows?lang=en", url.Values{"target": {"http://127.0.0.1:1/actor"}}, true); st != http.StatusBadGateway || !strings.Contains(body, "could not be followed") {
		t.Fatalf("follow of a dead node: %d", st)
	}
	es, _, err := tn.n.live.accounts().ListAudit(t.Context(), 0, 10)
	if err != nil || len(es) == 0 || es[0].Username != "root" || es[0].Action != accounts.ActionTokenCreate {
		t.Fatalf("audit: %+v %v", es, err)
	}
	if st, _, _ := send("POST", "/admin/deadletters/replay", url.Values{"id": {"0000000000000001"}}, true); st != http.StatusNotFound {
		t.Fatalf("replay of a missing letter: %d", st)
	}
}
