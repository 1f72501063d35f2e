package node

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/federation"
	webui "github.com/interlink-project/interlink-node/node/web"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/storage"
)

// routes builds the router from the handler types, each holding only what
// its API area needs (the current services through the live accessors).
// Every route has a name: metrics label requests by it.
func (n *Node) routes() http.Handler {
	r := mux.NewRouter()
	n.router = r
	r.Use(nameRoute)
	h := web{log: n.log, uris: n.uris, bodyLimit: int64(n.cfg.API.BodyLimit)}
	notFound := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h.writeProblem(w, req, errorf(http.StatusNotFound, "not-found", "Not found", "no route for %s %s", req.Method, req.URL.Path))
	})
	notAllowed := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h.writeProblem(w, req, errorf(http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			"%s is not allowed on %s", req.Method, req.URL.Path))
	})
	ui, err := webui.New(webui.Deps{Catalogue: n.live.catalogue, Accounts: n.live.accounts, Federation: webFederation{n},
		OIDC: n.oidcSignIn(), // sign-in with the identity provider (config_oidc.go); nil when off
		Site: webui.Site{Name: n.cfg.Name, Country: n.cfg.Country, OrgKind: n.cfg.OrgKind, TrustRole: n.cfg.Trust.Role, Anchors: n.anchorIDs()},
		URIs: n.uris, SearchWait: n.cfg.API.SearchWait, Secure: strings.HasPrefix(n.uris.Base(), "https://"), Logger: n.log, Now: n.now,
		FederationAdmin: webFederationAdmin{n}, Tokens: webTokens{n}, Processes: webProcesses{n}})
	if err != nil {
		panic(err) // the embedded templates and messages are tested
	}
	gate := func(next http.Handler) http.Handler { return n.gate.hold(h, next) }
	page := func(f http.HandlerFunc) http.Handler { return gate(ui.Sessions(f)) }
	// A browser gets error pages, every other client problem documents.
	htmlOr := func(status int, problem http.Handler) http.Handler {
		errPage := page(func(w http.ResponseWriter, r *http.Request) { ui.Error(w, r, status) })
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Vary", "Accept")
			if webui.WantsHTML(r) {
				errPage.ServeHTTP(w, r)
				return
			}
			problem.ServeHTTP(w, r)
		})
	}
	r.NotFoundHandler = htmlOr(http.StatusNotFound, notFound)
	r.MethodNotAllowedHandler = withAllow(r, htmlOr(http.StatusMethodNotAllowed, notAllowed))
	mw := middleware{web: h, ids: n.ids, now: n.now, metrics: n.metrics, store: n.live.store, used: &tokenUse{},
		requests:  &requestLog{mode: n.cfg.Log.Requests, sample: uint64(max(n.cfg.Log.RequestSample, 1))},
		errorPage: func(w http.ResponseWriter, r *http.Request, status int) { ui.Error(w, r, status) }}
	admin := &adminAPI{web: h, gate: &n.gate, store: n.live.store, index: n.live.index, ids: n.ids, now: n.now,
		data: n.cfg.Data, restoreLimit: int64(n.cfg.API.RestoreLimit), identity: n.identity, replace: n.replaceData,
		health: n.health(), requireFed: n.cfg.Health.RequireFederation}

	r.HandleFunc("/healthz", admin.handleHealthz).Methods(http.MethodGet, http.MethodHead).Name("healthz")
	r.HandleFunc("/readyz", admin.handleReadyz).Methods(http.MethodGet, http.MethodHead).Name("readyz")
	r.Handle("/metrics", n.metrics.handler()).Methods(http.MethodGet, http.MethodHead).Name("metrics")

	// api routes live on the root router (a mux subrouter would answer 404
	// instead of 405 to a wrong method) and hold the restore gate.
	api := apiRoutes{r: r, gate: gate}
	admin.accounts = n.live.accounts // the tokens API records its changes in the audit list
	admin.routes(api)
	objectsAPI{web: h, store: n.live.store, cat: n.live.catalogue}.routes(api)
	importAPI{web: h, cat: n.live.catalogue}.routes(api)
	searchAPI{web: h, cat: n.live.catalogue, wait: n.cfg.API.SearchWait}.routes(api)
	federationAPI{web: h, store: n.live.store, fed: n.live.fed, gossip: n.gossip.Load}.routes(api)
	faultsAPI{web: h, faults: n.faults}.routes(api)
	trustAPI{web: h, store: n.live.store, trust: n.live.trust, keys: n.trustKeys}.routes(api)
	cosignAPI{web: h, cat: n.live.catalogue}.routes(api)
	processesAPI{web: h, cop: n.live.coproduction}.routes(api)

	// ActivityPub and discovery (outside /api/v1, behind the restore gate).
	ap := apRoutes{r: r, gate: api.gate}
	faces := &pageFaces{home: ui.Sessions(http.HandlerFunc(ui.Home)), object: ui.Sessions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ui.Object(w, r, mux.Vars(r)["id"])
	}))}
	actorPage := activityPub{web: h, store: n.live.store, fed: n.live.fed, inboxLimit: n.inboxLimit, pages: faces,
		inboxRate: n.cfg.Federation.InboxRate, inboxBurst: n.cfg.Federation.InboxBurst, actor: activity.ActorParams{
			PreferredUsername: n.cfg.Federation.PreferredUsername, Name: n.cfg.Name, Summary: n.cfg.Summary,
			OrgKind: n.cfg.OrgKind, Country: n.cfg.Country, PublicKeyPEM: httpsig.PublicKeyPEM(&n.keys.HTTP.PublicKey),
			ManuallyApprovesFollowers: n.cfg.Federation.FollowPolicy != federation.PolicyOpen,
		}}
	actorPage.routes(ap)
	usersAPI{web: h, accounts: n.live.accounts}.routes(api)
	api.handle(http.MethodGet, "/openapi.json", "openapi", (&openAPIHandler{base: n.uris.Base(), version: Build.Version}).ServeHTTP) // openapi.go

	// Pages for people (node/web): the home page shares / with the actor's
	// AS2 document (the actor's url), the others have paths of their own.
	ap.handle(http.MethodGet, "/", "page.home", actorPage.handleActor)
	r.Handle("/search", page(ui.Search)).Methods(http.MethodGet, http.MethodHead).Name("page.search")
	r.Handle("/peers", page(ui.Peers)).Methods(http.MethodGet, http.MethodHead).Name("page.peers")
	r.Handle("/login", page(ui.Login)).Methods(http.MethodGet, http.MethodHead).Name("page.login")
	csrfOrigin := http.NewCrossOriginProtection()
	// webadmin: co-signing inbox, versions, adopt and rate, admin pages.
	withID := func(f func(http.ResponseWriter, *http.Request, string)) http.Handler {
		return page(func(w http.ResponseWriter, r *http.Request) { f(w, r, mux.Vars(r)["id"]) })
	}
	get, post := []string{http.MethodGet, http.MethodHead}, http.MethodPost
	for _, p := range []struct {
		path, name string
		get, post  http.Handler
	}{
		{"/cosign", "page.cosign", page(ui.Uses().CosignInbox), nil},
		{"/cosign/{id}", "page.cosign_request", withID(ui.Uses().CosignRequest), nil},
		{"/cosign/{id}/approve", "page.cosign_approve", nil, withID(ui.Uses().CosignAnswer(true))},
		{"/cosign/{id}/reject", "page.cosign_reject", nil, withID(ui.Uses().CosignAnswer(false))},
		{"/objects/{id}/diff", "page.object_diff", withID(ui.Uses().ObjectDiff), nil},
		{"/objects/{id}/adopt", "page.object_adopt", nil, withID(ui.Uses().Adopt)},
		{"/objects/{id}/rate", "page.object_rate", nil, withID(ui.Uses().Rate)},
		{"/admin", "page.admin", page(ui.Admin().AdminHome), nil},
		{"/admin/follows", "page.admin_follows", page(ui.Admin().AdminFollows), page(ui.Admin().AdminFollow)},
		{"/admin/follows/unfollow", "page.admin_unfollow", nil, page(ui.Admin().AdminUnfollow)},
		{"/admin/followers/accept", "page.admin_accept", nil, page(ui.Admin().AdminDecide(true))},
		{"/admin/followers/reject", "page.admin_reject", nil, page(ui.Admin().AdminDecide(false))},
		{"/admin/deadletters", "page.admin_dead", page(ui.Admin().AdminDeadLetters), nil},
		{"/admin/deadletters/replay", "page.admin_replay", nil, page(ui.Admin().AdminReplay)},
		{"/admin/users", "page.admin_users", page(ui.Admin().AdminUsers), page(ui.Admin().AdminUserCreate)},
		{"/admin/users/{id}", "page.admin_user", nil, withID(ui.Admin().AdminUserChange)},
		{"/admin/tokens", "page.admin_tokens", page(ui.Admin().AdminTokens), page(ui.Admin().AdminTokenCreate)},
		{"/admin/tokens/revoke", "page.admin_revoke", nil, page(ui.Admin().AdminTokenRevoke)},
		{"/admin/audit", "page.admin_audit", page(ui.Admin().AdminAudit), nil},
	} {
		if p.get != nil {
			r.Handle(p.path, p.get).Methods(get...).Name(p.name)
		}
		if p.post != nil {
			r.Handle(p.path, csrfOrigin.Handler(p.post)).Methods(post).Name(p.name + "_post")
		}
	}
	r.Handle("/login", csrfOrigin.Handler(page(ui.LoginPost))).Methods(http.MethodPost).Name("page.login_post")
	r.Handle("/logout", csrfOrigin.Handler(page(ui.Logout))).Methods(http.MethodPost).Name("page.logout")
	r.Handle("/login/oidc", page(ui.OIDC().OIDCStart)).Methods(http.MethodGet).Name("page.login_oidc")
	r.Handle("/login/oidc/callback", page(ui.OIDC().OIDCCallback)).Methods(http.MethodGet).Name("page.login_oidc_callback")
	// The editor (node/web/editor.go, import.go): forms for editors.
	r.Handle("/new", page(ui.Editor().NewIndex)).Methods(http.MethodGet, http.MethodHead).Name("page.new")
	r.Handle("/new/{kind}", page(func(w http.ResponseWriter, r *http.Request) { ui.Editor().NewForm(w, r, mux.Vars(r)["kind"]) })).Methods(http.MethodGet, http.MethodHead).Name("page.new_form")
	r.Handle("/new/{kind}", csrfOrigin.Handler(page(func(w http.ResponseWriter, r *http.Request) { ui.Editor().NewPost(w, r, mux.Vars(r)["kind"]) }))).Methods(http.MethodPost).Name("page.new_post")
	r.Handle("/objects/{id}/edit", page(func(w http.ResponseWriter, r *http.Request) { ui.Editor().EditForm(w, r, mux.Vars(r)["id"]) })).Methods(http.MethodGet, http.MethodHead).Name("page.edit")
	r.Handle("/objects/{id}/edit", csrfOrigin.Handler(page(func(w http.ResponseWriter, r *http.Request) { ui.Editor().EditPost(w, r, mux.Vars(r)["id"]) }))).Methods(http.MethodPost).Name("page.edit_post")
	r.Handle("/import", page(ui.Editor().ImportForm)).Methods(http.MethodGet, http.MethodHead).Name("page.import")
	r.Handle("/import", csrfOrigin.Handler(page(ui.Editor().ImportPost))).Methods(http.MethodPost).Name("page.import_post")
	// Co-production processes (node/web/process*.go, web_process_faces.go).
	withKey := func(f func(http.ResponseWriter, *http.Request, string, string)) http.Handler {
		return page(func(w http.ResponseWriter, r *http.Request) { f(w, r, mux.Vars(r)["id"], mux.Vars(r)["key"]) })
	}
	r.Handle("/processes", page(ui.Processes().ProcessList)).Methods(get...).Name("page.processes")
	r.Handle("/processes", csrfOrigin.Handler(page(ui.Processes().ProcessCreate))).Methods(post).Name("page.processes_post")
	browser := func(r *http.Request, _ *mux.RouteMatch) bool { return webui.WantsHTML(r) } // else the Group actor (api_processes_ap.go)
	r.Handle("/processes/{id}", withID(ui.Processes().ProcessWorkspace)).Methods(get...).MatcherFunc(browser).Name("page.process")
	r.Handle("/processes/{id}/invite", csrfOrigin.Handler(withID(ui.Processes().ProcessInvite))).Methods(post).Name("page.process_invite")
	r.Handle("/processes/{id}/accept", csrfOrigin.Handler(withID(ui.Processes().ProcessAnswer(true)))).Methods(post).Name("page.process_accept")
	r.Handle("/processes/{id}/decline", csrfOrigin.Handler(withID(ui.Processes().ProcessAnswer(false)))).Methods(post).Name("page.process_decline")
	r.Handle("/processes/{id}/tasks/{key}", withKey(ui.Processes().ProcessTask)).Methods(get...).Name("page.process_task")
	r.Handle("/processes/{id}/tasks/{key}", csrfOrigin.Handler(withKey(ui.Processes().ProcessTaskUpdate))).Methods(post).Name("page.process_task_post")
	r.Handle("/processes/{id}/tasks/{key}/assets", csrfOrigin.Handler(withKey(ui.Processes().ProcessAddLink))).Methods(post).Name("page.process_link")
	r.Handle("/processes/{id}/assets/{key}", withKey(ui.Processes().ProcessAsset)).Methods(get...).Name("page.process_asset")
	r.Handle("/processes/join", csrfOrigin.Handler(page(ui.Processes().ProcessJoin))).Methods(post).Name("page.process_join")
	r.Handle("/processes/{id}/tree", withID(ui.Processes().ProcessTree)).Methods(get...).Name("page.process_tree")
	r.Handle("/processes/{id}/phases", csrfOrigin.Handler(withID(ui.Processes().ProcessAddPhase))).Methods(post).Name("page.process_phase")
	r.Handle("/processes/{id}/objectives", csrfOrigin.Handler(withID(ui.Processes().ProcessAddObjective))).Methods(post).Name("page.process_objective")
	r.Handle("/processes/{id}/tasks", csrfOrigin.Handler(withID(ui.Processes().ProcessAddTask))).Methods(post).Name("page.process_add_task")
	r.Handle("/processes/{id}/rights", csrfOrigin.Handler(withID(ui.Processes().ProcessGrant))).Methods(post).Name("page.process_rights")
	r.Handle("/processes/{id}/remove", csrfOrigin.Handler(withID(ui.Processes().ProcessRemove))).Methods(post).Name("page.process_remove")
	r.Handle("/processes/{id}/admit", csrfOrigin.Handler(withID(ui.Processes().ProcessAdmit))).Methods(post).Name("page.process_admit")
	r.Handle("/processes/{id}/finish", withID(ui.Processes().ProcessFinishForm)).Methods(get...).Name("page.process_finish")
	r.Handle("/processes/{id}/finish", csrfOrigin.Handler(withID(ui.Processes().ProcessFinish))).Methods(post).Name("page.process_finish_post")
	r.Handle("/processes/{id}/tasks/{key}/files", csrfOrigin.Handler(withKey(ui.Processes().ProcessAddFile))).Methods(post).Name("page.process_file")
	r.Handle("/processes/{id}/tasks/{key}/assets/remove", csrfOrigin.Handler(withKey(ui.Processes().ProcessRemoveAsset))).Methods(post).Name("page.process_asset_remove")
	r.PathPrefix("/static/").Handler(ui.Static()).Methods(http.MethodGet, http.MethodHead).Name("page.static")
	wellKnown{web: h, store: n.live.store, username: n.cfg.Federation.PreferredUsername, name: n.cfg.Name}.routes(ap)
	openIDFederation{web: h, trust: n.live.trust}.routes(ap)
	problemsPage{web: h, notFound: r.NotFoundHandler}.routes(r) // problems_http.go
	catalogAPI{web: h, cat: n.live.catalogue, uris: n.uris, name: n.cfg.Name, summary: n.cfg.Summary}.routes(ap, api)
	processGroups{web: h, cop: n.live.coproduction}.routes(ap)

	// Restore swaps the database: it takes the gate exclusively itself, so
	// it is routed outside the gated subrouter.
	r.HandleFunc("/api/v1/restore", mw.authenticate(h.require(RoleAdmin, admin.handleRestore)).ServeHTTP).Methods(http.MethodPost).Name("restore")

	var inner http.Handler = cors(n.cfg.API.CORSOrigins, mw.authenticate(r)) // cors.go
	if n.cfg.API.Compress {
		inner = compress(inner) // compress.go
	}
	return n.cfg.proxies.withClientAddr(mw.withRequestID(mw.recoverer(mw.instrument(inner))))
}

