package node

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/storage"
)

// viewDraft is d as the API shows it, with the co-signers still missing.
func viewDraft(d storage.Draft) api.Draft {
	v := api.Draft{ID: d.ID, IRI: d.Object.IRI, Version: d.Object.Version, Type: string(d.Object.Type), Status: d.Status, Cosigners: d.Cosigners,
		Signed: d.Signed, Missing: []string{}, Reason: d.Reason, Created: d.Created.Format(time.RFC3339), Updated: d.Updated.Format(time.RFC3339)}
	for _, c := range d.Cosigners {
		signed := false
		for _, s := range d.Signed {
			signed = signed || s == c
		}
		if !signed {
			v.Missing = append(v.Missing, c)
		}
	}
	return v
}

// writeDraft answers 202 Accepted with the draft a create or update started.
func writeDraft(w http.ResponseWriter, err error) bool {
	var ds *catalogue.DraftStarted
	if !errors.As(err, &ds) {
		return false
	}
	w.Header().Set("Location", "/api/v1/drafts/"+ds.Draft.ID)
	writeJSON(w, http.StatusAccepted, api.DraftAccepted{Draft: viewDraft(ds.Draft)})
	return true
}

// cosignAPI serves co-production: this node's drafts, and the co-sign
// requests it received and their answers.
type cosignAPI struct {
	web
	cat func() *catalogue.Service
}

func (h cosignAPI) routes(api apiRoutes) {
	api.handle(http.MethodGet, "/drafts", "drafts.list", h.require(RoleReader, h.handleDrafts))
	api.handle(http.MethodGet, "/drafts/{id}", "drafts.get", h.require(RoleReader, h.handleDraft))
	api.handle(http.MethodGet, "/cosign/requests", "cosign.list", h.require(RoleReader, h.handleCosignRequests))
	api.handle(http.MethodGet, "/cosign/requests/{id}", "cosign.get", h.require(RoleReader, h.handleCosignRequest))
	api.handle(http.MethodPost, "/cosign/requests/{id}/approve", "cosign.approve", h.require(RoleEditor, h.handleCosignAnswer(true)))
	api.handle(http.MethodPost, "/cosign/requests/{id}/reject", "cosign.reject", h.require(RoleEditor, h.handleCosignAnswer(false)))
}

func (h cosignAPI) handleDrafts(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "status", check: oneOf(federation.DraftPending, federation.DraftPublished, federation.DraftRejected, federation.DraftFailed)})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	ds, err := h.cat().Drafts(r.Context(), q.get("status"))
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	items := make([]api.Draft, 0, len(ds))
	for _, d := range ds {
		items = append(items, viewDraft(d))
	}
	writeJSON(w, http.StatusOK, api.List[api.Draft]{Items: items})
}

func (h cosignAPI) handleDraft(w http.ResponseWriter, r *http.Request) {
	d, err := h.cat().Draft(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewDraft(d))
}

// viewCosign is a received co-sign request as the API shows it; body, when
// there is one, is the entity to co-sign, exactly as it will be published.
func viewCosign(q storage.CosignRequest, body json.RawMessage) api.CosignRequest {
	v := api.CosignRequest{ID: q.ID, Origin: q.Origin, Actor: q.Actor, IRI: q.IRI, Title: q.Title, Status: q.Status, Reason: q.Reason,
		Received: q.Received.Format(time.RFC3339)}
	if !q.Decided.IsZero() {
		v.Decided = q.Decided.Format(time.RFC3339)
	}
	if body != nil {
		v.Object = body
	}
	return v
}

func (h cosignAPI) handleCosignRequests(w http.ResponseWriter, r *http.Request) {
	query, err := parseQuery(r, param{name: "status", check: oneOf(federation.DraftPending, federation.CosignApproved, federation.CosignRejected, storage.CosignExpired)})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	qs, err := h.cat().CosignRequests(r.Context(), query.get("status"))
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	items := make([]api.CosignRequest, 0, len(qs))
	for _, q := range qs {
		items = append(items, viewCosign(q, nil))
	}
	writeJSON(w, http.StatusOK, api.List[api.CosignRequest]{Items: items})
}

func (h cosignAPI) handleCosignRequest(w http.ResponseWriter, r *http.Request) {
	q, err := h.cat().CosignRequest(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewCosign(q.CosignRequest, q.Body))
}

func (h cosignAPI) handleCosignAnswer(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req api.CosignAnswer
		if r.ContentLength != 0 {
			if err := h.decodeRequest(w, r, &req); err != nil {
				h.writeProblem(w, r, err)
				return
			}
		}
		q, err := h.cat().AnswerCosign(r.Context(), mux.Vars(r)["id"], approve, req.Reason)
		if err != nil {
			if errors.Is(err, federation.ErrCosign) {
				err = errorf(http.StatusConflict, "cosign-refused", "The request cannot be answered", "%v", err)
			}
			h.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, viewCosign(q, nil))
	}
}
