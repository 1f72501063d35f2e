package search

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// sharedData locates sub under ../shared/data beside the repository root,
// or skips the test.
func sharedData(t testing.TB, sub string) string {
	t.Helper()
	return testenv.Data(t, filepath.FromSlash(sub))
}

// catalogueObjects reads the real INTERLINK seed as stored objects:
// interlinkers, problem profiles and co-production schemas.
func catalogueObjects(t testing.TB) []protocol.Object {
	t.Helper()
	root := sharedData(t, "interlink-catalogue")
	seed, err := interlinkfmt.ReadSeed(os.DirFS(root))
	if err != nil {
		t.Fatalf("read the INTERLINK seed: %v", err)
	}
	const origin = "https://catalogue.interlink.example"
	var out []protocol.Object
	for _, x := range seed.Interlinkers {
		out = append(out, entityObject(t, origin, "il-"+x.Key, x))
	}
	for _, x := range seed.ProblemProfiles {
		out = append(out, entityObject(t, origin, "pp-"+x.NaturalKey(), x))
	}
	for _, x := range seed.Schemas {
		out = append(out, entityObject(t, origin, "cs-"+x.NaturalKey(), x))
	}
	return out
}

func TestRealCatalogue(t *testing.T) {
	objs := catalogueObjects(t)
	src := newFakeSource("real")
	src.put(objs...)
	ix := openIndex(t, t.TempDir(), nil)
	defer ix.Close()
	runIndex(t, ix, src)
	if n, err := ix.Count(); err != nil || n != uint64(len(objs)) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(objs))
	}

	const bmc = "il-business_model_canvas"
	tests := []struct {
		name string
		q    Query
		top  int // bmc must be among the first top hits
	}{
		{"canvas in English", Query{Text: "canvas", Lang: "en"}, 3},
		{"Italian name", Query{Text: "Business Model Canvas", Lang: "it"}, 1},
		{"Italian description words", Query{Text: "modello di business", Lang: "it"}, 3},
		{"Spanish description", Query{Text: "modelo de negocio", Lang: "es"}, 3},
		{"Latvian name", Query{Text: "biznesa modeļa", Lang: "lv"}, 1},
		{"typo", Query{Text: "busines modl canvs", Lang: "en"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.IRI[len("https://catalogue.interlink.example/objects/"):])
			}
			if i := slices.Index(got, bmc); i < 0 || i >= tc.top {
				t.Errorf("%q: business model canvas at %d in %v, want within the first %d", tc.q.Text, i, got, tc.top)
			}
		})
	}

	// Facets reflect the seed: 78 interlinkers in four natures.
	res, err := ix.Search(context.Background(), Query{Filters: map[string][]string{"type": {"Interlinker"}}, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 78 {
		t.Errorf("%d interlinkers, want 78", res.Total)
	}
	wantNature := map[string]int{"knowledge": 46, "software": 5, "externalknowledge": 12, "externalsoftware": 15}
	for k, v := range wantNature {
		if res.Facets["nature"][k] != v {
			t.Errorf("nature facet %s = %d, want %d (%v)", k, res.Facets["nature"][k], v, res.Facets["nature"])
		}
	}
}
