package storage

import (
	"errors"
	"fmt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrNotFound: no such object, version, key, token or setting.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the version precondition failed (see ConflictError), or an
	// object id is already used by another IRI.
	ErrConflict = errors.New("version conflict")
	// ErrKeyExists: another live object of that origin and type already has
	// the natural key (see KeyExistsError).
	ErrKeyExists = errors.New("natural key already used")
	// ErrGone: the object was deleted (its current version is a tombstone).
	ErrGone = errors.New("object is gone")
	// ErrClosed: the store is closed.
	ErrClosed = errors.New("store is closed")
	// ErrInvalidObject: a write carries a malformed envelope or body. Entity
	// validation failures also wrap the *protocol.ValidationError.
	ErrInvalidObject = errors.New("invalid object")
	// ErrInvalidQuery: a read carries an unknown filter, a bad cursor or limit.
	ErrInvalidQuery = errors.New("invalid query")
	// ErrBadCursor: a paging cursor this store did not give, or whose
	// object is gone; every such error also wraps ErrInvalidQuery.
	ErrBadCursor = errors.New("bad cursor")
	// ErrLocked: another process holds the database open.
	ErrLocked = errors.New("database is locked by another process (is a node running on this data directory?)")
	// ErrIncompatible: a file is not a node database, or its schema is newer
	// than this code can read.
	ErrIncompatible = errors.New("incompatible database")
)

// ConflictError reports a failed version precondition: the writer based its
// change on version Want but the stored current version is Have (0: absent).
type ConflictError struct {
	IRI  string
	Want uint64
	Have uint64
}

func (e *ConflictError) Error() string {
	if e.Want == 0 {
		return fmt.Sprintf("storage: object %s already exists at version %d (the write expected it not to exist)", e.IRI, e.Have)
	}
	if e.Have == 0 {
		return fmt.Sprintf("storage: object %s does not exist (the write expected version %d)", e.IRI, e.Want)
	}
	return fmt.Sprintf("storage: object %s is at version %d, the write expected version %d", e.IRI, e.Have, e.Want)
}

// Is makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// KeyExistsError reports that the live object IRI already holds the natural
// key (Origin, Type, Key).
type KeyExistsError struct {
	Origin string
	Type   protocol.Kind
	Key    string
	IRI    string
}

func (e *KeyExistsError) Error() string {
	return fmt.Sprintf("storage: %s key %q of origin %s is already used by %s", e.Type, e.Key, e.Origin, e.IRI)
}

// Is makes errors.Is(err, ErrKeyExists) hold.
func (e *KeyExistsError) Is(target error) bool { return target == ErrKeyExists }
