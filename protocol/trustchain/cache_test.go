package trustchain

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// TestCacheUntilExpiry: a chain is served from the cache until its earliest
// link expires, and never at or after that; the next resolution fetches
// anew, and is refused when the source still serves the expired links.
func TestCacheUntilExpiry(t *testing.T) {
	f := newFed(t)
	f.enroll(anchorIT, muni, func(s *entity.Statement) { s.Exp = t0.Add(2 * time.Hour).Unix() })
	r := f.resolver(anchorIT)
	ctx := context.Background()

	c1, err := r.Resolve(ctx, leafPA)
	if err != nil {
		t.Fatal(err)
	}
	cold := f.f.total()
	if cold != 5 {
		t.Fatalf("cold resolution fetched %d documents, want 5", cold)
	}
	f.now = t0.Add(2*time.Hour - time.Second)
	c2, err := r.Resolve(ctx, leafPA)
	if err != nil || c2 != c1 || f.f.total() != cold {
		t.Fatalf("warm resolution: err %v, same %v, fetches %d", err, c2 == c1, f.f.total())
	}

	f.now = t0.Add(2 * time.Hour) // exactly the earliest exp: the cached chain is stale
	_, err = r.Resolve(ctx, leafPA)
	wantReasons(t, err, ErrExpired, entity.ErrExpired)
	if f.f.total() == cold {
		t.Fatal("the expired chain was not fetched again")
	}

	// The anchor reissues its statement. The failure is remembered for
	// FailureTTL (a flood of objects costs no fetches), then the chain
	// resolves again.
	f.now = t0.Add(2 * time.Hour)
	f.enroll(anchorIT, muni)
	failed := f.f.total()
	if _, err := r.Resolve(ctx, leafPA); err == nil || f.f.total() != failed {
		t.Fatalf("a remembered failure: err %v, fetches %d then %d", err, failed, f.f.total())
	}
	f.now = t0.Add(2*time.Hour + DefaultFailureTTL)
	c3, err := r.Resolve(ctx, leafPA)
	if err != nil {
		t.Fatal(err)
	}
	if c3 == c1 || !c3.Expires.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("refreshed chain expires %s", c3.Expires)
	}
}

