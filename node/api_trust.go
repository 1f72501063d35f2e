package node

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/storage"
)

func (n *Node) trustRoutes(api apiRoutes) {
	api.handle(http.MethodGet, "/trust", "trust.status", n.require(RoleReader, n.handleTrustStatus))
	api.handle(http.MethodPost, "/trust/keys/rotate", "trust.keys.rotate", n.require(RoleAdmin, n.handleKeyRotate))
	api.handle(http.MethodPost, "/trust/keys/revoke", "trust.keys.revoke", n.require(RoleAdmin, n.handleKeyRevoke))
	api.handle(http.MethodGet, "/trust/equivocations", "trust.equivocations", n.require(RoleReader, n.handleEquivocations))
	api.handle(http.MethodPost, "/anchor/init", "anchor.init", n.require(RoleAdmin, n.handleAnchorInit))
	api.handle(http.MethodGet, "/anchor/subordinates", "anchor.list", n.require(RoleReader, n.handleSubordinates))
	api.handle(http.MethodPost, "/anchor/subordinates", "anchor.enroll", n.require(RoleAdmin, n.handleEnroll))
	api.handle(http.MethodPost, "/anchor/subordinates/revoke", "anchor.revoke", n.require(RoleAdmin, n.handleRevoke))
	n.cosignRoutes(api)
}

// decodeRequest reads a JSON request body into v, refusing unknown fields.
func (n *Node) decodeRequest(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := readJSONBody(w, r, int64(n.cfg.API.BodyLimit))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "", "type", "%v", err)
	}
	return nil
}

// keyView is one key as the API shows it (never the private part).
type keyView struct {
	Kid       string    `json:"kid"`
	State     string    `json:"state"`
	Created   time.Time `json:"created"`
	RetiredAt time.Time `json:"retired_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Reason    string    `json:"reason,omitempty"`
}

func keyViews(list []trust.Key) []keyView {
	out := make([]keyView, 0, len(list))
	for _, k := range list {
		out = append(out, keyView{Kid: k.Kid, State: k.State, Created: k.Created, RetiredAt: k.RetiredAt, RevokedAt: k.RevokedAt, Reason: k.Reason})
	}
	return out
}

// chainView is the node's own trust chain as the API shows it.
type chainView struct {
	Status  string    `json:"status"` // verified or unverified
	Anchor  string    `json:"anchor,omitempty"`
	Path    []string  `json:"path,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
	Name    string    `json:"name,omitempty"`
	Country string    `json:"country,omitempty"`
	OrgKind string    `json:"org_kind,omitempty"`
	Revoked time.Time `json:"revoked_at,omitzero"`
	Reason  string    `json:"reason,omitempty"`
}

type trustStatus struct {
	EntityID       string            `json:"entity_id"`
	Role           string            `json:"role"`
	FederationKids []string          `json:"federation_kids"` // the pin others write for this node (active and next keys)
	ContentKids    []string          `json:"content_kids"`
	FederationKeys []keyView         `json:"federation_keys"`
	ContentKeys    []keyView         `json:"content_keys"`
	AuthorityHints []string          `json:"authority_hints"`
	Anchors        []trust.AnchorPin `json:"anchors"`
	Chain          chainView         `json:"chain"`
}

