package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Limits on envelope fields (bytes).
const (
	maxIRILen   = 2048
	maxIDLen    = 128
	maxKeyLen   = 1024
	maxValueLen = 2048 // an indexed value
)

// WriteOp is one new version of one object.
type WriteOp struct {
	Object        protocol.Object // the new version, fully formed by the caller (IRI, ID, Type, Version, Origin, Key, Created, Updated, Deleted, Body)
	ExpectVersion uint64          // the current version the caller based this on; 0 = must not exist yet

	// Remote marks a version received from another node (its origin). It
	// replaces ExpectVersion (ignored) by the federation rule: any Version
	// above the stored one is accepted (gaps allowed: a follower may miss
	// versions), and a Version at or below it is refused with *StaleError
	// (errors.Is ErrStale) without writing anything. Object.Actor (the actor
	// that delivered it) is required; a zero Object.Received is set to the
	// store's clock. A remote tombstone may be the first version the store
	// sees, so that an older Create replayed later stays refused.
	Remote bool
	// Publish, when set, is the activity announcing this version (Create,
	// Update, Delete): it is stored, appended to the outbox and fanned out
	// to the accepted followers (one delivery per distinct shared inbox or
	// inbox) in the same transaction as the version. An empty ObjectIRI is
	// set to Object.IRI, a zero Published to Object.Updated.
	Publish *Activity
	// Entity, when set, is Object.Body already decoded and validated by
	// the caller (protocol.DecodeEntity in this process): the store uses it
	// instead of decoding the body again (the federation layer decodes a
	// remote body once, from the verified payload).
	Entity protocol.Entity
	// Jti, for a remote version, is its signature id: refused with
	// *JtiReusedError when its signer used it for another object or version,
	// else remembered until it expires, in the same transaction.
	Jti *Jti
}

// prepared is a WriteOp checked and projected outside the committer: the
// entity decoding (the expensive part) runs in the caller's goroutine.
type prepared struct {
	obj       protocol.Object
	expect    uint64
	record    []byte
	postings  []posting
	agg       byte
	aggTarget string
	rating    int64
	remote    bool
	publish   *preparedActivity
	jti       *Jti
}

// Apply stores the ops of one call atomically (all or nothing), group-
// committed with other callers, and returns the change sequence of the last
// op. Each op must be the version after ExpectVersion of an object whose
// stored current version is ExpectVersion (0: absent), else *ConflictError;
// an object whose current version is a tombstone is ErrGone; a live object's
// natural key must be free among its origin's live objects of its type, else
// *KeyExistsError. Remote ops (WriteOp.Remote) follow the federation rule
// instead: any newer version, else *StaleError; their id and natural key
// are taken only when free. Ops of one call may build on each other (create
// then update the same IRI). Apply returns only after the commit is
// durable; an error means nothing of the call was stored.
func (s *Store) Apply(ctx context.Context, ops ...WriteOp) (uint64, error) {
	if len(ops) == 0 {
		return 0, fmt.Errorf("storage: apply: %w: no ops", ErrInvalidObject)
	}
	ps, now, err := prepareOps(s, ops)
	if err != nil {
		return 0, err
	}
	what := "apply " + ops[0].Object.IRI
	if len(ops) > 1 {
		what = fmt.Sprintf("apply %d ops", len(ops))
	}
	return s.submit(ctx, what, len(ops)+publishWork(ps), func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		seq, err := planOps(ov, ps, now)
		if err != nil {
			return 0, err
		}
		return seq, ov.flush()
	})
}

// prepareOps checks and projects ops in the caller's goroutine. Remote ops
// without a time received get the store's clock (the returned now).
func prepareOps(s *Store, ops []WriteOp) ([]prepared, time.Time, error) {
	now := s.now().UTC()
	ps := make([]prepared, len(ops))
	for i := range ops {
		op := ops[i]
		if op.Remote && op.Object.Received.IsZero() {
			op.Object.Received = now
		}
		if err := prepare(&op, &ps[i]); err != nil {
			return nil, now, opError(i, len(ops), err)
		}
	}
	return ps, now, nil
}