// apiRoutes registers /api/v1 routes behind the restore gate.
type apiRoutes struct {
	r    *mux.Router
	gate func(http.Handler) http.Handler
}

func (a apiRoutes) handle(method, path, name string, h http.HandlerFunc) {
	a.r.Handle("/api/v1"+path, a.gate(h)).Methods(withHead(method)...).Name(name)
}

// withHead is the methods a route of method answers: every GET also
// answers HEAD (RFC 9110 §9.3.2: the same headers, no content; net/http
// drops the body a handler writes for a HEAD).
func withHead(method string) []string {
	if method == http.MethodGet {
		return []string{http.MethodGet, http.MethodHead}
	}
	return []string{method}
}

// apRoutes registers ActivityPub and discovery routes behind the restore gate.
type apRoutes apiRoutes

func (a apRoutes) handle(method, path, name string, h http.HandlerFunc) {
	a.r.Handle(path, a.gate(h)).Methods(withHead(method)...).Name(name)
}

// middleware wraps every route: request ids, panics, logs and metrics,
// bearer tokens (auth.go).
type middleware struct {
	web
	ids     *protocol.ULIDSource
	now     func() time.Time
	metrics *metrics
	store   func() *storage.Store // the tokens
	used    *tokenUse             // throttles the writes of tokens' last use
	// errorPage renders the HTML error page for browsers (node/web).
	errorPage func(w http.ResponseWriter, r *http.Request, status int)
	requests  *requestLog // which requests are logged (reqlog.go)
}

