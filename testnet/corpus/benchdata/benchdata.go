// Package benchdata builds the benchmark corpus (testnet/corpus) into a
// node's data layout, a store holding every signed version of every object
// and the search index over it, once per generator version, size and seed,
// and caches it under os.TempDir() for every later benchmark run: the
// search, page and node benchmarks share one copy.
//
// Sizes are 10k, 100k and 1M objects. The 1M corpus (about 1.5 million
// versions, several GB, tens of minutes to build on two cores) is built
// and measured only when asked: BENCH_CORPUS_SIZES (not INTERLINK_*: a node
// refuses INTERLINK_ variables that name no setting) names the sizes a
// run covers (default "10k,100k"; "10k,100k,1M" or "1M").
package benchdata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/storage/search"
	"github.com/interlink-project/interlink-node/testnet/corpus"
)

// The names of the store and the index in a data directory: the node's
// own (node.dbFile, node.indexDir), so that a node starts on it as is.
const (
	DBFile   = "interlink.db"
	IndexDir = "index"
)

// Size is one corpus size of the benchmarks.
type Size struct {
	Name    string // "10k", "100k", "1M": the sub-benchmark's name
	Objects int
}

// AllSizes are the sizes the benchmarks know.
var AllSizes = []Size{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}}

// SizesEnv names the sizes a benchmark run covers.
const SizesEnv = "BENCH_CORPUS_SIZES"

// Sizes are the sizes of this run: $BENCH_CORPUS_SIZES (a comma-separated
// list of AllSizes' names), by default 10k and 100k. The 1M sizes are never
// part of a default run.
func Sizes(tb testing.TB) []Size {
	v := os.Getenv(SizesEnv)
	if v == "" {
		return AllSizes[:2]
	}
	var out []Size
	for name := range strings.SplitSeq(v, ",") {
		found := false
		for _, s := range AllSizes {
			if strings.EqualFold(strings.TrimSpace(name), s.Name) {
				out, found = append(out, s), true
			}
		}
		if !found {
			tb.Fatalf("%s=%q: unknown size %q (want some of 10k,100k,1M)", SizesEnv, v, name)
		}
	}
	return out
}

// Data is a built corpus.
type Data struct {
	Dir      string // the data directory (DBFile, IndexDir)
	DB       string
	Index    string
	Objects  int
	Versions int // stored versions, all objects
	Corpus   *corpus.Synthetic
	Built    time.Duration // how long the store took to build
}

// IsNotFound is the index's test for the store's missing objects.
func IsNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

// IndexOptions are the options a benchmark opens the corpus's index with:
// the node's, with the index's log discarded (its lines would split the
// benchmark result lines that cmd/benchplot reads).
func IndexOptions() search.Options {
	return search.Options{IsNotFound: IsNotFound, Logger: slog.New(slog.DiscardHandler)}
}

// manifest is what the cache records of a build.
type manifest struct {
	Generator string  `json:"generator"`
	Objects   int     `json:"objects"`
	Seed      uint64  `json:"seed"`
	Versions  int     `json:"versions"`
	BuildSecs float64 `json:"build_seconds"`
}

// Ensure returns the data directory of the corpus of n objects (the
// default seed), building it when the cache has none (logging its
// progress), and brings its index up to date with the store (a mapping
// change rebuilds it there, once).
func Ensure(tb testing.TB, n int) Data {
	tb.Helper()
	c := corpus.New(n)
	root := filepath.Join(os.TempDir(), "interlink-corpus")
	dir := filepath.Join(root, fmt.Sprintf("%s-n%d-s%d", corpus.GeneratorVersion, n, c.Seed))
	if err := os.MkdirAll(root, 0o700); err != nil {
		tb.Fatal(err)
	}
	unlock := lock(tb, dir+".lock")
	defer unlock()
	m, err := readManifest(dir)
	if err != nil {
		build(tb, c, dir)
		if m, err = readManifest(dir); err != nil {
			tb.Fatal(err)
		}
	}
	d := Data{Dir: dir, DB: filepath.Join(dir, DBFile), Index: filepath.Join(dir, IndexDir), Objects: m.Objects,
		Versions: m.Versions, Corpus: c, Built: time.Duration(m.BuildSecs * float64(time.Second))}
	if err := syncIndex(tb, d); err != nil {
		tb.Fatal(err)
	}
	return d
}

