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

// Every read answers HEAD as it answers GET (RFC 9110 §9.3.2): the same
// status and headers, no content. The API, its description, the exports,
// ActivityPub and the pages, including a problem.
func TestHeadAnswersLikeGet(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	obj := tn.postJSON("/api/v1/objects", editor, interlinkerBody("head_probe", "Head probe", "Sonda")).json(t)
	id := obj["id"].(string)
	for _, path := range []string{
		"/api/v1/status", "/api/v1/openapi.json", "/api/v1/search?q=probe", "/api/v1/objects",
		"/api/v1/objects/" + id, "/api/v1/objects/" + id + "/versions", "/api/v1/export/cpsv", "/api/v1/export/dcat",
		"/api/v1/objects/nope", "/objects/" + id, "/actor", "/.well-known/nodeinfo", "/metrics", "/search?q=probe",
	} {
		get, head := plain(t, http.MethodGet, tn.url+path), plain(t, http.MethodHead, tn.url+path)
		if head.status != get.status || len(head.body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes; GET: %d", path, head.status, len(head.body), get.status)
			continue
		}
		for _, h := range []string{"Content-Type", "Content-Length", "ETag", "Allow", "Cache-Control"} {
			if head.header.Get(h) != get.header.Get(h) {
				t.Errorf("HEAD %s: %s %q, GET %q", path, h, head.header.Get(h), get.header.Get(h))
			}
		}
	}
}

