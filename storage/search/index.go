package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/interlink-project/interlink-node/protocol"
)

// Change is one entry of the source's change log: the object IRI that a
// commit with sequence number Seq touched.
type Change struct {
	Seq uint64
	IRI string
}

// Source is what the index follows: the store's current objects and its
// ordered change log.
type Source interface {
	// Seq is the sequence number of the last committed change.
	Seq() uint64
	// Epoch identifies the database; it changes when the database is
	// replaced (a restore), which forces a full rebuild.
	Epoch() string
	// Changes returns up to limit changes with Seq > after, in ascending Seq.
	Changes(ctx context.Context, after uint64, limit int) ([]Change, error)
	// Get returns the current version of an object; a tombstone has
	// Deleted set; an IRI the store does not hold returns an error for which
	// Options.IsNotFound reports true.
	Get(ctx context.Context, iri string) (protocol.Object, error)
	// ForEach calls fn with every current object (tombstones included or
	// not), for a full rebuild.
	ForEach(ctx context.Context, fn func(protocol.Object) error) error
	// Changed returns a channel closed at the next commit (a restore that
	// replaces the database must close it too).
	Changed() <-chan struct{}
}

// Options configures an Index.
type Options struct {
	// IsNotFound reports whether an error of Source.Get means the object
	// does not exist (required).
	IsNotFound func(error) bool
	// Logger receives rebuilds, recoveries and source errors; nil means
	// slog.Default().
	Logger *slog.Logger
	// BatchSize is the number of objects per bleve batch (default 1000).
	BatchSize int
	// Coalesce is how long Run waits after a commit before indexing when
	// the previous commit was indexed less than Coalesce ago, so that a
	// stream of commits lands in few bleve batches (fewer, larger segments:
	// far less merging); a commit after a quiet spell is indexed at once.
	// Searches still see every write acknowledged before them (WaitFor).
	// Default 100ms; negative: never wait.
	Coalesce time.Duration
	// Shards is the number of shards the index is split into (documents
	// are routed by a hash of their IRI); a search runs on every shard in
	// parallel. Default DefaultShards. Changing it rebuilds the index.
	Shards int
}

// DefaultCoalesce is Options.Coalesce when zero.
const DefaultCoalesce = 100 * time.Millisecond

// DefaultBatchSize is the number of objects per bleve batch when
// Options.BatchSize is zero.
const DefaultBatchSize = 1000

// ErrClosed is returned by the methods of a closed Index.
var ErrClosed = errors.New("search: index closed")

// Internal keys, stored inside the bleve index with the documents.
var (
	keyMapping = []byte("il:mapping") // mappingVersion the index was built with
	keyState   = []byte("il:state")   // stateReady or stateBuilding
	keyEpoch   = []byte("il:epoch")   // Source.Epoch() the documents come from
	keySeq     = []byte("il:seq")     // last applied change seq, 8 bytes big endian
	keyShards  = []byte("il:shards")  // number of shards, decimal (metadata shard only)
)

const (
	stateReady    = "ready"
	stateBuilding = "building"
)

// Directory names inside the Open directory.
const (
	mainDirName  = "index.bleve"
	buildDirName = "index.bleve.build"
)

// Index is the full-text index. Its methods are safe for concurrent use;
// Run must be active in one goroutine for the index to follow its source.
type Index struct {
	dir        string
	log        *slog.Logger
	isNotFound func(error) bool
	batchSize  int
	coalesce   time.Duration
	nShards    int
	mapping    *mapping.IndexMappingImpl
	analyzers  map[string]analysis.Analyzer // by field language suffix, for query planning
	// fieldAnalyzers maps every analyzed text field to its analyzer.
	fieldAnalyzers map[string]analysis.Analyzer

	mu     sync.RWMutex // guards ss and closed; writers of ss hold it for reading
	ss     *shardSet    // nil only after a failed swap; Run repairs it
	closed bool

	// The persisted state of ss; read and written by Run only (and Open).
	stored storedState

	seq      atomic.Uint64 // published indexed seq: 0 until the index is known to match the source
	gen      atomic.Uint64 // bumped at every change of the serving index's content
	cache    *resultCache
	ready    atomic.Bool
	notifyMu sync.Mutex
	notify   chan struct{} // closed and replaced whenever seq is published

	// facetCols holds the facet columns of the segments in use (facets.go).
	facetCols *facetColumns
	// bleveFacets makes searches count facets with bleve's own facet
	// builder, the reference the column counting is tested and measured
	// against; only tests set it.
	bleveFacets bool

	runMu     sync.Mutex // held by Run while it is active
	closeOnce sync.Once
	closeCh   chan struct{}
}

