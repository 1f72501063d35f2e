package federation

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/federation/transport"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/storage"
)

// Deps are what the node gives the federation service.
type Deps struct {
	// The agent's seams to the database (store.go); in the node, the
	// store and its Queue, Follows and Cosigning views.
	Objects   Objects
	Queue     Queue
	Follows   FollowGraph
	Cosigning Cosigning
	URIs      protocol.URIs
	HTTPKey   *rsa.PrivateKey // signs outgoing requests
	Logger    *slog.Logger
	Now       func() time.Time
	Version   string
	// Client is the outbound HTTP client (NewClient), shared with the trust
	// layer's fetcher (TrustFetcher), so that one SSRF guard, one set of
	// per-host limits and one fault hook govern every request the node
	// makes. Nil: New makes one (tests).
	Client *transport.Client
	// Trust is the trust layer (required): a received catalogue object
	// must carry a JWS that verifies, and the node acts on its verified
	// payload only; the follow policy "trusted" asks it too.
	Trust *trust.Service
	// OnEquivocation, when set, is called once per new piece of
	// equivocation evidence (a metric).
	OnEquivocation func()
}

// Service is the federation agent of one node.
type Service struct {
	cfg       Config
	objects   Objects
	queue     Queue
	graph     FollowGraph
	cosigning Cosigning
	uris      protocol.URIs
	log       *slog.Logger
	now       func() time.Time
	ids       protocol.ULIDSource
	signer    *httpsig.Signer
	client    *transport.Client
	verify    *httpsig.Verifier
	trust     *trust.Service // every received object is judged by its JWS

	onEquivocation func()

	actors     *actorCache
	cosign     *Coproduction // cosign.go
	deliveries *deliverer    // deliver.go
	catchUp    *backfiller   // backfill.go
	breaker    *breaker
	paused     pauses // hosts whose node gossip declared down (pause.go)

	kick     chan struct{}
	ctx      context.Context // cancelled by Close: every worker and backfill stops
	stop     context.CancelFunc
	wg       sync.WaitGroup
	inflight sync.Map // delivery id → struct{}

	backfills   sync.Map      // actor IRI → struct{}: a backfill is running or waiting
	backfillSem chan struct{} // bounds concurrent backfills (a start may catch up with many peers)
}

// maxConcurrentBackfills bounds the backfills that run at once.
const maxConcurrentBackfills = 2

// New builds the service; Start runs its workers.
func New(cfg Config, d Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Objects == nil || d.Queue == nil || d.Follows == nil || d.Cosigning == nil || d.HTTPKey == nil || d.Trust == nil {
		return nil, errors.New("federation: the store's seams (objects, queue, follows, co-signing), an HTTP-signature key and the trust layer are required")
	}
	if d.Client == nil {
		d.Client = NewClient(cfg, d.URIs, d.Version, nil)
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Service{
		cfg: cfg, objects: d.Objects, queue: d.Queue, graph: d.Follows, cosigning: d.Cosigning, uris: d.URIs, log: d.Logger.With("component", "federation"), now: d.Now,
		signer:         &httpsig.Signer{KeyID: d.URIs.KeyID(), Key: d.HTTPKey},
		client:         d.Client,
		trust:          d.Trust,
		onEquivocation: d.OnEquivocation,
		breaker:        newBreaker(cfg.BreakerFailures, cfg.BreakerCooldown),
		kick:           make(chan struct{}, 1),

		backfillSem: make(chan struct{}, maxConcurrentBackfills),
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.actors = newActorCache(s, time.Hour, actorCacheSize)
	s.cosign, s.deliveries, s.catchUp = &Coproduction{s: s}, &deliverer{s: s}, &backfiller{s: s}
	// A signature binds the request to this node's public host (a delivery
	// captured on one node cannot be replayed to another) and, outside a
	// test federation on loopback, its key to an https URL.
	s.verify = &httpsig.Verifier{Resolve: s.resolveKey, Now: d.Now, Window: cfg.DateWindow, MaxBody: 1 << 20,
		Hosts: []string{publicHost(d.URIs.Base())}, RequireHTTPS: !cfg.AllowPrivateNetworks}
	return s, nil
}

// NewClient is the node's one outbound HTTP client: the SSRF guard (unless
// allow_private_networks), per-host concurrency, the node's User-Agent and,
// in test federations, the fault hook wrap (faults.Set.WrapRoundTripper).
func NewClient(cfg Config, uris protocol.URIs, version string, wrap func(http.RoundTripper) http.RoundTripper) *transport.Client {
	return transport.New(transport.Options{
		AllowPrivateNetworks: cfg.AllowPrivateNetworks,
		UserAgent:            fmt.Sprintf("interlink/%s (+%s)", version, uris.Base()),
		MaxConnsPerHost:      cfg.HostConcurrency,
		WrapRoundTripper:     wrap,
	})
}

// publicHost is the host (and port, if any) of the node's public URL, as
// peers name it in the Host header they sign.
func publicHost(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return u.Host
}

// Start runs the delivery workers until Close, and catches up with every
// followed node (a node that was down missed their deliveries only if
// their queues gave up; backfill skips what is held, so this is cheap).
func (s *Service) Start() {
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.deliveries.deliveryLoop(s.ctx)
	}()
	go func() {
		defer s.wg.Done()
		after := ""
		for s.ctx.Err() == nil {
			fs, next, _, err := s.graph.Followings(s.ctx, after, 500, storage.FollowAccepted)
			if err != nil {
				return
			}
			for _, f := range fs {
				s.catchUp.StartBackfill(f.Actor)
			}
			if next == "" {
				return
			}
			after = next
		}
	}()
}

// Close stops the workers and waits for in-flight deliveries and backfills.
func (s *Service) Close() error {
	s.stop()
	s.wg.Wait()
	s.client.CloseIdleConnections()
	return nil
}

// Kick wakes the delivery loop (after a write that enqueued deliveries).
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Config is the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// fetch GETs an ActivityStreams document (actor, key, collection page,
// object), signed with the node's HTTP key as authorized-fetch servers
// (GoToSocial, Mastodon in secure mode) require, through the safe client.
func (s *Service) fetch(ctx context.Context, url string) ([]byte, error) {
	return s.get(ctx, url, activity.AcceptHeader, true)
}

// get GETs url with the Accept header given, signed or not (WebFinger is
// not signed: it is how a peer is found, before any key is known).
func (s *Service) get(ctx context.Context, url, accept string, signed bool) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	req.Header.Set("Accept", accept)
	var sign transport.SignFunc
	if signed {
		sign = func(r *http.Request, body []byte) error { return s.signer.SignRequest(r, body, s.now()) }
	}
	resp, err := s.client.DoSigned(ctx, req, sign)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %w", url, &StatusError{Status: resp.Status})
	}
	return resp.Body, nil
}

// StatusError is a non-success answer of a peer.
type StatusError struct{ Status int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("peer answered %d %s", e.Status, http.StatusText(e.Status))
}
