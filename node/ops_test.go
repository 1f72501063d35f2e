package node

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// Tests of the operator-facing HTTP behaviour: gzip, CORS, request logs,
// /readyz's federation checks and the federation metrics.

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCompress(t *testing.T) {
	big := `{"items":"` + strings.Repeat("interlink ", 300) + `"}`
	cases := []struct {
		name       string
		method     string
		reqHeader  map[string]string
		ct, body   string
		status     int
		setHeader  map[string]string
		compressed bool
		vary       bool
	}{
		{name: "large JSON", ct: "application/json", body: big, compressed: true, vary: true},
		{name: "large problem document", ct: "application/problem+json", body: big, status: 422, compressed: true, vary: true},
		{name: "large HTML", ct: "text/html; charset=utf-8", body: strings.Repeat("<p>interlink</p>", 200), compressed: true, vary: true},
		{name: "CSS", ct: "text/css", body: strings.Repeat("p{color:red}", 200), compressed: true, vary: true},
		{name: "tiny JSON", ct: "application/json", body: `{"a":1}`, vary: true},
		{name: "client without gzip", reqHeader: map[string]string{"Accept-Encoding": ""}, ct: "application/json", body: big, vary: true},
		{name: "gzip refused by q=0", reqHeader: map[string]string{"Accept-Encoding": "gzip;q=0, identity"}, ct: "application/json", body: big, vary: true},
		{name: "binary stream", ct: "application/octet-stream", body: big},
		{name: "already encoded", ct: "application/json", body: big, setHeader: map[string]string{"Content-Encoding": "br"}, vary: true},
		{name: "HEAD", method: http.MethodHead, ct: "application/json", body: "", vary: true},
		{name: "a range", reqHeader: map[string]string{"Range": "bytes=0-10"}, ct: "text/css", body: big, vary: true},
		{name: "small by Content-Length", ct: "application/json", body: `{"a":1}`, setHeader: map[string]string{"Content-Length": "7"}, vary: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", c.ct)
				w.Header().Set("ETag", `"v1"`)
				for k, v := range c.setHeader {
					w.Header().Set(k, v)
				}
				w.WriteHeader(max(c.status, 200))
				for i := 0; i < len(c.body); i += 100 { // many small writes
					_, _ = io.WriteString(w, c.body[i:min(i+100, len(c.body))])
				}
			}))
			req := httptest.NewRequest(orDefault(c.method, http.MethodGet), "/x", nil)
			req.Header.Set("Accept-Encoding", "gzip, deflate")
			for k, v := range c.reqHeader {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Body.Bytes()
			if enc := rec.Header().Get("Content-Encoding"); (enc == "gzip") != c.compressed {
				t.Fatalf("Content-Encoding %q, want compressed %v", enc, c.compressed)
			}
			if c.compressed {
				got = gunzip(t, got)
				if rec.Header().Get("Content-Length") != "" || rec.Header().Get("ETag") != `W/"v1"` {
					t.Errorf("compressed answer: Content-Length %q, ETag %q (want none and weak)", rec.Header().Get("Content-Length"), rec.Header().Get("ETag"))
				}
			} else if rec.Header().Get("ETag") != `"v1"` {
				t.Errorf("uncompressed answer's ETag changed: %q", rec.Header().Get("ETag"))
			}
			if string(got) != c.body {
				t.Errorf("body changed: %d bytes, want %d", len(got), len(c.body))
			}
			if vary := strings.Join(rec.Header().Values("Vary"), ","); strings.Contains(vary, "Accept-Encoding") != c.vary {
				t.Errorf("Vary %q, want Accept-Encoding %v", vary, c.vary)
			}
			if rec.Code != max(c.status, 200) {
				t.Errorf("status %d", rec.Code)
			}
		})
	}
}

