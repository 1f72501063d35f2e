package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/oidc"
)

// OIDCSignIn is sign-in with the organisation's identity provider
// (node/oidc's Client implements it).
type OIDCSignIn interface {
	ProviderName() string
	Start(ctx context.Context, next string) (oidc.Flow, error)
	Finish(ctx context.Context, flowID string, callback url.Values) (oidc.Result, error)
}

// oidcCookie holds a started sign-in's flow id until its callback. It is
// SameSite=Lax: the callback is a top-level GET coming from the provider's
// site, which a Strict cookie would not reach.
func (h OIDCPages) oidcCookie() string {
	if h.d.Secure {
		return "__Host-oidc"
	}
	return "interlink_oidc"
}

// oidcProvider is the name on the sign-in page's "Sign in with" link; ""
// when no provider is configured.
func (h *Handler) oidcProvider() string {
	if h.d.OIDC == nil {
		return ""
	}
	return h.d.OIDC.ProviderName()
}

// flowMaxAge is the flow cookie's lifetime, in seconds.
const flowMaxAge = 600

// OIDCStart serves GET /login/oidc?next=: a sign-in is started and the
// browser sent to the provider. (A link, not a form: the login page's
// Content-Security-Policy allows forms to post to this site only, and a
// browser applies it to the redirect that follows a form.)
func (h OIDCPages) OIDCStart(w http.ResponseWriter, r *http.Request) {
	if h.d.OIDC == nil {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	next := localNext(r.URL.Query().Get("next"))
	f, err := h.d.OIDC.Start(r.Context(), next)
	if err != nil {
		h.d.Logger.WarnContext(r.Context(), "web: sign-in with the identity provider could not start", "err", err)
		h.oidcRefused(w, r, http.StatusServiceUnavailable, "oidc.unavailable", next)
		return
	}
	h.setCookie(w, h.oidcCookie(), f.ID, flowMaxAge, http.SameSiteLaxMode)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, f.AuthURL, http.StatusSeeOther)
}

// OIDCCallback serves GET /login/oidc/callback: the flow of the cookie is
// finished (state, code exchange with PKCE, id_token and nonce checked,
// claims mapped), the account signed in as with a password, and the
// browser sent to where it started. Every failure is the sign-in page with
// the reason in the reader's language.
func (h OIDCPages) OIDCCallback(w http.ResponseWriter, r *http.Request) {
	if h.d.OIDC == nil {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	flowID := ""
	if c, err := r.Cookie(h.oidcCookie()); err == nil {
		flowID = c.Value
	}
	h.clearCookie(w, h.oidcCookie())
	res, err := h.d.OIDC.Finish(r.Context(), flowID, r.URL.Query())
	if err != nil {
		status, key := http.StatusUnauthorized, "oidc.failed"
		switch {
		case errors.Is(err, oidc.ErrState):
			status, key = http.StatusBadRequest, "oidc.state"
		case errors.Is(err, oidc.ErrDenied):
			key = "oidc.denied"
		case errors.Is(err, oidc.ErrUnmapped):
			status, key = http.StatusForbidden, "oidc.unmapped"
		case errors.Is(err, oidc.ErrProvider):
			status, key = http.StatusServiceUnavailable, "oidc.unavailable"
		}
		h.d.Logger.InfoContext(r.Context(), "web: sign-in with the identity provider refused", "err", err)
		if errors.Is(err, oidc.ErrUnmapped) {
			// The groups that gave a role are gone: so are the sessions.
			if n, rerr := h.d.Accounts().RefuseExternal(r.Context(), res.Identity.Issuer, res.Identity.Subject); rerr != nil {
				h.d.Logger.ErrorContext(r.Context(), "web: ending the sessions of an account without a role failed", "err", rerr)
			} else if n > 0 {
				h.d.Logger.InfoContext(r.Context(), "web: the account's role claims are gone: its sessions ended", "sessions", n)
			}
		}
		h.oidcRefused(w, r, status, key, res.Next)
		return
	}
	acc := h.d.Accounts()
	secret, u, err := acc.SignInExternal(r.Context(), res.Identity, clientOf(r))
	switch {
	case errors.Is(err, accounts.ErrDisabled):
		h.d.Logger.InfoContext(r.Context(), "web: sign-in with the identity provider refused: the account is disabled",
			"issuer", res.Identity.Issuer)
		h.oidcRefused(w, r, http.StatusForbidden, "login.disabled", res.Next)
		return
	case errors.Is(err, accounts.ErrExternalIdentity):
		h.oidcRefused(w, r, http.StatusUnauthorized, "oidc.failed", res.Next)
		return
	case err != nil:
		h.d.Logger.ErrorContext(r.Context(), "web: sign-in with the identity provider failed", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	h.d.Logger.InfoContext(r.Context(), "web: signed in with the identity provider", "user", u)
	h.setCookie(w, h.sessionCookie(), secret.Reveal(), int(acc.SessionLifetime().Seconds()), http.SameSiteLaxMode)
	h.clearCookie(w, h.preSessionCookie())
	http.Redirect(w, r, localNext(res.Next), http.StatusSeeOther)
}

// oidcRefused shows the sign-in page with why the provider's sign-in
// failed (the reader may sign in with a password or try again).
func (h OIDCPages) oidcRefused(w http.ResponseWriter, r *http.Request, status int, key, next string) {
	loc := h.locale(w, r)
	msg := loc.T(key)
	if key == "oidc.unmapped" || key == "oidc.unavailable" || key == "oidc.denied" {
		msg = loc.Td(key, map[string]any{"Provider": h.oidcProvider()})
	}
	h.loginForm(w, r, status, loginView{Next: localNext(next), Error: msg})
}
