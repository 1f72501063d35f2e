package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// The administration pages (role admin): follows and followers, dead
// letters, accounts, API tokens and the audit list. They reach the
// federation and the tokens only through the two interfaces below, which
// the node implements over the operations the JSON API uses; every change
// is recorded in the audit list with the person who made it.

// Follow is one edge of the follow graph as the admin pages show it.
type Follow struct {
	Actor       string
	State       string // pending, accepted, rejected
	Since       time.Time
	LastSuccess time.Time
	Failures    int
	LastError   string
}

// DeadLetter is a delivery the node gave up on.
type DeadLetter struct {
	ID, Activity, Inbox string
	Attempts            int
	Created             time.Time
	LastStatus          int
	LastError, Reason   string
}

// FederationAdmin is what the admin pages change of the federation: the
// same operations POST/DELETE /api/v1/follows, /api/v1/followers/approve
// and /api/v1/deliveries/dead/{id}/replay run.
type FederationAdmin interface {
	// Follow follows a node by actor IRI or acct: handle; the error
	// says why it could not be reached.
	Follow(ctx context.Context, target string) (Follow, error)
	Unfollow(ctx context.Context, actor string) error
	// Follows lists whom this node follows, or (followers) who follows it.
	Follows(ctx context.Context, followers bool) ([]Follow, error)
	// Decide accepts or rejects a pending follower.
	Decide(ctx context.Context, actor string, approve bool) error
	// DeadLetters lists a page of dead letters from cursor ("" first);
	// next is "" on the last page.
	DeadLetters(ctx context.Context, cursor string) (items []DeadLetter, next string, err error)
	Replay(ctx context.Context, id string) error
}

// Token is an API token as the tokens page lists it (never its hash).
type Token struct {
	ID, Name string
	Role     accounts.Role
	Created  time.Time
	Expires  time.Time // zero: never
	LastUsed time.Time // zero: never
}

// Tokens is what the tokens page changes: the operations of
// /api/v1/tokens.
type Tokens interface {
	// CreateToken returns the token and its secret, shown once.
	CreateToken(ctx context.Context, name string, role accounts.Role, expires time.Time) (Token, string, error)
	Tokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id string) error
}

// Audit actions of the pages, besides the accounts' own.
const (
	actionFollow       = "federation.follow"
	actionUnfollow     = "federation.unfollow"
	actionAcceptFollow = "federation.follower_accept"
	actionRejectFollow = "federation.follower_reject"
	actionReplay       = "federation.replay"
)

// needRole answers for a page that needs role: a visitor who is not signed
// in goes to /login and back, a person without the role gets the 403 page.
// ok is false when it answered.
func (h *Handler) needRole(w http.ResponseWriter, r *http.Request, role accounts.Role) (session, bool) {
	s, ok := sessionFrom(r.Context())
	if !ok {
		next := r.URL.Path
		if r.Method == http.MethodGet && r.URL.RawQuery != "" {
			next += "?" + r.URL.RawQuery
		}
		if r.Method == http.MethodPost { // back to the page of the form, not to its action
			next = "/"
			if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
				next = ref.RequestURI()
			}
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return session{}, false
	}
	if !s.user.Role.Allows(role) {
		h.Error(w, r, http.StatusForbidden)
		return session{}, false
	}
	return s, true
}

// postForm is the start of every form post: the role, the form read
// (bounded), its CSRF token checked against the session (403 page when
// wrong).
func (h *Handler) postForm(w http.ResponseWriter, r *http.Request, role accounts.Role) (session, bool) {
	s, ok := h.needRole(w, r, role)
	if !ok {
		return session{}, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.Error(w, r, http.StatusBadRequest)
		return session{}, false
	}
	if err := h.d.Accounts().CheckCSRF(s.secret, r.PostForm.Get("csrf")); err != nil {
		h.Error(w, r, http.StatusForbidden)
		return session{}, false
	}
	return s, true
}

// recordChange records a change a page made; false (after the 500 page) when the
// record could not be written.
func (h *Handler) recordChange(w http.ResponseWriter, r *http.Request, s session, action, target, detail string) bool {
	if err := h.d.Accounts().Audit(r.Context(), s.user, action, target, detail); err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: audit", "action", action, "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return false
	}
	return true
}

// atPage is r re-addressed to path (no query), for a form's answer
// rendered in place: the language switcher then links to the page, not to
// the form's action.
func atPage(r *http.Request, path string) *http.Request {
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery = path, "", ""
	r2 := *r
	r2.URL = &u
	return &r2
}

// formError is one refused field as the error summary lists it: the id
// of its control and the message shown beside it.
type formError struct{ Field, Text string }

