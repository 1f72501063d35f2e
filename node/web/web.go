// Package web is the face of the node for people: server-rendered pages
// (html/template, assets embedded, no script needed) over the same use
// cases as the JSON API (node/catalogue, node/accounts). It serves the home
// page, search, object pages, sign-in and sign-out, and error pages, in
// English, Spanish, Italian and Latvian (go-i18n message files embedded in
// the binary). The node mounts these handlers on the same IRIs that
// ActivityPub uses and picks them by content negotiation (WantsHTML).
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/accept"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Site is what the pages say about the node's organisation.
type Site struct {
	Name      string
	Country   string // ISO 3166-1 alpha-2
	OrgKind   string // public_administration, citizen_group, non_profit, for_profit
	TrustRole string // the trust layer's role (leaf, intermediate, anchor)
	Anchors   []string
}

// Member is one gossip member as the home page shows it.
type Member struct {
	Name    string
	Country string
	Healthy bool
}

// Deps are what the pages need; the accessors read the node's current data
// layer at each request (a restore swaps it).
type Deps struct {
	Catalogue  func() *catalogue.Service
	Accounts   func() *accounts.Service
	Federation Federation // the home and peers pages' view; nil: no federation shown, /peers answers 403
	OIDC       OIDCSignIn // sign-in with the identity provider (oidc.go); nil: not configured
	Site       Site
	URIs       protocol.URIs
	SearchWait time.Duration
	// Secure: the public URL is https, so cookies are Secure and take the
	// __Host- prefix.
	Secure bool
	Logger *slog.Logger
	Now    func() time.Time

	// FederationAdmin and Tokens are what the admin pages change (admin*.go);
	// nil: those pages say the node has none.
	FederationAdmin FederationAdmin
	Tokens          Tokens
	// Processes is what the co-production pages use (process*.go); nil:
	// the node runs no processes and those pages answer 404.
	Processes Processes
}

// Handler serves the pages.
type Handler struct {
	d     Deps
	pages map[string]*template.Template
	i18n  *translations
}

var pageNames = []string{"home", "search", "object", "login", "error", "org", "peers",
	"admin", "admin_follows", "admin_dead", "admin_users", "admin_tokens", "admin_audit", "cosign", "cosign_request", "diff",
	"object_uses", "processes", "process", "process_task", "process_tree", "process_finish"} // object_uses: the object page's parts, rendered apart (uses.go), so that object.html parses alone

// pageParts are the partial templates a page uses besides the layout and
// item.html.
var pageParts = map[string][]string{
	"object_uses":    {"templates/form_errors.html"},
	"cosign_request": {"templates/diff_table.html", "templates/form_errors.html"},
	"diff":           {"templates/diff_table.html"},
	"admin_follows":  {"templates/admin_nav.html", "templates/form_errors.html"},
	"admin_dead":     {"templates/admin_nav.html"},
	"admin_users":    {"templates/admin_nav.html", "templates/form_errors.html"},
	"admin_tokens":   {"templates/admin_nav.html", "templates/form_errors.html"},
	"admin_audit":    {"templates/admin_nav.html"},
	"processes":      {"templates/form_errors.html"},
	"process":        {"templates/form_errors.html"},
	"process_task":   {"templates/form_errors.html"},
	"process_tree":   {"templates/form_errors.html", "templates/process_field.html"},
	"process_finish": {"templates/form_errors.html", "templates/process_field.html"},
}

// New parses the templates and the message files.
func New(d Deps) (*Handler, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	tr, err := loadTranslations()
	if err != nil {
		return nil, err
	}
	h := &Handler{d: d, pages: map[string]*template.Template{}, i18n: tr}
	for _, p := range pageNames {
		files := append([]string{"templates/layout.html", "templates/item.html", "templates/" + p + ".html"}, pageParts[p]...)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, err
		}
		h.pages[p] = t
	}
	if err := h.addEditorPages(); err != nil {
		return nil, err
	}
	return h, nil
}

// Static serves the embedded assets under /static/ (cached for a day).
func (h *Handler) Static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}

// WantsHTML reports whether the request's Accept header prefers an HTML
// page to JSON: text/html (or application/xhtml+xml) with a quality above
// every JSON type's. A missing Accept, */* alone and ActivityPub's types
// keep the machine forms.
func WantsHTML(r *http.Request) bool {
	var html, json float64 = -1, -1
	for _, rg := range accept.Parse(r.Header.Get("Accept")) {
		switch mt := rg.Value; {
		case mt == "text/html" || mt == "application/xhtml+xml":
			html = max(html, rg.Q)
		case strings.HasSuffix(mt, "json"):
			json = max(json, rg.Q)
		}
	}
	return html > 0 && html > json
}

// view is what every template receives.
type view struct {
	L       *locale
	Site    Site
	Title   string
	Path    string // the request's path and query, for the language switcher
	User    *accounts.User
	CSRF    string // the signed-in session's CSRF token
	SignIn  string // the sign-in link, back to this page afterwards
	Langs   []langLink
	Content any
}

type langLink struct {
	Tag, Name, Href string
	Current         bool
}

// render writes page with status; a template error is a logged 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page, title string, content any) {
	loc := h.locale(w, r)
	v := view{L: loc, Site: h.d.Site, Title: title, Path: r.URL.Path, Content: content, SignIn: "/login"}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path != "/login" && r.URL.Path != "/" {
		v.SignIn = "/login?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if s, ok := sessionFrom(r.Context()); ok {
		u := s.user
		v.User, v.CSRF = &u, h.d.Accounts().CSRFToken(s.secret)
	}
	for _, l := range supported {
		q := r.URL.Query()
		q.Set("lang", l.tag)
		q.Del("cursor") // a page of results belongs to its language's query: the switch starts at the first
		v.Langs = append(v.Langs, langLink{Tag: l.tag, Name: l.name, Href: r.URL.Path + "?" + q.Encode(), Current: l.tag == loc.Tag})
	}
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: rendering failed", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Add("Vary", "Accept")
	hd.Add("Vary", "Accept-Language")
	hd.Add("Vary", "Cookie")
	hd.Set("Content-Language", loc.Tag)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	hd.Set("Referrer-Policy", "same-origin")
	if v.User != nil || page == "login" {
		hd.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorView is the content of an error page.
type errorView struct {
	Status  int
	Heading string
	Detail  string
}

// Error renders the HTML error page for status (404, 403, 405, 500, ...).
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, status int) {
	loc := h.locale(w, r)
	key := "error.other"
	switch status {
	case http.StatusNotFound, http.StatusForbidden, http.StatusInternalServerError, http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusGone:
		key = "error." + strconv.Itoa(status)
	}
	ev := errorView{Status: status, Heading: loc.T(key), Detail: loc.T(key + ".detail")}
	h.render(w, r, status, "error", ev.Heading, ev)
}
