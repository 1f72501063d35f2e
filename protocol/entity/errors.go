package entity

import (
	"errors"

	"github.com/interlink-project/interlink-node/protocol/jose"
)

// One sentinel per reason for refusing a statement; every error of this
// package wraps exactly one of them (test with errors.Is).
//
// The reasons signed objects share (ErrTooLarge, ErrMalformed,
// ErrAlgorithm, ErrHeader, ErrType, ErrKid, ErrBadSignature, ErrExpired,
// ErrNotYetValid) are protocol/jose's values under this package's names:
// entity.ErrExpired, signedobject.ErrExpired and jose.ErrExpired are the
// same error. To tell an object's fault from its signer's statement's in
// one error, test for the wrapper that carries the statement's reason
// first (signedobject.ErrUntrustedKey).
var (
	// ErrTooLarge: the document exceeds MaxBytes (jose.ErrTooLarge).
	ErrTooLarge = jose.ErrTooLarge
	// ErrMalformed: not a compact JWS of three base64url parts whose header
	// and claims are strict JSON objects of the right shape (syntax,
	// duplicate keys, nesting deeper than 64, invalid UTF-8, a value of the
	// wrong JSON type, a number out of range) (jose.ErrMalformed).
	ErrMalformed = jose.ErrMalformed
	// ErrAlgorithm: alg missing or other than EdDSA (jose.ErrAlgorithm).
	ErrAlgorithm = jose.ErrAlgorithm
	// ErrHeader: a header member other than alg, kid and typ (jku, x5u,
	// jwk, x5c, x5t, crit, b64, anything else) (jose.ErrHeader).
	ErrHeader = jose.ErrHeader
	// ErrType: typ is not the one expected (an object JWS or a key list
	// presented as a statement, or the reverse) (jose.ErrType).
	ErrType = jose.ErrType
	// ErrKid: kid missing, not 1 to 128 characters of [A-Za-z0-9_-], or a
	// JWK whose kid is not the RFC 7638 thumbprint of its key (jose.ErrKid).
	ErrKid = jose.ErrKid
	// ErrUnknownKey: no key of the verifying set has the statement's kid.
	ErrUnknownKey = errors.New("entity statement signed by an unknown key")
	// ErrBadSignature: the signature does not verify (jose.ErrBadSignature).
	ErrBadSignature = jose.ErrBadSignature
	// ErrExpired: now is at or after exp (jose.ErrExpired).
	ErrExpired = jose.ErrExpired
	// ErrNotYetValid: iat lies further in the future than the allowed skew,
	// or a key is used before its nbf (jose.ErrNotYetValid).
	ErrNotYetValid = jose.ErrNotYetValid
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
