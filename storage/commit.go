package storage

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// request is one write waiting for the committer.
type request struct {
	ctx context.Context
	// apply plans and writes the request inside the batch's transaction. An
	// error means the request failed and wrote nothing, except a
	// *partialError, which means it failed after writing: the batch is then
	// rolled back and retried without it.
	apply func(tx *bbolt.Tx) (uint64, error)
	ops   int    // how much work the request is (Apply: its ops; others 1)
	seq   uint64 // highest change sequence the request wrote (0: none)
	err   error
	done  chan struct{}
}

// partialError marks a request that failed midway through its writes (or
// panicked); it cannot share a transaction with others.
type partialError struct{ err error }

func (e *partialError) Error() string { return e.err.Error() }
func (e *partialError) Unwrap() error { return e.err }

var errRetryBatch = errors.New("storage: retry batch without a failed request")

// submit hands a request to the committer and waits for its result. The
// request is applied only if submit returns nil; when ctx ends before the
// committer reached the request, it is not applied.
func (s *Store) submit(ctx context.Context, what string, ops int, apply func(tx *bbolt.Tx) (uint64, error)) (uint64, error) {
	if s.closed.Load() {
		return 0, fmt.Errorf("storage: %s: %w", what, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("storage: %s: %w", what, err)
	}
	r := &request{ctx: ctx, apply: apply, ops: max(ops, 1), done: make(chan struct{})}
	select {
	case s.reqs <- r:
	case <-s.closing:
		return 0, fmt.Errorf("storage: %s: %w", what, ErrClosed)
	case <-ctx.Done():
		return 0, fmt.Errorf("storage: %s: %w", what, ctx.Err())
	}
	// Once queued, wait for the committer: it either applies the request or
	// skips it (context done), and every commit is short.
	select {
	case <-r.done:
	case <-s.stopped:
		select {
		case <-r.done:
		default: // queued after the committer's final drain: never applied
			return 0, fmt.Errorf("storage: %s: %w", what, ErrClosed)
		}
	}
	return r.seq, r.err
}

// run is the committer goroutine.
func commitLoop(s *Store) {
	defer close(s.stopped)
	batch := make([]*request, 0, s.maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
		case <-s.closing:
			drainBatch(s, batch)
			return
		}
		batch = fillBatch(s, batch)
		commitBatch(s, batch)
	}
}

// fill adds queued requests to batch, waiting up to s.delay for more.
func fillBatch(s *Store, batch []*request) []*request {
	ops := 0
	for _, r := range batch {
		ops += r.ops
	}
	full := func() bool { return len(batch) >= s.maxBatch || ops >= maxBatchOps }
	drain := func() {
		for !full() {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
				ops += r.ops
				continue
			default:
			}
			return
		}
	}
	drain()
	// Writers answered by the previous commit are runnable but may not have
	// queued their next request yet: let them run once (no timed wait), so
	// that a steady set of writers shares one commit instead of alternating
	// between two half-size ones.
	runtime.Gosched()
	drain()
	if s.delay <= 0 || full() {
		return batch
	}
	timer := time.NewTimer(s.delay)
	defer timer.Stop()
	for !full() {
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
			ops += r.ops
		case <-timer.C:
			return batch
		case <-s.closing:
			return batch
		}
	}
	return batch
}

// drain applies everything still queued when the store closes.
func drainBatch(s *Store, batch []*request) {
	for {
		batch = batch[:0]
	collect:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break collect
			}
		}
		if len(batch) == 0 {
			return
		}
		commitBatch(s, batch)
	}
}

