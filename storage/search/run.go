package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/interlink-project/interlink-node/protocol"
)

// errRebuild asks Run to rebuild the index from a full scan.
var errRebuild = errors.New("search: rebuild needed")

// Retry delays after a failure of the source or the index.
const (
	minRetryDelay = 50 * time.Millisecond
	maxRetryDelay = 5 * time.Second
)

// Run makes the index follow src until ctx is cancelled or the index is
// closed. At start (and whenever src's epoch changes) it rebuilds the index
// from src.ForEach if the index is not a complete copy of this source;
// otherwise it catches up from src.Changes. Then it applies every new
// commit as it is signalled by src.Changed. Failures of the source or the
// index are logged and retried with backoff. Run returns nil when ctx is
// cancelled and ErrClosed when the index is closed; only one Run may be
// active at a time.
func (ix *Index) Run(ctx context.Context, src Source) error {
	if !ix.runMu.TryLock() {
		return errors.New("search: run: already running")
	}
	defer ix.runMu.Unlock()
	select {
	case <-ix.closeCh:
		return ErrClosed
	default:
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		select {
		case <-ix.closeCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	defer func() { cancel(); <-watchDone }()

	delay := minRetryDelay
	for {
		started := time.Now()
		err := ix.follow(ctx, src)
		select {
		case <-ix.closeCh:
			return ErrClosed
		default:
		}
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(started) > 2*maxRetryDelay {
			delay = minRetryDelay // it had been working: not a persistent failure
		}
		ix.log.Error("search index cannot follow the store; retrying", "err", err, "retry_in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		delay = min(delay*2, maxRetryDelay)
	}
}

// follow brings the index in line with src and then applies its changes
// until ctx ends or an error occurs.
func (ix *Index) follow(ctx context.Context, src Source) error {
	var lastApply time.Time
	for {
		// Take the signal before reading so that a commit between the read
		// and the wait is not missed.
		changed := src.Changed()
		if reason := ix.rebuildReason(src); reason != "" {
			if err := ix.rebuild(ctx, src, reason); err != nil {
				return err
			}
			continue
		}
		if ix.seq.Load() != ix.stored.seq {
			ix.publish(ix.stored.seq)
		}
		err := ix.catchUp(ctx, src)
		if errors.Is(err, errRebuild) {
			ix.stored.state = stateBuilding // forces the rebuild on the next turn
			continue
		}
		if err != nil {
			return err
		}
		if !ix.ready.Load() {
			ix.ready.Store(true)
			ix.log.Info("search index ready", "seq", ix.stored.seq)
		}
		// Build the facet columns of new segments now rather than in the
		// next search (a failure only leaves that to the search).
		if err := ix.warmFacets(ctx); err != nil && ctx.Err() == nil {
			ix.log.Warn("search index cannot build facet columns", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
		// Under a stream of commits, wait a little so that they land in one
		// bleve batch; a commit after a quiet spell is indexed at once.
		if busy := time.Since(lastApply) < ix.coalesce; busy && ix.coalesce > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(ix.coalesce):
			}
		}
		lastApply = time.Now()
	}
}

// rebuildReason says why the index must be rebuilt from src, or "".
func (ix *Index) rebuildReason(src Source) string {
	st := ix.stored
	switch {
	case !ix.available():
		return "index unavailable"
	case st.state != stateReady:
		return "index is new or its last rebuild did not finish"
	case st.epoch != src.Epoch():
		return fmt.Sprintf("store epoch changed from %q to %q", st.epoch, src.Epoch())
	case st.seq > src.Seq():
		return fmt.Sprintf("index claims seq %d but the store is at %d", st.seq, src.Seq())
	}
	return ""
}

// available reports whether the index has a serving shard set.
func (ix *Index) available() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.ss != nil
}

// catchUp applies src's changes after the stored seq until none is left.
func (ix *Index) catchUp(ctx context.Context, src Source) error {
	for {
		after := ix.stored.seq
		top := src.Seq()
		changes, err := src.Changes(ctx, after, ix.batchSize)
		if err != nil {
			return fmt.Errorf("search: read changes after seq %d: %w", after, err)
		}
		if len(changes) == 0 {
			if top > after {
				ix.log.Warn("store change log does not reach back to the indexed seq; rebuilding",
					"indexed_seq", after, "store_seq", top)
				return errRebuild
			}
			return nil
		}
		if newest := changes[len(changes)-1].Seq; newest <= after {
			return fmt.Errorf("search: change log returned seq %d when asked for changes after %d", newest, after)
		}
		if err := ix.apply(ctx, src, changes); err != nil {
			return err
		}
		if len(changes) < ix.batchSize {
			return nil
		}
	}
}

// apply indexes the current versions of the changed objects, each in its
// shard, and records the last change's seq in the metadata shard's batch,
// which is written after all the others (see shardSet.applyBatches).
func (ix *Index) apply(ctx context.Context, src Source, changes []Change) error {
	last := ix.stored.seq
	var iris []string
	seen := make(map[string]bool, len(changes))
	for _, c := range changes {
		last = max(last, c.Seq)
		if !seen[c.IRI] {
			seen[c.IRI] = true
			iris = append(iris, c.IRI)
		}
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return ErrClosed
	}
	if ix.ss == nil {
		return errors.New("search: apply changes: index unavailable")
	}
	bs := ix.ss.newBatches()
	for _, iri := range iris {
		b := bs[shardOf(iri, len(bs))]
		obj, err := src.Get(ctx, iri)
		switch {
		case err != nil && ix.isNotFound(err):
			b.Delete(iri)
		case err != nil:
			return fmt.Errorf("search: get changed object %s: %w", iri, err)
		case obj.Deleted:
			b.Delete(iri)
		default:
			if err := ix.addDoc(b, iri, obj); err != nil {
				return err
			}
		}
	}
	// Every shard records the seq it reached in its own batch: with
	// unsafe_batch the shards persist on their own schedules, and a start
	// after a crash resumes from the lowest (readState).
	for _, b := range bs {
		b.SetInternal(keySeq, encodeSeq(last))
	}
	err := ix.ss.applyBatches(bs)
	ix.gen.Add(1) // even a failed batch may have changed something
	if err != nil {
		return fmt.Errorf("search: index %d changes up to seq %d: %w", len(changes), last, err)
	}
	ix.stored.seq = last
	ix.publish(last)
	return nil
}

// addDoc adds obj to b under id, logging a body the protocol rejects.
func (ix *Index) addDoc(b *bleve.Batch, id string, obj protocol.Object) error {
	doc, derr := buildDoc(obj)
	if derr != nil {
		ix.log.Warn("indexing object without its body's text", "iri", id, "err", derr)
	}
	if err := b.IndexAdvanced(ix.document(id, doc)); err != nil {
		return fmt.Errorf("search: index object %s: %w", id, err)
	}
	return nil
}

// rebuild builds a complete new index from src.ForEach beside the serving
// one (which keeps answering searches meanwhile) and swaps it in. The new
// index records state "building" until its final, persisted batch. A crash
// leaves the build directory, which Open discards, and the old index, whose
// recorded state leads the next start to the same decision.
func (ix *Index) rebuild(ctx context.Context, src Source, reason string) error {
	start := time.Now()
	ix.log.Info("rebuilding search index", "reason", reason)
	ix.publish(0) // the serving index does not match the source any more

	epoch, seq := src.Epoch(), src.Seq()
	path := ix.buildPath()
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("search: rebuild: remove old build directory: %w", err)
	}
	ss, err := ix.create(path, bulkConfig())
	if err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	closeBuild := func() {
		if ss != nil {
			if err := ss.close(); err != nil {
				ix.log.Warn("close search build index", "err", err)
			}
			ss = nil
		}
	}
	defer closeBuild()

	bs, n, err := scanInto(ctx, ss, src, ix.batchSize, ix.addDoc)
	if err != nil {
		return fmt.Errorf("search: rebuild: scan store: %w", err)
	}
	// Persist every document, merge each shard's bulk-built segments into
	// one (the merger only merges persisted segments; queries, fuzzy ones
	// above all, then visit one term dictionary per field instead of a
	// dozen), the shards in parallel, and only then record the state that
	// makes the index usable.
	err = ss.each(func(i int, bi bleve.Index) error {
		// The marker makes the batch non-empty: an empty one may never be
		// persisted, and it must be to vouch for the earlier ones.
		bs[i].SetInternal(keyMapping, []byte(mappingVersion))
		if err := writePersisted(ctx, bi, bs[i]); err != nil {
			return fmt.Errorf("write last batch: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	scanned := time.Since(start)
	if err := ss.each(func(_ int, bi bleve.Index) error { return forceMerge(ctx, bi) }); err != nil {
		return fmt.Errorf("search: rebuild: merge segments: %w", err)
	}
	ix.log.Debug("search index rebuild: documents written and merged", "objects", n,
		"write", scanned.Round(time.Millisecond), "merge", (time.Since(start) - scanned).Round(time.Millisecond))
	b := ss.meta().NewBatch()
	b.SetInternal(keyEpoch, []byte(epoch))
	b.SetInternal(keySeq, encodeSeq(seq))
	b.SetInternal(keyState, []byte(stateReady))
	if err := writePersisted(ctx, ss.meta(), b); err != nil {
		return fmt.Errorf("search: rebuild: write final state: %w", err)
	}
	closeBuild()
	if err := ix.swap(); err != nil {
		return err
	}
	ix.stored = storedState{state: stateReady, epoch: epoch, seq: seq}
	ix.publish(seq)
	ix.log.Info("search index rebuilt", "objects", n, "seq", seq, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// writePersisted applies b and waits until it is on disk (an index opened
// with unsafe_batch returns from Batch before that).
func writePersisted(ctx context.Context, bi bleve.Index, b *bleve.Batch) error {
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := bi.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-persisted:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// forceMerge merges the segments of a scorch index into one.
func forceMerge(ctx context.Context, bi bleve.Index) error {
	adv, err := bi.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("index is a %T, not scorch", adv)
	}
	// One pass (it may leave two or three segments: a second pass costs
	// as much again and measured no faster search).
	if err := sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		return err
	}
	return ctx.Err()
}

// swap replaces the serving index with the finished build.
func (ix *Index) swap() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	defer ix.gen.Add(1)
	if ix.closed {
		return ErrClosed
	}
	if ix.ss != nil {
		if err := ix.ss.close(); err != nil {
			ix.log.Warn("close replaced search index", "err", err)
		}
		ix.ss = nil
	}
	main := ix.mainPath()
	if err := os.RemoveAll(main); err != nil {
		return fmt.Errorf("search: rebuild: remove replaced index: %w", err)
	}
	if err := os.Rename(ix.buildPath(), main); err != nil {
		return fmt.Errorf("search: rebuild: move new index in place: %w", err)
	}
	shards, err := openShards(main, ix.nShards, liveConfig())
	if err != nil {
		return fmt.Errorf("search: rebuild: open new index: %w", err)
	}
	ss, err := newShardSet(shards, ix.mapping)
	if err != nil {
		_ = closeAll(shards)
		return fmt.Errorf("search: rebuild: open new index: %w", err)
	}
	ix.ss = ss
	return nil
}
