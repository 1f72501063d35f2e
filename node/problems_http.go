package node

import (
	"html/template"
	"net/http"

	"github.com/gorilla/mux"

	webui "github.com/interlink-project/interlink-node/node/web"
)

// GET /problems and /problems/{name}: the explanation of every problem
// type (problemtypes.go), where each problem document's "type" URI points.
// A browser gets a plain accessible HTML page (English; the node's
// stylesheet), a program JSON.

// ProblemTypeDoc is a problem type as GET /problems/{name} shows it to
// programs.
type ProblemTypeDoc struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Status      int    `json:"status"`
	Title       string `json:"title"`
	Explanation string `json:"explanation"`
	Action      string `json:"action"`
}

type problemsPage struct {
	web
	notFound http.Handler // the router's: an error page for a browser, a problem for a program
}

func (h problemsPage) routes(r *mux.Router) {
	r.HandleFunc("/problems", h.handleList).Methods(http.MethodGet, http.MethodHead).Name("problems.list")
	r.HandleFunc("/problems/{name}", h.handleOne).Methods(http.MethodGet, http.MethodHead).Name("problems.get")
}

func (h problemsPage) doc(p problemType) ProblemTypeDoc {
	return ProblemTypeDoc{Type: h.uris.Problem(p.Name), Name: p.Name, Status: p.Status, Title: p.Title, Explanation: p.Explanation, Action: p.Action}
}

func (h problemsPage) handleList(w http.ResponseWriter, r *http.Request) {
	docs := make([]ProblemTypeDoc, 0, len(problemTypes))
	for _, p := range problemTypes {
		docs = append(docs, h.doc(p))
	}
	h.answer(w, r, problemsListHTML, docs)
}

func (h problemsPage) handleOne(w http.ResponseWriter, r *http.Request) {
	p, ok := problemTypeByName(mux.Vars(r)["name"])
	if !ok {
		if webui.WantsHTML(r) && h.notFound != nil {
			h.notFound.ServeHTTP(w, r)
			return
		}
		h.writeProblem(w, r, errorf(http.StatusNotFound, "not-found", "No such problem type", "this node emits no problem type of that name: GET /problems lists them"))
		return
	}
	h.answer(w, r, problemHTML, h.doc(p))
}

// answer renders v as HTML for a browser, else as JSON.
func (h problemsPage) answer(w http.ResponseWriter, r *http.Request, page *template.Template, v any) {
	w.Header().Add("Vary", "Accept")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	if !webui.WantsHTML(r) {
		if list, ok := v.([]ProblemTypeDoc); ok {
			v = map[string]any{"items": list}
		}
		writeJSON(w, http.StatusOK, v)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := page.Execute(w, v); err != nil {
		h.log.WarnContext(r.Context(), "problem page", "err", err)
	}
}

const problemHead = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/style.css">`

var problemHTML = template.Must(template.New("problem").Parse(problemHead + `
<title>{{.Title}} – problem type {{.Name}}</title></head>
<body><main id="main" class="wrap">
<p><a href="/problems">All problem types</a></p>
<h1>{{.Title}}</h1>
<dl>
<dt>Type</dt><dd><code>{{.Type}}</code></dd>
<dt>HTTP status</dt><dd>{{.Status}}</dd>
</dl>
<h2>What it means</h2>
<p>{{.Explanation}}</p>
<h2>What to do</h2>
<p>{{.Action}}</p>
</main></body></html>
`))

var problemsListHTML = template.Must(template.New("problems").Parse(problemHead + `
<title>Problem types</title></head>
<body><main id="main" class="wrap">
<h1>Problem types</h1>
<p>Every error this node answers with is an RFC 9457 problem document whose <code>type</code> is one of these.</p>
<table>
<caption>Problem types, their HTTP status and title</caption>
<thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Title</th></tr></thead>
<tbody>{{range .}}
<tr><td><a href="/problems/{{.Name}}">{{.Name}}</a></td><td>{{.Status}}</td><td>{{.Title}}</td></tr>{{end}}
</tbody></table>
</main></body></html>
`))
