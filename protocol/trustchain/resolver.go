package trustchain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/interlink-project/interlink-node/protocol/jose"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// Fetcher fetches a document by URL. The node passes its SSRF-guarded
// client; errors wrapping ErrNotFound mean HTTP 404 or 410.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// Anchor pins a trust anchor: its entity id and the thumbprints of the
// federation keys it may sign with.
type Anchor struct {
	EntityID string   `yaml:"entity_id" json:"entity_id"`
	Kids     []string `yaml:"kids" json:"kids"`
}

// Config configures a Resolver; zero fields take the defaults.
type Config struct {
	Anchors   []Anchor
	Fetcher   Fetcher
	Now       func() time.Time // default time.Now
	Skew      time.Duration    // how far an iat may lie in the future; default 60 s
	MaxLinks  int              // statements in a chain, the leaf EC included; default 8
	MaxBytes  int              // bytes fetched to resolve one chain; default 256 KiB
	CacheSize int              // entries of each LRU cache (chains, self-signed ECs); default 4096
	// FailureTTL is how long a failed resolution is remembered (so that a
	// flood of objects from a signer without a chain costs one fetch, not
	// one each); default 10 s, negative to disable. Invalidate forgets it.
	FailureTTL time.Duration
	// MaxAge bounds how long a resolved chain or entity configuration is
	// used before it is fetched again, however long its statements are
	// valid: a signer's key retirement or revocation, published in its own
	// configuration, reaches this node within MaxAge. Zero: until the
	// earliest expiry. The trust layer sets it to trust.reverify_interval.
	MaxAge time.Duration
}

// Defaults of Config.
const (
	DefaultSkew      = 60 * time.Second
	DefaultMaxLinks  = 8
	DefaultMaxBytes  = 256 << 10
	DefaultCacheSize = 4096
	// DefaultFailureTTL is Config.FailureTTL's default.
	DefaultFailureTTL = 10 * time.Second
)

// Resolver resolves trust chains and caches them; safe for concurrent use.
type Resolver struct {
	cfg     Config
	anchors []Anchor
	pins    map[string]map[string]bool // anchor entity id -> pinned kids

	mu        sync.Mutex
	chains    *simplelru.LRU[string, *Chain]
	ecs       *simplelru.LRU[string, *ecEntry]
	flights   map[string]*flight
	refreshed map[string]time.Time             // entity id -> last Refresh that invalidated it
	failures  *simplelru.LRU[string, *failure] // "chain "/"ec " + entity id -> a recent failed resolution
}

// ecEntry is a cached self-signed entity configuration and when it was
// fetched.
type ecEntry struct {
	ec      *entity.Parsed
	fetched time.Time
}

// fresh reports whether a document fetched at fetched and valid until
// expires may still be used.
func (r *Resolver) fresh(fetched, expires time.Time) bool {
	now := r.cfg.Now()
	if !now.Before(expires) {
		return false
	}
	return r.cfg.MaxAge <= 0 || now.Before(fetched.Add(r.cfg.MaxAge))
}

// failure is a failed resolution remembered until until.
type failure struct {
	err   error
	until time.Time
}

// recall returns the remembered failure of key, if still fresh.
func (r *Resolver) recall(key string) error {
	if r.cfg.FailureTTL < 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.failures.Get(key); ok && r.cfg.Now().Before(f.until) {
		return f.err
	}
	return nil
}

// remember keeps a failed resolution, unless it was the caller giving up.
func (r *Resolver) remember(key string, err error) {
	if r.cfg.FailureTTL < 0 || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	r.mu.Lock()
	r.failures.Add(key, &failure{err: err, until: r.cfg.Now().Add(r.cfg.FailureTTL)})
	r.mu.Unlock()
}

// RefreshInterval is how often Refresh lets one entity's cached documents be
// dropped: a signer that rotated its content key is re-fetched at once, but
// a flood of unknown kids cannot make the node fetch without end.
const RefreshInterval = time.Minute

