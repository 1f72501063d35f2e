package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/storage"
)

// backfillBatch is how many object versions one backfill transaction writes.
const backfillBatch = 500

// maxBackfillPages bounds how far a backfill pages (a hostile peer could
// serve an endless outbox).
const maxBackfillPages = 100_000

// backfiller is the agent's catch-up: it pages followed nodes' outboxes
// (at most maxConcurrentBackfills at once, one per actor). It shares the
// agent's store, client and trust layer.
type backfiller struct{ s *Service }

// StartBackfill fetches a followed actor's whole catalogue in the
// background (at most one backfill per actor at a time). Objects whose
// signers have no trust chain yet (a node being enrolled) are fetched again
// every unverifiedRetryAfter, up to maxBackfillRetries times.
func (b *backfiller) StartBackfill(actor string) {
	s := b.s
	if _, running := s.backfills.LoadOrStore(actor, struct{}{}); running {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.backfills.Delete(actor)
		ctx := s.ctx
		for attempt := 0; ; attempt++ {
			pending, ok := b.runBackfill(ctx, actor)
			if !ok || pending == 0 || attempt >= maxBackfillRetries {
				return
			}
			s.log.Info("backfill will try again the objects whose signers have no trust chain yet", "actor", actor, "pending", pending)
			select {
			case <-time.After(unverifiedRetryAfter):
			case <-ctx.Done():
				return
			}
		}
	}()
}

// BackfillsRunning is how many backfills run or wait to retry (the node's
// metrics read it at scrape time).
func (s *Service) BackfillsRunning() int {
	n := 0
	s.backfills.Range(func(any, any) bool { n++; return true })
	return n
}

// maxBackfillRetries bounds the retries of objects without a trust chain
// (20 × 15 s: five minutes, time enough for an enrolment).
const maxBackfillRetries = 20

// runBackfill runs one backfill under the concurrency bound and records the
// peer's state; it returns how many objects waited for a trust chain and
// whether it ran.
func (b *backfiller) runBackfill(ctx context.Context, actor string) (pending int, ok bool) {
	s := b.s
	select {
	case s.backfillSem <- struct{}{}:
		defer func() { <-s.backfillSem }()
	case <-ctx.Done():
		return 0, false
	}
	start := time.Now()
	n, pending, err := b.backfill(ctx, actor)
	errText := ""
	if err != nil {
		errText = err.Error()
		s.log.Warn("backfill failed", "actor", actor, "applied", n, "err", err)
	} else {
		s.log.Info("backfill done", "actor", actor, "applied", n, "waiting_for_trust", pending, "duration", time.Since(start))
	}
	if err := s.graph.MarkPeer(ctx, actor, err == nil, s.now(), errText); err != nil && !errors.Is(err, storage.ErrNotFound) {
		s.log.Warn("record the peer's state", "actor", actor, "err", err)
	}
	return pending, err == nil
}

// Backfill pages the actor's outbox and stores the newest version of every
// catalogue object it announces (deletions included). Versions make it
// idempotent and order-free: what is already held is skipped. It returns
// how many object versions it wrote.
func (s *Service) Backfill(ctx context.Context, actor string) (int, error) {
	n, _, err := s.catchUp.backfill(ctx, actor)
	return n, err
}

