package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestApplyRules(t *testing.T) {
	ctx := context.Background()
	type env struct {
		s *Store
		f *fixture
	}
	cases := []struct {
		name  string
		run   func(t *testing.T, e env) error // the last step; earlier steps must succeed
		want  error                           // errors.Is target; nil: success
		check func(t *testing.T, e env, err error)
	}{
		{"create", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p1"))
			if _, err := e.s.Apply(ctx, create(o)); err != nil {
				return err
			}
			got, err := e.s.Get(ctx, o.IRI)
			if err != nil {
				return err
			}
			if err := sameObject(got, o); err != nil {
				t.Error(err)
			}
			byID, err := e.s.GetByID(ctx, o.ID)
			if err != nil || byID.IRI != o.IRI {
				t.Errorf("GetByID = %v, %v", byID.IRI, err)
			}
			return nil
		}, nil, nil},
		{"update makes the next version, old one kept", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p1"))
			mustApply(t, e.s, create(o))
			op := next(t, o, profile("p1-renamed"))
			mustApply(t, e.s, op)
			got, _ := e.s.Get(ctx, o.IRI)
			if err := sameObject(got, op.Object); err != nil {
				t.Error(err)
			}
			v1, err := e.s.GetVersion(ctx, o.IRI, 1)
			if err := errors.Join(err, sameObject(v1, o)); err != nil {
				t.Error(err)
			}
			ms, err := e.s.Versions(ctx, o.IRI)
			if err != nil || len(ms) != 2 || ms[0].Version != 1 || ms[1].Version != 2 || ms[1].Key != "p1-renamed" {
				t.Errorf("Versions = %+v, %v", ms, err)
			}
			if _, err := e.s.LookupKey(ctx, testOrigin, protocol.KindProblemProfile, "p1"); !errors.Is(err, ErrNotFound) {
				t.Errorf("old key still held: %v", err)
			}
			return nil
		}, nil, nil},
		{"stale update conflicts", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p1"))
			mustApply(t, e.s, create(o), next(t, o, profile("p1")))
			_, err := e.s.Apply(ctx, next(t, o, profile("p1"))) // based on version 1 again
			return err
		}, ErrConflict, func(t *testing.T, e env, err error) {
			var ce *ConflictError
			if !errors.As(err, &ce) || ce.Want != 1 || ce.Have != 2 {
				t.Errorf("want ConflictError{Want 1, Have 2}, got %#v", err)
			}
		}},
		{"create of an existing IRI conflicts", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p1"))
			mustApply(t, e.s, create(o))
			_, err := e.s.Apply(ctx, create(o))
			return err
		}, ErrConflict, func(t *testing.T, e env, err error) {
			var ce *ConflictError
			if !errors.As(err, &ce) || ce.Want != 0 || ce.Have != 1 {
				t.Errorf("want ConflictError{Want 0, Have 1}, got %#v", err)
			}
		}},
		{"update of a missing object conflicts", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p1"))
			_, err := e.s.Apply(ctx, next(t, o, profile("p1")))
			return err
		}, ErrConflict, nil},
		{"version must follow ExpectVersion", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p1"))
			o.Version = 2
			_, err := e.s.Apply(ctx, create(o))
			return err
		}, ErrInvalidObject, nil},
		{"tombstone keeps versions, then gone", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p1"))
			del := next(t, o, nil)
			mustApply(t, e.s, create(o), del)
			got, err := e.s.Get(ctx, o.IRI)
			if err != nil || !got.Deleted || got.Version != 2 || got.Body != nil {
				t.Errorf("Get tombstone = %+v, %v", got.Meta, err)
			}
			if v1, err := e.s.GetVersion(ctx, o.IRI, 1); err != nil || string(v1.Body) != string(o.Body) {
				t.Errorf("version 1 after delete: %v", err)
			}
			if _, err := e.s.Apply(ctx, next(t, del.Object, nil)); !errors.Is(err, ErrGone) {
				t.Errorf("delete twice: %v", err)
			}
			_, err = e.s.Apply(ctx, next(t, del.Object, profile("p1")))
			return err
		}, ErrGone, nil},
		{"natural key is unique per origin and type", func(t *testing.T, e env) error {
			a := e.f.object(t, profile("shared"))
			mustApply(t, e.s, create(a))
			other := e.f.object(t, profile("shared"))
			other.Origin = "https://zaragoza.example" // another origin may use the key
			mustApply(t, e.s, create(other))
			il := e.f.object(t, interlinker("shared", protocol.NatureKnowledge, nil, nil, nil, "")) // another type too
			mustApply(t, e.s, create(il))
			_, err := e.s.Apply(ctx, create(e.f.object(t, profile("shared"))))
			return err
		}, ErrKeyExists, func(t *testing.T, e env, err error) {
			var ke *KeyExistsError
			if !errors.As(err, &ke) || ke.Key != "shared" || ke.Type != protocol.KindProblemProfile || ke.Origin != testOrigin || ke.IRI == "" {
				t.Errorf("want KeyExistsError, got %#v", err)
			}
		}},
		{"a tombstone releases its key", func(t *testing.T, e env) error {
			a := e.f.object(t, profile("k"))
			mustApply(t, e.s, create(a), next(t, a, nil))
			b := e.f.object(t, profile("k"))
			mustApply(t, e.s, create(b))
			iri, err := e.s.LookupKey(ctx, testOrigin, protocol.KindProblemProfile, "k")
			if err != nil || iri != b.IRI {
				t.Errorf("LookupKey = %q, %v; want %s", iri, err, b.IRI)
			}
			return nil
		}, nil, nil},
		{"changing the key releases the old one and claims the new", func(t *testing.T, e env) error {
			a := e.f.object(t, profile("k1"))
			mustApply(t, e.s, create(a), next(t, a, profile("k2")))
			mustApply(t, e.s, create(e.f.object(t, profile("k1"))))
			_, err := e.s.Apply(ctx, create(e.f.object(t, profile("k2"))))
			return err
		}, ErrKeyExists, nil},
		{"type cannot change", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			mustApply(t, e.s, create(o))
			op := next(t, o, interlinker("p", protocol.NatureSoftware, nil, nil, nil, ""))
			op.Object.Type = protocol.KindInterlinker
			_, err := e.s.Apply(ctx, op)
			return err
		}, ErrInvalidObject, nil},
		{"origin cannot change", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			mustApply(t, e.s, create(o))
			op := next(t, o, profile("p"))
			op.Object.Origin = "https://elsewhere.example"
			_, err := e.s.Apply(ctx, op)
			return err
		}, ErrInvalidObject, nil},
		{"id cannot change", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			mustApply(t, e.s, create(o))
			op := next(t, o, profile("p"))
			op.Object.ID = e.f.ids.New(e.f.now)
			_, err := e.s.Apply(ctx, op)
			return err
		}, ErrInvalidObject, nil},
		{"an id names one IRI", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			mustApply(t, e.s, create(o))
			dup := e.f.object(t, profile("q"))
			dup.ID = o.ID
			_, err := e.s.Apply(ctx, create(dup))
			return err
		}, ErrConflict, nil},
		{"invalid entity refused with its validation error", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			o.Body = []byte(`{"type":"ProblemProfile","key":"p","name":{"en":"x"}}`)
			_, err := e.s.Apply(ctx, create(o))
			return err
		}, ErrInvalidObject, func(t *testing.T, e env, err error) {
			var ve *protocol.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("want a *protocol.ValidationError inside, got %v", err)
			}
		}},
		{"envelope type must match the body", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			o.Type = protocol.KindInterlinker
			_, err := e.s.Apply(ctx, create(o))
			return err
		}, ErrInvalidObject, nil},
		{"envelope key must match the body", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			o.Key = "other"
			_, err := e.s.Apply(ctx, create(o))
			return err
		}, ErrInvalidObject, nil},
		{"a tombstone has no body", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			mustApply(t, e.s, create(o))
			op := next(t, o, nil)
			op.Object.Body = o.Body
			_, err := e.s.Apply(ctx, op)
			return err
		}, ErrInvalidObject, nil},
		{"the IRI must be an absolute http(s) URL", func(t *testing.T, e env) error {
			o := e.f.object(t, profile("p"))
			o.IRI = "urn:x:" + o.ID
			_, err := e.s.Apply(ctx, create(o))
			return err
		}, ErrInvalidObject, nil},
		{"no ops", func(t *testing.T, e env) error {
			_, err := e.s.Apply(ctx)
			return err
		}, ErrInvalidObject, nil},
		{"a tombstone may be the first version (a Delete seen before its Create)", func(t *testing.T, e env) error {
			o := e.f.object(t, nil)
			o.Type, o.Deleted = protocol.KindRating, true
			mustApply(t, e.s, create(o))
			_, err := e.s.Apply(ctx, next(t, o, rating(testOrigin+"/objects/x", 3)))
			return err
		}, ErrGone, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := env{s: openTest(t, Options{NoSync: true}), f: newFixture()}
			err := c.run(t, e)
			switch {
			case c.want == nil && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != nil && !errors.Is(err, c.want):
				t.Fatalf("error = %v, want %v", err, c.want)
			}
			if c.check != nil {
				c.check(t, e, err)
			}
			mustVerify(t, e.s)
		})
	}
}

func TestApplyIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	f := newFixture()
	taken := f.object(t, profile("taken"))
	mustApply(t, s, create(taken))
	seq := s.Seq()

	a := f.object(t, profile("a"))
	b := f.object(t, profile("b"))
	ops := []WriteOp{create(a), next(t, a, profile("a2")), create(b), create(f.object(t, profile("taken")))}
	_, err := s.Apply(ctx, ops...)
	if !errors.Is(err, ErrKeyExists) {
		t.Fatalf("want ErrKeyExists from the 4th op, got %v", err)
	}
	for _, iri := range []string{a.IRI, b.IRI} {
		if _, err := s.Get(ctx, iri); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s stored by a failed Apply: %v", iri, err)
		}
	}
	if s.Seq() != seq {
		t.Errorf("seq moved from %d to %d", seq, s.Seq())
	}
	// The same ops without the bad one succeed; ops build on each other.
	last, err := s.Apply(ctx, ops[:3]...)
	if err != nil {
		t.Fatal(err)
	}
	if last != seq+3 {
		t.Errorf("last seq = %d, want %d", last, seq+3)
	}
	if got, _ := s.Get(ctx, a.IRI); got.Version != 2 || got.Key != "a2" {
		t.Errorf("a = %+v", got.Meta)
	}
	// Within one call a tombstone releases a key a later op takes.
	c := f.object(t, profile("c"))
	mustApply(t, s, create(c))
	c2 := f.object(t, profile("c"))
	mustApply(t, s, next(t, c, nil), create(c2))
	mustVerify(t, s)
}

