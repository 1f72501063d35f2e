package protocol

import "time"

// Verification statuses.
const (
	// Verified: every signature verified and every signer has a trust chain
	// to an anchor this node pins.
	Verified = "verified"
	// Unverified: every signature verified against the signer's own entity
	// configuration, but some signer has no trust chain to a pinned anchor
	// (Reason says why). Nobody vouches for who the signer is.
	Unverified = "unverified"
	// Invalid: the version verified when it arrived, but no longer does:
	// its signer was revoked before it signed (learnt since), or a key it
	// used was marked compromised. Reason says why.
	Invalid = "invalid"
)

// Verification is the trust layer's judgement of one signed version.
type Verification struct {
	Status  string       `json:"status"`            // Verified, Unverified or Invalid
	Signers []SignerInfo `json:"signers,omitempty"` // in the payload's cosigners order
	Expires time.Time    `json:"expires,omitzero"`  // the JWS's exp: the origin re-signs before it
	Reason  string       `json:"reason,omitempty"`  // why it is not verified
	Checked time.Time    `json:"checked,omitzero"`  // when this node checked it
}

// SignerInfo is one signer as its trust chain states it: the legal name,
// country and kind come from the signer's superior (an anchor or an
// intermediate), never from the signer itself. Name, Country, OrgKind and
// Anchor are empty when the signer has no chain.
type SignerInfo struct {
	EntityID string   `json:"entity_id"`
	Kid      string   `json:"kid,omitempty"`
	Name     string   `json:"name,omitempty"`
	Country  string   `json:"country,omitempty"`
	OrgKind  string   `json:"org_kind,omitempty"`
	Anchor   string   `json:"anchor,omitempty"`
	Path     []string `json:"path,omitempty"` // entity ids from the signer up to its anchor
}