// formErrors lists the non-empty messages, in the order given (pairs of
// control id and message).
func formErrors(pairs ...string) []formError {
	var out []formError
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, formError{Field: pairs[i], Text: pairs[i+1]})
		}
	}
	return out
}

// redirectDone sends the browser back to path with a confirmation (?done=).
func redirectDone(w http.ResponseWriter, r *http.Request, path, done string) {
	http.Redirect(w, r, path+"?done="+url.QueryEscape(done), http.StatusSeeOther)
}

// doneText is the confirmation a redirect asked for, when it is one of
// allowed ("" otherwise: a link cannot make a page say anything else).
func doneText(loc *locale, r *http.Request, allowed ...string) string {
	if d := r.URL.Query().Get("done"); slices.Contains(allowed, d) {
		return loc.T("done." + d)
	}
	return ""
}

// adminNav is the admin pages' local navigation.
type adminLink struct {
	Href, Label string
	Current     bool
}

func adminNav(loc *locale, current string) []adminLink {
	var out []adminLink
	for _, p := range []string{"follows", "deadletters", "users", "tokens", "audit"} {
		out = append(out, adminLink{Href: "/admin/" + p, Label: loc.T("admin.nav." + p), Current: p == current})
	}
	return out
}

type followView struct {
	Actor, State, Since, LastSuccess, LastError string
	Failures                                    string
	Pending                                     bool
}

type followsView struct {
	Nav         []adminLink
	Done        string
	Target      string
	TargetError string
	FollowError string // the peer's answer, in English as the federation said it
	Available   bool   // false: this node runs no federation agent
	Following   []followView
	Followers   []followView
	Pending     int
	Errors      []formError
}

// AdminHome serves /admin: the admin pages' index.
func (h AdminPages) AdminHome(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.needRole(w, r, accounts.RoleAdmin); !ok {
		return
	}
	loc := h.locale(w, r)
	h.render(w, r, http.StatusOK, "admin", loc.T("admin.title"), struct{ Nav []adminLink }{adminNav(loc, "")})
}

// AdminFollows serves GET /admin/follows.
func (h AdminPages) AdminFollows(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.needRole(w, r, accounts.RoleAdmin); !ok {
		return
	}
	h.followsPage(w, r, http.StatusOK, followsView{})
}

func (h AdminPages) followsPage(w http.ResponseWriter, r *http.Request, status int, v followsView) {
	loc := h.locale(w, r)
	v.Nav = adminNav(loc, "follows")
	v.Errors = formErrors("target", v.TargetError)
	if v.Done == "" {
		v.Done = doneText(loc, r, "followed", "unfollowed", "accepted", "rejected")
	}
	if fa := h.d.FederationAdmin; fa != nil {
		v.Available = true
		for _, followers := range []bool{false, true} {
			fs, err := fa.Follows(r.Context(), followers)
			if err != nil {
				h.d.Logger.ErrorContext(r.Context(), "web: follows", "err", err)
				h.Error(w, r, http.StatusInternalServerError)
				return
			}
			for _, f := range fs {
				fv := followView{Actor: f.Actor, State: loc.T("follow." + f.State), Since: loc.Date(f.Since),
					LastSuccess: loc.Date(f.LastSuccess), LastError: f.LastError, Failures: loc.Num(f.Failures), Pending: f.State == "pending"}
				if followers {
					v.Followers = append(v.Followers, fv)
					if fv.Pending {
						v.Pending++
					}
				} else {
					v.Following = append(v.Following, fv)
				}
			}
		}
	}
	h.render(w, r, status, "admin_follows", loc.T("admin.follows.title"), v)
}

// maxTarget bounds a follow target (an IRI or an acct: handle).
const maxTarget = 2048

