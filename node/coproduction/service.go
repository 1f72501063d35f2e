// Package coproduction runs the co-production processes of one node: the
// use cases the API (and later the pages) call — create a process from a
// schema, invite, accept or decline, work on tasks and assets, finish,
// export — and the federation of each process as an ActivityPub Group
// (FEP-1b12) hosted by its initiator's node.
//
// The host orders: it verifies a proposed change (the author's JWS and
// chain, then the author's rights and the item's revision), gives it the
// next sequence number, signs the entry, stores it with the state after it
// and the announcements to every participant in one transaction, and only
// then answers. A participant applies announced entries in order, fetches
// what it missed from the group's history, and sends its own proposals to
// the host, straight away when the host answers and through the durable
// delivery queue when it does not. The domain (state, changes, Apply,
// Replay) is protocol/coproduction.
package coproduction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/storage"
)

// Store is what the use cases need of the database (storage.Processes).
type Store interface {
	Process(ctx context.Context, iri string) (storage.ProcessRecord, error)
	ListProcesses(ctx context.Context) ([]storage.ProcessRecord, error)
	PutProcess(ctx context.Context, r storage.ProcessRecord, out []storage.Outbound) error
	Append(ctx context.Context, r storage.ProcessRecord, entries []storage.AppendEntry, assets map[string][]byte, out []storage.Outbound) error
	History(ctx context.Context, iri string, after uint64, limit int) ([][]byte, uint64, error)
	Asset(ctx context.Context, hexHash string) ([]byte, error)
	ChangeSeq(ctx context.Context, iri, change string) (uint64, bool, error)
}

// Queue is the durable delivery queue (storage.Queue): proposals wait
// there while their host is unreachable.
type Queue interface {
	Enqueue(ctx context.Context, activity storage.Activity, inboxes []string) error
}

// Signer signs a document as this node's organisation (the trust layer).
type Signer interface {
	SignVersion(obj protocol.Object, prevJWS []byte, cosigners []string) ([]byte, error)
}

// Transport is what the use cases need of the federation agent.
type Transport interface {
	// Kick wakes the delivery workers after a write queued deliveries.
	Kick()
	// PostGroup POSTs now and returns the answer; an error when unreachable.
	PostGroup(ctx context.Context, inbox string, body []byte) (int, []byte, error)
	// FetchGroup GETs a group document.
	FetchGroup(ctx context.Context, url string) ([]byte, error)
	// ResolveActor turns acct:name@host or an actor IRI into an actor IRI.
	ResolveActor(ctx context.Context, target string) (string, error)
}

// Catalogue is what the use cases need of the catalogue: the
// interlinkers a task's problem profiles recommend.
type Catalogue interface {
	Recommend(ctx context.Context, pps []string, limit int) ([]catalogue.Recommendation, error)
}

// Objects reads the catalogue's objects (*storage.Store): the schema a
// process starts from, the story it published.
type Objects interface {
	Get(ctx context.Context, iri string) (protocol.Object, error)
	List(ctx context.Context, opts storage.ListOptions) ([]protocol.Object, string, error)
	// LookupKey finds the live object of origin with kind and natural key
	// (a finished process's published story).
	LookupKey(ctx context.Context, origin string, kind protocol.Kind, key string) (string, error)
}

// Deps are the service's seams.
type Deps struct {
	Store     Store
	Queue     Queue
	Objects   Objects
	Signer    Signer
	Verify    cp.Verifier
	Transport Transport
	Catalogue Catalogue
	Services  Services
	URIs      protocol.URIs
	IDs       *protocol.ULIDSource
	Name      string // this organisation's name
	Now       func() time.Time
	Logger    *slog.Logger
	// AssetLimit caps a file asset (0: cp.DefaultAsset).
	AssetLimit int
}

// DefaultSyncInterval is how often a participant catches up with its hosts.
const DefaultSyncInterval = 2 * time.Second

