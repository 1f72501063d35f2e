package node

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

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
// It first waits (bounded by api.search_wait) for the index to hold every
// write acknowledged before the request, so a client reads its own writes.
func (n *Node) handleSearch(w http.ResponseWriter, r *http.Request) {
	filters, err := queryFiltersOf(r, searchFilterNames, "q", "lang", "limit", "cursor", "facets")
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	limit, err := queryLimit(r, 20, 100)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	lang := strings.TrimSpace(q.Get("lang"))
	if lang != "" && !protocol.ValidBCP47(lang) {
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Bad language", "lang", "bcp47", "%q is not a BCP 47 language tag (e.g. en, it, lv)", lang))
		return
	}
	if err := n.waitIndex(r.Context()); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	res, err := n.index().Search(r.Context(), search.Query{Text: q.Get("q"), Lang: lang, Filters: filters,
		Limit: limit, Cursor: q.Get("cursor"), Facets: q.Get("facets") != "false"})
	if err != nil {
		n.writeProblem(w, r, asQueryError(err))
		return
	}
	items := make([]searchItem, 0, len(res.Hits))
	for _, h := range res.Hits {
		obj, err := n.store().Get(r.Context(), h.IRI)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted between the index and now
		}
		if err != nil {
			n.writeProblem(w, r, err)
			return
		}
		if obj.Deleted {
			continue
		}
		items = append(items, searchItem{Score: h.Score, IRI: obj.IRI, Type: obj.Type,
			Verified: obj.Verification != nil && obj.Verification.Status == protocol.Verified, Object: obj})
	}
	facets := res.Facets
	if facets == nil {
		facets = map[string]map[string]int{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": res.Total, "items": items, "facets": facets, "next": res.Next})
}

// waitIndex waits until the index holds the writes committed so far.
func (n *Node) waitIndex(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.API.SearchWait)
	defer cancel()
	if err := n.index().WaitFor(ctx, n.store().Seq()); err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil // serve slightly stale results rather than none
		}
		return err
	}
	return nil
}

// asQueryError maps a search error about the query itself to a 400.
func asQueryError(err error) error {
	if errors.Is(err, search.ErrInvalidQuery) {
		return errorf(http.StatusBadRequest, "bad-query", "Bad search query", "%v", err)
	}
	return err
}

// handleRecommendations answers GET /api/v1/recommendations?task=|problem_profile=.
func (n *Node) handleRecommendations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "task" && k != "problem_profile" && k != "limit" {
			n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Unknown query parameter", k, "unknown_parameter",
				"%q is not a parameter here (task, problem_profile, limit)", k))
			return
		}
	}
	limit, err := queryLimit(r, 20, 200)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	var pps []string
	switch task, pp := q.Get("task"), q["problem_profile"]; {
	case task != "" && len(pp) > 0:
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Ambiguous query", "task", "exclusive", "pass either task or problem_profile, not both"))
		return
	case task != "":
		if pps, err = n.taskProblemProfiles(r.Context(), task); err != nil {
			n.writeProblem(w, r, err)
			return
		}
	case len(pp) > 0:
		for _, v := range pp {
			pps = append(pps, strings.Split(v, ",")...)
		}
	default:
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "task", "required", "pass ?task=TASK-KEY or ?problem_profile=KEY"))
		return
	}
	recs, err := n.recommend(r.Context(), pps, limit)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"problem_profiles": pps, "items": recs})
}
