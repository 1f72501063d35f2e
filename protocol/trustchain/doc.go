// Package trustchain resolves and caches trust chains: the path of signed
// entity statements (package entity) from an entity up to a trust anchor
// that this node pins in its configuration.
//
// # Resolution
//
// Resolve(id) fetches the entity configuration (EC) of id at
// {id}/.well-known/openid-federation (a trailing "/" of id is dropped to
// build the URL; the EC's iss and sub must equal id exactly), parses it
// strictly and checks it with its own keys (VerifySelf) — which proves only
// that it is intact. Then, for each of its authority_hints in order (at most
// four; the first that yields a chain wins):
//
//  1. fetch the superior's EC the same way;
//  2. fetch the superior's subordinate statement about id from its
//     federation_fetch_endpoint with ?sub=<url-escaped id> (a 404 or 410
//     means the superior does not vouch for id: ErrNoPath). Its iss must be
//     that superior, the authority hint it was fetched for (ErrAuthorityHint),
//     and its sub must be id (ErrNoPath);
//  3. resolve the superior upward the same way, until a superior is a
//     pinned anchor. An anchor's EC is trusted only when it is signed by a
//     key whose thumbprint is pinned (the anchor's self-published keys are
//     never trusted without a pin): ErrNotPinned otherwise, and also when the
//     top of a path is not pinned at all;
//  4. verify downward: each subordinate statement with the keys its issuer
//     is known by (the pinned keys for the anchor, otherwise the jwks of the
//     statement about the issuer), and id's EC with the jwks of the statement
//     about id. A statement or EC signed with a key its superior does not list
//     (a rotated key not yet enrolled) fails with ErrKeyNotListed;
//  5. apply the constraints of every subordinate statement, in the terms of
//     OpenID Federation 1.0 §6.2: max_path_length counts the intermediates
//     between the issuer of the statement (the entity setting the
//     constraint) and the chain's subject, so 0 in a municipality's
//     statements about its civic groups forbids them from vouching for
//     anyone; naming_constraints apply to the entity ids of every entity
//     below the issuer, the statement's subject included. Violations fail
//     with ErrConstraint (and entity.ErrNamingConstraint for names).
//
// A hint that leads back into the path fails with ErrHintLoop; a chain
// longer than MaxLinks (statements including the leaf EC) with ErrTooLong;
// more than MaxBytes fetched in one resolution with ErrTooLarge; more than
// 4*MaxLinks fetches in one resolution (many hints that fail) with
// ErrTooLong; either budget, once spent, ends the resolution with that
// reason (no further hint is tried). Every document is checked at the
// resolver's clock: an expired EC or statement anywhere fails with
// ErrExpired (a chain expires at its earliest link).
//
// The chain's Identity (legal name, country, kind, role) comes from the
// immediate superior's statement about the entity, never from the entity's
// own EC; for a pinned anchor resolved as itself, from its own EC, which the
// pin vouches for. A statement carrying interlink_revoked_at sets
// Chain.RevokedAt (the earliest such time along the chain): the chain still
// resolves, so that objects signed before the revocation stay checkable,
// and ContentKey refuses keys for any time at or after it (ErrRevoked).
//
// ContentKeyAt takes two times: signed, the signature's own (its iat, the
// signer's word), and seen, when this node first saw the version (zero:
// unknown). A content key's retired_at and nbf are judged at signed
// (retired_at exclusive: a signature in its second still verifies); its
// revoked_at, and the chain's RevokedAt, at the later of signed and seen,
// inclusive: a version first seen at or after a revocation is refused
// however early it claims to have been signed.
//
// # Caching
//
// A resolved chain is cached until Chain.Expires (the earliest exp of every
// document used) and, when Config.MaxAge is set, for less than MaxAge after
// Chain.Fetched; it is never used at or after either: the next Resolve
// fetches anew. A self-signed EC (SelfSigned) is cached the same way. A
// failed resolution is remembered for Config.FailureTTL (default 10 s).
// Concurrent Resolve calls for the same id share one resolution. The caches
// (chains, self-signed ECs, failures) are LRUs of Config.CacheSize entries
// each. Invalidate drops an entity's cached EC, its remembered failure and
// every cached chain whose path contains it; Refresh does the same at most
// once per entity per RefreshInterval.
//
// The Fetcher is the caller's: the node passes its SSRF-guarded HTTP client.
// The package starts no goroutines and keeps no global state.
package trustchain
