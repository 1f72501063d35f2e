package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/storage"
)

// The accounts, tokens and audit pages (role admin).

var roles = []accounts.Role{accounts.RoleReader, accounts.RoleEditor, accounts.RoleAdmin}

type roleOption struct {
	Value, Label string
	Selected     bool
}

func roleOptions(loc *locale, sel accounts.Role) []roleOption {
	out := make([]roleOption, 0, len(roles))
	for _, r := range roles {
		out = append(out, roleOption{Value: string(r), Label: loc.T("admin.role." + string(r)), Selected: r == sel})
	}
	return out
}

type userView struct {
	ID, Username, DisplayName, Role, Created, LastSignIn string
	Disabled, OIDC, Self                                 bool
	Roles                                                []roleOption
	PasswordError                                        string // a reset refused, next to this user's field
}

// userForm is the create form's values and errors.
type userForm struct {
	Username, DisplayName, Role        string
	UsernameError, RoleError, PwdError string
}

type usersView struct {
	Nav    []adminLink
	Errors []formError
	Done   string
	Users  []userView
	Form   userForm
	Roles  []roleOption
}

// AdminUsers serves GET /admin/users.
func (h AdminPages) AdminUsers(w http.ResponseWriter, r *http.Request) {
	s, ok := h.needRole(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	h.usersPage(w, r, s, http.StatusOK, userForm{Role: string(accounts.RoleReader)}, "", "")
}

func (h AdminPages) usersPage(w http.ResponseWriter, r *http.Request, s session, status int, form userForm, errUser, errText string) {
	loc := h.locale(w, r)
	us, err := h.d.Accounts().List(r.Context())
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: users", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	v := usersView{Nav: adminNav(loc, "users"), Form: form, Roles: roleOptions(loc, accounts.Role(form.Role)),
		Done:   doneText(loc, r, "user_created", "user_disabled", "user_enabled", "user_role", "user_password"),
		Errors: formErrors("nu-username", form.UsernameError, "nu-role", form.RoleError, "nu-password", form.PwdError, "pw-"+errUser, errText)}
	for _, u := range us {
		uv := userView{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: loc.T("admin.role." + string(u.Role)),
			Created: loc.Date(u.Created), LastSignIn: loc.Date(u.LastSignIn), Disabled: u.Disabled, OIDC: u.OIDCSubject != "",
			Self: u.ID == s.user.ID, Roles: roleOptions(loc, u.Role)}
		if u.ID == errUser {
			uv.PasswordError = errText
		}
		v.Users = append(v.Users, uv)
	}
	h.render(w, r, status, "admin_users", loc.T("admin.users.title"), v)
}

// passwordError is a refused password in the reader's language.
func passwordError(loc *locale, err error) string {
	var pe *accounts.PolicyError
	if errors.As(err, &pe) {
		return loc.Tf("admin.password."+pe.Rule, accounts.MinPasswordLength)
	}
	return loc.T("admin.password.invalid")
}

