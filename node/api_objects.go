package node

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// filterNames are the query parameters that filter listings and searches.
var filterNames = []string{"type", "origin", "nature", "language", "problem_profile", "licence", "scope", "country", "target"}

// searchFilterNames adds the filters only search has: the trust layer's
// judgement (verified, unverified, unsigned) and the verified signers'
// countries.
var searchFilterNames = append(append([]string{}, filterNames...), "verified", "signer_country")

// decodeEntityBody reads and strictly decodes an entity from the request.
func (n *Node) decodeEntityBody(w http.ResponseWriter, r *http.Request) (protocol.Entity, error) {
	raw, err := readJSONBody(w, r, int64(n.cfg.API.BodyLimit))
	if err != nil {
		return nil, err
	}
	return protocol.DecodeEntity(raw)
}

func (n *Node) handleCreate(w http.ResponseWriter, r *http.Request) {
	e, err := n.decodeEntityBody(w, r)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	obj, err := n.catalogue().Create(r.Context(), e)
	if writeDraft(w, err) {
		return
	}
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", obj.IRI)
	w.Header().Set("ETag", etag(obj.Version))
	writeJSON(w, http.StatusCreated, obj)
}

func etag(v uint64) string { return `"` + strconv.FormatUint(v, 10) + `"` }

// ifMatch reads an If-Match version precondition ("3" or "\"3\"").
func ifMatch(r *http.Request) (uint64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.ParseUint(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v == 0 {
		return 0, fieldError(http.StatusBadRequest, "bad-precondition", "Bad If-Match header", "If-Match", "format",
			"%q is not a version number: send the ETag of the version you changed, e.g. \"3\"", h)
	}
	return v, nil
}

func (n *Node) handleUpdate(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	e, err := n.decodeEntityBody(w, r)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	obj, err := n.catalogue().Update(r.Context(), mux.Vars(r)["id"], e, v)
	if writeDraft(w, err) {
		return
	}
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(obj.Version))
	writeJSON(w, http.StatusOK, obj)
}

func (n *Node) handleDelete(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	obj, err := n.catalogue().Delete(r.Context(), mux.Vars(r)["id"], v)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// writeObject renders a current object; a tombstone answers 410 with itself.
func (n *Node) writeObject(w http.ResponseWriter, r *http.Request, obj protocol.Object, err error) {
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(obj.Version))
	if obj.Deleted {
		writeJSON(w, http.StatusGone, obj)
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

func (n *Node) handleGet(w http.ResponseWriter, r *http.Request) {
	obj, err := n.store().GetByID(r.Context(), mux.Vars(r)["id"])
	n.writeObject(w, r, obj, err)
}

func (n *Node) handleGetByIRI(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "iri"})
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	iri := q.get("iri")
	if iri == "" {
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "iri", "required", "pass ?iri=<object IRI>"))
		return
	}
	obj, err := n.store().Get(r.Context(), iri)
	n.writeObject(w, r, obj, err)
}

func (n *Node) handleVersions(w http.ResponseWriter, r *http.Request) {
	obj, err := n.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	metas, err := n.store().Versions(r.Context(), obj.IRI)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": metas})
}

func (n *Node) handleVersion(w http.ResponseWriter, r *http.Request) {
	v, err := strconv.ParseUint(mux.Vars(r)["version"], 10, 64)
	if err != nil || v == 0 {
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Bad version", "version", "format", "the version is a number from 1"))
		return
	}
	obj, err := n.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	ver, err := n.store().GetVersion(r.Context(), obj.IRI, v)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	writeJSON(w, http.StatusOK, ver)
}

func (n *Node) handleAggregates(w http.ResponseWriter, r *http.Request) {
	obj, err := n.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	agg, err := n.store().Aggregates(r.Context(), obj.IRI)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"iri": obj.IRI, "adoptions": agg.Adoptions, "ratings": agg.Ratings, "rating_mean": agg.RatingMean})
}

func knownKind(k protocol.Kind) bool {
	for _, x := range protocol.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// listParams are the query parameters of GET /api/v1/objects.
func listParams() []param {
	return append(filterParams(filterNames), limitParam(500), param{name: "cursor", empty: true})
}

func (n *Node) handleList(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, listParams()...)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	limit, _ := q.limit(50)
	items, next, err := n.store().List(r.Context(), storage.ListOptions{Filters: q.filters(filterNames), After: q.get("cursor"), Limit: limit})
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if items == nil {
		items = []protocol.Object{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": next})
}
