package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/faults"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
	"golang.org/x/term"
)

// Version is the node software's version.
const Version = "0.1.0"

// Files and directories inside the data directory.
const (
	dbFile              = "interlink.db"
	indexDir            = "index"
	keysDir             = "keys"
	localCredentialFile = "local-credential"
	adminTokenFile      = "admin-token"
	runtimeFile         = "node.json"
	settingInitialised  = "initialised"
)

// Options are the parts of a node that tests and the CLI inject.
type Options struct {
	Logger *slog.Logger
	// Stdout receives what is printed once to the operator (the first
	// admin token). Default os.Stdout.
	Stdout io.Writer
	// IsTerminal reports whether Stdout is a terminal: only then is the
	// first admin token printed; otherwise (a log file, journald) it is
	// written to DATA/admin-token and only that path is printed. Default:
	// Stdout is an *os.File that is a terminal.
	IsTerminal func(io.Writer) bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Node is one interlink node: configuration, keys, database, search index
// and HTTP server, composed.
type Node struct {
	cfg    Config
	log    *slog.Logger
	stdout io.Writer
	// stdoutTTY: stdout is a terminal (the first admin token may be shown).
	stdoutTTY bool
	now       func() time.Time
	uris      protocol.URIs
	ids       *protocol.ULIDSource
	keys      *Keys

	// gate is held shared by every API request and exclusively by a restore,
	// which swaps the database and the index underneath.
	gate sync.RWMutex
	st   *storage.Store
	ix   *search.Index
	fed  *federation.Service
	tr   *trust.Service
	cat  *catalogue.Service // the catalogue use cases over st, fed and tr
	// inboxLimit bounds each remote address's inbox POSTs (nil: off).
	inboxLimit *rateLimiter

	indexStop context.CancelFunc
	indexDone chan struct{}

	resignStop   context.CancelFunc
	resignDone   chan struct{}
	resignKick   chan struct{} // a pass now (a content key was revoked)
	reverifyStop context.CancelFunc
	reverifyDone chan struct{}

	metrics *metrics
	handler http.Handler
	// faults are the injected faults (testing.faults); nil otherwise.
	faults *faults.Set

	// gossip is the gossip agent (gossip.go), nil while gossip is off.
	gossip atomic.Pointer[gossipAgent]
	// gossipMetaHints gives the entity-configuration hash and role that
	// gossip carries as hints; nil: empty.
	gossipMetaHints func() (ecHash, role string)
	// memberCheck checks gossip members over HTTP and JWS; nil: members
	// stay unchecked and follow-trusted follows nobody.
	memberCheck memberChecker

	srv      *http.Server
	listener net.Listener
	closed   atomic.Bool
	mu       sync.Mutex
}

// New opens (creating on first start) the node's data directory, keys,
// database and search index, and starts following the database with the
// index. It does not listen yet: see Start and Run.
func New(cfg Config, opts Options) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	n := &Node{cfg: cfg, log: opts.Logger, stdout: opts.Stdout, now: opts.Now,
		uris: protocol.NewURIs(cfg.PublicURL), ids: &protocol.ULIDSource{}, resignKick: make(chan struct{}, 1)}
	if n.log == nil {
		n.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if n.stdout == nil {
		n.stdout = os.Stdout
	}
	isTerminal := opts.IsTerminal
	if isTerminal == nil {
		isTerminal = fileIsTerminal
	}
	n.stdoutTTY = isTerminal(n.stdout)
	if n.now == nil {
		n.now = time.Now
	}
	n.memberCheck, n.gossipMetaHints = trustChecker{n}, n.trustHints
	n.inboxLimit = newRateLimiter(cfg.Federation.InboxRate, cfg.Federation.InboxBurst, n.now)
	if cfg.Testing.Faults {
		n.faults = faults.NewSet()
		n.now = n.faults.Clock(n.now)
	}
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", cfg.Data, err)
	}
	keys, created, err := loadOrCreateKeys(filepath.Join(cfg.Data, keysDir), n.now)
	if err != nil {
		return nil, err
	}
	n.keys = keys
	if created {
		n.log.Info("created node keys", "dir", filepath.Join(cfg.Data, keysDir))
	}
	if err := n.openData(); err != nil {
		return nil, err
	}
	if err := n.firstStart(context.Background()); err != nil {
		n.closeData()
		return nil, err
	}
	if err := n.recordIdentity(context.Background()); err != nil {
		n.closeData()
		return nil, err
	}
	n.metrics = newMetrics(n)
	n.registerGossipMetrics()
	n.handler = n.routes()
	return n, nil
}

