package api

import "time"

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	Role string `json:"role"` // admin, editor or reader
	Name string `json:"name"`
}

// Token is a token as the API shows it: never its hash; the secret (Token)
// only in the answer that created it.
type Token struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
	Token   string    `json:"token,omitempty"`
}
