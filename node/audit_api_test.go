package node

import (
	"strings"
	"testing"
)

// TestUsersAndTokensAPIAreAudited: every change made through the users and
// tokens API is in the audit list, with the token that made it.
func TestUsersAndTokensAPIAreAudited(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	r := tn.postJSON("/api/v1/users", tn.admin, map[string]string{"username": "alice", "password": "Secret-Passw0rd!", "role": "editor"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	tn.do("POST", "/api/v1/users/"+id+"/disable", tn.admin, "", nil)
	tn.do("POST", "/api/v1/users/"+id+"/enable", tn.admin, "", nil)
	tn.do("PUT", "/api/v1/users/"+id+"/password", tn.admin, "application/json", mustJSON(map[string]string{"password": "Another-Passw0rd!"}))
	tok := tn.postJSON("/api/v1/tokens", tn.admin, map[string]string{"role": "reader", "name": "ci-reader"})
	if tok.status != 201 {
		t.Fatalf("token: %d %s", tok.status, tok.body)
	}
	tid := tok.json(t)["id"].(string)
	if d := tn.do("DELETE", "/api/v1/tokens/"+tid, tn.admin, "", nil); d.status != 204 {
		t.Fatalf("revoke: %d %s", d.status, d.body)
	}
	es, _, err := tn.n.live.accounts().ListAudit(t.Context(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Action+" "+e.Target] = e.Username
		if strings.Contains(e.Detail, "Passw0rd") {
			t.Errorf("the audit holds a password: %+v", e)
		}
	}
	for _, want := range []string{"user.create " + id, "user.disable " + id, "user.enable " + id, "user.password " + id, "token.create " + tid, "token.revoke " + tid} {
		who, ok := got[want]
		if !ok {
			t.Errorf("no audit entry %q in %v", want, got)
		} else if !strings.HasPrefix(who, "token:") {
			t.Errorf("%q: by %q, want the token", want, who)
		}
	}
}
