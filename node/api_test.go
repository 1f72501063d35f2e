package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func interlinkerBody(key, nameEN, nameIT string, pps ...string) map[string]any {
	return map[string]any{
		"type": "Interlinker", "key": key, "nature": "knowledge",
		"name":             map[string]string{"en": nameEN, "it": nameIT, "es": nameEN + " (es)", "lv": nameEN + " (lv)"},
		"description":      map[string]string{"en": "A guide about " + nameEN, "it": "Una guida su " + nameIT},
		"problem_profiles": pps, "licence_category": "public_domain", "administrative_scopes": []string{"eu"},
		"languages": []string{"en", "it"},
	}
}

func TestObjectLifecycle(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")

	r := tn.postJSON("/api/v1/objects", editor, interlinkerBody("survey_guide", "Survey guide", "Guida ai sondaggi", "P1"))
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	obj := r.json(t)
	iri, id := obj["iri"].(string), obj["id"].(string)
	if obj["version"].(float64) != 1 || !strings.HasPrefix(iri, tn.n.PublicURL()+"/objects/") || r.header.Get("Location") != iri {
		t.Fatalf("create answer: %s", r.body)
	}

	// Read by id and by IRI, anonymously.
	if g := tn.get("/api/v1/objects/" + id); g.status != 200 || g.json(t)["iri"] != iri {
		t.Fatalf("get by id: %d %s", g.status, g.body)
	}
	if g := tn.get("/api/v1/object?iri=" + iri); g.status != 200 {
		t.Fatalf("get by iri: %d %s", g.status, g.body)
	}

	// Update makes version 2; a stale If-Match is a conflict.
	upd := interlinkerBody("survey_guide", "Survey handbook", "Manuale dei sondaggi", "P1", "P2")
	b, _ := json.Marshal(upd)
	req := tn.do("PUT", "/api/v1/objects/"+id, editor, "application/json", b)
	if req.status != 200 || req.json(t)["version"].(float64) != 2 {
		t.Fatalf("update: %d %s", req.status, req.body)
	}
	stale, _ := http.NewRequest("PUT", tn.url+"/api/v1/objects/"+id, strings.NewReader(string(b)))
	stale.Header.Set("Authorization", "Bearer "+editor)
	stale.Header.Set("If-Match", `"1"`)
	resp, err := http.DefaultClient.Do(stale)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale If-Match: %d, want 409", resp.StatusCode)
	}

	// Versions are immutable and listed.
	if v := tn.get("/api/v1/objects/" + id + "/versions/1"); v.status != 200 || !strings.Contains(string(v.body), "Survey guide") {
		t.Fatalf("version 1: %d %s", v.status, v.body)
	}
	vs := tn.get("/api/v1/objects/" + id + "/versions").json(t)["items"].([]any)
	if len(vs) != 2 {
		t.Fatalf("versions: %v", vs)
	}

	// Search sees the new text, not the old.
	s := tn.get("/api/v1/search?q=handbook&lang=en").json(t)
	if s["total"].(float64) != 1 {
		t.Fatalf("search for the updated name: %v", s)
	}

	// Delete leaves a tombstone: 410 with the tombstone, gone from search and lists.
	if d := tn.do("DELETE", "/api/v1/objects/"+id, editor, "", nil); d.status != 200 || d.json(t)["deleted"] != true {
		t.Fatalf("delete: %d %s", d.status, d.body)
	}
	g := tn.get("/api/v1/objects/" + id)
	if g.status != http.StatusGone || g.json(t)["version"].(float64) != 3 {
		t.Fatalf("get tombstone: %d %s", g.status, g.body)
	}
	if s := tn.get("/api/v1/search?q=handbook").json(t); s["total"].(float64) != 0 {
		t.Fatalf("a deleted object is still found: %v", s)
	}
	tn.do("PUT", "/api/v1/objects/"+id, editor, "application/json", b).problem(t, http.StatusGone, "gone")

	// The key is free again after the delete.
	if r := tn.postJSON("/api/v1/objects", editor, interlinkerBody("survey_guide", "Survey guide", "Guida")); r.status != 201 {
		t.Fatalf("re-create after delete: %d %s", r.status, r.body)
	}
	tn.postJSON("/api/v1/objects", editor, interlinkerBody("survey_guide", "Other", "Altro")).problem(t, http.StatusConflict, "key-exists")
}

