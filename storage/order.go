package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// migrateV7 gives every object an order number and keys the index postings
// by it (schema 7). Until schema 6 a posting was keyed by (field, value,
// IRI): the IRIs of objects arriving together from many origins fall in
// different leaves of every posting list, so each received object dirtied
// a leaf per posting (about a hundred pages a commit of ten). Keyed by an
// order number given when the object is first stored, the objects of one
// commit append to the same leaf of each posting list.
//
// Objects are numbered in IRI order, the order List used before, so a list
// keeps its order across the upgrade and a cursor of the old form continues
// where it stood. The index bucket is rebuilt from the headers (which hold
// each object's postings); tombstones keep a number but no posting. It runs
// in Open's transaction: at a million objects, with about ten postings
// each, that transaction holds the whole new index in memory once.
func migrateV7(tx *bbolt.Tx, _ time.Time) error {
	if err := tx.DeleteBucket(bIndex); err != nil {
		return fmt.Errorf("drop the schema-6 index: %w", err)
	}
	index, err := tx.CreateBucket(bIndex)
	if err != nil {
		return fmt.Errorf("create the index: %w", err)
	}
	index.FillPercent = appendFillPercent
	objects := tx.Bucket(bObjects)
	// The postings are gathered first and written in key order: bbolt
	// splits a node only at commit, so a million keys put out of order in
	// one transaction would each shift a giant node. In order they append.
	// Headers too are rewritten after the walk (a bucket must not change
	// under its own cursor).
	type rewrite struct{ iri, header []byte }
	var headers []rewrite
	lists := map[posting][]uint32{} // (field, value) → order numbers, ascending
	c := objects.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		h, err := decodeHeader(v)
		if err != nil {
			return fmt.Errorf("object %s: %w", k, err)
		}
		if len(headers) == math.MaxUint32 {
			return fmt.Errorf("more than %d objects", math.MaxUint32)
		}
		h.oid = uint64(len(headers) + 1)
		headers = append(headers, rewrite{slices.Clone(k), encodeHeader(&h)})
		if h.deleted {
			continue
		}
		for _, p := range append([]posting{{fieldAll, ""}}, h.postings...) {
			lists[p] = append(lists[p], uint32(h.oid))
		}
	}
	keys := slices.SortedFunc(maps.Keys(lists), func(a, b posting) int {
		return bytes.Compare(indexPrefix(a.field, a.value), indexPrefix(b.field, b.value))
	})
	for _, p := range keys {
		for _, oid := range lists[p] {
			if err := index.Put(indexKey(p.field, p.value, uint64(oid)), headers[oid-1].iri); err != nil {
				return fmt.Errorf("index %s: %w", headers[oid-1].iri, err)
			}
		}
	}
	for _, r := range headers {
		if err := objects.Put(r.iri, r.header); err != nil {
			return fmt.Errorf("object %s: %w", r.iri, err)
		}
	}
	meta := tx.Bucket(bMeta)
	if err := meta.Put(mOID, binary.BigEndian.AppendUint64(nil, uint64(len(headers)))); err != nil {
		return err
	}
	return meta.Put(mCompact, []byte{1}) // the pages freed here go with a compaction (compact.go)
}
