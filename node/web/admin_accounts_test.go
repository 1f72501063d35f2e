package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node/accounts"
)

func TestAdminUsers(t *testing.T) {
	f := newAdminFixture(t)
	ok := url.Values{"username": {"bruno"}, "display_name": {"Bruno B."}, "role": {"editor"}, "password": {"Bruno-Passw0rd-long"}}
	with := func(k, v string) url.Values {
		form := url.Values{}
		for kk, vv := range ok {
			form[kk] = vv
		}
		form.Set(k, v)
		return form
	}
	for _, c := range []struct {
		name string
		form url.Values
		text string
	}{
		{"no username", with("username", ""), `<li><a href="#nu-username">Enter a username.</a></li>`},
		{"bad username", with("username", "bad name/"), "Use letters, digits"},
		{"taken", with("username", "Alice"), "This username is taken."},
		{"bad role", with("role", "boss"), "Choose reader, editor or administrator."},
		{"no password", with("password", ""), "Enter a password."},
		{"short password", with("password", "short"), "at least 12 characters"},
		{"password is the username", url.Values{"username": {"brunobrunobruno"}, "role": {"reader"}, "password": {"BrunoBrunoBruno"}}, "must not be the username"},
	} {
		w := f.post(t, f.admin, "/admin/users?lang=en", c.form)
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), c.text) || !strings.Contains(w.Body.String(), `aria-invalid="true"`) {
			t.Errorf("%s: %d, want 422 with %q", c.name, w.Code, c.text)
		}
		if strings.Contains(w.Body.String(), "Bruno-Passw0rd-long") {
			t.Errorf("%s: the page shows the password back", c.name)
		}
	}
	wantRedirect(t, f.post(t, f.admin, "/admin/users", ok), "/admin/users?done=user_created")
	u, err := f.acc.UserByUsername(context.Background(), "bruno")
	if err != nil || u.Role != accounts.RoleEditor || u.DisplayName != "Bruno B." {
		t.Fatalf("bruno: %+v %v", u, err)
	}
	if !f.audited(t, "root", accounts.ActionUserCreate, u.ID) {
		t.Fatal("creation not audited")
	}
	wantPage(t, f.do(t, http.MethodGet, "/admin/users?lang=lv&done=user_created", nil, f.admin.cookies), 200, "Konts izveidots.", "bruno", "Bruno B.")

	change := func(op string, extra ...string) *httptest.ResponseRecorder {
		form := url.Values{"op": {op}}
		for i := 0; i+1 < len(extra); i += 2 {
			form.Set(extra[i], extra[i+1])
		}
		return f.post(t, f.admin, "/admin/users/"+u.ID+"?lang=en", form)
	}
	wantRedirect(t, change("disable"), "/admin/users?done=user_disabled")
	if u, _ := f.acc.User(context.Background(), u.ID); !u.Disabled {
		t.Fatal("not disabled")
	}
	wantRedirect(t, change("enable"), "/admin/users?done=user_enabled")
	wantRedirect(t, change("role", "role", "admin"), "/admin/users?done=user_role")
	if u, _ := f.acc.User(context.Background(), u.ID); u.Role != accounts.RoleAdmin || u.Disabled {
		t.Fatalf("after enable and role: %+v", u)
	}
	wantPage(t, change("password", "password", "short"), http.StatusUnprocessableEntity, "at least 12 characters", `id="pw-`+u.ID+`-error"`)
	wantPage(t, change("password"), http.StatusUnprocessableEntity, "Enter a password.")
	wantRedirect(t, change("password", "password", "Another-Passw0rd-long"), "/admin/users?done=user_password")
	if _, _, err := f.acc.Authenticate(context.Background(), "bruno", "Another-Passw0rd-long", accounts.Client{Address: "192.0.2.9"}); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}
	wantPage(t, change("role", "role", "boss"), http.StatusBadRequest)
	wantPage(t, change("explode"), http.StatusBadRequest)
	for _, a := range []string{accounts.ActionUserDisable, accounts.ActionUserEnable, accounts.ActionUserRole, accounts.ActionUserPassword} {
		if !f.audited(t, "root", a, u.ID) {
			t.Errorf("%s not audited", a)
		}
	}
	// an admin cannot disable or demote themselves
	self := f.userID(t, "root")
	wantPage(t, f.post(t, f.admin, "/admin/users/"+self, url.Values{"op": {"disable"}}), http.StatusConflict)
	wantPage(t, f.post(t, f.admin, "/admin/users/"+self, url.Values{"op": {"role"}, "role": {"reader"}}), http.StatusBadRequest)
	wantPage(t, f.post(t, f.admin, "/admin/users/01J00000000000000000000000", url.Values{"op": {"disable"}}), http.StatusNotFound)
}

