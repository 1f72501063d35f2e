package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
	"github.com/interlink-project/interlink-node/testnet/corpus"
)

// pageBenchObjects is the size of the pages' benchmark catalogue: an
// aggregator's copy of 20 peers' synthetic catalogues (testnet/corpus).
const pageBenchObjects = 100_000

// pageBenchData returns a directory holding a store and an index of the
// benchmark catalogue, built once (minutes) and cached under os.TempDir().
func pageBenchData(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "interlink-web-bench", fmt.Sprintf("corpus-%d-v1", pageBenchObjects) /* a later schema migrates it at open */)
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		b.Fatal(err)
	}
	b.Logf("building the %d-object page benchmark data in %s (cached for later runs)", pageBenchObjects, dir)
	start := time.Now()
	st, err := storage.Open(filepath.Join(tmp, "db"), storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	c := corpus.New(pageBenchObjects)
	for i := 0; i < pageBenchObjects; i += 500 {
		ops := make([]storage.WriteOp, 0, 500)
		for j := i; j < min(i+500, pageBenchObjects); j++ {
			o, err := c.Object(j)
			if err != nil {
				b.Fatal(err)
			}
			o.Version, o.Actor = 1, o.Origin+"/actor"
			ops = append(ops, storage.WriteOp{Object: o, Remote: true})
		}
		if _, err := st.Apply(ctx, ops...); err != nil {
			b.Fatal(err)
		}
	}
	ix, err := search.Open(filepath.Join(tmp, "index"), search.Options{IsNotFound: func(err error) bool { return errors.Is(err, storage.ErrNotFound) }})
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ix.Run(runCtx, search.StoreSource{St: st}) }()
	if err := ix.WaitFor(ctx, st.Seq()); err != nil {
		b.Fatal(err)
	}
	stop()
	<-done
	if err := errors.Join(ix.Close(), st.Close()); err != nil {
		b.Fatal(err)
	}
	b.Logf("built in %s", time.Since(start).Round(time.Second))
	if err := os.WriteFile(filepath.Join(tmp, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// pageBenchQueries are what people type: 1-3 words of one language, the
// page in that language, a third of them with a filter picked from the
// facets (as a click on one would add).
func pageBenchQueries(n int) []string {
	r := rand.New(rand.NewPCG(7, 9))
	filters := []func() string{
		func() string {
			return "nature=" + corpus.Pick(r, []string{"knowledge", "externalsoftware", "software"})
		},
		func() string { return "type=PublicService&country=" + corpus.Pick(r, []string{"IT", "ES", "LV"}) },
		func() string { return fmt.Sprintf("problem_profile=PROBLEM_%02d", corpus.Zipf(r, 45)) },
		func() string { return "licence=" + corpus.Pick(r, []string{"public_domain", "permissive", "copyleft"}) },
	}
	out := make([]string, n)
	for i := range out {
		lang := corpus.Languages[r.IntN(len(corpus.Languages))]
		ws := make([]string, 1+r.IntN(3))
		for k := range ws {
			ws[k] = corpus.Pick(r, corpus.Vocabulary(lang)[:120])
		}
		q := "/search?q=" + url.QueryEscape(strings.Join(ws, " ")) + "&lang=" + lang
		if r.IntN(3) == 0 {
			q += "&" + filters[r.IntN(len(filters))]()
		}
		out[i] = q
	}
	return out
}

// BenchmarkPages100k measures the pages' server time over an aggregator's
// 100,000 objects: the search page (query mix of pageBenchQueries, facets
// counted and labelled, 20 results read from the store) and the object
// page (an interlinker or public service with its versions and
// provenance), as p50/p99 in ms, and what a page transfers compressed
// (its HTML and the one stylesheet it loads) in KB.
//
//	go test -run '^$' -bench Pages100k -benchtime 2000x ./node/web/
func BenchmarkPages100k(b *testing.B) {
	if _, set := os.LookupEnv("GOGC"); !set {
		// As serve runs the node (node.Defaults's gc_percent, applied by
		// node.ApplyRuntime, which this package cannot import).
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	dir := pageBenchData(b)
	st, err := storage.Open(filepath.Join(dir, "db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ix, err := search.Open(filepath.Join(dir, "index"), search.Options{IsNotFound: func(err error) bool { return errors.Is(err, storage.ErrNotFound) }})
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
		objects[i] = fmt.Sprintf("/objects/obj%06d", r.IntN(pageBenchObjects))
	}
	for _, page := range []struct {
		name    string
		targets []string
	}{{"search", pageBenchQueries(4096)}, {"object", objects}} {
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
