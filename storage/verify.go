package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Verify checks the database's invariants in one read transaction: every
// object's versions are complete and consistent, and the derived state
// (ids, natural keys, secondary indexes, counters, aggregates, change log)
// equals what the objects imply. It decodes every live body, so it takes
// time proportional to the catalogue: a diagnostic (after a crash, a
// restore, in tests), not something to run per request. It returns every
// violation found (errors.Join), or nil.
func (s *Store) Verify(ctx context.Context) error {
	var problems []error
	err := s.view(ctx, "verify", func(tx *bbolt.Tx) error {
		var err error
		problems, err = verifyTx(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("storage: verify %s: %d problems: %w", s.path, len(problems), errors.Join(problems...))
	}
	return nil
}

// verifyTx checks the invariants in tx and returns the violations (at most
// 100). It may panic on a damaged file; callers reading untrusted files
// recover.
func verifyTx(ctx context.Context, tx *bbolt.Tx) ([]error, error) {
	var problems []error
	report := func(format string, args ...any) {
		if len(problems) < 100 {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	for _, name := range slices.Concat(schemaV1Buckets, schemaV2Buckets) {
		if tx.Bucket(name) == nil {
			return []error{fmt.Errorf("bucket %s is missing", name)}, nil
		}
	}
	if v := tx.Bucket(bMeta).Get(mSeq); len(v) != 8 {
		return []error{fmt.Errorf("meta seq is missing")}, nil
	}
	err := func() error {
		wantIndex := map[string]string{} // index key → IRI
		oids := map[uint64]string{}
		wantVerdicts := map[string]string{} // be64(order number) → encoded verdict
		var lastOID uint64
		if v := tx.Bucket(bMeta).Get(mOID); len(v) == 8 {
			lastOID = binary.BigEndian.Uint64(v)
		}
		wantKeys := map[string]string{}
		wantAggs := map[string]Aggregate{}
		wantCounts := map[protocol.Kind]uint64{}
		wantChanges := map[uint64]string{}
		var nVersions, nObjects, nOwnedIDs int
		lastSeq := binary.BigEndian.Uint64(tx.Bucket(bMeta).Get(mSeq))
		versions := tx.Bucket(bVersions)
		ids := tx.Bucket(bIDs)

		err := tx.Bucket(bObjects).ForEach(func(k, hv []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			nObjects++
			iri := string(k)
			h, err := decodeHeader(hv)
			if err != nil {
				report("object %s: header: %v", iri, err)
				return nil
			}
			switch other, dup := oids[h.oid]; {
			case h.oid == 0 || h.oid > lastOID:
				report("object %s: order number %d outside 1..%d", iri, h.oid, lastOID)
			case dup:
				report("object %s: order number %d is also %s's", iri, h.oid, other)
			default:
				oids[h.oid] = iri
			}
			// Versions are numbered 1, 2, ... without gaps, except that a
			// remote version (one with a time received) may follow a gap:
			// a follower can miss versions.
			var cur protocol.Object
			var prevV uint64
			prefix := appendStr(nil, iri)
			vc := versions.Cursor()
			for k, rv := vc.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, rv = vc.Next() {
				if len(k) != len(prefix)+8 {
					continue // not a version key (cannot happen: str() is prefix-free); be safe
				}
				v := binary.BigEndian.Uint64(k[len(prefix):])
				if v == 0 || v > h.version {
					report("object %s: version %d outside 1..%d", iri, v, h.version)
					continue
				}
				nVersions++
				o, err := decodeRecord(rv)
				if err != nil {
					report("object %s version %d: %v", iri, v, err)
					continue
				}
				if o.IRI != iri || o.Version != v {
					report("object %s version %d: record says %s version %d", iri, v, o.IRI, o.Version)
				}
				if v != prevV+1 && o.Received.IsZero() {
					report("object %s: version %d of %d missing", iri, prevV+1, h.version)
				}
				if v < h.version && o.Deleted {
					report("object %s: version %d is a tombstone but not the last", iri, v)
				}
				if prevV > 0 && (o.Type != cur.Type || o.Origin != cur.Origin || o.ID != cur.ID) {
					report("object %s: version %d changes type, origin or id", iri, v)
				}
				cur, prevV = o, v
			}
			if prevV != h.version {
				report("object %s: current version %d missing", iri, h.version)
			}
			if cur.Version != h.version {
				return nil
			}
			if cur.Deleted != h.deleted {
				report("object %s: header deleted=%v, record deleted=%v", iri, h.deleted, cur.Deleted)
			}
			if vd := verdictOf(&cur); vd != nil {
				wantVerdicts[string(be64(h.oid))] = string(encodeVerdict(vd))
			}
			// A remote object (its current version has a time received) may
			// leave its id and natural key to the object that holds them.
			remote := !cur.Received.IsZero()
			switch got := ids.Get([]byte(cur.ID)); {
			case string(got) == iri:
				nOwnedIDs++
			case remote && got != nil:
			default:
				report("object %s: id %s maps to %q", iri, cur.ID, got)
			}
			if h.seq == 0 || h.seq > lastSeq {
				report("object %s: change seq %d outside 1..%d", iri, h.seq, lastSeq)
			}
			wantChanges[h.seq] = iri
			if cur.Deleted {
				if len(h.postings) != 0 || h.agg != aggNone {
					report("object %s: a tombstone with index postings or an aggregate contribution", iri)
				}
				return nil
			}
			wantCounts[cur.Type]++
			var p prepared
			if err := prepare(&WriteOp{Object: cur, ExpectVersion: cur.Version - 1}, &p); err != nil {
				report("object %s: current version does not validate: %v", iri, err)
				return nil
			}
			if !slices.Equal(p.postings, h.postings) {
				report("object %s: header postings %v, body implies %v", iri, h.postings, p.postings)
			}
			wantIndex[string(indexKey(fieldAll, "", h.oid))] = iri
			for _, pst := range p.postings {
				wantIndex[string(indexKey(pst.field, pst.value, h.oid))] = iri
			}
			if p.agg != h.agg || p.aggTarget != h.aggTarget || p.rating != h.rating {
				report("object %s: header aggregate contribution differs from the body's", iri)
			}
			switch p.agg {
			case aggAdoption:
				a := wantAggs[p.aggTarget]
				a.Adoptions++
				wantAggs[p.aggTarget] = a
			case aggRating:
				a := wantAggs[p.aggTarget]
				a.Ratings++
				a.RatingSum += int(p.rating)
				wantAggs[p.aggTarget] = a
			}
			if cur.Key != "" {
				k := keysKey(cur.Origin, cur.Type, cur.Key)
				if !remote || string(tx.Bucket(bKeys).Get(k)) == iri {
					wantKeys[string(k)] = iri
				}
			}
			return nil
		})
		if err != nil {
			return err
		}

		n := 0
		_ = versions.ForEach(func([]byte, []byte) error { n++; return nil })
		if n != nVersions {
			report("versions bucket has %d records, objects account for %d", n, nVersions)
		}
		n = 0
		_ = ids.ForEach(func([]byte, []byte) error { n++; return nil })
		if n != nOwnedIDs {
			report("ids bucket has %d entries for %d objects that own their id (of %d)", n, nOwnedIDs, nObjects)
		}
		_ = tx.Bucket(bIndex).ForEach(func(k, v []byte) error {
			switch want, ok := wantIndex[string(k)]; {
			case !ok:
				report("stray index entry %q", k)
			case want != string(v):
				report("index entry %q names %s, not %s", k, v, want)
			}
			delete(wantIndex, string(k))
			return nil
		})
		for k := range wantIndex {
			report("missing index entry %q", k)
		}
		if b := tx.Bucket(bVerdicts); b != nil {
			_ = b.ForEach(func(k, v []byte) error {
				switch want, ok := wantVerdicts[string(k)]; {
				case !ok:
					report("stray verdict %x", k)
				case want != string(v):
					report("verdict %x differs from its record's verification", k)
				}
				delete(wantVerdicts, string(k))
				return nil
			})
			for k := range wantVerdicts {
				report("verdict %x missing", k)
			}
		}
		_ = tx.Bucket(bKeys).ForEach(func(k, v []byte) error {
			if wantKeys[string(k)] != string(v) {
				report("natural key %q maps to %s, want %q", k, v, wantKeys[string(k)])
			}
			delete(wantKeys, string(k))
			return nil
		})
		for k, iri := range wantKeys {
			report("natural key %q of %s missing", k, iri)
		}
		_ = tx.Bucket(bAggs).ForEach(func(k, v []byte) error {
			a, err := decodeAgg(v)
			want := wantAggs[string(k)]
			if err != nil || a.Adoptions != want.Adoptions || a.Ratings != want.Ratings || a.RatingSum != want.RatingSum {
				report("aggregate of %s is %+v (%v), objects imply %+v", k, a, err, want)
			}
			delete(wantAggs, string(k))
			return nil
		})
		for k, a := range wantAggs {
			report("aggregate of %s missing (objects imply %+v)", k, a)
		}
		c := tx.Bucket(bMeta).Cursor()
		seen := map[protocol.Kind]bool{}
		for k, v := c.Seek([]byte(countPrefix)); k != nil && bytes.HasPrefix(k, []byte(countPrefix)); k, v = c.Next() {
			kind := protocol.Kind(k[len(countPrefix):])
			seen[kind] = true
			if len(v) != 8 || binary.BigEndian.Uint64(v) != wantCounts[kind] {
				report("counter of %s is %x, objects imply %d", kind, v, wantCounts[kind])
			}
		}
		for kind, n := range wantCounts {
			if !seen[kind] {
				report("counter of %s missing (objects imply %d)", kind, n)
			}
		}
		_ = tx.Bucket(bChanges).ForEach(func(k, v []byte) error {
			if len(k) != 8 || wantChanges[binary.BigEndian.Uint64(k)] != string(v) {
				report("stray change %x → %s", k, v)
			}
			delete(wantChanges, binary.BigEndian.Uint64(k))
			return nil
		})
		for seq, iri := range wantChanges {
			report("change %d of %s missing", seq, iri)
		}
		if err := verifyFederation(ctx, tx, report); err != nil {
			return err
		}
		if tx.Bucket(bUsers) != nil { // schema 5; an older backup is migrated at open
			for _, p := range verifyAccountsTx(tx) {
				report("%w", p)
			}
		}
		return nil
	}()
	return problems, err
}
