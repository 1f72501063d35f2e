package storage

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// bVerdicts (schema 8): be64(order number) → Verdict, for every live object
// whose current version carries a verification. Re-judging and the signer
// metrics walk it instead of every version record: at a million objects the
// records are most of a 9 GB file and each holds its verification as JSON
// after the JWS, while a verdict is a hundred-odd bytes. Keyed by order
// number, the verdicts of objects received together append to one leaf.
var bVerdicts = []byte("verdicts")

const verdictFormat byte = 1

// Verdict is what the walks that judge stored objects read of one: the
// current version's envelope and this node's verdict on it, without the
// reason, the signers' names or their paths (the record has them).
type Verdict struct {
	IRI     string
	Version uint64
	Origin  string
	Status  string    // protocol.Verified, Unverified or Invalid
	Expires time.Time // the JWS's exp
	Signers []VerdictSigner
}

// VerdictSigner is one signer of a verdict: its entity and the key it
// signed with.
type VerdictSigner struct {
	EntityID string
	Kid      string
}

// verdictOf is o's verdict, or nil when o has none to keep (a tombstone,
// or a version without a verification).
func verdictOf(o *protocol.Object) *Verdict {
	v := o.Verification
	if o.Deleted || v == nil {
		return nil
	}
	vd := &Verdict{IRI: o.IRI, Version: o.Version, Origin: o.Origin, Status: v.Status, Expires: v.Expires}
	for _, s := range v.Signers {
		vd.Signers = append(vd.Signers, VerdictSigner{EntityID: s.EntityID, Kid: s.Kid})
	}
	return vd
}

func encodeVerdict(v *Verdict) []byte {
	n := 32 + len(v.IRI) + len(v.Origin) + len(v.Status)
	for _, s := range v.Signers {
		n += 4 + len(s.EntityID) + len(s.Kid)
	}
	b := make([]byte, 0, n)
	b = append(b, verdictFormat)
	b = appendStr(b, v.IRI)
	b = binary.AppendUvarint(b, v.Version)
	b = appendStr(b, v.Origin)
	b = appendStr(b, v.Status)
	b = appendTime(b, v.Expires)
	b = binary.AppendUvarint(b, uint64(len(v.Signers)))
	for _, s := range v.Signers {
		b = appendStr(b, s.EntityID)
		b = appendStr(b, s.Kid)
	}
	return b
}

func decodeVerdict(b []byte) (Verdict, error) {
	var v Verdict
	r := reader{b: b}
	if f := r.byte(); r.err == nil && f != verdictFormat {
		return v, fmt.Errorf("%w: unknown verdict format %d", errCorrupt, f)
	}
	v.IRI = r.str()
	v.Version = r.uvarint()
	v.Origin = r.str()
	v.Status = r.str()
	v.Expires = r.time()
	n := r.uvarint()
	if n > uint64(len(r.b)) { // every signer takes at least 2 bytes
		r.fail()
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		v.Signers = append(v.Signers, VerdictSigner{EntityID: r.str(), Kid: r.str()})
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return Verdict{}, r.err
	}
	return v, nil
}

// putVerdict records o's verdict under its order number, or drops the one
// an earlier version left when o has none. A database opened at a schema
// before 8 (only the migration tests write one) keeps none: migrateV8
// fills the bucket from the records.
func putVerdict(ov *overlay, oid uint64, o *protocol.Object) {
	if ov.tx.Bucket(bVerdicts) == nil {
		return
	}
	if vd := verdictOf(o); vd != nil {
		ov.put(bVerdicts, be64(oid), encodeVerdict(vd))
	} else {
		ov.del(bVerdicts, be64(oid))
	}
}

// ForEachVerdict walks the verdicts of every live object whose current
// version carries one, in order numbers, in pages of short read
// transactions (a write may land between two pages).
func (s *Store) ForEachVerdict(ctx context.Context, fn func(Verdict) error) error {
	return walkPaged(ctx, s, "for each verdict", bVerdicts, func(_ *bbolt.Tx, k, v []byte) (Verdict, error) {
		vd, err := decodeVerdict(v)
		if err != nil {
			return vd, fmt.Errorf("verdict %x: %w", k, err)
		}
		return vd, nil
	}, fn)
}

// migrateV8 fills the verdicts bucket from the current version of every
// live object (one read of every current record, once). The verdicts are
// put in key order: bbolt splits nodes only at commit, and a node that a
// transaction fills out of order costs a shift per key.
func migrateV8(tx *bbolt.Tx, _ time.Time) error {
	b, err := tx.CreateBucketIfNotExists(bVerdicts)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bVerdicts, err)
	}
	b.FillPercent = appendFillPercent
	type entry struct {
		oid     uint64
		verdict []byte
	}
	var all []entry
	err = tx.Bucket(bObjects).ForEach(func(k, hv []byte) error {
		h, err := decodeHeader(hv)
		if err != nil {
			return fmt.Errorf("object %s: %w", k, err)
		}
		if h.deleted {
			return nil
		}
		o, err := versionOf(tx, string(k), h.version, false)
		if err != nil {
			return err
		}
		if vd := verdictOf(&o); vd != nil {
			all = append(all, entry{h.oid, encodeVerdict(vd)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.oid, b.oid) })
	for _, e := range all {
		if err := b.Put(be64(e.oid), e.verdict); err != nil {
			return fmt.Errorf("verdict %d: %w", e.oid, err)
		}
	}
	return nil
}