func TestBadInputIsAProblemAndWritesNothing(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	reader := tn.token("reader")
	valid, _ := json.Marshal(interlinkerBody("k1", "Name", "Nome"))
	big := `{"type":"Interlinker","key":"big","nature":"knowledge","name":{"en":"x"},"description":{"en":"` + strings.Repeat("a", 2<<20) + `"}}`

	tests := []struct {
		name, token, ctype, body string
		status                   int
		problem, field           string
	}{
		{"malformed JSON", editor, "application/json", `{"type":"PublicService","title":{"en":"x"}`, 400, "malformed-json", ""},
		{"invalid UTF-8", editor, "application/json", "{\"type\":\"Interlinker\",\"key\":\"\xff\xfe\"}", 400, "invalid-utf8", ""},
		{"empty body", editor, "application/json", "", 400, "malformed-json", ""},
		{"wrong media type", editor, "text/csv", string(valid), 415, "unsupported-media-type", ""},
		{"too large", editor, "application/json", big, 413, "body-too-large", ""},
		{"unknown type", editor, "application/json", `{"type":"Spaceship"}`, 422, "validation", "type"},
		{"unknown enum", editor, "application/json", strings.Replace(string(valid), `"knowledge"`, `"magic"`, 1), 422, "validation", "nature"},
		{"missing mandatory", editor, "application/json", `{"type":"Interlinker","key":"k2","nature":"knowledge","description":{"en":"d"}}`, 422, "validation", "name"},
		{"wrong JSON type", editor, "application/json", `{"type":"Interlinker","key":"k3","nature":"knowledge","name":"plain","description":{"en":"d"}}`, 422, "validation", "name"},
		{"unknown field", editor, "application/json", strings.Replace(string(valid), `"key"`, `"colour":"red","key"`, 1), 422, "validation", "colour"},
		{"member named twice", editor, "application/json", strings.Replace(string(valid), `"key"`, `"nature":"software","key"`, 1), 422, "validation", "nature"},
		{"bad language tag", editor, "application/json", strings.Replace(string(valid), `"it":"Nome"`, `"italiano":"Nome"`, 1), 422, "validation", "name"},
		{"no token", "", "application/json", string(valid), 401, "unauthorized", ""},
		{"wrong token", "itk_nope", "application/json", string(valid), 401, "unauthorized", ""},
		{"reader may not write", reader, "application/json", string(valid), 403, "forbidden", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tn.do("POST", "/api/v1/objects", tt.token, tt.ctype, []byte(tt.body))
			p := r.problem(t, tt.status, tt.problem)
			if tt.field != "" {
				errs, _ := p["errors"].([]any)
				found := false
				for _, e := range errs {
					fe := e.(map[string]any)
					found = found || strings.HasPrefix(fe["field"].(string), tt.field) && fe["rule"] != ""
				}
				if !found {
					t.Fatalf("the problem does not name field %q with a rule: %s", tt.field, r.body)
				}
			}
		})
	}
	if st := tn.get("/api/v1/status").json(t); fmt.Sprint(st["counts"]) != "map[]" && !allZero(st["counts"]) {
		t.Fatalf("refused requests wrote something: %v", st["counts"])
	}
	tn.get("/api/v1/nowhere").problem(t, 404, "not-found")
	tn.do("PATCH", "/api/v1/objects", editor, "", nil).problem(t, 405, "method-not-allowed")
	tn.get("/api/v1/objects?colour=red").problem(t, 400, "bad-query")
	tn.get("/api/v1/search?q=x&lang=english").problem(t, 400, "bad-query")
}

func allZero(v any) bool {
	m, _ := v.(map[string]any)
	for _, c := range m {
		if c.(float64) != 0 {
			return false
		}
	}
	return true
}

func TestTokensAdminOnly(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	tn.postJSON("/api/v1/tokens", editor, map[string]string{"role": "admin"}).problem(t, 403, "forbidden")
	tn.postJSON("/api/v1/tokens", tn.admin, map[string]string{"role": "superuser"}).problem(t, 422, "validation")
	list := tn.do("GET", "/api/v1/tokens", tn.admin, "", nil).json(t)["items"].([]any)
	var editorID string
	for _, it := range list {
		m := it.(map[string]any)
		if _, leaked := m["token"]; leaked {
			t.Fatal("the token list shows a secret")
		}
		if m["name"] == "test-editor" {
			editorID = m["id"].(string)
		}
	}
	if editorID == "" {
		t.Fatalf("the editor token is not listed: %v", list)
	}
	if r := tn.do("DELETE", "/api/v1/tokens/"+editorID, tn.admin, "", nil); r.status != 204 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	tn.postJSON("/api/v1/objects", editor, interlinkerBody("x", "X", "X")).problem(t, 401, "unauthorized")
}