// commit applies a batch in one transaction and answers every request.
func commitBatch(s *Store, batch []*request) {
	start := time.Now()
	s.commits.Add(1)
	s.requests.Add(uint64(len(batch)))
	live := slices.Clone(batch)
	if pr := pruneRequest(s); pr != nil {
		live = append(live, pr) // housekeeping rides along with the batch
	}
	for {
		for _, r := range live {
			r.err, r.seq = nil, 0
		}
		failed := -1
		err := s.db.Update(func(tx *bbolt.Tx) error {
			tx.OnCommit(func() { st := tx.Stats(); s.pages.Add(uint64(st.GetWrite())) })
			for i, r := range live {
				if err := r.ctx.Err(); err != nil {
					r.err = fmt.Errorf("storage: write not applied: %w", err)
					continue
				}
				seq, err := safeApply(r, tx)
				var pe *partialError
				if errors.As(err, &pe) {
					r.err, failed = pe.err, i
					return errRetryBatch
				}
				if r.err = err; err == nil {
					r.seq = seq
				}
			}
			return nil
		})
		if errors.Is(err, errRetryBatch) {
			s.log.Warn("write failed midway; retrying its batch without it", "error", live[failed].err)
			close(live[failed].done)
			live = slices.Delete(live, failed, failed+1)
			if len(live) == 0 {
				return
			}
			continue
		}
		if err != nil {
			s.log.Error("commit failed", "requests", len(live), "error", err)
			for _, r := range live {
				if r.err == nil {
					r.err = fmt.Errorf("storage: commit: %w", err)
				}
				r.seq = 0
				close(r.done)
			}
			return
		}
		var top uint64
		for _, r := range live {
			if r.err == nil && r.seq > top {
				top = r.seq
			}
		}
		if top > s.seq.Load() {
			s.seq.Store(top)
			s.broadcast()
		}
		for _, r := range live {
			close(r.done)
		}
		if d := time.Since(start); d > time.Second {
			s.log.Warn("slow commit", "requests", len(batch), "duration", d)
		}
		return
	}
}

// safeApply runs a request's apply, turning a panic into a partial failure
// so that one bad request cannot take the committer (and the node) down.
func safeApply(r *request, tx *bbolt.Tx) (seq uint64, err error) {
	defer func() {
		if p := recover(); p != nil {
			seq, err = 0, &partialError{err: fmt.Errorf("storage: write panicked: %v", p)}
		}
	}()
	return r.apply(tx)
}

// overlay plans a request: reads see the transaction plus the request's own
// pending writes, and nothing reaches the transaction until flush. A request
// that fails during planning therefore leaves no trace.
type overlay struct {
	tx      *bbolt.Tx
	pending map[string]*pendingWrite // bucket + "\x00" + key
}

type pendingWrite struct {
	bucket []byte
	key    []byte
	value  []byte // nil: delete
}

func newOverlay(tx *bbolt.Tx) *overlay {
	return &overlay{tx: tx, pending: make(map[string]*pendingWrite, 16)}
}

func overlayKey(bucket, key []byte) string {
	var sb strings.Builder
	sb.Grow(len(bucket) + 1 + len(key))
	sb.Write(bucket)
	sb.WriteByte(0)
	sb.Write(key)
	return sb.String()
}

func (o *overlay) get(bucket, key []byte) []byte {
	if w, ok := o.pending[overlayKey(bucket, key)]; ok {
		return w.value
	}
	return o.tx.Bucket(bucket).Get(key)
}

func (o *overlay) put(bucket, key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	o.pending[overlayKey(bucket, key)] = &pendingWrite{bucket: bucket, key: key, value: value}
}

func (o *overlay) del(bucket, key []byte) {
	o.pending[overlayKey(bucket, key)] = &pendingWrite{bucket: bucket, key: key}
}

// flush writes the pending changes, in key order (bbolt inserts fastest in
// order). An error here is a partial failure.
func (o *overlay) flush() error {
	keys := make([]string, 0, len(o.pending))
	for k := range o.pending {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w := o.pending[k]
		b := o.tx.Bucket(w.bucket)
		if appendMostly(w.bucket) {
			b.FillPercent = appendFillPercent
		}
		var err error
		if w.value == nil {
			err = b.Delete(w.key)
		} else {
			err = b.Put(w.key, w.value)
		}
		if err != nil {
			return &partialError{err: fmt.Errorf("storage: write %s key %q: %w", w.bucket, w.key, err)}
		}
	}
	return nil
}

// appendFillPercent fills the pages of buckets whose new keys mostly sort
// last (sequences, order numbers, ULID-based IRIs, expiry times) before
// splitting them: bbolt's default (50 %) would leave every page of an
// append-only bucket half empty, and every commit would write twice the
// pages it needs.
const appendFillPercent = 0.9

func appendMostly(bucket []byte) bool {
	switch string(bucket) {
	case string(bVersions), string(bChanges), string(bObjects), string(bIDs), string(bIndex),
		string(bOutbox), string(bDeliveries), string(bDue), string(bInboxAge), string(bVerdicts), string(bJtiExp):
		return true
	}
	return false
}
