package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Buckets schema version 3 adds: the trust layer's records.
var (
	// bSubordinates: entity id → Subordinate (JSON), for a node in anchor
	// or intermediate role.
	bSubordinates = []byte("subordinates")
	// bDrafts: draft id → Draft (JSON): co-produced versions waiting for
	// their co-signers (origin side).
	bDrafts = []byte("drafts")
	// bCosign: request id → CosignRequest (JSON): co-sign requests this
	// node received (co-signer side).
	bCosign = []byte("cosign")
)

var schemaV3Buckets = [][]byte{bSubordinates, bDrafts, bCosign}

// migrateV3 adds the trust buckets.
func migrateV3(tx *bbolt.Tx, _ time.Time) error {
	return createBuckets(tx, schemaV3Buckets)
}

// Subordinate is an entity a node in anchor or intermediate role vouches
// for: the identity it states about it and the federation keys it recorded
// at enrolment. A revoked subordinate is kept (RevokedAt set) so that its
// statements keep saying when it was revoked.
type Subordinate struct {
	EntityID      string          `json:"entity_id"`
	Name          string          `json:"name"`
	Country       string          `json:"country"`
	OrgKind       string          `json:"org_kind"`
	Role          string          `json:"role"` // leaf or intermediate
	JWKS          json.RawMessage `json:"jwks"` // its federation keys as enrolled (a JWK set)
	MaxPathLength *int            `json:"max_path_length,omitempty"`
	Permitted     []string        `json:"permitted,omitempty"` // naming constraints for an intermediate
	Excluded      []string        `json:"excluded,omitempty"`
	Enrolled      time.Time       `json:"enrolled"`
	Updated       time.Time       `json:"updated"`
	RevokedAt     time.Time       `json:"revoked_at,omitzero"`
	Reason        string          `json:"reason,omitempty"`
}

// Draft is a co-produced version waiting for its co-signers: the JWS with
// the signatures gathered so far. It becomes an object version only when
// every co-signer has signed.
type Draft struct {
	ID        string          `json:"id"`
	JWS       json.RawMessage `json:"jws"` // with the signatures gathered so far
	Cosigners []string        `json:"cosigners"`
	Signed    []string        `json:"signed"`
	Status    string          `json:"status"` // pending, published, rejected, failed
	Reason    string          `json:"reason,omitempty"`
	Created   time.Time       `json:"created"`
	Updated   time.Time       `json:"updated"`
	// Object is the version to store once every co-signer has signed (its
	// IRI, version and type are the draft's; its JWS is set then, to the
	// complete one); ExpectVersion the version it follows.
	Object        protocol.Object `json:"object"`
	ExpectVersion uint64          `json:"expect_version"`
	// Offers maps each co-signer's entity id to the Offer sent to it.
	Offers map[string]string `json:"offers"`
}

// CosignRequest is a request from another node to co-sign one of its
// drafts, as this node received it.
type CosignRequest struct {
	ID       string          `json:"id"`       // local id
	Activity string          `json:"activity"` // the Offer's IRI (de-duplication)
	Actor    string          `json:"actor"`    // the requesting node's actor
	Origin   string          `json:"origin"`   // its entity id
	IRI      string          `json:"iri"`      // the object to co-sign
	Title    string          `json:"title,omitempty"`
	JWS      json.RawMessage `json:"jws"`    // as received (the origin's signature on it)
	Status   string          `json:"status"` // pending, approved, rejected
	Reason   string          `json:"reason,omitempty"`
	Received time.Time       `json:"received"`
	Decided  time.Time       `json:"decided,omitzero"`
}

// PutSubordinate stores (or replaces) a subordinate record.
func (au Authority) PutSubordinate(ctx context.Context, sub Subordinate) error {
	s := au.s
	if sub.EntityID == "" {
		return fmt.Errorf("storage: put subordinate: %w: empty entity id", ErrInvalidObject)
	}
	return putJSON(ctx, s, "put subordinate "+sub.EntityID, bSubordinates, []byte(sub.EntityID), sub)
}

// Subordinate returns the record of entityID, or ErrNotFound.
func (au Authority) Subordinate(ctx context.Context, entityID string) (Subordinate, error) {
	s := au.s
	var sub Subordinate
	err := getJSON(ctx, s, "get subordinate "+entityID, bSubordinates, []byte(entityID), &sub)
	return sub, err
}

// Subordinates lists every subordinate record, ordered by entity id.
func (au Authority) Subordinates(ctx context.Context) ([]Subordinate, error) {
	s := au.s
	var out []Subordinate
	err := listJSON(s, ctx, "list subordinates", bSubordinates, &out)
	return out, err
}

