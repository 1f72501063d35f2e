package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/node/api"
)

// The examples of docs/api.md, used as fuzz seeds.
const (
	apiProblemExample = `{"type": "https://interlink.example/problems/validation", "title": "The object is invalid",
 "status": 422, "detail": "title: required (required)", "instance": "/api/v1/objects",
 "request_id": "01J...", "errors": [{"field": "title", "rule": "required", "message": "..."}]}`
	apiSearchExample = `{"total": 3, "items": [{"score": 1.2, "object": {}}], "facets": {"type": {"Interlinker": 3}, "language": {}}, "next": ""}`
	apiStatusExample = `{"public_url": "http://127.0.0.1:8080", "actor": "http://127.0.0.1:8080/actor", "version": "0.1.0", "counts": {"Interlinker": 78}, "health": {"database": "ok", "index": "ok", "index_lag": 0}}`
)

// answerErrorOf runs the client's error decoding on one answer.
// The error always wraps the answer's *api.Problem.
func answerErrorOf(t testing.TB, status int, contentType, body string, token string) (*api.Problem, error) {
	t.Helper()
	c := newHTTPClient(&settings{server: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, token: token, credPath: "d/local-credential"})
	resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(strings.NewReader(body))}
	err := c.answerError(request{method: "GET", path: "/x"}, resp)
	var p *api.Problem
	if !errors.As(err, &p) {
		t.Fatalf("%T %v wraps no *api.Problem", err, err)
	}
	return p, err
}

func TestAnswerError(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		token       string
		want        string
		fields      int
	}{
		{"problem", 422, "application/problem+json", apiProblemExample, "", "The object is invalid (HTTP 422): title: required (required)", 1},
		{"problem with charset", 409, "application/problem+json; charset=utf-8", `{"title":"Conflict","detail":"version 3 is current"}`, "", "Conflict (HTTP 409): version 3 is current", 0},
		{"401 with a token", 401, "application/problem+json", `{"title":"Unauthorized"}`, "t", "the node refused the token: pass --token or check d/local-credential: Unauthorized (HTTP 401)", 0},
		{"empty body", 500, "", "", "", "Internal Server Error (HTTP 500)", 0},
		{"JSON that is not a problem", 400, "application/json", `[1,2]`, "", "Bad Request (HTTP 400): [1,2]", 0},
		{"long text is cut", 502, "text/plain", strings.Repeat("x", 1000), "", "Bad Gateway (HTTP 502): " + strings.Repeat("x", 300) + "…", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := answerErrorOf(t, tt.status, tt.contentType, tt.body, tt.token)
			if err.Error() != tt.want || len(p.Errors) != tt.fields || p.Status != tt.status {
				t.Errorf("got %q with %d field errors, status %d; want %q, %d, %d", err.Error(), len(p.Errors), p.Status, tt.want, tt.fields, tt.status)
			}
		})
	}
}

func FuzzAnswerError(f *testing.F) {
	f.Add(422, "application/problem+json", apiProblemExample)
	f.Add(401, "application/problem+json", `{"type":"x/problems/unauthorized","title":"Unauthorized","status":401}`)
	f.Add(404, "text/html", "<html></html>")
	f.Add(503, "application/json", `{"type":"x/problems/not-ready"}`)
	f.Add(413, "application/problem+json; charset=utf-8", `{"errors":[{"field":1}]}`)
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		if status < 400 || status > 599 {
			return
		}
		p, err := answerErrorOf(t, status, contentType, body, "")
		if p.Status != status || err.Error() == "" {
			t.Fatalf("status %d, message %q", p.Status, err.Error())
		}
		msg := formatError(err)
		if !strings.HasPrefix(msg, "Error: ") || strings.Count(msg, "\n") < len(p.Errors) {
			t.Fatalf("formatError: %q", msg)
		}
	})
}

