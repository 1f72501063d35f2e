package search

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestFollowIndexesUpdatesAndDeletes(t *testing.T) {
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openIndex(t, t.TempDir(), nil)
	defer ix.Close()
	runIndex(t, ix, src)
	for deadline := time.Now().Add(10 * time.Second); !ix.Ready(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not Ready after catching up")
		}
	}
	if n, err := ix.Count(); err != nil || n != uint64(len(corpus())) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(corpus()))
	}

	// The landing page (everything, with facets) is cached until the index
	// changes, and its facets count live documents only.
	landing := func() map[string]int {
		t.Helper()
		res, err := ix.Search(context.Background(), Query{Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != uint64(len(res.Hits)) && len(res.Hits) < DefaultLimit {
			t.Errorf("landing page: total %d, %d hits", res.Total, len(res.Hits))
		}
		return res.Facets["nature"]
	}
	if got := landing(); got["software"] != 1 || got["knowledge"] != 4 {
		t.Errorf("landing facets %v", got)
	}
	landing() // served from the cache

	// A new object is found once its seq is indexed.
	seq := src.put(il{key: "kanban_board", name: protocol.Text{"en": "Kanban board"}}.object(t, testOrigin))
	waitSeq(t, ix, seq)
	if got := ids(t, ix, Query{Text: "kanban"}); !slices.Equal(got, []string{"kanban_board"}) {
		t.Errorf("new object: %v", got)
	}

	// An update is found by its new words and no longer by its old ones.
	seq = src.put(il{key: "kanban_board", name: protocol.Text{"en": "Scrum retrospective board"}}.object(t, testOrigin))
	waitSeq(t, ix, seq)
	if got := ids(t, ix, Query{Text: "retrospective"}); !slices.Equal(got, []string{"kanban_board"}) {
		t.Errorf("updated object by new word: %v", got)
	}
	if got := ids(t, ix, Query{Text: "kanban"}); len(got) != 0 {
		t.Errorf("updated object still found by its old word: %v", got)
	}

	// A tombstone removes the object; so does an object the store forgot.
	seq = src.tombstone(iri("kanban_board"))
	waitSeq(t, ix, seq)
	if got := ids(t, ix, Query{Text: "retrospective"}); len(got) != 0 {
		t.Errorf("deleted object still found: %v", got)
	}
	seq = src.purge(iri("survey_editor"))
	waitSeq(t, ix, seq)
	if got := ids(t, ix, Query{Text: "survey"}); len(got) != 0 {
		t.Errorf("purged object still found: %v", got)
	}
	if n, _ := ix.Count(); n != uint64(len(corpus())-1) {
		t.Errorf("Count = %d after deletes, want %d", n, len(corpus())-1)
	}
	if got := landing(); got["software"] != 0 || got["knowledge"] != 4 {
		t.Errorf("landing facets after deleting the only software: %v", got)
	}
	if _, ok := landing()["software"]; ok {
		t.Error("a facet value without live documents is listed")
	}
	// Several changes to one object in one batch leave its last version.
	obj := il{key: "burst", name: protocol.Text{"en": "First"}}.object(t, testOrigin)
	src.put(obj)
	obj2 := il{key: "burst", name: protocol.Text{"en": "Second"}}.object(t, testOrigin)
	seq = src.put(obj2)
	waitSeq(t, ix, seq)
	if got := ids(t, ix, Query{Text: "second"}); !slices.Equal(got, []string{"burst"}) {
		t.Errorf("burst: %v", got)
	}
	if got := ids(t, ix, Query{Text: "first"}); len(got) != 0 {
		t.Errorf("burst: old version found: %v", got)
	}
	if ix.IndexedSeq() != src.Seq() {
		t.Errorf("IndexedSeq = %d, want %d", ix.IndexedSeq(), src.Seq())
	}
}

// snapshot is everything observable about an index's content.
type snapshot struct {
	Count   uint64
	Results map[string][]string
	Facets  map[string]map[string]int
}

var snapshotQueries = []Query{
	{Limit: 100},
	{Text: "canvas", Lang: "en", Limit: 100},
	{Text: "servizi", Lang: "it", Limit: 100},
	{Text: "servicio", Lang: "es", Limit: 100},
	{Text: "biznesa", Limit: 100},
	{Text: "board", Limit: 100},
	{Text: "canvs", Limit: 100},
	{Filters: map[string][]string{"scope": {"local"}}, Limit: 100},
}

func takeSnapshot(t *testing.T, ix *Index) snapshot {
	t.Helper()
	s := snapshot{Results: map[string][]string{}}
	var err error
	if s.Count, err = ix.Count(); err != nil {
		t.Fatal(err)
	}
	for _, q := range snapshotQueries {
		got := allIDs(t, ix, q)
		if q.Text != "" {
			slices.Sort(got) // scores may differ by deleted-document statistics
		}
		s.Results[fmt.Sprintf("%q/%s/%v", q.Text, q.Lang, q.Filters)] = got
	}
	res, err := ix.Search(context.Background(), Query{Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Facets = res.Facets
	return s
}

// freshSnapshot builds a new index of src in a new directory.
func freshSnapshot(t *testing.T, src *fakeSource) snapshot {
	t.Helper()
	ix := openIndex(t, t.TempDir(), nil)
	defer ix.Close()
	stop := runIndex(t, ix, src)
	defer stop()
	return takeSnapshot(t, ix)
}

func TestCatchUpAfterRestartMatchesRebuild(t *testing.T) {
	dir := t.TempDir()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	logs := &logBuffer{}
	ix := openIndex(t, dir, logs)
	stop := runIndex(t, ix, src)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	rebuilds := src.rebuilds()

	// While the node is down: adds, an update, a tombstone, a purge.
	src.put(il{key: "kanban_board", name: protocol.Text{"en": "Kanban board"}}.object(t, testOrigin))
	src.put(il{key: "gamification_canvas", name: protocol.Text{"en": "Gamification board"}}.object(t, testOrigin))
	src.tombstone(iri("workshop_guide"))
	src.purge(iri("survey_editor"))
	for i := range 20 { // more than one batch (BatchSize 7)
		src.put(il{key: fmt.Sprintf("extra_%d", i), name: protocol.Text{"en": fmt.Sprintf("Extra board %d", i)}}.object(t, testOrigin))
	}

	ix = openIndex(t, dir, logs)
	defer ix.Close()
	if ix.IndexedSeq() != 0 {
		t.Errorf("IndexedSeq before Run = %d, want 0 (not yet confirmed)", ix.IndexedSeq())
	}
	runIndex(t, ix, src)
	if src.rebuilds() != rebuilds {
		t.Errorf("restart rebuilt the index (%d full scans, want %d); logs:\n%s", src.rebuilds(), rebuilds, logs)
	}
	got := takeSnapshot(t, ix)
	want := freshSnapshot(t, src)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("caught-up index differs from a fresh rebuild:\n got %+v\nwant %+v", got, want)
	}
	if got.Count != uint64(len(corpus())-2+21) {
		t.Errorf("Count = %d", got.Count)
	}
}

func TestRebuildWhenIndexDirectoryDeleted(t *testing.T) {
	dir := t.TempDir()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openIndex(t, dir, nil)
	stop := runIndex(t, ix, src)
	want := takeSnapshot(t, ix)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	ix = openIndex(t, dir, nil)
	defer ix.Close()
	runIndex(t, ix, src)
	if got := takeSnapshot(t, ix); !reflect.DeepEqual(got, want) {
		t.Errorf("rebuilt index differs:\n got %+v\nwant %+v", got, want)
	}
	if src.rebuilds() != 2 {
		t.Errorf("%d full scans, want 2", src.rebuilds())
	}
}

func TestRebuildWhenEpochChanges(t *testing.T) {
	dir := t.TempDir()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openIndex(t, dir, nil)
	defer ix.Close()
	stop := runIndex(t, ix, src)

	// A restore while running: another database.
	kanban := il{key: "kanban_board", name: protocol.Text{"en": "Kanban board"}}.object(t, testOrigin)
	src.restore("e2", 30, kanban)
	waitSeq(t, ix, 30) // published only when the rebuild is done
	if got := ids(t, ix, Query{}); !slices.Equal(got, []string{"kanban_board"}) {
		t.Errorf("after restore while running: %v, want only kanban_board", got)
	}

	// A restore while stopped is noticed at start.
	stop()
	src.restore("e3", 50, corpusObjects(t)[:2]...)
	runIndex(t, ix, src)
	if got := ids(t, ix, Query{}); !slices.Equal(got, []string{"business_model_canvas", "gamification_canvas"}) {
		t.Errorf("after restore while stopped: %v", got)
	}
	if src.rebuilds() != 3 {
		t.Errorf("%d full scans, want 3", src.rebuilds())
	}
}

func TestRebuildWhenIndexIsAheadOfStore(t *testing.T) {
	dir := t.TempDir()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	src.put(il{key: "kanban_board", name: protocol.Text{"en": "Kanban board"}}.object(t, testOrigin))
	ix := openIndex(t, dir, nil)
	stop := runIndex(t, ix, src)
	stop()
	ix.Close()

	// The store is restored to an older copy with the same epoch.
	src.restore("e1", 1, corpusObjects(t)...)
	ix = openIndex(t, dir, nil)
	defer ix.Close()
	runIndex(t, ix, src)
	if got := ids(t, ix, Query{Text: "kanban"}); len(got) != 0 {
		t.Errorf("object of the newer store still indexed: %v", got)
	}
	if ix.IndexedSeq() != 1 || src.rebuilds() != 2 {
		t.Errorf("IndexedSeq %d, full scans %d; want 1, 2", ix.IndexedSeq(), src.rebuilds())
	}
}

func TestInterruptedRebuildIsRedone(t *testing.T) {
	dir := t.TempDir()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)

	// First start: the rebuild is interrupted (the node is stopped) half-way.
	ix := openIndex(t, dir, nil)
	ctx, cancel := context.WithCancel(context.Background())
	src.forEachHook = func(n int) error {
		if n == 4 {
			cancel()
		}
		return nil
	}
	if err := ix.Run(ctx, src); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if ix.Ready() || ix.IndexedSeq() != 0 {
		t.Errorf("interrupted: Ready %v, IndexedSeq %d", ix.Ready(), ix.IndexedSeq())
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, buildDirName)); err != nil {
		t.Fatalf("the interrupted build should have left its directory: %v", err)
	}

	// Second start: the leftover is discarded and the index rebuilt.
	src.forEachHook = nil
	ix = openIndex(t, dir, nil)
	defer ix.Close()
	if _, err := os.Stat(filepath.Join(dir, buildDirName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build directory not discarded at Open: %v", err)
	}
	runIndex(t, ix, src)
	if n, _ := ix.Count(); n != uint64(len(corpus())) {
		t.Errorf("Count = %d, want %d", n, len(corpus()))
	}
	if src.rebuilds() != 2 {
		t.Errorf("%d full scans, want 2", src.rebuilds())
	}
}

func TestBrokenIndexIsRecreated(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
	}{
		{"garbage meta", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, mainDirName, shardDirName(metaShard), "index_meta.json"), "{not json")
		}},
		{"store of a data shard removed", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, mainDirName, shardDirName(1), "store")); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, mainDirName, shardDirName(1), "store"), "not a directory")
		}},
		{"data shard missing", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, mainDirName, shardDirName(1))); err != nil {
				t.Fatal(err)
			}
		}},
		{"unsharded layout", func(t *testing.T, dir string) {
			// An index of the single-index layout: a bleve index where the
			// shard directories should be.
			if err := os.RemoveAll(filepath.Join(dir, mainDirName)); err != nil {
				t.Fatal(err)
			}
			bi, err := bleve.New(filepath.Join(dir, mainDirName), bleve.NewIndexMapping())
			if err != nil {
				t.Fatal(err)
			}
			if err := bi.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"old mapping version on a data shard", func(t *testing.T, dir string) {
			bi, err := bleve.OpenUsing(filepath.Join(dir, mainDirName, shardDirName(1)), durableConfig)
			if err != nil {
				t.Fatal(err)
			}
			if err := bi.SetInternal(keyMapping, []byte("interlink-search/0")); err != nil {
				t.Fatal(err)
			}
			if err := bi.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"other shard count", func(t *testing.T, dir string) {
			bi, err := bleve.OpenUsing(filepath.Join(dir, mainDirName, shardDirName(metaShard)), durableConfig)
			if err != nil {
				t.Fatal(err)
			}
			if err := bi.SetInternal(keyShards, []byte("3")); err != nil {
				t.Fatal(err)
			}
			if err := bi.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"stored seq malformed", func(t *testing.T, dir string) {
			bi, err := bleve.OpenUsing(filepath.Join(dir, mainDirName, shardDirName(metaShard)), durableConfig)
			if err != nil {
				t.Fatal(err)
			}
			if err := bi.SetInternal(keySeq, []byte("xyz")); err != nil {
				t.Fatal(err)
			}
			if err := bi.Close(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := newFakeSource("e1")
			src.put(corpusObjects(t)...)
			ix := openIndex(t, dir, nil)
			stop := runIndex(t, ix, src)
			stop()
			ix.Close()

			tc.break_(t, dir)
			logs := &logBuffer{}
			ix = openIndex(t, dir, logs)
			defer ix.Close()
			if !strings.Contains(logs.String(), "recreating") {
				t.Errorf("no warning logged:\n%s", logs)
			}
			runIndex(t, ix, src)
			if got := ids(t, ix, Query{Text: "canvas", Lang: "en"}); len(got) != 3 {
				t.Errorf("after recreation: %v", got)
			}
			if src.rebuilds() != 2 {
				t.Errorf("%d full scans, want 2", src.rebuilds())
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestWaitFor(t *testing.T) {
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openIndex(t, t.TempDir(), nil)
	runIndex(t, ix, src)

	// Already reached: returns at once.
	if err := ix.WaitFor(context.Background(), src.Seq()); err != nil {
		t.Fatal(err)
	}
	// Not reached before the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	err := ix.WaitFor(ctx, src.Seq()+1)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor of a future seq = %v, want DeadlineExceeded", err)
	}
	// Reached by a later write: the write is searchable when WaitFor returns.
	done := make(chan error, 1)
	target := src.Seq() + 1
	go func() { done <- ix.WaitFor(context.Background(), target) }()
	time.Sleep(10 * time.Millisecond)
	src.put(il{key: "late", name: protocol.Text{"en": "Latecomer"}}.object(t, testOrigin))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := ids(t, ix, Query{Text: "latecomer"}); !slices.Equal(got, []string{"late"}) {
		t.Errorf("write not visible after WaitFor: %v", got)
	}
	// Close releases waiters.
	go func() { done <- ix.WaitFor(context.Background(), 1<<60) }()
	time.Sleep(10 * time.Millisecond)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("WaitFor after Close = %v, want ErrClosed", err)
	}
}

func TestSourceFailuresAreRetried(t *testing.T) {
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openIndex(t, t.TempDir(), nil)
	defer ix.Close()
	runIndex(t, ix, src)
	src.mu.Lock()
	src.failGets = 3
	src.mu.Unlock()
	seq := src.put(il{key: "resilient", name: protocol.Text{"en": "Resilient tool"}}.object(t, testOrigin))
	waitSeq(t, ix, seq)
	if got := ids(t, ix, Query{Text: "resilient"}); !slices.Equal(got, []string{"resilient"}) {
		t.Errorf("after transient failures: %v", got)
	}
}

func TestUndecodableBodyKeepsEnvelope(t *testing.T) {
	src := newFakeSource("e1")
	bad := protocol.Object{Meta: protocol.Meta{IRI: iri("broken"), ID: "broken", Type: protocol.KindInterlinker,
		Origin: testOrigin}, Body: []byte(`{"type":"Interlinker","name":{"en":"No key"}}`)}
	src.put(bad)
	logs := &logBuffer{}
	ix := openIndex(t, t.TempDir(), logs)
	defer ix.Close()
	runIndex(t, ix, src)
	if got := ids(t, ix, Query{Filters: map[string][]string{"type": {"Interlinker"}}}); !slices.Equal(got, []string{"broken"}) {
		t.Errorf("undecodable object: %v", got)
	}
	if !strings.Contains(logs.String(), "broken") {
		t.Errorf("decode failure not logged:\n%s", logs)
	}
}

func TestRunLifecycle(t *testing.T) {
	if _, err := Open(t.TempDir(), Options{}); err == nil {
		t.Error("Open without IsNotFound succeeded")
	}
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openIndex(t, t.TempDir(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx, src) }()
	waitSeq(t, ix, src.Seq())
	if err := ix.Run(ctx, src); err == nil {
		t.Error("a second concurrent Run was accepted")
	}
	// Close stops Run and waits for it.
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close = %v, want ErrClosed", err)
	}
	if err := ix.Run(ctx, src); !errors.Is(err, ErrClosed) {
		t.Errorf("Run on a closed index = %v, want ErrClosed", err)
	}
	if _, err := ix.Search(ctx, Query{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Search on a closed index = %v", err)
	}
	if _, err := ix.Count(); !errors.Is(err, ErrClosed) {
		t.Errorf("Count on a closed index = %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// The index directory holds catalogue data: 0700, as docs/configuration.md
// says, also when an older version made it 0750; so is every directory in it.
func TestIndexDirectoryIsPrivate(t *testing.T) {
	for _, pre := range []os.FileMode{0, 0o750} {
		dir := filepath.Join(t.TempDir(), "index")
		if pre != 0 {
			if err := os.Mkdir(dir, pre); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, pre); err != nil {
				t.Fatal(err)
			}
		}
		ix := openIndex(t, dir, nil)
		stop := runIndex(t, ix, newFakeSource("e1"))
		stop()
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			fi, err := os.Stat(p)
			if err == nil && fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s (made %v): mode %v, want no group or other access", p, pre, fi.Mode().Perm())
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// durableConfig opens a shard whose every write is on disk when it returns,
// as the tests that break an index on disk need (the live index persists
// in the background).
var durableConfig = map[string]any{"unsafe_batch": false}