func (n *Node) handleTrustStatus(w http.ResponseWriter, r *http.Request) {
	tr := n.trust()
	ks := n.keys.Ring.Snapshot()
	cfg := tr.Config()
	st := trustStatus{EntityID: tr.Self(), Role: tr.Role(),
		FederationKids: trust.Kids(ks.Federation, trust.KeyActive, trust.KeyNext),
		ContentKids:    trust.Kids(ks.Content, trust.KeyActive),
		FederationKeys: keyViews(ks.Federation), ContentKeys: keyViews(ks.Content),
		AuthorityHints: nonNil(cfg.AuthorityHints), Anchors: cfg.Anchors}
	if st.Anchors == nil {
		st.Anchors = []trust.AnchorPin{}
	}
	ch, err := tr.SelfStatus(r.Context())
	if err != nil {
		st.Chain = chainView{Status: "unverified", Reason: err.Error()}
	} else {
		st.Chain = chainView{Status: "verified", Anchor: ch.Anchor, Path: ch.Path, Expires: ch.Expires.UTC(),
			Name: ch.Identity.Name, Country: ch.Identity.Country, OrgKind: ch.Identity.OrgKind, Revoked: ch.RevokedAt}
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
func (n *Node) handleKeyRotate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Key     string `json:"key"`
		Promote bool   `json:"promote"`
	}
	if err := n.decodeRequest(w, r, &req); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if req.Key != keyKindContent && req.Key != keyKindFederation {
		n.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "key", "enum", "%q is not content or federation", req.Key))
		return
	}
	ks, err := n.keys.Ring.Rotate(req.Key, req.Promote)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	n.trustChanged()
	n.log.Info("key rotated", "key", req.Key, "promote", req.Promote)
	writeJSON(w, http.StatusOK, map[string]any{"federation_keys": keyViews(ks.Federation), "content_keys": keyViews(ks.Content)})
}

// handleKeyRevoke: POST {"kid": ..., "reason": ...} marks a content key compromised.
func (n *Node) handleKeyRevoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Kid    string `json:"kid"`
		Reason string `json:"reason"`
	}
	if err := n.decodeRequest(w, r, &req); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if req.Kid == "" {
		n.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "kid", "required", "name the content key to revoke"))
		return
	}
	if len(req.Reason) > 512 {
		n.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "reason", "length", "at most 512 bytes"))
		return
	}
	ks, err := n.keys.Ring.Revoke(req.Kid, req.Reason)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	n.trustChanged()
	n.kickResigner() // what the key signed is signed again with the active key
	n.log.Warn("content key revoked", "kid", req.Kid, "reason", req.Reason)
	writeJSON(w, http.StatusOK, map[string]any{"content_keys": keyViews(ks.Content)})
}

// handleAnchorInit: POST {"role": "anchor"|"intermediate"} makes this node
// vouch for others; it answers the pin other nodes configure.
func (n *Node) handleAnchorInit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role string `json:"role"`
	}
	if err := n.decodeRequest(w, r, &req); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if req.Role == "" {
		req.Role = trust.RoleAnchor
	}
	if req.Role != trust.RoleAnchor && req.Role != trust.RoleIntermediate {
		n.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", "role", "enum", "%q is not anchor or intermediate", req.Role))
		return
	}
	tr := n.trust()
	if err := tr.SetRole(r.Context(), req.Role); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	n.trustChanged()
	ks := n.keys.Ring.Snapshot()
	writeJSON(w, http.StatusOK, map[string]any{"entity_id": tr.Self(), "role": req.Role,
		"kids": trust.Kids(ks.Federation, trust.KeyActive, trust.KeyNext)})
}

func (n *Node) handleSubordinates(w http.ResponseWriter, r *http.Request) {
	subs, err := n.trust().Subordinates(r.Context())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if subs == nil {
		subs = []storage.Subordinate{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": subs})
}

func (n *Node) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req trust.Enrolment
	if err := n.decodeRequest(w, r, &req); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	sub, err := n.trust().Enroll(r.Context(), req)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	n.log.Info("subordinate enrolled", "entity", sub.EntityID, "country", sub.Country, "role", sub.Role)
	writeJSON(w, http.StatusCreated, sub)
}

func (n *Node) handleRevoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		EntityID string `json:"entity_id"`
		Reason   string `json:"reason"`
	}
	if err := n.decodeRequest(w, r, &req); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	sub, err := n.trust().Revoke(r.Context(), req.EntityID, req.Reason)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	n.log.Warn("subordinate revoked", "entity", sub.EntityID, "reason", sub.Reason)
	writeJSON(w, http.StatusOK, sub)
}

// handleEquivocations lists the evidence of signers that signed two
// different versions with one number (docs/trust.md).
func (n *Node) handleEquivocations(w http.ResponseWriter, r *http.Request) {
	ev, err := n.store().Equivocations(r.Context())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if ev == nil {
		ev = []storage.Equivocation{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ev, "total": len(ev)})
}
