package node

import (
	"net/http"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// The OpenID Federation endpoints: public, unauthenticated, served to
// anyone (entity statements are signed; they are meant to be copied).

func writeStatement(w http.ResponseWriter, mediaType string, raw []byte) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw)
}

// handleEntityConfiguration serves /.well-known/openid-federation.
func (n *Node) handleEntityConfiguration(w http.ResponseWriter, r *http.Request) {
	raw, err := n.trust().EntityConfiguration()
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeStatement, raw)
}

// handleFetch serves a subordinate statement: /federation/fetch?sub=ID.
func (n *Node) handleFetch(w http.ResponseWriter, r *http.Request) {
	sub := r.URL.Query().Get("sub")
	if sub == "" {
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "sub", "required", "pass ?sub=ENTITY-ID"))
		return
	}
	raw, err := n.trust().SubordinateStatement(r.Context(), sub)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeStatement, raw)
}

// handleSubordinateList serves the ids of the subordinates: /federation/list.
func (n *Node) handleSubordinateList(w http.ResponseWriter, r *http.Request) {
	ids, err := n.trust().SubordinateList(r.Context())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ids)
}

// handleHistoricalKeys serves the retired federation keys.
func (n *Node) handleHistoricalKeys(w http.ResponseWriter, r *http.Request) {
	raw, err := n.trust().HistoricalKeys()
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeList, raw)
}

// handleDenylist serves the signed list of revoked subordinates.
func (n *Node) handleDenylist(w http.ResponseWriter, r *http.Request) {
	raw, err := n.trust().Denylist(r.Context())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeStatement(w, entity.MediaTypeList, raw)
}
