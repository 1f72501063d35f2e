package api

// Draft is a co-produced version of this node waiting for (or done with)
// its co-signers.
type Draft struct {
	ID        string   `json:"id"`
	IRI       string   `json:"iri"`
	Version   uint64   `json:"version"`
	Type      string   `json:"type"`
	Status    string   `json:"status"` // pending, published, rejected, failed
	Cosigners []string `json:"cosigners"`
	Signed    []string `json:"signed"`
	Missing   []string `json:"missing"`
	Reason    string   `json:"reason,omitempty"`
	Created   string   `json:"created"` // RFC 3339
	Updated   string   `json:"updated"` // RFC 3339
}

// DraftAccepted is the 202 answer of a create or update that needs other
// nodes' signatures first.
type DraftAccepted struct {
	Draft Draft `json:"draft"`
}

// CosignRequest is a request from another node to co-sign a draft.
type CosignRequest struct {
	ID       string `json:"id"`
	Origin   string `json:"origin"`
	Actor    string `json:"actor"`
	IRI      string `json:"iri"`
	Title    string `json:"title"`
	Status   string `json:"status"` // pending, approved, rejected, expired
	Reason   string `json:"reason,omitempty"`
	Received string `json:"received"`          // RFC 3339
	Decided  string `json:"decided,omitempty"` // RFC 3339
	// Object is the entity to co-sign, exactly as it will be published
	// (GET /api/v1/cosign/requests/{id} only).
	Object any `json:"object,omitempty"`
}

// CosignAnswer is the body of POST /api/v1/cosign/requests/{id}/approve
// and /reject (which may also be empty).
type CosignAnswer struct {
	Reason string `json:"reason,omitempty"`
}
