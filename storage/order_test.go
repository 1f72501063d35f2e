package storage

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// openSchema6 copies testdata/schema6.db.gz, a database written by the
// schema-6 code (commit 5c3e63f): five problem profiles created, one of them
// updated and one deleted, a rating, and a profile received from
// 127.0.0.2, its index postings keyed by IRI and its headers in format 1.
func openSchema6(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "schema6.db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "node.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A schema-6 database gains order numbers in IRI order, its index is
// rebuilt by them, lists keep their order and their old cursors, and new
// objects come after the old ones.
func TestMigrateSchemaV6ToV7(t *testing.T) {
	ctx := context.Background()
	path := openSchema6(t)
	if v, _ := schemaOf(t, path); v != 6 {
		t.Fatalf("the fixture has schema %d", v)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	mustVerify(t, s)

	all, next, err := s.List(ctx, ListOptions{})
	if err != nil || next != "" {
		t.Fatalf("List: %v (next %q)", err, next)
	}
	var iris []string
	for _, o := range all {
		iris = append(iris, o.IRI)
	}
	if len(iris) != 6 || !slices.IsSorted(iris) {
		t.Fatalf("migrated list: %v, want the six live objects in IRI order", iris)
	}
	profiles, _, err := s.List(ctx, ListOptions{Filters: map[string][]string{"type": {"ProblemProfile"}}})
	if err != nil || len(profiles) != 5 {
		t.Fatalf("problem profiles: %d, %v", len(profiles), err)
	}
	remote, _, err := s.List(ctx, ListOptions{Filters: map[string][]string{"origin": {"http://127.0.0.2:8080"}, "type": {"ProblemProfile"}}})
	if err != nil || len(remote) != 1 || remote[0].IRI != iris[5] {
		t.Fatalf("the received profile by origin and type: %v, %v", remote, err)
	}
	// A cursor handed out by schema 6 ("i" + the last IRI) continues.
	rest, _, err := s.List(ctx, ListOptions{After: encodeIRICursor(iris[2])})
	if err != nil || len(rest) != 3 || rest[0].IRI != iris[3] {
		t.Fatalf("after an old cursor: %d objects, %v", len(rest), err)
	}

	// A new object takes the next number: it lists last, whatever its IRI.
	var ids protocol.ULIDSource
	first := ids.New(testEpoch.Add(-1000 * 24 * time.Hour)) // an IRI that sorts before the other received one
	if ok, err := s.ApplyInbound(ctx, remoteURIs.Activity("m9"), remoteOp(t, first, 1, protocol.KindProblemProfile, profile("old"))); err != nil || !ok {
		t.Fatalf("ApplyInbound: %v, %v", ok, err)
	}
	all, _, err = s.List(ctx, ListOptions{})
	if err != nil || len(all) != 7 || all[6].ID != first {
		t.Fatalf("after a new object: %d objects, %v", len(all), err)
	}
	mustVerify(t, s)
	_ = s.db.View(func(tx *bbolt.Tx) error {
		if v, _ := schemaVersion(tx); v != uint64(len(migrations())) {
			t.Errorf("schema %d", v)
		}
		if n := tx.Bucket(bMeta).Get(mOID); !bytes.Equal(n, be64(8)) {
			t.Errorf("last order number %x, want 8 (seven objects, one of them a tombstone, and the new one)", n)
		}
		return nil
	})
}

// Postings are keyed by order number: the objects of one commit, from
// different origins, share the leaves of each posting list, and the list
// filtered by any field lists them in the order they were stored.
func TestPostingsFollowTheOrderOfStoring(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	var ids protocol.ULIDSource
	var want []string
	for i := range 20 {
		// IRIs alternate between two origins, so IRI order is not the
		// order of storing.
		id := ids.New(testEpoch)
		uris := remoteURIs
		if i%2 == 0 {
			uris = protocol.NewURIs("http://127.0.0.3:8080")
		}
		op := remoteOp(t, id, 1, protocol.KindProblemProfile, profile(id))
		op.Object.IRI, op.Object.Origin, op.Object.Actor = uris.Object(id), uris.Base(), uris.Actor()
		if ok, err := s.ApplyInbound(ctx, uris.Activity("a"+id), op); err != nil || !ok {
			t.Fatalf("ApplyInbound %d: %v, %v", i, ok, err)
		}
		want = append(want, op.Object.IRI)
	}
	for _, filters := range []map[string][]string{nil, {"type": {"ProblemProfile"}}, {"language": {"en"}, "type": {"ProblemProfile"}}} {
		var got []string
		after := ""
		for {
			page, next, err := s.List(ctx, ListOptions{Filters: filters, After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page {
				got = append(got, o.IRI)
			}
			if next == "" {
				break
			}
			after = next
		}
		if !slices.Equal(got, want) {
			t.Errorf("filters %v: listed\n%v\nwant the order of storing\n%v", filters, got, want)
		}
	}
	mustVerify(t, s)
}

// freePages is how many free pages bbolt's freelist holds in the closed
// database at path.
func freePages(t *testing.T, path string) int {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{FreelistType: bbolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Stats().FreePageN
}

// The schema-7 migration rewrites the index and every header in place;
// Open then compacts the file, so that the pages it freed do not stay in
// the freelist that every later commit sorts and writes.
func TestMigrationToV7Compacts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	v6, err := open(path, Options{NoSync: true}, openConfig{migrations: migrations()[:6]})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	var ops []WriteOp
	for i := range 3000 {
		ops = append(ops, create(f.object(t, profile(fmt.Sprintf("p%04d", i)))))
		if len(ops) == 500 {
			mustApply(t, v6, ops...)
			ops = ops[:0]
		}
	}
	if err := v6.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s)
	if all, _, err := s.List(context.Background(), ListOptions{Limit: 1000}); err != nil || len(all) != 1000 {
		t.Fatalf("list after the compaction: %d, %v", len(all), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := freePages(t, path); n > 20 {
		t.Errorf("%d free pages after the migration, want the file compacted", n)
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the compaction's copy is left behind: %v", err)
	}
}

// A compaction that did not finish (the node stopped while it copied)
// leaves meta "compact" and the copy behind: the next Open compacts again
// and the stale copy goes.
func TestInterruptedCompactionRunsAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	mustApply(t, s, create(f.object(t, profile("kept"))))
	if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bMeta).Put(mCompact, []byte{1}) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".compact", []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	mustVerify(t, s)
	_ = s.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bMeta).Get(mCompact) != nil {
			t.Errorf("meta compact is still set after the compaction")
		}
		return nil
	})
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale copy is left behind: %v", err)
	}
}
