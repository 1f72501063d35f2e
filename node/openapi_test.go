package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gorilla/mux"
)

// The OpenAPI description is checked three ways: kin-openapi loads and
// validates it (TestOpenAPIDocument); every /api/v1 route of the router is
// in it (TestOpenAPICoversRoutes); and every answer the node package's
// tests get from /api/v1 through testNode.do is validated against it
// (checkOpenAPI, called by do).

// openAPIRouter is the description, loaded once for the package's tests,
// with its server made relative (each test node has its own port).
var openAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	raw, err := json.Marshal(openAPIDoc("http://127.0.0.1", "test"))
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	return gorillamux.NewRouter(doc)
})

// checkOpenAPI validates one answer of /api/v1 against the description.
// A route the description lacks is TestOpenAPICoversRoutes's to report.
func checkOpenAPI(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	router, err := openAPIRouter()
	if err != nil {
		t.Fatalf("the OpenAPI description does not load: %v", err)
	}
	probe := req.Clone(context.Background())
	probe.URL.Scheme, probe.URL.Host, probe.Host = "", "", ""
	route, params, err := router.FindRoute(probe)
	if err != nil {
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route},
		Status:                 status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s answered %d (%s), which the OpenAPI description does not allow: %v\nbody: %.400s",
			req.Method, req.URL.RequestURI(), status, header.Get("Content-Type"), err, body)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	r := tn.get("/api/v1/openapi.json")
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served description is invalid: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	for _, p := range []string{"/api/v1/search", "/api/v1/objects", "/api/v1/objects/{id}"} {
		if doc.Paths.Find(p) == nil {
			t.Errorf("the description lacks %s", p)
		}
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != tn.n.PublicURL() {
		t.Errorf("servers %v, want the node's public URL", doc.Servers)
	}
	if _, err := openAPIRouter(); err != nil {
		t.Fatal(err)
	}
}

// Every /api/v1 route the router registers is described, and the
// description names no route the router lacks.
func TestOpenAPICoversRoutes(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	routed := map[string]bool{}
	err := tn.n.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil || !strings.HasPrefix(tpl, "/api/v1/") {
			return nil
		}
		methods, err := route.GetMethods()
		if err != nil {
			t.Errorf("route %s has no methods", tpl)
		}
		for _, m := range methods {
			routed[m+" "+tpl] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for _, op := range apiOperations() {
		described[op.method+" /api/v1"+op.path] = true
		if op.method == "GET" {
			described["HEAD /api/v1"+op.path] = true
		}
	}
	for k := range routed {
		if !described[k] {
			t.Errorf("%s is routed but not in the OpenAPI description (node/openapi.go apiOperations)", k)
		}
	}
	for k := range described {
		if !routed[k] {
			t.Errorf("%s is described but not routed", k)
		}
	}
	if len(routed) < 50 {
		t.Fatalf("walked only %d /api/v1 routes", len(routed))
	}
}

// recordTB records the failures checkOpenAPI reports instead of failing.
type recordTB struct {
	testing.TB
	failed []string
}

func (r *recordTB) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}
func (r *recordTB) Helper() {}

// The validation hook bites: a documented route answering a body or a
// status the description does not allow is reported; a conforming answer
// is not.
func TestOpenAPIValidationBites(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	good := tn.get("/api/v1/status")
	req, _ := http.NewRequest(http.MethodGet, tn.url+"/api/v1/status", nil)
	cases := []struct {
		name   string
		status int
		ct     string
		body   string
		fails  bool
	}{
		{"the real answer", good.status, good.header.Get("Content-Type"), string(good.body), false},
		{"a field of the wrong type", 200, "application/json", strings.Replace(string(good.body), `"public_url":"`, `"public_url":5,"x":"`, 1), true},
		{"a required field missing", 200, "application/json", `{"actor": "x"}`, true},
		{"an undocumented status", 201, "application/json", string(good.body), true},
		{"an error that is not a problem document", 500, "application/json", `{"error": "x"}`, true},
		{"a problem document", 500, "application/problem+json", `{"type": "x", "title": "t", "status": 500}`, false},
	}
	for _, c := range cases {
		rec := &recordTB{TB: t}
		h := http.Header{}
		h.Set("Content-Type", c.ct)
		checkOpenAPI(rec, req, c.status, h, []byte(c.body))
		if (len(rec.failed) > 0) != c.fails {
			t.Errorf("%s: reported %v, want failure %v", c.name, rec.failed, c.fails)
		}
	}
}

// The description says what the server takes: If-Match on writes,
// If-None-Match on reads, every media type an import reads, the kinds of
// entity, a token request's optional name, an import's warnings.
func TestOpenAPIDescribesWhatTheServerTakes(t *testing.T) {
	doc := openAPIDoc("http://node.test", "test")
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Parameters  []struct{ Name, In string } `json:"parameters"`
			RequestBody struct {
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	hasHeader := func(path, method, name string) bool {
		for _, p := range spec.Paths[path][method].Parameters {
			if p.In == "header" && p.Name == name {
				return true
			}
		}
		return false
	}
	for _, c := range []struct{ path, method, header string }{
		{"/api/v1/objects/{id}", "put", "If-Match"}, {"/api/v1/objects/{id}", "delete", "If-Match"},
		{"/api/v1/objects/{id}", "get", "If-None-Match"}, {"/api/v1/search", "get", "If-None-Match"},
	} {
		if !hasHeader(c.path, c.method, c.header) {
			t.Errorf("%s %s does not describe %s", c.method, c.path, c.header)
		}
	}
	for path, media := range map[string][]string{
		"/api/v1/import/cpsv":       {"application/ld+json", "application/json", "text/turtle"},
		"/api/v1/import/publiccode": {"application/yaml", "text/yaml", "application/x-yaml"},
	} {
		for _, m := range media {
			if _, ok := spec.Paths[path]["post"].RequestBody.Content[m]; !ok {
				t.Errorf("POST %s does not describe %s", path, m)
			}
		}
	}
	create := spec.Paths["/api/v1/objects"]["post"].RequestBody.Content["application/json"].Schema
	if enum := fmt.Sprint(create["properties"]); !strings.Contains(enum, "Interlinker") || !strings.Contains(enum, "PublicService") {
		t.Errorf("the entity's type has no enum: %v", create)
	}
	seen := 0
	for name, s := range spec.Components.Schemas {
		if strings.HasSuffix(name, "TokenRequest") || strings.HasSuffix(name, "importAnswer") {
			seen++
		}
		if strings.HasSuffix(name, "TokenRequest") && strings.Contains(fmt.Sprint(s["required"]), "name") {
			t.Errorf("%s requires name; the server defaults it to the role", name)
		}
		if strings.HasSuffix(name, "importAnswer") && !strings.Contains(fmt.Sprint(s["properties"]), "warnings") {
			t.Errorf("%s lacks warnings", name)
		}
	}
	if seen != 2 {
		t.Errorf("found %d of the token request's and the import answer's schemas, want 2", seen)
	}
}
