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
)

// Buckets schema version 4 adds: what a receiver remembers to refuse a
// replayed signature and to keep the evidence of a signer that signed two
// histories, and the index that bounds co-signing requests.
var (
	// bJtis: iss "\x00" jti → sub "\x00" be64(ver) be64(exp, Unix s): the
	// signature ids of the remote versions this node stored, kept until
	// the signature expires (a jti is used once per signer).
	bJtis = []byte("jtis")
	// bJtiExp: be64(exp, Unix s) iss "\x00" jti → nil: the expiry order
	// pruning follows.
	bJtiExp = []byte("jti_exp")
	// bEquivocations: iri "\x00" be64(ver) be64(detected, Unix ns) →
	// Equivocation (JSON).
	bEquivocations = []byte("equivocations")
	// bCosignIdx: "a\x00" activity → request id (de-duplication);
	// "p\x00" origin "\x00" request id → nil while the request is pending
	// (the per-signer quota).
	bCosignIdx = []byte("cosign_idx")
)

var schemaV4Buckets = [][]byte{bJtis, bJtiExp, bEquivocations, bCosignIdx}

// migrateV4 adds the evidence buckets and indexes the co-sign requests
// already stored.
func migrateV4(tx *bbolt.Tx, _ time.Time) error {
	if err := createBuckets(tx, schemaV4Buckets); err != nil {
		return err
	}
	idx := tx.Bucket(bCosignIdx)
	return tx.Bucket(bCosign).ForEach(func(k, raw []byte) error {
		var r CosignRequest
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("index cosign request %s: %w: %v", k, errCorrupt, err)
		}
		for key, val := range cosignIndexEntries(r) {
			if err := idx.Put([]byte(key), val); err != nil {
				return fmt.Errorf("index cosign request %s: %w", k, err)
			}
		}
		return nil
	})
}

// ErrJtiReused: a remote version's signature id (jti) was already used by
// the same signer for another object or version (see JtiReusedError).
var ErrJtiReused = errors.New("signature id already used")

// JtiReusedError reports a jti seen before for another version.
type JtiReusedError struct {
	Iss, Jti string
	// Sub and Ver are the version that used it first.
	Sub string
	Ver uint64
}

func (e *JtiReusedError) Error() string {
	return fmt.Sprintf("storage: %s used jti %q before, for %s version %d: %v", e.Iss, e.Jti, e.Sub, e.Ver, ErrJtiReused)
}

// Is makes errors.Is(err, ErrJtiReused) hold.
func (e *JtiReusedError) Is(target error) bool { return target == ErrJtiReused }

// Jti is a remote version's signature id, remembered until Exp (WriteOp.Jti).
type Jti struct {
	Iss, ID string
	Exp     time.Time
}

func jtiKey(iss, jti string) []byte { return append(append([]byte(iss), 0), jti...) }

// planJti refuses a jti its signer used for another version, and records it.
func planJti(ov *overlay, j *Jti, sub string, ver uint64) error {
	key := jtiKey(j.Iss, j.ID)
	if v := ov.get(bJtis, key); v != nil {
		i := bytes.IndexByte(v, 0)
		if i < 0 || len(v) != i+17 {
			return fmt.Errorf("storage: jti %q of %s: %w", j.ID, j.Iss, errCorrupt)
		}
		heldSub, heldVer := string(v[:i]), binary.BigEndian.Uint64(v[i+1:])
		if heldSub == sub && heldVer == ver {
			return nil
		}
		return &JtiReusedError{Iss: j.Iss, Jti: j.ID, Sub: heldSub, Ver: heldVer}
	}
	exp := uint64(max(j.Exp.Unix(), 0))
	val := append(append([]byte(sub), 0), be64(ver)...)
	ov.put(bJtis, key, append(val, be64(exp)...))
	ov.put(bJtiExp, append(be64(exp), key...), nil)
	return nil
}

// pruneJtis forgets at most limit jtis whose signatures expired before
// cutoff (Unix s): an expired signature is refused on its own.
func pruneJtis(tx *bbolt.Tx, cutoff uint64, limit int) (int, error) {
	byExp, jtis := tx.Bucket(bJtiExp), tx.Bucket(bJtis)
	if byExp == nil || jtis == nil {
		return 0, nil // a database pinned to an older schema (tests)
	}
	return pruneOlder(byExp, cutoff, limit, func(k []byte) error { return jtis.Delete(k[8:]) })
}

// Equivocation is the evidence that a signer signed two different versions
// with the same number of one object: both signed documents, as received.
type Equivocation struct {
	IRI      string          `json:"iri"`
	Version  uint64          `json:"version"`
	Signer   string          `json:"signer"`
	Kid      string          `json:"kid,omitempty"`
	Held     json.RawMessage `json:"held"`  // the JWS this node stored first
	Other    json.RawMessage `json:"other"` // the JWS that contradicts it
	Actor    string          `json:"actor"` // who delivered Other
	Detected time.Time       `json:"detected"`
}

// PutEquivocation keeps the evidence e; the same pair recorded twice is
// kept once. It reports whether it was new.
func (s *Store) PutEquivocation(ctx context.Context, e Equivocation) (bool, error) {
	if e.IRI == "" || e.Version == 0 || len(e.Held) == 0 || len(e.Other) == 0 {
		return false, fmt.Errorf("storage: put equivocation: %w: iri, version and both documents are required", ErrInvalidObject)
	}
	val, err := json.Marshal(e)
	if err != nil {
		return false, fmt.Errorf("storage: put equivocation: encode: %w", err)
	}
	prefix := append(append([]byte(e.IRI), 0), be64(e.Version)...)
	fresh := false
	_, err = s.submit(ctx, "put equivocation "+e.IRI, 1, func(tx *bbolt.Tx) (uint64, error) {
		fresh = false
		b := tx.Bucket(bEquivocations)
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var old Equivocation
			if json.Unmarshal(v, &old) == nil && bytes.Equal(old.Other, e.Other) {
				return 0, nil
			}
		}
		ov := newOverlay(tx)
		ov.put(bEquivocations, append(bytes.Clone(prefix), be64(nanos(e.Detected))...), val)
		fresh = true
		return 0, ov.flush()
	})
	return fresh, err
}

// Equivocations lists the evidence kept, by object IRI and version.
func (s *Store) Equivocations(ctx context.Context) ([]Equivocation, error) {
	var out []Equivocation
	err := listJSON(s, ctx, "list equivocations", bEquivocations, &out)
	return out, err
}