func TestImportUpsertsByKey(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	batch := map[string]any{"objects": []any{
		map[string]any{"type": "ProblemProfile", "key": "P1", "name": map[string]string{"en": "Engagement"}, "description": map[string]string{"en": "d"}},
		interlinkerBody("a", "Alpha canvas", "Tela alfa", "P1"),
		interlinkerBody("b", "Beta guide", "Guida beta", "P1", "P2"),
	}}
	r := tn.postJSON("/api/v1/import", editor, batch)
	if r.status != 201 || r.json(t)["created"].(float64) != 3 {
		t.Fatalf("first import: %d %s", r.status, r.body)
	}
	r = tn.postJSON("/api/v1/import", editor, batch)
	if res := r.json(t); res["unchanged"].(float64) != 3 || res["created"].(float64) != 0 {
		t.Fatalf("re-import must change nothing: %s", r.body)
	}
	batch["objects"].([]any)[1] = interlinkerBody("a", "Alpha canvas v2", "Tela alfa", "P1")
	if res := tn.postJSON("/api/v1/import", editor, batch).json(t); res["updated"].(float64) != 1 || res["unchanged"].(float64) != 2 {
		t.Fatalf("changed import: %v", res)
	}
	// One invalid entity rejects the whole batch, naming it.
	bad := map[string]any{"objects": []any{interlinkerBody("c", "Gamma", "Gamma"), map[string]any{"type": "Interlinker", "key": "d"}}}
	p := tn.postJSON("/api/v1/import", editor, bad).problem(t, 422, "validation")
	if !strings.Contains(fmt.Sprint(p["errors"]), "objects[1].") {
		t.Fatalf("the problem does not name objects[1]: %v", p)
	}
	if c := tn.get("/api/v1/status").json(t)["counts"].(map[string]any); c["Interlinker"].(float64) != 2 {
		t.Fatalf("a rejected batch wrote something: %v", c)
	}
	// Recommendations by problem profile: b shares two of the asked profiles.
	rec := tn.get("/api/v1/recommendations?problem_profile=P1,P2").json(t)["items"].([]any)
	if len(rec) != 2 || rec[0].(map[string]any)["object"].(map[string]any)["key"] != "b" {
		t.Fatalf("recommendations: %v", rec)
	}
}

