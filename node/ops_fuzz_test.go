package node

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAcceptsGzip: any Accept-Encoding header is read without a panic, and
// one that does not mention gzip, x-gzip or * never enables compression.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "br, gzip;q=0.5", "*;q=0", "identity", "GZIP ; Q = 1", "gzip;q=abc", ",,;;=", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		got := acceptsGzip(h)
		l := strings.ToLower(h)
		if got && !strings.Contains(l, "gzip") && !strings.Contains(l, "*") {
			t.Fatalf("%q accepted as gzip", h)
		}
	})
}

// FuzzCORSPreflight: any preflight is answered without a panic, never with
// credentials, and allowed only for GET or HEAD with safelisted headers.
func FuzzCORSPreflight(f *testing.F) {
	f.Add("GET", "accept, if-none-match", "/api/v1/search")
	f.Add("POST", "", "/api/v1/objects")
	f.Add("GET", "authorization", "/api/v1/objects/x")
	f.Add("HEAD", ",,", "/.well-known/nodeinfo")
	h := cors([]string{"https://portal.example"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	f.Fuzz(func(t *testing.T, method, headers, path string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#%") {
			return
		}
		u, err := url.Parse("http://node.example" + path)
		if err != nil || u.Path != path {
			return
		}
		req := &http.Request{Method: http.MethodOptions, URL: u, Header: http.Header{}, Host: u.Host}
		req = req.WithContext(t.Context())
		req.Header.Set("Origin", "https://portal.example")
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", headers)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
			t.Fatal("credentials allowed")
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "" &&
			(method != "GET" && method != "HEAD" || strings.Contains(strings.ToLower(headers), "authorization") || !corsPublic(path)) {
			t.Fatalf("preflight %s %q on %s allowed", method, headers, path)
		}
	})
}

// TestAcceptsGzip: the most specific coding decides, wherever it stands
// ("*;q=0, gzip" accepts gzip: the hand-written reader stopped at the
// wildcard and refused it).
func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"gzip": true, "x-gzip": true, "*": true, "gzip;q=0": false, "gzip;q=0, *": false,
		"*;q=0, gzip": true, "*;q=0": false, "br, deflate": false, "": false, "GZIP;q=0.5": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}
