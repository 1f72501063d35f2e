package web

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
	"github.com/interlink-project/interlink-node/testnet/corpus/benchdata"
)

// BenchmarkPages measures the pages' server time over an aggregator's
// catalogue (testnet/corpus, built once and cached by benchdata) at each
// size of the run (10k and 100k objects; 1M with BENCH_CORPUS_SIZES=1M):
// the search page (benchdata.PageQueries, facets counted and labelled, 20
// results read from the store) and the object page (an interlinker or
// public service with its versions and provenance), as p50/p99 in ms, and
// what a page transfers compressed (its HTML and the one stylesheet it
// loads) in KB.
//
//	go test -run '^$' -bench 'Pages/' -benchtime 1000x -count 3 ./node/web/
//	BENCH_CORPUS_SIZES=1M go test -run '^$' -bench 'Pages/1M' -benchtime 1000x -count 3 -timeout 0 ./node/web/
func BenchmarkPages(b *testing.B) {
	for _, size := range benchdata.Sizes(b) {
		b.Run(size.Name, func(b *testing.B) { benchPages(b, size.Objects) })
	}
}

// BenchmarkPages100k is BenchmarkPages at 100,000 objects (the command of
// the earlier records in docs/benchmarks.md).
//
//	go test -run '^$' -bench Pages100k -benchtime 2000x ./node/web/
func BenchmarkPages100k(b *testing.B) { benchPages(b, 100_000) }

func benchPages(b *testing.B, n int) {
	if _, set := os.LookupEnv("GOGC"); !set {
		// As serve runs the node (node.Defaults's gc_percent, applied by
		// node.ApplyRuntime, which this package cannot import).
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	d := benchdata.Ensure(b, n)
	st, err := storage.Open(d.DB, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ix, err := search.Open(d.Index, benchdata.IndexOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	uris := protocol.NewURIs("https://aggregator.interlink.example")
	cat := catalogue.New(catalogue.Deps{Store: st, Index: ix, URIs: uris, Federation: fakeTrust{}, Trust: fakeTrust{}})
	acc, err := accounts.New(st.Accounts(), accounts.Config{CSRFKey: make([]byte, 32)})
	if err != nil {
		b.Fatal(err)
	}
	h, err := New(Deps{Catalogue: func() *catalogue.Service { return cat }, Accounts: func() *accounts.Service { return acc },
		Site: Site{Name: "EU aggregator", Country: "BE", OrgKind: "public_administration", TrustRole: "leaf"}, URIs: uris})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /search", h.Sessions(http.HandlerFunc(h.Search)))
	mux.Handle("GET /objects/{id}", h.Sessions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Object(w, r, r.PathValue("id")) })))
	mux.Handle("GET /static/", h.Static())
	css := get(b, mux, "/static/style.css")

	r := rand.New(rand.NewPCG(3, 5))
	objects := make([]string, 512)
	for i := range objects {
		objects[i] = "/objects/" + d.Corpus.ID(r.IntN(n))
	}
	for _, page := range []struct {
		name    string
		targets []string
	}{{"search", benchdata.PageQueries(d.Corpus, 4096)}, {"object", objects}} {
		b.Run(page.name, func(b *testing.B) {
			for _, t := range page.targets[:100] { // warm the caches
				get(b, mux, t)
			}
			lat := make([]time.Duration, 0, 4096)
			var largest []byte
			i := 0
			for b.Loop() {
				t := page.targets[i%len(page.targets)]
				i++
				start := time.Now()
				body := get(b, mux, t)
				lat = append(lat, time.Since(start))
				if len(body) > len(largest) {
					largest = body
				}
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(gzipped(b, largest)+gzipped(b, css))/1024, "max-gz-KB")
			b.ReportMetric(float64(len(largest)+len(css))/1024, "max-raw-KB")
		})
	}
}

// get serves target and returns the body, failing on any status but 200.
func get(b *testing.B, h http.Handler, target string) []byte {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", target, w.Code, w.Body.String())
	}
	return w.Body.Bytes()
}

func gzipped(b *testing.B, p []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := zw.Write(p); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Len()
}