// planOps plans prepared ops (and their activities) into ov and returns the
// new change sequence; it writes nothing to the transaction itself.
func planOps(ov *overlay, ps []prepared, now time.Time) (uint64, error) {
	seq := binary.BigEndian.Uint64(ov.get(bMeta, mSeq))
	for i := range ps {
		var err error
		if seq, err = planOp(ov, &ps[i], seq); err != nil {
			return 0, opError(i, len(ps), err)
		}
		if j := ps[i].jti; j != nil {
			if err := planJti(ov, j, ps[i].obj.IRI, ps[i].obj.Version); err != nil {
				return 0, opError(i, len(ps), err)
			}
		}
		if ps[i].publish != nil {
			if err := planPublish(ov, ps[i].publish, now); err != nil {
				return 0, opError(i, len(ps), err)
			}
		}
	}
	ov.put(bMeta, mSeq, be64(seq))
	return seq, nil
}

func opError(i, n int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("storage: op %d of %d: %w", i+1, n, err)
}

// prepare checks an op's envelope, decodes its body and computes what the
// indexes and aggregates need.
func prepare(op *WriteOp, p *prepared) error {
	o := &op.Object
	where := fmt.Sprintf("storage: put object %s version %d", o.IRI, o.Version)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s", where, ErrInvalidObject, fmt.Sprintf(format, args...))
	}
	if err := checkIRI(o.IRI); err != nil {
		return bad("iri: %v", err)
	}
	if o.ID == "" || len(o.ID) > maxIDLen || !printable(o.ID) || strings.ContainsAny(o.ID, "/ ") {
		return bad("id %q is empty, too long or not a path segment", o.ID)
	}
	if !slices.Contains(protocol.Kinds, o.Type) {
		return bad("unknown type %q", o.Type)
	}
	if err := checkIRI(o.Origin); err != nil {
		return bad("origin: %v", err)
	}
	if len(o.Key) > maxKeyLen || !printable(o.Key) {
		return bad("key is longer than %d bytes or not printable text", maxKeyLen)
	}
	switch {
	case op.Remote:
		if o.Version == 0 {
			return bad("a remote version is numbered from 1")
		}
		if o.Actor == "" || o.Received.IsZero() {
			return bad("a remote version needs its provenance (the actor that sent it, the time received)")
		}
	case o.Version != op.ExpectVersion+1:
		return bad("version %d does not follow the expected current version %d", o.Version, op.ExpectVersion)
	}
	if o.Actor != "" {
		if err := checkIRI(o.Actor); err != nil {
			return bad("actor: %v", err)
		}
	}
	*p = prepared{obj: *o, expect: op.ExpectVersion, remote: op.Remote}
	if op.Jti != nil {
		if !op.Remote || op.Jti.Iss == "" || op.Jti.ID == "" || len(op.Jti.Iss)+len(op.Jti.ID) > maxIRILen {
			return bad("a jti belongs to a remote version and needs its issuer and id (at most %d bytes)", maxIRILen)
		}
		p.jti = op.Jti
	}
	if op.Publish != nil {
		pa, err := prepareActivity(*op.Publish, o)
		if err != nil {
			return fmt.Errorf("%s: publish: %w", where, err)
		}
		p.publish = pa
	}
	if o.Deleted {
		if len(o.Body) != 0 {
			return bad("a tombstone has no body")
		}
		p.record = encodeRecord(o)
		return nil
	}
	if len(o.Body) == 0 {
		return bad("no body")
	}
	e := op.Entity
	if e == nil {
		var err error
		if e, err = decodeEntity(o.Body); err != nil {
			return fmt.Errorf("%s: %w: %w", where, ErrInvalidObject, err)
		}
	}
	if e.Kind() != o.Type {
		return bad("the body is a %s, the envelope says %s", e.Kind(), o.Type)
	}
	if k := e.NaturalKey(); k != o.Key {
		return bad("the envelope key %q is not the body's key %q", o.Key, k)
	}
	doc := e.Index()
	var err error
	if p.postings, err = postingsOf(o, &doc); err != nil {
		return bad("%v", err)
	}
	switch o.Type {
	case protocol.KindAdoption:
		p.agg, p.aggTarget = aggAdoption, doc.Target
	case protocol.KindRating:
		v, ok := ratingValue(e)
		if !ok {
			return bad("the rating body has no value")
		}
		p.agg, p.aggTarget, p.rating = aggRating, doc.Target, int64(v)
	}
	if p.agg != aggNone && p.aggTarget == "" {
		return bad("the %s has no target", o.Type)
	}
	p.record = encodeRecord(o)
	return nil
}

