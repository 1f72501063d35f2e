package signedobject

import (
	"errors"

	"github.com/interlink-project/interlink-node/protocol/jose"
)

// One sentinel per reason for refusing a JWS, so that a receiver can map each
// to its own problem type. Verify's errors wrap exactly one of them (and, for
// ErrUntrustedKey, the resolver's error as well, which may wrap a reason of
// protocol/entity: test for ErrUntrustedKey before the shared reasons);
// test with errors.Is.
//
// The reasons entity statements share (ErrTooLarge, ErrMalformed,
// ErrAlgorithm, ErrHeader, ErrType, ErrKid, ErrBadSignature, ErrExpired,
// ErrNotYetValid) are protocol/jose's values under this package's names:
// signedobject.ErrExpired, entity.ErrExpired and jose.ErrExpired are the
// same error.
var (
	// ErrTooLarge: the JWS exceeds Options.MaxBytes (jose.ErrTooLarge).
	ErrTooLarge = jose.ErrTooLarge
	// ErrMalformed: not a strict-JSON general-serialization JWS (syntax,
	// duplicate keys, nesting deeper than 64, invalid UTF-8, unknown members,
	// bad base64url, a flattened or compact JWS) (jose.ErrMalformed).
	ErrMalformed = jose.ErrMalformed
	// ErrAlgorithm: alg missing or other than EdDSA (none, HS*, RS*, ES*,
	// ...) (jose.ErrAlgorithm).
	ErrAlgorithm = jose.ErrAlgorithm
	// ErrHeader: a header rule is broken (jku, x5u, jwk, x5c present; crit;
	// b64; a signature without a protected header; an unprotected member
	// that repeats a protected one or carries a security-relevant member;
	// a missing iss header) (jose.ErrHeader).
	ErrHeader = jose.ErrHeader
	// ErrType: typ is not "interlink-object+jws" (e.g. an entity statement
	// presented as an object) (jose.ErrType).
	ErrType = jose.ErrType
	// ErrKid: kid missing, not of the charset [A-Za-z0-9_-] or longer than
	// 128, or not the RFC 7638 thumbprint of the key it resolved to
	// (jose.ErrKid).
	ErrKid = jose.ErrKid
	// ErrTooManySignatures: more than MaxSignatures signatures, or none.
	ErrTooManySignatures = errors.New("jws signature count out of range")
	// ErrDuplicateSigner: two signatures name the same signer entity.
	ErrDuplicateSigner = errors.New("jws duplicate signer")
	// ErrInvalidPayload: the payload is strict JSON of the right shape but
	// its fields are not acceptable (missing iss/sub/jti/type/body, ver 0,
	// exp before iat, cosigners empty or repeated, a bad prev hash, entity
	// ids that are not http(s) URLs).
	ErrInvalidPayload = errors.New("jws payload invalid")
	// ErrUnknownSigner: a signature from an entity not listed in cosigners.
	ErrUnknownSigner = errors.New("jws signer not listed in cosigners")
	// ErrMissingCosigner: a listed cosigner has no signature.
	ErrMissingCosigner = errors.New("jws cosigner signature missing")
	// ErrUntrustedKey: the resolver has no trusted key for (signer, kid).
	ErrUntrustedKey = errors.New("jws signer key not trusted")
	// ErrBadSignature: a signature does not verify (jose.ErrBadSignature).
	ErrBadSignature = jose.ErrBadSignature
	// ErrExpired: now is at or after exp (jose.ErrExpired).
	ErrExpired = jose.ErrExpired
	// ErrNotYetValid: iat is further in the future than the allowed skew
	// (jose.ErrNotYetValid).
	ErrNotYetValid = jose.ErrNotYetValid
	// ErrForgedOrigin: iss is not a signer, or sub is not on iss's origin.
	ErrForgedOrigin = errors.New("jws object origin forged")
	// ErrRollback: CheckSuccessor refused a version (not newer, prev hash
	// mismatch, different sub or iss).
	ErrRollback = errors.New("jws object version does not follow the previous one")
)
