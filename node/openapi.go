package node

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/faults"
	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
)

// The OpenAPI 3.1 description of /api/v1, served at GET
// /api/v1/openapi.json. It is built from the code, not written beside it:
// the operations from apiOperations (one entry per route of the router;
// TestOpenAPICoversRoutes fails when a route is missing), their query
// parameters from the same param lists the handlers parse with, and the
// schemas from the Go types the handlers encode (openapi_schema.go). The
// node package's API tests validate every answer they get against it
// (kin-openapi's openapi3filter; openapi_test.go).

// apiOp is one operation of /api/v1.
type apiOp struct {
	method, path, name, summary string
	role                        Role      // "": public
	query                       []param   // the handler's query parameters
	body                        *opBody   // the request body, nil: none
	bodyAlt                     []*opBody // other media types the body may come in
	ifMatch                     bool      // takes If-Match (the version the change is based on)
	ok                          []opAnswer
}

// opBody is a request or response body: a media type and a schema (from a
// Go type, or given).
type opBody struct {
	media  string
	typ    reflect.Type // the encoded Go type, or
	schema schema       // a given schema
}

// opAnswer is a documented success status and its body (nil: empty),
// and other media types it may come in (content negotiation).
type opAnswer struct {
	status int
	body   *opBody
	alt    []*opBody
}

func jsonOf[T any]() *opBody { return &opBody{media: "application/json", typ: reflect.TypeFor[T]()} }

func jsonSchema(s schema) *opBody { return &opBody{media: "application/json", schema: s} }

func answer(status int, b *opBody) opAnswer { return opAnswer{status: status, body: b} }