func ratingValue(e protocol.Entity) (int, bool) {
	switch r := e.(type) {
	case *protocol.Rating:
		return r.Value, true
	}
	return 0, false
}

// postingsOf lists the secondary-index entries of a live version, sorted and
// without duplicates.
func postingsOf(o *protocol.Object, d *protocol.IndexDoc) ([]posting, error) {
	ps := []posting{{fieldType, string(o.Type)}, {fieldOrigin, o.Origin}}
	add := func(f byte, vs ...string) {
		for _, v := range vs {
			if v != "" {
				ps = append(ps, posting{f, v})
			}
		}
	}
	add(fieldNature, d.Nature)
	add(fieldLanguage, d.Languages...)
	add(fieldProblemProfile, d.ProblemProfiles...)
	add(fieldLicence, d.LicenceCategory)
	add(fieldScope, d.Scopes...)
	add(fieldCountry, d.Country)
	add(fieldTarget, d.Target)
	for _, p := range ps {
		if len(p.value) > maxValueLen {
			return nil, fmt.Errorf("an indexed value is longer than %d bytes", maxValueLen)
		}
	}
	slices.SortFunc(ps, func(a, b posting) int {
		if a.field != b.field {
			return int(a.field) - int(b.field)
		}
		return strings.Compare(a.value, b.value)
	})
	return slices.Compact(ps), nil
}

// planOp checks one prepared op against the state the overlay shows and, if
// every check passes, records its writes in the overlay. It returns the new
// change sequence.
func planOp(ov *overlay, p *prepared, seq uint64) (uint64, error) {
	o := &p.obj
	iri := []byte(o.IRI)
	where := fmt.Sprintf("storage: put object %s version %d", o.IRI, o.Version)

	var cur header
	hv := ov.get(bObjects, iri)
	exists := hv != nil
	if exists {
		var err error
		if cur, err = decodeHeader(hv); err != nil {
			return seq, fmt.Errorf("%s: read current header: %w", where, err)
		}
		if p.remote && o.Version <= cur.version {
			return seq, &StaleError{IRI: o.IRI, Have: cur.version, Got: o.Version}
		}
		if cur.deleted {
			return seq, fmt.Errorf("%s: %w (deleted at version %d)", where, ErrGone, cur.version)
		}
	}
	if !p.remote && cur.version != p.expect {
		return seq, &ConflictError{IRI: o.IRI, Want: p.expect, Have: cur.version}
	}
	if ov.get(bVersions, versionKey(o.IRI, o.Version)) != nil {
		return seq, fmt.Errorf("%s: %w: the version already exists (versions are immutable)", where, ErrConflict)
	}
	var prev protocol.Object
	if exists {
		rv := ov.get(bVersions, versionKey(o.IRI, cur.version))
		if rv == nil {
			return seq, fmt.Errorf("%s: current version %d record missing: %w", where, cur.version, errCorrupt)
		}
		var err error
		if prev, err = decodeRecordMeta(rv); err != nil {
			return seq, fmt.Errorf("%s: read version %d: %w", where, cur.version, err)
		}
		if prev.Type != o.Type || prev.Origin != o.Origin || prev.ID != o.ID || prev.IRI != o.IRI {
			return seq, fmt.Errorf("%s: %w: type, origin, id and iri cannot change across versions (stored %s %s %s)",
				where, ErrInvalidObject, prev.Type, prev.Origin, prev.ID)
		}
	}
	// A remote object takes its id and natural key only when they are free:
	// another node's (or a stale copy's) claim must not block it, and it
	// must not block anyone. Local objects must own both.
	claimID := !exists
	if owner := ov.get(bIDs, []byte(o.ID)); claimID && owner != nil && string(owner) != o.IRI {
		if !p.remote {
			return seq, fmt.Errorf("%s: %w: id %s already names %s", where, ErrConflict, o.ID, owner)
		}
		claimID = false
	}
	var newKey []byte
	if !o.Deleted && o.Key != "" {
		newKey = keysKey(o.Origin, o.Type, o.Key)
		if owner := ov.get(bKeys, newKey); owner != nil && string(owner) != o.IRI {
			if !p.remote {
				return seq, &KeyExistsError{Origin: o.Origin, Type: o.Type, Key: o.Key, IRI: string(owner)}
			}
			newKey = nil
		}
	}

	// Every check passed: record the writes.
	seq++
	if exists {
		if !cur.deleted {
			ov.del(bIndex, indexKey(fieldAll, "", cur.oid))
		}
		for _, pst := range cur.postings {
			ov.del(bIndex, indexKey(pst.field, pst.value, cur.oid))
		}
		if err := addAgg(ov, cur.agg, cur.aggTarget, cur.rating, -1); err != nil {
			return seq, fmt.Errorf("%s: %w", where, err)
		}
		if prev.Key != "" {
			k := keysKey(prev.Origin, prev.Type, prev.Key)
			if string(ov.get(bKeys, k)) == o.IRI {
				ov.del(bKeys, k)
			}
		}
		ov.del(bChanges, be64(cur.seq))
	}
	if claimID {
		ov.put(bIDs, []byte(o.ID), iri)
	}
	h := header{deleted: o.Deleted, version: o.Version, seq: seq, oid: cur.oid}
	if !exists {
		h.oid = nextOID(ov)
	}
	if !o.Deleted {
		h.postings = p.postings
		h.agg, h.aggTarget, h.rating = p.agg, p.aggTarget, p.rating
		ov.put(bIndex, indexKey(fieldAll, "", h.oid), iri)
		for _, pst := range p.postings {
			ov.put(bIndex, indexKey(pst.field, pst.value, h.oid), iri)
		}
		if err := addAgg(ov, p.agg, p.aggTarget, p.rating, +1); err != nil {
			return seq, fmt.Errorf("%s: %w", where, err)
		}
		if newKey != nil {
			ov.put(bKeys, newKey, iri)
		}
	}
	switch {
	case !exists && !o.Deleted:
		addCount(ov, o.Type, +1)
	case exists && o.Deleted:
		addCount(ov, o.Type, -1)
	}
	ov.put(bObjects, iri, encodeHeader(&h))
	ov.put(bVersions, versionKey(o.IRI, o.Version), p.record)
	putVerdict(ov, h.oid, o)
	ov.put(bChanges, be64(seq), iri)
	return seq, nil
}