func TestAdminTokens(t *testing.T) {
	f := newAdminFixture(t)
	for _, c := range []struct {
		name string
		form url.Values
		text string
	}{
		{"no name", url.Values{"name": {""}, "role": {"reader"}, "expires": {"30"}}, "Enter a name"},
		{"two lines", url.Values{"name": {"a\nb"}, "role": {"reader"}, "expires": {"30"}}, "Use one line"},
		{"bad role", url.Values{"name": {"ci"}, "role": {"root"}, "expires": {"30"}}, "Choose reader, editor or administrator."},
		{"bad expiry", url.Values{"name": {"ci"}, "role": {"reader"}, "expires": {"9999"}}, "Choose one of the offered periods."},
	} {
		wantPage(t, f.post(t, f.admin, "/admin/tokens?lang=en", c.form), http.StatusUnprocessableEntity, c.text, `aria-invalid="true"`)
	}
	if len(f.tokens.tokens) != 0 {
		t.Fatal("a refused form made a token")
	}
	w := f.post(t, f.admin, "/admin/tokens?lang=en", url.Values{"name": {"ci-reader"}, "role": {"reader"}, "expires": {"30"}})
	wantPage(t, w, http.StatusCreated, "itk_SECRET_tok1", "it is shown only once", "ci-reader")
	if len(f.tokens.tokens) != 1 || f.tokens.tokens[0].Expires.IsZero() || f.tokens.tokens[0].Role != accounts.RoleReader {
		t.Fatalf("tokens: %+v", f.tokens.tokens)
	}
	if !f.audited(t, "root", accounts.ActionTokenCreate, "tok1") {
		t.Fatal("token creation not audited")
	}
	list := f.do(t, http.MethodGet, "/admin/tokens?lang=en", nil, f.admin.cookies)
	wantPage(t, list, 200, "ci-reader", "never used")
	if strings.Contains(list.Body.String(), "itk_SECRET") {
		t.Fatal("the secret is shown twice")
	}
	wantPage(t, f.post(t, f.admin, "/admin/tokens", url.Values{"name": {"forever"}, "role": {"admin"}, "expires": {"0"}}), http.StatusCreated)
	if !f.tokens.tokens[1].Expires.IsZero() {
		t.Fatal("expires 0 is not never")
	}
	wantRedirect(t, f.post(t, f.admin, "/admin/tokens/revoke", url.Values{"id": {"tok1"}}), "/admin/tokens?done=token_revoked")
	if !f.audited(t, "root", accounts.ActionTokenRevoke, "tok1") || len(f.tokens.tokens) != 1 {
		t.Fatal("revoke not made or not audited")
	}
	wantPage(t, f.post(t, f.admin, "/admin/tokens/revoke", url.Values{"id": {"tok1"}}), http.StatusNotFound)
}

func TestAdminAudit(t *testing.T) {
	f := newAdminFixture(t)
	root, _ := f.acc.UserByUsername(context.Background(), "root")
	for i := range 60 {
		if err := f.acc.Audit(context.Background(), root, "test.change", "target-"+strconv.Itoa(i), "detail <b>"); err != nil {
			t.Fatal(err)
		}
	}
	w := f.do(t, http.MethodGet, "/admin/audit?lang=en", nil, f.admin.cookies)
	wantPage(t, w, 200, "target-59", "detail &lt;b&gt;", "<td>root</td>", "Older entries")
	if strings.Contains(w.Body.String(), "target-9<") {
		t.Fatal("the first page has more than 50 entries")
	}
	i := strings.Index(w.Body.String(), `href="/admin/audit?before=`)
	next := w.Body.String()[i+len(`href="`):]
	next = next[:strings.IndexByte(next, '"')]
	w2 := f.do(t, http.MethodGet, next+"&lang=en", nil, f.admin.cookies)
	wantPage(t, w2, 200, "target-0<", "target-9<", "Newest entries")
	if strings.Contains(w2.Body.String(), "target-10<") {
		t.Fatal("the second page repeats the first")
	}
	wantPage(t, f.do(t, http.MethodGet, "/admin/audit?before=x", nil, f.admin.cookies), http.StatusBadRequest)
}
