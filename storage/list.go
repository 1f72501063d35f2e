package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
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
// IRI order, at most Limit of them, and the cursor of the next page ("" when
// this is the last). An unknown filter key, a malformed cursor or a negative
// limit is an error wrapping ErrInvalidQuery.
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
	var after []byte
	if opts.After != "" {
		iri, err := decodeCursor(opts.After)
		if err != nil {
			return nil, "", fmt.Errorf("storage: list: %w: %w", ErrInvalidQuery, err)
		}
		after = []byte(iri)
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

	var items []protocol.Object
	var next string
	err := s.view(ctx, "list", func(tx *bbolt.Tx) error {
		emit := func(iri []byte) (bool, error) {
			if len(items) == limit {
				next = encodeCursor(items[len(items)-1].IRI)
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
			return true, nil
		}
		if len(filters) == 0 {
			c := tx.Bucket(bObjects).Cursor()
			var k, hv []byte
			if after == nil {
				k, hv = c.First()
			} else if k, hv = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, hv = c.Next()
			}
			for ; k != nil; k, hv = c.Next() {
				if headerDeleted(hv) {
					continue
				}
				more, err := emit(k)
				if err != nil || !more {
					return err
				}
			}
			return nil
		}
		iters := make([]*unionIter, len(filters))
		for i, f := range filters {
			u := &unionIter{}
			for _, v := range f.values {
				u.subs = append(u.subs, &subIter{c: tx.Bucket(bIndex).Cursor(), prefix: indexPrefix(f.field, v)})
			}
			iters[i] = u
		}
		target := after
		if target != nil {
			target = append(slices.Clip(target), 0) // the smallest IRI after the cursor
		}
	leapfrog:
		for {
			x, ok := iters[0].seek(target)
			if !ok {
				return nil
			}
			for _, it := range iters[1:] {
				y, ok := it.seek(x)
				if !ok {
					return nil
				}
				if !bytes.Equal(x, y) {
					target = y
					continue leapfrog
				}
			}
			more, err := emit(x)
			if err != nil || !more {
				return err
			}
			target = append(slices.Clip(x), 0)
		}
	})
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// subIter walks the IRIs under one index prefix (field, value).
type subIter struct {
	c      *bbolt.Cursor
	prefix []byte
	cur    []byte // the last IRI found (valid while the transaction lives)
	done   bool
}

// seek returns the smallest IRI ≥ target under the prefix.
func (s *subIter) seek(target []byte) ([]byte, bool) {
	if s.done {
		return nil, false
	}
	if s.cur != nil && bytes.Compare(s.cur, target) >= 0 {
		return s.cur, true
	}
	k, _ := s.c.Seek(append(slices.Clip(s.prefix), target...))
	if k == nil || !bytes.HasPrefix(k, s.prefix) {
		s.done = true
		return nil, false
	}
	s.cur = k[len(s.prefix):]
	return s.cur, true
}

// unionIter is the OR of several subIters.
type unionIter struct{ subs []*subIter }

// seek returns the smallest IRI ≥ target under any of the prefixes.
func (u *unionIter) seek(target []byte) ([]byte, bool) {
	var best []byte
	found := false
	for _, s := range u.subs {
		if k, ok := s.seek(target); ok && (!found || bytes.Compare(k, best) < 0) {
			best, found = k, true
		}
	}
	return best, found
}

// Cursors are opaque to callers: "i" + the last IRI of the page, base64url.
func encodeCursor(iri string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("i" + iri))
}

func decodeCursor(c string) (string, error) {
	if len(c) > 2*maxIRILen {
		return "", fmt.Errorf("cursor too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'i' {
		return "", fmt.Errorf("malformed cursor %q", protocol.Clip(c, 40))
	}
	return string(b[1:]), nil
}