// PutDraft stores (or replaces) a draft.
func (cs Cosigning) PutDraft(ctx context.Context, d Draft) error {
	s := cs.s
	if d.ID == "" {
		return fmt.Errorf("storage: put draft: %w: empty id", ErrInvalidObject)
	}
	return putJSON(ctx, s, "put draft "+d.ID, bDrafts, []byte(d.ID), d)
}

// Draft returns the draft id, or ErrNotFound.
func (cs Cosigning) Draft(ctx context.Context, id string) (Draft, error) {
	s := cs.s
	var d Draft
	err := getJSON(ctx, s, "get draft "+id, bDrafts, []byte(id), &d)
	return d, err
}

// Drafts lists every draft, oldest id first.
func (cs Cosigning) Drafts(ctx context.Context) ([]Draft, error) {
	s := cs.s
	var out []Draft
	err := listJSON(s, ctx, "list drafts", bDrafts, &out)
	return out, err
}

// PutCosignRequest replaces a received co-sign request (a decision on
// it), keeping its index entries current.
func (cs Cosigning) PutCosignRequest(ctx context.Context, r CosignRequest) error {
	s := cs.s
	if r.ID == "" {
		return fmt.Errorf("storage: put cosign request: %w: empty id", ErrInvalidObject)
	}
	val, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("storage: put cosign request %s: encode: %w", r.ID, err)
	}
	_, err = s.submit(ctx, "put cosign request "+r.ID, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		if err := putCosign(ov, r, val); err != nil {
			return 0, err
		}
		return 0, ov.flush()
	})
	return err
}

// ErrQuota: a signer already has as many pending co-sign requests here as
// it may (see AddCosignRequest).
var ErrQuota = errors.New("quota reached")

// AddCosignRequest stores a new co-sign request unless one was already
// stored for the same Offer (it then returns that one and false) or its
// origin already has quota pending requests (ErrQuota). The work is O(log n)
// in the requests stored, plus the origin's pending ones (at most quota).
func (cs Cosigning) AddCosignRequest(ctx context.Context, r CosignRequest, quota int) (CosignRequest, bool, error) {
	s := cs.s
	if r.ID == "" || r.Activity == "" || r.Origin == "" {
		return CosignRequest{}, false, fmt.Errorf("storage: add cosign request: %w: id, activity and origin are required", ErrInvalidObject)
	}
	val, err := json.Marshal(r)
	if err != nil {
		return CosignRequest{}, false, fmt.Errorf("storage: add cosign request %s: encode: %w", r.ID, err)
	}
	var held CosignRequest
	added := false
	_, err = s.submit(ctx, "add cosign request "+r.ID, 1, func(tx *bbolt.Tx) (uint64, error) {
		added = false
		ov := newOverlay(tx)
		if id := ov.get(bCosignIdx, cosignActivityKey(r.Activity)); id != nil {
			if raw := ov.get(bCosign, id); raw != nil && json.Unmarshal(raw, &held) == nil {
				return 0, nil
			}
		}
		prefix := cosignPendingPrefix(r.Origin)
		n := 0
		c := tx.Bucket(bCosignIdx).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if n++; n >= quota {
				return 0, fmt.Errorf("storage: add cosign request from %s: %w: %d requests pending", r.Origin, ErrQuota, n)
			}
		}
		if err := putCosign(ov, r, val); err != nil {
			return 0, err
		}
		held, added = r, true
		return 0, ov.flush()
	})
	if err != nil {
		return CosignRequest{}, false, err
	}
	return held, added, nil
}

// ExpirePendingCosign marks every request still pending that was received
// before cutoff as expired, and returns how many.
func (cs Cosigning) ExpirePendingCosign(ctx context.Context, cutoff time.Time, reason string) (int, error) {
	s := cs.s
	n := 0
	_, err := s.submit(ctx, "expire cosign requests", 1, func(tx *bbolt.Tx) (uint64, error) {
		n = 0
		ov := newOverlay(tx)
		prefix := []byte(cosignPending) // every origin's pending requests
		c := tx.Bucket(bCosignIdx).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := k[bytes.LastIndexByte(k, 0)+1:]
			var r CosignRequest
			if err := json.Unmarshal(tx.Bucket(bCosign).Get(id), &r); err != nil {
				return 0, fmt.Errorf("storage: expire cosign request %s: %w: %v", id, errCorrupt, err)
			}
			if !r.Received.Before(cutoff) {
				continue
			}
			r.Status, r.Reason, r.Decided = CosignExpired, reason, s.now().UTC()
			val, err := json.Marshal(r)
			if err != nil {
				return 0, err
			}
			if err := putCosign(ov, r, val); err != nil {
				return 0, err
			}
			n++
		}
		return 0, ov.flush()
	})
	return n, err
}

// CosignExpired is the status of a request nobody decided on in time.
const CosignExpired = "expired"

