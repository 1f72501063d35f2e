package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// Buckets schema version 6 adds: co-production processes (see doc.go).
var (
	// bProcesses: process IRI → ProcessRecord (JSON): what this node holds
	// of the process and its state after the last entry it applied.
	bProcesses = []byte("processes")
	// bProcLog: process IRI, 0x00, be64(seq) → the host-signed entry (JWS).
	bProcLog = []byte("proclog")
	// bProcAssets: hex SHA-256 → the bytes of a file asset.
	bProcAssets = []byte("procassets")
	// bProcChanges: process IRI, 0x00, change IRI → be64(seq): a change
	// is ordered once, however often its author sends it.
	bProcChanges = []byte("procchanges")
	// bProcState: process IRI → the state after the last entry applied
	// (JSON), apart from the record so that reading or writing the record
	// never decodes it.
	bProcState = []byte("procstate")
)

var schemaV6Buckets = [][]byte{bProcesses, bProcLog, bProcAssets, bProcChanges, bProcState}

// migrateV6 adds the co-production buckets.
func migrateV6(tx *bbolt.Tx, _ time.Time) error {
	return createBuckets(tx, schemaV6Buckets)
}

// Where this node stands in a process (ProcessRecord.Local).
const (
	LocalHost        = "host"        // this node hosts the group and orders its log
	LocalParticipant = "participant" // this node takes part and follows the group
	LocalInvited     = "invited"     // invited: its admin has not answered
	LocalLeft        = "left"        // declined, removed or left: kept for reading
	LocalArchived    = "archived"    // imported from a bundle: kept read-only, takes no change
)

// ProcessRecord is what this node keeps of one process.
type ProcessRecord struct {
	IRI   string `json:"iri"`
	Host  string `json:"host"`  // the host's entity id
	Inbox string `json:"inbox"` // the group's inbox, where proposals go
	Local string `json:"local"`
	Name  string `json:"name"`
	// Seq is the last entry held and applied (0: none yet, an invitation).
	Seq uint64 `json:"seq"`
	// State is the process after entry Seq (coproduction.Process, JSON),
	// kept in a bucket of its own.
	State   json.RawMessage `json:"state,omitempty"`
	Updated time.Time       `json:"updated"`
	// InvitedBy is the actor that invited this node (LocalInvited).
	InvitedBy string `json:"invited_by,omitempty"`
}

// Outbound is an activity to deliver with a write, in its transaction.
type Outbound struct {
	Activity Activity
	Inboxes  []string
}

// AppendEntry is one entry for Append: its JWS and the IRI of the change
// it orders.
type AppendEntry struct {
	JWS    []byte
	Change string
}

func procLogKeyS(iri, change string) []byte {
	k := make([]byte, 0, len(iri)+1+len(change))
	k = append(k, iri...)
	k = append(k, 0)
	return append(k, change...)
}

// ChangeSeq returns the seq of the entry that ordered change in process
// iri; false when none did.
func (ps Processes) ChangeSeq(ctx context.Context, iri, change string) (uint64, bool, error) {
	var seq uint64
	var ok bool
	err := ps.s.view(ctx, "change seq", func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bProcChanges).Get(procLogKeyS(iri, change)); len(v) == 8 {
			seq, ok = binary.BigEndian.Uint64(v), true
		}
		return nil
	})
	return seq, ok, err
}

func procLogKey(iri string, seq uint64) []byte {
	k := make([]byte, 0, len(iri)+9)
	k = append(k, iri...)
	k = append(k, 0)
	return append(k, be64(seq)...)
}

func checkRecord(r *ProcessRecord) error {
	if err := checkIRI(r.IRI); err != nil {
		return fmt.Errorf("%w: process iri: %v", ErrInvalidObject, err)
	}
	if !slices.Contains([]string{LocalHost, LocalParticipant, LocalInvited, LocalLeft, LocalArchived}, r.Local) {
		return fmt.Errorf("%w: local %q", ErrInvalidObject, r.Local)
	}
	return nil
}

