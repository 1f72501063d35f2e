package benchdata

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// bleve starts its shared analysis workers at package init.
		goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"),
	)
}

// TestEnsureBuildsAndCaches builds a small corpus into a fresh cache: the
// store holds every version, the index every object, and a second Ensure
// reuses the cache.
func TestEnsureBuildsAndCaches(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	d := Ensure(t, 400)
	if d.Objects != 400 || d.Versions <= 400 {
		t.Fatalf("built %d objects, %d versions: want 400 and some edited ones", d.Objects, d.Versions)
	}
	want := 0
	for i := range 400 {
		want += d.Corpus.Versions(i)
	}
	if d.Versions != want {
		t.Errorf("store holds %d versions, the corpus has %d", d.Versions, want)
	}
	st, err := storage.Open(d.DB, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o, err := st.Get(context.Background(), d.Corpus.Origins()[0].URL+"/objects/"+d.Corpus.ID(0))
	if err == nil && (o.Verification == nil || len(o.JWS) == 0) {
		t.Errorf("object 0 is stored without its JWS or verification")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(d.Index, search.Options{IsNotFound: IsNotFound})
	if err != nil {
		t.Fatal(err)
	}
	n, err := ix.Count()
	if cerr := ix.Close(); err != nil || cerr != nil || n != 400 {
		t.Fatalf("index holds %d objects (%v, %v), want 400", n, err, cerr)
	}
	stamp, err := os.Stat(filepath.Join(d.Dir, "complete"))
	if err != nil {
		t.Fatal(err)
	}
	again := Ensure(t, 400)
	if again.Dir != d.Dir {
		t.Fatalf("second Ensure gave %s, want the cached %s", again.Dir, d.Dir)
	}
	if m, err := readManifest(again.Dir); err != nil || m.Versions != d.Versions {
		t.Errorf("cache manifest %+v, %v", m, err)
	}
	if st2, err := os.Stat(filepath.Join(again.Dir, "complete")); err != nil || !st2.ModTime().Equal(stamp.ModTime()) {
		t.Errorf("second Ensure rebuilt the corpus (%v)", err)
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want []string
	}{
		{"", []string{"10k", "100k"}},
		{"1M", []string{"1M"}},
		{"10k, 1m", []string{"10k", "1M"}},
	} {
		t.Setenv(SizesEnv, tc.env)
		var got []string
		for _, s := range Sizes(t) {
			got = append(got, s.Name)
		}
		if len(got) != len(tc.want) || got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1] {
			t.Errorf("%s=%q: sizes %v, want %v", SizesEnv, tc.env, got, tc.want)
		}
	}
}

// TestWarmCache builds the corpora of $BENCH_CORPUS_SIZES ahead of the
// benchmarks (scripts/scale-bench.sh runs it first); without the variable
// it does nothing.
//
//	BENCH_CORPUS_SIZES=10k,100k,1M go test -run TestWarmCache -timeout 0 -v ./testnet/corpus/benchdata/
func TestWarmCache(t *testing.T) {
	if os.Getenv(SizesEnv) == "" {
		t.Skip("set " + SizesEnv + " to build the benchmark corpora")
	}
	for _, s := range Sizes(t) {
		d := Ensure(t, s.Objects)
		t.Logf("%s: %s (%d objects, %d versions)", s.Name, d.Dir, d.Objects, d.Versions)
	}
}
