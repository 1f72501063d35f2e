package node

import (
	"net/http"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/entity"
)

// The OpenID Federation endpoints: public, unauthenticated, served to
// anyone (entity statements are signed; they are meant to be copied).

// openIDFederation serves the OpenID Federation endpoints of the trust
// layer.
type openIDFederation struct {
	web
	trust func() *trust.Service
}

func (h openIDFederation) routes(ap apRoutes) {
	ap.handle(http.MethodGet, entity.WellKnownPath, "openid_federation", h.handleEntityConfiguration)
	ap.handle(http.MethodGet, entity.FetchPath, "federation.fetch", h.handleFetch)
	ap.handle(http.MethodGet, entity.ListPath, "federation.list", h.handleSubordinateList)
	ap.handle(http.MethodGet, entity.HistoricalKeysPath, "federation.historical_keys", h.handleHistoricalKeys)
	ap.handle(http.MethodGet, entity.DenylistPath, "federation.denylist", h.handleDenylist)
}

func writeStatement(w http.ResponseWriter, mediaType string, raw []byte) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw)
}

// handleEntityConfiguration serves /.well-known/openid-federation.
func (h openIDFederation) handleEntityConfiguration(w http.ResponseWriter, r *http.Request) {
	raw, err := h.trust().EntityConfiguration()
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeStatement, raw)
}

// handleFetch serves a subordinate statement: /federation/fetch?sub=ID.
func (h openIDFederation) handleFetch(w http.ResponseWriter, r *http.Request) {
	sub := r.URL.Query().Get("sub")
	if sub == "" {
		h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "sub", "required", "pass ?sub=ENTITY-ID"))
		return
	}
	raw, err := h.trust().SubordinateStatement(r.Context(), sub)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeStatement, raw)
}

// handleSubordinateList serves the ids of the subordinates: /federation/list.
func (h openIDFederation) handleSubordinateList(w http.ResponseWriter, r *http.Request) {
	ids, err := h.trust().SubordinateList(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ids)
}

// handleHistoricalKeys serves the retired federation keys.
func (h openIDFederation) handleHistoricalKeys(w http.ResponseWriter, r *http.Request) {
	raw, err := h.trust().HistoricalKeys()
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeList, raw)
}

// handleDenylist serves the signed list of revoked subordinates.
func (h openIDFederation) handleDenylist(w http.ResponseWriter, r *http.Request) {
	raw, err := h.trust().Denylist(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeList, raw)
}