func FuzzSearchAnswer(f *testing.F) {
	f.Add(apiSearchExample, "en")
	f.Add(searchAnswerJSON, "it")
	f.Add(`{"items":[{"object":{"body":{"name":"plain"}}}]}`, "")
	f.Add(`{"items":[{"object":{"body":{"title":{"":"x"}}}}],"facets":{"a":{"":1}}}`, "pt-BR")
	f.Fuzz(func(t *testing.T, body, lang string) {
		var a searchAnswer
		if json.Unmarshal([]byte(body), &a) != nil {
			return
		}
		var out bytes.Buffer
		if err := writeSearch(&out, &a, lang); err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(out.String(), "\n")
		if len(a.Items) > 0 && lines < len(a.Items)+2 {
			t.Fatalf("%d hits but %d lines:\n%s", len(a.Items), lines, out.String())
		}
		for _, h := range a.Items {
			name := objectName(&h.Object, lang)
			if strings.ContainsAny(truncate(name, 60), "\n\t") || utf8.RuneCountInString(truncate(name, 60)) > 60 {
				t.Fatalf("name %q renders over one cell", name)
			}
		}
	})
}

func FuzzStatusAnswer(f *testing.F) {
	f.Add(apiStatusExample)
	f.Add(`{"counts":{"x":-1},"health":{"database":{"error":"disk full"}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var st statusAnswer
		if json.Unmarshal([]byte(body), &st) != nil {
			return
		}
		var out bytes.Buffer
		if err := writeStatus(&out, &st, "http://127.0.0.1:1"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "objects:\n") || !strings.Contains(out.String(), "health:\n") {
			t.Fatalf("status output:\n%s", out.String())
		}
	})
}

func FuzzNodeFile(f *testing.F) {
	f.Add(`{"server":"http://127.0.0.1:8080","public_url":"https://reggio.example","pid":123}`)
	f.Add(`{"server":"https://[::1]:8443/base/"}`)
	f.Add(`{"server":"127.0.0.1:8080"}`)
	f.Add(`{"server":`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "node.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		nf, err := readNodeFile(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		u, err := parseServerURL(nf.Server)
		if err != nil {
			return
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.HasSuffix(u.Path, "/") {
			t.Fatalf("accepted server %q as %v", nf.Server, u)
		}
	})
}

func TestCheckBoltHeader(t *testing.T) {
	be := make([]byte, 32)
	be[9] = boltMetaFlag
	be[16], be[17], be[18], be[19] = 0xED, 0x0C, 0xDA, 0xED
	noFlag := fakeBolt(32)
	noFlag[8] = 0
	tests := []struct {
		name string
		head []byte
		ok   bool
	}{
		{"little-endian", fakeBolt(32), true},
		{"big-endian", be, true},
		{"short", fakeBolt(32)[:19], false},
		{"zeros", make([]byte, 32), false},
		{"magic without the meta flag", noFlag, false},
	}
	for _, tt := range tests {
		if err := checkBoltHeader(tt.head); (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {5 << 20, "5.0 MiB"}, {3 << 30, "3.0 GiB"}}
	for _, tt := range tests {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestProgress(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		total int64
		unit  progressUnit
		adds  []int64
		want  string // exact output for lines; a substring for the bar
	}{
		{"objects", false, 5, unitObjects, []int64{2, 3}, "imported 2/5 objects\nimported 5/5 objects\n"},
		{"objects unknown total", false, unknownLength, unitObjects, []int64{2}, "imported 2 objects\n"},
		{"bytes throttled", false, 3 << 20, unitBytes, []int64{1 << 20, 1 << 20, 1 << 20}, "imported 1.0 MiB/3.0 MiB\nimported 3.0 MiB/3.0 MiB\n"},
		{"bytes unknown total", false, unknownLength, unitBytes, []int64{2048}, "imported 2.0 KiB\n"},
		{"nothing done", false, 0, unitObjects, nil, "imported 0/0 objects\n"},
		{"bar", true, 10, unitObjects, []int64{4, 6}, "imported"},
		{"bar of bytes without total", true, unknownLength, unitBytes, []int64{4096}, "imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := newProgress(&out, tt.tty, tt.total, tt.unit, "imported")
			for _, n := range tt.adds {
				p.Add(n)
			}
			p.Finish()
			p.Finish()
			if tt.tty {
				if !strings.Contains(out.String(), tt.want) || !strings.HasSuffix(out.String(), "\n") {
					t.Errorf("bar output %q", out.String())
				}
				return
			}
			if out.String() != tt.want {
				t.Errorf("output %q, want %q", out.String(), tt.want)
			}
		})
	}
}
