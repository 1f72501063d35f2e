package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// AuditEntry is one change a person made (through the web pages): who, when,
// what, on what. Entries are append-only; the oldest are pruned beyond a
// retention count.
type AuditEntry struct {
	Seq      uint64    `json:"-"` // its position (the key), set by AppendAudit and ListAudit
	Time     time.Time `json:"time"`
	UserID   string    `json:"user_id,omitempty"`
	Username string    `json:"username,omitempty"`
	Action   string    `json:"action"`           // e.g. "user.create", "object.publish"
	Target   string    `json:"target,omitempty"` // an object IRI, a user id, a setting name
	Detail   string    `json:"detail,omitempty"`
	Address  string    `json:"address,omitempty"` // the client's address
}

// Limits and defaults of the audit list.
const (
	MaxAuditAction = 64
	MaxAuditTarget = 2048
	MaxAuditDetail = 4096
	// DefaultAuditRetention is how many entries AppendAudit keeps when its
	// keep is not positive.
	DefaultAuditRetention = 100_000
	// DefaultAuditLimit and MaxAuditLimit bound a ListAudit page.
	DefaultAuditLimit = 50
	MaxAuditLimit     = 500
	// maxAuditPrune bounds the entries one append prunes (a retention
	// lowered a lot converges over several appends).
	maxAuditPrune = 256
)

func checkAudit(e *AuditEntry) error {
	if e.Action == "" || len(e.Action) > MaxAuditAction {
		return &FieldError{Field: "action", Reason: fmt.Sprintf("must have 1 to %d characters", MaxAuditAction)}
	}
	for i := 0; i < len(e.Action); i++ {
		c := e.Action[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return &FieldError{Field: "action", Reason: "may contain only lower-case ASCII letters, digits and . _ -"}
		}
	}
	switch {
	case len(e.UserID) > maxIDLen || !printable(e.UserID):
		return &FieldError{Field: "user_id", Reason: fmt.Sprintf("must be printable and at most %d bytes", maxIDLen)}
	case len(e.Username) > MaxUsername || !printable(e.Username):
		return &FieldError{Field: "username", Reason: fmt.Sprintf("must be printable and at most %d bytes", MaxUsername)}
	case len(e.Target) > MaxAuditTarget || !printable(e.Target):
		return &FieldError{Field: "target", Reason: fmt.Sprintf("must be printable and at most %d bytes", MaxAuditTarget)}
	}
	return nil
}

// AppendAudit appends an entry, durably, and returns its sequence number;
// the oldest entries beyond keep (DefaultAuditRetention when keep is not
// positive) are pruned in the same transaction. A zero Time is set to the
// store's clock. Detail and Address are clipped (MaxAuditDetail,
// MaxAddress); a malformed action, user or target is a *FieldError.
func (acc Accounts) AppendAudit(ctx context.Context, e AuditEntry, keep int) (uint64, error) {
	s := acc.s
	if err := checkAudit(&e); err != nil {
		return 0, fmt.Errorf("storage: append audit: %w", err)
	}
	if keep <= 0 {
		keep = DefaultAuditRetention
	}
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	e.Time = e.Time.UTC()
	e.Detail, e.Address = clipText(e.Detail, MaxAuditDetail), clipText(e.Address, MaxAddress)
	val, err := json.Marshal(e)
	if err != nil {
		return 0, fmt.Errorf("storage: append audit: %w", err)
	}
	var seq uint64
	_, err = s.submit(ctx, "append audit "+e.Action, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		seq = counter(ov, mAuditSeq) + 1
		if k, _ := tx.Bucket(bAudit).Cursor().First(); len(k) == 8 {
			// Entries first..seq-1 are held (sequences have no gaps): with
			// this one, seq-first+1.
			first := binary.BigEndian.Uint64(k)
			held := seq - first + 1
			for n := uint64(0); held > uint64(keep) && n < maxAuditPrune; n++ {
				ov.del(bAudit, be64(first+n))
				held--
			}
		}
		setCounter(ov, mAuditSeq, seq)
		ov.put(bAudit, be64(seq), val)
		return 0, ov.flush()
	})
	if err != nil {
		return 0, err
	}
	return seq, nil
}

// ListAudit returns up to limit entries (DefaultAuditLimit when 0, at most
// MaxAuditLimit), newest first, starting below the sequence before (0: the
// newest). next is the cursor of the following page (the last entry's
// sequence), 0 when there is none.
func (acc Accounts) ListAudit(ctx context.Context, before uint64, limit int) (entries []AuditEntry, next uint64, err error) {
	s := acc.s
	switch {
	case limit < 0:
		return nil, 0, fmt.Errorf("storage: list audit: %w: negative limit %d", ErrInvalidQuery, limit)
	case limit == 0:
		limit = DefaultAuditLimit
	case limit > MaxAuditLimit:
		limit = MaxAuditLimit
	}
	err = s.view(ctx, "list audit", func(tx *bbolt.Tx) error {
		c := tx.Bucket(bAudit).Cursor()
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else {
			if k, _ = c.Seek(be64(before)); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		for ; k != nil; k, v = c.Prev() {
			if len(entries) == limit {
				next = entries[len(entries)-1].Seq
				break
			}
			if len(k) != 8 {
				return fmt.Errorf("storage: list audit: key %x: %w", k, errCorrupt)
			}
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("storage: list audit: entry %d: %w: %v", binary.BigEndian.Uint64(k), errCorrupt, err)
			}
			e.Seq = binary.BigEndian.Uint64(k)
			entries = append(entries, e)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return entries, next, nil
}