// send sends a request with the given header pairs, outside tn.do (which
// lets Go's client ask for gzip on a GET, never on a HEAD, and sets no
// headers but the token and the content type).
func send(t *testing.T, method, url string, body []byte, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// plain sends an unsigned, uncompressed request.
func plain(t *testing.T, method, url string) response {
	t.Helper()
	return send(t, method, url, nil, "Accept-Encoding", "identity")
}

// A compressed request body is refused as such (415 naming the coding),
// not read as garbage and refused as malformed JSON.
func TestCompressedRequestBodyIsRefusedForWhatItIs(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	body, _ := json.Marshal(interlinkerBody("gz", "Gzip", "Gzip"))
	post := func(coding string) response {
		return send(t, http.MethodPost, tn.url+"/api/v1/objects", body,
			"Authorization", "Bearer "+editor, "Content-Type", "application/json", "Content-Encoding", coding)
	}
	for _, ce := range []string{"gzip", "br"} {
		p := post(ce).problem(t, http.StatusUnsupportedMediaType, "unsupported-media-type")
		if d, _ := p["detail"].(string); !strings.Contains(d, ce) {
			t.Errorf("Content-Encoding %s: the detail does not name it: %s", ce, d)
		}
	}
	// identity is no coding at all.
	if r := post("identity"); r.status != http.StatusCreated {
		t.Errorf("Content-Encoding identity: %d %s", r.status, r.body)
	}
}

// A bad cursor or search text is a bad-query problem naming the parameter
// (errors[].field), in words for the caller rather than the store's.
func TestBadCursorAndTextNameTheParameter(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	for _, c := range []struct{ path, field, rule string }{
		{"/api/v1/objects?cursor=garbage", "cursor", "syntax"},
		{"/api/v1/follows?cursor=garbage", "cursor", "syntax"},
		{"/api/v1/search?q=canvas&cursor=zzz", "cursor", "syntax"},
		{"/api/v1/search?q=" + strings.Repeat("a", 5000), "q", "range"},
	} {
		token := ""
		if strings.Contains(c.path, "follows") {
			token = tn.token("reader")
		}
		p := tn.do(http.MethodGet, c.path, token, "", nil).problem(t, http.StatusBadRequest, "bad-query")
		errs, _ := p["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != c.field || errs[0].(map[string]any)["rule"] != c.rule {
			t.Errorf("GET %.60s: errors %v, want field %s rule %s", c.path, p["errors"], c.field, c.rule)
		}
		if d, _ := p["detail"].(string); strings.Contains(d, "storage:") || strings.Contains(d, "invalid query") {
			t.Errorf("GET %.60s: the detail is the store's words: %s", c.path, d)
		}
	}
}

// A create and an update answer the object as stored: signed, with its
// verification, like a GET of it.
func TestWritesAnswerTheSignedObject(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	created := tn.postJSON("/api/v1/objects", editor, interlinkerBody("signed_answer", "Signed", "Firmato")).json(t)
	if created["jws"] == nil || created["verification"] == nil {
		t.Fatalf("the 201 lacks jws or verification: %v", created)
	}
	id := created["id"].(string)
	body, _ := json.Marshal(interlinkerBody("signed_answer", "Signed again", "Firmato"))
	updated := tn.do(http.MethodPut, "/api/v1/objects/"+id, editor, "application/json", body).json(t)
	got := tn.get("/api/v1/objects/" + id).json(t)
	if updated["jws"] == nil || fmt.Sprint(updated["jws"]) != fmt.Sprint(got["jws"]) {
		t.Fatalf("the PUT's answer carries another signature than the stored one")
	}
}

// PUT is idempotent: the same content again makes no new version (nothing
// to sign, store or announce to followers).
func TestPutOfTheSameContentChangesNothing(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	id := tn.postJSON("/api/v1/objects", editor, interlinkerBody("idem", "Same", "Stesso")).json(t)["id"].(string)
	body, _ := json.Marshal(interlinkerBody("idem", "Same", "Stesso"))
	for range 2 {
		r := tn.do(http.MethodPut, "/api/v1/objects/"+id, editor, "application/json", body)
		if r.status != http.StatusOK || r.json(t)["version"].(float64) != 1 {
			t.Fatalf("PUT of the same content: %d %s", r.status, r.body)
		}
	}
	changed, _ := json.Marshal(interlinkerBody("idem", "Changed", "Cambiato"))
	if r := tn.do(http.MethodPut, "/api/v1/objects/"+id, editor, "application/json", changed); r.json(t)["version"].(float64) != 2 {
		t.Fatalf("PUT of new content: %s", r.body)
	}
}

// A token request's mistakes name the field in plain words.
func TestTokenRequestErrorsNameTheField(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	for _, c := range []struct{ body, field, rule, detail string }{
		{`{"role":"superuser","name":"x"}`, "role", "enum", `role: "superuser" is not one of reader, editor, admin`},
		{`{"role":"reader","name":"ctl\u0000\n"}`, "name", "printable", "name: a name is one line of text"},
		{`{"role":"reader","name":"` + strings.Repeat("é", 129) + `"}`, "name", "max_length", "name: at most 128 characters"},
	} {
		p := tn.do(http.MethodPost, "/api/v1/tokens", tn.admin, "application/json", []byte(c.body)).problem(t, 422, "validation")
		errs, _ := p["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != c.field || errs[0].(map[string]any)["rule"] != c.rule {
			t.Errorf("%s: errors %v", c.body, p["errors"])
		}
		if d, _ := p["detail"].(string); !strings.HasPrefix(d, c.detail) {
			t.Errorf("%.40s: detail %q, want it to start %q", c.body, d, c.detail)
		}
	}
}

// A node's own CPSV-AP export, imported again in Turtle or JSON-LD,
// changes none of its services: the IRIs the export gave them are its own.
func TestOwnCPSVExportReimportsUnchanged(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	editor := tn.token("editor")
	for i := range 3 {
		if r := tn.postJSON("/api/v1/objects", editor, serviceBody(fmt.Sprintf("svc-%d", i), fmt.Sprintf("Service %d", i), tn.url+"/actor")); r.status != 201 {
			t.Fatalf("create a service: %d %s", r.status, r.body)
		}
	}
	for _, format := range []string{"text/turtle", "application/ld+json"} {
		doc := send(t, http.MethodGet, tn.url+"/api/v1/export/cpsv", nil, "Accept", format).body
		r := tn.do(http.MethodPost, "/api/v1/import/cpsv", editor, format, doc).json(t)
		if r["updated"].(float64) != 0 || r["created"].(float64) != 0 || r["unchanged"].(float64) != 3 {
			t.Errorf("re-import of the %s export: %v", format, r)
		}
	}
}
