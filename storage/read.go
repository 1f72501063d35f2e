package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Aggregate summarises the live adoptions and ratings of one object.
type Aggregate struct {
	Adoptions  int
	Ratings    int
	RatingSum  int
	RatingMean float64 // 0 when there are no ratings
}

// Change is one entry of the change log: the object IRI changed at Seq.
type Change struct {
	Seq uint64
	IRI string
}

// Default and maximum page sizes.
const (
	DefaultListLimit    = 50
	MaxListLimit        = 1000
	DefaultChangesLimit = 1000
	MaxChangesLimit     = 10000
	forEachPage         = 256
)

// Get returns the current version of the object (a tombstone included);
// ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, iri string) (protocol.Object, error) {
	var o protocol.Object
	err := s.view(ctx, "get "+iri, func(tx *bbolt.Tx) error {
		var err error
		o, err = current(tx, iri)
		return err
	})
	return o, err
}

// current reads the current version of iri in tx.
func current(tx *bbolt.Tx, iri string) (protocol.Object, error) {
	hv := tx.Bucket(bObjects).Get([]byte(iri))
	if hv == nil {
		return protocol.Object{}, fmt.Errorf("storage: get object %s: %w", iri, ErrNotFound)
	}
	return currentOf(tx, iri, hv, true)
}

// currentOf reads the current version of iri given its header value.
func currentOf(tx *bbolt.Tx, iri string, hv []byte, withBody bool) (protocol.Object, error) {
	v, err := headerVersion(hv)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("storage: get object %s: header: %w", iri, err)
	}
	return versionOf(tx, iri, v, withBody)
}

func version(tx *bbolt.Tx, iri string, v uint64) (protocol.Object, error) {
	return versionOf(tx, iri, v, true)
}

func versionOf(tx *bbolt.Tx, iri string, v uint64, withBody bool) (protocol.Object, error) {
	rv := tx.Bucket(bVersions).Get(versionKey(iri, v))
	if rv == nil {
		return protocol.Object{}, fmt.Errorf("storage: get object %s version %d: %w", iri, v, ErrNotFound)
	}
	o, err := decodeRecordBody(rv, withBody)
	if err != nil {
		return protocol.Object{}, fmt.Errorf("storage: get object %s version %d: %w", iri, v, err)
	}
	return o, nil
}

// GetByID returns the current version of the object with that id (ULID).
func (s *Store) GetByID(ctx context.Context, id string) (protocol.Object, error) {
	var o protocol.Object
	err := s.view(ctx, "get id "+id, func(tx *bbolt.Tx) error {
		iri := tx.Bucket(bIDs).Get([]byte(id))
		if iri == nil {
			return fmt.Errorf("storage: get object id %s: %w", id, ErrNotFound)
		}
		var err error
		o, err = current(tx, string(iri))
		return err
	})
	return o, err
}

// GetVersion returns one immutable version of an object.
func (s *Store) GetVersion(ctx context.Context, iri string, v uint64) (protocol.Object, error) {
	var o protocol.Object
	err := s.view(ctx, "get version", func(tx *bbolt.Tx) error {
		var err error
		o, err = version(tx, iri, v)
		return err
	})
	return o, err
}

// Versions lists the envelopes of every version of an object, oldest first.
func (s *Store) Versions(ctx context.Context, iri string) ([]protocol.Meta, error) {
	var out []protocol.Meta
	err := s.view(ctx, "versions of "+iri, func(tx *bbolt.Tx) error {
		prefix := appendStr(nil, iri)
		c := tx.Bucket(bVersions).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) != len(prefix)+8 {
				continue
			}
			o, err := decodeRecordMeta(v)
			if err != nil {
				return fmt.Errorf("storage: versions of %s: %w", iri, err)
			}
			out = append(out, o.Meta)
		}
		if len(out) == 0 {
			return fmt.Errorf("storage: versions of %s: %w", iri, ErrNotFound)
		}
		return nil
	})
	return out, err
}

