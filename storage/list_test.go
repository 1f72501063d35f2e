package storage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// catalogue fills a store with a few hundred objects of varied attributes,
// then updates and deletes some, and returns the IRIs of the live ones.
func catalogue(t *testing.T, s *Store, n int) (live map[string]protocol.Object) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	f := newFixture()
	pick := func(from []string, max int) []string {
		var out []string
		for _, v := range from {
			if rng.IntN(len(from)) < max {
				out = append(out, v)
			}
		}
		return out
	}
	langs := []string{"en", "es", "it", "lv"}
	profiles := []string{"ORG_PROBLEM_1", "ORG_PROBLEM_2", "ORG_PROBLEM_3", "ORG_PROBLEM_6.1"}
	scopes := []string{"eu", "national", "regional", "local"}
	licences := []string{"", "public_domain", "permissive", "copyleft", protocol.LicenceProprietaryMisspelt}
	mk := func(i int) protocol.Entity {
		nature := protocol.Natures()[rng.IntN(4)]
		return interlinker(fmt.Sprintf("il-%d", i), nature, pick(langs, 2), pick(profiles, 2), pick(scopes, 1), licences[rng.IntN(len(licences))])
	}
	live = map[string]protocol.Object{}
	var all []protocol.Object
	var ops []WriteOp
	for i := range n {
		o := f.object(t, mk(i))
		if i%10 == 0 {
			o.Origin = "https://zaragoza.example" // a federated copy
		}
		ops = append(ops, create(o))
		all = append(all, o)
	}
	// Ratings and adoptions of the first few interlinkers.
	for i := range n / 5 {
		target := all[i%7].IRI
		var e protocol.Entity = rating(target, 1+i%5)
		if i%2 == 0 {
			e = adoption(target)
		}
		o := f.object(t, e)
		ops = append(ops, create(o))
		all = append(all, o)
	}
	for i := 0; i < len(ops); i += 100 {
		mustApply(t, s, ops[i:min(i+100, len(ops))]...)
	}
	for i, o := range all {
		switch {
		case i%11 == 3: // delete
			mustApply(t, s, next(t, o, nil))
		case i%7 == 2 && o.Type == protocol.KindInterlinker: // update with new attributes
			op := next(t, o, mk(i))
			mustApply(t, s, op)
			live[o.IRI] = op.Object
		default:
			live[o.IRI] = o
		}
	}
	return live
}

// matches is the model of List's filtering, computed from the entities.
func matches(t *testing.T, o protocol.Object, filters map[string][]string) bool {
	e, err := protocol.DecodeEntity(o.Body)
	if err != nil {
		t.Fatal(err)
	}
	d := e.Index()
	for k, vs := range filters {
		if len(vs) == 0 {
			continue
		}
		var have []string
		switch k {
		case "type":
			have = []string{string(o.Type)}
		case "origin":
			have = []string{o.Origin}
		case "nature":
			have = []string{d.Nature}
		case "language":
			have = d.Languages
		case "problem_profile":
			have = d.ProblemProfiles
		case "licence":
			have = []string{d.LicenceCategory}
		case "scope":
			have = d.Scopes
		case "country":
			have = []string{d.Country}
		case "target":
			have = []string{d.Target}
		}
		if !slices.ContainsFunc(vs, func(v string) bool { return v != "" && slices.Contains(have, v) }) {
			return false
		}
	}
	return true
}

func TestListFiltersAndPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	live := catalogue(t, s, 300)
	var target string
	for _, o := range live {
		if o.Type == protocol.KindRating {
			e, _ := protocol.DecodeEntity(o.Body)
			target = e.Index().Target
			break
		}
	}
	cases := []struct {
		name    string
		filters map[string][]string
	}{
		{"everything", nil},
		{"empty value list does not filter", map[string][]string{"language": {}}},
		{"type", map[string][]string{"type": {"Interlinker"}}},
		{"two types", map[string][]string{"type": {"Rating", "Adoption"}}},
		{"nature OR", map[string][]string{"nature": {"software", "knowledge"}}},
		{"language AND nature", map[string][]string{"language": {"it"}, "nature": {"knowledge"}}},
		{"three keys", map[string][]string{"problem_profile": {"ORG_PROBLEM_1", "ORG_PROBLEM_6.1"}, "scope": {"local", "eu"}, "language": {"es", "lv"}}},
		{"licence canonical", map[string][]string{"licence": {"proprietary"}}},
		{"origin", map[string][]string{"origin": {"https://zaragoza.example"}}},
		{"target", map[string][]string{"target": {target}}},
		{"target and type", map[string][]string{"target": {target}, "type": {"Rating"}}},
		{"duplicated values", map[string][]string{"nature": {"software", "software"}}},
		{"nothing matches", map[string][]string{"country": {"XX"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []string
			for iri, o := range live {
				if matches(t, o, c.filters) {
					want = append(want, iri)
				}
			}
			slices.Sort(want)
			if c.name != "nothing matches" && len(want) == 0 {
				t.Fatal("the case matches nothing: it tests nothing")
			}
			for _, limit := range []int{0, 1, 7, 50, 1000} {
				var got []string
				cursor := ""
				for pages := 0; ; pages++ {
					items, next, err := s.List(ctx, ListOptions{Filters: c.filters, After: cursor, Limit: limit})
					if err != nil {
						t.Fatal(err)
					}
					if max := cmpOr(limit, DefaultListLimit); len(items) > max {
						t.Fatalf("page of %d items, limit %d", len(items), max)
					}
					for _, o := range items {
						if o.Deleted {
							t.Fatalf("tombstone listed: %s", o.IRI)
						}
						if err := sameObject(o, live[o.IRI]); err != nil {
							t.Fatalf("listed object differs: %v", err)
						}
						got = append(got, o.IRI)
					}
					if next == "" {
						break
					}
					if len(items) == 0 || pages > len(live) {
						t.Fatal("a next cursor with an empty page, or pages without end")
					}
					cursor = next
				}
				if !slices.Equal(got, want) {
					t.Fatalf("limit %d: got %d IRIs, want %d\ngot  %v\nwant %v", limit, len(got), len(want), got, want)
				}
			}
		})
	}
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func TestListErrors(t *testing.T) {
	s := openTest(t, Options{NoSync: true})
	cases := []struct {
		name string
		opts ListOptions
		want string
	}{
		{"unknown filter", ListOptions{Filters: map[string][]string{"colour": {"red"}}}, `"colour"`},
		{"bad cursor", ListOptions{After: "!!!"}, "cursor"},
		{"cursor of another kind", ListOptions{After: "eHl6"}, "cursor"},
		{"negative limit", ListOptions{Limit: -1}, "limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := s.List(context.Background(), c.opts)
			if !errors.Is(err, ErrInvalidQuery) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want ErrInvalidQuery naming %s", err, c.want)
			}
		})
	}
}

func TestCountsAndAggregates(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	x := f.object(t, interlinker("x", protocol.NatureSoftware, nil, nil, nil, ""))
	y := f.object(t, interlinker("y", protocol.NatureSoftware, nil, nil, nil, ""))
	mustApply(t, s, create(x), create(y))
	r1 := f.object(t, rating(x.IRI, 4))
	r2 := f.object(t, rating(x.IRI, 2))
	ad := f.object(t, adoption(x.IRI))
	var r1v2, r2v2 WriteOp
	steps := []struct {
		name   string
		ops    func() []WriteOp
		x, y   Aggregate
		counts map[protocol.Kind]int
	}{
		{"two ratings and an adoption", func() []WriteOp { return []WriteOp{create(r1), create(r2), create(ad)} },
			Aggregate{Adoptions: 1, Ratings: 2, RatingSum: 6, RatingMean: 3}, Aggregate{},
			map[protocol.Kind]int{protocol.KindInterlinker: 2, protocol.KindRating: 2, protocol.KindAdoption: 1}},
		{"a rating changes its value", func() []WriteOp { r1v2 = next(t, r1, rating(x.IRI, 5)); return []WriteOp{r1v2} },
			Aggregate{Adoptions: 1, Ratings: 2, RatingSum: 7, RatingMean: 3.5}, Aggregate{},
			map[protocol.Kind]int{protocol.KindInterlinker: 2, protocol.KindRating: 2, protocol.KindAdoption: 1}},
		{"a rating moves to another target", func() []WriteOp { r2v2 = next(t, r2, rating(y.IRI, 1)); return []WriteOp{r2v2} },
			Aggregate{Adoptions: 1, Ratings: 1, RatingSum: 5, RatingMean: 5}, Aggregate{Ratings: 1, RatingSum: 1, RatingMean: 1},
			map[protocol.Kind]int{protocol.KindInterlinker: 2, protocol.KindRating: 2, protocol.KindAdoption: 1}},
		{"the adoption and a rating are deleted", func() []WriteOp { return []WriteOp{next(t, ad, nil), next(t, r1v2.Object, nil)} },
			Aggregate{}, Aggregate{Ratings: 1, RatingSum: 1, RatingMean: 1},
			map[protocol.Kind]int{protocol.KindInterlinker: 2, protocol.KindRating: 1}},
		{"the rated object itself is deleted", func() []WriteOp { return []WriteOp{next(t, y, nil)} },
			Aggregate{}, Aggregate{Ratings: 1, RatingSum: 1, RatingMean: 1},
			map[protocol.Kind]int{protocol.KindInterlinker: 1, protocol.KindRating: 1}},
	}
	for _, st := range steps {
		mustApply(t, s, st.ops()...)
		for _, c := range []struct {
			iri  string
			want Aggregate
		}{{x.IRI, st.x}, {y.IRI, st.y}} {
			got, err := s.Aggregates(ctx, c.iri)
			if err != nil || got != c.want {
				t.Errorf("%s: aggregates of %s = %+v, %v; want %+v", st.name, c.iri, got, err, c.want)
			}
		}
		counts, err := s.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range protocol.Kinds {
			if counts[k] != st.counts[k] {
				t.Errorf("%s: count of %s = %d, want %d", st.name, k, counts[k], st.counts[k])
			}
		}
		mustVerify(t, s)
	}
}
