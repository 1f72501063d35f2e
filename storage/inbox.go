package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Inbox de-duplication defaults.
const (
	// DefaultInboxRetention is how long an inbound activity id is remembered.
	DefaultInboxRetention = 30 * 24 * time.Hour
	// pruneInterval is how often the committer looks for expired ids.
	pruneInterval = time.Minute
	// maxPrune bounds the ids one commit forgets, so that a backlog never
	// makes one commit slow; the next commit continues.
	maxPrune = 5000
)

// ApplyInbound applies the effects of one inbound activity exactly once: in
// one transaction, if activityIRI was already recorded it returns
// applied=false and writes nothing; else it applies ops (all or nothing,
// like Apply; none is fine, for activities that change no object) and
// records activityIRI with the time seen. It returns after the commit is
// durable, so the inbox answers 202 only then. An op error (a *StaleError
// for a version already held, say) records nothing: a re-delivery is
// judged again, with the same outcome.
//
// Ids are remembered for Options.InboxRetention (30 days by default);
// versions protect objects from older replays beyond that.
func (s *Store) ApplyInbound(ctx context.Context, activityIRI string, ops ...WriteOp) (applied bool, err error) {
	if err := checkIRI(activityIRI); err != nil {
		return false, fmt.Errorf("storage: inbound activity: %w: id: %v", ErrInvalidObject, err)
	}
	ps, now, err := prepareOps(s, ops)
	if err != nil {
		return false, fmt.Errorf("storage: inbound activity %s: %w", activityIRI, err)
	}
	key := []byte(activityIRI)
	_, err = s.submit(ctx, "inbound "+activityIRI, max(len(ops), 1)+publishWork(ps), func(tx *bbolt.Tx) (uint64, error) {
		applied = false
		ov := newOverlay(tx)
		if ov.get(bInboxSeen, key) != nil {
			return 0, nil
		}
		var seq uint64
		if len(ps) > 0 {
			var err error
			if seq, err = planOps(ov, ps, now); err != nil {
				return 0, fmt.Errorf("storage: inbound activity %s: %w", activityIRI, err)
			}
		}
		ov.put(bInboxSeen, key, be64(nanos(now)))
		ov.put(bInboxAge, inboxAgeKey(now, activityIRI), nil)
		if err := ov.flush(); err != nil {
			return 0, err
		}
		applied = true
		return seq, nil
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// SeenActivity reports whether an inbound activity id is recorded.
func (s *Store) SeenActivity(ctx context.Context, iri string) (bool, error) {
	var seen bool
	err := s.view(ctx, "seen activity", func(tx *bbolt.Tx) error {
		seen = tx.Bucket(bInboxSeen).Get([]byte(iri)) != nil
		return nil
	})
	return seen, err
}

// inboxAgeKey: be64(seen, Unix ns) + activity id.
func inboxAgeKey(t time.Time, iri string) []byte { return append(be64(nanos(t)), iri...) }

// pruneRequest returns the committer's own request that forgets inbound
// ids older than the retention and signature ids whose signatures expired,
// or nil when it is not time yet. It runs in
// the committer goroutine only (nextPrune is its state).
func pruneRequest(s *Store) *request {
	now := s.now()
	if now.Before(s.nextPrune) {
		return nil
	}
	s.nextPrune = now.Add(pruneInterval)
	cutoff := nanos(now.Add(-s.retention))
	return &request{ctx: context.Background(), ops: 1, done: make(chan struct{}), apply: func(tx *bbolt.Tx) (uint64, error) {
		n, err := pruneInbox(tx, cutoff, maxPrune)
		if err != nil {
			return 0, &partialError{err: fmt.Errorf("storage: prune inbox ids: %w", err)}
		}
		j, err := pruneJtis(tx, uint64(max(now.Unix(), 0)), maxPrune)
		if err != nil {
			return 0, &partialError{err: fmt.Errorf("storage: prune signature ids: %w", err)}
		}
		if n == maxPrune || j == maxPrune {
			s.nextPrune = time.Time{} // more to do: continue at the next commit
		}
		return 0, nil
	}}
}

// pruneInbox forgets at most limit inbound ids seen before cutoff (Unix ns).
func pruneInbox(tx *bbolt.Tx, cutoff uint64, limit int) (int, error) {
	age, seen := tx.Bucket(bInboxAge), tx.Bucket(bInboxSeen)
	if age == nil || seen == nil {
		return 0, nil // a database pinned to an older schema (tests)
	}
	return pruneOlder(age, cutoff, limit, func(k []byte) error {
		iri := k[8:]
		if v := seen.Get(iri); len(v) == 8 && binary.BigEndian.Uint64(v) == binary.BigEndian.Uint64(k) {
			return seen.Delete(iri)
		}
		return nil
	})
}

// pruneOlder deletes at most limit entries of an age index (keys: be64(time)
// then the indexed key) whose time is before cutoff, oldest first, calling
// drop with each key before deleting it; it returns how many it deleted.
func pruneOlder(age *bbolt.Bucket, cutoff uint64, limit int, drop func(k []byte) error) (int, error) {
	var keys [][]byte
	c := age.Cursor()
	for k, _ := c.First(); k != nil && len(keys) < limit; k, _ = c.Next() {
		if len(k) < 8 || binary.BigEndian.Uint64(k) >= cutoff {
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := drop(k); err != nil {
			return 0, err
		}
		if err := age.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
