package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Delivery is one activity to POST to one inbox: an entry of the durable
// delivery queue, or of the dead-letter list once Dead.
type Delivery struct {
	ID          string // 16 hex digits, in creation order
	ActivityIRI string
	Inbox       string
	Host        string // host:port of Inbox (lower case, port defaulted from the scheme)
	Attempts    int    // failed attempts so far
	Created     time.Time
	NextAttempt time.Time
	LastStatus  int    // HTTP status of the last failed attempt (0: none, or no response)
	LastError   string // what went wrong last
	Dead        bool
	DeadReason  string
}

// HostQueue is the delivery state of one host (QueueStats).
type HostQueue struct {
	Pending     int       // deliveries waiting in the queue
	Dead        int       // dead letters
	Oldest      time.Time // creation time of the oldest pending delivery (zero: none)
	LastStatus  int       // HTTP status of the last failed attempt
	LastError   string    // error of the last failed attempt
	LastFailure time.Time // when an attempt last failed (DeliveryRetry, DeliveryDead)
	LastSuccess time.Time // when a delivery last succeeded (DeliveryDone)
}

// Limits of the queue API.
const (
	DefaultDueLimit  = 100
	MaxDueLimit      = 10000
	DefaultDeadLimit = 50
	MaxDeadLimit     = 1000
	maxErrorText     = 1024
	maxHostLen       = 300
	deliveryFormat   = 1
	hostFormat       = 1
	deliveryIDLen    = 16
	flagDead         = 1 << 0
)

// Enqueue queues activity for each of inboxes (de-duplicated), for the
// activities sent to chosen actors (Follow, Accept, Reject, Undo). The
// activity is stored if new; if its id is already stored with other
// content, ErrConflict. An inbox that already has a pending delivery of
// this activity gets no second one, so a handler that repeats Enqueue after
// a crash does not send twice. Enqueued activities are not in the outbox.
// A zero Published is set to the store's clock.
func (dq Queue) Enqueue(ctx context.Context, activity Activity, inboxes []string) error {
	s := dq.s
	pa, err := prepareActivity(activity, nil)
	if err != nil {
		return fmt.Errorf("storage: enqueue: %w", err)
	}
	if len(inboxes) == 0 {
		return fmt.Errorf("storage: enqueue %s: %w: no inboxes", activity.IRI, ErrInvalidObject)
	}
	inboxes = slices.Compact(slices.Sorted(slices.Values(inboxes)))
	for _, in := range inboxes {
		if err := checkIRI(in); err != nil {
			return fmt.Errorf("storage: enqueue %s: %w: inbox: %v", activity.IRI, ErrInvalidObject, err)
		}
		if _, err := hostOf(in); err != nil {
			return fmt.Errorf("storage: enqueue %s: %w: %v", activity.IRI, ErrInvalidObject, err)
		}
	}
	now := s.now().UTC()
	a := &pa.a
	if a.Published.IsZero() {
		a.Published = now
	}
	_, err = s.submit(ctx, "enqueue "+a.IRI, len(inboxes), func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		if old := ov.get(bActivities, []byte(a.IRI)); old != nil {
			prev, _, err := decodeActivity(old)
			if err != nil {
				return 0, fmt.Errorf("storage: enqueue %s: read the stored activity: %w", a.IRI, err)
			}
			if prev.Type != a.Type || prev.Actor != a.Actor || prev.ObjectIRI != a.ObjectIRI || !bytes.Equal(prev.Body, a.Body) {
				return 0, fmt.Errorf("storage: enqueue %s: %w: another activity with this id is stored", a.IRI, ErrConflict)
			}
		} else {
			ov.put(bActivities, []byte(a.IRI), encodeActivity(a, 0))
		}
		for _, in := range inboxes {
			if _, err := planDelivery(ov, a.IRI, in, now); err != nil {
				return 0, fmt.Errorf("storage: enqueue %s: %w", a.IRI, err)
			}
		}
		return 0, ov.flush()
	})
	return err
}

// planDelivery queues activityIRI for inbox unless a delivery of it to that
// inbox is pending; it reports whether it made one.
func planDelivery(ov *overlay, activityIRI, inbox string, now time.Time) (bool, error) {
	pk := pendingKey(activityIRI, inbox)
	if ov.get(bPending, pk) != nil {
		return false, nil
	}
	host, err := hostOf(inbox)
	if err != nil {
		return false, err
	}
	n := counter(ov, mDeliverySeq) + 1
	setCounter(ov, mDeliverySeq, n)
	d := Delivery{ID: deliveryID(n), ActivityIRI: activityIRI, Inbox: inbox, Host: host, Created: now, NextAttempt: now}
	putPending(ov, &d)
	return true, updateHost(ov, host, func(h *hostRec) { h.pending++ })
}

