// Package trust is the node's trust layer: who vouches for what it signs and
// what it receives (DESIGN.md §4, a subset of OpenID Federation 1.0).
//
// A Service composes the pure parts (signedobject: object JWS; entity: entity
// statements; chain: chain resolution and its cache) with the node's keys,
// its store and its outbound HTTP client:
//
//   - keys.go: the key set the node signs with (federation keys sign the
//     entity configuration, content keys sign catalogue objects; retired and
//     revoked keys stay listed so that what they signed can still be judged).
//   - config.go: the trust section of the node configuration, validated once.
//   - service.go: the entity configuration this node serves at
//     /.well-known/openid-federation, its role, and the chain resolver.
//   - objects.go: signing local versions and verifying received ones,
//     cheapest check first, with the verification record the API shows.
//   - authority.go: the anchor and intermediate roles: enrolment,
//     subordinate statements, revocation, the denylist and historical keys.
//
// Co-production (gathering every co-signer's signature over the same
// payload bytes before a version is published) travels over ActivityPub and
// lives in package federation (cosign.go), which also maps each refusal to
// its problem type (trustlink.go).
//
// Receivers act only on a verified payload; gossip and ActivityPub wrappers
// are hints.
package trust
