package entity

import "errors"

// One sentinel per reason for refusing a statement; every error of this
// package wraps exactly one of them (test with errors.Is).
var (
	// ErrTooLarge: the document exceeds MaxBytes.
	ErrTooLarge = errors.New("entity statement too large")
	// ErrMalformed: not a compact JWS of three base64url parts whose header
	// and claims are strict JSON objects of the right shape (syntax,
	// duplicate keys, nesting deeper than 64, invalid UTF-8, a value of the
	// wrong JSON type, a number out of range).
	ErrMalformed = errors.New("malformed entity statement")
	// ErrAlgorithm: alg missing or other than EdDSA.
	ErrAlgorithm = errors.New("entity statement algorithm not allowed")
	// ErrHeader: a header member other than alg, kid and typ (jku, x5u,
	// jwk, x5c, x5t, crit, b64, anything else).
	ErrHeader = errors.New("entity statement header not allowed")
	// ErrType: typ is not the one expected (an object JWS or a key list
	// presented as a statement, or the reverse).
	ErrType = errors.New("entity statement typ not allowed")
	// ErrKid: kid missing, not 1 to 128 characters of [A-Za-z0-9_-], or a
	// JWK whose kid is not the RFC 7638 thumbprint of its key.
	ErrKid = errors.New("entity statement kid invalid")
	// ErrUnknownKey: no key of the verifying set has the statement's kid.
	ErrUnknownKey = errors.New("entity statement signed by an unknown key")
	// ErrBadSignature: the signature does not verify.
	ErrBadSignature = errors.New("entity statement signature invalid")
	// ErrExpired: now is at or after exp.
	ErrExpired = errors.New("entity statement expired")
	// ErrNotYetValid: iat lies further in the future than the allowed skew,
	// or a key is used before its nbf.
	ErrNotYetValid = errors.New("entity statement not yet valid")
	// ErrInvalidClaims: claims of the right JSON shape whose values are not
	// acceptable (entity ids that are not http(s) URLs, exp not after iat,
	// too many or repeated authority hints, bad keys, bad metadata or
	// constraints).
	ErrInvalidClaims = errors.New("entity statement claims invalid")
	// ErrNamingConstraint: an entity id outside a superior's naming
	// constraints.
	ErrNamingConstraint = errors.New("entity id outside the naming constraints")
	// ErrKeyRetired: a key used at or after its retired_at.
	ErrKeyRetired = errors.New("key retired")
	// ErrKeyRevoked: a key used at or after its revoked_at (compromised).
	ErrKeyRevoked = errors.New("key revoked")
)
