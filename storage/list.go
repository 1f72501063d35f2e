package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// maxFilterValues bounds the values of one filter key.
const maxFilterValues = 256

// ListOptions selects and pages live objects.
type ListOptions struct {
	// Filters maps a filter key (see FilterKeys: type, origin, nature,
	// language, problem_profile, licence, scope, country, target) to the
	// accepted values: OR within a key, AND across keys. A key with no
	// values does not filter.
	Filters map[string][]string
	After   string // the opaque cursor a previous page returned as next
	Limit   int    // default 50, at most 1000 (larger values are capped)
}

// List returns live objects (never tombstones) that match every filter, in
// the order this node first stored them (oldest first), at most Limit of
// them, and the cursor of the next page ("" when this is the last). An
// unknown filter key, a malformed cursor or a negative limit is an error
// wrapping ErrInvalidQuery.
func (s *Store) List(ctx context.Context, opts ListOptions) ([]protocol.Object, string, error) {
	limit := opts.Limit
	switch {
	case limit < 0:
		return nil, "", fmt.Errorf("storage: list: %w: negative limit %d", ErrInvalidQuery, limit)
	case limit == 0:
		limit = DefaultListLimit
	case limit > MaxListLimit:
		limit = MaxListLimit
	}
	var cur cursor
	if opts.After != "" {
		var err error
		if cur, err = decodeCursor(opts.After); err != nil {
			return nil, "", fmt.Errorf("storage: list: %w: %w: %w", ErrInvalidQuery, ErrBadCursor, err)
		}
	}
	type filter struct {
		field  byte
		values []string
	}
	var filters []filter
	keys := make([]string, 0, len(opts.Filters))
	for k := range opts.Filters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f, ok := filterFields[k]
		if !ok {
			return nil, "", fmt.Errorf("storage: list: %w: unknown filter %q (known: %s)", ErrInvalidQuery, k, strings.Join(FilterKeys(), ", "))
		}
		vs := slices.Compact(slices.Sorted(slices.Values(opts.Filters[k])))
		if len(vs) == 0 {
			continue
		}
		if len(vs) > maxFilterValues {
			return nil, "", fmt.Errorf("storage: list: %w: filter %q has %d values (at most %d)", ErrInvalidQuery, k, len(vs), maxFilterValues)
		}
		filters = append(filters, filter{f, vs})
	}
	if len(filters) == 0 {
		filters = []filter{{fieldAll, []string{""}}} // every live object
	}

	var items []protocol.Object
	var next string
	err := s.view(ctx, "list", func(tx *bbolt.Tx) error {
		target := uint64(0)
		switch {
		case cur.iri != "": // a cursor from before schema 7 names the last IRI
			hv := tx.Bucket(bObjects).Get([]byte(cur.iri))
			if hv == nil {
				return fmt.Errorf("storage: list: %w: %w: the cursor's object %s is unknown", ErrInvalidQuery, ErrBadCursor, protocol.Clip(cur.iri, 80))
			}
			h, err := decodeHeader(hv)
			if err != nil {
				return fmt.Errorf("storage: list: cursor's object %s: %w", cur.iri, err)
			}
			target = h.oid + 1
		case cur.oid == math.MaxUint64:
			return nil // past every object
		case cur.oid > 0:
			target = cur.oid + 1
		}
		lastOID := uint64(0)
		emit := func(oid uint64, iri []byte) (bool, error) {
			if len(items) == limit {
				next = encodeCursor(lastOID)
				return false, nil
			}
			hv := tx.Bucket(bObjects).Get(iri)
			if hv == nil || headerDeleted(hv) {
				return true, nil // an index entry the store would never leave; skip it
			}
			o, err := currentOf(tx, string(iri), hv, true)
			if err != nil {
				return false, err
			}
			items = append(items, o)
			lastOID = oid
			return true, nil
		}
		iters := make([]*unionIter, len(filters))
		for i, f := range filters {
			u := &unionIter{}
			for _, v := range f.values {
				u.subs = append(u.subs, &subIter{c: tx.Bucket(bIndex).Cursor(), prefix: indexPrefix(f.field, v)})
			}
			iters[i] = u
		}
	leapfrog:
		for {
			x, iri, ok := iters[0].seek(target)
			if !ok {
				return nil
			}
			for _, it := range iters[1:] {
				y, _, ok := it.seek(x)
				if !ok {
					return nil
				}
				if x != y {
					target = y
					continue leapfrog
				}
			}
			more, err := emit(x, iri)
			if err != nil || !more {
				return err
			}
			if x == math.MaxUint64 {
				return nil
			}
			target = x + 1
		}
	})
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// subIter walks the order numbers under one index prefix (field, value).
type subIter struct {
	c      *bbolt.Cursor
	prefix []byte
	cur    uint64 // the last order number found
	iri    []byte // its object (valid while the transaction lives)
	found  bool
	done   bool
}

// seek returns the smallest order number ≥ target under the prefix, and its
// object's IRI.
func (s *subIter) seek(target uint64) (uint64, []byte, bool) {
	if s.done {
		return 0, nil, false
	}
	if s.found && s.cur >= target {
		return s.cur, s.iri, true
	}
	k, v := s.c.Seek(appendBE64(slices.Clip(s.prefix), target))
	if k == nil || !bytes.HasPrefix(k, s.prefix) || len(k) != len(s.prefix)+8 {
		s.done = true
		return 0, nil, false
	}
	s.cur, s.iri, s.found = binary.BigEndian.Uint64(k[len(s.prefix):]), v, true
	return s.cur, s.iri, true
}

// unionIter is the OR of several subIters.
type unionIter struct{ subs []*subIter }

// seek returns the smallest order number ≥ target under any of the
// prefixes, and its object's IRI.
func (u *unionIter) seek(target uint64) (uint64, []byte, bool) {
	var best uint64
	var iri []byte
	found := false
	for _, s := range u.subs {
		if n, v, ok := s.seek(target); ok && (!found || n < best) {
			best, iri, found = n, v, true
		}
	}
	return best, iri, found
}

// Cursors are opaque to callers: "o" + the last order number of the page
// (8 bytes), base64url. A cursor of the schemas before 7 ("i" + the last
// IRI) still reads.
type cursor struct {
	oid uint64
	iri string
}

func encodeCursor(oid uint64) string {
	return base64.RawURLEncoding.EncodeToString(appendBE64([]byte{'o'}, oid))
}

// encodeIRICursor is the cursor of lists in IRI order (the follow graph):
// "i" + the last IRI.
func encodeIRICursor(iri string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("i" + iri))
}

func decodeCursor(c string) (cursor, error) {
	if len(c) > 2*maxIRILen {
		return cursor{}, fmt.Errorf("cursor too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	switch {
	case err == nil && len(b) == 9 && b[0] == 'o':
		return cursor{oid: binary.BigEndian.Uint64(b[1:])}, nil
	case err == nil && len(b) >= 2 && b[0] == 'i':
		return cursor{iri: string(b[1:])}, nil
	}
	return cursor{}, fmt.Errorf("malformed cursor %q", protocol.Clip(c, 40))
}