func TestInvalidate(t *testing.T) {
	f := newFed(t)
	r := f.resolver(anchorIT)
	ctx := context.Background()
	for _, id := range []string{leafPA, leafCivic, muni} {
		if _, err := r.Resolve(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	before := f.f.hits[wellKnown(leafPA)]
	r.Invalidate(muni) // drops every chain through the municipality
	if r.chains.Len() != 0 {
		t.Fatalf("%d chains left after invalidating the intermediate", r.chains.Len())
	}
	f.f.del(fetchURL(muni, leafCivic)) // the municipality stops vouching
	if _, err := r.Resolve(ctx, leafPA); err != nil {
		t.Fatal(err)
	}
	if f.f.hits[wellKnown(leafPA)] != before+1 {
		t.Fatal("invalidated chain not fetched again")
	}
	_, err := r.Resolve(ctx, leafCivic)
	wantReasons(t, err, ErrNoPath, ErrNotFound)
}

// Equivalent mutants (gremlins v0.5.0, default mutators):
//
//   - resolver.go:98 (recall) and resolver.go:111 (remember)
//     `r.cfg.FailureTTL < 0` → `r.cfg.FailureTTL <= 0` (CONDITIONALS_BOUNDARY).
//     New replaces a zero FailureTTL with DefaultFailureTTL, so a Resolver
//     never holds FailureTTL 0 and the two conditions never differ.
//     TestFailureTTLDisabled and TestFailureRemembered pin the negative and
//     positive cases (the CONDITIONALS_NEGATION mutants).
//
// A failed resolution is remembered for FailureTTL: repeated objects from a
// signer without a chain cost one fetch; Invalidate forgets the failure.
func TestFailureRemembered(t *testing.T) {
	f := newFed(t)
	r := f.resolver(anchorIT)
	ctx := context.Background()
	f.f.del(fetchURL(muni, leafCivic)) // the municipality does not vouch for it (yet)
	_, err := r.Resolve(ctx, leafCivic)
	wantReasons(t, err, ErrNoPath, ErrNotFound)
	fetches := f.f.total()
	for range 10 {
		if _, again := r.Resolve(ctx, leafCivic); again == nil || again.Error() != err.Error() {
			t.Fatalf("a remembered failure: %v", again)
		}
	}
	if f.f.total() != fetches {
		t.Fatalf("repeated resolutions fetched %d documents", f.f.total()-fetches)
	}
	f.enroll(muni, leafCivic)
	r.Invalidate(leafCivic) // e.g. an operator asks again after the enrolment
	if _, err := r.Resolve(ctx, leafCivic); err != nil {
		t.Fatalf("after Invalidate: %v", err)
	}
}

// TestFailureTTLDisabled: a negative FailureTTL remembers no failure: the
// next Resolve fetches again.
func TestFailureTTLDisabled(t *testing.T) {
	f := newFed(t)
	r := f.resolverWith(func(c *Config) { c.FailureTTL = -1 }, anchorIT)
	ctx := context.Background()
	f.f.del(fetchURL(muni, leafCivic))
	_, err := r.Resolve(ctx, leafCivic)
	wantReasons(t, err, ErrNoPath, ErrNotFound)
	if r.failures.Len() != 0 {
		t.Fatalf("%d failures remembered", r.failures.Len())
	}
	f.enroll(muni, leafCivic)
	if _, err := r.Resolve(ctx, leafCivic); err != nil {
		t.Fatalf("the failure was remembered: %v", err)
	}
}

func TestCacheEvicts(t *testing.T) {
	f := newFed(t)
	r, err := New(Config{
		Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{kidOf(key("fed " + anchorIT))}}},
		Fetcher: f.f, Now: func() time.Time { return f.now }, CacheSize: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range []string{leafPA, leafCivic, muni, leafPA} {
		if _, err := r.Resolve(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if r.chains.Len() != 2 {
		t.Fatalf("%d cached, want 2", r.chains.Len())
	}
	if got := f.f.hits[wellKnown(leafPA)]; got != 2 {
		t.Fatalf("leafPA fetched %d times, want 2 (evicted once)", got)
	}
	if _, ok := r.chains.Get(leafCivic); ok {
		t.Fatal("the least recently used chain was kept")
	}
}

// TestResolveConcurrent: callers resolving the same id at once share one
// resolution (each document fetched once).
func TestResolveConcurrent(t *testing.T) {
	f := newFed(t)
	r := f.resolver(anchorIT)
	gate := make(chan struct{})
	f.f.gate = gate
	const callers = 16
	var wg sync.WaitGroup
	chains := make([]*Chain, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chains[i], errs[i] = r.Resolve(context.Background(), leafPA)
		}()
	}
	// Wait until the leader is inside Fetch, then let it through.
	for deadline := time.Now().Add(5 * time.Second); f.f.total() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no fetch started")
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || chains[i] != chains[0] {
			t.Fatalf("caller %d: %v (same chain %v)", i, errs[i], chains[i] == chains[0])
		}
	}
	for u, n := range f.f.hits {
		if n != 1 {
			t.Fatalf("%s fetched %d times", u, n)
		}
	}
}

// waitingCtx is a context that reports when Done is first called: a caller
// of Resolve calls it only while it waits for another's resolution (the
// fetcher's gate aside).
type waitingCtx struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func (c *waitingCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.waiting) })
	return c.Context.Done()
}

// TestResolveLeaderCancelled: when the caller doing the work is cancelled,
// the others resolve with their own context.
func TestResolveLeaderCancelled(t *testing.T) {
	f := newFed(t)
	r := f.resolver(anchorIT)
	gate := make(chan struct{})
	f.f.gate = gate
	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := r.Resolve(leaderCtx, leafPA)
		leaderErr <- err
	}()
	for f.f.total() == 0 {
		time.Sleep(time.Millisecond)
	}
	follower := make(chan error, 1)
	fctx := &waitingCtx{Context: context.Background(), waiting: make(chan struct{})}
	go func() {
		_, err := r.Resolve(fctx, leafPA)
		follower <- err
	}()
	// The leader is held in its first fetch, so the follower cannot fetch:
	// once it calls Done it is waiting for the leader's flight.
	<-fctx.waiting
	if n := f.f.total(); n != 1 {
		t.Fatalf("%d fetches while the leader is held", n)
	}
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	f.f.mu.Lock()
	f.f.gate = nil
	f.f.mu.Unlock()
	close(gate)
	if err := <-follower; err != nil {
		t.Fatalf("follower: %v", err)
	}
}

