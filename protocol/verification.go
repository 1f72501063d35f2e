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

// Cause is why a version is trusted or not, in the few words a person
// needs: pages say it in a sentence of the reader's language and keep the
// verifier's Reason as the technical detail.
type Cause string

// The causes the verifier records (protocol/trustchain.CauseOf).
const (
	CauseVerified      Cause = "verified"       // signed, chain up to a pinned anchor
	CauseNotAnchored   Cause = "not_anchored"   // the chain does not reach a pinned anchor
	CauseSignerRevoked Cause = "signer_revoked" // the signer was revoked by its superior
	CauseKeyRetired    Cause = "key_retired"    // the signing key was retired or revoked
	CauseSigExpired    Cause = "sig_expired"    // the version's own signature has expired
	CauseStmtExpired   Cause = "stmt_expired"   // a statement of the signer's chain has expired
	CauseNotYetValid   Cause = "not_yet_valid"  // signed in the future (clock skew)
	CauseBadSignature  Cause = "bad_signature"  // the signature or its structure does not verify
	CauseUnreachable   Cause = "unreachable"    // a document of the chain could not be fetched
	CauseOther         Cause = "other"          // anything else: the reason tells
)

// Verification is the trust layer's judgement of one signed version.
type Verification struct {
	Status  string       `json:"status"`            // Verified, Unverified or Invalid
	Signers []SignerInfo `json:"signers,omitempty"` // in the payload's cosigners order
	Expires time.Time    `json:"expires,omitzero"`  // the JWS's exp: the origin re-signs before it
	Reason  string       `json:"reason,omitempty"`  // why it is not verified, as the verifier said it
	Cause   Cause        `json:"cause,omitempty"`   // Reason's class, for people (empty in records made before causes)
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
