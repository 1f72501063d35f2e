package node

import (
	"errors"
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage/search"
)

// searchAPI serves full-text search and recommendations.
type searchAPI struct {
	web
	cat  func() *catalogue.Service
	wait time.Duration // api.search_wait
}

func (h searchAPI) routes(api apiRoutes) {
	api.handle(http.MethodGet, "/search", "search", h.handleSearch)
	api.handle(http.MethodGet, "/recommendations", "recommendations", h.handleRecommendations)
}

// searchItem is one search hit with its object.
type searchItem struct {
	Score float64 `json:"score"`
	// IRI, Type and Verified repeat the object's for clients that only
	// list hits.
	IRI      string          `json:"iri"`
	Type     protocol.Kind   `json:"type"`
	Verified bool            `json:"verified"`
	Object   protocol.Object `json:"object"`
}

// handleSearch answers GET /api/v1/search: full text with filters and facets.
// The catalogue first waits (bounded by api.search_wait) for the index to
// hold every write acknowledged before the request, so a client reads its
// own writes.
func (h searchAPI) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, searchParams()...)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	limit, _ := q.limit(20)
	res, err := h.cat().Search(r.Context(), search.Query{Text: q.get("q"), Lang: q.get("lang"), Filters: q.filters(searchFilterNames),
		Limit: limit, Cursor: q.get("cursor"), Facets: q.get("facets") != "false"}, h.wait)
	if err != nil {
		h.writeProblem(w, r, asQueryError(err))
		return
	}
	items := make([]searchItem, 0, len(res.Hits))
	for _, hit := range res.Hits {
		obj := hit.Object
		items = append(items, searchItem{Score: hit.Score, IRI: obj.IRI, Type: obj.Type,
			Verified: obj.Verification != nil && obj.Verification.Status == protocol.Verified, Object: obj})
	}
	writeCached(w, r, "", map[string]any{"total": res.Total, "items": items, "facets": res.Facets, "next": res.Next})
}

// searchParams are the query parameters of GET /api/v1/search.
func searchParams() []param {
	return append(filterParams(searchFilterNames),
		param{name: "q", empty: true}, param{name: "lang", check: checkLangParam}, limitParam(100),
		param{name: "cursor", empty: true}, param{name: "facets", check: oneOf("true", "false")})
}

// asQueryError maps a search error about the query itself to a 400.
func asQueryError(err error) error {
	var qe *search.QueryError
	if errors.As(err, &qe) {
		return &apiError{status: http.StatusBadRequest, name: "bad-query", title: "Bad search query",
			detail: qe.Field + ": " + qe.Message, errs: []protocol.FieldError{{Field: qe.Field, Rule: qe.Rule, Message: qe.Message}}}
	}
	if errors.Is(err, search.ErrInvalidQuery) {
		return errorf(http.StatusBadRequest, "bad-query", "Bad search query", "%v", err)
	}
	return err
}

// handleRecommendations answers GET /api/v1/recommendations?task=|problem_profile=.
func (h searchAPI) handleRecommendations(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "task"}, param{name: "problem_profile", multi: true}, limitParam(200))
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	limit, _ := q.limit(20)
	var pps []string
	switch task, pp := q.get("task"), q["problem_profile"]; {
	case task != "" && len(pp) > 0:
		h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Ambiguous query", "task", "exclusive", "pass either task or problem_profile, not both"))
		return
	case task != "":
		if pps, err = h.cat().TaskProblemProfiles(r.Context(), task); err != nil {
			h.writeProblem(w, r, err)
			return
		}
	case len(pp) > 0:
		pps = pp
	default:
		h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "task", "required", "pass ?task=TASK-KEY or ?problem_profile=KEY"))
		return
	}
	recs, err := h.cat().Recommend(r.Context(), pps, limit)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"problem_profiles": pps, "items": recs})
}