// openData opens the database and the index and starts the indexer.
func (n *Node) openData() error {
	st, err := storage.Open(filepath.Join(n.cfg.Data, dbFile), storage.Options{
		MaxBatch: n.cfg.Storage.MaxBatch, MaxBatchDelay: n.cfg.Storage.MaxBatchDelay, Logger: n.log, Now: n.now})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	ix, err := search.Open(filepath.Join(n.cfg.Data, indexDir), search.Options{
		IsNotFound: func(err error) bool { return errors.Is(err, storage.ErrNotFound) }, Logger: n.log})
	if err != nil {
		st.Close()
		return fmt.Errorf("open search index: %w", err)
	}
	// One pass: the outbound client, the trust layer fetching through it,
	// the federation agent sending through it and judging with the trust
	// layer.
	client := federation.NewClient(n.cfg.Federation, n.uris, Version, n.wrapTransport())
	tr, err := n.newTrust(st, federation.TrustFetcher(n.cfg.Federation, n.uris, client))
	if err != nil {
		client.CloseIdleConnections()
		ix.Close()
		st.Close()
		return fmt.Errorf("trust: %w", err)
	}
	fed, err := federation.New(n.cfg.Federation, federation.Deps{Store: st, URIs: n.uris, HTTPKey: n.keys.HTTP,
		Logger: n.log, Now: n.now, Version: Version, Client: client, Trust: tr, OnEquivocation: n.countEquivocation})
	if err != nil {
		client.CloseIdleConnections()
		ix.Close()
		st.Close()
		return fmt.Errorf("federation: %w", err)
	}
	n.st, n.ix, n.fed, n.tr = st, ix, fed, tr
	n.cat = catalogue.New(catalogue.Deps{Store: st, Federation: fed, Trust: tr, URIs: n.uris, IDs: n.ids, Now: n.now})
	ctx, cancel := context.WithCancel(context.Background())
	n.indexStop, n.indexDone = cancel, make(chan struct{})
	go func() {
		defer close(n.indexDone)
		if err := ix.Run(ctx, indexSource{st}); err != nil && !errors.Is(err, context.Canceled) {
			n.log.Error("search indexer stopped", "err", err)
		}
	}()
	return nil
}

// closeData stops the indexer and closes the index and the database.
func (n *Node) closeData() error {
	if n.indexStop != nil {
		n.indexStop()
		<-n.indexDone
	}
	var errs []error
	if n.fed != nil {
		errs = append(errs, n.fed.Close())
	}
	if n.ix != nil {
		errs = append(errs, n.ix.Close())
	}
	if n.st != nil {
		errs = append(errs, n.st.Close())
	}
	return errors.Join(errs...)
}

func (n *Node) store() *storage.Store { return n.st }

// catalogue returns the catalogue use cases (rebuilt with the store by a restore).
func (n *Node) catalogue() *catalogue.Service { return n.cat }
func (n *Node) index() *search.Index          { return n.ix }

// firstStart makes the first admin token (printed once, stored as a hash)
// and the local credential the CLI on this machine uses.
func (n *Node) firstStart(ctx context.Context) error {
	credPath := filepath.Join(n.cfg.Data, localCredentialFile)
	if _, err := n.st.GetSetting(ctx, settingInitialised); err == nil {
		if _, err := os.Stat(credPath); err == nil {
			return nil
		}
		// The credential file was removed: make a new one.
		return n.writeLocalCredential(ctx, credPath)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("read settings: %w", err)
	}
	_, secret, err := n.createToken(ctx, RoleAdmin, "initial-admin")
	if err != nil {
		return err
	}
	if err := n.writeLocalCredential(ctx, credPath); err != nil {
		return err
	}
	// Standard output that is not a terminal is a log file or journald: the
	// token must not land there, so it goes to a file of the owner's, written
	// before the first start is recorded (a failure retries at next start).
	tokPath := filepath.Join(n.cfg.Data, adminTokenFile)
	if !n.stdoutTTY {
		if err := writeFileAtomic(tokPath, []byte(secret+"\n"), 0o600); err != nil {
			return fmt.Errorf("initial admin token: %w", err)
		}
	}
	if err := n.st.PutSetting(ctx, settingInitialised, []byte(n.now().UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("record first start: %w", err)
	}
	if n.stdoutTTY {
		fmt.Fprintf(n.stdout, "\nInitial admin token (shown once; only its hash is stored):\n\n    %s\n\n"+
			"The CLI on this machine authenticates with %s instead.\n\n", secret, credPath)
	} else {
		fmt.Fprintf(n.stdout, "\nInitial admin token written to %s (mode 0600; only its hash is stored): "+
			"keep it somewhere safe, then delete the file.\n"+
			"The CLI on this machine authenticates with %s instead.\n\n", tokPath, credPath)
	}
	return nil
}

// fileIsTerminal reports whether w is an *os.File that is a terminal.
func fileIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (n *Node) writeLocalCredential(ctx context.Context, path string) error {
	_, secret, err := n.createToken(ctx, RoleAdmin, "local-credential")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, []byte(secret+"\n"), 0o600); err != nil {
		return fmt.Errorf("local credential: %w", err)
	}
	return nil
}

