package node

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// parseQuery is strict: unknown, repeated, empty and invalid parameters
// are errors naming the parameter.
func TestParseQuery(t *testing.T) {
	params := []param{
		{name: "q", empty: true},
		{name: "lang", check: checkLangParam},
		limitParam(100),
		{name: "cursor"}, // declared non-empty here to test the rule
		{name: "verified", multi: true, check: oneOf("verified", "unverified", "unsigned")},
		{name: "nature", multi: true},
	}
	cases := []struct {
		query string
		field string // "" when valid
		rule  string
	}{
		{"q=canvas", "", ""},
		{"q=", "", ""},
		{"", "", ""},
		{"q=canvas&lang=en&limit=5&cursor=abc&verified=verified,unsigned&nature=a&nature=b", "", ""},
		{"lang=en-GB", "", ""},
		{"lang=sr-Latn-RS", "", ""},
		{"lang=es-419", "", ""},
		{"verified=maybe", "verified", "enum"},
		{"verified=verified&verified=maybe", "verified", "enum"},
		{"verified=", "verified", "required"},
		{"verified=verified,", "verified", "required"},
		{"lang=zz-invalid", "lang", "language"},
		{"lang=english", "lang", "language"},
		{"lang=en_US", "lang", "language"},
		{"lang=en-GB-oxendict", "lang", "language"},
		{"lang=x-private", "lang", "language"},
		{"lang=", "lang", "required"},
		{"lang=en&lang=it", "lang", "repeated"},
		{"limit=1&limit=2", "limit", "repeated"},
		{"limit=", "limit", "required"},
		{"limit=0", "limit", "range"},
		{"limit=101", "limit", "range"},
		{"limit=100", "", ""},
		{"limit=1", "", ""},
		{"limit=+5", "limit", "range"},
		{"limit=05", "limit", "range"},
		{"limit=5x", "limit", "range"},
		{"cursor=", "cursor", "required"},
		{"color=blue", "color", "unknown_parameter"},
		{"q=a;b", "query", "syntax"},
		{"q=%zz", "query", "syntax"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/search?"+c.query, nil)
			_, err := parseQuery(r, params...)
			if c.field == "" {
				if err != nil {
					t.Fatalf("parseQuery(%q) = %v, want no error", c.query, err)
				}
				return
			}
			ae, ok := err.(*apiError)
			if !ok || ae.status != http.StatusBadRequest || ae.name != "bad-query" {
				t.Fatalf("parseQuery(%q) = %#v, want a 400 bad-query", c.query, err)
			}
			if !slices.ContainsFunc(ae.errs, func(fe protocol.FieldError) bool { return fe.Field == c.field && fe.Rule == c.rule }) {
				t.Fatalf("parseQuery(%q) errors %+v, want field %s rule %s", c.query, ae.errs, c.field, c.rule)
			}
			if !strings.Contains(ae.detail, c.field) {
				t.Fatalf("detail %q does not name %s", ae.detail, c.field)
			}
		})
	}
}

