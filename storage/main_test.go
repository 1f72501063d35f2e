package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	goleak.VerifyTestMain(m)
}

const testOrigin = "http://127.0.0.1:8080"

var testEpoch = time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)

// fixture makes objects for tests.
type fixture struct {
	ids protocol.ULIDSource
	uri protocol.URIs
	now time.Time
}

func newFixture() *fixture {
	return &fixture{uri: protocol.NewURIs(testOrigin), now: testEpoch}
}

// object returns version 1 of a new object with body e (nil: a tombstone).
// fatalT is the part of testing.TB the builders need (the crash child has no T).
type fatalT interface {
	Helper()
	Fatalf(format string, args ...any)
}

// panicT is a fatalT outside tests.
type panicT struct{}

func (panicT) Helper()                           {}
func (panicT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (f *fixture) object(t fatalT, e protocol.Entity) protocol.Object {
	t.Helper()
	id := f.ids.New(f.now)
	o := protocol.Object{Meta: protocol.Meta{
		IRI: f.uri.Object(id), ID: id, Version: 1, Origin: testOrigin, Created: f.now, Updated: f.now,
	}}
	if e != nil {
		o.Type, o.Key = e.Kind(), e.NaturalKey()
		o.Body = body(t, e)
	}
	return o
}

// next returns the version after o with body e (nil: a tombstone).
func next(t fatalT, o protocol.Object, e protocol.Entity) WriteOp {
	t.Helper()
	n := o
	n.Version++
	n.Updated = o.Updated.Add(time.Second)
	if e == nil {
		n.Deleted, n.Body = true, nil
	} else {
		n.Deleted, n.Key, n.Body = false, e.NaturalKey(), body(t, e)
	}
	return WriteOp{Object: n, ExpectVersion: o.Version}
}

func create(o protocol.Object) WriteOp { return WriteOp{Object: o} }

func body(t fatalT, e protocol.Entity) json.RawMessage {
	t.Helper()
	b, err := protocol.EncodeEntity(e)
	if err != nil {
		t.Fatalf("encode %T: %v", e, err)
	}
	return b
}

func profile(key string) *protocol.ProblemProfile {
	return &protocol.ProblemProfile{Type: protocol.KindProblemProfile, Key: key,
		Name: protocol.Text{"en": "Profile " + key}, Description: protocol.Text{"en": "About " + key}}
}

func rating(target string, v int) *protocol.Rating {
	return &protocol.Rating{Type: protocol.KindRating, Object: target, Organisation: "Comune di Reggio Emilia", Value: v}
}

func adoption(target string) *protocol.Adoption {
	return &protocol.Adoption{Type: protocol.KindAdoption, Object: target, Organisation: "Ayuntamiento de Zaragoza"}
}

func interlinker(key string, nature protocol.Nature, langs, profiles, scopes []string, licence string) *protocol.Interlinker {
	return &protocol.Interlinker{Type: protocol.KindInterlinker, Key: key, Nature: nature,
		Name: protocol.Text{"en": "Interlinker " + key}, Description: protocol.Text{"en": "Does " + key},
		Languages: langs, ProblemProfiles: profiles, AdministrativeScopes: scopes, LicenceCategory: licence}
}

// openTest opens a store in a fresh directory and closes it at cleanup.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeOK(t, s) })
	return s
}

// closeOK closes s unless a test already did.
func closeOK(t testing.TB, s *Store) {
	t.Helper()
	if s.closed.Load() {
		return
	}
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

func mustApply(t testing.TB, s *Store, ops ...WriteOp) uint64 {
	t.Helper()
	seq, err := s.Apply(context.Background(), ops...)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return seq
}

func mustVerify(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// sameObject compares two objects, times with Equal.
func sameObject(a, b protocol.Object) error {
	am, bm := a.Meta, b.Meta
	if !am.Created.Equal(bm.Created) || !am.Updated.Equal(bm.Updated) || !am.Received.Equal(bm.Received) {
		return fmt.Errorf("times differ: %v/%v/%v vs %v/%v/%v", am.Created, am.Updated, am.Received, bm.Created, bm.Updated, bm.Received)
	}
	am.Created, am.Updated, bm.Created, bm.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	am.Received, bm.Received = time.Time{}, time.Time{}
	if am != bm {
		return fmt.Errorf("meta differs: %+v vs %+v", am, bm)
	}
	if string(a.Body) != string(b.Body) {
		return fmt.Errorf("body differs: %s vs %s", a.Body, b.Body)
	}
	return nil
}