type storedState struct {
	state string
	epoch string
	seq   uint64
}

// Open opens the index kept in dir, creating it when missing. An index that
// cannot be opened, was built with another layout version, or whose last
// rebuild was interrupted is deleted and recreated empty; Run then rebuilds
// it from the source. Only a failure to create a fresh index is an error.
func Open(dir string, opts Options) (*Index, error) {
	if opts.IsNotFound == nil {
		return nil, errors.New("search: open: Options.IsNotFound is required")
	}
	if opts.BatchSize < 0 {
		return nil, fmt.Errorf("search: open: negative BatchSize %d", opts.BatchSize)
	}
	if opts.Shards < 0 || opts.Shards > maxShards {
		return nil, fmt.Errorf("search: open: Shards %d out of range [0, %d]", opts.Shards, maxShards)
	}
	ix := &Index{
		dir:        dir,
		log:        opts.Logger,
		isNotFound: opts.IsNotFound,
		batchSize:  opts.BatchSize,
		coalesce:   opts.Coalesce,
		nShards:    opts.Shards,
		notify:     make(chan struct{}),
		cache:      newResultCache(),
		facetCols:  newFacetColumns(),
		closeCh:    make(chan struct{}),
		analyzers:  map[string]analysis.Analyzer{},

		fieldAnalyzers: map[string]analysis.Analyzer{},
	}
	if ix.log == nil {
		ix.log = slog.Default()
	}
	ix.log = ix.log.With("component", "search")
	if ix.coalesce == 0 {
		ix.coalesce = DefaultCoalesce
	}
	if ix.batchSize == 0 {
		ix.batchSize = DefaultBatchSize
	}
	if ix.nShards == 0 {
		ix.nShards = DefaultShards
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	ix.mapping = m
	for _, lang := range fieldLangs {
		a := m.AnalyzerNamed(analyzerFor(lang))
		if a == nil {
			return nil, fmt.Errorf("search: open: analyzer %q missing", analyzerFor(lang))
		}
		ix.analyzers[lang] = a
		for _, tk := range textKinds {
			ix.fieldAnalyzers[textField(tk.kind, lang)] = a
		}
	}
	ix.fieldAnalyzers[fieldNameAll] = ix.analyzers[langOther]
	ix.fieldAnalyzers[fieldTagsAll] = ix.analyzers[langOther]
	// The index holds catalogue data (drafts' text included): only the
	// node's user reads it. A directory an older version made 0750 is
	// tightened.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("search: open: create index directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("search: open: index directory mode: %w", err)
	}
	// A build directory left behind is an interrupted rebuild: discard it.
	if err := os.RemoveAll(ix.buildPath()); err != nil {
		return nil, fmt.Errorf("search: open: remove interrupted rebuild: %w", err)
	}
	ss, st, err := ix.openMain()
	if err != nil {
		return nil, err
	}
	ix.ss, ix.stored = ss, st
	return ix, nil
}

func (ix *Index) mainPath() string  { return filepath.Join(ix.dir, mainDirName) }
func (ix *Index) buildPath() string { return filepath.Join(ix.dir, buildDirName) }

