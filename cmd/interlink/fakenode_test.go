package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
)

// fakeNode implements the endpoints of docs/api.md that the CLI uses, as
// strictly as the contract says: bearer tokens and roles, content types,
// batch limits, problem+json errors. It records every request.
type fakeNode struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	tokens    map[string]api.Token // secret -> info
	nextID    int
	requests  []recorded
	batches   [][]fakeEntity         // every accepted POST /import, in order
	objects   map[string]string      // type/key -> canonical body
	docs      map[string]recorded    // path -> last document import
	bodyLimit int                    // bytes; 0: 1 MiB
	status    []byte                 // GET /status answer
	search    []byte                 // GET /search answer
	backup    []byte                 // GET /backup answer
	backupLen int                    // Content-Length to announce; -1: none; 0: len(backup)
	restored  []byte                 // last POST /restore body
	failNext  map[string]fakeFailure // "METHOD path" -> an error answer, once
}

// recorded is one request as the fake node saw it.
type recorded struct {
	Method, Path, Query, Auth, ContentType, UserAgent string
	Body                                              []byte
}

type fakeEntity struct {
	Type string `json:"type"`
	Key  string `json:"key"`
}

type fakeFailure struct {
	status      int
	contentType string
	body        string
}

const fakeAdminToken = "admin-secret-token"

// newFakeNode starts a fake node on 127.0.0.1 that knows one admin token.
func newFakeNode(t *testing.T) *fakeNode {
	t.Helper()
	f := &fakeNode{
		t:        t,
		tokens:   map[string]api.Token{fakeAdminToken: {ID: "tok-admin", Name: "local", Role: "admin", Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}},
		objects:  map[string]string{},
		docs:     map[string]recorded{},
		failNext: map[string]fakeFailure{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/tokens", f.role("admin", f.createToken))
	mux.HandleFunc("GET /api/v1/tokens", f.role("admin", f.listTokens))
	mux.HandleFunc("DELETE /api/v1/tokens/{id}", f.role("admin", f.revokeToken))
	mux.HandleFunc("POST /api/v1/import", f.role("editor", f.importObjects))
	mux.HandleFunc("POST /api/v1/import/publiccode", f.role("editor", f.importDoc("application/yaml", "text/yaml", "application/x-yaml")))
	mux.HandleFunc("POST /api/v1/import/cpsv", f.role("editor", f.importDoc("application/ld+json", "application/json")))
	mux.HandleFunc("GET /api/v1/export/cpsv", f.role("", f.exportCPSV))
	mux.HandleFunc("GET /api/v1/search", f.role("", f.answer(func() []byte { return f.search })))
	mux.HandleFunc("GET /api/v1/status", f.role("", f.answer(func() []byte { return f.status })))
	mux.HandleFunc("GET /api/v1/backup", f.role("admin", f.sendBackup))
	mux.HandleFunc("POST /api/v1/restore", f.role("admin", f.restore))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, r, http.StatusNotFound, "not-found", "Not found", "no such endpoint", nil)
	})
	srv := httptest.NewUnstartedServer(f.record(mux))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	srv.Listener = ln
	srv.Start()
	f.srv = srv
	t.Cleanup(srv.Close)
	return f
}

func (f *fakeNode) URL() string { return f.srv.URL }

// addToken registers a token with a role.
func (f *fakeNode) addToken(secret, role string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.tokens[secret] = api.Token{ID: fmt.Sprintf("tok-%d", f.nextID), Role: role, Created: time.Now().UTC()}
}

// failOnce makes the next "METHOD path" request fail with the given answer.
func (f *fakeNode) failOnce(key string, status int, contentType, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext[key] = fakeFailure{status: status, contentType: contentType, body: body}
}

