package trustchain

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"
)

// TestRefreshDrops: Refresh drops the entity's cached chain, its cached
// self-signed EC and its remembered failure, so that the next Resolve and
// SelfSigned fetch again; other entities' caches are left alone.
func TestRefreshDrops(t *testing.T) {
	f := newFed(t)
	r := f.resolver(anchorIT)
	ctx := context.Background()
	for _, id := range []string{leafPA, leafCivic} {
		if _, err := r.Resolve(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.SelfSigned(ctx, leafPA); err != nil {
		t.Fatal(err)
	}
	// The cold resolutions fetched the leaf's EC once each, and SelfSigned
	// once more (its cache is separate).
	if n := f.f.hits[wellKnown(leafPA)]; n != 2 {
		t.Fatalf("leaf EC fetched %d times, want 2", n)
	}
	civicHits := f.f.hits[wellKnown(leafCivic)]

	if !r.Refresh(leafPA) {
		t.Fatal("first Refresh refused")
	}
	if _, ok := r.chains.Get(leafPA); ok {
		t.Fatal("the chain is still cached")
	}
	if _, ok := r.ecs.Get(leafPA); ok {
		t.Fatal("the self-signed EC is still cached")
	}
	if _, err := r.Resolve(ctx, leafPA); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SelfSigned(ctx, leafPA); err != nil {
		t.Fatal(err)
	}
	if n := f.f.hits[wellKnown(leafPA)]; n != 4 {
		t.Fatalf("leaf EC fetched %d times after Refresh, want 4 (chain and EC once more each)", n)
	}
	if _, err := r.Resolve(ctx, leafCivic); err != nil || f.f.hits[wellKnown(leafCivic)] != civicHits {
		t.Fatalf("another entity's chain was dropped: %v, %d fetches", err, f.f.hits[wellKnown(leafCivic)]-civicHits)
	}

	// A remembered failure is forgotten too: the municipality stops
	// vouching for the civic group, then vouches again.
	f.f.del(fetchURL(muni, leafCivic))
	r.Invalidate(leafCivic)
	_, err := r.Resolve(ctx, leafCivic)
	wantReasons(t, err, ErrNoPath, ErrNotFound)
	f.enroll(muni, leafCivic)
	if _, err := r.Resolve(ctx, leafCivic); err == nil {
		t.Fatal("the failure was not remembered")
	}
	if !r.Refresh(leafCivic) {
		t.Fatal("Refresh of another entity refused")
	}
	if _, err := r.Resolve(ctx, leafCivic); err != nil {
		t.Fatalf("after Refresh the failure is still remembered: %v", err)
	}
}

// TestRefreshRateLimit: one entity's documents are dropped at most once per
// RefreshInterval (a flood of unknown kids costs one fetch a minute); a
// refused Refresh drops nothing; each entity has its own limit.
func TestRefreshRateLimit(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration // since the previous Refresh
		want  bool
	}{
		{"at once", 0, false},
		{"a second before the interval", RefreshInterval - time.Second, false},
		{"exactly the interval", RefreshInterval, true},
		{"after the interval", RefreshInterval + time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFed(t)
			r := f.resolver(anchorIT)
			ctx := context.Background()
			if !r.Refresh(leafPA) {
				t.Fatal("first Refresh refused")
			}
			f.now = t0.Add(tc.after)
			c1, err := r.Resolve(ctx, leafPA)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Refresh(leafPA); got != tc.want {
				t.Fatalf("Refresh %s after the previous one: %v, want %v", tc.after, got, tc.want)
			}
			fetches := f.f.total()
			c2, err := r.Resolve(ctx, leafPA)
			if err != nil {
				t.Fatal(err)
			}
			if dropped := c2 != c1 || f.f.total() != fetches; dropped != tc.want {
				t.Fatalf("chain dropped %v, want %v", dropped, tc.want)
			}
			if !r.Refresh(leafCivic) {
				t.Fatal("another entity is rate limited")
			}
		})
	}
}

// TestRefreshSweep: the map of recent Refreshes is swept when it holds
// CacheSize entries: entries RefreshInterval old or older go, younger ones
// stay (dropping them would lift their rate limit).
func TestRefreshSweep(t *testing.T) {
	f := newFed(t)
	r := f.resolverWith(func(c *Config) { c.CacheSize = 2 }, anchorIT)
	ids := func() []string { return slices.Sorted(maps.Keys(r.refreshed)) }
	refresh := func(at time.Duration, id string) {
		t.Helper()
		f.now = t0.Add(at)
		if !r.Refresh(id) {
			t.Fatalf("Refresh(%s) at +%s refused", id, at)
		}
	}
	refresh(0, leafPA)
	refresh(30*time.Second, leafCivic) // one entry: no sweep, leafPA (30 s old) stays
	if got := ids(); !slices.Equal(got, []string{leafPA, leafCivic}) {
		t.Fatalf("after two refreshes: %v", got)
	}
	// Two entries, CacheSize 2: the sweep drops leafPA, exactly
	// RefreshInterval old, and keeps the civic group, 30 s old.
	refresh(RefreshInterval, leafES)
	if got, want := ids(), []string{leafCivic, leafES}; !slices.Equal(got, want) {
		t.Fatalf("after the sweep: %v, want %v", got, want)
	}
	// Full of young entries: the sweep keeps them all, and the map grows
	// past CacheSize rather than lift a rate limit.
	refresh(RefreshInterval, leafLV)
	if got := ids(); len(got) != 3 {
		t.Fatalf("young entries swept: %v", got)
	}
	if r.Refresh(leafCivic) {
		t.Fatal("the civic group's rate limit was lifted by the sweep")
	}
}
