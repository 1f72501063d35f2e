// Package chain resolves and caches trust chains: the path of signed
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
// # Caching
//
// A resolved chain is cached until Chain.Expires (the earliest exp of every
// document used) and never used at or after it: the next Resolve fetches
// anew. Failures are not cached. Concurrent Resolve calls for the same id
// share one resolution. The caches (chains, and self-signed ECs for
// SelfSigned) are LRUs of Config.CacheSize entries each. Invalidate drops an
// entity's cached EC and every cached chain whose path contains it.
//
// The Fetcher is the caller's: the node passes its SSRF-guarded HTTP client.
// The package starts no goroutines and keeps no global state.
package chain
