// Package signedobject signs and verifies catalogue objects as JWS documents in the
// general JSON serialization (RFC 7515 §7.2.1): one Ed25519 signature per
// signer over the same payload bytes, so that a service co-produced by several
// organisations carries the signature of each of them.
//
// The payload (iss, sub, iat, exp, jti, ver, prev, type, cosigners, body)
// travels inside the JWS as bytes and is never re-serialised to verify: a
// receiver stores the JWS exactly as received and acts only on
// Verified.Payload. Verify checks every signature itself against the key the
// caller's KeyResolver supplies, and requires the set of signers to equal the
// payload's cosigners exactly (jwx's jws.Verify accepts a message when any one
// signature verifies, which is not what a co-produced object needs).
//
// The package is pure: no network, no disk, and the clock is an argument.
// Replay of a jti is the caller's to detect; CheckSuccessor checks that a new
// version follows the previous one (rollback and history forks).
package signedobject
