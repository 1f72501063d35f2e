package node

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// freeAddr returns host:port with a port free right now on host.
func freeAddr(t testing.TB, host string) string {
	t.Helper()
	return testenv.FreeAddr(t, host, false)
}

// testNode is a node started in-process on a loopback address.
type testNode struct {
	t     testing.TB
	n     *Node
	dir   string
	url   string
	admin string // the local credential
}

func startNode(t testing.TB, dir, host string) *testNode {
	t.Helper()
	return startNodeAt(t, dir, freeAddr(t, host))
}

func startNodeAt(t testing.TB, dir, addr string) *testNode {
	t.Helper()
	return startNodeWith(t, dir, addr, nil)
}

// fedConfig sets a test federation's settings: loopback peers allowed,
// open follows, quick retries.
func fedConfig(cfg *Config) {
	cfg.Federation.AllowPrivateNetworks = true
	cfg.Federation.FollowPolicy = "open"
	cfg.Federation.RetryBase = 50 * time.Millisecond
	cfg.Federation.RetryMax = time.Second
	cfg.Federation.BreakerCooldown = 300 * time.Millisecond
}

func startNodeWith(t testing.TB, dir, addr string, tweak func(*Config)) *testNode {
	t.Helper()
	cfg := Defaults()
	cfg.Data = dir
	cfg.Listen = addr
	cfg.Log.Level = "error"
	if tweak != nil {
		tweak(&cfg)
	}
	n, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard})
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	if err := n.Start(); err != nil {
		n.Close()
		t.Fatalf("start node: %v", err)
	}
	cred, err := os.ReadFile(filepath.Join(dir, localCredentialFile))
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, n: n, dir: dir, url: "http://" + n.Addr(), admin: strings.TrimSpace(string(cred))}
	t.Cleanup(func() { n.Close() })
	tn.waitReady()
	return tn
}

func (tn *testNode) waitReady() {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(tn.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tn.t.Fatalf("node %s not ready", tn.url)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// problem checks that r is an RFC 9457 problem with status and type name.
func (r response) problem(t testing.TB, status int, name string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	m := r.json(t)
	if typ, _ := m["type"].(string); !strings.HasSuffix(typ, "/problems/"+name) {
		t.Fatalf("problem type %q, want .../problems/%s: %s", typ, name, r.body)
	}
	if int(m["status"].(float64)) != status || m["title"] == "" {
		t.Fatalf("problem lacks status or title: %s", r.body)
	}
	return m
}

func (tn *testNode) do(method, path, token, contentType string, body []byte) response {
	tn.t.Helper()
	req, err := http.NewRequest(method, tn.url+path, bytes.NewReader(body))
	if err != nil {
		tn.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tn.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.HasPrefix(path, "/api/v1/") {
		checkOpenAPI(tn.t, req, resp.StatusCode, resp.Header, b) // openapi_test.go
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (tn *testNode) get(path string) response { return tn.do("GET", path, "", "", nil) }

func (tn *testNode) postJSON(path, token string, v any) response {
	tn.t.Helper()
	b, ok := v.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			tn.t.Fatal(err)
		}
	}
	return tn.do("POST", path, token, "application/json", b)
}

// token creates a token of role through the API.
func (tn *testNode) token(role string) string {
	tn.t.Helper()
	r := tn.postJSON("/api/v1/tokens", tn.admin, map[string]string{"role": role, "name": "test-" + role})
	if r.status != 201 {
		tn.t.Fatalf("token create: %d %s", r.status, r.body)
	}
	return r.json(tn.t)["token"].(string)
}

// sharedData returns ../shared/data beside the repository, or skips.
func sharedData(t testing.TB) string {
	t.Helper()
	return testenv.Data(t)
}

func httpGetStatus(u string) (int, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// postNoFatal posts JSON without failing the test on a transport error (the
// server may be killed on purpose).
func postNoFatal(u, token string, body []byte) (response, error) {
	req, err := http.NewRequest("POST", u, bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

type nopReadCloser struct{ io.Reader }

func (nopReadCloser) Close() error { return nil }

func nopCloser(r io.Reader) io.ReadCloser { return nopReadCloser{r} }

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