func orDefault(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// A stream stays a stream: what a handler flushes reaches the client
// before the handler ends.
func TestCompressKeepsStreaming(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson+json")
		_, _ = io.WriteString(w, `{"first":true}`+"\n")
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, `{"second":true}`+"\n")
	})))
	defer srv.Close()
	defer close(release)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not compressed: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	line := make([]byte, len(`{"first":true}`+"\n"))
	done := make(chan error, 1)
	go func() { _, err := io.ReadFull(zr, line); done <- err }()
	select {
	case err := <-done:
		if err != nil || string(line) != `{"first":true}`+"\n" {
			t.Fatalf("first chunk: %q %v", line, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the flushed chunk did not arrive while the handler waited")
	}
}

// Through the node: search and objects are gzipped for a client that asks,
// their weak ETag still gives 304, and the backup is never compressed.
func TestCompressOnTheNode(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	ed := tn.token("editor")
	for i := range 5 {
		if r := tn.postJSON("/api/v1/objects", ed, interlinkerBody("gz"+string(rune('a'+i)), "Gzip canvas", "Tela gzip")); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}
	raw := func(path, token string, hdr map[string]string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, tn.url+path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // set by hand: the client does not decompress then
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, b := raw("/api/v1/search?q=gzip", "", nil)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("search not compressed: %v", resp.Header)
	}
	var res map[string]any
	if err := json.Unmarshal(gunzip(t, b), &res); err != nil || res["total"] != 5.0 {
		t.Fatalf("search body: %v %v", err, res)
	}
	tag := resp.Header.Get("ETag")
	if !strings.HasPrefix(tag, `W/"`) {
		t.Fatalf("a compressed answer's ETag %q is not weak", tag)
	}
	if again, _ := raw("/api/v1/search?q=gzip", "", map[string]string{"If-None-Match": tag}); again.StatusCode != 304 || again.Header.Get("ETag") != tag {
		t.Fatalf("If-None-Match %s: %d, ETag %q", tag, again.StatusCode, again.Header.Get("ETag"))
	}
	if backup, _ := raw("/api/v1/backup", tn.admin, nil); backup.StatusCode != 200 || backup.Header.Get("Content-Encoding") != "" {
		t.Fatalf("backup: %d, Content-Encoding %q", backup.StatusCode, backup.Header.Get("Content-Encoding"))
	}
	if home, hb := raw("/", "", map[string]string{"Accept": "text/html"}); home.Header.Get("Content-Encoding") != "gzip" ||
		!strings.Contains(string(gunzip(t, hb)), "<html") {
		t.Fatalf("home page not compressed: %v", home.Header)
	}
}

func TestCORS(t *testing.T) {
	const portal = "https://portal.example.eu"
	cases := []struct {
		name    string
		origins []string
		method  string
		path    string
		header  map[string]string
		allow   string // the Access-Control-Allow-Origin expected, "" none
		status  int    // 0: not checked
	}{
		{"search from an allowed origin", []string{portal}, "GET", "/api/v1/search?q=x", nil, portal, 200},
		{"object list", []string{portal}, "GET", "/api/v1/objects", nil, portal, 200},
		{"well-known", []string{portal}, "GET", "/.well-known/nodeinfo", nil, portal, 200},
		{"openapi", []string{portal}, "GET", "/api/v1/openapi.json", nil, portal, 200},
		{"another origin", []string{portal}, "GET", "/api/v1/search?q=x", map[string]string{"Origin": "https://evil.example"}, "", 200},
		{"no origin configured", nil, "GET", "/api/v1/search?q=x", nil, "", 200},
		{"any origin", []string{"*"}, "GET", "/api/v1/search?q=x", nil, "*", 200},
		{"admin endpoint", []string{"*"}, "GET", "/api/v1/tokens", nil, "", 401},
		{"write endpoint", []string{"*"}, "POST", "/api/v1/objects", nil, "", 401},
		{"status", []string{"*"}, "GET", "/api/v1/status", nil, "", 200},
		{"preflight for a read", []string{portal}, "OPTIONS", "/api/v1/search",
			map[string]string{"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "accept-language, if-none-match"}, portal, 204},
		{"preflight for a write", []string{portal}, "OPTIONS", "/api/v1/objects", map[string]string{"Access-Control-Request-Method": "POST"}, "", 204},
		{"preflight with credentials", []string{portal}, "OPTIONS", "/api/v1/search",
			map[string]string{"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}, "", 204},
		{"preflight on an admin path", []string{"*"}, "OPTIONS", "/api/v1/tokens", map[string]string{"Access-Control-Request-Method": "GET"}, "", 405},
	}
	nodes := map[string]*testNode{}
	parent := t
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := strings.Join(c.origins, ",")
			tn := nodes[key]
			if tn == nil { // one node per setting, living as long as the parent test
				tn = startNodeWith(parent, parent.TempDir(), freeAddr(t, "127.0.0.1"), func(cfg *Config) { cfg.API.CORSOrigins = c.origins })
				nodes[key] = tn
			}
			req, _ := http.NewRequest(c.method, tn.url+c.path, nil)
			req.Header.Set("Origin", portal)
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			drain(resp)
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != c.allow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, c.allow)
			}
			if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			if c.status != 0 && resp.StatusCode != c.status {
				t.Errorf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.allow != "" && c.method == "OPTIONS" && resp.Header.Get("Access-Control-Allow-Methods") != corsMethods {
				t.Errorf("Allow-Methods %q", resp.Header.Get("Access-Control-Allow-Methods"))
			}
			if len(c.origins) > 0 && corsPublic(strings.SplitN(c.path, "?", 2)[0]) && !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
				t.Errorf("a public read answer lacks Vary: Origin")
			}
		})
	}
}

