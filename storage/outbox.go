package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// ErrStale: a remote version at or below the stored one (see StaleError).
var ErrStale = errors.New("stale version")

// StaleError reports a remote write (WriteOp.Remote) whose version Got is
// not newer than the stored current version Have: nothing was written. The
// inbox acknowledges such an activity and ignores it.
type StaleError struct {
	IRI  string
	Have uint64
	Got  uint64
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("storage: object %s: received version %d but version %d is stored: %v", e.IRI, e.Got, e.Have, ErrStale)
}

// Is makes errors.Is(err, ErrStale) hold.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// Activity is an ActivityPub activity the node sends: kept for its outbox
// (Create, Update, Delete announcing local versions, see WriteOp.Publish),
// for dereferencing by id, and for the delivery queue (Enqueue).
type Activity struct {
	IRI       string    // the activity's id
	Type      string    // Create, Update, Delete, Follow, Accept, ...
	Actor     string    // the local actor that sends it
	ObjectIRI string    // the object it acts on (empty when it has none)
	Published time.Time // when it was made
	Body      []byte    // the activity JSON, unsigned; signatures are made at send time
}

// Limits of activities.
const (
	maxActivityType = 64
	maxActivityBody = 4 << 20
	activityFormat  = 1
	// DefaultOutboxLimit and MaxOutboxLimit bound an Outbox page.
	DefaultOutboxLimit = 20
	MaxOutboxLimit     = 1000
)

// Meta keys of the federation counters (never under countPrefix, which
// Counts reads as object kinds).
var (
	mOutboxSeq   = []byte("fed/outbox.seq")   // be64(last outbox position)
	mOutboxCount = []byte("fed/outbox.count") // be64(outbox entries)
	mDeliverySeq = []byte("fed/delivery.seq") // be64(last delivery id)
)

// preparedActivity is an activity checked outside the committer.
type preparedActivity struct {
	a Activity
}

// prepareActivity checks a and fills its defaults; obj is the version it
// announces (nil for Enqueue).
func prepareActivity(a Activity, obj *protocol.Object) (*preparedActivity, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("activity %s: %w: %s", protocol.Clip(a.IRI, 80), ErrInvalidObject, fmt.Sprintf(format, args...))
	}
	if err := checkIRI(a.IRI); err != nil {
		return nil, bad("id: %v", err)
	}
	if a.Type == "" || len(a.Type) > maxActivityType || !printable(a.Type) || strings.ContainsAny(a.Type, " /") {
		return nil, bad("type %q is empty, too long or not a name", protocol.Clip(a.Type, 40))
	}
	if err := checkIRI(a.Actor); err != nil {
		return nil, bad("actor: %v", err)
	}
	if a.ObjectIRI == "" && obj != nil {
		a.ObjectIRI = obj.IRI
	}
	if a.ObjectIRI != "" {
		if err := checkIRI(a.ObjectIRI); err != nil {
			return nil, bad("object: %v", err)
		}
	}
	if obj != nil && a.ObjectIRI != obj.IRI {
		return nil, bad("it announces %s, not the version's object %s", a.ObjectIRI, obj.IRI)
	}
	if len(a.Body) == 0 || len(a.Body) > maxActivityBody || !json.Valid(a.Body) {
		return nil, bad("the body is empty, over %d bytes or not JSON", maxActivityBody)
	}
	if a.Published.IsZero() && obj != nil {
		a.Published = obj.Updated
	}
	a.Published = a.Published.UTC()
	a.Body = bytes.Clone(a.Body)
	return &preparedActivity{a: a}, nil
}

// planPublish stores a new activity, appends it to the outbox and fans it
// out to the accepted followers' distinct inboxes.
func planPublish(ov *overlay, pa *preparedActivity, now time.Time) error {
	a := &pa.a
	if a.Published.IsZero() {
		a.Published = now
	}
	if ov.get(bActivities, []byte(a.IRI)) != nil {
		return fmt.Errorf("activity %s: %w: an activity with this id is already stored", a.IRI, ErrConflict)
	}
	pos := counter(ov, mOutboxSeq) + 1
	setCounter(ov, mOutboxSeq, pos)
	setCounter(ov, mOutboxCount, counter(ov, mOutboxCount)+1)
	ov.put(bOutbox, be64(pos), []byte(a.IRI))
	ov.put(bActivities, []byte(a.IRI), encodeActivity(a, pos))
	// The fan-out set is read from the transaction: no request changes the
	// follow graph and publishes in one go.
	c := ov.tx.Bucket(bFanout).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if _, err := planDelivery(ov, a.IRI, string(k), now); err != nil {
			return fmt.Errorf("activity %s: fan out: %w", a.IRI, err)
		}
	}
	return nil
}

// publishWork weighs the publishes of a request for batch sizing.
func publishWork(ps []prepared) int {
	n := 0
	for i := range ps {
		if ps[i].publish != nil {
			n++
		}
	}
	return n
}

// Outbox returns the published activities newest first, at most limit of
// them (default 20, at most 1000), starting below the cursor before (""
// for the newest), the cursor of the next (older) page ("" when this page
// reaches the first activity) and the total number of activities in the
// outbox (a counter). Cursors are positions in the append-only outbox, so
// they stay valid while new activities are published.
func (s *Store) Outbox(ctx context.Context, before string, limit int) (items []Activity, next string, total int, err error) {
	return s.OutboxPage(ctx, before, limit, 0)
}