func TestParseQueryValues(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/x?nature=a,%20b&nature=c&limit=7&q=", nil)
	q, err := parseQuery(r, param{name: "nature", multi: true}, limitParam(10), param{name: "q", empty: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := q["nature"]; !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("nature = %q", got)
	}
	if l, _ := q.limit(3); l != 7 {
		t.Fatalf("limit = %d", l)
	}
	if q.get("q") != "" || q.has("q") != true || q.has("cursor") {
		t.Fatalf("q: %v", q)
	}
	if l, _ := (query{}).limit(3); l != 3 {
		t.Fatalf("default limit = %d", l)
	}
}

// Every list and search endpoint reads its query through parseQuery.
func TestListEndpointsRefuseLenientQueries(t *testing.T) {
	a := startNode(t, t.TempDir(), "127.0.0.1")
	cases := []struct {
		path  string
		field string
	}{
		{"/api/v1/search?q=canvas&verified=maybe", "verified"},
		{"/api/v1/search?q=canvas&lang=zz-invalid", "lang"},
		{"/api/v1/search?q=canvas&limit=1&limit=2", "limit"},
		{"/api/v1/search?q=canvas&limit=", "limit"},
		{"/api/v1/search?q=canvas&facets=maybe", "facets"},
		{"/api/v1/search?q=canvas&language=en_US", "language"},
		{"/api/v1/search?q=canvas&type=", "type"},
		{"/api/v1/objects?limit=", "limit"},
		{"/api/v1/objects?limit=1&limit=2", "limit"},
		{"/api/v1/objects?type=Nope", "type"},
		{"/api/v1/objects?cursor=a&cursor=b", "cursor"},
		{"/api/v1/objects?verified=verified", "verified"}, // search only
		{"/api/v1/recommendations?problem_profile=A&limit=", "limit"},
		{"/api/v1/recommendations?task=a&task=b", "task"},
		{"/api/v1/follows?state=maybe", "state"},
		{"/api/v1/follows?state=pending&state=accepted", "state"},
		{"/api/v1/follows?page=2", "page"},
		{"/api/v1/followers?state=", "state"},
		{"/api/v1/deliveries/dead?cursor=a&cursor=b", "cursor"},
		{"/api/v1/deliveries/dead?limit=5", "limit"},
		{"/api/v1/tokens?all=true", "all"},
		{"/api/v1/peers?x=1", "x"},
		{"/api/v1/members?x=1", "x"},
		{"/api/v1/object?iri=a&iri=b", "iri"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := a.do(http.MethodGet, c.path, a.admin, "", nil)
			p := r.problem(t, http.StatusBadRequest, "bad-query")
			errs, _ := p["errors"].([]any)
			if len(errs) == 0 || errs[0].(map[string]any)["field"] != c.field {
				t.Fatalf("errors %v, want the first naming %s", p["errors"], c.field)
			}
		})
	}
	for _, ok := range []string{
		"/api/v1/search?q=canvas&verified=verified&lang=en-GB&limit=5&facets=false",
		"/api/v1/search?q=",
		"/api/v1/search?verified=verified,unverified,invalid,unsigned",
		"/api/v1/objects?type=Interlinker&limit=5",
		"/api/v1/objects?cursor=", // an empty cursor is the first page (clients loop with cursor=NEXT)
		"/api/v1/deliveries/dead?cursor=",
		"/api/v1/follows?state=pending",
		"/api/v1/followers",
		"/api/v1/deliveries/dead",
		"/api/v1/tokens",
	} {
		if r := a.do(http.MethodGet, ok, a.admin, "", nil); r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", ok, r.status, r.body)
		}
	}
}

// The follow lists and dead letters speak the API's snake_case, like every
// other answer (not storage's Go field names).
func TestFederationViewsAreSnakeCase(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		v    any
		want []string
	}{
		{"follow", viewFollow(storage.Follow{Actor: "https://a.example/actor", Inbox: "https://a.example/inbox", SharedInbox: "https://a.example/shared",
			FollowIRI: "https://b.example/activities/1", State: storage.FollowAccepted, Since: now, Updated: now, LastSuccess: now, Failures: 2, LastError: "x"}),
			[]string{"actor", "inbox", "shared_inbox", "follow_iri", "state", "since", "updated", "last_success", "failures", "last_error"}},
		{"dead letter", viewDelivery(storage.Delivery{ID: "0000000000000001", ActivityIRI: "https://b.example/activities/1", Inbox: "https://a.example/inbox",
			Host: "a.example:443", Attempts: 3, Created: now, NextAttempt: now, LastStatus: 403, LastError: "forbidden", Dead: true, DeadReason: "403"}),
			[]string{"id", "activity_iri", "inbox", "host", "attempts", "created", "next_attempt", "last_status", "last_error", "dead", "dead_reason"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := json.Marshal(c.v)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			keys := slices.Sorted(maps.Keys(m))
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(keys, want) {
				t.Fatalf("keys %v, want %v", keys, want)
			}
		})
	}
}