// LookupKey returns the IRI of the live object of that origin and kind whose
// natural key is key; ErrNotFound when there is none.
func (s *Store) LookupKey(ctx context.Context, origin string, kind protocol.Kind, key string) (string, error) {
	var iri string
	err := s.view(ctx, "lookup key", func(tx *bbolt.Tx) error {
		v := tx.Bucket(bKeys).Get(keysKey(origin, kind, key))
		if v == nil {
			return fmt.Errorf("storage: lookup %s key %q of %s: %w", kind, key, origin, ErrNotFound)
		}
		iri = string(v)
		return nil
	})
	return iri, err
}

// Counts returns the number of live objects of every kind (from counters).
func (s *Store) Counts(ctx context.Context) (map[protocol.Kind]int, error) {
	out := make(map[protocol.Kind]int, len(protocol.Kinds))
	for _, k := range protocol.Kinds {
		out[k] = 0
	}
	err := s.view(ctx, "counts", func(tx *bbolt.Tx) error {
		c := tx.Bucket(bMeta).Cursor()
		p := []byte(countPrefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if len(v) != 8 {
				return fmt.Errorf("storage: counts: counter %s: %w", k, errCorrupt)
			}
			out[protocol.Kind(strings.TrimPrefix(string(k), countPrefix))] = int(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return out, err
}

// Aggregates returns the live adoptions and ratings whose target is target
// (the zero Aggregate when there are none).
func (s *Store) Aggregates(ctx context.Context, target string) (Aggregate, error) {
	var a Aggregate
	err := s.view(ctx, "aggregates of "+target, func(tx *bbolt.Tx) error {
		v := tx.Bucket(bAggs).Get([]byte(target))
		if v == nil {
			return nil
		}
		var err error
		if a, err = decodeAgg(v); err != nil {
			return fmt.Errorf("storage: aggregates of %s: %w", target, err)
		}
		return nil
	})
	return a, err
}

// ForEach calls fn with the current version of every object (tombstones
// too), in IRI order. It reads in pages of short transactions and calls fn
// outside them, so fn may take its time (and may write to the store); an
// error from fn stops the walk and is returned as is.
func (s *Store) ForEach(ctx context.Context, fn func(protocol.Object) error) error {
	return walkPaged(ctx, s, "for each", bObjects, func(tx *bbolt.Tx, k, hv []byte) (protocol.Object, error) {
		return currentOf(tx, string(k), hv, true)
	}, fn)
}

// walkPaged walks bucket in key order, forEachPage entries a short read
// transaction (a write may land between two pages), decoding each entry
// inside the transaction and handing the page to fn outside it.
func walkPaged[T any](ctx context.Context, s *Store, what string, bucket []byte,
	decode func(tx *bbolt.Tx, k, v []byte) (T, error), fn func(T) error) error {
	var after []byte
	for {
		page := make([]T, 0, forEachPage)
		err := s.view(ctx, what, func(tx *bbolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
			for ; k != nil && len(page) < forEachPage; k, v = c.Next() {
				x, err := decode(tx, k, v)
				if err != nil {
					return fmt.Errorf("storage: %s: %w", what, err)
				}
				page = append(page, x)
				after = append(after[:0], k...)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, x := range page {
			if err := fn(x); err != nil {
				return err
			}
		}
		if len(page) < forEachPage {
			return nil
		}
	}
}

// Changes returns the change log after sequence after, oldest first, at most
// limit entries (default 1000, max 10000). The log keeps only the latest
// change of each object, so sequences have gaps: a follower that applies
// every returned change, reading each object's current state, is up to date
// with Seq.
func (s *Store) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	if limit <= 0 {
		limit = DefaultChangesLimit
	}
	limit = min(limit, MaxChangesLimit)
	var out []Change
	if after == math.MaxUint64 {
		return nil, nil
	}
	err := s.view(ctx, "changes", func(tx *bbolt.Tx) error {
		c := tx.Bucket(bChanges).Cursor()
		for k, v := c.Seek(be64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("storage: changes: key %x: %w", k, errCorrupt)
			}
			out = append(out, Change{Seq: binary.BigEndian.Uint64(k), IRI: string(v)})
		}
		return nil
	})
	return out, err
}
