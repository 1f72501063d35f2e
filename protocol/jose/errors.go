package jose

import "errors"

// The reasons for refusing a JWS that signed objects (protocol/signedobject)
// and entity statements (protocol/entity) share, defined once. Each of
// those packages exports them under its own names as the same values
// (signedobject.ErrExpired, entity.ErrExpired and ErrExpired are one
// error), so that errors.Is(err, jose.ErrExpired) holds for an expired
// object and an expired statement alike; what only one of them has stays
// there (signedobject.ErrUntrustedKey, entity.ErrUnknownKey, ...).
//
// One error may carry two of them: a signed object refused because its
// signer's trust chain holds a refused statement wraps
// signedobject.ErrUntrustedKey (or the trust layer's "unverified" reason)
// and the statement's reason, say ErrBadSignature. A caller that maps
// reasons to answers must test for those wrappers before the reasons
// below, or it takes the statement's fault for the object's (see
// federation's trustProblem).
var (
	// ErrTooLarge: the document exceeds its size cap.
	ErrTooLarge = errors.New("jws too large")
	// ErrMalformed: not a JWS of the expected serialization whose JSON is
	// strict (protocol/strictjson) and of the right shape, or bad base64url.
	ErrMalformed = errors.New("malformed jws")
	// ErrAlgorithm: alg missing or other than EdDSA.
	ErrAlgorithm = errors.New("jws algorithm not allowed")
	// ErrHeader: a header member that is not allowed (jku, x5u, jwk, x5c,
	// crit, b64, ...), or one that is missing or misplaced.
	ErrHeader = errors.New("jws header not allowed")
	// ErrType: typ is not the one expected (an entity statement presented
	// as an object, or the reverse).
	ErrType = errors.New("jws typ not allowed")
	// ErrKid: kid missing, not 1 to 128 characters of [A-Za-z0-9_-], or
	// not the RFC 7638 thumbprint of its key.
	ErrKid = errors.New("jws kid invalid")
	// ErrBadSignature: a signature does not verify.
	ErrBadSignature = errors.New("jws signature invalid")
	// ErrExpired: now is at or after exp.
	ErrExpired = errors.New("jws expired")
	// ErrNotYetValid: iat (or a key's nbf) lies further in the future than
	// the allowed clock skew.
	ErrNotYetValid = errors.New("jws not yet valid")
)