// OutboxPage is Outbox with a byte budget: the page ends before the
// activity that would take the bodies' total over maxBytes (it always holds
// at least one activity; 0: no budget), so that a page fits the response
// size a peer accepts.
func (s *Store) OutboxPage(ctx context.Context, before string, limit, maxBytes int) (items []Activity, next string, total int, err error) {
	switch {
	case limit < 0:
		return nil, "", 0, fmt.Errorf("storage: outbox: %w: negative limit %d", ErrInvalidQuery, limit)
	case limit == 0:
		limit = DefaultOutboxLimit
	case limit > MaxOutboxLimit:
		limit = MaxOutboxLimit
	}
	var below uint64
	if before != "" {
		if below, err = decodeOutboxCursor(before); err != nil {
			return nil, "", 0, fmt.Errorf("storage: outbox: %w: %w", ErrInvalidQuery, err)
		}
	}
	err = s.view(ctx, "outbox", func(tx *bbolt.Tx) error {
		total = int(counterTx(tx, mOutboxCount))
		c := tx.Bucket(bOutbox).Cursor()
		var k, v []byte
		if before == "" {
			k, v = c.Last()
		} else if k, _ = c.Seek(be64(below)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		var last uint64
		size := 0
		for ; k != nil; k, v = c.Prev() {
			if len(k) != 8 {
				return fmt.Errorf("storage: outbox: key %x: %w", k, errCorrupt)
			}
			pos := binary.BigEndian.Uint64(k)
			if len(items) == limit {
				next = strconv.FormatUint(last, 10)
				return nil
			}
			a, _, err := activityTx(tx, string(v))
			if err != nil {
				return fmt.Errorf("storage: outbox position %d: %w", pos, err)
			}
			if maxBytes > 0 && len(items) > 0 && size+len(a.Body) > maxBytes {
				next = strconv.FormatUint(last, 10)
				return nil
			}
			size += len(a.Body)
			items = append(items, a)
			last = pos
		}
		return nil
	})
	if err != nil {
		return nil, "", 0, err
	}
	return items, next, total, nil
}

func decodeOutboxCursor(c string) (uint64, error) {
	n, err := strconv.ParseUint(c, 10, 64)
	if err != nil || n == 0 || len(c) > 20 || c[0] == '0' || c[0] == '+' {
		return 0, fmt.Errorf("malformed outbox cursor %q", protocol.Clip(c, 40))
	}
	return n, nil
}

// ActivityByIRI returns a stored activity (published or enqueued);
// ErrNotFound when there is none.
func (s *Store) ActivityByIRI(ctx context.Context, iri string) (Activity, error) {
	var a Activity
	err := s.view(ctx, "activity "+iri, func(tx *bbolt.Tx) error {
		var err error
		a, _, err = activityTx(tx, iri)
		return err
	})
	return a, err
}

func activityTx(tx *bbolt.Tx, iri string) (Activity, uint64, error) {
	v := tx.Bucket(bActivities).Get([]byte(iri))
	if v == nil {
		return Activity{}, 0, fmt.Errorf("storage: activity %s: %w", iri, ErrNotFound)
	}
	a, pos, err := decodeActivity(v)
	if err != nil {
		return Activity{}, 0, fmt.Errorf("storage: activity %s: %w", iri, err)
	}
	return a, pos, nil
}

// encodeActivity: format, outbox position (0: not in the outbox), IRI,
// type, actor, object, published, body.
func encodeActivity(a *Activity, pos uint64) []byte {
	b := make([]byte, 0, 48+len(a.IRI)+len(a.Type)+len(a.Actor)+len(a.ObjectIRI)+len(a.Body))
	b = append(b, activityFormat)
	b = binary.AppendUvarint(b, pos)
	b = appendStr(b, a.IRI)
	b = appendStr(b, a.Type)
	b = appendStr(b, a.Actor)
	b = appendStr(b, a.ObjectIRI)
	b = appendTime(b, a.Published)
	return append(b, a.Body...)
}

// decodeActivity decodes an activity record; the result owns its memory.
func decodeActivity(v []byte) (Activity, uint64, error) {
	var a Activity
	r := reader{b: v}
	if f := r.byte(); r.err == nil && f != activityFormat {
		return a, 0, fmt.Errorf("%w: unknown activity format %d", errCorrupt, f)
	}
	pos := r.uvarint()
	a.IRI = r.str()
	a.Type = r.str()
	a.Actor = r.str()
	a.ObjectIRI = r.str()
	a.Published = r.time()
	if r.err != nil {
		return Activity{}, 0, r.err
	}
	a.Body = bytes.Clone(r.b)
	return a, pos, nil
}

// counter reads a be64 counter in meta through the overlay (absent: 0).
func counter(ov *overlay, key []byte) uint64 {
	if v := ov.get(bMeta, key); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func setCounter(ov *overlay, key []byte, n uint64) { ov.put(bMeta, key, be64(n)) }

// addCounter adds delta to a counter, never below zero.
func addCounter(ov *overlay, key []byte, delta int64) {
	n := int64(counter(ov, key)) + delta
	setCounter(ov, key, uint64(max(n, 0)))
}

func counterTx(tx *bbolt.Tx, key []byte) uint64 {
	if v := tx.Bucket(bMeta).Get(key); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// hostOf is protocol.HostKey of an inbox: the unit of per-host delivery
// state.
func hostOf(inbox string) (string, error) {
	h, err := protocol.HostKey(inbox)
	if err != nil {
		return "", fmt.Errorf("inbox %w", err)
	}
	return h, nil
}

// nanos is t in Unix nanoseconds, clamped to [0, MaxInt64]: the sortable
// time in index keys.
func nanos(t time.Time) uint64 {
	switch {
	case t.Before(time.Unix(0, 0)):
		return 0
	case t.After(time.Unix(0, 1<<63-1)):
		return 1<<63 - 1
	}
	return uint64(t.UnixNano())
}

// cleanText makes an error text or reason storable: valid UTF-8, at most
// max bytes (cut at a rune boundary).
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