func readManifest(dir string) (manifest, error) {
	var m manifest
	raw, err := os.ReadFile(filepath.Join(dir, "complete"))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(raw, &m)
}

// lock serialises builders of one corpus across processes.
func lock(tb testing.TB, path string) func() {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		tb.Fatal(err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}
}

// build writes every version of c's objects into a new store in dir (by way
// of dir.tmp), generating on every core and committing 2,000 versions a
// transaction, then builds its index.
func build(tb testing.TB, c *corpus.Synthetic, dir string) {
	tmp := dir + ".tmp"
	for _, p := range []string{dir, tmp} {
		if err := os.RemoveAll(p); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("building the %d-object corpus in %s (cached for later runs)", c.N, dir)
	start := time.Now()
	st, err := storage.Open(filepath.Join(tmp, DBFile), storage.Options{NoSync: true, MaxBatch: 8})
	if err != nil {
		tb.Fatal(err)
	}
	versions, err := fill(context.Background(), tb, st, c)
	if err != nil {
		_ = st.Close()
		tb.Fatal(err)
	}
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	took := time.Since(start)
	tb.Logf("store: %d objects, %d versions in %s", c.N, versions, took.Round(time.Second))
	d := Data{DB: filepath.Join(tmp, DBFile), Index: filepath.Join(tmp, IndexDir)}
	if err := syncIndex(tb, d); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("index built, %s in all", time.Since(start).Round(time.Second))
	raw, _ := json.Marshal(manifest{Generator: corpus.GeneratorVersion, Objects: c.N, Seed: c.Seed, Versions: versions, BuildSecs: took.Seconds()})
	if err := os.WriteFile(filepath.Join(tmp, "complete"), raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		tb.Fatal(err)
	}
}

// chunk is the generated histories of objects [from, from+len).
type chunk struct {
	from int
	hist [][]protocol.Object
	err  error
}

// fill generates c on every core and applies it in index order: each
// chunk's first versions in one write, then its second versions, and so on.
func fill(ctx context.Context, tb testing.TB, st *storage.Store, c *corpus.Synthetic) (int, error) {
	const per = 1000
	nchunks := (c.N + per - 1) / per
	workers := runtime.GOMAXPROCS(0)
	results := make([]chan chunk, nchunks)
	for i := range results {
		results[i] = make(chan chunk, 1)
	}
	next := make(chan int, nchunks)
	for i := range nchunks {
		next <- i
	}
	close(next)
	stop := make(chan struct{})
	defer close(stop)
	for range workers {
		go func() {
			for k := range next {
				ch := chunk{from: k * per}
				for i := ch.from; i < min(ch.from+per, c.N) && ch.err == nil; i++ {
					h, err := c.History(i)
					ch.hist, ch.err = append(ch.hist, h), err
				}
				select {
				case results[k] <- ch:
				case <-stop:
					return
				}
			}
		}()
	}
	versions, last := 0, time.Now()
	for k := range nchunks {
		ch := <-results[k]
		if ch.err != nil {
			return versions, ch.err
		}
		for v := 0; ; v++ {
			var ops []storage.WriteOp
			for _, h := range ch.hist {
				if v < len(h) {
					ops = append(ops, storage.WriteOp{Object: h[v], Remote: true})
				}
			}
			if len(ops) == 0 {
				break
			}
			if _, err := st.Apply(ctx, ops...); err != nil {
				return versions, fmt.Errorf("benchdata: apply objects %d..: %w", ch.from, err)
			}
			versions += len(ops)
		}
		if time.Since(last) > 30*time.Second {
			tb.Logf("store: %d of %d objects", ch.from+len(ch.hist), c.N)
			last = time.Now()
		}
	}
	return versions, nil
}

// syncIndex opens d's store and index and runs the index until it holds
// every change of the store (a full build when it has none).
func syncIndex(tb testing.TB, d Data) error {
	st, err := storage.Open(d.DB, storage.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer st.Close()
	ix, err := search.Open(d.Index, IndexOptions())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx, search.StoreSource{St: st}) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer wcancel()
	werr := ix.WaitFor(wctx, st.Seq())
	cancel()
	rerr := <-done
	if errors.Is(rerr, context.Canceled) {
		rerr = nil
	}
	return errors.Join(werr, rerr, ix.Close())
}

// DiskBytes is the size of the file, or of every file in the tree, at path.
func DiskBytes(path string) (int64, error) {
	var n int64
	err := filepath.WalkDir(path, func(_ string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			info, err := e.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}