// flight is one resolution in progress, shared by concurrent callers.
type flight struct {
	done  chan struct{}
	chain *Chain
	ec    *entity.Parsed
	err   error
}

// New checks cfg (a fetcher; anchors with an entity id, each listed once,
// and one or more kids of [A-Za-z0-9_-]; no negative limits) and returns a
// Resolver. With no anchors every Resolve fails with ErrNotPinned and only
// SelfSigned is useful.
func New(cfg Config) (*Resolver, error) {
	if cfg.Fetcher == nil {
		return nil, errors.New("trustchain: config: Fetcher is required")
	}
	if cfg.Skew < 0 || cfg.MaxLinks < 0 || cfg.MaxBytes < 0 || cfg.CacheSize < 0 || cfg.MaxAge < 0 {
		return nil, errors.New("trustchain: config: Skew, MaxLinks, MaxBytes, CacheSize and MaxAge must not be negative")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Skew == 0 {
		cfg.Skew = DefaultSkew
	}
	if cfg.MaxLinks == 0 {
		cfg.MaxLinks = DefaultMaxLinks
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.FailureTTL == 0 {
		cfg.FailureTTL = DefaultFailureTTL
	}
	r := &Resolver{
		cfg:      cfg,
		pins:     map[string]map[string]bool{},
		chains:   newCache[*Chain](cfg.CacheSize),
		failures: newCache[*failure](cfg.CacheSize),
		ecs:      newCache[*ecEntry](cfg.CacheSize),
		flights:  map[string]*flight{},
	}
	for i, a := range cfg.Anchors {
		if err := entity.CheckEntityID(a.EntityID); err != nil {
			return nil, fmt.Errorf("trustchain: config: anchors[%d]: entity id: %v", i, err)
		}
		if _, dup := r.pins[a.EntityID]; dup {
			return nil, fmt.Errorf("trustchain: config: anchors[%d]: %s is pinned twice", i, a.EntityID)
		}
		if len(a.Kids) == 0 {
			return nil, fmt.Errorf("trustchain: config: anchors[%d]: %s: pin at least one key thumbprint (kid)", i, a.EntityID)
		}
		kids := map[string]bool{}
		for j, k := range a.Kids {
			if k == "" || len(k) > entity.MaxKidLen || !jose.TokenChars(k) {
				return nil, fmt.Errorf("trustchain: config: anchors[%d].kids[%d]: %q is not a key thumbprint (1 to %d characters of [A-Za-z0-9_-])", i, j, k, entity.MaxKidLen)
			}
			kids[k] = true
		}
		r.pins[a.EntityID] = kids
		r.anchors = append(r.anchors, Anchor{EntityID: a.EntityID, Kids: slices.Clone(a.Kids)})
	}
	return r, nil
}

// Anchors returns a copy of the pinned anchors.
func (r *Resolver) Anchors() []Anchor {
	out := make([]Anchor, len(r.anchors))
	for i, a := range r.anchors {
		out[i] = Anchor{EntityID: a.EntityID, Kids: slices.Clone(a.Kids)}
	}
	return out
}

// Resolve returns the trust chain of entityID from the cache while it has
// not expired and is younger than Config.MaxAge, else resolves it (see the
// package doc).
func (r *Resolver) Resolve(ctx context.Context, entityID string) (*Chain, error) {
	if err := entity.CheckEntityID(entityID); err != nil {
		return nil, fmt.Errorf("trustchain: %s: %w: %v", entityID, entity.ErrInvalidClaims, err)
	}
	if err := r.recall("chain " + entityID); err != nil {
		return nil, err
	}
	f, err := r.share(ctx, "chain "+entityID, func() (*Chain, bool) {
		c, ok := r.chains.Get(entityID)
		return c, ok && r.fresh(c.Fetched, c.Expires)
	}, func(f *flight) {
		f.chain, f.err = r.resolve(ctx, entityID)
		if f.err == nil {
			r.mu.Lock()
			r.chains.Add(entityID, f.chain)
			r.mu.Unlock()
		} else {
			r.remember("chain "+entityID, f.err)
		}
	})
	if err != nil {
		return nil, err
	}
	return f.chain, f.err
}

// SelfSigned returns entityID's EC checked against its own keys only, for
// objects whose signatures are valid but whose signer no pinned anchor
// vouches for. It is cached until its exp.
func (r *Resolver) SelfSigned(ctx context.Context, entityID string) (*entity.Parsed, error) {
	if err := entity.CheckEntityID(entityID); err != nil {
		return nil, fmt.Errorf("trustchain: %s: %w: %v", entityID, entity.ErrInvalidClaims, err)
	}
	f, err := r.share(ctx, "ec "+entityID, func() (*Chain, bool) {
		e, ok := r.ecs.Get(entityID)
		if ok && r.fresh(e.fetched, e.ec.Expires()) {
			return &Chain{Config: e.ec}, true
		}
		return nil, false
	}, func(f *flight) {
		w := r.newWalk(ctx, entityID)
		f.ec, f.err = w.config(entityID)
		if f.err == nil {
			r.mu.Lock()
			r.ecs.Add(entityID, &ecEntry{ec: f.ec, fetched: w.now})
			r.mu.Unlock()
		}
	})
	if err != nil {
		return nil, err
	}
	if f.chain != nil {
		return f.chain.Config, nil
	}
	return f.ec, f.err
}

// share answers from cached when it hits, else runs work once for all
// concurrent callers with the same key. A caller whose flight failed only
// because the leader's context ended tries again with its own.
func (r *Resolver) share(ctx context.Context, key string, cached func() (*Chain, bool), work func(*flight)) (*flight, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("trustchain: %s: %w", key, err)
		}
		r.mu.Lock()
		if c, ok := cached(); ok {
			r.mu.Unlock()
			return &flight{chain: c}, nil
		}
		if f, ok := r.flights[key]; ok {
			r.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("trustchain: %s: %w", key, ctx.Err())
			}
			if f.err != nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
				continue
			}
			return f, nil
		}
		f := &flight{done: make(chan struct{})}
		r.flights[key] = f
		r.mu.Unlock()
		func() {
			defer func() {
				r.mu.Lock()
				delete(r.flights, key)
				r.mu.Unlock()
				close(f.done)
			}()
			work(f)
		}()
		return f, nil
	}
}

