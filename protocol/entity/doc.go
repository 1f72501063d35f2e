// Package entity reads and writes the entity statements of the interlink
// trust layer: a subset of OpenID Federation 1.0 in which every document is
// a compact JWS signed with Ed25519.
//
// Two kinds of document carry the typ "entity-statement+jwt" (Type): an
// entity configuration, which an entity signs about itself (iss == sub) and
// serves at /.well-known/openid-federation, and a subordinate statement,
// which a superior (an intermediate or a trust anchor) signs about an
// entity below it, listing that entity's federation keys and its legal
// identity. A third kind, typ "interlink-keys+jwt" (ListType), carries an
// entity's historical keys or an anchor's denylist.
//
// Parsing is strict and cheapest first: the size cap, three base64url parts,
// a protected header of exactly alg "EdDSA", a kid of [A-Za-z0-9_-] and the
// typ (nothing else: jku, x5u, jwk, x5c, x5t, crit and b64 are refused, and
// so is any other member), then claims that are one JSON object with no
// duplicate keys, nesting at most 64 deep and valid UTF-8. Member names
// match exactly (never case-insensitively, as encoding/json would); claims
// and metadata members this package does not know are ignored, as OpenID
// Federation requires. Every refusal wraps exactly one sentinel error of
// this package, so that a caller can map each reason to its own problem
// type.
//
// Keys are Ed25519 JWKs (kty OKP, crv Ed25519) whose kid is their RFC 7638
// thumbprint; a key may carry nbf, retired_at (rotated out: signatures made
// before it still verify) and revoked_at (compromised: signatures made at or
// after it never verify). Verify checks a statement's signature and its
// validity period; it leaves the retired and revoked rules to the caller,
// which knows when the signed object was made (JWK.ValidAt).
//
// The package is pure: no network, no disk, and the clock is an argument.
package entity
