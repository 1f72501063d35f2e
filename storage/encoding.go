package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// The on-disk encodings. Every value starts with a format byte so that a
// later schema can change one without guessing.
//
// Record formats: 1 is the envelope and the body; 2 adds the provenance of a
// remote version (actor, time received) after the key. A record without
// provenance is still written in format 1, so local records are unchanged.
const (
	recordFormat           byte = 1
	recordFormatProvenance byte = 2
	// Header formats: 1 (schema ≤ 6) ends with the postings; 2 (schema 7)
	// adds the object's order number after them.
	headerFormatV1 byte = 1
	headerFormat   byte = 2

	flagDeleted byte = 1 << 0
	// flagSigned: the record carries the version's JWS and this node's
	// verification (JSON) after the provenance, before the body.
	flagSigned byte = 1 << 1
)

var errCorrupt = errors.New("corrupt value")

// appendStr appends uvarint(len(s)) and s.
func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBE64(b []byte, n uint64) []byte { return binary.BigEndian.AppendUint64(b, n) }

func be64(n uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n) }

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// reader decodes the primitives above from a byte slice; the first error
// sticks and every later read returns zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

// bytes returns a length-prefixed byte string, aliasing the input.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) str() string { return string(r.bytes()) }

func (r *reader) time() time.Time {
	sec := r.varint()
	nsec := r.uvarint()
	if r.err != nil || nsec >= 1e9 {
		r.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// encodeRecord encodes one version: the envelope, then the body verbatim.
func encodeRecord(o *protocol.Object) []byte {
	provenance := o.Actor != "" || !o.Received.IsZero()
	b := make([]byte, 0, 80+len(o.IRI)+len(o.ID)+len(o.Type)+len(o.Origin)+len(o.Key)+len(o.Actor)+len(o.Body))
	if provenance {
		b = append(b, recordFormatProvenance)
	} else {
		b = append(b, recordFormat)
	}
	var flags byte
	if o.Deleted {
		flags |= flagDeleted
	}
	var verification []byte
	if len(o.JWS) > 0 || o.Verification != nil {
		flags |= flagSigned
		if o.Verification != nil {
			verification, _ = json.Marshal(o.Verification) // plain struct: cannot fail
		}
		b = slices.Grow(b, len(o.JWS)+len(verification)+8)
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, o.Version)
	b = appendTime(b, o.Created)
	b = appendTime(b, o.Updated)
	b = appendStr(b, o.IRI)
	b = appendStr(b, o.ID)
	b = appendStr(b, string(o.Type))
	b = appendStr(b, o.Origin)
	b = appendStr(b, o.Key)
	if provenance {
		b = appendStr(b, o.Actor)
		b = appendTime(b, o.Received)
	}
	if flags&flagSigned != 0 {
		b = appendStr(b, string(o.JWS))
		b = appendStr(b, string(verification))
	}
	return append(b, o.Body...)
}

// decodeRecord decodes a version record. The result owns its memory (it is
// safe to use after the transaction ends).
func decodeRecord(v []byte) (protocol.Object, error) { return decodeRecordBody(v, true) }

// decodeRecordMeta decodes a version record's envelope only.
func decodeRecordMeta(v []byte) (protocol.Object, error) { return decodeRecordBody(v, false) }

func decodeRecordBody(v []byte, withBody bool) (protocol.Object, error) {
	var o protocol.Object
	r := reader{b: v}
	f := r.byte()
	if r.err == nil && f != recordFormat && f != recordFormatProvenance {
		return o, fmt.Errorf("%w: unknown record format %d", errCorrupt, f)
	}
	flags := r.byte()
	o.Deleted = flags&flagDeleted != 0
	o.Version = r.uvarint()
	o.Created = r.time()
	o.Updated = r.time()
	o.IRI = r.str()
	o.ID = r.str()
	o.Type = protocol.Kind(r.str())
	o.Origin = r.str()
	o.Key = r.str()
	if f == recordFormatProvenance {
		o.Actor = r.str()
		if o.Received = r.time(); o.Received.IsZero() {
			o.Received = time.Time{} // the zero time, without a location
		}
	}
	if flags&flagSigned != 0 {
		jws := r.bytes()
		verification := r.bytes()
		if withBody && len(jws) > 0 {
			o.JWS = append(make([]byte, 0, len(jws)), jws...)
		}
		if r.err == nil && len(verification) > 0 {
			o.Verification = new(protocol.Verification)
			if err := json.Unmarshal(verification, o.Verification); err != nil {
				return protocol.Object{}, fmt.Errorf("%w: verification: %v", errCorrupt, err)
			}
		}
	}
	if r.err != nil {
		return protocol.Object{}, r.err
	}
	if withBody && len(r.b) > 0 {
		o.Body = append(make([]byte, 0, len(r.b)), r.b...)
	}
	return o, nil
}

// Aggregate contributions an object's current version makes to its target.
const (
	aggNone     byte = 0
	aggAdoption byte = 1
	aggRating   byte = 2
)

// posting is one secondary-index entry (field, value) of an object.
type posting struct {
	field byte
	value string
}

// header is the objects-bucket value: what the store needs to know about an
// object's current version without reading its record.
type header struct {
	deleted   bool
	version   uint64 // current version
	seq       uint64 // change sequence of the current version
	agg       byte   // aggNone, aggAdoption, aggRating
	aggTarget string // the IRI adopted or rated
	rating    int64  // the rating's value (aggRating only)
	postings  []posting
	// oid is the object's order number: given once, when this node first
	// stores the object, from the meta counter "oid", and never changed.
	// Index postings are keyed by it, so that the postings of objects
	// stored together share leaves (schema 7).
	oid uint64
}

func encodeHeader(h *header) []byte {
	n := 32 + len(h.aggTarget)
	for _, p := range h.postings {
		n += 2 + len(p.value)
	}
	b := make([]byte, 0, n)
	b = append(b, headerFormat)
	var flags byte
	if h.deleted {
		flags |= flagDeleted
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, h.version)
	b = binary.AppendUvarint(b, h.seq)
	b = append(b, h.agg)
	if h.agg != aggNone {
		b = appendStr(b, h.aggTarget)
		b = binary.AppendVarint(b, h.rating)
	}
	b = binary.AppendUvarint(b, uint64(len(h.postings)))
	for _, p := range h.postings {
		b = append(b, p.field)
		b = appendStr(b, p.value)
	}
	return binary.AppendUvarint(b, h.oid)
}

func decodeHeader(v []byte) (header, error) {
	var h header
	r := reader{b: v}
	f := r.byte()
	if r.err == nil && f != headerFormat && f != headerFormatV1 {
		return h, fmt.Errorf("%w: unknown header format %d", errCorrupt, f)
	}
	h.deleted = r.byte()&flagDeleted != 0
	h.version = r.uvarint()
	h.seq = r.uvarint()
	h.agg = r.byte()
	if h.agg > aggRating {
		r.fail()
	}
	if h.agg != aggNone {
		h.aggTarget = r.str()
		h.rating = r.varint()
	}
	n := r.uvarint()
	if n > uint64(len(r.b)) { // every posting takes at least 2 bytes
		r.fail()
	}
	if r.err == nil && n > 0 {
		h.postings = make([]posting, 0, n)
		for i := uint64(0); i < n && r.err == nil; i++ {
			f := r.byte()
			h.postings = append(h.postings, posting{field: f, value: r.str()})
		}
	}
	if f == headerFormat {
		h.oid = r.uvarint()
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return header{}, r.err
	}
	return h, nil
}

// headerVersion reads only the current version of an encoded header.
func headerVersion(v []byte) (uint64, error) {
	r := reader{b: v}
	if f := r.byte(); r.err == nil && f != headerFormat && f != headerFormatV1 {
		return 0, fmt.Errorf("%w: unknown header format %d", errCorrupt, f)
	}
	r.byte()
	n := r.uvarint()
	return n, r.err
}

// headerDeleted reads only the flags of an encoded header (list scans).
func headerDeleted(v []byte) bool { return len(v) > 1 && v[1]&flagDeleted != 0 }

// versionKey is the versions-bucket key of (iri, version).
func versionKey(iri string, version uint64) []byte {
	b := make([]byte, 0, binary.MaxVarintLen64+len(iri)+8)
	return appendBE64(appendStr(b, iri), version)
}

// keysKey is the keys-bucket key of a natural key.
func keysKey(origin string, kind protocol.Kind, key string) []byte {
	b := make([]byte, 0, 2*binary.MaxVarintLen64+len(origin)+len(kind)+len(key))
	b = appendStr(b, origin)
	b = appendStr(b, string(kind))
	return append(b, key...)
}

// indexPrefix is the index-bucket prefix of every object with field=value.
func indexPrefix(field byte, value string) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(value)+8)
	return appendStr(append(b, field), value)
}

// indexKey is the index-bucket key of the posting (field, value) of the
// object with order number oid; its value is the object's IRI.
func indexKey(field byte, value string, oid uint64) []byte {
	return appendBE64(indexPrefix(field, value), oid)
}

// aggregate values: adoptions, ratings, rating sum.
func encodeAgg(a Aggregate) []byte {
	b := make([]byte, 0, 3*binary.MaxVarintLen64)
	b = binary.AppendUvarint(b, uint64(a.Adoptions))
	b = binary.AppendUvarint(b, uint64(a.Ratings))
	return binary.AppendVarint(b, int64(a.RatingSum))
}

func decodeAgg(v []byte) (Aggregate, error) {
	r := reader{b: v}
	a := Aggregate{Adoptions: int(r.uvarint()), Ratings: int(r.uvarint()), RatingSum: int(r.varint())}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return Aggregate{}, r.err
	}
	if a.Ratings > 0 {
		a.RatingMean = float64(a.RatingSum) / float64(a.Ratings)
	}
	return a, nil
}
