package node

import (
	"net/http"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// trustAPI serves the trust and anchor API: the node's keys and chain, the
// anchor role and its subordinates, equivocation evidence.
type trustAPI struct {
	web
	store func() *storage.Store
	trust func() *trust.Service
	keys  *trustKeys
}

func (h trustAPI) routes(api apiRoutes) {
	api.handle(http.MethodGet, "/trust", "trust.status", h.require(RoleReader, h.handleTrustStatus))
	api.handle(http.MethodPost, "/trust/keys/rotate", "trust.keys.rotate", h.require(RoleAdmin, h.handleKeyRotate))
	api.handle(http.MethodPost, "/trust/keys/revoke", "trust.keys.revoke", h.require(RoleAdmin, h.handleKeyRevoke))
	api.handle(http.MethodGet, "/trust/equivocations", "trust.equivocations", h.require(RoleReader, h.handleEquivocations))
	api.handle(http.MethodPost, "/anchor/init", "anchor.init", h.require(RoleAdmin, h.handleAnchorInit))
	api.handle(http.MethodGet, "/anchor/subordinates", "anchor.list", h.require(RoleReader, h.handleSubordinates))
	api.handle(http.MethodPost, "/anchor/subordinates", "anchor.enroll", h.require(RoleAdmin, h.handleEnroll))
	api.handle(http.MethodPost, "/anchor/subordinates/revoke", "anchor.revoke", h.require(RoleAdmin, h.handleRevoke))
}

// keyViews lists keys as the API shows them (never the private part).
func keyViews(list []trust.Key) []api.Key {
	out := make([]api.Key, 0, len(list))
	for _, k := range list {
		out = append(out, api.Key{Kid: k.Kid, State: k.State, Created: k.Created, RetiredAt: k.RetiredAt, RevokedAt: k.RevokedAt, Reason: k.Reason})
	}
	return out
}

// anchorPins lists the pinned anchors as the API shows them.
func anchorPins(list []trustchain.Anchor) []api.AnchorPin {
	out := make([]api.AnchorPin, 0, len(list))
	for _, a := range list {
		out = append(out, api.AnchorPin{EntityID: a.EntityID, Kids: a.Kids})
	}
	return out
}

func (h trustAPI) handleTrustStatus(w http.ResponseWriter, r *http.Request) {
	tr := h.trust()
	ks := h.keys.ring.Snapshot()
	cfg := tr.Config()
	st := api.TrustStatus{EntityID: tr.Self(), Role: tr.Role(),
		FederationKids: trust.Kids(ks.Federation, trust.KeyActive, trust.KeyNext),
		ContentKids:    trust.Kids(ks.Content, trust.KeyActive),
		FederationKeys: keyViews(ks.Federation), ContentKeys: keyViews(ks.Content),
		AuthorityHints: nonNil(cfg.AuthorityHints), Anchors: anchorPins(cfg.Anchors)}
	ch, err := tr.SelfStatus(r.Context())
	if err != nil {
		st.Chain = api.Chain{Status: "unverified", Reason: err.Error()}
	} else {
		st.Chain = api.Chain{Status: "verified", Anchor: ch.Anchor, Path: ch.Path, Expires: ch.Expires.UTC(),
			Name: ch.Identity.Name, Country: ch.Identity.Country, OrgKind: ch.Identity.OrgKind, RevokedAt: ch.RevokedAt}
		if !ch.RevokedAt.IsZero() {
			st.Chain.Status = "revoked"
		}
	}
	writeJSON(w, http.StatusOK, st)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// handleKeyRotate: POST {"key": "content"|"federation", "promote": bool}.
func (h trustAPI) handleKeyRotate(w http.ResponseWriter, r *http.Request) {
	var req api.KeyRotateRequest
	if err := h.decodeRequest(w, r, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if req.Key != keyKindContent && req.Key != keyKindFederation {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "key", "enum", "%q is not content or federation", req.Key))
		return
	}
	ks, err := h.keys.rotate(req.Key, req.Promote)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.KeySet{ContentKeys: keyViews(ks.Content), FederationKeys: keyViews(ks.Federation)})
}