type requestIDKey struct{}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID gives every request an id (the caller's X-Request-ID when
// sane), echoes it and puts it in the context for logs and problems.
func (m middleware) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID.MatchString(id) {
			id = m.ids.New(m.now())
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// recoverer turns a panic in a handler into a logged 500 problem.
func (m middleware) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				m.log.ErrorContext(r.Context(), "handler panicked", "panic", v, "path", r.URL.Path, "request_id", requestID(r.Context()))
				if m.errorPage != nil && webui.WantsHTML(r) {
					m.errorPage(w, r, http.StatusInternalServerError)
					return
				}
				m.writeProblem(w, r, errorf(http.StatusInternalServerError, "internal", "Internal error", "the node failed to handle the request"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	k, err := s.ResponseWriter.Write(b)
	s.bytes += int64(k)
	return k, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type routeKey struct{}

// nameRoute records the matched route's name for instrument.
func nameRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if holder, ok := r.Context().Value(routeKey{}).(*string); ok {
			if cr := mux.CurrentRoute(r); cr != nil && cr.GetName() != "" {
				*holder = cr.GetName()
			}
		}
		next.ServeHTTP(w, r)
	})
}

// withAllow sets the Allow header of a 405 (RFC 9110 §15.5.6): the methods
// some route of r answers on the request's path.
func withAllow(r *mux.Router, next http.Handler) http.Handler {
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var allow []string
		for _, m := range methods {
			probe := req.Clone(req.Context())
			probe.Method = m
			var match mux.RouteMatch
			if r.Match(probe, &match) && match.MatchErr == nil {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
		}
		next.ServeHTTP(w, req)
	})
}