// Errors of the use cases (besides the domain's cp.ErrForbidden, cp.ErrStale,
// cp.ErrInvalid, cp.ErrNotFound, cp.ErrHistory).
var (
	// ErrNoProcess: this node holds no such process.
	ErrNoProcess = errors.New("no such process")
	// ErrNotHost: the request is for the host, and this node is not it.
	ErrNotHost = errors.New("this node does not host the process")
	// ErrRefused: the host refused a proposal (its problem detail follows).
	ErrRefused = errors.New("the host refused the change")
	// ErrUnreachable: a peer could not be reached (and nothing was queued).
	ErrUnreachable = errors.New("the peer could not be reached")
)

// Service runs the co-production use cases; safe for concurrent use.
type Service struct {
	d     Deps
	locks sync.Map // process IRI → *sync.Mutex: one applier per process
	// hosted keeps, for each process this node hosts, the state after
	// the last entry stored (read and replaced under the process's lock):
	// ordering a change does not decode the state again.
	hosted sync.Map // process IRI → *cp.Process
}

// New returns the service over d.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.IDs == nil {
		d.IDs = &protocol.ULIDSource{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.AssetLimit <= 0 {
		d.AssetLimit = cp.DefaultAsset
	}
	d.Logger = d.Logger.With("component", "coproduction")
	return &Service{d: d}
}

// Self is this node's entity id.
func (s *Service) Self() string { return s.d.URIs.Base() }

func (s *Service) lock(iri string) func() {
	m, _ := s.locks.LoadOrStore(iri, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// signChange signs a change as this node's organisation.
func (s *Service) signChange(c cp.Change) ([]byte, string, error) {
	if c.Actor == "" {
		c.Actor = s.d.URIs.Actor()
	}
	body, err := json.Marshal(c)
	if err != nil {
		return nil, "", err
	}
	iri := s.d.URIs.Base() + "/process-changes/" + s.d.IDs.New(s.d.Now())
	jws, err := s.d.Signer.SignVersion(protocol.Object{Meta: protocol.Meta{IRI: iri, Version: 1, Type: protocol.Kind(cp.ChangeType)}, Body: body}, nil, nil)
	if err != nil {
		return nil, "", fmt.Errorf("coproduction: sign the change: %w", err)
	}
	return jws, iri, nil
}

// record reads the record of a process by IRI, or by the id (the last path
// segment of its IRI) of one this node holds.
func (s *Service) record(ctx context.Context, idOrIRI string) (storage.ProcessRecord, error) {
	if strings.Contains(idOrIRI, "://") {
		r, err := s.d.Store.Process(ctx, idOrIRI)
		if errors.Is(err, storage.ErrNotFound) {
			return r, fmt.Errorf("%w: %s", ErrNoProcess, idOrIRI)
		}
		return r, err
	}
	if r, err := s.d.Store.Process(ctx, s.processIRI(idOrIRI)); err == nil {
		return r, nil
	}
	all, err := s.d.Store.ListProcesses(ctx)
	if err != nil {
		return storage.ProcessRecord{}, err
	}
	for _, r := range all {
		if ProcessID(r.IRI) == idOrIRI {
			return s.d.Store.Process(ctx, r.IRI)
		}
	}
	return storage.ProcessRecord{}, fmt.Errorf("%w: %s", ErrNoProcess, idOrIRI)
}

// processIRI is the IRI of a process this node hosts.
func (s *Service) processIRI(id string) string { return s.d.URIs.Base() + "/processes/" + id }

// ProcessID is the last path segment of a process IRI.
func ProcessID(iri string) string {
	if i := strings.LastIndexByte(iri, '/'); i >= 0 {
		return iri[i+1:]
	}
	return iri
}

// state decodes the state of a record (nil before any entry).
func state(r storage.ProcessRecord) (*cp.Process, error) {
	if len(r.State) == 0 {
		return nil, nil
	}
	var p cp.Process
	if err := json.Unmarshal(r.State, &p); err != nil {
		return nil, fmt.Errorf("coproduction: the state of %s: %w", r.IRI, err)
	}
	return &p, nil
}

// originOf is scheme://host[:port] of an URL: a node's entity id.
func originOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// inboxOf is the inbox of a node for the groups it takes part in.
func inboxOf(entity string) string { return entity + "/coproduction/inbox" }
