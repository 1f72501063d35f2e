package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// benchWords gives synthetic objects text in the four pilot languages.
var benchWords = map[string][]string{
	"en": strings.Fields("service public digital citizen platform data guide template canvas model business process participation community co-production tool design survey feedback evaluation plan strategy local municipality network"),
	"es": strings.Fields("servicio público digital ciudadano plataforma datos guía plantilla lienzo modelo negocio proceso participación comunidad coproducción herramienta diseño encuesta evaluación plan estrategia municipio red"),
	"it": strings.Fields("servizio pubblico digitale cittadino piattaforma dati guida modello canvas processo partecipazione comunità coprogettazione strumento progettazione sondaggio valutazione piano strategia comune rete"),
	"lv": strings.Fields("pakalpojums publiskais digitālais iedzīvotājs platforma dati ceļvedis veidne modelis bizness process līdzdalība kopiena koprade rīks dizains aptauja novērtējums plāns stratēģija pašvaldība tīkls"),
}

func benchText(r *rand.Rand, lang string, n int) string {
	w := benchWords[lang]
	parts := make([]string, n)
	for i := range parts {
		parts[i] = w[r.IntN(len(w))]
	}
	return strings.Join(parts, " ")
}

// fixture100k returns a data directory holding 100,000 synthetic
// interlinkers and a built search index, made once and reused across
// benchmark runs (it takes minutes to build).
func fixture100k(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "interlink-bench-100k-v2")
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	st, err := storage.Open(filepath.Join(dir, dbFile), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	uris := protocol.NewURIs("http://127.0.0.1:8080")
	var ids protocol.ULIDSource
	r := rand.New(rand.NewPCG(1, 2))
	natures := []protocol.Nature{protocol.NatureKnowledge, protocol.NatureSoftware, protocol.NatureExternalKnowledge, protocol.NatureExternalSoftware}
	scopes := []string{"eu", "national", "local", "regional"}
	now := time.Now().UTC()
	const total, batch = 100_000, 1000
	for i := 0; i < total; i += batch {
		ops := make([]storage.WriteOp, 0, batch)
		for j := i; j < i+batch; j++ {
			il := &protocol.Interlinker{Type: protocol.KindInterlinker, Key: fmt.Sprintf("synthetic_%06d", j), Nature: natures[r.IntN(4)],
				Name: protocol.Text{}, Description: protocol.Text{}, Tags: protocol.TextList{},
				LicenceCategory: "public_domain", AdministrativeScopes: []string{scopes[r.IntN(4)]},
				ProblemProfiles: []string{fmt.Sprintf("PP_%d", r.IntN(45))}, Languages: []string{"en", "es", "it", "lv"}}
			for lang := range benchWords {
				il.Name[lang] = benchText(r, lang, 3)
				il.Description[lang] = benchText(r, lang, 25)
				il.Tags[lang] = strings.Fields(benchText(r, lang, 3))
			}
			body, err := protocol.EncodeEntity(il)
			if err != nil {
				b.Fatal(err)
			}
			id := ids.New(now)
			ops = append(ops, storage.WriteOp{Object: protocol.Object{Meta: protocol.Meta{IRI: uris.Object(id), ID: id,
				Type: protocol.KindInterlinker, Version: 1, Origin: uris.Base(), Key: il.Key, Created: now, Updated: now}, Body: body}})
		}
		if _, err := st.Apply(context.Background(), ops...); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	// Start a node once to build the index.
	cfg := Defaults()
	cfg.Data, cfg.Listen = dir, freeAddr(b, "127.0.0.1")
	n, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	for !n.live.index().Ready() {
		time.Sleep(100 * time.Millisecond)
	}
	n.Close()
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// vmRSS reads a process's resident set size in bytes.
func vmRSS(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// startChild runs a node process on dir and returns it with the time it took to become ready.
func startChild(b *testing.B, dir string) (*exec.Cmd, string, time.Duration) {
	b.Helper()
	addr := freeAddr(b, "127.0.0.1")
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), envChildNode+"="+dir+"|"+addr)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	for {
		if code, err := httpGetStatus("http://" + addr + "/readyz"); err == nil && code == 200 {
			return cmd, addr, time.Since(t0)
		}
		if time.Since(t0) > 2*time.Minute {
			cmd.Process.Kill()
			b.Fatal("child node not ready in 2 minutes")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func stopChild(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

// BenchmarkStartReady measures a node process from exec to /readyz and its
// resident memory when idle, empty and with 100,000 objects (index present).
//
//	go test -run '^$' -bench BenchmarkStartReady -benchtime 5x ./node
func BenchmarkStartReady(b *testing.B) {
	b.Run("empty", func(b *testing.B) {
		var ready time.Duration
		var rss int64
		for i := 0; i < b.N; i++ {
			cmd, _, d := startChild(b, b.TempDir())
			time.Sleep(time.Second) // idle
			ready += d
			rss += vmRSS(cmd.Process.Pid)
			stopChild(cmd)
		}
		b.ReportMetric(float64(ready.Milliseconds())/float64(b.N), "ready-ms")
		b.ReportMetric(float64(rss)/float64(b.N)/(1<<20), "idle-rss-MiB")
	})
	b.Run("objects=100000", func(b *testing.B) {
		dir := fixture100k(b)
		b.ResetTimer()
		var ready time.Duration
		var rss, rssAfter int64
		for i := 0; i < b.N; i++ {
			cmd, addr, d := startChild(b, dir)
			time.Sleep(time.Second)
			ready += d
			rss += vmRSS(cmd.Process.Pid)
			// After some searches the index pages it touched count too.
			for _, q := range []string{"canvas", "servizio", "plataforma", "survey plan", "kopiena"} {
				httpGetStatus("http://" + addr + "/api/v1/search?q=" + q + "&nature=knowledge&scope=eu")
			}
			rssAfter += vmRSS(cmd.Process.Pid)
			var st struct{ Counts map[string]int }
			if resp, err := httpGetJSON("http://"+addr+"/api/v1/status", &st); err != nil || st.Counts["Interlinker"] != 100_000 {
				b.Fatalf("status: %v %v %v", resp, err, st)
			}
			stopChild(cmd)
		}
		b.ReportMetric(float64(ready.Milliseconds())/float64(b.N), "ready-ms")
		b.ReportMetric(float64(rss)/float64(b.N)/(1<<20), "idle-rss-MiB")
		b.ReportMetric(float64(rssAfter)/float64(b.N)/(1<<20), "rss-after-search-MiB")
	})
}

func httpGetJSON(u string, v any) (int, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(v)
}

// BenchmarkIdleHeap measures the live heap of an idle, empty node after a
// collection (what it holds, as against the garbage its start leaves until
// a first collection). With -memprofile, `go tool pprof -inuse_space`
// attributes it (the web face's messages and templates among it).
//
//	go test -run '^$' -bench BenchmarkIdleHeap -benchtime 1x ./node   (one node per process: run it again rather than -count)
func BenchmarkIdleHeap(b *testing.B) {
	var live uint64
	for i := 0; i < b.N; i++ {
		tn := startNodeWith(b, b.TempDir(), freeAddr(b, "127.0.0.1"), func(c *Config) {})
		time.Sleep(time.Second)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		live += ms.HeapAlloc
		_ = tn
	}
	b.ReportMetric(float64(live)/float64(b.N)/(1<<20), "heap-live-MiB")
}