func TestCORSOriginSetting(t *testing.T) {
	for in, want := range map[string]string{"https://Portal.Example.eu": "https://portal.example.eu", "http://localhost:3000/": "http://localhost:3000", "*": "*",
		"portal.example.eu": "", "https://portal.example.eu/path": "", "ftp://x": "", "https://u@x": ""} {
		cfg := Defaults()
		cfg.Data, cfg.API.CORSOrigins = t.TempDir(), []string{in}
		err := cfg.Validate()
		switch {
		case want == "" && (err == nil || !strings.Contains(err.Error(), "api.cors_origins")):
			t.Errorf("%q: %v, want an error naming api.cors_origins", in, err)
		case want != "" && (err != nil || cfg.API.CORSOrigins[0] != want):
			t.Errorf("%q: %v %v, want %q", in, err, cfg.API.CORSOrigins, want)
		}
	}
	cfg := Defaults()
	if err := cfg.LoadEnv([]string{"INTERLINK_API_CORS_ORIGINS=https://a.example, https://b.example", "INTERLINK_LOG_REQUESTS=sampled", "INTERLINK_HEALTH_STUCK_AFTER=30m"}); err != nil {
		t.Fatal(err)
	}
	if len(cfg.API.CORSOrigins) != 2 || cfg.Log.Requests != "sampled" || cfg.Health.StuckAfter != 30*time.Minute {
		t.Fatalf("environment not applied: %+v %+v %+v", cfg.API.CORSOrigins, cfg.Log, cfg.Health)
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.Log.Requests = "some" }, func(c *Config) { c.Log.RequestSample = 0 }, func(c *Config) { c.Health.StuckAfter = time.Second },
	} {
		c := Defaults()
		c.Data = t.TempDir()
		bad(&c)
		if err := c.Validate(); err == nil || !(strings.Contains(err.Error(), "log.request") || strings.Contains(err.Error(), "health.stuck_after")) {
			t.Errorf("%v: want an error naming the setting", err)
		}
	}
}

func TestRequestLog(t *testing.T) {
	cases := []struct {
		mode   string
		sample int
		want   int // successful requests logged out of 6
	}{{logRequestsAll, 1, 6}, {logRequestsErrors, 1, 0}, {logRequestsSampled, 3, 2}, {logRequestsSampled, 1, 6}}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			// The node's own goroutines (the search index) log into it too.
			buf := &lockedBuffer{}
			cfg := Defaults()
			cfg.Data, cfg.Listen = t.TempDir(), freeAddr(t, "127.0.0.1")
			cfg.Log.Requests, cfg.Log.RequestSample = c.mode, c.sample
			n, err := New(cfg, Options{Logger: slog.New(slog.NewJSONHandler(buf, nil)), Stdout: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			h := n.handler
			for range 6 {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/search?q=secret-in-query", nil)
				req.Header.Set("Cookie", "session=secret-in-cookie")
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
			// Failures are always logged: a bad token (401), a wrong path (404).
			req := httptest.NewRequest(http.MethodGet, "/api/v1/tokens?x=secret-in-query", nil)
			req.Header.Set("Authorization", "Bearer secret-in-header")
			h.ServeHTTP(httptest.NewRecorder(), req)
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/nothing", nil))
			logged, errors := 0, 0
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				var e map[string]any
				if json.Unmarshal([]byte(line), &e) != nil || e["msg"] != "request" {
					continue
				}
				if strings.Contains(line, "secret") {
					t.Errorf("a request log line holds a secret: %s", line)
				}
				if _, ok := e["duration_ms"].(float64); !ok {
					t.Errorf("duration_ms is not a number: %s", line)
				}
				if st, _ := e["status"].(float64); st >= 400 {
					errors++
					if e["problem"] != map[float64]string{401: "unauthorized", 404: "not-found"}[st] {
						t.Errorf("the failure's line lacks its problem type: %s", line)
					}
					continue
				}
				if e["level"] != "INFO" {
					t.Errorf("a successful request logged at %v", e["level"])
				}
				logged++
			}
			if logged != c.want || errors != 2 {
				t.Fatalf("%d successful and %d failed requests logged, want %d and 2", logged, errors, c.want)
			}
		})
	}
}

