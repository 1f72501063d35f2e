package node

import (
	"encoding/json"
	"strings"
	"testing"
)

// The history and the recommendations read their query strictly, as every
// list endpoint does: a bad after or limit, or an unknown parameter, is a
// 400 bad-query naming the parameter, never silently the default.
func TestProcessQueriesStrict(t *testing.T) {
	tn := startFed(t, "127.0.0.1")
	r := tn.postJSON("/api/v1/processes", tn.admin, map[string]any{"name": "Strict queries", "governance": "government-plus-citizen"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["process"].(string)
	id := iri[len(iri)-26:]
	tn.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "engage", "name": "Engage"}}, 200)
	tn.change(t, id, map[string]any{"op": "add-objective", "item": "engage", "data": map[string]any{"key": "map", "name": "Map"}}, 200)
	tn.change(t, id, map[string]any{"op": "add-task", "item": "map", "data": map[string]any{"key": "survey", "name": "Survey"}}, 200)
	history, recs := "/api/v1/processes/"+id+"/history", "/api/v1/processes/"+id+"/tasks/survey/recommendations"
	cases := []struct {
		path, param string
		status      int
	}{
		{history, "", 200},
		{history + "?after=1&limit=2", "", 200},
		{history + "?after=x", "after", 400},
		{history + "?after=-1", "after", 400},
		{history + "?limit=0", "limit", 400},
		{history + "?limit=501", "limit", 400},
		{history + "?limit=ten", "limit", 400},
		{history + "?limit=2&limit=3", "limit", 400},
		{history + "?cursor=x", "cursor", 400},
		{recs, "", 200},
		{recs + "?limit=5", "", 200},
		{recs + "?limit=abc", "limit", 400},
		{recs + "?limit=101", "limit", 400},
		{recs + "?after=1", "after", 400},
	}
	for _, c := range cases {
		r := tn.do("GET", c.path, tn.admin, "", nil)
		if r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.path, r.status, c.status, r.body)
			continue
		}
		if c.status != 400 {
			continue
		}
		var p struct {
			Type   string `json:"type"`
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(p.Type, "/problems/bad-query") || len(p.Errors) == 0 || p.Errors[0].Field != c.param {
			t.Errorf("%s: %s, want bad-query naming %s", c.path, r.body, c.param)
		}
	}
	var tl struct {
		Items []struct{ Seq uint64 } `json:"items"`
	}
	r = tn.do("GET", history+"?after=1&limit=2", tn.admin, "", nil)
	if err := json.Unmarshal(r.body, &tl); err != nil || len(tl.Items) != 2 || tl.Items[0].Seq != 2 {
		t.Errorf("after=1&limit=2: %s", r.body)
	}
}
