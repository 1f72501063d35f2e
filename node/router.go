package node

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/gorilla/mux"
	"github.com/interlink-project/interlink-node/protocol/entity"
)

// routes builds the router. Every route has a name: metrics label requests by it.
func (n *Node) routes() http.Handler {
	r := mux.NewRouter()
	r.Use(nameRoute)
	notFound := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n.writeProblem(w, req, errorf(http.StatusNotFound, "not-found", "Not found", "no route for %s %s", req.Method, req.URL.Path))
	})
	notAllowed := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n.writeProblem(w, req, errorf(http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			"%s is not allowed on %s", req.Method, req.URL.Path))
	})
	r.NotFoundHandler, r.MethodNotAllowedHandler = notFound, notAllowed

	r.HandleFunc("/healthz", n.handleHealthz).Methods(http.MethodGet, http.MethodHead).Name("healthz")
	r.HandleFunc("/readyz", n.handleReadyz).Methods(http.MethodGet, http.MethodHead).Name("readyz")
	r.Handle("/metrics", n.metrics.handler()).Methods(http.MethodGet).Name("metrics")

	// api routes live on the root router (a mux subrouter would answer 404
	// instead of 405 to a wrong method) and hold the restore gate.
	api := apiRoutes{r: r, gate: n.gated}
	api.handle(http.MethodGet, "/status", "status", n.handleStatus)

	api.handle(http.MethodPost, "/objects", "objects.create", n.require(RoleEditor, n.handleCreate))
	api.handle(http.MethodGet, "/objects", "objects.list", n.handleList)
	api.handle(http.MethodGet, "/object", "objects.get_iri", n.handleGetByIRI)
	api.handle(http.MethodGet, "/objects/{id}", "objects.get", n.handleGet)
	api.handle(http.MethodPut, "/objects/{id}", "objects.update", n.require(RoleEditor, n.handleUpdate))
	api.handle(http.MethodDelete, "/objects/{id}", "objects.delete", n.require(RoleEditor, n.handleDelete))
	api.handle(http.MethodGet, "/objects/{id}/versions", "objects.versions", n.handleVersions)
	api.handle(http.MethodGet, "/objects/{id}/versions/{version}", "objects.version", n.handleVersion)
	api.handle(http.MethodGet, "/objects/{id}/aggregates", "objects.aggregates", n.handleAggregates)

	api.handle(http.MethodPost, "/import", "import", n.require(RoleEditor, n.handleImport))
	api.handle(http.MethodPost, "/import/cpsv", "import.cpsv", n.require(RoleEditor, n.handleImportCPSV))
	api.handle(http.MethodPost, "/import/publiccode", "import.publiccode", n.require(RoleEditor, n.handleImportPubliccode))
	api.handle(http.MethodGet, "/export/cpsv", "export.cpsv", n.handleExportCPSV)

	api.handle(http.MethodGet, "/search", "search", n.handleSearch)
	api.handle(http.MethodGet, "/recommendations", "recommendations", n.handleRecommendations)

	api.handle(http.MethodPost, "/tokens", "tokens.create", n.require(RoleAdmin, n.handleTokenCreate))
	api.handle(http.MethodGet, "/tokens", "tokens.list", n.require(RoleAdmin, n.handleTokenList))
	api.handle(http.MethodDelete, "/tokens/{id}", "tokens.delete", n.require(RoleAdmin, n.handleTokenDelete))
	api.handle(http.MethodGet, "/backup", "backup", n.require(RoleAdmin, n.handleBackup))

	api.handle(http.MethodPost, "/follows", "follows.create", n.require(RoleEditor, n.handleFollow))
	api.handle(http.MethodGet, "/follows", "follows.list", n.require(RoleReader, n.handleFollowList(false)))
	api.handle(http.MethodDelete, "/follows", "follows.delete", n.require(RoleEditor, n.handleUnfollow))
	api.handle(http.MethodGet, "/followers", "followers.list", n.require(RoleReader, n.handleFollowList(true)))
	api.handle(http.MethodPost, "/followers/approve", "followers.approve", n.require(RoleAdmin, n.handleDecide(true)))
	api.handle(http.MethodPost, "/followers/reject", "followers.reject", n.require(RoleAdmin, n.handleDecide(false)))
	api.handle(http.MethodGet, "/peers", "peers", n.require(RoleReader, n.handlePeers))
	api.handle(http.MethodGet, "/members", "members", n.require(RoleReader, n.handleMembers))
	api.handle(http.MethodGet, "/deliveries/dead", "deliveries.dead", n.require(RoleAdmin, n.handleDeadLetters))
	api.handle(http.MethodPost, "/deliveries/dead/{id}/replay", "deliveries.replay", n.require(RoleAdmin, n.handleReplay))
	n.testingRoutes(api)
	n.trustRoutes(api)

	// ActivityPub and discovery (outside /api/v1, behind the restore gate).
	ap := func(method, path, name string, h http.HandlerFunc) {
		r.Handle(path, n.gated(h)).Methods(method).Name(name)
	}
	ap(http.MethodGet, "/actor", "ap.actor", n.handleActor)
	ap(http.MethodPost, "/actor/inbox", "ap.inbox", n.handleInbox)
	ap(http.MethodPost, "/inbox", "ap.shared_inbox", n.handleInbox)
	ap(http.MethodGet, "/actor/outbox", "ap.outbox", n.handleOutbox)
	ap(http.MethodGet, "/actor/followers", "ap.followers", n.handleFollowCollection(true))
	ap(http.MethodGet, "/actor/following", "ap.following", n.handleFollowCollection(false))
	ap(http.MethodGet, "/objects/{id}", "ap.object", n.handleObjectIRI)
	ap(http.MethodGet, "/activities/{id}", "ap.activity", n.handleActivity)
	ap(http.MethodGet, "/.well-known/webfinger", "webfinger", n.handleWebFinger)
	ap(http.MethodGet, "/.well-known/nodeinfo", "nodeinfo.links", n.handleNodeInfoLinks)
	ap(http.MethodGet, "/nodeinfo/2.1", "nodeinfo", n.handleNodeInfo)
	ap(http.MethodGet, entity.WellKnownPath, "openid_federation", n.handleEntityConfiguration)
	ap(http.MethodGet, entity.FetchPath, "federation.fetch", n.handleFetch)
	ap(http.MethodGet, entity.ListPath, "federation.list", n.handleSubordinateList)
	ap(http.MethodGet, entity.HistoricalKeysPath, "federation.historical_keys", n.handleHistoricalKeys)
	ap(http.MethodGet, entity.DenylistPath, "federation.denylist", n.handleDenylist)

	// Restore swaps the database: it takes the gate exclusively itself, so
	// it is routed outside the gated subrouter.
	r.HandleFunc("/api/v1/restore", n.authenticateFunc(n.require(RoleAdmin, n.handleRestore))).Methods(http.MethodPost).Name("restore")

	return n.withRequestID(n.recoverer(n.instrument(n.authenticate(r))))
}

