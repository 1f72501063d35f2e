package trustchain

import (
	"errors"
	"fmt"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// ErrNotFound is wrapped by Fetcher errors for HTTP 404 and 410.
var ErrNotFound = errors.New("not found")

// Reasons for refusing a chain (test with errors.Is). Errors from a
// statement's parsing or verification also wrap the entity package's
// sentinel (entity.ErrAlgorithm, entity.ErrExpired, ...).
var (
	// ErrNotPinned: the path ends at an entity that is not a pinned anchor,
	// or a pinned anchor's EC or statement is not signed by a pinned key.
	ErrNotPinned = errors.New("trust chain does not end at a pinned anchor")
	// ErrNoPath: a superior does not vouch for its subordinate (404, a
	// statement about another subject, no fetch endpoint).
	ErrNoPath = errors.New("no trust path")
	// ErrAuthorityHint: a subordinate statement issued by an entity that is
	// not the authority hint it was fetched for.
	ErrAuthorityHint = errors.New("statement issuer is not an authority hint")
	// ErrKeyNotListed: a statement or EC signed with a federation key its
	// superior does not list.
	ErrKeyNotListed = errors.New("federation key not listed by the superior")
	// ErrConstraint: a superior's max_path_length or naming_constraints
	// refuse the chain.
	ErrConstraint = errors.New("trust chain constraint violated")
	// ErrHintLoop: authority hints lead back into the path.
	ErrHintLoop = errors.New("authority hints loop")
	// ErrTooLong: more than MaxLinks statements, or too many fetches.
	ErrTooLong = errors.New("trust chain too long")
	// ErrTooLarge: more than MaxBytes fetched to resolve one chain.
	ErrTooLarge = errors.New("trust chain too large")
	// ErrExpired: a document of the chain is expired.
	ErrExpired = errors.New("trust chain link expired")
	// ErrRevoked: a key asked for at or after the chain's revocation.
	ErrRevoked = errors.New("entity revoked by its superior")
	// ErrFetch: a document could not be fetched.
	ErrFetch = errors.New("trust chain fetch failed")
	// ErrUnknownContentKey: a signature names a content key that the
	// signer's configuration, as this node holds it, does not list. It is
	// entity.ErrUnknownKey (same text), told apart from an unknown key of a
	// statement: the signer may have rotated since this node last read it,
	// so a sender may try again once this node has (docs/trust.md).
	ErrUnknownContentKey = fmt.Errorf("%w", entity.ErrUnknownKey)
)
