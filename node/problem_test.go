package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/publiccode"
	"github.com/interlink-project/interlink-node/storage"
)

// writeProblem renders every error as an RFC 9457 problem that is never
// cached; only unknown errors are logged (and their text is not shown).
func TestWriteProblem(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		typ    string
		logged bool
		field  string
	}{
		{"unknown", errors.New("disk on fire at /var/lib/x"), 500, "internal", true, ""},
		{"api error", errorf(http.StatusUnauthorized, "unauthorized", "Authentication failed", "no"), 401, "unauthorized", false, ""},
		{"not found", fmt.Errorf("x: %w", storage.ErrNotFound), 404, "not-found", false, ""},
		{"closed", fmt.Errorf("x: %w", storage.ErrClosed), 503, "not-ready", false, ""},
		{"bad query", fmt.Errorf("x: %w", storage.ErrInvalidQuery), 400, "bad-query", false, ""},
		{"key exists", &storage.KeyExistsError{Type: protocol.KindPublicService, Key: "k", IRI: "http://127.0.0.1:1/objects/1"}, 409, "key-exists", false, "identifier"},
		{"key exists, interlinker", &storage.KeyExistsError{Type: protocol.KindInterlinker, Key: "k", IRI: "http://127.0.0.1:1/objects/1"}, 409, "key-exists", false, "key"},
		{"YAML", &publiccode.SyntaxError{Line: 3, Msg: "bad"}, 400, "malformed-yaml", false, "body"},
		{"YAML without a line", &publiccode.SyntaxError{Msg: "the YAML parser failed"}, 400, "malformed-yaml", false, "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := web{log: slog.New(slog.NewTextHandler(&logs, nil)), uris: protocol.NewURIs("http://127.0.0.1:1")}
			w := httptest.NewRecorder()
			h.writeProblem(w, httptest.NewRequest(http.MethodGet, "/api/v1/x?y=1", nil), c.err)
			if w.Code != c.status || w.Header().Get("Content-Type") != "application/problem+json" || w.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("status %d, Content-Type %q, Cache-Control %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
			}
			var p api.Problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != "http://127.0.0.1:1/problems/"+c.typ || p.Status != c.status || p.Instance != "/api/v1/x" || p.Title == "" {
				t.Fatalf("problem %+v", p)
			}
			if logged := logs.Len() > 0; logged != c.logged {
				t.Fatalf("logged %v (%q), want %v", logged, logs.String(), c.logged)
			}
			if strings.Contains(w.Body.String(), "disk on fire") {
				t.Fatal("an internal error's text was shown")
			}
			if c.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != c.field) {
				t.Fatalf("errors %+v, want one naming %s", p.Errors, c.field)
			}
			if c.typ == "key-exists" && p.Existing != "http://127.0.0.1:1/objects/1" {
				t.Fatalf("existing %q", p.Existing)
			}
			if c.typ == "malformed-yaml" && (strings.Contains(p.Detail, "line 3") != (c.name == "YAML") || strings.Contains(p.Detail, "line 0")) {
				t.Fatalf("detail %q", p.Detail)
			}
		})
	}
}