// seen returns a copy of the recorded requests.
func (f *fakeNode) seen() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// record keeps every request and checks the headers every call must carry.
func (f *fakeNode) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := f.bodyLimit
		if limit == 0 {
			limit = 1 << 20
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
		if err != nil {
			problem(w, r, http.StatusBadRequest, "malformed-json", "Unreadable body", err.Error(), nil)
			return
		}
		rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"),
			ContentType: r.Header.Get("Content-Type"), UserAgent: r.Header.Get("User-Agent"), Body: body}
		f.mu.Lock()
		f.requests = append(f.requests, rec)
		failure, fail := f.failNext[r.Method+" "+r.URL.Path]
		delete(f.failNext, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		if rec.UserAgent != userAgent() {
			f.t.Errorf("%s %s: User-Agent %q, want %q", r.Method, r.URL.Path, rec.UserAgent, userAgent())
		}
		if !strings.Contains(r.Header.Get("Accept"), "application/problem+json") {
			f.t.Errorf("%s %s: Accept %q does not take problem+json", r.Method, r.URL.Path, r.Header.Get("Accept"))
		}
		if fail {
			w.Header().Set("Content-Type", failure.contentType)
			w.WriteHeader(failure.status)
			_, _ = io.WriteString(w, failure.body)
			return
		}
		if len(body) > limit {
			problem(w, r, http.StatusRequestEntityTooLarge, "body-too-large", "The body is too large",
				fmt.Sprintf("the limit is %d bytes", limit), nil)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

var roleRank = map[string]int{"": 0, "reader": 1, "editor": 2, "admin": 3}

// role checks the bearer token against the role an endpoint needs.
func (f *fakeNode) role(need string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if need == "" {
			h(w, r)
			return
		}
		auth := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		f.mu.Lock()
		info, known := f.tokens[secret]
		f.mu.Unlock()
		if !ok || !known {
			problem(w, r, http.StatusUnauthorized, "unauthorized", "Unauthorized", "a valid bearer token is required", nil)
			return
		}
		if roleRank[info.Role] < roleRank[need] {
			problem(w, r, http.StatusForbidden, "forbidden", "Forbidden",
				fmt.Sprintf("the %s role may not do this; %s is needed", info.Role, need), nil)
			return
		}
		h(w, r)
	}
}

// problem writes an RFC 9457 answer as the node does.
func problem(w http.ResponseWriter, r *http.Request, status int, name, title, detail string, errs []map[string]string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	doc := map[string]any{"type": "http://127.0.0.1/problems/" + name, "title": title, "status": status,
		"detail": detail, "instance": r.URL.Path, "request_id": "01JREQUEST"}
	if errs != nil {
		doc["errors"] = errs
	}
	_ = json.NewEncoder(w).Encode(doc)
}

// mediaType checks the request's Content-Type against the allowed ones.
func mediaType(w http.ResponseWriter, r *http.Request, allowed ...string) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(allowed, mt) {
		problem(w, r, http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			fmt.Sprintf("Content-Type %q; want one of %v", r.Header.Get("Content-Type"), allowed), nil)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeNode) createToken(w http.ResponseWriter, r *http.Request) {
	if !mediaType(w, r, "application/json") {
		return
	}
	var in struct{ Role, Name string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		problem(w, r, http.StatusBadRequest, "malformed-json", "Malformed JSON", err.Error(), nil)
		return
	}
	if roleRank[in.Role] == 0 {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "The token is invalid", "role: unknown",
			[]map[string]string{{"field": "role", "rule": "enum", "message": "must be admin, editor or reader"}})
		return
	}
	f.mu.Lock()
	f.nextID++
	secret := fmt.Sprintf("secret-%d-%s", f.nextID, in.Role)
	info := api.Token{ID: fmt.Sprintf("tok-%d", f.nextID), Name: in.Name, Role: in.Role, Created: time.Now().UTC()}
	f.tokens[secret] = info
	f.mu.Unlock()
	info.Token = secret
	writeJSON(w, http.StatusCreated, info)
}

func (f *fakeNode) listTokens(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	var items []api.Token
	for _, info := range f.tokens {
		items = append(items, info)
	}
	f.mu.Unlock()
	slices.SortFunc(items, func(a, b api.Token) int { return strings.Compare(a.ID, b.ID) })
	writeJSON(w, http.StatusOK, api.List[api.Token]{Items: items})
}