func TestSelfSigned(t *testing.T) {
	f := newFed(t)
	// An entity no anchor vouches for: its EC is intact, its identity unknown.
	f.add("https://civici.example.org", &entity.FederationEntity{OrganizationName: "Civici"})
	r := f.resolver(anchorIT)
	ctx := context.Background()
	_, err := r.Resolve(ctx, "https://civici.example.org")
	wantReasons(t, err, ErrNotPinned)
	ec, err := r.SelfSigned(ctx, "https://civici.example.org")
	if err != nil {
		t.Fatal(err)
	}
	n := f.f.hits[wellKnown("https://civici.example.org")]
	if _, err := r.SelfSigned(ctx, "https://civici.example.org"); err != nil || f.f.hits[wellKnown("https://civici.example.org")] != n {
		t.Fatalf("not cached: %v", err)
	}
	kid := kidOf(f.nodes["https://civici.example.org"].contentKey)
	if _, err := ContentKeyAt(ec, kid, t0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.now = t0.Add(24 * time.Hour)
	_, err = r.SelfSigned(ctx, "https://civici.example.org")
	wantReasons(t, err, ErrExpired, entity.ErrExpired)

	f.now = t0
	f.publish("https://civici.example.org", func(s *entity.Statement) { s.JWKS.Keys = []entity.JWK{jwk(t, key("x"))} })
	r.Invalidate("https://civici.example.org")
	_, err = r.SelfSigned(ctx, "https://civici.example.org")
	wantReasons(t, err, entity.ErrUnknownKey)
}

func TestNewValidates(t *testing.T) {
	f := newMemFetcher()
	kid := kidOf(key("a"))
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"valid", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{kid}}}}, true},
		{"no anchors", Config{Fetcher: f}, true},
		{"no fetcher", Config{Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{kid}}}}, false},
		{"anchor not a URL", Config{Fetcher: f, Anchors: []Anchor{{EntityID: "trust.agid.gov.it", Kids: []string{kid}}}}, false},
		{"anchor with a query", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT + "?x=1", Kids: []string{kid}}}}, false},
		{"anchor without kids", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT}}}, false},
		{"kid with a slash", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{"a/b"}}}}, false},
		{"empty kid", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{kid, ""}}}}, false},
		{"kid of the longest length", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{strings.Repeat("k", entity.MaxKidLen)}}}}, true},
		{"kid one character too long", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{strings.Repeat("k", entity.MaxKidLen+1)}}}}, false},
		{"anchor twice", Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{kid}}, {EntityID: anchorIT, Kids: []string{kid}}}}, false},
		{"negative MaxLinks", Config{Fetcher: f, MaxLinks: -1}, false},
		{"negative Skew", Config{Fetcher: f, Skew: -time.Second}, false},
		{"negative MaxBytes", Config{Fetcher: f, MaxBytes: -1}, false},
		{"negative CacheSize", Config{Fetcher: f, CacheSize: -1}, false},
		{"negative MaxAge", Config{Fetcher: f, MaxAge: -time.Second}, false},
		{"MaxAge", Config{Fetcher: f, MaxAge: time.Minute}, true},
		{"negative FailureTTL: failures not remembered", Config{Fetcher: f, FailureTTL: -1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if err == nil && len(r.Anchors()) != len(tc.cfg.Anchors) {
				t.Fatal("anchors not kept")
			}
		})
	}
	r, err := New(Config{Fetcher: f, Anchors: []Anchor{{EntityID: anchorIT, Kids: []string{kid}}}})
	if err != nil {
		t.Fatal(err)
	}
	r.Anchors()[0].Kids[0] = "changed"
	if r.Anchors()[0].Kids[0] != kid {
		t.Fatal("Anchors returns the resolver's own slice")
	}
	_, err = r.Resolve(context.Background(), "not a url")
	wantReasons(t, err, entity.ErrInvalidClaims)
}

