package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/interlink-project/interlink-node/protocol"
)

// Defaults of Options.
const (
	DefaultMaxBatch    = 1000
	DefaultLockTimeout = time.Second
	// maxBatchOps bounds the ops of one transaction: a batch stops taking
	// requests once it holds this many (imports carry hundreds per request).
	maxBatchOps = 20000
	// initialMmapSize is the address space mapped at open: large enough that
	// a catalogue of some hundred thousand objects never remaps (a remap
	// waits for every read transaction). On Linux the file itself still grows
	// only as data is written.
	initialMmapSize = 256 << 20
)

// Options tune a Store. The zero value is a durable store.
type Options struct {
	NoSync        bool          // tests/benchmarks of non-durable paths only; default false (durable)
	MaxBatch      int           // max write requests per transaction (default 1000)
	MaxBatchDelay time.Duration // how long the committer may wait to fill a batch (default 0: commit whatever is queued as soon as the previous commit finished)
	LockTimeout   time.Duration // how long Open waits for another process to release the file (default 1s)
	Logger        *slog.Logger  // default: discard
	Now           func() time.Time
	// InboxRetention is how long ApplyInbound remembers an activity id
	// (default 30 days); the committer forgets older ones as it goes.
	InboxRetention time.Duration
}

// Store is the node's database. Its methods are safe for concurrent use.
type Store struct {
	path  string
	db    *bbolt.DB
	log   *slog.Logger
	now   func() time.Time
	epoch string

	maxBatch int
	delay    time.Duration

	retention time.Duration // of inbound activity ids
	nextPrune time.Time     // committer goroutine only

	seq      atomic.Uint64
	commits  atomic.Uint64
	requests atomic.Uint64
	pages    atomic.Uint64
	closed   atomic.Bool
	reqs     chan *request
	closing  chan struct{} // closed by Close: the committer drains and stops
	stopped  chan struct{} // closed by the committer when it has stopped
	once     sync.Once

	mu      sync.Mutex
	changed chan struct{}
}

// Open opens (creating it with mode 0600 if needed) the database at path,
// runs pending migrations and starts the committer. A database held by
// another process fails with ErrLocked after Options.LockTimeout.
func Open(path string, opts Options) (*Store, error) {
	return open(path, opts, openConfig{migrations: migrations()})
}

// openConfig holds what tests vary beyond Options.
type openConfig struct {
	migrations []migration
	maxSize    int // bbolt MaxSize (0: unlimited)
}

func open(path string, opts Options, cfg openConfig) (*Store, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.InboxRetention <= 0 {
		opts.InboxRetention = DefaultInboxRetention
	}
	boltOpts := &bbolt.Options{
		Timeout: opts.LockTimeout,
		NoSync:  opts.NoSync,
		// The freelist is persisted: without it bbolt rebuilds the freelist
		// at open by reading every page, which makes start-up touch (and
		// keep resident) the whole file: ~400 MB RSS for 100,000 objects.
		NoFreelistSync:  false,
		FreelistType:    bbolt.FreelistMapType,
		InitialMmapSize: initialMmapSize,
		MaxSize:         cfg.maxSize,
		NoStatistics:    true, // bbolt's counters cost every read transaction a lock
	}
	db, err := bbolt.Open(path, 0o600, boltOpts)
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{
		path:      path,
		db:        db,
		log:       opts.Logger.With("component", "storage"),
		now:       opts.Now,
		maxBatch:  opts.MaxBatch,
		delay:     opts.MaxBatchDelay,
		retention: opts.InboxRetention,
		reqs:      make(chan *request, opts.MaxBatch),
		closing:   make(chan struct{}),
		stopped:   make(chan struct{}),
		changed:   make(chan struct{}),
	}
	var from, to, seq uint64
	var compact bool
	err = db.Update(func(tx *bbolt.Tx) error {
		var err error
		if from, to, err = migrate(tx, cfg.migrations, opts.Now()); err != nil {
			return err
		}
		meta := tx.Bucket(bMeta)
		s.epoch = string(meta.Get(mEpoch))
		if v := meta.Get(mSeq); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		compact = meta.Get(mCompact) != nil
		if s.epoch == "" {
			return fmt.Errorf("%w: the database has no epoch", ErrIncompatible)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if from != to {
		s.log.Info("database schema migrated", "path", path, "from", from, "to", to)
	}
	if compact {
		// A migration freed much of the file: compact it, so that the
		// freelist every commit writes stays small. A failure (no room
		// for the copy) leaves the migrated database as it is, to be
		// compacted at the next start.
		if err := db.Close(); err != nil {
			return nil, fmt.Errorf("storage: open %s: close after the migration: %w", path, err)
		}
		if err := compactFile(path); err != nil {
			s.log.Warn("database not compacted after its migration; it keeps the pages the migration freed until the next start tries again", "path", path, "error", err)
		} else {
			s.log.Info("database compacted after its migration", "path", path)
		}
		if db, err = bbolt.Open(path, 0o600, boltOpts); err != nil {
			return nil, openError(path, err)
		}
		s.db = db
	}
	s.seq.Store(seq)
	go commitLoop(s)
	return s, nil
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("storage: open %s: %w", path, ErrLocked)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("storage: open %s: %w: not a bbolt database or damaged: %w", path, ErrIncompatible, err)
	}
	return fmt.Errorf("storage: open %s: %w", path, err)
}

// Close drains the committer (queued writes are applied), then closes the
// database. Calls after the first return ErrClosed.
func (s *Store) Close() error {
	first := false
	s.once.Do(func() { first = true })
	if !first {
		return fmt.Errorf("storage: close %s: %w", s.path, ErrClosed)
	}
	s.closed.Store(true)
	close(s.closing)
	<-s.stopped
	s.mu.Lock()
	close(s.changed) // wake every watcher; they will find the store closed
	s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("storage: close %s: %w", s.path, err)
	}
	return nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Epoch identifies this database's content lineage: it is made with the
// database and replaced by every restore, so that an index derived from the
// data can tell it was built from something else.
func (s *Store) Epoch() string { return s.epoch }

// Seq is the last committed change sequence.
func (s *Store) Seq() uint64 { return s.seq.Load() }

// Changed returns a channel that is closed at the next commit that changes
// objects (and when the store closes). Take a new one after every wake-up.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Store) broadcast() {
	s.mu.Lock()
	if !s.closed.Load() {
		close(s.changed)
		s.changed = make(chan struct{})
	}
	s.mu.Unlock()
}

// Stats counts the committer's work since Open.
type Stats struct {
	Commits  uint64 // transactions committed (or attempted) by the committer
	Requests uint64 // write requests answered (Apply calls, token and setting writes)
	Pages    uint64 // pages the committer's transactions wrote (bbolt's count, meta pages included)
}

// Stats reports the committer's counters: Requests/Commits is the mean
// group-commit batch size, Pages/Commits what a commit writes.
func (s *Store) Stats() Stats {
	return Stats{Commits: s.commits.Load(), Requests: s.requests.Load(), Pages: s.pages.Load()}
}

// Size is the database file's size in bytes (0 when it cannot be read).
func (s *Store) Size() int64 {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// view runs fn in a read-only transaction.
func (s *Store) view(ctx context.Context, what string, fn func(tx *bbolt.Tx) error) error {
	if s.closed.Load() {
		return fmt.Errorf("storage: %s: %w", what, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	err := s.db.View(fn)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("storage: %s: %w", what, ErrClosed)
	}
	return err
}

// decodeEntity is the store's defence in depth: bodies must be valid entities.
func decodeEntity(body []byte) (protocol.Entity, error) { return protocol.DecodeEntity(body) }