// Invalidate drops the cached EC of entityID and every cached chain whose
// path contains it.
func (r *Resolver) Invalidate(entityID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ecs.Remove(entityID)
	r.chains.Remove(entityID)
	r.failures.Remove("chain " + entityID)
	r.failures.Remove("ec " + entityID)
	for _, k := range r.chains.Keys() {
		if c, ok := r.chains.Peek(k); ok && slices.Contains(c.Path, entityID) {
			r.chains.Remove(k)
		}
	}
}

// Refresh drops entityID's cached chain and configuration, so that the next
// resolution fetches them again, unless it did so less than
// RefreshInterval ago. It reports whether it dropped them. The trust layer
// calls it when a signature names a content key the cached configuration
// does not list (the signer rotated its key since).
func (r *Resolver) Refresh(entityID string) bool {
	now := r.cfg.Now()
	r.mu.Lock()
	if r.refreshed == nil {
		r.refreshed = map[string]time.Time{}
	}
	if last, ok := r.refreshed[entityID]; ok && now.Sub(last) < RefreshInterval {
		r.mu.Unlock()
		return false
	}
	if len(r.refreshed) >= r.cfg.CacheSize {
		for id, at := range r.refreshed {
			if now.Sub(at) >= RefreshInterval {
				delete(r.refreshed, id)
			}
		}
	}
	r.refreshed[entityID] = now
	r.mu.Unlock()
	r.Invalidate(entityID)
	return true
}
