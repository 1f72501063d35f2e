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

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/faults"
	"github.com/interlink-project/interlink-node/federation/peering"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"golang.org/x/term"
)

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

// Node is one interlink node: configuration, keys, the data layer (database,
// search index and the services over them), the HTTP server and the
// background jobs, composed. Its methods are its lifecycle and composition;
// the HTTP handlers are small types of their own (router.go), the use cases
// live in node/catalogue, federation and federation/trust.
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
	identity  identityBook
	trustKeys *trustKeys

	// gate is held shared by every API request and background pass and
	// exclusively by a restore, which swaps live underneath.
	gate gate
	live live
	// inboxLimit bounds each remote address's inbox POSTs (nil: off).
	inboxLimit *rateLimiter

	// The background jobs (jobs.go).
	resigner     *catalogue.Resigner
	rejudger     trust.Rejudger
	cosignExpiry federation.CosignExpiry
	jobs         jobs

	metrics *metrics
	handler http.Handler
	router  *mux.Router // the routes inside handler's middleware (the OpenAPI test walks them)
	// faults are the injected faults (testing.faults); nil otherwise.
	faults *faults.Set

	// gossip is the gossip agent (federation/peering), nil while gossip is
	// off.
	gossip atomic.Pointer[peering.Agent]
	// gossipMetaHints gives the entity-configuration hash and role that
	// gossip carries as hints; nil: empty.
	gossipMetaHints func() (ecHash, role string)
	// memberCheck checks gossip members over HTTP and JWS; nil: members
	// stay unchecked and follow-trusted follows nobody.
	memberCheck peering.Checker

	// tls serves HTTPS on the listener (nil: plain HTTP).
	tls *serverTLS
	// httpSrv is the plain-HTTP redirect listener (listen_http), nil when off.
	httpSrv  *http.Server
	srv      *http.Server
	listener net.Listener
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
		uris: protocol.NewURIs(cfg.PublicURL), ids: &protocol.ULIDSource{}}
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
	n.metrics = newMetrics(&n.gate, &n.live)
	n.inboxLimit = newRateLimiter(cfg.Federation.InboxRate, cfg.Federation.InboxBurst, n.now)
	if cfg.Testing.Faults {
		n.faults = faults.NewSet()
		n.now = n.faults.Clock(n.now)
	}
	n.memberCheck, n.gossipMetaHints = peering.TrustChecker{Trust: n.live.trust, Now: n.now}, n.trustHints
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", cfg.Data, err)
	}
	tlsOn, err := newServerTLS(cfg)
	if err != nil {
		return nil, err
	}
	n.tls = tlsOn
	keys, created, err := loadOrCreateKeys(filepath.Join(cfg.Data, keysDir), n.now)
	if err != nil {
		return nil, err
	}
	n.keys = keys
	if created {
		n.log.Info("created node keys", "dir", filepath.Join(cfg.Data, keysDir))
	}
	n.identity = identityBook{uris: n.uris, ring: keys.Ring, data: cfg.Data}
	n.composeJobs()
	n.trustKeys = &trustKeys{ring: keys.Ring, trust: n.live.trust, log: n.log, file: filepath.Join(cfg.Data, TrustFile),
		allowPrivate: cfg.Federation.AllowPrivateNetworks, resign: n.resigner.Kick}
	d, err := n.openData()
	if err != nil {
		return nil, err
	}
	n.live.set(d)
	if err := n.firstStart(context.Background()); err != nil {
		d.close()
		return nil, err
	}
	if err := n.identity.record(context.Background(), d.st); err != nil {
		d.close()
		return nil, err
	}
	n.metrics.reg.MustRegister(&gossipCollector{self: n.uris.Base(), agent: n.gossip.Load, gate: &n.gate, fed: n.live.fed})
	n.metrics.reg.MustRegister(&fedCollector{gate: &n.gate, live: &n.live, health: n.health(), keys: n.keys.Ring.Snapshot, now: n.now})
	n.handler = n.routes()
	if n.tls != nil {
		n.handler = hsts(cfg.TLS.HSTSMaxAge, n.handler)
	}
	return n, nil
}

