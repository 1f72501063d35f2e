package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	a := f.object(t, profile("a"))
	b := f.object(t, rating(a.IRI, 3))
	mustApply(t, s, create(a), create(b), next(t, a, profile("a2")))
	mustApply(t, s, next(t, b, nil))
	tok := Token{ID: "t1", Name: "ci", Role: "editor", Hash: hash("secret")}
	if err := s.Tokens().Put(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSetting(ctx, "actor-key", []byte("pem")); err != nil {
		t.Fatal(err)
	}
	epoch, seq := s.Epoch(), s.Seq()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode = %v, %v; want 0600", fi.Mode(), err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	if s.Epoch() != epoch || s.Seq() != seq || len(epoch) != 32 {
		t.Errorf("epoch/seq = %s/%d, want %s/%d", s.Epoch(), s.Seq(), epoch, seq)
	}
	if got, err := s.Get(ctx, a.IRI); err != nil || got.Version != 2 || got.Key != "a2" {
		t.Errorf("a = %+v, %v", got.Meta, err)
	}
	if got, err := s.Get(ctx, b.IRI); err != nil || !got.Deleted {
		t.Errorf("b = %+v, %v", got.Meta, err)
	}
	if got, err := s.Tokens().ByHash(ctx, hash("secret")); err != nil || got.ID != "t1" || got.Role != "editor" || got.Created.IsZero() {
		t.Errorf("token = %+v, %v", got, err)
	}
	if v, err := s.GetSetting(ctx, "actor-key"); err != nil || string(v) != "pem" {
		t.Errorf("setting = %q, %v", v, err)
	}
	if c, _ := s.Counts(ctx); c[protocol.KindProblemProfile] != 1 || c[protocol.KindRating] != 0 {
		t.Errorf("counts = %v", c)
	}
	if s.Size() <= 0 || s.Path() != path {
		t.Errorf("Size %d, Path %s", s.Size(), s.Path())
	}
	mustVerify(t, s)
}

func hash(secret string) []byte { h := sha256.Sum256([]byte(secret)); return h[:] }

func TestChangesSeqChanged(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	if s.Seq() != 0 {
		t.Fatalf("fresh Seq = %d", s.Seq())
	}
	woke := s.Changed()
	select {
	case <-woke:
		t.Fatal("Changed closed before any commit")
	default:
	}
	a, b := f.object(t, profile("a")), f.object(t, profile("b"))
	if seq := mustApply(t, s, create(a), create(b)); seq != 2 || s.Seq() != 2 {
		t.Fatalf("seq = %d, Seq() = %d", seq, s.Seq())
	}
	select {
	case <-woke:
	case <-time.After(5 * time.Second):
		t.Fatal("Changed not closed by a commit")
	}
	woke = s.Changed()
	if err := s.PutSetting(ctx, "x", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
		t.Fatal("a setting write woke change watchers")
	default:
	}
	mustApply(t, s, next(t, a, profile("a2")))
	cases := []struct {
		after uint64
		limit int
		want  []Change
	}{
		{0, 0, []Change{{2, b.IRI}, {3, a.IRI}}}, // a's first change (1) was superseded
		{2, 0, []Change{{3, a.IRI}}},
		{0, 1, []Change{{2, b.IRI}}},
		{3, 0, nil},
		{^uint64(0), 0, nil},
	}
	for _, c := range cases {
		got, err := s.Changes(ctx, c.after, c.limit)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Changes(%d, %d) = %v, %v; want %v", c.after, c.limit, got, err, c.want)
		}
	}
	// A failed write does not advance Seq.
	if _, err := s.Apply(ctx, create(a)); err == nil || s.Seq() != 3 {
		t.Errorf("failed write: %v, Seq %d", err, s.Seq())
	}
}

func TestLockedByAnotherOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	start := time.Now()
	_, err = Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is a node running on this data directory?") || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Open: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the lock timeout took %v", d)
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	// A schema-1 database: the cases below migrate it with made-up versions.
	s, err := open(path, Options{NoSync: true}, openConfig{migrations: migrations()[:1]})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	o := f.object(t, profile("kept"))
	mustApply(t, s, create(o))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	runs := 0
	v2 := func(tx *bbolt.Tx, now time.Time) error {
		runs++
		b, err := tx.CreateBucketIfNotExists([]byte("v2"))
		if err != nil {
			return err
		}
		return b.Put([]byte("migrated"), []byte(now.Format(time.RFC3339)))
	}
	failing := func(tx *bbolt.Tx, _ time.Time) error {
		if _, err := tx.CreateBucket([]byte("half-done")); err != nil {
			return err
		}
		return errors.New("migration bug")
	}
	cases := []struct {
		name   string
		ms     []migration
		want   error
		schema uint64 // after the open
	}{
		{"a failing migration changes nothing", []migration{migrateV1, failing}, nil, 1},
		{"a later migration runs once", []migration{migrateV1, v2}, nil, 2},
		{"and not again", []migration{migrateV1, v2}, nil, 2},
		{"older code refuses the newer database", []migration{migrateV1}, ErrIncompatible, 2},
	}
	for _, c := range cases {
		s, err := open(path, Options{NoSync: true}, openConfig{migrations: c.ms})
		switch {
		case c.name == cases[0].name:
			if err == nil || !strings.Contains(err.Error(), "migration bug") || !strings.Contains(err.Error(), "schema 1 to 2") {
				t.Fatalf("%s: %v", c.name, err)
			}
		case c.want != nil:
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), "schema version 2") {
				t.Fatalf("%s: %v", c.name, err)
			}
		case err != nil:
			t.Fatalf("%s: %v", c.name, err)
		default:
			if _, err := s.Get(ctx, o.IRI); err != nil {
				t.Errorf("%s: data lost: %v", c.name, err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
		db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		_ = db.View(func(tx *bbolt.Tx) error {
			v, _ := schemaVersion(tx)
			if v != c.schema || tx.Bucket([]byte("half-done")) != nil {
				t.Errorf("%s: schema %d (want %d), half-done bucket %v", c.name, v, c.schema, tx.Bucket([]byte("half-done")) != nil)
			}
			return nil
		})
		_ = db.Close()
	}
	if runs != 1 {
		t.Errorf("the v2 migration ran %d times", runs)
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.db")
	db, err := bbolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err })
	_ = db.Close()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 2000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{foreign, garbage} {
		if _, err := Open(p, Options{}); !errors.Is(err, ErrIncompatible) {
			t.Errorf("Open(%s) = %v, want ErrIncompatible", filepath.Base(p), err)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing", "node.db"), Options{}); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true, Now: func() time.Time { return testEpoch }})
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"put", func() error { return s.Tokens().Put(ctx, Token{ID: "a", Name: "ci", Role: "editor", Hash: hash("sa")}) }, nil},
		{"put another", func() error { return s.Tokens().Put(ctx, Token{ID: "b", Role: "admin", Hash: hash("sb")}) }, nil},
		{"a hash belongs to one token", func() error { return s.Tokens().Put(ctx, Token{ID: "c", Role: "reader", Hash: hash("sa")}) }, ErrConflict},
		{"rotate a's secret", func() error {
			return s.Tokens().Put(ctx, Token{ID: "a", Name: "ci", Role: "editor", Hash: hash("sa2")})
		}, nil},
		{"not a sha256", func() error { return s.Tokens().Put(ctx, Token{ID: "d", Role: "reader", Hash: []byte("short")}) }, ErrInvalidObject},
		{"no id", func() error { return s.Tokens().Put(ctx, Token{Role: "reader", Hash: hash("x")}) }, ErrInvalidObject},
		{"no role", func() error { return s.Tokens().Put(ctx, Token{ID: "e", Hash: hash("x")}) }, ErrInvalidObject},
		{"delete b", func() error { return s.Tokens().Delete(ctx, "b") }, nil},
		{"delete b again", func() error { return s.Tokens().Delete(ctx, "b") }, ErrNotFound},
	}
	for _, st := range steps {
		if err := st.do(); (st.want == nil && err != nil) || (st.want != nil && !errors.Is(err, st.want)) {
			t.Fatalf("%s: %v, want %v", st.name, err, st.want)
		}
	}
	lookups := []struct {
		secret string
		id     string // "": not found
	}{{"sa", ""}, {"sa2", "a"}, {"sb", ""}}
	for _, l := range lookups {
		got, err := s.Tokens().ByHash(ctx, hash(l.secret))
		if l.id == "" && !errors.Is(err, ErrNotFound) || l.id != "" && (err != nil || got.ID != l.id) {
			t.Errorf("TokenByHash(%s) = %+v, %v", l.secret, got, err)
		}
	}
	toks, err := s.Tokens().List(ctx)
	if err != nil || len(toks) != 1 || toks[0].ID != "a" || !toks[0].Created.Equal(testEpoch) {
		t.Errorf("Tokens = %+v, %v", toks, err)
	}
	mustVerify(t, s)
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	if _, err := s.GetSetting(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing setting: %v", err)
	}
	for _, v := range []string{"one", "", "three"} {
		if err := s.PutSetting(ctx, "k", []byte(v)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetSetting(ctx, "k"); err != nil || string(got) != v {
			t.Errorf("GetSetting = %q, %v; want %q", got, err, v)
		}
	}
	if err := s.PutSetting(ctx, "", []byte("x")); !errors.Is(err, ErrInvalidObject) {
		t.Errorf("empty name: %v", err)
	}
}