// handleKeyRevoke: POST {"kid": ..., "reason": ...} marks a content key compromised.
func (h trustAPI) handleKeyRevoke(w http.ResponseWriter, r *http.Request) {
	var req api.KeyRevokeRequest
	if err := h.decodeRequest(w, r, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if req.Kid == "" {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "kid", "required", "name the content key to revoke"))
		return
	}
	if len(req.Reason) > 512 {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "reason", "length", "at most 512 bytes"))
		return
	}
	ks, err := h.keys.revoke(req.Kid, req.Reason)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.KeySet{ContentKeys: keyViews(ks.Content)})
}

// handleAnchorInit: POST {"role": "anchor"|"intermediate"} makes this node
// vouch for others; it answers the pin other nodes configure.
func (h trustAPI) handleAnchorInit(w http.ResponseWriter, r *http.Request) {
	var req api.AnchorInit
	if err := h.decodeRequest(w, r, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if req.Role == "" {
		req.Role = trust.RoleAnchor
	}
	if req.Role != trust.RoleAnchor && req.Role != trust.RoleIntermediate {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "role", "enum", "%q is not anchor or intermediate", req.Role))
		return
	}
	if err := h.keys.setRole(r.Context(), req.Role); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	ks := h.keys.ring.Snapshot()
	writeJSON(w, http.StatusOK, api.AnchorInitAnswer{EntityID: h.trust().Self(), Role: req.Role,
		Kids: trust.Kids(ks.Federation, trust.KeyActive, trust.KeyNext)})
}

func (h trustAPI) handleSubordinates(w http.ResponseWriter, r *http.Request) {
	subs, err := h.trust().Subordinates(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	items := make([]api.Subordinate, 0, len(subs))
	for _, s := range subs {
		items = append(items, viewSubordinate(s))
	}
	writeJSON(w, http.StatusOK, api.List[api.Subordinate]{Items: items})
}

func (h trustAPI) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req api.Enrolment
	if err := h.decodeRequest(w, r, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	sub, err := h.trust().Enroll(r.Context(), trust.Enrolment{EntityID: req.EntityID, Name: req.Name, Country: req.Country,
		OrgKind: req.OrgKind, Role: req.Role, MaxPathLength: req.MaxPathLength, Permitted: req.Permitted, Excluded: req.Excluded, Kids: req.Kids})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.log.Info("subordinate enrolled", "entity", sub.EntityID, "country", sub.Country, "role", sub.Role)
	writeJSON(w, http.StatusCreated, viewSubordinate(sub))
}

func (h trustAPI) handleRevoke(w http.ResponseWriter, r *http.Request) {
	var req api.SubordinateRevoke
	if err := h.decodeRequest(w, r, &req); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	sub, err := h.trust().Revoke(r.Context(), req.EntityID, req.Reason)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.log.Warn("subordinate revoked", "entity", sub.EntityID, "reason", sub.Reason)
	writeJSON(w, http.StatusOK, viewSubordinate(sub))
}

// viewSubordinate is an enrolled entity as the API shows it.
func viewSubordinate(s storage.Subordinate) api.Subordinate {
	return api.Subordinate{EntityID: s.EntityID, Name: s.Name, Country: s.Country, OrgKind: s.OrgKind, Role: s.Role,
		JWKS: s.JWKS, MaxPathLength: s.MaxPathLength, Permitted: s.Permitted, Excluded: s.Excluded,
		Enrolled: s.Enrolled, Updated: s.Updated, RevokedAt: s.RevokedAt, Reason: s.Reason}
}

// handleEquivocations lists the evidence of signers that signed two
// different versions with one number (docs/trust.md).
func (h trustAPI) handleEquivocations(w http.ResponseWriter, r *http.Request) {
	ev, err := h.store().Equivocations(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	items := make([]api.Equivocation, 0, len(ev))
	for _, e := range ev {
		items = append(items, api.Equivocation{IRI: e.IRI, Version: e.Version, Signer: e.Signer, Kid: e.Kid,
			Held: e.Held, Other: e.Other, Actor: e.Actor, Detected: e.Detected})
	}
	writeJSON(w, http.StatusOK, api.Equivocations{Items: items, Total: len(items)})
}