func props(kv ...any) schema {
	p := schema{}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	return schema{"type": "object", "properties": p}
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// apiOperations is every /api/v1 route (node/router.go and the handler
// types' routes methods).
func apiOperations() []apiOp {
	kinds := make([]any, len(protocol.Kinds))
	for i, k := range protocol.Kinds {
		kinds[i] = string(k)
	}
	entity := jsonSchema(schema{"type": "object", "description": "a catalogue entity (Interlinker, PublicService, Organisation, ProblemProfile, CoproductionSchema, Adoption, Rating, Story) in the data model's JSON; docs/api.md",
		"required": []any{"type"}, "properties": schema{"type": schema{"type": "string", "enum": kinds}}})
	object, draft := jsonOf[protocol.Object](), jsonOf[api.DraftAccepted]()
	imported := jsonOf[importAnswer]() // the result and the reader's warnings
	writeOK := func(status int) []opAnswer {
		return []opAnswer{answer(status, object), answer(http.StatusAccepted, draft)}
	}
	list := func(item reflect.Type, extra ...any) *opBody {
		return jsonSchema(props(append([]any{"items", schema{"type": "array", "items": schemaRef(item)}}, extra...)...))
	}
	str, integer := schema{"type": "string"}, schema{"type": "integer"}
	facets := schema{"type": []any{"object", "null"}, "additionalProperties": schema{"type": "object", "additionalProperties": integer}}
	search := jsonSchema(props("total", schema{"type": "integer", "minimum": 0}, "items", schema{"type": "array", "items": schemaRef(typeOf[searchItem]())},
		"facets", facets, "next", str))
	ops := []apiOp{
		{method: "GET", path: "/status", name: "status", summary: "The node's identity, version, counts and health", ok: []opAnswer{answer(200, jsonOf[Status]())}},
		{method: "GET", path: "/openapi.json", name: "openapi", summary: "This description (OpenAPI 3.1)", ok: []opAnswer{answer(200, jsonSchema(schema{"type": "object"}))}},
		{method: "POST", path: "/tokens", name: "tokens.create", role: RoleAdmin, summary: "Make an API token (the secret is shown once)", body: jsonOf[api.TokenRequest](), ok: []opAnswer{answer(201, jsonOf[api.Token]())}},
		{method: "GET", path: "/tokens", name: "tokens.list", role: RoleAdmin, summary: "List the API tokens (never their secrets)", ok: []opAnswer{answer(200, jsonOf[api.List[api.Token]]())}},
		{method: "DELETE", path: "/tokens/{id}", name: "tokens.delete", role: RoleAdmin, summary: "Revoke a token", ok: []opAnswer{answer(204, nil)}},
		{method: "GET", path: "/backup", name: "backup", role: RoleAdmin, summary: "Download a consistent backup of the database", ok: []opAnswer{answer(200, &opBody{media: "application/octet-stream", schema: schema{"type": "string", "contentMediaType": "application/octet-stream"}})}},
		{method: "POST", path: "/restore", name: "restore", role: RoleAdmin, summary: "Replace the database with a backup", query: []param{{name: "allow_other_node"}},
			body: &opBody{media: "application/octet-stream", schema: schema{"type": "string", "contentMediaType": "application/octet-stream"}},
			ok:   []opAnswer{answer(200, jsonSchema(props("restored", schema{"type": "boolean"}, "counts", schema{"type": "object", "additionalProperties": integer}, "previous", str)))}},
		{method: "POST", path: "/follows", name: "follows.create", role: RoleEditor, summary: "Follow a peer (its actor IRI or acct:)", body: jsonOf[api.ActorRequest](), ok: []opAnswer{answer(202, jsonOf[api.Follow]())}},
		{method: "GET", path: "/follows", name: "follows.list", role: RoleReader, summary: "The peers this node follows", query: []param{{name: "state"}, {name: "cursor"}}, ok: []opAnswer{answer(200, jsonOf[api.FollowPage]())}},
		{method: "DELETE", path: "/follows", name: "follows.delete", role: RoleEditor, summary: "Stop following a peer", query: []param{{name: "actor"}}, ok: []opAnswer{answer(204, nil)}},
		{method: "GET", path: "/followers", name: "followers.list", role: RoleReader, summary: "The peers that follow this node", query: []param{{name: "state"}, {name: "cursor"}}, ok: []opAnswer{answer(200, jsonOf[api.FollowPage]())}},
		{method: "POST", path: "/followers/approve", name: "followers.approve", role: RoleAdmin, summary: "Approve a pending follower", body: jsonOf[api.ActorRequest](), ok: []opAnswer{answer(200, jsonOf[api.Follow]())}},
		{method: "POST", path: "/followers/reject", name: "followers.reject", role: RoleAdmin, summary: "Reject a follower", body: jsonOf[api.ActorRequest](), ok: []opAnswer{answer(200, jsonOf[api.Follow]())}},
		{method: "GET", path: "/peers", name: "peers", role: RoleReader, summary: "Peers and their delivery state", ok: []opAnswer{answer(200, list(typeOf[federation.Peer]()))}},
		{method: "GET", path: "/members", name: "members", role: RoleReader, summary: "The gossip pool's members", ok: []opAnswer{answer(200, jsonOf[api.Members]())}},
		{method: "GET", path: "/deliveries/dead", name: "deliveries.dead", role: RoleAdmin, summary: "Dead letters (deliveries given up)", query: []param{{name: "cursor"}}, ok: []opAnswer{answer(200, jsonOf[api.DeliveryPage]())}},
		{method: "POST", path: "/deliveries/dead/{id}/replay", name: "deliveries.replay", role: RoleAdmin, summary: "Queue a dead letter again", ok: []opAnswer{answer(202, nil)}},
		{method: "POST", path: "/import", name: "import", role: RoleEditor, summary: "Import entities (upsert by natural key, atomically)", body: jsonSchema(schema{"description": "an entity or an array of entities, or the INTERLINK catalogue export; docs/api.md"}),
			ok: []opAnswer{answer(200, imported), answer(201, imported)}},
		{method: "POST", path: "/import/cpsv", name: "import.cpsv", role: RoleEditor, summary: "Import CPSV-AP public services and organisations", body: &opBody{media: "application/ld+json", schema: schema{"description": "a CPSV-AP JSON-LD document"}},
			bodyAlt: []*opBody{{media: "application/json", schema: schema{"description": "a CPSV-AP JSON-LD document"}}, {media: "text/turtle", schema: schema{"type": "string", "description": "a CPSV-AP document in Turtle"}}},
			ok:      []opAnswer{answer(200, imported), answer(201, imported)}},
		{method: "POST", path: "/import/publiccode", name: "import.publiccode", role: RoleEditor, summary: "Import a publiccode.yml as a software interlinker", body: &opBody{media: "application/yaml", schema: schema{"type": "string"}},
			bodyAlt: []*opBody{{media: "text/yaml", schema: schema{"type": "string"}}, {media: "application/x-yaml", schema: schema{"type": "string"}}},
			ok:      []opAnswer{answer(200, imported), answer(201, imported)}},
		{method: "GET", path: "/export/cpsv", name: "export.cpsv", summary: "Public services and organisations as CPSV-AP (JSON-LD; Turtle or RDF/XML by Accept)",
			ok: []opAnswer{{status: 200, body: &opBody{media: "application/ld+json", schema: schema{"type": "object"}}, alt: []*opBody{
				{media: "text/turtle", schema: schema{"type": "string"}}, {media: "application/rdf+xml", schema: schema{"type": "string"}}}}}},
		{method: "GET", path: "/export/dcat", name: "export.dcat", summary: "This node's catalogue as a DCAT-AP catalogue of ADMS-AP assets and CPSV-AP services (JSON-LD; Turtle or RDF/XML by Accept), 100 entries a page",
			query: []param{{name: "page"}},
			ok: []opAnswer{{status: 200, body: &opBody{media: "application/ld+json", schema: schema{"type": "object"}}, alt: []*opBody{
				{media: "text/turtle", schema: schema{"type": "string"}}, {media: "application/rdf+xml", schema: schema{"type": "string"}}}}}},
		{method: "GET", path: "/objects/{id}/publiccode.yml", name: "objects.publiccode", summary: "A software interlinker as publiccode.yml 0.7 (422 not-software or cannot-export otherwise)",
			ok: []opAnswer{{status: 200, body: &opBody{media: "application/yaml", schema: schema{"type": "object", "description": "a publiccode.yml document"}}}}},
		{method: "GET", path: "/object/publiccode.yml", name: "objects.publiccode_iri", summary: "A software interlinker, by its IRI (also another node's), as publiccode.yml 0.7", query: []param{{name: "iri"}},
			ok: []opAnswer{{status: 200, body: &opBody{media: "application/yaml", schema: schema{"type": "object", "description": "a publiccode.yml document"}}}}},
		{method: "POST", path: "/objects", name: "objects.create", role: RoleEditor, summary: "Create an object (202 and a draft when it has co-producers)", body: entity, ok: writeOK(201)},
		{method: "GET", path: "/objects", name: "objects.list", summary: "List live objects, filtered", query: listParams(), ok: []opAnswer{answer(200, jsonSchema(props("items", schema{"type": "array", "items": schemaRef(typeOf[protocol.Object]())}, "next", str)))}},
		{method: "GET", path: "/object", name: "objects.get_iri", summary: "An object by its IRI (also another node's)", query: []param{{name: "iri"}}, ok: []opAnswer{answer(200, object), answer(410, object)}},
		{method: "GET", path: "/objects/{id}", name: "objects.get", summary: "An object's current version (ETag; If-None-Match answers 304)", ok: []opAnswer{answer(200, object), answer(410, object)}},
		{method: "PUT", path: "/objects/{id}", name: "objects.update", role: RoleEditor, summary: "Make the next version (If-Match: the version changed)", body: entity, ifMatch: true, ok: writeOK(200)},
		{method: "DELETE", path: "/objects/{id}", name: "objects.delete", role: RoleEditor, summary: "Delete an object (its tombstone is answered)", ifMatch: true, ok: []opAnswer{answer(200, object)}},
		{method: "GET", path: "/objects/{id}/versions", name: "objects.versions", summary: "Every version's envelope", ok: []opAnswer{answer(200, list(typeOf[protocol.Meta]()))}},
		{method: "GET", path: "/objects/{id}/versions/{version}", name: "objects.version", summary: "One version", ok: []opAnswer{answer(200, object)}},
		{method: "GET", path: "/objects/{id}/aggregates", name: "objects.aggregates", summary: "Adoptions and ratings of an object", ok: []opAnswer{answer(200, jsonSchema(props("iri", str, "adoptions", integer, "ratings", integer, "rating_mean", schema{"type": "number"})))}},
		{method: "GET", path: "/search", name: "search", summary: "Full-text search with filters and facets (ETag; If-None-Match answers 304)", query: searchParams(), ok: []opAnswer{answer(200, search)}},
		{method: "GET", path: "/recommendations", name: "recommendations", summary: "Interlinkers recommended for a task or problem profiles", query: []param{{name: "task"}, {name: "problem_profile", multi: true}, {name: "limit"}},
			ok: []opAnswer{answer(200, jsonSchema(props("problem_profiles", schema{"type": []any{"array", "null"}, "items": str}, "items", schema{"type": []any{"array", "null"}, "items": schemaRef(typeOf[catalogue.Recommendation]())})))}},
		{method: "GET", path: "/trust", name: "trust.status", role: RoleReader, summary: "This node's keys, anchors and own trust chain", ok: []opAnswer{answer(200, jsonOf[api.TrustStatus]())}},
		{method: "POST", path: "/trust/keys/rotate", name: "trust.keys.rotate", role: RoleAdmin, summary: "Rotate a key (content, or federation then promote)", body: jsonOf[api.KeyRotateRequest](), ok: []opAnswer{answer(200, jsonOf[api.KeySet]())}},
		{method: "POST", path: "/trust/keys/revoke", name: "trust.keys.revoke", role: RoleAdmin, summary: "Mark a content key compromised", body: jsonOf[api.KeyRevokeRequest](), ok: []opAnswer{answer(200, jsonOf[api.KeySet]())}},
		{method: "GET", path: "/trust/equivocations", name: "trust.equivocations", role: RoleReader, summary: "Evidence of signers that signed two versions with one number", ok: []opAnswer{answer(200, jsonOf[api.Equivocations]())}},
		{method: "POST", path: "/anchor/init", name: "anchor.init", role: RoleAdmin, summary: "Make this node an anchor or intermediate", body: jsonOf[api.AnchorInit](), ok: []opAnswer{answer(200, jsonOf[api.AnchorInitAnswer]())}},
		{method: "GET", path: "/anchor/subordinates", name: "anchor.list", role: RoleReader, summary: "The entities this node vouches for", ok: []opAnswer{answer(200, jsonOf[api.List[api.Subordinate]]())}},
		{method: "POST", path: "/anchor/subordinates", name: "anchor.enroll", role: RoleAdmin, summary: "Enrol a subordinate", body: jsonOf[api.Enrolment](), ok: []opAnswer{answer(201, jsonOf[api.Subordinate]())}},
		{method: "POST", path: "/anchor/subordinates/revoke", name: "anchor.revoke", role: RoleAdmin, summary: "Revoke a subordinate", body: jsonOf[api.SubordinateRevoke](), ok: []opAnswer{answer(200, jsonOf[api.Subordinate]())}},
		{method: "POST", path: "/users", name: "users.create", role: RoleAdmin, summary: "Make a user account for the web pages", body: jsonOf[api.UserRequest](), ok: []opAnswer{answer(201, jsonOf[api.User]())}},
		{method: "GET", path: "/users", name: "users.list", role: RoleAdmin, summary: "List user accounts", ok: []opAnswer{answer(200, jsonOf[api.List[api.User]]())}},
		{method: "POST", path: "/users/{id}/disable", name: "users.disable", role: RoleAdmin, summary: "Disable a user", ok: []opAnswer{answer(200, jsonOf[api.User]())}},
		{method: "POST", path: "/users/{id}/enable", name: "users.enable", role: RoleAdmin, summary: "Enable a user", ok: []opAnswer{answer(200, jsonOf[api.User]())}},
		{method: "PUT", path: "/users/{id}/password", name: "users.password", role: RoleAdmin, summary: "Set a user's password", body: jsonOf[api.PasswordRequest](), ok: []opAnswer{answer(204, nil)}},
		{method: "GET", path: "/drafts", name: "drafts.list", role: RoleReader, summary: "Co-produced versions waiting for signatures", query: []param{{name: "status"}}, ok: []opAnswer{answer(200, jsonOf[api.List[api.Draft]]())}},
		{method: "GET", path: "/drafts/{id}", name: "drafts.get", role: RoleReader, summary: "One draft", ok: []opAnswer{answer(200, jsonOf[api.Draft]())}},
		{method: "GET", path: "/cosign/requests", name: "cosign.list", role: RoleReader, summary: "Co-sign requests received", query: []param{{name: "status"}}, ok: []opAnswer{answer(200, jsonOf[api.List[api.CosignRequest]]())}},
		{method: "GET", path: "/cosign/requests/{id}", name: "cosign.get", role: RoleReader, summary: "One co-sign request with the object to sign", ok: []opAnswer{answer(200, jsonOf[api.CosignRequest]())}},
		{method: "POST", path: "/cosign/requests/{id}/approve", name: "cosign.approve", role: RoleEditor, summary: "Co-sign", body: jsonOf[api.CosignAnswer](), ok: []opAnswer{answer(200, jsonOf[api.CosignRequest]())}},
		{method: "POST", path: "/cosign/requests/{id}/reject", name: "cosign.reject", role: RoleEditor, summary: "Refuse to co-sign", body: jsonOf[api.CosignAnswer](), ok: []opAnswer{answer(200, jsonOf[api.CosignRequest]())}},
		{method: "GET", path: "/testing/faults", name: "testing.faults.get", role: RoleAdmin, summary: "Injected faults (test federations only)", ok: []opAnswer{answer(200, jsonOf[faults.Spec]())}},
		{method: "PUT", path: "/testing/faults", name: "testing.faults.put", role: RoleAdmin, summary: "Inject faults (test federations only)", body: jsonOf[faults.Spec](), ok: []opAnswer{answer(200, jsonOf[faults.Spec]())}},
	}
	return append(ops, processOperations()...)
}

// schemaRef is a placeholder for a Go type's schema, resolved by build.
func schemaRef(t reflect.Type) schema { return schema{"x-go-type": t} }

// openAPIDoc builds the description (once per node: its server URL).
func openAPIDoc(base, version string) map[string]any {
	g := &schemaGen{comps: map[string]any{}}
	var resolve func(v any) any
	resolve = func(v any) any { // x-go-type placeholders to schemas
		switch x := v.(type) {
		case schema:
			if t, ok := x["x-go-type"].(reflect.Type); ok {
				return g.of(t)
			}
			out := schema{}
			for k, e := range x {
				out[k] = resolve(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = resolve(e)
			}
			return out
		}
		return v
	}
	content := func(b *opBody) schema {
		s := b.schema
		if b.typ != nil {
			s = g.of(b.typ)
		}
		return schema{b.media: schema{"schema": resolve(s)}}
	}
	paths := map[string]any{}
	for _, op := range apiOperations() {
		o := schema{"operationId": op.name, "summary": op.summary, "tags": []string{strings.SplitN(op.name, ".", 2)[0]}}
		var params []any
		for _, seg := range strings.Split(op.path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, schema{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": schema{"type": "string"}})
			}
		}
		for _, p := range op.query {
			ps := schema{"type": "string"}
			if p.multi {
				ps = schema{"type": "array", "items": schema{"type": "string"}}
			}
			params = append(params, schema{"name": p.name, "in": "query", "required": false, "schema": ps, "explode": true})
		}
		switch {
		case op.method == "GET":
			params = append(params, schema{"name": "If-None-Match", "in": "header", "required": false, "schema": schema{"type": "string"},
				"description": "an ETag this answer gave: 304 when it is still current"})
		case op.ifMatch:
			params = append(params, schema{"name": "If-Match", "in": "header", "required": false, "schema": schema{"type": "string"},
				"description": `the version the change is based on ("3") or an ETag of it: 409 when another is current`})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.body != nil {
			c := content(op.body)
			for _, alt := range op.bodyAlt {
				maps.Copy(c, content(alt))
			}
			o["requestBody"] = schema{"required": true, "content": c}
		}
		if op.role != RoleNone {
			o["security"] = []any{schema{"bearer": []any{}}}
			o["x-interlink-role"] = string(op.role)
		} else {
			o["security"] = []any{schema{}, schema{"bearer": []any{}}}
		}
		responses := schema{"default": schema{"$ref": "#/components/responses/Problem"}}
		for _, a := range op.ok {
			r := schema{"description": http.StatusText(a.status)}
			if a.body != nil {
				c := content(a.body)
				for _, alt := range a.alt {
					maps.Copy(c, content(alt))
				}
				r["content"] = c
			}
			responses[strconv.Itoa(a.status)] = r
		}
		if op.method == "GET" {
			responses["304"] = schema{"description": "Not modified (If-None-Match named the current ETag)"}
		}
		o["responses"] = responses
		item, _ := paths["/api/v1"+op.path].(schema)
		if item == nil {
			item = schema{}
			paths["/api/v1"+op.path] = item
		}
		item[strings.ToLower(op.method)] = o
		if op.method == "GET" {
			item["head"] = headOf(o)
		}
	}
	g.of(typeOf[api.Problem]()) // components.schemas["api.Problem"]
	return map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": schema{"title": "interlink node API", "version": version, "summary": "The catalogue, federation, trust and administration API of an interlink node",
			"description": "Errors are RFC 9457 problem documents (application/problem+json) whose type URI explains them (GET /problems/NAME). See docs/api.md.",
			"license":     schema{"name": "EUPL-1.2", "identifier": "EUPL-1.2"}},
		"servers": []any{schema{"url": base}},
		"paths":   paths,
		"components": schema{
			"schemas":         g.comps,
			"responses":       schema{"Problem": schema{"description": "An RFC 9457 problem document", "content": schema{"application/problem+json": schema{"schema": schema{"$ref": "#/components/schemas/api.Problem"}}}}},
			"securitySchemes": schema{"bearer": schema{"type": "http", "scheme": "bearer", "description": "An API token (interlink token create); x-interlink-role names the role an operation needs"}},
		},
	}
}

// headOf is the HEAD operation of a GET operation o (every GET route
// answers HEAD, node/router.go withHead): its parameters and statuses,
// without content.
func headOf(o schema) schema {
	h := maps.Clone(o)
	h["operationId"] = o["operationId"].(string) + ".head"
	h["summary"] = "The headers of: " + o["summary"].(string)
	responses := schema{}
	for status, r := range o["responses"].(schema) {
		if status == "default" {
			r = schema{"description": "An error: the status and headers of the problem a GET gets, without the document"}
		} else if rs, ok := r.(schema); ok && rs["content"] != nil {
			rs = maps.Clone(rs)
			delete(rs, "content")
			r = rs
		}
		responses[status] = r
	}
	h["responses"] = responses
	return h
}

// openAPIHandler serves the description, built once.
type openAPIHandler struct {
	base, version string
	once          sync.Once
	doc           []byte
}

func (h *openAPIHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(func() {
		h.doc, _ = json.MarshalIndent(openAPIDoc(h.base, h.version), "", "  ")
	})
	writeCached(w, r, "", json.RawMessage(h.doc))
}
