package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
				// What is shown to a remote client names no server path.
				var be *BackupError
				if !errors.As(err, &be) || be.Path != c.path || strings.Contains(be.Reason.Error(), dir) {
					t.Fatalf("CheckBackup = %#v, want a *BackupError for %s whose Reason names no path", err, c.path)
				}
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

// A candidate's settings are read without opening it as a store.
func TestReadBackupSetting(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	if err := s.PutSetting(ctx, "identity", []byte(`{"public_url":"https://d.example"}`)); err != nil {
		t.Fatal(err)
	}
	backup := writeBackup(t, s, t.TempDir())
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, setting string
		want                string
		err                 error
	}{
		{"present", backup, "identity", `{"public_url":"https://d.example"}`, nil},
		{"absent", backup, "nope", "", ErrNotFound},
		{"not a database", junk, "identity", "", ErrIncompatible},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadBackupSetting(c.path, c.setting)
			if !errors.Is(err, c.err) || string(got) != c.want {
				t.Fatalf("ReadBackupSetting = %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}

// ReplaceFileWith puts the tokens and settings it is given into the restored
// database, in the same operation as the swap: the local operator's
// credential survives a restore of a backup that lacks it.
func TestReplaceFileWithKeeps(t *testing.T) {
	ctx := context.Background()
	hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	created := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	local := Token{ID: "local", Name: "local-credential", Role: "admin", Hash: hash("local"), Created: created}
	cases := []struct {
		name   string
		backup []Token // the backup's token table
		want   []Token // after the restore, by ID
	}{
		{"the backup lacks it", []Token{{ID: "d1", Name: "ci", Role: "editor", Hash: hash("d1"), Created: created}},
			[]Token{{ID: "d1", Name: "ci", Role: "editor", Hash: hash("d1"), Created: created}, local}},
		{"the backup holds it", []Token{local}, []Token{local}},
		{"the backup holds its ID with another hash", []Token{{ID: "local", Name: "old", Role: "admin", Hash: hash("old"), Created: created}},
			[]Token{local}},
		{"the backup holds its hash under another ID", []Token{{ID: "other", Name: "x", Role: "reader", Hash: hash("local"), Created: created}},
			[]Token{local}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := openTest(t, Options{NoSync: true})
			for _, tok := range c.backup {
				if err := src.Tokens().Put(ctx, tok); err != nil {
					t.Fatal(err)
				}
			}
			if err := src.PutSetting(ctx, "identity", []byte("theirs")); err != nil {
				t.Fatal(err)
			}
			backup := writeBackup(t, src, t.TempDir())
			dbPath := filepath.Join(dir, "node.db")
			cur, err := Open(dbPath, Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			closeOK(t, cur)
			if err := ReplaceFileWith(dbPath, backup, RestoreKeep{Tokens: []Token{local}, Settings: map[string][]byte{"identity": []byte("ours")}}); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dbPath, Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer closeOK(t, s)
			got, err := s.Tokens().List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("tokens %v, want %v", got, c.want)
			}
			for _, tok := range c.want {
				if byHash, err := s.Tokens().ByHash(ctx, tok.Hash); err != nil || byHash.ID != tok.ID {
					t.Fatalf("TokenByHash(%s) = %v, %v", tok.ID, byHash.ID, err)
				}
			}
			if _, err := s.Tokens().ByHash(ctx, hash("old")); !errors.Is(err, ErrNotFound) {
				t.Fatalf("a replaced hash still authenticates: %v", err)
			}
			if v, err := s.GetSetting(ctx, "identity"); err != nil || string(v) != "ours" {
				t.Fatalf("identity %q, %v; want ours", v, err)
			}
			mustVerify(t, s)
		})
	}
}

// A restore signs everyone out: the backup's sessions may have been signed
// out or revoked since it was taken, so none of them comes back; the users
// (and their password hashes) do.
func TestReplaceFileWithEndsSessions(t *testing.T) {
	ctx := context.Background()
	src := openTest(t, Options{NoSync: true})
	ana := mustCreateUser(t, src, newUser("ana"))
	ss := mustCreateSession(t, src, ana.ID, "before the backup")
	backup := writeBackup(t, src, t.TempDir())
	dbPath := filepath.Join(t.TempDir(), "node.db")
	cur, err := Open(dbPath, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	closeOK(t, cur)
	if err := ReplaceFileWith(dbPath, backup, RestoreKeep{}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dbPath, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	if _, err := s.Accounts().Session(ctx, ss.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the backup's session after a restore: %v, want ErrNotFound", err)
	}
	if got, err := s.Accounts().UserSessions(ctx, ana.ID); err != nil || len(got) != 0 {
		t.Fatalf("ana's sessions after a restore: %v, %v; want none", got, err)
	}
	if _, err := s.Accounts().User(ctx, ana.ID); err != nil {
		t.Fatalf("the user after a restore: %v", err)
	}
	if err := s.Accounts().VerifyAccounts(ctx); err != nil {
		t.Fatal(err)
	}
}