// Handler is the node's HTTP handler (for in-process tests).
func (n *Node) Handler() http.Handler { return n.handler }

// PublicURL is the node's identity.
func (n *Node) PublicURL() string { return n.uris.Base() }

// Start binds the listen address and serves in the background.
func (n *Node) Start() error {
	ln, err := net.Listen("tcp", n.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", n.cfg.Listen, err)
	}
	n.listener = ln
	n.srv = &http.Server{
		Handler:           n.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       n.cfg.API.ReadTimeout,
		WriteTimeout:      n.cfg.API.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelWarn),
	}
	server := "http://" + ln.Addr().String()
	rt, _ := json.Marshal(map[string]any{"server": server, "public_url": n.uris.Base(), "pid": os.Getpid()})
	if err := writeFileAtomic(filepath.Join(n.cfg.Data, runtimeFile), rt, 0o600); err != nil {
		ln.Close()
		return err
	}
	if err := n.writeTrustFile(); err != nil {
		ln.Close()
		return err
	}
	go func() {
		if err := n.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("http server stopped", "err", err)
		}
	}()
	// Deliveries start once the node answers: peers fetch its actor (and
	// key) to verify what it sends them.
	n.fed.Start()
	n.startResigner()
	n.startReverifier()
	if err := n.startGossip(); err != nil {
		n.srv.Close()
		return err
	}
	n.log.Info("node serving", "listen", ln.Addr().String(), "public_url", n.uris.Base(), "data", n.cfg.Data, "version", Version)
	return nil
}

// Addr is the bound address once started.
func (n *Node) Addr() string {
	if n.listener == nil {
		return ""
	}
	return n.listener.Addr().String()
}

// Run starts the node and serves until ctx is done, then stops gracefully.
func (n *Node) Run(ctx context.Context) error {
	if err := n.Start(); err != nil {
		n.closeData()
		return err
	}
	<-ctx.Done()
	n.log.Info("shutting down", "timeout", n.cfg.Shutdown.Timeout)
	return n.Shutdown(context.Background())
}

// Shutdown stops accepting connections, lets in-flight requests finish
// within the configured deadline, then closes the index and the database.
func (n *Node) Shutdown(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed.Swap(true) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Shutdown.Timeout)
	defer cancel()
	var errs []error
	// Leave the gossip pool first: peers pause their deliveries to this
	// node at once instead of retrying until failure detection.
	if err := n.stopGossip(ctx); err != nil {
		errs = append(errs, err)
	}
	if n.srv != nil {
		if err := n.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
			n.srv.Close()
		}
	}
	n.stopResigner()
	n.stopReverifier()
	n.gate.Lock() // wait for requests that outlived the server (hijacked, streaming)
	defer n.gate.Unlock()
	errs = append(errs, n.closeData())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	n.log.Info("stopped")
	return nil
}

// Close stops the node at once (tests).
func (n *Node) Close() error { return n.Shutdown(context.Background()) }

// indexSource adapts storage.Store to search.Source.
type indexSource struct{ st *storage.Store }

func (s indexSource) Seq() uint64              { return s.st.Seq() }
func (s indexSource) Epoch() string            { return s.st.Epoch() }
func (s indexSource) Changed() <-chan struct{} { return s.st.Changed() }
func (s indexSource) Get(ctx context.Context, iri string) (protocol.Object, error) {
	return s.st.Get(ctx, iri)
}
func (s indexSource) ForEach(ctx context.Context, fn func(protocol.Object) error) error {
	return s.st.ForEach(ctx, fn)
}
func (s indexSource) Changes(ctx context.Context, after uint64, limit int) ([]search.Change, error) {
	cs, err := s.st.Changes(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]search.Change, len(cs))
	for i, c := range cs {
		out[i] = search.Change{Seq: c.Seq, IRI: c.IRI}
	}
	return out, nil
}