// TestMaxAge: a cached chain, and a cached self-signed EC, is used for less
// than MaxAge after it was fetched and fetched again at MaxAge, however
// long its documents are valid; MaxAge 0 keeps it until its earliest exp.
func TestMaxAge(t *testing.T) {
	tests := []struct {
		name   string
		maxAge time.Duration
		at     time.Duration // since the cold resolution
		cached bool
	}{
		{name: "a second before MaxAge", maxAge: 10 * time.Minute, at: 10*time.Minute - time.Second, cached: true},
		{name: "exactly MaxAge", maxAge: 10 * time.Minute, at: 10 * time.Minute},
		{name: "after MaxAge", maxAge: 10 * time.Minute, at: time.Hour},
		{name: "MaxAge longer than the documents: until expiry", maxAge: 48 * time.Hour, at: 24*time.Hour - time.Second, cached: true},
		{name: "zero: until a second before expiry", at: 24*time.Hour - time.Second, cached: true},
	}
	for _, tc := range tests {
		for _, self := range []bool{false, true} {
			name := tc.name
			if self {
				name += ", self-signed"
			}
			t.Run(name, func(t *testing.T) {
				f := newFed(t)
				r := f.resolverWith(func(c *Config) { c.MaxAge = tc.maxAge }, anchorIT)
				ctx := context.Background()
				get := func() (any, error) {
					if self {
						return r.SelfSigned(ctx, leafPA)
					}
					return r.Resolve(ctx, leafPA)
				}
				first, err := get()
				if err != nil {
					t.Fatal(err)
				}
				if c, ok := first.(*Chain); ok && !c.Fetched.Equal(t0) {
					t.Fatalf("Fetched %s, want %s", c.Fetched, t0)
				}
				hits := f.f.hits[wellKnown(leafPA)]
				f.now = t0.Add(tc.at)
				again, err := get()
				if err != nil {
					t.Fatal(err)
				}
				fetched := f.f.hits[wellKnown(leafPA)] - hits
				if cached := again == first && fetched == 0; cached != tc.cached {
					t.Fatalf("at +%s: served from the cache %v (fetched %d), want %v", tc.at, cached, fetched, tc.cached)
				}
				if c, ok := again.(*Chain); ok && !tc.cached && !c.Fetched.Equal(f.now) {
					t.Fatalf("Fetched %s, want %s", c.Fetched, f.now)
				}
			})
		}
	}
}

// TestMaxAgeRevokedKey: a content key the signer revokes in its own EC (its
// superior's statement unchanged) is refused within MaxAge.
func TestMaxAgeRevokedKey(t *testing.T) {
	f := newFed(t)
	r := f.resolverWith(func(c *Config) { c.MaxAge = time.Minute }, anchorIT)
	ctx := context.Background()
	if _, err := r.Resolve(ctx, leafPA); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SelfSigned(ctx, leafPA); err != nil {
		t.Fatal(err)
	}
	n := f.nodes[leafPA]
	kid := kidOf(n.contentKey)
	revoked := jwk(t, n.contentKey)
	revokedAt := t0.Add(10 * time.Second)
	revoked.RevokedAt = revokedAt.Unix()
	f.now = revokedAt
	n.contentJWK = []entity.JWK{revoked}
	f.publish(leafPA)

	seen := t0.Add(59 * time.Second)
	f.now = seen // the cached chain does not know yet
	c, err := r.Resolve(ctx, leafPA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ContentKeyAt(kid, seen, seen); err != nil {
		t.Fatalf("before MaxAge: %v", err)
	}
	ec, err := r.SelfSigned(ctx, leafPA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ContentKeyAt(ec, kid, seen, seen); err != nil {
		t.Fatalf("self-signed, before MaxAge: %v", err)
	}
	f.now = t0.Add(time.Minute) // MaxAge after the fetch: fetched again
	c, err = r.Resolve(ctx, leafPA)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ContentKeyAt(kid, seen, seen)
	wantReasons(t, err, entity.ErrKeyRevoked)
	// A version claiming to be signed before the revocation but first seen
	// now is refused too; one first seen before it is not.
	_, err = c.ContentKeyAt(kid, t0, f.now)
	wantReasons(t, err, entity.ErrKeyRevoked)
	if _, err := c.ContentKeyAt(kid, t0, t0.Add(5*time.Second)); err != nil {
		t.Fatalf("seen before the revocation: %v", err)
	}
	if ec, err = r.SelfSigned(ctx, leafPA); err != nil {
		t.Fatal(err)
	}
	_, err = ContentKeyAt(ec, kid, seen, seen)
	wantReasons(t, err, entity.ErrKeyRevoked)
}
