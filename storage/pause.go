package storage

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Host-wide changes of the delivery queue for the federation's failure
// awareness: a peer that gossip declares dead has its deliveries paused
// (skipped by DueDeliveries through skipHosts, which costs no write); when it
// is alive again its queue is made due at once (MakeHostDue), and a pause
// longer than the give-up age still ends in dead letters (ExpireHost).
//
// Both functions look first in a read transaction and write only when a
// delivery changes, so that calling them for a host with nothing to change
// costs no commit.

// MakeHostDue makes every pending delivery to host ("host:port", as in
// Delivery.Host) whose next attempt is after now due at now, keeping its
// attempts and last error. It returns how many it moved.
func (dq Queue) MakeHostDue(ctx context.Context, host string, now time.Time) (int, error) {
	s := dq.s
	if err := checkHost(host); err != nil {
		return 0, fmt.Errorf("storage: make host due: %w", err)
	}
	now = now.UTC()
	later := func(d *Delivery) bool { return d.NextAttempt.After(now) }
	if n, err := dq.countHost(ctx, "make host due "+host, host, later); err != nil || n == 0 {
		return 0, err
	}
	var n int
	_, err := s.submit(ctx, "make host due "+host, 1, func(tx *bbolt.Tx) (uint64, error) {
		n = 0
		ov := newOverlay(tx)
		err := eachHostDelivery(tx, ov, host, func(d *Delivery) error {
			if !later(d) {
				return nil
			}
			ov.del(bDue, dueKey(d.NextAttempt, d.ID))
			d.NextAttempt = now
			putPending(ov, d)
			n++
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("storage: make host due %s: %w", host, err)
		}
		return 0, ov.flush()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ExpireHost makes every pending delivery to host created before
// createdBefore a dead letter with reason, and returns how many. It is the
// give-up age applied to a host whose deliveries are paused, which are
// never attempted and so never reach DeliveryRetry's age check.
func (dq Queue) ExpireHost(ctx context.Context, host string, createdBefore time.Time, reason string) (int, error) {
	s := dq.s
	if err := checkHost(host); err != nil {
		return 0, fmt.Errorf("storage: expire host: %w", err)
	}
	reason = cleanText(reason, maxErrorText)
	old := func(d *Delivery) bool { return d.Created.Before(createdBefore) }
	if n, err := dq.countHost(ctx, "expire host "+host, host, old); err != nil || n == 0 {
		return 0, err
	}
	now := s.now().UTC()
	var n int
	_, err := s.submit(ctx, "expire host "+host, 1, func(tx *bbolt.Tx) (uint64, error) {
		n = 0
		ov := newOverlay(tx)
		err := eachHostDelivery(tx, ov, host, func(d *Delivery) error {
			if !old(d) {
				return nil
			}
			n++
			return planDead(ov, d, reason, now)
		})
		if err != nil {
			return 0, fmt.Errorf("storage: expire host %s: %w", host, err)
		}
		return 0, ov.flush()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func checkHost(host string) error {
	if host == "" || len(host) > maxHostLen || !printable(host) {
		return fmt.Errorf("%w: host %q", ErrInvalidQuery, protocol.Clip(host, 40))
	}
	return nil
}

// countHost counts the pending deliveries to host that match, in a read
// transaction.
func (dq Queue) countHost(ctx context.Context, what, host string, match func(*Delivery) bool) (int, error) {
	s := dq.s
	n := 0
	err := s.view(ctx, what, func(tx *bbolt.Tx) error {
		return eachHostDelivery(tx, nil, host, func(d *Delivery) error {
			if match(d) {
				n++
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("storage: %s: %w", what, err)
	}
	return n, nil
}

// eachHostDelivery calls fn with every pending delivery to host, read
// through ov when it is not nil (a write) or from tx. The overlay buffers
// writes until flush, so fn's changes never disturb the cursor.
func eachHostDelivery(tx *bbolt.Tx, ov *overlay, host string, fn func(d *Delivery) error) error {
	prefix := appendStr(nil, host)
	dels := tx.Bucket(bDeliveries)
	c := tx.Bucket(bHostQueue).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id := k[len(prefix):]
		var v []byte
		if ov != nil {
			v = ov.get(bDeliveries, id)
		} else {
			v = dels.Get(id)
		}
		if v == nil {
			return fmt.Errorf("delivery %s: %w", id, errCorrupt)
		}
		d, err := decodeDelivery(v)
		if err != nil {
			return fmt.Errorf("delivery %s: %w", id, err)
		}
		if err := fn(&d); err != nil {
			return err
		}
	}
	return nil
}