// putPending writes d as a pending delivery with its three index entries.
func putPending(ov *overlay, d *Delivery) {
	id := []byte(d.ID)
	ov.put(bDeliveries, id, encodeDelivery(d))
	ov.put(bDue, dueKey(d.NextAttempt, d.ID), []byte(d.Host))
	ov.put(bHostQueue, hostQueueKey(d.Host, d.ID), nil)
	ov.put(bPending, pendingKey(d.ActivityIRI, d.Inbox), id)
}

// delPending removes the pending delivery d and its index entries.
func delPending(ov *overlay, d *Delivery) {
	ov.del(bDeliveries, []byte(d.ID))
	ov.del(bDue, dueKey(d.NextAttempt, d.ID))
	ov.del(bHostQueue, hostQueueKey(d.Host, d.ID))
	if string(ov.get(bPending, pendingKey(d.ActivityIRI, d.Inbox))) == d.ID {
		ov.del(bPending, pendingKey(d.ActivityIRI, d.Inbox))
	}
}

// DueDeliveries returns pending deliveries whose NextAttempt is at or before
// now, earliest first, at most limit (default 100, at most 10000), leaving
// out the hosts in skipHosts (paused by a circuit breaker, or dead gossip
// members). It does not lease them: the caller keeps track of the ones it
// has in flight until it reports DeliveryDone, DeliveryRetry or DeliveryDead.
func (dq Queue) DueDeliveries(ctx context.Context, now time.Time, limit int, skipHosts map[string]bool) ([]Delivery, error) {
	s := dq.s
	switch {
	case limit < 0:
		return nil, fmt.Errorf("storage: due deliveries: %w: negative limit %d", ErrInvalidQuery, limit)
	case limit == 0:
		limit = DefaultDueLimit
	case limit > MaxDueLimit:
		limit = MaxDueLimit
	}
	until := nanos(now)
	var out []Delivery
	err := s.view(ctx, "due deliveries", func(tx *bbolt.Tx) error {
		c := tx.Bucket(bDue).Cursor()
		dels := tx.Bucket(bDeliveries)
		for k, host := c.First(); k != nil && len(out) < limit; k, host = c.Next() {
			if len(k) != 8+deliveryIDLen {
				return fmt.Errorf("storage: due deliveries: key %x: %w", k, errCorrupt)
			}
			if binary.BigEndian.Uint64(k) > until {
				break
			}
			if skipHosts[string(host)] {
				continue
			}
			v := dels.Get(k[8:])
			if v == nil {
				return fmt.Errorf("storage: due deliveries: delivery %s: %w", k[8:], errCorrupt)
			}
			d, err := decodeDelivery(v)
			if err != nil {
				return fmt.Errorf("storage: due deliveries: delivery %s: %w", k[8:], err)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Delivery returns a pending delivery or a dead letter by id.
func (dq Queue) Delivery(ctx context.Context, id string) (Delivery, error) {
	s := dq.s
	var d Delivery
	err := s.view(ctx, "delivery "+id, func(tx *bbolt.Tx) error {
		v := tx.Bucket(bDeliveries).Get([]byte(id))
		if v == nil {
			v = tx.Bucket(bDead).Get([]byte(id))
		}
		if v == nil {
			return fmt.Errorf("storage: delivery %s: %w", protocol.Clip(id, 40), ErrNotFound)
		}
		var err error
		if d, err = decodeDelivery(v); err != nil {
			return fmt.Errorf("storage: delivery %s: %w", id, err)
		}
		return nil
	})
	return d, err
}

// DeliveryDone removes a delivered entry from the queue and records the
// host's success. ErrNotFound when id is not pending (already done, or
// made dead meanwhile by DropHost).
func (dq Queue) DeliveryDone(ctx context.Context, id string) error {
	s := dq.s
	now := s.now().UTC()
	return dq.updateDelivery(ctx, "delivery done", id, func(ov *overlay, d *Delivery) error {
		delPending(ov, d)
		return updateHost(ov, d.Host, func(h *hostRec) { h.pending--; h.lastSuccess = now })
	})
}

// DeliveryRetry records a failed attempt (HTTP status, 0 when there was no
// response; errText) and reschedules the delivery at next.
func (dq Queue) DeliveryRetry(ctx context.Context, id string, next time.Time, status int, errText string) error {
	s := dq.s
	if status < 0 || status > 999 {
		return fmt.Errorf("storage: delivery retry %s: %w: status %d", id, ErrInvalidQuery, status)
	}
	now := s.now().UTC()
	errText = cleanText(errText, maxErrorText)
	return dq.updateDelivery(ctx, "delivery retry", id, func(ov *overlay, d *Delivery) error {
		ov.del(bDue, dueKey(d.NextAttempt, d.ID))
		d.Attempts++
		d.NextAttempt, d.LastStatus, d.LastError = next.UTC(), status, errText
		putPending(ov, d)
		return updateHost(ov, d.Host, func(h *hostRec) {
			h.lastStatus, h.lastError, h.lastFailure = status, errText, now
		})
	})
}

// DeliveryDead moves a pending delivery to the dead-letter list, keeping
// everything about it, with the reason it was given up.
func (dq Queue) DeliveryDead(ctx context.Context, id string, reason string) error {
	s := dq.s
	now := s.now().UTC()
	reason = cleanText(reason, maxErrorText)
	return dq.updateDelivery(ctx, "delivery dead", id, func(ov *overlay, d *Delivery) error {
		return planDead(ov, d, reason, now)
	})
}

func planDead(ov *overlay, d *Delivery, reason string, now time.Time) error {
	delPending(ov, d)
	d.Dead, d.DeadReason = true, reason
	ov.put(bDead, []byte(d.ID), encodeDelivery(d))
	return updateHost(ov, d.Host, func(h *hostRec) { h.pending--; h.dead++; h.lastFailure = now })
}

// updateDelivery runs fn on the pending delivery id in a committed write.
func (dq Queue) updateDelivery(ctx context.Context, what, id string, fn func(ov *overlay, d *Delivery) error) error {
	s := dq.s
	if err := checkDeliveryID(id); err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	_, err := s.submit(ctx, what+" "+id, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		v := ov.get(bDeliveries, []byte(id))
		if v == nil {
			return 0, fmt.Errorf("storage: %s: delivery %s is not pending: %w", what, id, ErrNotFound)
		}
		d, err := decodeDelivery(v)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: delivery %s: %w", what, id, err)
		}
		if err := fn(ov, &d); err != nil {
			return 0, fmt.Errorf("storage: %s: delivery %s: %w", what, id, err)
		}
		return 0, ov.flush()
	})
	return err
}

// DeadLetters lists dead deliveries in id (creation) order after the id
// after ("" from the start), at most limit (default 50, at most 1000), and
// the cursor of the next page ("" when this is the last).
func (dq Queue) DeadLetters(ctx context.Context, after string, limit int) ([]Delivery, string, error) {
	s := dq.s
	switch {
	case limit < 0:
		return nil, "", fmt.Errorf("storage: dead letters: %w: negative limit %d", ErrInvalidQuery, limit)
	case limit == 0:
		limit = DefaultDeadLimit
	case limit > MaxDeadLimit:
		limit = MaxDeadLimit
	}
	if after != "" {
		if err := checkDeliveryID(after); err != nil {
			return nil, "", fmt.Errorf("storage: dead letters: %w", err)
		}
	}
	var out []Delivery
	var next string
	err := s.view(ctx, "dead letters", func(tx *bbolt.Tx) error {
		c := tx.Bucket(bDead).Cursor()
		var k, v []byte
		if after == "" {
			k, v = c.First()
		} else if k, v = c.Seek([]byte(after)); k != nil && string(k) == after {
			k, v = c.Next()
		}
		for ; k != nil; k, v = c.Next() {
			if len(out) == limit {
				next = out[len(out)-1].ID
				return nil
			}
			d, err := decodeDelivery(v)
			if err != nil {
				return fmt.Errorf("storage: dead letter %s: %w", k, err)
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// Replay puts a dead letter back into the queue as a new delivery (a new
// id, so ids stay in creation order), due at now, with its attempts reset
// and Created set to now (so that a give-up age counts from the replay);
// its last status and error are kept. If the same activity is already
// pending for the same inbox, the dead letter is simply removed.
func (dq Queue) Replay(ctx context.Context, id string, now time.Time) error {
	s := dq.s
	if err := checkDeliveryID(id); err != nil {
		return fmt.Errorf("storage: replay: %w", err)
	}
	now = now.UTC()
	_, err := s.submit(ctx, "replay "+id, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		v := ov.get(bDead, []byte(id))
		if v == nil {
			return 0, fmt.Errorf("storage: replay: %s is not a dead letter: %w", id, ErrNotFound)
		}
		d, err := decodeDelivery(v)
		if err != nil {
			return 0, fmt.Errorf("storage: replay %s: %w", id, err)
		}
		ov.del(bDead, []byte(id))
		pending := ov.get(bPending, pendingKey(d.ActivityIRI, d.Inbox)) != nil
		if !pending {
			n := counter(ov, mDeliverySeq) + 1
			setCounter(ov, mDeliverySeq, n)
			d.ID, d.Dead, d.DeadReason, d.Attempts = deliveryID(n), false, "", 0
			d.Created, d.NextAttempt = now, now
			putPending(ov, &d)
		}
		if err := updateHost(ov, d.Host, func(h *hostRec) {
			h.dead--
			if !pending {
				h.pending++
			}
		}); err != nil {
			return 0, fmt.Errorf("storage: replay %s: %w", id, err)
		}
		return 0, ov.flush()
	})
	return err
}

// DeleteDead removes a dead letter for good.
func (dq Queue) DeleteDead(ctx context.Context, id string) error {
	s := dq.s
	if err := checkDeliveryID(id); err != nil {
		return fmt.Errorf("storage: delete dead letter: %w", err)
	}
	_, err := s.submit(ctx, "delete dead letter "+id, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		v := ov.get(bDead, []byte(id))
		if v == nil {
			return 0, fmt.Errorf("storage: delete dead letter %s: %w", id, ErrNotFound)
		}
		d, err := decodeDelivery(v)
		if err != nil {
			return 0, fmt.Errorf("storage: delete dead letter %s: %w", id, err)
		}
		ov.del(bDead, []byte(id))
		if err := updateHost(ov, d.Host, func(h *hostRec) { h.dead-- }); err != nil {
			return 0, fmt.Errorf("storage: delete dead letter %s: %w", id, err)
		}
		return 0, ov.flush()
	})
	return err
}

// DropHost makes every pending delivery to host ("host:port", as in
// Delivery.Host) dead with reason (a 410 from its shared inbox: the server
// is gone), and returns how many.
func (dq Queue) DropHost(ctx context.Context, host string, reason string) (int, error) {
	s := dq.s
	if host == "" || len(host) > maxHostLen || !printable(host) {
		return 0, fmt.Errorf("storage: drop host: %w: host %q", ErrInvalidQuery, protocol.Clip(host, 40))
	}
	now := s.now().UTC()
	reason = cleanText(reason, maxErrorText)
	var n int
	_, err := s.submit(ctx, "drop host "+host, 1, func(tx *bbolt.Tx) (uint64, error) {
		n = 0
		ov := newOverlay(tx)
		prefix := appendStr(nil, host)
		c := tx.Bucket(bHostQueue).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := k[len(prefix):]
			v := ov.get(bDeliveries, id)
			if v == nil {
				return 0, fmt.Errorf("storage: drop host %s: delivery %s: %w", host, id, errCorrupt)
			}
			d, err := decodeDelivery(v)
			if err != nil {
				return 0, fmt.Errorf("storage: drop host %s: delivery %s: %w", host, id, err)
			}
			if err := planDead(ov, &d, reason, now); err != nil {
				return 0, fmt.Errorf("storage: drop host %s: %w", host, err)
			}
			n++
		}
		return 0, ov.flush()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// QueueStats returns the delivery state of every host the queue has seen.
func (dq Queue) QueueStats(ctx context.Context) (map[string]HostQueue, error) {
	s := dq.s
	out := map[string]HostQueue{}
	err := s.view(ctx, "queue stats", func(tx *bbolt.Tx) error {
		hq := tx.Bucket(bHostQueue).Cursor()
		dels := tx.Bucket(bDeliveries)
		return tx.Bucket(bHosts).ForEach(func(k, v []byte) error {
			h, err := decodeHost(v)
			if err != nil {
				return fmt.Errorf("storage: queue stats: host %s: %w", k, err)
			}
			q := HostQueue{Pending: int(h.pending), Dead: int(h.dead), LastStatus: h.lastStatus,
				LastError: h.lastError, LastFailure: h.lastFailure, LastSuccess: h.lastSuccess}
			prefix := appendStr(nil, string(k))
			if first, _ := hq.Seek(prefix); first != nil && bytes.HasPrefix(first, prefix) {
				if dv := dels.Get(first[len(prefix):]); dv != nil {
					if d, err := decodeDelivery(dv); err == nil {
						q.Oldest = d.Created
					}
				}
			}
			out[string(k)] = q
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hostRec is the hosts-bucket value.
type hostRec struct {
	pending, dead            int64
	lastStatus               int
	lastError                string
	lastFailure, lastSuccess time.Time
}

// updateHost applies fn to host's record.
func updateHost(ov *overlay, host string, fn func(h *hostRec)) error {
	var h hostRec
	if v := ov.get(bHosts, []byte(host)); v != nil {
		var err error
		if h, err = decodeHost(v); err != nil {
			return fmt.Errorf("host %s: %w", host, err)
		}
	}
	fn(&h)
	if h.pending < 0 || h.dead < 0 {
		return fmt.Errorf("host %s: counters would go negative: %w", host, errCorrupt)
	}
	ov.put(bHosts, []byte(host), encodeHost(&h))
	return nil
}
