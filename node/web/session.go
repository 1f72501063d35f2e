package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// Cookie names: the __Host- prefix needs Secure, so a node on plain http
// (a test federation on loopback) uses the unprefixed names.
func (h *Handler) sessionCookie() string {
	if h.d.Secure {
		return "__Host-session"
	}
	return "interlink_session"
}

func (h *Handler) preSessionCookie() string {
	if h.d.Secure {
		return "__Host-presession"
	}
	return "interlink_presession"
}

type sessionKey struct{}

type session struct {
	user   accounts.User
	secret accounts.Secret
}

func sessionFrom(ctx context.Context) (session, bool) {
	s, ok := ctx.Value(sessionKey{}).(session)
	return s, ok
}

// Role is the page role of the request: the signed-in user's, "" when
// nobody is signed in.
func Role(ctx context.Context) accounts.Role {
	if s, ok := sessionFrom(ctx); ok {
		return s.user.Role
	}
	return ""
}

func clientOf(r *http.Request) accounts.Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return accounts.Client{Address: host, UserAgent: r.UserAgent()}
}

// Sessions is the middleware of the pages: the client into the context,
// the session cookie looked up (a bad one cleared), the language picked
// once.
func (h *Handler) Sessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := accounts.WithClient(r.Context(), clientOf(r))
		ctx = context.WithValue(ctx, localeKey{}, h.i18n.locale(h.i18n.pick(w, r, h.d.Secure)))
		if c, err := r.Cookie(h.sessionCookie()); err == nil && c.Value != "" {
			secret := accounts.Secret(c.Value)
			s, err := h.d.Accounts().Lookup(ctx, secret)
			if err == nil {
				ctx = context.WithValue(ctx, sessionKey{}, session{user: s.User, secret: secret})
			} else {
				h.clearCookie(w, h.sessionCookie())
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge int, same http.SameSite) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: h.d.Secure, SameSite: same})
}

func (h *Handler) clearCookie(w http.ResponseWriter, name string) {
	h.setCookie(w, name, "", -1, http.SameSiteLaxMode)
}

// loginView is the sign-in form's content.
type loginView struct {
	CSRF          string
	Username      string
	Next          string
	Error         string // the whole form's
	UsernameError string
	PasswordError string
	OIDCProvider  string // "Sign in with" this identity provider (oidc.go); "": none
}

const maxForm = 16 << 10

// localNext keeps a redirect target only when it is a local path.
func localNext(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	return s
}

// Login serves GET /login: the form, its CSRF token bound to a fresh
// pre-session cookie when there is none.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	h.loginForm(w, r, http.StatusOK, loginView{Next: localNext(r.URL.Query().Get("next"))})
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request, status int, v loginView) {
	acc := h.d.Accounts()
	pre := ""
	if c, err := r.Cookie(h.preSessionCookie()); err == nil && c.Value != "" {
		pre = c.Value
	}
	tok, err := acc.AnonymousCSRFToken(pre)
	if pre == "" || err != nil {
		if pre, err = acc.NewPreSession(); err != nil {
			h.Error(w, r, http.StatusInternalServerError)
			return
		}
		if tok, err = acc.AnonymousCSRFToken(pre); err != nil {
			h.Error(w, r, http.StatusInternalServerError)
			return
		}
		h.setCookie(w, h.preSessionCookie(), pre, 3600, http.SameSiteStrictMode)
	}
	v.CSRF = tok
	v.OIDCProvider = h.oidcProvider()
	h.render(w, r, status, "login", h.locale(w, r).T("login.title"), v)
}

// LoginPost serves POST /login: CSRF first, then the fields, then the
// password; 303 to a local path on success.
func (h *Handler) LoginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.Error(w, r, http.StatusBadRequest)
		return
	}
	loc := h.locale(w, r)
	acc := h.d.Accounts()
	v := loginView{Username: r.PostForm.Get("username"), Next: localNext(r.PostForm.Get("next"))}
	pre := ""
	if c, err := r.Cookie(h.preSessionCookie()); err == nil {
		pre = c.Value
	}
	if err := acc.CheckAnonymousCSRF(pre, r.PostForm.Get("csrf")); err != nil {
		v.Error = loc.T("login.csrf")
		h.loginForm(w, r, http.StatusForbidden, v)
		return
	}
	password := r.PostForm.Get("password")
	if strings.TrimSpace(v.Username) == "" {
		v.UsernameError = loc.T("login.username.required")
	}
	if password == "" {
		v.PasswordError = loc.T("login.password.required")
	}
	if v.UsernameError != "" || v.PasswordError != "" {
		h.loginForm(w, r, http.StatusBadRequest, v)
		return
	}
	secret, _, err := acc.Authenticate(r.Context(), v.Username, password, clientOf(r))
	var re *accounts.RetryError
	switch {
	case errors.As(err, &re):
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(re.RetryAfter.Seconds()))))
		v.Error = loc.Tf("login.locked", int(re.RetryAfter.Seconds()))
		h.loginForm(w, r, http.StatusTooManyRequests, v)
		return
	case errors.Is(err, accounts.ErrDisabled):
		v.Error = loc.T("login.disabled")
		h.loginForm(w, r, http.StatusForbidden, v)
		return
	case errors.Is(err, accounts.ErrInvalidCredentials):
		v.PasswordError = loc.T("login.invalid")
		h.loginForm(w, r, http.StatusUnauthorized, v)
		return
	case err != nil:
		h.d.Logger.ErrorContext(r.Context(), "web: sign-in failed", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	h.setCookie(w, h.sessionCookie(), secret.Reveal(), int(acc.SessionLifetime().Seconds()), http.SameSiteLaxMode)
	h.clearCookie(w, h.preSessionCookie())
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// Logout serves POST /logout: the session's CSRF token checked, the
// session ended, the cookie cleared.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.Error(w, r, http.StatusBadRequest)
		return
	}
	s, ok := sessionFrom(r.Context())
	if !ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	acc := h.d.Accounts()
	if err := acc.CheckCSRF(s.secret, r.PostForm.Get("csrf")); err != nil {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	if err := acc.SignOut(r.Context(), s.secret); err != nil && !errors.Is(err, accounts.ErrNoSession) {
		h.d.Logger.ErrorContext(r.Context(), "web: sign-out failed", "err", err)
	}
	h.clearCookie(w, h.sessionCookie())
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