func TestAdoptionsAndRatings(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	obj := tn.postJSON("/api/v1/objects", editor, interlinkerBody("x", "X tool", "Strumento X")).json(t)
	iri, id := obj["iri"].(string), obj["id"].(string)
	for _, v := range []int{5, 4} {
		r := tn.postJSON("/api/v1/objects", editor, map[string]any{"type": "Rating", "object": iri, "organisation": "https://zaragoza.example/org", "value": v})
		if r.status != 201 {
			t.Fatalf("rate: %d %s", r.status, r.body)
		}
	}
	if r := tn.postJSON("/api/v1/objects", editor, map[string]any{"type": "Adoption", "object": iri, "organisation": "https://zaragoza.example/org"}); r.status != 201 {
		t.Fatalf("adopt: %d %s", r.status, r.body)
	}
	tn.postJSON("/api/v1/objects", editor, map[string]any{"type": "Rating", "object": iri, "organisation": "o", "value": 9}).problem(t, 422, "validation")
	tn.postJSON("/api/v1/objects", editor, map[string]any{"type": "Adoption", "object": tn.url + "/objects/01JDQ3Z6W1N6Y5ZV4Q5M3X8K2A", "organisation": "o"}).problem(t, 422, "validation")
	agg := tn.get("/api/v1/objects/" + id + "/aggregates").json(t)
	if agg["adoptions"].(float64) != 1 || agg["ratings"].(float64) != 2 || agg["rating_mean"].(float64) != 4.5 {
		t.Fatalf("aggregates: %v", agg)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	if r := tn.get("/healthz"); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
	if r := tn.get("/readyz"); r.status != 200 {
		t.Fatalf("readyz %d", r.status)
	}
	tn.get("/api/v1/status")
	m := tn.get("/metrics")
	for _, want := range []string{"# TYPE interlink_http_requests_total counter", `route="status"`, "interlink_http_request_duration_seconds_bucket",
		"interlink_index_lag_changes", "interlink_database_size_bytes", "go_goroutines"} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	st := tn.get("/api/v1/status").json(t)
	if st["public_url"] != tn.n.PublicURL() || st["version"] != Build.Version || st["actor"] == "" {
		t.Fatalf("status: %v", st)
	}
	if b, _ := st["build"].(map[string]any); b == nil || b["version"] != Build.Version || b["go"] != Build.GoVersion {
		t.Fatalf("status build: %v", st["build"])
	}
	if rid := tn.get("/api/v1/status").header.Get("X-Request-ID"); rid == "" {
		t.Fatal("no X-Request-ID")
	}
}

// A token may expire: past its expiry it is refused with its own problem
// type; until then it works, and the node records its last use (to the
// minute); a bad expires_in names the field.
func TestTokenExpiry(t *testing.T) {
	tn := startNodeWith(t, t.TempDir(), "127.0.0.1:0", func(c *Config) { c.Testing.Faults = true })
	tn.postJSON("/api/v1/tokens", tn.admin, map[string]string{"role": "reader", "expires_in": "soon"}).problem(t, 422, "validation")
	tn.postJSON("/api/v1/tokens", tn.admin, map[string]string{"role": "reader", "expires_in": "-1h"}).problem(t, 422, "validation")
	r := tn.postJSON("/api/v1/tokens", tn.admin, map[string]string{"role": "reader", "name": "hourly", "expires_in": "1h"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	created := r.json(t)
	secret := created["token"].(string)
	if _, ok := created["expires"].(string); !ok {
		t.Fatalf("the created token shows no expiry: %s", r.body)
	}
	if got := tn.do("GET", "/api/v1/follows", secret, "", nil); got.status != 200 {
		t.Fatalf("a token within its hour: %d %s", got.status, got.body)
	}
	var used bool
	for _, it := range tn.do("GET", "/api/v1/tokens", tn.admin, "", nil).json(t)["items"].([]any) {
		m := it.(map[string]any)
		if m["name"] == "hourly" {
			_, used = m["last_used"].(string)
		}
	}
	if !used {
		t.Fatal("the token's last use is not recorded")
	}
	if f := tn.do("PUT", "/api/v1/testing/faults", tn.admin, "application/json", []byte(`{"clock_skew":"+2h"}`)); f.status != 200 {
		t.Fatalf("skew the clock: %d %s", f.status, f.body)
	}
	tn.do("GET", "/api/v1/follows", secret, "", nil).problem(t, 401, "token-expired")
}

// A 405 names the methods the path answers (Allow).
func TestMethodNotAllowedSaysAllow(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	tests := []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/tokens", "GET, HEAD, POST"},
		{"PUT", "/api/v1/status", "GET, HEAD"},
		{"POST", "/healthz", "GET, HEAD"},
	}
	for _, tt := range tests {
		r := tn.do(tt.method, tt.path, tn.admin, "", nil)
		if r.status != 405 || r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d, Allow %q; want 405, Allow %q", tt.method, tt.path, r.status, r.header.Get("Allow"), tt.allow)
		}
	}
}

// GET answers carry an ETag (an object's starts with its version) and
// If-None-Match answers 304 while the representation is unchanged; the
// ETag a GET gave is a valid If-Match for an update.
func TestETagAndIfNoneMatch(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	ed := tn.token("editor")
	r := tn.postJSON("/api/v1/objects", ed, interlinkerBody("etag", "Etag canvas", "Tela etag"))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	conditional := func(path, tag string) response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, tn.url+path, nil)
		req.Header.Set("If-None-Match", tag)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return response{status: resp.StatusCode, header: resp.Header, body: b}
	}
	for _, path := range []string{"/api/v1/objects/" + id, "/api/v1/search?q=etag"} {
		first := tn.get(path)
		tag := first.header.Get("ETag")
		if first.status != 200 || tag == "" {
			t.Fatalf("%s: %d, ETag %q", path, first.status, tag)
		}
		if again := conditional(path, tag); again.status != 304 || len(again.body) != 0 || again.header.Get("ETag") != tag {
			t.Fatalf("%s with If-None-Match %s: %d %q", path, tag, again.status, again.body)
		}
		if other := conditional(path, `"something-else"`); other.status != 200 {
			t.Fatalf("%s with another tag: %d", path, other.status)
		}
	}
	tag := tn.get("/api/v1/objects/" + id).header.Get("ETag")
	if !strings.HasPrefix(strings.TrimPrefix(tag, "W/"), `"1-`) { // weak when gzipped (compress.go)
		t.Fatalf("an object's ETag %s does not start with its version", tag)
	}
	body, _ := json.Marshal(interlinkerBody("etag", "Etag canvas 2", "Tela etag 2"))
	req, _ := http.NewRequest(http.MethodPut, tn.url+"/api/v1/objects/"+id, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+ed)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", tag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("update with the GET's ETag as If-Match: %d", resp.StatusCode)
	}
	if after := conditional("/api/v1/objects/"+id, tag); after.status != 200 {
		t.Fatalf("the old ETag after an update: %d, want 200", after.status)
	}
}