// openMain opens the main index directory, recreating it empty when it is
// missing, unreadable, of another mapping version or shard count.
func (ix *Index) openMain() (*shardSet, storedState, error) {
	path := ix.mainPath()
	if _, err := os.Stat(path); err == nil {
		shards, err := openShards(path, ix.nShards, liveConfig())
		if err == nil {
			st, err := ix.readState(shards)
			if err == nil {
				ss, err := newShardSet(shards, ix.mapping)
				if err == nil {
					return ss, st, nil
				}
			}
			ix.log.Warn("search index unusable, recreating it", "path", path, "reason", err)
			if cerr := closeAll(shards); cerr != nil {
				ix.log.Warn("close unusable search index", "path", path, "err", cerr)
			}
		} else {
			ix.log.Warn("search index cannot be opened, recreating it", "path", path, "err", err)
		}
		if err := os.RemoveAll(path); err != nil {
			return nil, storedState{}, fmt.Errorf("search: remove broken index %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, storedState{}, fmt.Errorf("search: stat index %s: %w", path, err)
	}
	ss, err := ix.create(path, liveConfig())
	if err != nil {
		return nil, storedState{}, err
	}
	ix.log.Info("created empty search index", "path", path, "shards", ix.nShards)
	// A fresh index matches no source: state "building" forces a rebuild.
	return ss, storedState{state: stateBuilding}, nil
}

// create makes a new, empty sharded index in directory path with the
// mapping-version, shard-count and "building" markers already written, and
// opens it with runtime config. The index metadata records the live
// configuration whatever config is, so that any later open of the
// directory is durable by default.
func (ix *Index) create(path string, config map[string]any) (*shardSet, error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("search: create index directory %s: %w", path, err)
	}
	shards := make([]bleve.Index, 0, ix.nShards)
	for i := range ix.nShards {
		sp := filepath.Join(path, shardDirName(i))
		bi, err := bleve.NewUsing(sp, ix.mapping, scorch.Name, bleve.Config.DefaultKVStore, liveConfig())
		if err != nil {
			_ = closeAll(shards)
			return nil, fmt.Errorf("search: create index %s: %w", sp, err)
		}
		shards = append(shards, bi)
		b := bi.NewBatch()
		b.SetInternal(keyMapping, []byte(mappingVersion))
		if i == metaShard {
			b.SetInternal(keyShards, []byte(strconv.Itoa(ix.nShards)))
			b.SetInternal(keyState, []byte(stateBuilding))
		}
		// Persisted before anything else: the live configuration returns
		// from Batch before the disk has it, and the shards may be closed
		// and reopened with another configuration just below.
		if err := writePersisted(context.Background(), bi, b); err != nil {
			_ = closeAll(shards)
			return nil, fmt.Errorf("search: initialise index %s: %w", sp, err)
		}
	}
	if !reflect.DeepEqual(config, liveConfig()) {
		if err := closeAll(shards); err != nil {
			return nil, fmt.Errorf("search: close new index %s: %w", path, err)
		}
		var err error
		shards, err = openShards(path, ix.nShards, config)
		if err != nil {
			return nil, fmt.Errorf("search: reopen new index %s: %w", path, err)
		}
	}
	ss, err := newShardSet(shards, ix.mapping)
	if err != nil {
		_ = closeAll(shards)
		return nil, fmt.Errorf("search: new index %s: %w", path, err)
	}
	return ss, nil
}

// liveConfig is the scorch configuration for following the source. A batch
// is searchable when Batch returns and persisted soon after, in the
// background (unsafe_batch): the index is derived, each shard records the
// seq it reached in the same batch as its documents, so a crash costs a
// catch-up from the store, never a document. Waiting for every batch's
// fsync made the indexer compete with the store's commits for the disk and
// wrote one segment per batch for the merger to merge again. The persister
// options override what a bulk build may have set.
func liveConfig() map[string]any {
	return map[string]any{
		"unsafe_batch": true,
		"scorchPersisterOptions": map[string]any{
			"PersisterNapTimeMSec":      0,
			"PersisterNapUnderNumFiles": 1000,
			"NumPersisterWorkers":       1,
		},
	}
}

// bulkConfig is the configuration for a full rebuild: batches return before
// they are persisted (a crash leaves the build directory behind, which Open
// discards), and the persister merges more in memory before it writes.
func bulkConfig() map[string]any {
	return map[string]any{
		"unsafe_batch": true,
		"scorchPersisterOptions": map[string]any{
			"PersisterNapTimeMSec":      50,
			"PersisterNapUnderNumFiles": 1000,
			"NumPersisterWorkers":       1,
		},
	}
}

// readState reads the metadata of a sharded index: every shard must be of
// the current mapping version, and the metadata shard must record the
// configured shard count.
func (ix *Index) readState(shards []bleve.Index) (storedState, error) {
	for i, bi := range shards {
		v, err := bi.GetInternal(keyMapping)
		if err != nil {
			return storedState{}, fmt.Errorf("shard %d: read mapping version: %w", i, err)
		}
		if string(v) != mappingVersion {
			return storedState{}, fmt.Errorf("shard %d: mapping version %q, want %q", i, v, mappingVersion)
		}
	}
	bi := shards[metaShard]
	n, err := bi.GetInternal(keyShards)
	if err != nil {
		return storedState{}, fmt.Errorf("read shard count: %w", err)
	}
	if string(n) != strconv.Itoa(len(shards)) {
		return storedState{}, fmt.Errorf("index has %q shards, want %d", n, len(shards))
	}
	var st storedState
	state, err := bi.GetInternal(keyState)
	if err != nil {
		return storedState{}, fmt.Errorf("read state: %w", err)
	}
	st.state = string(state)
	epoch, err := bi.GetInternal(keyEpoch)
	if err != nil {
		return storedState{}, fmt.Errorf("read epoch: %w", err)
	}
	st.epoch = string(epoch)
	seq, err := bi.GetInternal(keySeq)
	if err != nil {
		return storedState{}, fmt.Errorf("read seq: %w", err)
	}
	if st.seq, err = decodeSeq(seq); err != nil {
		return storedState{}, fmt.Errorf("shard %d: %w", metaShard, err)
	}
	// The live index persists each shard on its own schedule: a crash can
	// leave one shard behind the metadata shard. Resume from the lowest
	// seq any shard recorded (an index written before shards recorded
	// their own seq has it only in the metadata shard, which was then
	// always written last).
	for i, bi := range shards {
		if i == metaShard {
			continue
		}
		v, err := bi.GetInternal(keySeq)
		if err != nil {
			return storedState{}, fmt.Errorf("shard %d: read seq: %w", i, err)
		}
		if len(v) == 0 {
			continue
		}
		s, err := decodeSeq(v)
		if err != nil {
			return storedState{}, fmt.Errorf("shard %d: %w", i, err)
		}
		st.seq = min(st.seq, s)
	}
	return st, nil
}

// decodeSeq reads a stored seq (none: 0).
func decodeSeq(b []byte) (uint64, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 8:
		return binary.BigEndian.Uint64(b), nil
	}
	return 0, fmt.Errorf("stored seq has %d bytes, want 8", len(b))
}

