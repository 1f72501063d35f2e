package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// writeBackup writes a backup of s to a new file in dir.
func writeBackup(t *testing.T, s *Store, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "backup.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Backup(context.Background(), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Size() != n || n == 0 {
		t.Fatalf("Backup reported %d bytes, the file has %d", n, fi.Size())
	}
	return path
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	var mu sync.Mutex
	var stop atomic.Bool
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				mu.Lock()
				o := f.object(t, profile(fmt.Sprintf("w%d-%d", w, i)))
				r := f.object(t, rating(o.IRI, 1+i%5))
				mu.Unlock()
				if _, err := s.Apply(ctx, create(o), create(r)); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					if _, err := s.Apply(ctx, next(t, r, nil)); err != nil {
						t.Error(err)
						return
					}
				}
				written.Add(1)
			}
		})
	}
	for written.Load() < 200 {
		time.Sleep(time.Millisecond)
	}
	path := writeBackup(t, s, t.TempDir())
	stop.Store(true)
	wg.Wait()
	if err := CheckBackup(path); err != nil {
		t.Fatal(err)
	}
	b, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, b)
	if b.Epoch() != s.Epoch() {
		t.Error("a backup is the same lineage until restored")
	}
	// A consistent snapshot: every invariant holds (a torn copy would break
	// counters against objects, or an object against its versions).
	mustVerify(t, b)
	counts, _ := b.Counts(ctx)
	t.Logf("backup holds %d profiles, %d ratings; the store went on to seq %d (backup %d)",
		counts[protocol.KindProblemProfile], counts[protocol.KindRating], s.Seq(), b.Seq())
	if counts[protocol.KindProblemProfile] < 200 || b.Seq() > s.Seq() {
		t.Errorf("backup counts %v, seq %d", counts, b.Seq())
	}
}

func TestCheckBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, Options{NoSync: true})
	catalogue(t, s, 300)
	good := writeBackup(t, s, t.TempDir())
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bolt := func(name string, fn func(tx *bbolt.Tx) error) string {
		p := filepath.Join(dir, name)
		db, err := bbolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	newer := filepath.Join(dir, "newer.db")
	if err := os.WriteFile(newer, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(newer, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bMeta).Put(mSchema, be64(99)) })
	_ = db.Close()
	corrupt := append([]byte(nil), raw...)
	for i := 2 * 4096; i < len(corrupt); i += 7 { // damage the data pages, keep the meta pages
		corrupt[i] ^= 0x5a
	}
	inconsistent := filepath.Join(dir, "inconsistent.db")
	if err := os.WriteFile(inconsistent, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err = bbolt.Open(inconsistent, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bbolt.Tx) error { // lose one index entry
		k, _ := tx.Bucket(bIndex).Cursor().First()
		return tx.Bucket(bIndex).Delete(k)
	})
	_ = db.Close()

	cases := []struct {
		name string
		path string
		ok   bool
	}{
		{"a real backup", good, true},
		{"missing file", filepath.Join(dir, "missing.db"), false},
		{"a directory", dir, false},
		{"not bbolt", file("text.db", []byte("hello, this is not a database")), false},
		{"truncated", file("truncated.db", raw[:len(raw)/3]), false},
		{"damaged pages", file("corrupt.db", corrupt), false},
		{"empty bbolt", bolt("empty.db", func(*bbolt.Tx) error { return nil }), false},
		{"another program's bbolt", bolt("other.db", func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err }), false},
		{"newer schema", newer, false},
		{"inconsistent indexes", inconsistent, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckBackup(c.path)
			if c.ok != (err == nil) {
				t.Fatalf("CheckBackup = %v, want ok=%v", err, c.ok)
			}
			if err != nil {
				t.Log(err)
			}
		})
	}
}

func TestReplaceFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "node.db")
	s, err := Open(dbPath, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	before := f.object(t, profile("before"))
	mustApply(t, s, create(before))
	backup := writeBackup(t, s, t.TempDir()) // another directory: copied in
	after := f.object(t, profile("after"))
	mustApply(t, s, create(after))
	oldEpoch := s.Epoch()

	if err := ReplaceFile(dbPath, backup); !errors.Is(err, ErrLocked) {
		t.Fatalf("ReplaceFile under a running store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceFile(dbPath, bad); !errors.Is(err, ErrIncompatible) {
		t.Fatalf("ReplaceFile with junk: %v", err)
	}
	if err := ReplaceFile(dbPath, backup); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(backup); err != nil {
		t.Errorf("a candidate from another directory should be copied, not moved: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.restore-*"))
	if len(matches) != 0 {
		t.Errorf("staging files left behind: %v", matches)
	}

	s, err = Open(dbPath, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Epoch() == oldEpoch {
		t.Error("the restored database kept the old epoch")
	}
	if _, err := s.Get(ctx, before.IRI); err != nil {
		t.Errorf("restored data missing: %v", err)
	}
	if _, err := s.Get(ctx, after.IRI); !errors.Is(err, ErrNotFound) {
		t.Errorf("data written after the backup survived the restore: %v", err)
	}
	mustVerify(t, s)
	restoredEpoch := s.Epoch()
	second := writeBackup(t, s, dir) // same directory: moved into place
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	prev, err := Open(dbPath+BeforeRestoreSuffix, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prev.Get(ctx, after.IRI); err != nil || prev.Epoch() != oldEpoch {
		t.Errorf("the previous database was not kept: %v", err)
	}
	if err := prev.Close(); err != nil {
		t.Fatal(err)
	}

	if err := ReplaceFile(dbPath, second); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(second); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a same-directory candidate should be moved: %v", err)
	}
	s, err = Open(dbPath, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	if s.Epoch() == restoredEpoch || s.Epoch() == oldEpoch {
		t.Error("each restore must make a new epoch")
	}
	if _, err := s.Get(ctx, before.IRI); err != nil {
		t.Error(err)
	}
}
