package trustchain

import (
	"context"
	"testing"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// TestResolveFetchBudget: one resolution makes at most 4*MaxLinks fetches
// (many authority hints that lead nowhere), and fails with ErrTooLong
// rather than with the first hint's reason when the budget runs out.
// MaxLinks 2 allows 8 fetches; the leaf sits directly under the ES anchor
// (3 fetches: its EC, the anchor's EC, the anchor's statement), after three
// hints that lead nowhere: one without an EC (1 fetch) and those that do
// not vouch for it (2 fetches each: EC and a 404 statement).
func TestResolveFetchBudget(t *testing.T) {
	const leaf = "https://sede.presupuesto.es"
	noEC := "https://sin-configuracion.example.es"
	silent := []string{"https://a.no-avala.example.es", "https://b.no-avala.example.es", "https://c.no-avala.example.es"}
	tests := []struct {
		name    string
		hints   []string
		want    []error
		fetches int
	}{
		{name: "exactly 4*MaxLinks fetches", hints: []string{noEC, silent[0], silent[1], anchorES}, fetches: 8},
		{name: "one fetch over the budget", hints: []string{silent[0], silent[1], silent[2], anchorES}, want: []error{ErrTooLong}, fetches: 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFed(t)
			for _, s := range silent {
				f.add(s, &entity.FederationEntity{OrganizationName: "no avala"})
			}
			f.add(leaf, &entity.FederationEntity{OrganizationName: "Presupuesto"}, tc.hints...)
			f.enroll(anchorES, leaf)
			r := f.resolverWith(func(c *Config) { c.MaxLinks = 2 }, anchorES)
			c, err := r.Resolve(context.Background(), leaf)
			wantReasons(t, err, tc.want...)
			if err == nil && c.Anchor != anchorES {
				t.Fatalf("anchor %s", c.Anchor)
			}
			if got := f.f.total(); got != tc.fetches {
				t.Fatalf("%d fetches, want %d", got, tc.fetches)
			}
		})
	}
}

// TestResolveByteBudget: one resolution fetches at most MaxBytes (the
// document that crosses the limit is the last one fetched) and fails with
// ErrTooLarge, whichever authority hint crossed it.
func TestResolveByteBudget(t *testing.T) {
	silent := "https://a.no-avala.example.es"
	pa := []string{wellKnown(leafPA), wellKnown(muni), fetchURL(muni, leafPA), wellKnown(anchorIT), fetchURL(anchorIT, muni)}
	tests := []struct {
		name     string
		id       string
		maxBytes func(f *fed) int
		want     []error
		fetches  int
	}{
		{name: "exactly MaxBytes", id: leafPA, maxBytes: func(f *fed) int { return size(f, pa...) }, fetches: 5},
		{name: "one byte over", id: leafPA, maxBytes: func(f *fed) int { return size(f, pa...) - 1 }, want: []error{ErrTooLarge}, fetches: 5},
		{name: "crossed by the first hint: the second is not tried", id: leafES, maxBytes: func(f *fed) int {
			return size(f, wellKnown(leafES), wellKnown(silent)) - 1
		}, want: []error{ErrTooLarge}, fetches: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFed(t)
			f.add(silent, &entity.FederationEntity{OrganizationName: "no avala"})
			f.nodes[leafES].hints = []string{silent, anchorES}
			f.publish(leafES)
			max := tc.maxBytes(f)
			r := f.resolverWith(func(c *Config) { c.MaxBytes = max }, anchorIT, anchorES)
			_, err := r.Resolve(context.Background(), tc.id)
			wantReasons(t, err, tc.want...)
			if got := f.f.total(); got != tc.fetches {
				t.Fatalf("%d fetches, want %d", got, tc.fetches)
			}
		})
	}
}

// size is the total length of the documents f serves at urls.
func size(f *fed, urls ...string) int {
	n := 0
	for _, u := range urls {
		n += len(f.f.docs[u])
	}
	return n
}
