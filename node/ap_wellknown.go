package node

import (
	"net/http"
	"strings"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/storage"
)

// wellKnown serves discovery: WebFinger and NodeInfo, unauthenticated, so
// that peers and other fediverse software can find the actor.
type wellKnown struct {
	web
	store    func() *storage.Store // counts for NodeInfo
	username string                // federation.preferred_username
	name     string                // the node's name
}

func (h wellKnown) routes(ap apRoutes) {
	ap.handle(http.MethodGet, "/.well-known/webfinger", "webfinger", h.handleWebFinger)
	ap.handle(http.MethodGet, "/.well-known/nodeinfo", "nodeinfo.links", h.handleNodeInfoLinks)
	ap.handle(http.MethodGet, "/nodeinfo/2.1", "nodeinfo", h.handleNodeInfo(activity.NodeInfo, activity.NodeInfoSchema))
	ap.handle(http.MethodGet, "/nodeinfo/2.0", "nodeinfo.v2_0", h.handleNodeInfo(activity.NodeInfo20, activity.NodeInfoSchema20))
}

// handleWebFinger answers acct:USER@HOST (and the actor IRI itself).
func (h wellKnown) handleWebFinger(w http.ResponseWriter, r *http.Request) {
	res := r.URL.Query().Get("resource")
	if res == "" {
		h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing resource", "resource", "required", "pass ?resource=acct:name@host"))
		return
	}
	acct, err := activity.Acct(h.uris, h.username)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if res != h.uris.Actor() {
		name, host, err := activity.ParseAcct(res)
		if err != nil {
			h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Malformed resource", "resource", "acct", "%v", err))
			return
		}
		if !strings.EqualFold("acct:"+name+"@"+host, acct) {
			h.writeProblem(w, r, errorf(http.StatusNotFound, "not-found", "Unknown resource", "this node's only account is %s", acct))
			return
		}
	}
	body, err := activity.WebFinger(acct, h.uris.Actor(), h.uris.Actor(), h.uris.Actor())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", activity.JRDContentType)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(body)
}

func (h wellKnown) handleNodeInfoLinks(w http.ResponseWriter, r *http.Request) {
	body, err := activity.NodeInfoLinks(h.uris.NodeInfo(), h.uris.Base()+"/nodeinfo/2.0")
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// handleNodeInfo serves a NodeInfo document of one schema version (2.1,
// and 2.0 for servers that read only that relation).
func (h wellKnown) handleNodeInfo(render func(activity.NodeInfoParams) ([]byte, error), schema string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		counts, err := h.store().Counts(r.Context())
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		body, err := render(activity.NodeInfoParams{Version: Version, NodeName: h.name, Counts: counts})
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		w.Header().Set("Content-Type", `application/json; profile="`+schema+`#"`)
		_, _ = w.Write(body)
	}
}
