package node

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// BenchmarkCompress measures the gzip middleware on real answers: a search
// over the real INTERLINK catalogue (20 hits with facets) and the home
// page, compressed, passed through (a client without gzip), and without the
// middleware. wire-B/op is the body's size on the wire.
func BenchmarkCompress(b *testing.B) {
	dir := testenv.Data(b)
	tn := startNode(b, b.TempDir(), "127.0.0.1")
	seed, err := interlinkfmt.ReadSeed(os.DirFS(filepath.Join(dir, "interlink-catalogue")))
	if err != nil {
		b.Fatal(err)
	}
	var all []any
	for _, p := range seed.ProblemProfiles {
		all = append(all, p)
	}
	for _, il := range seed.Interlinkers {
		all = append(all, il)
	}
	for i := 0; i < len(all); i += 100 {
		if r := tn.postJSON("/api/v1/import", tn.token("editor"), map[string]any{"objects": all[i:min(i+100, len(all))]}); r.status > 201 {
			b.Fatalf("import: %d %s", r.status, r.body)
		}
	}
	search := tn.get("/api/v1/search?q=&limit=20")
	req, _ := http.NewRequest(http.MethodGet, tn.url+"/", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	home, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	bodies := []struct {
		name, ct string
		body     []byte
	}{
		{"search", "application/json", search.body},
		{"home", "text/html; charset=utf-8", home},
	}
	for _, lv := range []int{gzip.BestSpeed, gzip.DefaultCompression} { // the level's cost alone
		b.Run("search/level"+strings.Replace(strconv.Itoa(lv), "-1", "default", 1), func(b *testing.B) {
			w, _ := gzip.NewWriterLevel(nil, lv)
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				w.Reset(&buf)
				_, _ = w.Write(search.body)
				_ = w.Close()
			}
			b.SetBytes(int64(len(search.body)))
			b.ReportMetric(float64(buf.Len()), "wire-B")
		})
	}
	for _, body := range bodies {
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", body.ct)
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body.body)
		})
		for _, mode := range []struct {
			name   string
			h      http.Handler
			accept string
		}{{"none", handler, "gzip"}, {"passthrough", compress(handler), ""}, {"gzip", compress(handler), "gzip"}} {
			b.Run(body.name+"/"+mode.name, func(b *testing.B) {
				var wire int
				b.ReportAllocs()
				for b.Loop() {
					r := httptest.NewRequest(http.MethodGet, "/", nil)
					if mode.accept != "" {
						r.Header.Set("Accept-Encoding", mode.accept)
					}
					rec := httptest.NewRecorder()
					mode.h.ServeHTTP(rec, r)
					wire = rec.Body.Len()
				}
				b.ReportMetric(float64(len(body.body)), "plain-B")
				b.ReportMetric(float64(wire), "wire-B")
			})
		}
	}
}
