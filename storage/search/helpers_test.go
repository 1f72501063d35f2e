package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// bleve starts its shared analysis workers at package init.
		goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"),
	)
}

var errNotFound = errors.New("fake source: not found")

func isNotFound(err error) bool { return errors.Is(err, errNotFound) }

// fakeSource is an in-memory Source: current objects, a change log, and a
// Changed channel closed at every commit.
type fakeSource struct {
	mu      sync.Mutex
	epoch   string
	seq     uint64
	log     []Change
	objs    map[string]protocol.Object
	changed chan struct{}
	// failGets makes that many Get calls fail with a transient error.
	failGets int
	// forEachHook, when set, is called before each object ForEach yields.
	forEachHook func(n int) error
	forEachRuns int
}

func newFakeSource(epoch string) *fakeSource {
	return &fakeSource{epoch: epoch, objs: map[string]protocol.Object{}, changed: make(chan struct{})}
}

func (s *fakeSource) commitLocked(iris ...string) {
	for _, iri := range iris {
		s.seq++
		s.log = append(s.log, Change{Seq: s.seq, IRI: iri})
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// put stores objects as their new current versions, in one commit.
func (s *fakeSource) put(objs ...protocol.Object) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var iris []string
	for _, o := range objs {
		if old, ok := s.objs[o.IRI]; ok {
			o.Version = old.Version + 1
		} else {
			o.Version = 1
		}
		s.objs[o.IRI] = o
		iris = append(iris, o.IRI)
	}
	s.commitLocked(iris...)
	return s.seq
}

// tombstone marks an object deleted.
func (s *fakeSource) tombstone(iri string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objs[iri]
	o.Deleted, o.Body = true, nil
	o.Version++
	s.objs[iri] = o
	s.commitLocked(iri)
	return s.seq
}

// purge forgets an object entirely (Get then reports not found).
func (s *fakeSource) purge(iri string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objs, iri)
	s.commitLocked(iri)
	return s.seq
}

// restore replaces the whole database, as a restore from backup does.
func (s *fakeSource) restore(epoch string, seq uint64, objs ...protocol.Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch, s.seq, s.log = epoch, seq, nil
	s.objs = map[string]protocol.Object{}
	for _, o := range objs {
		s.objs[o.IRI] = o
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *fakeSource) Seq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

func (s *fakeSource) Epoch() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

func (s *fakeSource) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.log), func(i int) bool { return s.log[i].Seq > after })
	end := min(len(s.log), i+limit)
	return slices.Clone(s.log[i:end]), nil
}

func (s *fakeSource) Get(ctx context.Context, iri string) (protocol.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failGets > 0 {
		s.failGets--
		return protocol.Object{}, errors.New("fake source: disk on fire")
	}
	o, ok := s.objs[iri]
	if !ok {
		return protocol.Object{}, fmt.Errorf("get %s: %w", iri, errNotFound)
	}
	return o, nil
}

func (s *fakeSource) ForEach(ctx context.Context, fn func(protocol.Object) error) error {
	s.mu.Lock()
	s.forEachRuns++
	objs := make([]protocol.Object, 0, len(s.objs))
	for _, o := range s.objs {
		objs = append(objs, o)
	}
	hook := s.forEachHook
	s.mu.Unlock()
	slices.SortFunc(objs, func(a, b protocol.Object) int { return cmpString(a.IRI, b.IRI) })
	for n, o := range objs {
		if hook != nil {
			if err := hook(n); err != nil {
				return err
			}
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeSource) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *fakeSource) rebuilds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.forEachRuns
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

const testOrigin = "https://node.example.org"

// il describes a test interlinker.
type il struct {
	key      string
	nature   protocol.Nature
	name     protocol.Text
	desc     protocol.Text
	tags     protocol.TextList
	langs    []string
	profiles []string
	licence  string
	scopes   []string
}

// object wraps an interlinker into a validated stored object on origin.
func (x il) object(t testing.TB, origin string) protocol.Object {
	t.Helper()
	return entityObject(t, origin, x.key, x.entity())
}

func (x il) entity() *protocol.Interlinker {
	ent := &protocol.Interlinker{
		Type:                 protocol.KindInterlinker,
		Key:                  x.key,
		Nature:               x.nature,
		Name:                 x.name,
		Description:          x.desc,
		Tags:                 x.tags,
		Languages:            x.langs,
		ProblemProfiles:      x.profiles,
		LicenceCategory:      x.licence,
		AdministrativeScopes: x.scopes,
	}
	if ent.Nature == "" {
		ent.Nature = protocol.NatureKnowledge
	}
	if ent.Description == nil {
		ent.Description = protocol.Text{"en": "An interlinker."}
	}
	return ent
}

func entityObject(t testing.TB, origin, id string, ent protocol.Entity) protocol.Object {
	t.Helper()
	obj := makeObject(t, origin, id, ent)
	if _, err := protocol.DecodeEntity(obj.Body); err != nil {
		t.Fatalf("test entity %s is invalid: %v", id, err)
	}
	return obj
}

// makeObject wraps an entity into a stored object without validating it.
func makeObject(t testing.TB, origin, id string, ent protocol.Entity) protocol.Object {
	body, err := protocol.EncodeEntity(ent)
	if err != nil {
		t.Fatalf("encode %s: %v", id, err)
	}
	now := time.Date(2024, 1, 23, 10, 0, 0, 0, time.UTC)
	return protocol.Object{
		Meta: protocol.Meta{
			IRI: origin + "/objects/" + id, ID: id, Type: ent.Kind(), Origin: origin,
			Key: ent.NaturalKey(), Created: now, Updated: now,
		},
		Body: body,
	}
}

func iri(id string) string { return testOrigin + "/objects/" + id }

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func openIndex(t testing.TB, dir string, logs *logBuffer) *Index {
	t.Helper()
	opts := Options{IsNotFound: isNotFound, BatchSize: 7}
	if logs != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	} else {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ix, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return ix
}

// runIndex runs ix.Run against src in the background until the returned
// stop function is called; it waits until the index has caught up.
func runIndex(t testing.TB, ix *Index, src Source) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx, src) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Run returned %v", err)
		}
	}
	t.Cleanup(stop)
	waitSeq(t, ix, src.Seq())
	return stop
}

func waitSeq(t testing.TB, ix *Index, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ix.WaitFor(ctx, seq); err != nil {
		t.Fatalf("WaitFor(%d): %v", seq, err)
	}
}

// ids returns the object ids (last IRI segments) that q finds, in order.
func ids(t testing.TB, ix *Index, q Query) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.IRI[strings.LastIndex(h.IRI, "/")+1:])
	}
	return out
}

// allIDs pages through every match of q.
func allIDs(t testing.TB, ix *Index, q Query) []string {
	t.Helper()
	var out []string
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("pagination does not end")
		}
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", q, err)
		}
		for _, h := range res.Hits {
			out = append(out, h.IRI)
		}
		if res.Next == "" {
			return out
		}
		q.Cursor = res.Next
	}
}