// AdminUserCreate serves POST /admin/users: username, display_name, role,
// password.
func (h AdminPages) AdminUserCreate(w http.ResponseWriter, r *http.Request) {
	s, ok := h.postForm(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	f := userForm{Username: strings.TrimSpace(r.PostForm.Get("username")), DisplayName: r.PostForm.Get("display_name"), Role: r.PostForm.Get("role")}
	password := r.PostForm.Get("password")
	role, err := accounts.ParseRole(f.Role)
	if err != nil {
		f.RoleError = loc.T("admin.user.role_invalid")
	}
	if f.Username == "" {
		f.UsernameError = loc.T("admin.user.username_required")
	} else if err := storage.CheckUsername(f.Username); err != nil {
		f.UsernameError = loc.T("admin.user.username_invalid")
	}
	if password == "" {
		f.PwdError = loc.T("admin.password.required")
	} else if err := accounts.CheckPassword(password, f.Username); err != nil {
		f.PwdError = passwordError(loc, err)
	}
	if f.UsernameError != "" || f.RoleError != "" || f.PwdError != "" {
		h.usersPage(w, r, s, http.StatusUnprocessableEntity, f, "", "")
		return
	}
	u, err := h.d.Accounts().CreateUser(r.Context(), accounts.NewUser{Username: f.Username, DisplayName: f.DisplayName, Role: role, Password: password})
	switch {
	case errors.Is(err, accounts.ErrConflict):
		f.UsernameError = loc.T("admin.user.username_taken")
	case errors.Is(err, accounts.ErrWeakPassword):
		f.PwdError = passwordError(loc, err)
	case errors.Is(err, accounts.ErrInvalid):
		f.UsernameError = loc.T("admin.user.username_invalid")
	case err != nil:
		h.d.Logger.ErrorContext(r.Context(), "web: create user", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	if err != nil {
		h.usersPage(w, r, s, http.StatusUnprocessableEntity, f, "", "")
		return
	}
	if !h.recordChange(w, r, s, accounts.ActionUserCreate, u.ID, u.Username+" ("+string(u.Role)+")") {
		return
	}
	redirectDone(w, r, "/admin/users", "user_created")
}

// AdminUserChange serves POST /admin/users/{id}: the field "op" is
// disable, enable, role (with "role") or password (with "password").
func (h AdminPages) AdminUserChange(w http.ResponseWriter, r *http.Request, id string) {
	s, ok := h.postForm(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	acc := h.d.Accounts()
	u, err := acc.User(r.Context(), id)
	if errors.Is(err, accounts.ErrNotFound) {
		h.Error(w, r, http.StatusNotFound)
		return
	} else if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: user", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	var action, detail, done string
	switch r.PostForm.Get("op") {
	case "disable":
		if id == s.user.ID { // an admin cannot lock themselves out
			h.Error(w, r, http.StatusConflict)
			return
		}
		err, action, done = acc.Disable(r.Context(), id), accounts.ActionUserDisable, "user_disabled"
	case "enable":
		err, action, done = acc.Enable(r.Context(), id), accounts.ActionUserEnable, "user_enabled"
	case "role":
		role, perr := accounts.ParseRole(r.PostForm.Get("role"))
		if perr != nil || id == s.user.ID {
			h.Error(w, r, http.StatusBadRequest)
			return
		}
		err, action, detail, done = acc.SetRole(r.Context(), id, role), accounts.ActionUserRole, string(u.Role)+" → "+string(role), "user_role"
	case "password":
		r = atPage(r, "/admin/users")
		password := r.PostForm.Get("password")
		if password == "" {
			h.usersPage(w, r, s, http.StatusUnprocessableEntity, userForm{Role: string(accounts.RoleReader)}, id, loc.T("admin.password.required"))
			return
		}
		if perr := accounts.CheckPassword(password, u.Username); perr != nil {
			h.usersPage(w, r, s, http.StatusUnprocessableEntity, userForm{Role: string(accounts.RoleReader)}, id, passwordError(loc, perr))
			return
		}
		err, action, done = acc.SetPassword(r.Context(), id, password, ""), accounts.ActionUserPassword, "user_password"
	default:
		h.Error(w, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: change user", "op", action, "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	if !h.recordChange(w, r, s, action, id, strings.TrimSpace(u.Username+" "+detail)) {
		return
	}
	redirectDone(w, r, "/admin/users", done)
}

type tokenView struct {
	ID, Name, Role, Created, Expires, LastUsed string
	Expired                                    bool
}

type tokenForm struct {
	Name, Role, Expires            string
	NameError, RoleError, ExpError string
}

type tokensView struct {
	Nav       []adminLink
	Done      string
	Available bool
	Items     []tokenView
	Form      tokenForm
	Roles     []roleOption
	Secret    string // the new token's secret: shown once, never stored
	NewName   string
	// ExpiryChoices are the lifetimes offered (Value: days, "0" never).
	ExpiryChoices []roleOption
	Errors        []formError
}

// expiryChoices are the token lifetimes the form offers (days; 0 never).
var expiryChoices = []string{"7", "30", "90", "365", "0"}

// AdminTokens serves GET /admin/tokens.
func (h AdminPages) AdminTokens(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.needRole(w, r, accounts.RoleAdmin); !ok {
		return
	}
	h.tokensPage(w, r, http.StatusOK, tokensView{Form: tokenForm{Role: string(accounts.RoleReader), Expires: "90"}})
}

func (h AdminPages) tokensPage(w http.ResponseWriter, r *http.Request, status int, v tokensView) {
	loc := h.locale(w, r)
	v.Nav, v.Roles = adminNav(loc, "tokens"), roleOptions(loc, accounts.Role(v.Form.Role))
	v.Errors = formErrors("tk-name", v.Form.NameError, "tk-role", v.Form.RoleError, "tk-expires", v.Form.ExpError)
	for _, c := range expiryChoices {
		label := loc.T("admin.tokens.never")
		if n, _ := strconv.Atoi(c); n > 0 {
			label = loc.Tf("admin.tokens.days", n)
		}
		v.ExpiryChoices = append(v.ExpiryChoices, roleOption{Value: c, Label: label})
	}
	if v.Done == "" {
		v.Done = doneText(loc, r, "token_revoked")
	}
	if h.d.Tokens != nil {
		v.Available = true
		ts, err := h.d.Tokens.Tokens(r.Context())
		if err != nil {
			h.d.Logger.ErrorContext(r.Context(), "web: tokens", "err", err)
			h.Error(w, r, http.StatusInternalServerError)
			return
		}
		now := h.d.Now()
		for _, t := range ts {
			tv := tokenView{ID: t.ID, Name: t.Name, Role: loc.T("admin.role." + string(t.Role)), Created: loc.Date(t.Created),
				Expires: loc.T("admin.tokens.never"), LastUsed: loc.T("admin.tokens.never_used"), Expired: !t.Expires.IsZero() && !now.Before(t.Expires)}
			if !t.Expires.IsZero() {
				tv.Expires = loc.Date(t.Expires)
			}
			if !t.LastUsed.IsZero() {
				tv.LastUsed = loc.Date(t.LastUsed)
			}
			v.Items = append(v.Items, tv)
		}
	}
	h.render(w, r, status, "admin_tokens", loc.T("admin.tokens.title"), v)
}

// AdminTokenCreate serves POST /admin/tokens: name, role, expires (days,
// one of expiryChoices). The answer is the page with the secret, not a
// redirect: the secret never travels in a URL and is shown only once.
func (h AdminPages) AdminTokenCreate(w http.ResponseWriter, r *http.Request) {
	s, ok := h.postForm(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	if h.d.Tokens == nil {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	loc := h.locale(w, r)
	f := tokenForm{Name: strings.TrimSpace(r.PostForm.Get("name")), Role: r.PostForm.Get("role"), Expires: r.PostForm.Get("expires")}
	role, err := accounts.ParseRole(f.Role)
	if err != nil {
		f.RoleError = loc.T("admin.user.role_invalid")
	}
	switch {
	case f.Name == "":
		f.NameError = loc.T("admin.tokens.name_required")
	case len(f.Name) > 128 || strings.ContainsFunc(f.Name, func(c rune) bool { return c < ' ' || c == 0x7f }):
		f.NameError = loc.T("admin.tokens.name_invalid")
	}
	days, err := strconv.Atoi(f.Expires)
	if err != nil || !slices.Contains(expiryChoices, f.Expires) {
		f.ExpError = loc.T("admin.tokens.expires_invalid")
	}
	if f.NameError != "" || f.RoleError != "" || f.ExpError != "" {
		h.tokensPage(w, r, http.StatusUnprocessableEntity, tokensView{Form: f})
		return
	}
	var expires time.Time
	if days > 0 {
		expires = h.d.Now().Add(time.Duration(days) * 24 * time.Hour).UTC()
	}
	t, secret, err := h.d.Tokens.CreateToken(r.Context(), f.Name, role, expires)
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: create token", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	if !h.recordChange(w, r, s, accounts.ActionTokenCreate, t.ID, t.Name+" ("+string(t.Role)+")") {
		return
	}
	h.tokensPage(w, r, http.StatusCreated, tokensView{Form: tokenForm{Role: string(accounts.RoleReader), Expires: "90"},
		Secret: secret, NewName: t.Name, Done: loc.T("done.token_created")})
}

// AdminTokenRevoke serves POST /admin/tokens/revoke (field "id").
func (h AdminPages) AdminTokenRevoke(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, adminAct{field: "id", action: accounts.ActionTokenRevoke, back: "/admin/tokens", done: "token_revoked",
		ready: func() bool { return h.d.Tokens != nil }, do: func(ctx context.Context, id string) error { return h.d.Tokens.RevokeToken(ctx, id) }})
}

type auditView struct {
	When, Who, Action, Target, Detail, Address string
}

type auditPage struct {
	Nav   []adminLink
	Items []auditView
	Next  string
	First bool
}

// auditPageSize is how many audit entries a page shows.
const auditPageSize = 50

// AdminAudit serves GET /admin/audit[?before=SEQ]: newest first, paged.
func (h AdminPages) AdminAudit(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.needRole(w, r, accounts.RoleAdmin); !ok {
		return
	}
	loc := h.locale(w, r)
	var before uint64
	if b := r.URL.Query().Get("before"); b != "" {
		n, err := strconv.ParseUint(b, 10, 64)
		if err != nil || n == 0 {
			h.Error(w, r, http.StatusBadRequest)
			return
		}
		before = n
	}
	es, next, err := h.d.Accounts().ListAudit(r.Context(), before, auditPageSize)
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: audit", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	v := auditPage{Nav: adminNav(loc, "audit"), First: before == 0}
	for _, e := range es {
		v.Items = append(v.Items, auditView{When: loc.Date(e.Time), Who: e.Username, Action: e.Action, Target: e.Target, Detail: e.Detail, Address: e.Address})
	}
	if next != 0 {
		v.Next = "/admin/audit?before=" + strconv.FormatUint(next, 10)
	}
	h.render(w, r, http.StatusOK, "admin_audit", loc.T("admin.audit.title"), v)
}