func (f *fakeNode) revokeToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f.mu.Lock()
	defer f.mu.Unlock()
	for secret, info := range f.tokens {
		if info.ID == id {
			delete(f.tokens, secret)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	problem(w, r, http.StatusNotFound, "not-found", "Not found", "no token "+id, nil)
}

// importObjects upserts a batch all or nothing, as the contract says.
func (f *fakeNode) importObjects(w http.ResponseWriter, r *http.Request) {
	if !mediaType(w, r, "application/json") {
		return
	}
	var in struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		problem(w, r, http.StatusBadRequest, "malformed-json", "Malformed JSON", err.Error(), nil)
		return
	}
	if len(in.Objects) > 500 {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "Too many objects", "at most 500 per request",
			[]map[string]string{{"field": "objects", "rule": "max_items", "message": "at most 500"}})
		return
	}
	heads := make([]fakeEntity, len(in.Objects))
	var errs []map[string]string
	for i, raw := range in.Objects {
		if err := json.Unmarshal(raw, &heads[i]); err != nil || heads[i].Type == "" || heads[i].Key == "" {
			errs = append(errs, map[string]string{"field": fmt.Sprintf("objects[%d].key", i), "rule": "required", "message": "type and key are required"})
		}
	}
	if errs != nil {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "The object is invalid", "objects: invalid", errs)
		return
	}
	answer := importAnswer{}
	f.mu.Lock()
	for i, h := range heads {
		id := h.Type + "/" + h.Key
		old, exists := f.objects[id]
		result := "created"
		switch {
		case exists && old == string(in.Objects[i]):
			result = "unchanged"
			answer.Unchanged++
		case exists:
			result = "updated"
			answer.Updated++
		default:
			answer.Created++
		}
		f.objects[id] = string(in.Objects[i])
		answer.Items = append(answer.Items, importAnswerItem{IRI: f.srv.URL + "/objects/" + h.Key, Version: 1, Key: h.Key, Type: h.Type, Result: result})
	}
	f.batches = append(f.batches, heads)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, answer)
}

// importDoc accepts a standard document and answers one created object.
func (f *fakeNode) importDoc(types ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !mediaType(w, r, types...) {
			return
		}
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.docs[r.URL.Path] = recorded{ContentType: r.Header.Get("Content-Type"), Body: body}
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, importAnswer{Created: 1, Updated: 1, Items: []importAnswerItem{
			{IRI: f.srv.URL + "/objects/A", Key: "svc", Type: "PublicService", Result: "created"},
			{IRI: f.srv.URL + "/objects/B", Key: "org", Type: "Organisation", Result: "updated"},
		}})
	}
}

const fakeCPSV = `{"@context":"https://semiceu.github.io/CPSV-AP/releases/3.2.0/context/cpsv-ap.jsonld","@graph":[]}`

func (f *fakeNode) exportCPSV(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/ld+json")
	_, _ = io.WriteString(w, fakeCPSV)
}

func (f *fakeNode) answer(body func() []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		b := body()
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
}

func (f *fakeNode) sendBackup(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	b, n := f.backup, f.backupLen
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/octet-stream")
	switch {
	case n > 0:
		w.Header().Set("Content-Length", fmt.Sprint(n))
	case n == 0:
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	}
	w.WriteHeader(http.StatusOK)
	if n > 0 && n > len(b) {
		// Announce more than is sent, then cut the connection.
		_, _ = w.Write(b)
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(b)
}

func (f *fakeNode) restore(w http.ResponseWriter, r *http.Request) {
	if !mediaType(w, r, "application/octet-stream") {
		return
	}
	body, _ := io.ReadAll(r.Body)
	if checkBoltHeader(body) != nil {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "Not a backup", "the file is not a node database", nil)
		return
	}
	f.mu.Lock()
	f.restored = body
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"restored": true})
}

// fakeBolt returns n bytes that start like a bbolt file.
func fakeBolt(n int) []byte {
	b := make([]byte, n)
	b[8] = boltMetaFlag
	b[16], b[17], b[18], b[19] = 0xED, 0xDA, 0x0C, 0xED // little-endian 0xED0CDAED
	for i := boltHeaderLength; i < n; i++ {
		b[i] = byte(i * 7)
	}
	return b
}
