package node

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// emittedProblemNames walks the module's Go code (tests excluded) for every
// problem name it emits: the second argument, after an http.Status*, of
// errorf, fieldError and the federation's refuse; the name of each rule
// {sentinel, http.Status*, "name"}; name: in an apiError literal and
// Problem: in an InboxError literal.
func emittedProblemNames(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	isStatus := func(e ast.Expr) bool {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok || !strings.HasPrefix(sel.Sel.Name, "Status") {
			return false
		}
		pk, ok := sel.X.(*ast.Ident)
		return ok && pk.Name == "http"
	}
	str := func(e ast.Expr) (string, bool) {
		bl, ok := e.(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(bl.Value)
		return s, err == nil
	}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && d.Name() != "..")) {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				fn, ok := x.Fun.(*ast.Ident)
				if ok && (fn.Name == "errorf" || fn.Name == "fieldError" || fn.Name == "refuse") && len(x.Args) > 1 && isStatus(x.Args[0]) {
					if s, ok := str(x.Args[1]); ok {
						out[s] = p
					}
				}
			case *ast.CompositeLit:
				if len(x.Elts) == 3 && isStatus(x.Elts[1]) {
					if s, ok := str(x.Elts[2]); ok {
						out[s] = p
					}
				}
				typ, _ := x.Type.(*ast.Ident)
				for _, e := range x.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok || typ == nil {
						continue
					}
					key, _ := kv.Key.(*ast.Ident)
					if key != nil && ((typ.Name == "apiError" && key.Name == "name") || (typ.Name == "InboxError" && key.Name == "Problem")) {
						if s, ok := str(kv.Value); ok {
							out[s] = p
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("found only %d problem names in the code: the walk is broken", len(out))
	}
	return out
}

// Every problem type the code emits is in the table, each entry of the
// table is emitted somewhere, and each type URI resolves: JSON for
// programs, an HTML page for browsers.
func TestProblemTypesResolve(t *testing.T) {
	emitted := emittedProblemNames(t)
	for name, file := range emitted {
		if _, ok := problemTypeByName(name); !ok {
			t.Errorf("problem %q (emitted in %s) is not in problemTypes (node/problemtypes.go)", name, file)
		}
	}
	seen := map[string]bool{}
	for _, p := range problemTypes {
		if seen[p.Name] {
			t.Errorf("problem %q is listed twice", p.Name)
		}
		seen[p.Name] = true
		if _, ok := emitted[p.Name]; !ok {
			t.Errorf("problem %q is in the table but emitted nowhere", p.Name)
		}
		if p.Title == "" || p.Explanation == "" || p.Action == "" || p.Status < 400 || p.Status > 599 {
			t.Errorf("problem %q lacks a title, an explanation, an action or an error status", p.Name)
		}
	}
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	fetch := func(u, accept string) response {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer drain(resp)
		b, _ := io.ReadAll(resp.Body)
		return response{status: resp.StatusCode, header: resp.Header, body: b}
	}
	names := make([]string, 0, len(emitted))
	for n := range emitted {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		p, _ := problemTypeByName(name)
		uri := tn.n.uris.Problem(name) // the type a problem document carries
		js := fetch(uri, "application/json")
		var doc ProblemTypeDoc
		if js.status != 200 || json.Unmarshal(js.body, &doc) != nil || doc.Title != p.Title || doc.Type != uri || doc.Action == "" {
			t.Errorf("GET %s (JSON): %d %s", uri, js.status, js.body)
		}
		page := fetch(uri, "text/html")
		if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(page.body), `<html lang="en">`) || !strings.Contains(string(page.body), "<h1>") {
			t.Errorf("GET %s (HTML): %d %s", uri, page.status, page.body)
		}
	}
	if r := fetch(tn.url+"/problems", "text/html"); r.status != 200 || !strings.Contains(string(r.body), `href="/problems/not-found"`) {
		t.Errorf("GET /problems: %d", r.status)
	}
	fetch(tn.url+"/problems/no-such-thing", "application/json").problem(t, 404, "not-found")
	// A browser gets the node's error page for a name it does not know.
	if r := fetch(tn.url+"/problems/no-such-thing", "text/html"); r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /problems/no-such-thing from a browser: %d %s", r.status, r.header.Get("Content-Type"))
	}
}
