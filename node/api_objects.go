package node

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

// filterNames are the query parameters that filter listings and searches.
var filterNames = []string{"type", "origin", "nature", "language", "problem_profile", "licence", "scope", "country", "target"}

// searchFilterNames are the filters search takes (the listing's, and the
// trust layer's judgement and the verified signers' countries): the index's
// own list.
var searchFilterNames = search.FilterFields()

// objectsAPI serves /api/v1/objects: reads from the store, writes through
// the catalogue use cases.
type objectsAPI struct {
	web
	store func() *storage.Store
	cat   func() *catalogue.Service
}

func (h objectsAPI) routes(api apiRoutes) {
	api.handle(http.MethodPost, "/objects", "objects.create", h.require(RoleEditor, h.handleCreate))
	api.handle(http.MethodGet, "/objects", "objects.list", h.handleList)
	api.handle(http.MethodGet, "/object", "objects.get_iri", h.handleGetByIRI)
	api.handle(http.MethodGet, "/objects/{id}", "objects.get", h.handleGet)
	api.handle(http.MethodPut, "/objects/{id}", "objects.update", h.require(RoleEditor, h.handleUpdate))
	api.handle(http.MethodDelete, "/objects/{id}", "objects.delete", h.require(RoleEditor, h.handleDelete))
	api.handle(http.MethodGet, "/objects/{id}/versions", "objects.versions", h.handleVersions)
	api.handle(http.MethodGet, "/objects/{id}/versions/{version}", "objects.version", h.handleVersion)
	api.handle(http.MethodGet, "/objects/{id}/aggregates", "objects.aggregates", h.handleAggregates)
}

// decodeEntityBody reads and strictly decodes an entity from the request.
func (h objectsAPI) decodeEntityBody(w http.ResponseWriter, r *http.Request) (protocol.Entity, error) {
	raw, err := h.readJSON(w, r)
	if err != nil {
		return nil, err
	}
	return protocol.DecodeEntity(raw)
}

func (h objectsAPI) handleCreate(w http.ResponseWriter, r *http.Request) {
	e, err := h.decodeEntityBody(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	obj, err := h.cat().Create(r.Context(), e)
	if writeDraft(w, err) {
		return
	}
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", obj.IRI)
	w.Header().Set("ETag", etag(obj.Version))
	writeJSON(w, http.StatusCreated, obj)
}

func etag(v uint64) string { return `"` + strconv.FormatUint(v, 10) + `"` }

// ifMatch reads an If-Match version precondition: "3", "\"3\"", or an
// ETag a GET answered ("\"3-9f2c…\"": the version, then a digest of the
// representation, which If-None-Match compares).
func ifMatch(r *http.Request) (uint64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	num, _, _ := strings.Cut(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), "-")
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil || v == 0 {
		return 0, fieldError(http.StatusBadRequest, "bad-precondition", "Bad If-Match header", "If-Match", "format",
			"%q is not a version number: send the ETag of the version you changed, e.g. \"3\"", h)
	}
	return v, nil
}

func (h objectsAPI) handleUpdate(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	e, err := h.decodeEntityBody(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	obj, err := h.cat().Update(r.Context(), mux.Vars(r)["id"], e, v)
	if writeDraft(w, err) {
		return
	}
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(obj.Version))
	writeJSON(w, http.StatusOK, obj)
}

func (h objectsAPI) handleDelete(w http.ResponseWriter, r *http.Request) {
	v, err := ifMatch(r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	obj, err := h.cat().Delete(r.Context(), mux.Vars(r)["id"], v)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// writeObject renders a current object; a tombstone answers 410 with itself.
func (h web) writeObject(w http.ResponseWriter, r *http.Request, obj protocol.Object, err error) {
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if obj.Deleted {
		w.Header().Set("ETag", etag(obj.Version))
		writeJSON(w, http.StatusGone, obj)
		return
	}
	writeCached(w, r, strconv.FormatUint(obj.Version, 10)+"-", obj)
}

func (h objectsAPI) handleGet(w http.ResponseWriter, r *http.Request) {
	obj, err := h.store().GetByID(r.Context(), mux.Vars(r)["id"])
	h.writeObject(w, r, obj, err)
}

func (h objectsAPI) handleGetByIRI(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "iri"})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	iri := q.get("iri")
	if iri == "" {
		h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "iri", "required", "pass ?iri=<object IRI>"))
		return
	}
	obj, err := h.store().Get(r.Context(), iri)
	h.writeObject(w, r, obj, err)
}

func (h objectsAPI) handleVersions(w http.ResponseWriter, r *http.Request) {
	obj, err := h.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	metas, err := h.store().Versions(r.Context(), obj.IRI)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": metas})
}

func (h objectsAPI) handleVersion(w http.ResponseWriter, r *http.Request) {
	v, err := strconv.ParseUint(mux.Vars(r)["version"], 10, 64)
	if err != nil || v == 0 {
		h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Bad version", "version", "format", "the version is a number from 1"))
		return
	}
	obj, err := h.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	ver, err := h.store().GetVersion(r.Context(), obj.IRI, v)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	writeJSON(w, http.StatusOK, ver)
}

func (h objectsAPI) handleAggregates(w http.ResponseWriter, r *http.Request) {
	obj, err := h.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	agg, err := h.store().Aggregates(r.Context(), obj.IRI)
	if err != nil {
		h.writeProblem(w, r, err)
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

func (h objectsAPI) handleList(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, listParams()...)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	limit, _ := q.limit(50)
	items, next, err := h.store().List(r.Context(), storage.ListOptions{Filters: q.filters(filterNames), After: q.get("cursor"), Limit: limit})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if items == nil {
		items = []protocol.Object{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": next})
}