// Durations are milliseconds, as numbers, in text and JSON logs alike.
func TestLogDurationsAsMillis(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		opts := &slog.HandlerOptions{ReplaceAttr: LogDurationsAsMillis}
		var h slog.Handler = slog.NewTextHandler(&buf, opts)
		if format == "json" {
			h = slog.NewJSONHandler(&buf, opts)
		}
		slog.New(h).Info("done", "duration", 1500*time.Microsecond, "wait_ms", 2*time.Second)
		out := buf.String()
		want := []string{"duration_ms=1.5", "wait_ms=2000"}
		if format == "json" {
			want = []string{`"duration_ms":1.5`, `"wait_ms":2000`}
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s log %q lacks %s", format, out, w)
			}
		}
	}
}

// hangingInbox accepts connections and never answers: a delivery to it
// stays due (in flight) for as long as the test needs.
func hangingInbox(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/inbox"
}

// /readyz: 200 "ready" with its checks; a stuck delivery queue makes it
// "degraded" (200), or 503 with health.require_federation; the metrics say
// the same.
func TestReadyzFederationChecks(t *testing.T) {
	for _, require := range []bool{false, true} {
		tn := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(cfg *Config) {
			fedConfig(cfg)
			cfg.Testing.Faults = true
			cfg.Health.RequireFederation = require
		})
		var ready Readiness
		r := tn.get("/readyz")
		if err := json.Unmarshal(r.body, &ready); err != nil || r.status != 200 || ready.Status != "ready" ||
			ready.Checks["storage"].Status != checkOK || ready.Checks["index"].Status != checkOK ||
			ready.Checks["trust_chain"].Status != checkSkipped || ready.Checks["delivery_queue"].Status != checkOK {
			t.Fatalf("readyz: %d %s", r.status, r.body)
		}
		act := storage.Activity{IRI: tn.url + "/activities/stuck-1", Type: "Follow", Actor: tn.n.uris.Actor(), Body: []byte(`{"type":"Follow"}`)}
		if err := tn.n.live.store().Queue().Enqueue(context.Background(), act, []string{hangingInbox(t)}); err != nil {
			t.Fatal(err)
		}
		// Two hours later by the node's clock, the delivery has been due for two hours.
		if r := tn.do(http.MethodPut, "/api/v1/testing/faults", tn.admin, "application/json", []byte(`{"clock_skew": "+2h"}`)); r.status != 200 {
			t.Fatalf("faults: %d %s", r.status, r.body)
		}
		r = tn.get("/readyz")
		ready = Readiness{}
		_ = json.Unmarshal(r.body, &ready)
		wantStatus, want, check := 200, "degraded", checkDegraded
		if require {
			wantStatus, want, check = 503, "not ready", checkFailing
		}
		if r.status != wantStatus || ready.Status != want || ready.Checks["delivery_queue"].Status != check ||
			!strings.Contains(ready.Checks["delivery_queue"].Detail, "stuck") {
			t.Fatalf("require_federation %v: readyz %d %s", require, r.status, r.body)
		}
		m := string(tn.get("/metrics").body)
		if !strings.Contains(m, "interlink_delivery_queue_stuck 1") || !strings.Contains(m, `interlink_delivery_queue_depth{peer="127.0.0.1:`) {
			t.Fatalf("metrics do not show the stuck queue:\n%s", grepLines(m, "interlink_delivery"))
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// metricValue reads one sample of /metrics ("name{labels}" as printed), or -1.
func metricValue(tn *testNode, series string) float64 {
	for _, l := range strings.Split(string(tn.get("/metrics").body), "\n") {
		if rest, ok := strings.CutPrefix(l, series+" "); ok {
			var v float64
			if _, err := fmt.Sscan(rest, &v); err == nil {
				return v
			}
		}
	}
	return -1
}

// Two federating nodes: deliveries, inbox outcomes by problem type,
// backfills, the per-peer queue and the signers are counted.
func TestFederationMetrics(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	b := startFed(t, "127.0.0.2")
	b.follow(t, a)
	ed := a.token("editor")
	created := a.postJSON("/api/v1/objects", ed, interlinkerBody("metrics_guide", "Metrics guide", "Guida")).json(t)
	eventually(t, 10*time.Second, "the object reaches b", func() bool { st, _ := b.object(created["iri"].(string)); return st == 200 })
	eventually(t, 10*time.Second, "a counts its deliveries", func() bool {
		return metricValue(a, `interlink_deliveries_total{outcome="delivered"}`) >= 1
	})
	eventually(t, 10*time.Second, "b counts the accepted activities and its backfill", func() bool {
		return metricValue(b, `interlink_inbox_requests_total{outcome="accepted",reason=""}`) >= 1 &&
			metricValue(b, `interlink_backfills_total{outcome="ok"}`) >= 1
	})
	// An unsigned POST is refused, counted under its problem type.
	if r := b.do(http.MethodPost, "/actor/inbox", "", "application/activity+json", []byte(`{"type":"Create"}`)); r.status != 401 {
		t.Fatalf("unsigned POST: %d %s", r.status, r.body)
	}
	if v := metricValue(b, `interlink_inbox_requests_total{outcome="refused",reason="unsigned"}`); v != 1 {
		t.Fatalf("refusals by reason: %v", v)
	}
	if v := metricValue(b, `interlink_following_peers{state="accepted"}`); v != 1 {
		t.Fatalf("following peers: %v", v)
	}
	host := strings.TrimPrefix(b.url, "http://")
	if v := metricValue(a, `interlink_delivery_queue_depth{peer="`+host+`"}`); v != 0 {
		t.Fatalf("a's queue to b: %v\n%s", v, grepLines(string(a.get("/metrics").body), "interlink_deliver"))
	}
	// b stores a's object: a signer with its state (unverified: no anchor pinned).
	eventually(t, 40*time.Second, "b sees a as a signer", func() bool {
		return metricValue(b, `interlink_trust_signer_objects{signer="`+a.n.PublicURL()+`",state="unverified"}`) >= 1
	})
	if v := metricValue(a, `interlink_trust_own_signatures_expiry_timestamp_seconds`); v < float64(time.Now().Add(300*24*time.Hour).Unix()) {
		t.Fatalf("a's own signatures expire at %v, want about a year ahead", v)
	}
}

// The per-peer and per-signer series are capped: the rest are summed under
// _other, and the ones an operator looks for keep their own series.
func TestMetricSeriesCapped(t *testing.T) {
	stats := map[string]storage.HostQueue{}
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxPeerSeries + 10 {
		stats[fmt.Sprintf("peer%03d.example:443", i)] = storage.HostQueue{Pending: i, Dead: 1, Oldest: old.Add(time.Duration(i) * time.Hour)}
	}
	hosts := capHosts(stats)
	if len(hosts) != maxPeerSeries+1 || hosts[0].name != "peer059.example:443" || hosts[maxPeerSeries].name != otherLabel {
		t.Fatalf("%d series, first %s, last %s", len(hosts), hosts[0].name, hosts[len(hosts)-1].name)
	}
	if o := hosts[maxPeerSeries].q; o.Pending != 0+1+2+3+4+5+6+7+8+9 || o.Dead != 10 || !o.Oldest.Equal(old) {
		t.Fatalf("_other: %+v", o)
	}
	if got := capHosts(map[string]storage.HostQueue{"a:443": {Pending: 1}}); len(got) != 1 || got[0].name != "a:443" {
		t.Fatalf("one host: %+v", got)
	}

	per := map[string]map[string]int{}
	for i := range maxSignerSeries + 20 {
		per[fmt.Sprintf("https://s%03d.example", i)] = map[string]int{protocol.Verified: 100 + i}
	}
	per["https://revoked.example"] = map[string]int{chainRevoked: 1}
	per["https://unverified.example"] = map[string]int{protocol.Unverified: 5000}
	series := capSigners(per)
	if len(series) != maxSignerSeries+1 || series[0].signer != "https://revoked.example" || series[1].signer != "https://unverified.example" ||
		series[maxSignerSeries].signer != otherLabel {
		t.Fatalf("%d series: first %s, %s, last %s", len(series), series[0].signer, series[1].signer, series[len(series)-1].signer)
	}
	kept := 0
	for _, s := range series[:maxSignerSeries] {
		kept += s.counts[protocol.Verified]
	}
	all := 0
	for i := range maxSignerSeries + 20 {
		all += 100 + i
	}
	if series[maxSignerSeries].counts[protocol.Verified] != all-kept {
		t.Fatalf("_other holds %d verified objects, want %d", series[maxSignerSeries].counts[protocol.Verified], all-kept)
	}
}