// Process returns the record of iri; ErrNotFound.
func (ps Processes) Process(ctx context.Context, iri string) (ProcessRecord, error) {
	var r ProcessRecord
	err := ps.s.view(ctx, "process "+iri, func(tx *bbolt.Tx) error {
		v := tx.Bucket(bProcesses).Get([]byte(iri))
		if v == nil {
			return fmt.Errorf("storage: process %s: %w", iri, ErrNotFound)
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		if st := tx.Bucket(bProcState).Get([]byte(iri)); st != nil {
			r.State = bytes.Clone(st)
		}
		return nil
	})
	return r, err
}

// ListProcesses returns every record, without its state, by IRI.
func (ps Processes) ListProcesses(ctx context.Context) ([]ProcessRecord, error) {
	var out []ProcessRecord
	err := ps.s.view(ctx, "list processes", func(tx *bbolt.Tx) error {
		return tx.Bucket(bProcesses).ForEach(func(_, v []byte) error {
			var r ProcessRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			r.State = nil
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// PutProcess writes a record that brings no entry (an invitation, a change
// of Local), durably, with the deliveries of out. A record whose Seq is
// below the one held is refused (ErrConflict): entries only come through
// Append.
func (ps Processes) PutProcess(ctx context.Context, r ProcessRecord, out []Outbound) error {
	if err := checkRecord(&r); err != nil {
		return fmt.Errorf("storage: put process: %w", err)
	}
	return ps.write(ctx, "put process "+r.IRI, func(ov *overlay, now time.Time) error {
		if old := ov.get(bProcesses, []byte(r.IRI)); old != nil {
			var o ProcessRecord
			if err := json.Unmarshal(old, &o); err != nil {
				return err
			}
			if o.Seq != r.Seq {
				return fmt.Errorf("storage: put process %s: %w: it holds entry %d, the write says %d", r.IRI, ErrConflict, o.Seq, r.Seq)
			}
		}
		r.Updated = now
		return putRecord(ov, &r)
	}, out)
}

// Append stores the entries that end at seq r.Seq of process r.IRI and the record after them
// (its state), with the file assets the entry carries and the deliveries
// of out, in one transaction: durable before the caller acknowledges it.
// The entry must follow the last one held (ErrConflict otherwise); an
// entry already held with the same bytes is a no-op (nil, nothing
// written), with other bytes ErrConflict.
func (ps Processes) Append(ctx context.Context, r ProcessRecord, entries []AppendEntry, assets map[string][]byte, out []Outbound) error {
	if err := checkRecord(&r); err != nil {
		return fmt.Errorf("storage: append: %w", err)
	}
	n := uint64(len(entries))
	if n == 0 || r.Seq < n {
		return fmt.Errorf("storage: append to %s: %w: entries ending at seq %d are required", r.IRI, ErrInvalidObject, r.Seq)
	}
	first := r.Seq - n + 1
	return ps.write(ctx, fmt.Sprintf("append %s #%d-%d", r.IRI, first, r.Seq), func(ov *overlay, now time.Time) error {
		var held uint64
		if old := ov.get(bProcesses, []byte(r.IRI)); old != nil {
			var o ProcessRecord
			if err := json.Unmarshal(old, &o); err != nil {
				return err
			}
			held = o.Seq
		}
		if first <= held {
			if prev := ov.get(bProcLog, procLogKey(r.IRI, first)); bytes.Equal(prev, entries[0].JWS) {
				return errDuplicateEntry
			}
			return fmt.Errorf("storage: append %s #%d: %w: another entry %d is held", r.IRI, first, ErrConflict, first)
		}
		if first != held+1 {
			return fmt.Errorf("storage: append %s #%d: %w: the last entry held is %d", r.IRI, first, ErrConflict, held)
		}
		for i, e := range entries {
			seq := first + uint64(i)
			ov.put(bProcLog, procLogKey(r.IRI, seq), e.JWS)
			if e.Change != "" {
				ov.put(bProcChanges, procLogKeyS(r.IRI, e.Change), be64(seq))
			}
		}
		for h, b := range assets {
			if ov.get(bProcAssets, []byte(h)) == nil {
				ov.put(bProcAssets, []byte(h), b)
			}
		}
		r.Updated = now
		return putRecord(ov, &r)
	}, out)
}

// errDuplicateEntry makes Append a no-op for an entry already held.
var errDuplicateEntry = errors.New("storage: the entry is already held")

func putRecord(ov *overlay, r *ProcessRecord) error {
	st := r.State
	r.State = nil
	v, err := json.Marshal(r)
	r.State = st
	if err != nil {
		return err
	}
	ov.put(bProcesses, []byte(r.IRI), v)
	if len(st) > 0 {
		ov.put(bProcState, []byte(r.IRI), st)
	}
	return nil
}

// write runs fn in the committer with the deliveries of out.
func (ps Processes) write(ctx context.Context, what string, fn func(ov *overlay, now time.Time) error, out []Outbound) error {
	s := ps.s
	var prepared []*preparedActivity
	ops := 1
	for _, o := range out {
		pa, err := prepareActivity(o.Activity, nil)
		if err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		for _, in := range o.Inboxes {
			if err := checkIRI(in); err != nil {
				return fmt.Errorf("storage: %s: %w: inbox: %v", what, ErrInvalidObject, err)
			}
		}
		prepared = append(prepared, pa)
		ops += len(o.Inboxes)
	}
	now := s.now().UTC()
	_, err := s.submit(ctx, what, ops, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		if err := fn(ov, now); err != nil {
			return 0, err
		}
		for i, pa := range prepared {
			a := &pa.a
			if a.Published.IsZero() {
				a.Published = now
			}
			if ov.get(bActivities, []byte(a.IRI)) == nil {
				ov.put(bActivities, []byte(a.IRI), encodeActivity(a, 0))
			}
			for _, in := range slices.Compact(slices.Sorted(slices.Values(out[i].Inboxes))) {
				if _, err := planDelivery(ov, a.IRI, in, now); err != nil {
					return 0, err
				}
			}
		}
		return 0, ov.flush()
	})
	if errors.Is(err, errDuplicateEntry) {
		return nil
	}
	return err
}

// History returns up to limit entries of iri after seq after, in order,
// and the number of entries held.
func (ps Processes) History(ctx context.Context, iri string, after uint64, limit int) ([][]byte, uint64, error) {
	var out [][]byte
	var held uint64
	err := ps.s.view(ctx, "history "+iri, func(tx *bbolt.Tx) error {
		v := tx.Bucket(bProcesses).Get([]byte(iri))
		if v == nil {
			return fmt.Errorf("storage: history %s: %w", iri, ErrNotFound)
		}
		var r ProcessRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		held = r.Seq
		prefix := append([]byte(iri), 0)
		c := tx.Bucket(bProcLog).Cursor()
		for k, v := c.Seek(procLogKey(iri, after+1)); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Next() {
			out = append(out, bytes.Clone(v))
		}
		return nil
	})
	return out, held, err
}

// Asset returns the bytes of the file asset whose SHA-256 is hexHash; ErrNotFound.
func (ps Processes) Asset(ctx context.Context, hexHash string) ([]byte, error) {
	var out []byte
	err := ps.s.view(ctx, "asset "+hexHash, func(tx *bbolt.Tx) error {
		v := tx.Bucket(bProcAssets).Get([]byte(hexHash))
		if v == nil {
			return fmt.Errorf("storage: asset %s: %w", hexHash, ErrNotFound)
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}