func encodeSeq(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// IndexedSeq is the sequence number of the last source change the index
// reflects. It is 0 until Run has confirmed that the index belongs to the
// source, and during a rebuild.
func (ix *Index) IndexedSeq() uint64 { return ix.seq.Load() }

// Ready reports whether the index has caught up with its source at least
// once since Open.
func (ix *Index) Ready() bool { return ix.ready.Load() }

// publish makes seq the indexed seq and wakes WaitFor callers.
func (ix *Index) publish(seq uint64) {
	ix.seq.Store(seq)
	ix.notifyMu.Lock()
	close(ix.notify)
	ix.notify = make(chan struct{})
	ix.notifyMu.Unlock()
}

// WaitFor blocks until IndexedSeq() >= seq (so that a search after a write
// sees the write), ctx is done, or the index is closed.
func (ix *Index) WaitFor(ctx context.Context, seq uint64) error {
	for {
		ix.notifyMu.Lock()
		ch := ix.notify
		ix.notifyMu.Unlock()
		if ix.seq.Load() >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("search: wait for seq %d (indexed %d): %w", seq, ix.seq.Load(), ctx.Err())
		case <-ix.closeCh:
			return ErrClosed
		}
	}
}

// Count returns the number of indexed (live) objects.
func (ix *Index) Count() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return 0, ErrClosed
	}
	if ix.ss == nil {
		return 0, errors.New("search: count: index unavailable")
	}
	n, err := ix.ss.docCount()
	if err != nil {
		return 0, fmt.Errorf("search: count: %w", err)
	}
	return n, nil
}

// Close stops a running Run, waits for it to return, and closes the index.
// closeFlushTimeout bounds how long Close waits for the index to reach the
// disk.
const closeFlushTimeout = 10 * time.Second

func (ix *Index) Close() error {
	var err error
	ix.closeOnce.Do(func() {
		close(ix.closeCh)
		ix.runMu.Lock() // wait for Run to return
		defer ix.runMu.Unlock()
		ix.mu.Lock()
		defer ix.mu.Unlock()
		ix.closed = true
		if ix.ss != nil {
			// Batches return before they are on disk: persist what the
			// index holds, so that the next start has nothing to catch up.
			ctx, cancel := context.WithTimeout(context.Background(), closeFlushTimeout)
			if ferr := ix.ss.persist(ctx, ix.stored.seq); ferr != nil {
				ix.log.Warn("search: the index was not persisted before closing; the next start catches up from the store", "error", ferr)
			}
			cancel()
			if cerr := ix.ss.close(); cerr != nil {
				err = fmt.Errorf("search: close index: %w", cerr)
			}
			ix.ss = nil
		}
	})
	return err
}