func (n *Node) authenticateFunc(h http.HandlerFunc) http.HandlerFunc {
	return n.authenticate(h).ServeHTTP
}

// gated holds the restore gate shared for the duration of a request.
func (n *Node) gated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.gate.RLock()
		defer n.gate.RUnlock()
		if n.closed.Load() {
			n.writeProblem(w, r, errorf(http.StatusServiceUnavailable, "not-ready", "The node is shutting down", "retry against the restarted node"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// apiRoutes registers /api/v1 routes behind the restore gate.
type apiRoutes struct {
	r    *mux.Router
	gate func(http.Handler) http.Handler
}

func (a apiRoutes) handle(method, path, name string, h http.HandlerFunc) {
	a.r.Handle("/api/v1"+path, a.gate(h)).Methods(method).Name(name)
}

type requestIDKey struct{}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID gives every request an id (the caller's X-Request-ID when
// sane), echoes it and puts it in the context for logs and problems.
func (n *Node) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID.MatchString(id) {
			id = n.ids.New(n.now())
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// recoverer turns a panic in a handler into a logged 500 problem.
func (n *Node) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				n.log.ErrorContext(r.Context(), "handler panicked", "panic", v, "path", r.URL.Path, "request_id", requestID(r.Context()))
				n.writeProblem(w, r, errorf(http.StatusInternalServerError, "internal", "Internal error", "the node failed to handle the request"))
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

// instrument logs each request and records it in the metrics under its route name.
func (n *Node) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		route := "unmatched"
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, &route)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		n.metrics.observe(route, r.Method, sw.status, d)
		level := slog.LevelDebug // successful requests: visible with log.level debug
		switch {
		case sw.status >= 500:
			level = slog.LevelError
		case sw.status >= 400:
			level = slog.LevelInfo
		}
		n.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "route", route,
			"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000, "request_id", requestID(r.Context()))
	})
}
