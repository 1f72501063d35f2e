package api

import (
	"encoding/json"
	"time"
)

// TrustStatus is the answer of GET /api/v1/trust.
type TrustStatus struct {
	EntityID       string      `json:"entity_id"`
	Role           string      `json:"role"`
	FederationKids []string    `json:"federation_kids"` // the pin others write for this node (active and next keys)
	ContentKids    []string    `json:"content_kids"`
	FederationKeys []Key       `json:"federation_keys"`
	ContentKeys    []Key       `json:"content_keys"`
	AuthorityHints []string    `json:"authority_hints"`
	Anchors        []AnchorPin `json:"anchors"`
	Chain          Chain       `json:"chain"`
}

// Key is one of the node's keys (never the private part).
type Key struct {
	Kid       string    `json:"kid"`
	State     string    `json:"state"` // next, active, retired, revoked
	Created   time.Time `json:"created"`
	RetiredAt time.Time `json:"retired_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Reason    string    `json:"reason,omitempty"`
}

// AnchorPin is a pinned trust anchor: its entity id and federation key ids.
type AnchorPin struct {
	EntityID string   `json:"entity_id"`
	Kids     []string `json:"kids"`
}

// Chain is the node's own trust chain, resolved afresh.
type Chain struct {
	Status    string    `json:"status"` // verified, unverified or revoked
	Anchor    string    `json:"anchor,omitempty"`
	Path      []string  `json:"path,omitempty"`
	Expires   time.Time `json:"expires,omitzero"`
	Name      string    `json:"name,omitempty"`
	Country   string    `json:"country,omitempty"`
	OrgKind   string    `json:"org_kind,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	Reason    string    `json:"reason,omitempty"`
}

// KeyRotateRequest is the body of POST /api/v1/trust/keys/rotate.
type KeyRotateRequest struct {
	Key     string `json:"key"` // content or federation
	Promote bool   `json:"promote"`
}

// KeyRevokeRequest is the body of POST /api/v1/trust/keys/revoke.
type KeyRevokeRequest struct {
	Kid    string `json:"kid"`
	Reason string `json:"reason"`
}

// KeySet is the answer of the key operations: the content keys, and the
// federation keys after a rotation.
type KeySet struct {
	ContentKeys    []Key `json:"content_keys"`
	FederationKeys []Key `json:"federation_keys,omitzero"`
}

// AnchorInit is the body of POST /api/v1/anchor/init.
type AnchorInit struct {
	Role string `json:"role"` // anchor (the default) or intermediate
}

// AnchorInitAnswer is the pin other nodes configure for a new authority.
type AnchorInitAnswer struct {
	EntityID string   `json:"entity_id"`
	Kids     []string `json:"kids"`
	Role     string   `json:"role"`
}

// Enrolment is the body of POST /api/v1/anchor/subordinates.
type Enrolment struct {
	EntityID      string   `json:"entity_id"`
	Name          string   `json:"name"`
	Country       string   `json:"country"`
	OrgKind       string   `json:"org_kind"`
	Role          string   `json:"role"`                      // leaf (the default) or intermediate
	MaxPathLength *int     `json:"max_path_length,omitempty"` // intermediates: how many intermediates may follow below
	Permitted     []string `json:"permitted,omitempty"`       // intermediates: naming constraints
	Excluded      []string `json:"excluded,omitempty"`
	// Kids, when given, are the federation key thumbprints the entity's
	// operator communicated out of band: enrolment fails unless its entity
	// configuration lists exactly these keys.
	Kids []string `json:"kids,omitempty"`
}

// SubordinateRevoke is the body of POST /api/v1/anchor/subordinates/revoke.
type SubordinateRevoke struct {
	EntityID string `json:"entity_id"`
	Reason   string `json:"reason"`
}

// Subordinate is an entity an anchor or intermediate vouches for.
type Subordinate struct {
	EntityID      string          `json:"entity_id"`
	Name          string          `json:"name"`
	Country       string          `json:"country"`
	OrgKind       string          `json:"org_kind"`
	Role          string          `json:"role"` // leaf or intermediate
	JWKS          json.RawMessage `json:"jwks"` // its federation keys as enrolled (a JWK set)
	MaxPathLength *int            `json:"max_path_length,omitempty"`
	Permitted     []string        `json:"permitted,omitempty"`
	Excluded      []string        `json:"excluded,omitempty"`
	Enrolled      time.Time       `json:"enrolled"`
	Updated       time.Time       `json:"updated"`
	RevokedAt     time.Time       `json:"revoked_at,omitzero"`
	Reason        string          `json:"reason,omitempty"`
}

// Equivocation is evidence that a signer signed two different versions
// with one number; anyone checks it offline with `interlink verify`.
type Equivocation struct {
	IRI      string          `json:"iri"`
	Version  uint64          `json:"version"`
	Signer   string          `json:"signer"`
	Kid      string          `json:"kid,omitempty"`
	Held     json.RawMessage `json:"held"`  // the JWS the node stored first
	Other    json.RawMessage `json:"other"` // the JWS that contradicts it
	Actor    string          `json:"actor"` // who delivered Other
	Detected time.Time       `json:"detected"`
}

// Equivocations is the answer of GET /api/v1/trust/equivocations.
type Equivocations struct {
	Items []Equivocation `json:"items"`
	Total int            `json:"total"`
}
