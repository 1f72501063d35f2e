package api

import "time"

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	Role string `json:"role"`           // admin, editor or reader
	Name string `json:"name,omitempty"` // default: the role
	// ExpiresIn is how long the token works, as a Go duration ("720h");
	// empty: until it is revoked.
	ExpiresIn string `json:"expires_in,omitempty"`
}

// Token is a token as the API shows it: never its hash; the secret (Token)
// only in the answer that created it.
type Token struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
	// Expires is when it stops working (absent: never).
	Expires time.Time `json:"expires,omitzero"`
	// LastUsed is when it last authenticated a request, to the minute
	// (absent: never).
	LastUsed time.Time `json:"last_used,omitzero"`
	Token    string    `json:"token,omitempty"`
}
