package storage

import (
	"encoding/binary"
	"fmt"
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
	var oid uint64
	// Headers are rewritten after the walk: a bucket must not change under
	// its own cursor.
	type rewrite struct{ iri, header []byte }
	var headers []rewrite
	err = objects.ForEach(func(k, v []byte) error {
		h, err := decodeHeader(v)
		if err != nil {
			return fmt.Errorf("object %s: %w", k, err)
		}
		oid++
		h.oid = oid
		headers = append(headers, rewrite{k, encodeHeader(&h)})
		if h.deleted {
			return nil
		}
		if err := index.Put(indexKey(fieldAll, "", oid), k); err != nil {
			return fmt.Errorf("index %s: %w", k, err)
		}
		for _, p := range h.postings {
			if err := index.Put(indexKey(p.field, p.value, oid), k); err != nil {
				return fmt.Errorf("index %s: %w", k, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range headers {
		if err := objects.Put(r.iri, r.header); err != nil {
			return fmt.Errorf("object %s: %w", r.iri, err)
		}
	}
	return tx.Bucket(bMeta).Put(mOID, binary.BigEndian.AppendUint64(nil, oid))
}