func TestClosedAndCanceled(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	o := f.object(t, profile("p"))

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Apply(canceled, create(o)); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with a canceled context: %v", err)
	}
	if _, err := s.Get(ctx, o.IRI); !errors.Is(err, ErrNotFound) {
		t.Errorf("a canceled Apply was stored: %v", err)
	}
	if _, err := s.Get(canceled, o.IRI); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context: %v", err)
	}

	woke := s.Changed()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
	default:
		t.Error("Close did not wake Changed watchers")
	}
	checks := map[string]error{}
	_, checks["Apply"] = s.Apply(ctx, create(o))
	_, checks["Get"] = s.Get(ctx, o.IRI)
	_, _, checks["List"] = s.List(ctx, ListOptions{})
	checks["PutSetting"] = s.PutSetting(ctx, "x", nil)
	checks["Close"] = s.Close()
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

// TestCloseDrainsQueuedWrites closes the store while writers are queued:
// every Apply either succeeded (and is stored) or reports ErrClosed.
func TestCloseDrainsQueuedWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	objs := make([]protocol.Object, 200)
	for i := range objs {
		objs[i] = f.object(t, profile(fmt.Sprintf("p%d", i)))
	}
	errs := make([]error, len(objs))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range objs {
			_, errs[i] = s.Apply(ctx, create(objs[i]))
		}
	}()
	time.Sleep(5 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	<-done
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	for i, o := range objs {
		_, gerr := s.Get(ctx, o.IRI)
		switch {
		case errs[i] == nil && gerr != nil:
			t.Errorf("acknowledged object %d lost: %v", i, gerr)
		case errs[i] != nil && !errors.Is(errs[i], ErrClosed):
			t.Errorf("object %d: %v", i, errs[i])
		case errs[i] != nil && gerr == nil:
			t.Errorf("object %d reported ErrClosed but was stored", i)
		}
	}
}

func TestForEach(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	var ops []WriteOp
	for i := range 2*forEachPage + 10 {
		ops = append(ops, create(f.object(t, profile(fmt.Sprintf("p%d", i)))))
	}
	mustApply(t, s, ops...)
	mustApply(t, s, next(t, ops[5].Object, nil))
	var seen []string
	tombstones := 0
	err := s.ForEach(ctx, func(o protocol.Object) error {
		seen = append(seen, o.IRI)
		if o.Deleted {
			tombstones++
		}
		// Writing from inside fn must not deadlock (no transaction is held).
		return s.PutSetting(ctx, "last", []byte(o.IRI))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(ops) || tombstones != 1 {
		t.Errorf("ForEach saw %d objects (%d tombstones), want %d (1)", len(seen), tombstones, len(ops))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i-1] >= seen[i] {
			t.Fatalf("ForEach out of order at %d", i)
		}
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.ForEach(ctx, func(protocol.Object) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("ForEach returned %v after %d calls", err, calls)
	}
}

// A token keeps its expiry, and Touch records its last use, never going
// back in time; a deleted token cannot be touched.
func TestTokenExpiryAndLastUsed(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	h := sha256.Sum256([]byte("secret"))
	exp := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Tokens().Put(ctx, Token{ID: "t1", Name: "ci", Role: "editor", Hash: h[:], Expires: exp}); err != nil {
		t.Fatal(err)
	}
	later := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{later, later.Add(-time.Hour)} {
		if err := s.Tokens().Touch(ctx, "t1", at); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Tokens().ByHash(ctx, h[:])
	if err != nil || !got.Expires.Equal(exp) || !got.LastUsed.Equal(later) {
		t.Fatalf("token %+v, %v: want expires %s, last used %s", got, err, exp, later)
	}
	if err := s.Tokens().Delete(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Tokens().Touch(ctx, "t1", later); !errors.Is(err, ErrNotFound) {
		t.Fatalf("touching a deleted token: %v", err)
	}
}
