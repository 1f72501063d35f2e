package node

import (
	"net/http"
	"strings"
	"testing"
)

// A publiccode.yml that is not well-formed YAML is the client's mistake: a
// 400 problem naming the line, never a 500.
func TestImportPubliccodeSyntaxError(t *testing.T) {
	a := startNode(t, t.TempDir(), "127.0.0.1")
	cases := []struct {
		name string
		doc  string
		line string
	}{
		// The YAML parser's line for an unfinished flow sequence is
		// ambiguous (protocol/publiccode.syntaxError): only "a line" here.
		{"unclosed bracket", "a: [b\n  c", "line "},
		{"control character", "name: x\n\x01bad: y", "line 2"},
		{"invalid UTF-8", "name: x\nurl: \xff\xfe\n", "line 2"},
		{"list after map", "k: v\n- item\nm: n", "line 2"},
		{"bad indentation", "name: x\n  bad: y\n", "line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(http.MethodPost, "/api/v1/import/publiccode", a.admin, "application/yaml", []byte(c.doc))
			p := r.problem(t, http.StatusBadRequest, "malformed-yaml")
			detail, _ := p["detail"].(string)
			if !strings.Contains(detail, c.line) {
				t.Fatalf("detail %q does not name %s", detail, c.line)
			}
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("errors %v, want one naming the body", p["errors"])
			}
			e := errs[0].(map[string]any)
			if e["field"] != "body" || e["rule"] != "yaml_syntax" || !strings.Contains(e["message"].(string), c.line) {
				t.Fatalf("error %v, want field body, rule yaml_syntax, the line", e)
			}
		})
	}
}