// putCosign writes r (encoded as val) and moves its index entries from
// those of the version it replaces.
func putCosign(ov *overlay, r CosignRequest, val []byte) error {
	if old := ov.get(bCosign, []byte(r.ID)); old != nil {
		var prev CosignRequest
		if err := json.Unmarshal(old, &prev); err != nil {
			return fmt.Errorf("storage: put cosign request %s: %w: %v", r.ID, errCorrupt, err)
		}
		for key := range cosignIndexEntries(prev) {
			ov.del(bCosignIdx, []byte(key))
		}
	}
	ov.put(bCosign, []byte(r.ID), val)
	for key, v := range cosignIndexEntries(r) {
		ov.put(bCosignIdx, []byte(key), v)
	}
	return nil
}

// Key prefixes of bCosignIdx.
const (
	cosignByActivity = "a\x00"
	cosignPending    = "p\x00"
)

func cosignActivityKey(activity string) []byte { return []byte(cosignByActivity + activity) }

func cosignPendingPrefix(origin string) []byte { return []byte(cosignPending + origin + "\x00") }

// cosignIndexEntries are the index entries of r.
func cosignIndexEntries(r CosignRequest) map[string][]byte {
	m := map[string][]byte{}
	if r.Activity != "" {
		m[string(cosignActivityKey(r.Activity))] = []byte(r.ID)
	}
	if r.Status == "pending" && r.Origin != "" {
		m[string(cosignPendingPrefix(r.Origin))+r.ID] = []byte{}
	}
	return m
}

// CosignRequest returns the request id, or ErrNotFound.
func (cs Cosigning) CosignRequest(ctx context.Context, id string) (CosignRequest, error) {
	s := cs.s
	var r CosignRequest
	err := getJSON(ctx, s, "get cosign request "+id, bCosign, []byte(id), &r)
	return r, err
}

// CosignRequests lists every received request, oldest id first.
func (cs Cosigning) CosignRequests(ctx context.Context) ([]CosignRequest, error) {
	s := cs.s
	var out []CosignRequest
	err := listJSON(s, ctx, "list cosign requests", bCosign, &out)
	return out, err
}

func putJSON(ctx context.Context, s *Store, what string, bucket, key []byte, v any) error {
	val, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("storage: %s: encode: %w", what, err)
	}
	if len(key) > 4096 {
		return fmt.Errorf("storage: %s: %w: key longer than 4096 bytes", what, ErrInvalidObject)
	}
	_, err = s.submit(ctx, what, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		ov.put(bucket, bytes.Clone(key), val)
		return 0, ov.flush()
	})
	return err
}

func getJSON(ctx context.Context, s *Store, what string, bucket, key []byte, v any) error {
	return s.view(ctx, what, func(tx *bbolt.Tx) error {
		raw := tx.Bucket(bucket).Get(key)
		if raw == nil {
			return fmt.Errorf("storage: %s: %w", what, ErrNotFound)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("storage: %s: %w: %v", what, errCorrupt, err)
		}
		return nil
	})
}

func listJSON[T any](s *Store, ctx context.Context, what string, bucket []byte, out *[]T) error {
	return s.view(ctx, what, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, raw []byte) error {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("storage: %s: %s: %w: %v", what, k, errCorrupt, err)
			}
			*out = append(*out, v)
			return nil
		})
	})
}

// SetVerification replaces the verification recorded with version ver of
// iri, which must still be its current version (ErrConflict otherwise),
// after the trust layer judged it again (a signer revoked, or enrolled
// since). The object's entry moves to the end of the change log, so the
// search index picks up its new status.
func (s *Store) SetVerification(ctx context.Context, iri string, ver uint64, v *protocol.Verification) error {
	what := "set verification of " + iri
	_, err := s.submit(ctx, what, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		hv := ov.get(bObjects, []byte(iri))
		if hv == nil {
			return 0, fmt.Errorf("storage: %s: %w", what, ErrNotFound)
		}
		h, err := decodeHeader(hv)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		if h.version != ver {
			return 0, fmt.Errorf("storage: %s: %w: version %d is current, not %d", what, ErrConflict, h.version, ver)
		}
		vk := versionKey(iri, ver)
		o, err := decodeRecord(ov.get(bVersions, vk))
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		o.Verification = v
		seq := binary.BigEndian.Uint64(ov.get(bMeta, mSeq)) + 1
		ov.del(bChanges, be64(h.seq))
		h.seq = seq
		ov.put(bObjects, []byte(iri), encodeHeader(&h))
		ov.put(bVersions, vk, encodeRecord(&o))
		putVerdict(ov, h.oid, &o)
		ov.put(bChanges, be64(seq), []byte(iri))
		ov.put(bMeta, mSeq, be64(seq))
		return seq, ov.flush()
	})
	return err
}
