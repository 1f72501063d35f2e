package search

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func scanSource(t *testing.T, n int) *fakeSource {
	t.Helper()
	src := newFakeSource("e1")
	for i := range n {
		key := fmt.Sprintf("scan-%03d", i)
		src.put(il{key: key, name: map[string]string{"en": "Scan " + key}}.object(t, testOrigin))
	}
	return src
}

// scanInto writes full batches while it scans, and every document reaches
// the index; a shard that fails to take a batch stops the scan with its
// error, and so does the caller giving up (TestMain checks that no writer
// outlives it).
func TestScanInto(t *testing.T) {
	ctx := context.Background()
	src := scanSource(t, 60)
	ix := openIndex(t, t.TempDir(), nil)
	defer ix.Close()

	ss, err := ix.create(filepath.Join(t.TempDir(), "ok"), bulkConfig())
	if err != nil {
		t.Fatal(err)
	}
	bs, n, err := scanInto(ctx, ss, src, 5, ix.addDoc)
	if err != nil || n != 60 {
		t.Fatalf("scan: %d documents, %v", n, err)
	}
	total := uint64(0)
	for i, b := range bs {
		if err := ss.shards[i].Batch(b); err != nil {
			t.Fatal(err)
		}
		c, err := ss.shards[i].DocCount()
		if err != nil {
			t.Fatal(err)
		}
		total += c
	}
	if total != 60 {
		t.Errorf("the shards hold %d documents, want 60", total)
	}
	if err := ss.close(); err != nil {
		t.Fatal(err)
	}

	broken, err := ix.create(filepath.Join(t.TempDir(), "broken"), bulkConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer broken.shards[0].Close() // shard 1 is closed below (a second Close would panic in bleve)
	if err := broken.shards[1].Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := scanInto(ctx, broken, src, 5, ix.addDoc); err == nil || !strings.Contains(err.Error(), "write batch of shard 1") {
		t.Errorf("a shard that refuses its batch: %v", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	src.forEachHook = func(n int) error {
		if n == 20 {
			cancel()
		}
		return nil
	}
	ss2, err := ix.create(filepath.Join(t.TempDir(), "cancelled"), bulkConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ss2.close()
	if _, _, err := scanInto(cctx, ss2, src, 5, ix.addDoc); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled scan: %v", err)
	}
}