// firstStart makes the first admin token (printed once, stored as a hash)
// and the local credential the CLI on this machine uses.
func (n *Node) firstStart(ctx context.Context) error {
	credPath := filepath.Join(n.cfg.Data, localCredentialFile)
	st := n.live.store()
	if _, err := st.GetSetting(ctx, settingInitialised); err == nil {
		if _, err := os.Stat(credPath); err == nil {
			return nil
		}
		// The credential file was removed: make a new one.
		return n.writeLocalCredential(ctx, credPath)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("read settings: %w", err)
	}
	_, secret, err := createToken(ctx, st, n.ids, n.now(), RoleAdmin, "initial-admin", time.Time{})
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
	if err := st.PutSetting(ctx, settingInitialised, []byte(n.now().UTC().Format(time.RFC3339))); err != nil {
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
	_, secret, err := createToken(ctx, n.live.store(), n.ids, n.now(), RoleAdmin, "local-credential", time.Time{})
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
	if n.tls != nil {
		// The certificate names the public host, not the listen address:
		// the CLI on this machine connects by that name.
		server = n.uris.Base()
	}
	rt, _ := json.Marshal(map[string]any{"server": server, "public_url": n.uris.Base(), "pid": os.Getpid()})
	if err := writeFileAtomic(filepath.Join(n.cfg.Data, runtimeFile), rt, 0o600); err != nil {
		ln.Close()
		return err
	}
	if err := n.trustKeys.writeFile(); err != nil {
		ln.Close()
		return err
	}
	if n.tls != nil && n.cfg.ListenHTTP != "" {
		hl, err := net.Listen("tcp", n.cfg.ListenHTTP)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen_http on %s: %w", n.cfg.ListenHTTP, err)
		}
		n.httpSrv = &http.Server{Handler: n.tls.httpSide, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, ErrorLog: n.srv.ErrorLog}
		go func() {
			if err := n.httpSrv.Serve(hl); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.log.Error("http redirect server stopped", "err", err)
			}
		}()
		n.log.Info("redirecting plain HTTP to https", "listen_http", hl.Addr().String())
	}
	serve := func() error { return n.srv.Serve(ln) }
	if n.tls != nil {
		n.srv.TLSConfig = n.tls.config
		serve = func() error { return n.srv.ServeTLS(ln, "", "") } // HTTP/2 as well
	}
	go func() {
		if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("http server stopped", "err", err)
		}
	}()
	// Deliveries start once the node answers: peers fetch its actor (and
	// key) to verify what it sends them.
	n.live.fed().Start()
	n.runJobs()
	if err := n.startGossip(); err != nil {
		n.srv.Close()
		if n.httpSrv != nil {
			n.httpSrv.Close()
		}
		return err
	}
	n.log.Info("node serving", "listen", ln.Addr().String(), "public_url", n.uris.Base(), "data", n.cfg.Data, "version", Build.Version, "revision", Build.Revision, "modified", Build.Modified)
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
		n.live.load().close()
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
	if n.gate.closed.Swap(true) {
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
	if n.httpSrv != nil {
		if err := n.httpSrv.Shutdown(ctx); err != nil {
			n.httpSrv.Close()
		}
	}
	if n.srv != nil {
		if err := n.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
			n.srv.Close()
		}
	}
	n.jobs.stop()
	n.gate.mu.Lock() // wait for requests that outlived the server (hijacked, streaming)
	defer n.gate.mu.Unlock()
	errs = append(errs, n.live.load().close())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	n.log.Info("stopped")
	return nil
}

// Close stops the node at once (tests).
func (n *Node) Close() error { return n.Shutdown(context.Background()) }
