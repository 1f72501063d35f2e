package search

import (
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/interlink-project/interlink-node/protocol"
)

// scanInto reads every live object of src into the shards of ss, batchSize
// documents a batch. The scan of the store (reading and decoding each
// record, mapping it to a document) and the indexing of full batches
// (analysis and building a segment, in bleve's Batch) overlap: each shard
// has a writer goroutine that takes its full batches one at a time, while
// the scan fills the next. It returns the last, partly filled batch of each
// shard, which the caller writes, and the number of documents.
func scanInto(ctx context.Context, ss *shardSet, src Source, batchSize int,
	add func(*bleve.Batch, string, protocol.Object) error) ([]*bleve.Batch, int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	full := make([]chan *bleve.Batch, len(ss.shards))
	var wg sync.WaitGroup
	for i := range full {
		full[i] = make(chan *bleve.Batch, 1)
		wg.Go(func() {
			for b := range full[i] {
				if ctx.Err() != nil {
					continue // drain: the scan stops at its next object
				}
				if err := ss.shards[i].Batch(b); err != nil {
					cancel(fmt.Errorf("write batch of shard %d: %w", i, err))
				}
			}
		})
	}
	bs := ss.newBatches()
	n := 0
	err := src.ForEach(ctx, func(obj protocol.Object) error {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if obj.Deleted {
			return nil
		}
		i := shardOf(obj.IRI, len(bs))
		if err := add(bs[i], obj.IRI, obj); err != nil {
			return err
		}
		n++
		if bs[i].Size() >= batchSize {
			select {
			case full[i] <- bs[i]:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			bs[i] = ss.shards[i].NewBatch()
		}
		return nil
	})
	for _, c := range full {
		close(c)
	}
	wg.Wait()
	if err == nil && ctx.Err() != nil {
		// A writer failed after the scan's last object, or the caller gave up.
		err = context.Cause(ctx)
	}
	if err != nil {
		return nil, 0, err
	}
	return bs, n, nil
}