// AdminFollow serves POST /admin/follows: follow a node by actor IRI or
// acct: handle (the field "target").
func (h AdminPages) AdminFollow(w http.ResponseWriter, r *http.Request) {
	s, ok := h.postForm(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	fa := h.d.FederationAdmin
	if fa == nil {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	target := strings.TrimSpace(r.PostForm.Get("target"))
	v := followsView{Target: target}
	switch {
	case target == "":
		v.TargetError = loc.T("admin.follow.required")
	case len(target) > maxTarget || strings.ContainsAny(target, " \t\r\n"):
		v.TargetError = loc.T("admin.follow.format")
	case !strings.HasPrefix(target, "https://") && !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "acct:") && !strings.Contains(target, "@"):
		v.TargetError = loc.T("admin.follow.format")
	}
	if v.TargetError != "" {
		h.followsPage(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	f, err := fa.Follow(r.Context(), target)
	if err != nil {
		v.TargetError, v.FollowError = loc.T("admin.follow.failed"), err.Error()
		h.followsPage(w, r, http.StatusBadGateway, v)
		return
	}
	if !h.recordChange(w, r, s, actionFollow, f.Actor, target) {
		return
	}
	redirectDone(w, r, "/admin/follows", "followed")
}

// AdminUnfollow serves POST /admin/follows/unfollow (field "actor").
func (h AdminPages) AdminUnfollow(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, adminAct{field: "actor", action: actionUnfollow, back: "/admin/follows", done: "unfollowed",
		ready: func() bool { return h.d.FederationAdmin != nil }, do: func(ctx context.Context, actor string) error { return h.d.FederationAdmin.Unfollow(ctx, actor) }})
}

// AdminDecide serves POST /admin/followers/accept and .../reject (field
// "actor").
func (h AdminPages) AdminDecide(approve bool) http.HandlerFunc {
	a := adminAct{field: "actor", action: actionRejectFollow, back: "/admin/follows", done: "rejected", ready: func() bool { return h.d.FederationAdmin != nil },
		do: func(ctx context.Context, actor string) error { return h.d.FederationAdmin.Decide(ctx, actor, approve) }}
	if approve {
		a.action, a.done = actionAcceptFollow, "accepted"
	}
	return func(w http.ResponseWriter, r *http.Request) { h.act(w, r, a) }
}

// adminAct is an admin's one-field action: a form posting one value, a
// call, an audit entry, and back to the page with a confirmation.
type adminAct struct {
	field, action, back, done string
	ready                     func() bool // the node gives the page what do calls (read at each request)
	do                        func(ctx context.Context, value string) error
}

// act runs a: the form's session and CSRF checked, the value required, the
// call's refusal shown as a page, the change audited.
func (h AdminPages) act(w http.ResponseWriter, r *http.Request, a adminAct) {
	s, ok := h.postForm(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	v := r.PostForm.Get(a.field)
	if !a.ready() || v == "" {
		h.Error(w, r, http.StatusBadRequest)
		return
	}
	if err := a.do(r.Context(), v); err != nil {
		h.fedError(w, r, err)
		return
	}
	if !h.recordChange(w, r, s, a.action, v, "") {
		return
	}
	redirectDone(w, r, a.back, a.done)
}

// ErrNotFound is what a FederationAdmin or Tokens implementation wraps when
// the follow, follower, dead letter or token does not exist.
var ErrNotFound = errors.New("not found")

// fedError answers a failed federation or token change: the 404 page for
// a missing follow, follower, letter or token, else the 500 page (logged).
func (h AdminPages) fedError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	h.d.Logger.ErrorContext(r.Context(), "web: federation change", "err", err)
	h.Error(w, r, http.StatusInternalServerError)
}

type deadView struct {
	ID, Activity, Inbox, Attempts, Created, Status, LastError, Reason string
}

type deadLettersView struct {
	Nav       []adminLink
	Done      string
	Available bool
	Items     []deadView
	Next      string
}

// AdminDeadLetters serves GET /admin/deadletters[?cursor=].
func (h AdminPages) AdminDeadLetters(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.needRole(w, r, accounts.RoleAdmin); !ok {
		return
	}
	loc := h.locale(w, r)
	v := deadLettersView{Nav: adminNav(loc, "deadletters"), Done: doneText(loc, r, "replayed")}
	if fa := h.d.FederationAdmin; fa != nil {
		v.Available = true
		items, next, err := fa.DeadLetters(r.Context(), r.URL.Query().Get("cursor"))
		if err != nil {
			h.d.Logger.ErrorContext(r.Context(), "web: dead letters", "err", err)
			h.Error(w, r, http.StatusInternalServerError)
			return
		}
		for _, d := range items {
			st := "—"
			if d.LastStatus != 0 {
				st = loc.Num(d.LastStatus)
			}
			v.Items = append(v.Items, deadView{ID: d.ID, Activity: d.Activity, Inbox: d.Inbox, Attempts: loc.Num(d.Attempts),
				Created: loc.Date(d.Created), Status: st, LastError: d.LastError, Reason: d.Reason})
		}
		if next != "" {
			v.Next = "/admin/deadletters?cursor=" + url.QueryEscape(next)
		}
	}
	h.render(w, r, http.StatusOK, "admin_dead", loc.T("admin.dead.title"), v)
}

// AdminReplay serves POST /admin/deadletters/replay (field "id").
func (h AdminPages) AdminReplay(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, adminAct{field: "id", action: actionReplay, back: "/admin/deadletters", done: "replayed",
		ready: func() bool { return h.d.FederationAdmin != nil }, do: func(ctx context.Context, id string) error { return h.d.FederationAdmin.Replay(ctx, id) }})
}
