package api

import "time"

// UserRequest is the body of POST /api/v1/users.
type UserRequest struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	Role        string `json:"role"` // reader, editor or admin
	DisplayName string `json:"display_name,omitempty"`
}

// PasswordRequest is the body of PUT /api/v1/users/{id}/password.
type PasswordRequest struct {
	Password string `json:"password"`
}

// User is a person's account as the API shows it: never its password hash.
type User struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name,omitempty"`
	Role        string    `json:"role"`
	Disabled    bool      `json:"disabled"`
	HasPassword bool      `json:"has_password"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	LastSignIn  time.Time `json:"last_sign_in,omitzero"`
}