func addCount(ov *overlay, kind protocol.Kind, delta int64) {
	k := []byte(countPrefix + string(kind))
	var n uint64
	if v := ov.get(bMeta, k); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n = uint64(int64(n) + delta)
	ov.put(bMeta, k, be64(n))
}

// addAgg adds (sign +1) or removes (sign -1) an object's contribution to its
// target's aggregate.
func addAgg(ov *overlay, agg byte, target string, rating int64, sign int) error {
	if agg == aggNone {
		return nil
	}
	k := []byte(target)
	var a Aggregate
	if v := ov.get(bAggs, k); v != nil {
		var err error
		if a, err = decodeAgg(v); err != nil {
			return fmt.Errorf("read aggregate of %s: %w", target, err)
		}
	}
	switch agg {
	case aggAdoption:
		a.Adoptions += sign
	case aggRating:
		a.Ratings += sign
		a.RatingSum += sign * int(rating)
	}
	if a.Adoptions < 0 || a.Ratings < 0 {
		return fmt.Errorf("aggregate of %s would go negative: %w", target, errCorrupt)
	}
	if a.Adoptions == 0 && a.Ratings == 0 {
		ov.del(bAggs, k)
		return nil
	}
	ov.put(bAggs, k, encodeAgg(a))
	return nil
}

// checkIRI accepts an absolute http(s) URL of printable characters.
func checkIRI(s string) error {
	if s == "" {
		return fmt.Errorf("empty")
	}
	if len(s) > maxIRILen {
		return fmt.Errorf("longer than %d bytes", maxIRILen)
	}
	if !printable(s) || strings.ContainsAny(s, " ") {
		return fmt.Errorf("%q contains spaces, control characters or invalid UTF-8", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// nextOID takes the next order number from the meta counter (the overlay
// shows the numbers earlier writes of the same batch took).
func nextOID(ov *overlay) uint64 {
	var n uint64
	if v := ov.get(bMeta, mOID); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	ov.put(bMeta, mOID, be64(n))
	return n
}