// TestBatchIsolation puts good and bad requests into one transaction and
// checks that only the bad ones fail, including one that fails after writing
// and one that panics.
func TestBatchIsolation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true, MaxBatchDelay: 200 * time.Millisecond})
	f := newFixture()
	dup := f.object(t, profile("dup"))
	mustApply(t, s, create(dup))
	commits := s.Stats().Commits

	type result struct {
		name string
		err  error
	}
	var wg sync.WaitGroup
	results := make(chan result, 16)
	good := make([]protocol.Object, 6)
	for i := range good {
		good[i] = f.object(t, profile(fmt.Sprintf("good%d", i)))
		wg.Go(func() {
			_, err := s.Apply(ctx, create(good[i]))
			results <- result{"good", err}
		})
	}
	wg.Go(func() {
		_, err := s.Apply(ctx, create(f.object(t, profile("dup"))))
		results <- result{"dup", err}
	})
	wg.Go(func() {
		_, err := s.Apply(ctx, next(t, dup, profile("dup")), next(t, dup, profile("dup"))) // second op conflicts
		results <- result{"conflict", err}
	})
	wg.Go(func() {
		_, err := s.submit(ctx, "partial", 1, func(tx *bbolt.Tx) (uint64, error) {
			if err := tx.Bucket(bSettings).Put([]byte("partial"), []byte("x")); err != nil {
				return 0, err
			}
			return 0, &partialError{err: errors.New("failed midway")}
		})
		results <- result{"partial", err}
	})
	wg.Go(func() {
		_, err := s.submit(ctx, "panic", 1, func(tx *bbolt.Tx) (uint64, error) {
			_ = tx.Bucket(bSettings).Put([]byte("panic"), []byte("x"))
			panic("boom")
		})
		results <- result{"panic", err}
	})
	wg.Wait()
	close(results)
	for r := range results {
		switch {
		case r.name == "good" && r.err != nil:
			t.Errorf("a good request failed: %v", r.err)
		case r.name == "dup" && !errors.Is(r.err, ErrKeyExists):
			t.Errorf("dup: %v", r.err)
		case r.name == "conflict" && !errors.Is(r.err, ErrConflict):
			t.Errorf("conflict: %v", r.err)
		case r.name == "partial" && (r.err == nil || r.err.Error() != "failed midway"):
			t.Errorf("partial: %v", r.err)
		case r.name == "panic" && r.err == nil:
			t.Errorf("panic: no error")
		}
	}
	for _, o := range good {
		if _, err := s.Get(ctx, o.IRI); err != nil {
			t.Errorf("good object missing: %v", err)
		}
	}
	for _, name := range []string{"partial", "panic"} {
		if _, err := s.GetSetting(ctx, name); !errors.Is(err, ErrNotFound) {
			t.Errorf("the failed request's write %q survived: %v", name, err)
		}
	}
	if n := s.Stats().Commits - commits; n > 3 {
		t.Errorf("%d commits for 10 concurrent requests with a 200ms batch delay; want them batched", n)
	}
	mustVerify(t, s)
}

