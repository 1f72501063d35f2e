package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestProblemError(t *testing.T) {
	cases := []struct {
		p          Problem
		text, name string
	}{
		{Problem{Type: "http://n.example/problems/validation", Title: "The object is invalid", Status: 422, Detail: "title: required"},
			"The object is invalid (HTTP 422): title: required", "validation"},
		{Problem{Status: 502}, "Bad Gateway (HTTP 502)", ""},
		{Problem{Type: "about:blank", Title: "Not found", Status: 404}, "Not found (HTTP 404)", ""},
	}
	for _, c := range cases {
		err := fmt.Errorf("call: %w", &c.p)
		var p *Problem
		if !errors.As(err, &p) || p.Error() != c.text || p.Name() != c.name {
			t.Errorf("%+v: %q, name %q; want %q, %q", c.p, p.Error(), p.Name(), c.text, c.name)
		}
	}
}

// The problem's members are RFC 9457's and the node's own, in snake_case.
func TestProblemJSON(t *testing.T) {
	p := Problem{Type: "t", Title: "T", Status: 409, Detail: "d", Instance: "/api/v1/objects", RequestID: "r",
		Errors: []FieldError{{Field: "key", Rule: "unique", Message: "m"}}, Existing: "http://n.example/objects/1"}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"t","title":"T","status":409,"detail":"d","instance":"/api/v1/objects","request_id":"r",` +
		`"errors":[{"field":"key","rule":"unique","message":"m"}],"existing":"http://n.example/objects/1"}`
	if string(b) != want {
		t.Fatalf("%s\nwant %s", b, want)
	}
}
