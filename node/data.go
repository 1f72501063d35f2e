package node

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/node/coproduction"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

// dataLayer is what a restore replaces whole: the database, the search
// index that follows it, and the services composed over them.
type dataLayer struct {
	st  *storage.Store
	ix  *search.Index
	fed *federation.Service
	tr  *trust.Service
	cat *catalogue.Service    // the catalogue use cases over st, ix, fed and tr
	acc *accounts.Service     // people's accounts over st.Accounts()
	cop *coproduction.Service // co-production processes over st.Processes(), fed and tr

	indexStop context.CancelFunc
	indexDone chan struct{}
}

// live is the current data layer. Handlers, background jobs and metrics
// collectors read it at each use through its accessors (handler types hold
// method values such as live.store), never a copy of what it held: a
// restore swaps it under the gate.
type live struct{ p atomic.Pointer[dataLayer] }

func (l *live) set(d *dataLayer) { l.p.Store(d) }
func (l *live) load() *dataLayer { return l.p.Load() }

func (l *live) store() *storage.Store {
	if d := l.p.Load(); d != nil {
		return d.st
	}
	return nil
}

func (l *live) index() *search.Index {
	if d := l.p.Load(); d != nil {
		return d.ix
	}
	return nil
}

func (l *live) fed() *federation.Service {
	if d := l.p.Load(); d != nil {
		return d.fed
	}
	return nil
}

func (l *live) trust() *trust.Service {
	if d := l.p.Load(); d != nil {
		return d.tr
	}
	return nil
}

func (l *live) accounts() *accounts.Service {
	if d := l.p.Load(); d != nil {
		return d.acc
	}
	return nil
}

func (l *live) coproduction() *coproduction.Service {
	if d := l.p.Load(); d != nil {
		return d.cop
	}
	return nil
}

func (l *live) catalogue() *catalogue.Service {
	if d := l.p.Load(); d != nil {
		return d.cat
	}
	return nil
}

// openData composes the data layer in one pass, each part built with what
// it needs: the store and the search index; the outbound client; the trust
// layer fetching through it; the federation agent sending through it and
// judging with the trust layer; the catalogue over all of them. The indexer
// starts following the store.
func (n *Node) openData() (d *dataLayer, err error) {
	// undo closes what was opened, last first, when a later part fails.
	var undo []func()
	defer func() {
		if err != nil {
			for _, u := range slices.Backward(undo) {
				u()
			}
		}
	}()
	st, err := storage.Open(filepath.Join(n.cfg.Data, dbFile), storage.Options{
		MaxBatch: n.cfg.Storage.MaxBatch, MaxBatchDelay: n.cfg.Storage.MaxBatchDelay, Logger: n.log, Now: n.now})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	undo = append(undo, func() { st.Close() })
	ix, err := search.Open(filepath.Join(n.cfg.Data, indexDir), search.Options{
		IsNotFound: func(err error) bool { return errors.Is(err, storage.ErrNotFound) }, Logger: n.log})
	if err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	undo = append(undo, func() { ix.Close() })
	client := federation.NewClient(n.cfg.Federation, n.uris, Version, n.wrapTransport())
	undo = append(undo, client.CloseIdleConnections)
	tr, err := trust.New(context.Background(), n.cfg.Trust, trust.Deps{
		Self: n.uris.Base(), Actor: n.uris.Actor(),
		Identity: trust.Identity{Name: n.cfg.Name, Country: n.cfg.Country, OrgKind: n.cfg.OrgKind},
		Keys:     n.keys.Ring.Snapshot, Settings: st, Registry: st.Authority(), Fetcher: federation.TrustFetcher(n.cfg.Federation, n.uris, client),
		Now: n.now, Logger: n.log, Version: Version, IDs: n.ids,
	})
	if err != nil {
		return nil, fmt.Errorf("trust: %w", err)
	}
	fed, err := federation.New(n.cfg.Federation, federation.Deps{Objects: st, Queue: countedQueue{st.Queue(), n.metrics}, Follows: countedFollows{st.Follows(), n.metrics}, Cosigning: st.Cosigning(), URIs: n.uris, HTTPKey: n.keys.HTTP,
		Logger: n.log, Now: n.now, Version: Version, Client: client, Trust: tr, OnEquivocation: n.metrics.countEquivocation})
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	undo = append(undo, func() { _ = fed.Close() })
	csrfKey, err := loadOrCreateCSRFKey(n.cfg.Data)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	acc, err := accounts.New(st.Accounts(), accounts.Config{CSRFKey: csrfKey, Now: n.now, Logger: n.log})
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	d = &dataLayer{st: st, ix: ix, fed: fed, tr: tr, acc: acc,
		cat: catalogue.New(catalogue.Deps{Store: st, Index: ix, Federation: fed, Cosign: fed.Cosign(), Trust: tr, URIs: n.uris, IDs: n.ids, Now: n.now})}
	d.cop = coproduction.New(coproduction.Deps{Store: st.Processes(), Queue: st.Queue(), Objects: st, Signer: tr, Verify: coproduction.TrustVerifier(tr),
		Transport: fed, Catalogue: d.cat, Services: d.cat, URIs: n.uris, IDs: n.ids, Name: n.cfg.Name, Now: n.now, Logger: n.log,
		AssetLimit: int(n.cfg.Processes.AssetLimit)})
	ctx, cancel := context.WithCancel(context.Background())
	d.indexStop, d.indexDone = cancel, make(chan struct{})
	go func() {
		defer close(d.indexDone)
		if err := ix.Run(ctx, search.StoreSource{St: st}); err != nil && !errors.Is(err, context.Canceled) {
			n.log.Error("search indexer stopped", "err", err)
		}
	}()
	return d, nil
}

// close stops the indexer and the federation agent, and closes the index
// and the database.
func (d *dataLayer) close() error {
	if d == nil {
		return nil
	}
	d.indexStop()
	<-d.indexDone
	return errors.Join(d.fed.Close(), d.ix.Close(), d.st.Close())
}

// replaceData swaps the database for upload, a checked backup, keeping what
// keep names: it takes the gate exclusively (requests wait), closes the
// data layer, replaces the file (the old one kept beside it), and opens a
// new data layer, whose index rebuilds since the restored database carries
// a new epoch.
func (n *Node) replaceData(upload string, keep storage.RestoreKeep) error {
	n.gate.mu.Lock()
	defer n.gate.mu.Unlock()
	if err := n.live.load().close(); err != nil {
		n.log.Error("restore: closing the database failed", "err", err)
	}
	swapErr := storage.ReplaceFileWith(filepath.Join(n.cfg.Data, dbFile), upload, keep)
	d, err := n.openData()
	if err != nil {
		// Nothing can be served without a database: say so loudly.
		n.log.Error("restore: reopening the database failed", "err", err)
		return fmt.Errorf("restore: reopen: %w", errors.Join(swapErr, err))
	}
	n.live.set(d)
	d.fed.Start()
	if swapErr != nil {
		return fmt.Errorf("restore: replace database: %w", swapErr)
	}
	return nil
}

// csrfKeyFile holds the node's CSRF key (32 random bytes, 0600), made at
// the first start and kept across restores: open forms survive a restart.
const csrfKeyFile = "csrf-key"

func loadOrCreateCSRFKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, csrfKeyFile)
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) < accounts.MinCSRFKey {
			return nil, fmt.Errorf("%s holds %d bytes, at least %d are needed", path, len(key), accounts.MinCSRFKey)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return nil, err
	}
	return key, nil
}