// TestCommitFailureFailsTheBatch makes the commit itself fail (the file may
// not grow) and checks that every request of the batch gets the error and
// nothing is stored.
func TestCommitFailureFailsTheBatch(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/node.db"
	s, err := open(path, Options{NoSync: true, MaxBatchDelay: 100 * time.Millisecond}, openConfig{migrations: migrations(), maxSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	f := newFixture()
	big := make(protocol.Text)
	for _, l := range []string{"en", "es", "it", "lv"} {
		big[l] = fmt.Sprintf("%0*d", 3000, 7)
	}
	var wg sync.WaitGroup
	errs := make([]error, 40)
	objs := make([]protocol.Object, len(errs))
	for i := range errs {
		p := profile(fmt.Sprintf("big%d", i))
		p.Description = big
		objs[i] = f.object(t, p)
		wg.Go(func() { _, errs[i] = s.Apply(ctx, create(objs[i])) })
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("480 KB of bodies fit a 64 KB file?")
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, berrors.ErrMaxSizeReached) {
			t.Errorf("a request of a failed commit got %v, want the commit's error", err)
		}
	}
	for i, err := range errs {
		if _, gerr := s.Get(ctx, objs[i].IRI); (err == nil) != (gerr == nil) {
			t.Errorf("object %d: Apply error %v but Get error %v", i, err, gerr)
		}
	}
	mustVerify(t, s)
}

func TestConcurrentApply(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	const writers, each = 64, 8
	f := newFixture()
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	seqs := make(map[uint64]bool)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				mu.Lock()
				o := f.object(t, profile(fmt.Sprintf("w%d-%d", w, i)))
				mu.Unlock()
				seq, err := s.Apply(ctx, create(o))
				if err != nil {
					errs <- err
					return
				}
				op := next(t, o, profile(fmt.Sprintf("w%d-%d-v2", w, i)))
				seq2, err := s.Apply(ctx, op)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if seqs[seq] || seqs[seq2] || seq2 <= seq {
					errs <- fmt.Errorf("sequence numbers %d, %d reused or out of order", seq, seq2)
				}
				seqs[seq], seqs[seq2] = true, true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	counts, err := s.Counts(ctx)
	if err != nil || counts[protocol.KindProblemProfile] != writers*each {
		t.Errorf("counts = %v, %v", counts, err)
	}
	if s.Seq() != 2*writers*each {
		t.Errorf("Seq = %d, want %d", s.Seq(), 2*writers*each)
	}
	st := s.Stats()
	t.Logf("%d requests in %d commits", st.Requests, st.Commits)
	if st.Commits >= st.Requests {
		t.Errorf("no group commit: %+v", st)
	}
	// Every commit writes at least a leaf and a meta page, and a commit of
	// several objects more than a page an object (header, version, change).
	if st.Pages < 2*st.Commits || st.Pages < st.Requests {
		t.Errorf("pages written: %+v", st)
	}
	mustVerify(t, s)
}