// backfill is Backfill; pending counts the objects skipped because their
// signers have no trust chain yet.
func (b *backfiller) backfill(ctx context.Context, actor string) (applied, pending int, err error) {
	s := b.s
	peer, err := s.Actor(ctx, actor)
	if err != nil {
		return 0, 0, fmt.Errorf("backfill %s: %w", actor, err)
	}
	if peer.Outbox == "" {
		return 0, 0, fmt.Errorf("backfill %s: the actor has no outbox", actor)
	}
	// Three stages overlap: the next page is fetched and parsed while this
	// one is verified on every core, and a batch is written (its fsync
	// included) while the next ones are verified.
	ctx, cancel := context.WithCancel(ctx)
	pages := b.fetchPages(ctx, actor, peer.Outbox)
	w := b.startWriter(ctx)
	defer func() {
		cancel()
		for range pages { // let the fetcher end
		}
	}()
	seen := map[string]bool{}
	var ops []storage.WriteOp
	for pg := range pages {
		if pg.err != nil {
			err = pg.err
			break
		}
		for _, r := range b.verifyPage(ctx, peer.ID, pg.items) {
			if r.act == nil {
				continue
			}
			got, ok, err := b.backfillOps(ctx, peer.ID, r, seen)
			if errors.Is(err, trust.ErrUnverified) {
				pending++
				continue
			}
			if err != nil {
				s.log.Debug("backfill skipped an item", "actor", actor, "err", err)
				continue
			}
			if ok {
				ops = append(ops, got...)
				if len(ops) >= backfillBatch {
					w.write(ops)
					ops = nil
				}
			}
		}
		if w.failed() {
			break
		}
	}
	if err == nil && ctx.Err() != nil {
		// The fetcher stops quietly when the backfill is cancelled: that is
		// not a complete backfill.
		err = fmt.Errorf("backfill %s: %w", actor, ctx.Err())
	}
	if err == nil {
		w.write(ops)
	}
	applied, werr := w.close()
	if err == nil {
		err = werr
	}
	return applied, pending, err
}

// fetchedPage is one outbox page, parsed, or why paging stopped.
type fetchedPage struct {
	items []json.RawMessage
	err   error
}

// fetchPages pages an outbox from first in a goroutine of its own, one page
// ahead of its reader, until the last page, maxBackfillPages, an error
// (sent last) or ctx's end; the channel is closed after the last page.
func (b *backfiller) fetchPages(ctx context.Context, actor, first string) <-chan fetchedPage {
	out := make(chan fetchedPage, 1)
	go func() {
		defer close(out)
		send := func(p fetchedPage) bool {
			select {
			case out <- p:
				return true
			case <-ctx.Done():
				return false
			}
		}
		next := first
		for pages := 0; next != "" && pages < maxBackfillPages; pages++ {
			if !sameOrigin(next, actor) {
				send(fetchedPage{err: fmt.Errorf("backfill %s: outbox page %s is on another origin", actor, next)})
				return
			}
			raw, err := b.s.fetch(ctx, next)
			if err != nil {
				send(fetchedPage{err: fmt.Errorf("backfill %s: %w", actor, err)})
				return
			}
			items, nextPage, err := activity.ParseCollectionPage(raw)
			if err != nil {
				send(fetchedPage{err: fmt.Errorf("backfill %s: page %s: %w", actor, next, err)})
				return
			}
			if !send(fetchedPage{items: items}) {
				return
			}
			next = nextPage
		}
	}()
	return out
}

// batchWriter writes a backfill's batches in order in a goroutine of its
// own; after the first failure it writes nothing more.
type batchWriter struct {
	batches chan []storage.WriteOp
	done    chan struct{}
	stop    atomic.Bool
	applied int
	err     error
}

func (b *backfiller) startWriter(ctx context.Context) *batchWriter {
	w := &batchWriter{batches: make(chan []storage.WriteOp, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for ops := range w.batches {
			if w.err != nil {
				continue
			}
			n, err := b.applyRemote(ctx, ops)
			w.applied += n
			if err != nil {
				w.err = err
				w.stop.Store(true)
			}
		}
	}()
	return w
}

// write queues a batch (waiting while one is written and one queued).
func (w *batchWriter) write(ops []storage.WriteOp) {
	if len(ops) > 0 && !w.stop.Load() {
		w.batches <- ops
	}
}

// failed reports whether a batch failed: the backfill stops.
func (w *batchWriter) failed() bool { return w.stop.Load() }

// close waits for the queued batches and reports how many versions were
// written and the first failure.
func (w *batchWriter) close() (int, error) {
	close(w.batches)
	<-w.done
	return w.applied, w.err
}

// pageItem is one outbox item, parsed and (unless held or not a catalogue
// version) verified.
type pageItem struct {
	act *activity.Activity
	rv  *receivedVersion
	err error
	// held: this node already holds this version or a later one (judged
	// from the unsigned entry before any verification: a hint that only
	// ever saves work).
	held bool
}

// verifyPage parses and verifies a page's items on every core (signature
// verification is most of a backfill's cost); the results keep the page's
// order, newest first.
func (b *backfiller) verifyPage(ctx context.Context, actor string, items []json.RawMessage) []pageItem {
	out := make([]pageItem, len(items))
	workers := min(runtime.GOMAXPROCS(0), len(items))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(items) || ctx.Err() != nil {
					return
				}
				out[i] = b.verifyItem(ctx, actor, items[i])
			}
		}()
	}
	wg.Wait()
	return out
}

