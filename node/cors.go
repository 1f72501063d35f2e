package node

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// CORS for the public read API (api.cors_origins, default none): a portal
// on an allowed origin may read search, objects, recommendations, exports,
// the OpenAPI description, problem types and the /.well-known documents
// from a browser, with GET and HEAD only. Credentials are never allowed
// (no Access-Control-Allow-Credentials, and Authorization is not among the
// allowed request headers): a page elsewhere cannot act with a user's
// token or session. Admin and write endpoints get no CORS headers, so a
// browser refuses cross-origin calls to them.

// corsMethods are the methods a cross-origin page may use.
const corsMethods = "GET, HEAD"

// corsHeaders are the request headers a cross-origin page may send
// (besides the CORS-safelisted ones).
var corsHeaders = []string{"accept", "accept-language", "if-none-match", "if-modified-since", "x-request-id"}

// corsExposed are the answer headers a cross-origin page may read.
const corsExposed = "ETag, Link, X-Request-ID, Retry-After, Content-Language"

// corsPublic reports whether path is part of the public read API.
func corsPublic(path string) bool {
	switch path {
	case "/api/v1/search", "/api/v1/recommendations", "/api/v1/objects", "/api/v1/object", "/api/v1/openapi.json":
		return true
	}
	for _, prefix := range []string{"/api/v1/objects/", "/api/v1/export/", "/.well-known/", "/problems/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// corsOrigin checks and normalises one api.cors_origins entry: "*" or
// scheme://host[:port].
func corsOrigin(o string) (string, error) {
	o = strings.TrimSpace(o)
	if o == "*" {
		return o, nil
	}
	u, err := url.Parse(o)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not an origin: %v", o, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q must start with https:// (or http://)", o)
	case u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%q is not an origin: write scheme://host[:port], without a path", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// cors answers preflights and marks the public read API's answers for the
// allowed origins; with no origin configured it does nothing.
func cors(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	any := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !corsPublic(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		allowed := origin != "" && (any || slices.Contains(origins, strings.ToLower(origin)))
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if holder, ok := r.Context().Value(routeKey{}).(*string); ok {
				*holder = "cors.preflight"
			}
			if allowed && preflightOK(r) {
				h.Set("Access-Control-Allow-Origin", allowOrigin(any, origin))
				h.Set("Access-Control-Allow-Methods", corsMethods)
				if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
					h.Set("Access-Control-Allow-Headers", req)
				}
				h.Set("Access-Control-Max-Age", "600")
			}
			// A refused preflight is a 204 without the allow headers: the
			// browser then refuses the request itself.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			h.Set("Access-Control-Allow-Origin", allowOrigin(any, origin))
			h.Set("Access-Control-Expose-Headers", corsExposed)
		}
		next.ServeHTTP(w, r)
	})
}

func allowOrigin(any bool, origin string) string {
	if any {
		return "*"
	}
	return origin
}

// preflightOK reports whether a preflight asks for a read with headers a
// cross-origin page may send.
func preflightOK(r *http.Request) bool {
	switch r.Header.Get("Access-Control-Request-Method") {
	case http.MethodGet, http.MethodHead:
	default:
		return false
	}
	for _, name := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "" && !slices.Contains(corsHeaders, name) {
			return false
		}
	}
	return true
}
