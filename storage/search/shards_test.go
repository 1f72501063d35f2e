package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/interlink-project/interlink-node/protocol"
)

func openShardedIndex(t testing.TB, dir string, shards int) *Index {
	t.Helper()
	ix, err := Open(dir, Options{IsNotFound: isNotFound, BatchSize: 7, Shards: shards, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open(%s, %d shards): %v", dir, shards, err)
	}
	return ix
}

func TestShardOfIsStableAndSpreads(t *testing.T) {
	// Fixed values: routing must never change between builds or processes
	// without a mapping version bump.
	tests := []struct {
		iri  string
		n    int
		want int
	}{
		{"https://a.example/objects/1", 1, 0},
		{"https://a.example/objects/1", 2, 0},
		{"https://a.example/objects/1", 4, 2},
		{"https://a.example/objects/2", 2, 1},
		{"https://a.example/objects/2", 4, 3},
		{"https://node01.interlink.example/objects/x", 4, 1},
	}
	for _, tc := range tests {
		for range 3 {
			if got := shardOf(tc.iri, tc.n); got != tc.want {
				t.Errorf("shardOf(%q, %d) = %d, want %d", tc.iri, tc.n, got, tc.want)
			}
		}
	}
	for _, n := range []int{2, 3, 4} {
		counts := make([]int, n)
		for i := range 10000 {
			counts[shardOf(fmt.Sprintf("https://node%02d.example/objects/%d", i%20, i), n)]++
		}
		for s, c := range counts {
			if c < 10000/n*9/10 || c > 10000/n*11/10 {
				t.Errorf("%d shards: shard %d holds %d of 10000 documents: %v", n, s, c, counts)
			}
		}
	}
}

func TestOpenRejectsBadShardCount(t *testing.T) {
	for _, n := range []int{-1, maxShards + 1} {
		if _, err := Open(t.TempDir(), Options{IsNotFound: isNotFound, Shards: n}); err == nil {
			t.Errorf("Open with Shards %d succeeded", n)
		}
	}
}

// Every shard count finds the same objects and counts the same facets,
// pages without duplicates, and each document sits in its routed shard.
func TestShardCountsAgree(t *testing.T) {
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	var want snapshot
	for _, n := range []int{1, 2, 3, 5} {
		t.Run(fmt.Sprintf("%d shards", n), func(t *testing.T) {
			ix := openShardedIndex(t, t.TempDir(), n)
			defer ix.Close()
			stop := runIndex(t, ix, src)
			defer stop()
			got := takeSnapshot(t, ix)
			for q, hits := range got.Results {
				if len(slices.Compact(slices.Sorted(slices.Values(hits)))) != len(hits) {
					t.Errorf("%s: duplicate hits across pages: %v", q, hits)
				}
			}
			res, err := ix.Search(context.Background(), Query{Text: "canvas", Facets: true,
				Filters: map[string][]string{"scope": {"local", "global"}}})
			if err != nil {
				t.Fatal(err)
			}
			got.Facets["text query total"] = map[string]int{"": int(res.Total)}
			for f, counts := range res.Facets {
				got.Facets["text query "+f] = counts
			}
			if n == 1 {
				want = got
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("differs from 1 shard:\n got %+v\nwant %+v", got, want)
			}

			ix.mu.RLock()
			defer ix.mu.RUnlock()
			used := 0
			for _, obj := range corpusObjects(t) {
				for s, bi := range ix.ss.shards {
					doc, err := bi.Document(obj.IRI)
					if err != nil {
						t.Fatal(err)
					}
					if (doc != nil) != (s == shardOf(obj.IRI, n)) {
						t.Errorf("%s in shard %d: %t; routed to shard %d", obj.IRI, s, doc != nil, shardOf(obj.IRI, n))
					}
				}
				used |= 1 << shardOf(obj.IRI, n)
			}
			if n > 1 && used == 1 {
				t.Errorf("every document in shard 0")
			}
		})
	}
}

// keyInShard returns an object key whose IRI routes to shard s of n.
func keyInShard(t *testing.T, s, n int) string {
	t.Helper()
	for i := range 1000 {
		k := fmt.Sprintf("routed_%d", i)
		if shardOf(iri(k), n) == s {
			return k
		}
	}
	t.Fatalf("no key routes to shard %d of %d", s, n)
	return ""
}

// A batch that fails on a data shard must not reach the metadata shard:
// the recorded seq never claims changes whose documents are missing.
func TestApplyWritesMetadataShardLast(t *testing.T) {
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	dir := t.TempDir()
	ix := openShardedIndex(t, dir, 2)
	defer ix.Close()
	stop := runIndex(t, ix, src)
	stop()
	before := ix.stored.seq
	defer func() { // reopen the closed shard so that Close closes each once
		bi, err := bleve.OpenUsing(filepath.Join(dir, mainDirName, shardDirName(1)), liveConfig())
		if err != nil {
			t.Fatal(err)
		}
		ix.ss.shards[1] = bi
	}()

	key := keyInShard(t, 1, 2)
	seq := src.put(il{key: key, name: protocol.Text{"en": "Routed object"}}.object(t, testOrigin))
	if err := ix.ss.shards[1].Close(); err != nil { // the data shard fails
		t.Fatal(err)
	}
	err := ix.apply(context.Background(), src, []Change{{Seq: seq, IRI: iri(key)}})
	if err == nil {
		t.Fatal("apply succeeded with a closed data shard")
	}
	raw, gerr := ix.ss.meta().GetInternal(keySeq)
	if gerr != nil {
		t.Fatal(gerr)
	}
	if len(raw) != 8 || binary.BigEndian.Uint64(raw) != before || ix.stored.seq != before || ix.IndexedSeq() != before {
		t.Errorf("after a failed data shard: recorded seq %x, stored %d, published %d; want %d",
			raw, ix.stored.seq, ix.IndexedSeq(), before)
	}
}

// A crash after a data shard's batch and before the metadata shard's
// leaves a document the seq does not claim; the next start replays the
// change, and the object is found once.
func TestReplayAfterCrashBetweenShards(t *testing.T) {
	dir := t.TempDir()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openShardedIndex(t, dir, 2)
	stop := runIndex(t, ix, src)
	stop()

	key := keyInShard(t, 1, 2)
	obj := il{key: key, name: protocol.Text{"en": "Zanzibar planner"}}.object(t, testOrigin)
	src.put(obj)
	// The crash: only the data shard's batch was written.
	bs := ix.ss.newBatches()
	if err := ix.addDoc(bs[1], obj.IRI, obj); err != nil {
		t.Fatal(err)
	}
	if err := ix.ss.shards[1].Batch(bs[1]); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix = openShardedIndex(t, dir, 2)
	defer ix.Close()
	rebuilds := src.rebuilds()
	stop = runIndex(t, ix, src)
	defer stop()
	if src.rebuilds() != rebuilds {
		t.Errorf("restart rebuilt the index instead of replaying the change")
	}
	if got := ids(t, ix, Query{Text: "zanzibar"}); !slices.Equal(got, []string{key}) {
		t.Errorf("after replay: %v, want [%s]", got, key)
	}
	if n, _ := ix.Count(); n != uint64(len(corpus())+1) {
		t.Errorf("Count = %d, want %d", n, len(corpus())+1)
	}
}

// Changing the shard count rebuilds the index in the new layout.
func TestShardCountChangeRebuilds(t *testing.T) {
	dir := t.TempDir()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	ix := openShardedIndex(t, dir, 2)
	stop := runIndex(t, ix, src)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = openShardedIndex(t, dir, 3)
	defer ix.Close()
	stop = runIndex(t, ix, src)
	defer stop()
	if src.rebuilds() != 2 {
		t.Errorf("%d full scans, want 2", src.rebuilds())
	}
	if n, _ := ix.Count(); n != uint64(len(corpus())) {
		t.Errorf("Count = %d, want %d", n, len(corpus()))
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(ix.ss.shards) != 3 {
		t.Errorf("%d shards open, want 3", len(ix.ss.shards))
	}
}

// TestResumeFromLowestShardSeq: the live index persists each shard in the
// background, so a crash can leave a data shard behind the metadata shard;
// the next start must resume from the lower seq and index what that shard
// lost, not trust the metadata shard's seq.
func TestResumeFromLowestShardSeq(t *testing.T) {
	src := newFakeSource("e1")
	dir := t.TempDir()
	ix := openShardedIndex(t, dir, 2)
	stop := runIndex(t, ix, src)
	key := keyInShard(t, 1, 2)
	first := src.put(il{key: "kept", name: protocol.Text{"en": "Kept object"}}.object(t, testOrigin))
	waitSeq(t, ix, first)
	seq := src.put(il{key: key, name: protocol.Text{"en": "Routed object"}}.object(t, testOrigin))
	waitSeq(t, ix, seq)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// What a crash before shard 1 persisted its last batch leaves: the
	// document gone from shard 1 and its seq behind.
	bi, err := bleve.OpenUsing(filepath.Join(dir, mainDirName, shardDirName(1)), durableConfig)
	if err != nil {
		t.Fatal(err)
	}
	if err := bi.Delete(iri(key)); err != nil {
		t.Fatal(err)
	}
	if err := bi.SetInternal(keySeq, encodeSeq(first)); err != nil {
		t.Fatal(err)
	}
	if err := bi.Close(); err != nil {
		t.Fatal(err)
	}

	ix = openShardedIndex(t, dir, 2)
	defer ix.Close()
	if ix.stored.seq != first {
		t.Fatalf("resumes from seq %d, want shard 1's %d", ix.stored.seq, first)
	}
	runIndex(t, ix, src)
	waitSeq(t, ix, seq)
	if got := ids(t, ix, Query{Text: "routed", Lang: "en"}); len(got) != 1 {
		t.Errorf("after the catch-up: %v, want the routed object", got)
	}
}

// TestCloseLeavesNothingToCatchUp: Close persists what the live index
// holds, so the next start resumes from the seq it reached.
func TestCloseLeavesNothingToCatchUp(t *testing.T) {
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	dir := t.TempDir()
	ix := openShardedIndex(t, dir, 2)
	stop := runIndex(t, ix, src)
	seq := src.put(il{key: "late", name: protocol.Text{"en": "Late object"}}.object(t, testOrigin))
	waitSeq(t, ix, seq)
	stop()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = openShardedIndex(t, dir, 2)
	defer ix.Close()
	if ix.stored.seq != seq {
		t.Fatalf("reopened at seq %d, want %d", ix.stored.seq, seq)
	}
}