func (b *backfiller) verifyItem(ctx context.Context, actor string, raw json.RawMessage) pageItem {
	s := b.s
	act, err := parseActivity(raw)
	if err != nil {
		s.log.Debug("backfill skipped an item that is not an activity", "actor", actor, "err", err)
		return pageItem{}
	}
	it := pageItem{act: act}
	switch {
	case act.Actor != actor || !sameOrigin(act.ID, actor):
		it.err = fmt.Errorf("activity %s is not %s's", act.ID, actor)
	case act.Type != "Create" && act.Type != "Update" && act.Type != "Delete":
	case act.Object == nil || act.Object.JWS == nil:
	default:
		if e := act.Object.Entry; e != nil {
			if cur, err := s.objects.Get(ctx, act.ObjectID()); err == nil && cur.Version >= e.Version {
				it.held = true
				return it
			}
		}
		it.rv, it.err = s.signedObject(ctx, act)
	}
	return it
}

// backfillOps turns one verified outbox item into the writes it calls for,
// if any: the version, after the versions fetched to fill a gap before it.
func (b *backfiller) backfillOps(ctx context.Context, actor string, it pageItem, seen map[string]bool) ([]storage.WriteOp, bool, error) {
	s := b.s
	act := it.act
	if act.Actor != actor || !sameOrigin(act.ID, actor) {
		return nil, false, fmt.Errorf("activity %s is not %s's", act.ID, actor)
	}
	if act.Type != "Create" && act.Type != "Update" && act.Type != "Delete" {
		return nil, false, nil
	}
	iri := act.ObjectID()
	if seen[iri] {
		return nil, false, nil // the outbox is newest first: this is older
	}
	seen[iri] = true
	if it.held || act.Object == nil || act.Object.JWS == nil {
		return nil, false, nil // held already, or not a signed catalogue object
	}
	if it.err != nil {
		return nil, false, it.err
	}
	rv := it.rv
	h := &history{} // the first version this node sees, unless it holds one
	cur, err := s.objects.Get(ctx, iri)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return nil, false, err
	case !sameOrigin(cur.Origin, actor):
		return nil, false, fmt.Errorf("%s belongs to %s", iri, cur.Origin)
	case cur.Version >= rv.obj.Version:
		// Held already; another payload under a held number is still
		// kept as evidence.
		if err := s.stale(ctx, cur, rv.obj, rv.Payload, rv.Raw); errors.Is(err, ErrEquivocation) {
			return nil, false, err
		}
		return nil, false, nil
	default:
		if h, err = s.follows(ctx, cur, &rv.obj, rv.Payload, rv.Raw); err != nil {
			return nil, false, err
		}
	}
	rv.obj.Actor, rv.obj.Received = actor, s.now().UTC()
	return append(h.fill, rv.writeOp()), true, nil
}

// applyRemote writes a batch of remote versions; when the batch as a whole
// fails (a live delivery raced it, one object is invalid), each is tried
// alone and stale or invalid ones are skipped.
func (b *backfiller) applyRemote(ctx context.Context, ops []storage.WriteOp) (int, error) {
	s := b.s
	if _, err := s.objects.Apply(ctx, ops...); err == nil {
		return len(ops), nil
	} else if !errors.Is(err, storage.ErrStale) && !errors.Is(err, storage.ErrInvalidObject) && !errors.Is(err, storage.ErrGone) && !errors.Is(err, storage.ErrKeyExists) {
		return 0, err
	}
	n := 0
	for _, op := range ops {
		_, err := s.objects.Apply(ctx, op)
		switch {
		case err == nil:
			n++
		case errors.Is(err, storage.ErrStale), errors.Is(err, storage.ErrGone):
		case errors.Is(err, storage.ErrInvalidObject), errors.Is(err, storage.ErrKeyExists):
			s.log.Warn("backfill refused an object", "iri", op.Object.IRI, "err", err)
		default:
			return n, err
		}
	}
	return n, nil
}
