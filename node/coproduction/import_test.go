package coproduction

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/storage"
)

// importer is another node's service, trusting the host's key.
func importer(t *testing.T, host *keySigner) (*Service, *storage.Store) {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	me := newSigner(t, "https://zgz.example")
	return New(Deps{Store: st.Processes(), Queue: st.Queue(), Objects: st, Signer: me, Verify: keyVerifier(host, me), Transport: quiet{},
		URIs: protocol.NewURIs(me.id)}), st
}

func TestImportBundle(t *testing.T) {
	ctx := context.Background()
	host, iri, hst, hsg := benchHost(t, 3)
	bundle, err := host.Export(ctx, iri)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := hst.Processes().Process(ctx, iri)
	s, _ := importer(t, hsg)

	// A bundle with one byte changed is refused, and nothing is kept.
	tampered := strings.Replace(string(bundle), `"payload":"ey`, `"payload":"ez`, 1)
	if tampered == string(bundle) {
		t.Fatal("the bundle has no payload to alter")
	}
	if _, err := s.Import(ctx, []byte(tampered)); !errors.Is(err, cp.ErrHistory) {
		t.Fatalf("a tampered bundle: %v", err)
	}
	if _, err := s.Import(ctx, []byte(`{"format":"interlink-process-bundle/1","process":"`+iri+`","entries":[],"state":{}}`)); !errors.Is(err, cp.ErrInvalid) {
		t.Fatalf("an empty bundle: %v", err)
	}
	if l, _ := s.List(ctx); len(l) != 0 {
		t.Fatalf("a refused bundle left %v", l)
	}

	// Imported: an archive, listed and exported like any other.
	got, err := s.Import(ctx, bundle)
	if err != nil {
		t.Fatal(err)
	}
	if got.Process != iri || got.Local != storage.LocalArchived || got.Added != held.Seq || got.Changes != held.Seq {
		t.Fatalf("import = %+v (host holds %d)", got, held.Seq)
	}
	if l, _ := s.List(ctx); len(l) != 1 || l[0].Local != "archived" || l[0].Changes != held.Seq {
		t.Fatalf("list = %+v", l)
	}
	again, err := s.Export(ctx, iri)
	if err != nil || string(again) != string(bundle) {
		t.Fatalf("the archive exports another bundle (%v)", err)
	}
	if tl, _, err := s.Timeline(ctx, iri, 0, 100); err != nil || uint64(len(tl)) != held.Seq {
		t.Fatalf("timeline: %d items, %v", len(tl), err)
	}

	// The same bundle again: nothing changes.
	if got, err := s.Import(ctx, bundle); err != nil || got.Added != 0 || got.Changes != held.Seq {
		t.Fatalf("import again = %+v, %v", got, err)
	}
	// A longer bundle of the same process extends the archive.
	if _, err := host.Propose(ctx, iri, cp.Change{Op: cp.OpUpdateTask, Item: "t1", Data: mustJSON(map[string]any{"progress": 50})}); err != nil {
		t.Fatal(err)
	}
	longer, _ := host.Export(ctx, iri)
	if got, err := s.Import(ctx, longer); err != nil || got.Added != 1 || got.Changes != held.Seq+1 {
		t.Fatalf("a longer bundle = %+v, %v", got, err)
	}
	// A shorter one (what was held before) is held already.
	if got, err := s.Import(ctx, bundle); err != nil || got.Added != 0 || got.Changes != held.Seq+1 {
		t.Fatalf("the shorter bundle again = %+v, %v", got, err)
	}

	// The archive takes no change.
	if _, err := s.Propose(ctx, iri, cp.Change{Op: cp.OpUpdateTask, Item: "t1", Data: mustJSON(map[string]any{"progress": 60})}); !errors.Is(err, ErrArchived) {
		t.Fatalf("a change on an archive: %v", err)
	}
	// The host holds the live process: it imports no bundle of it.
	if _, err := host.Import(ctx, bundle); !errors.Is(err, ErrHeld) {
		t.Fatalf("the host imports its own process: %v", err)
	}
}

// TestImportConflict: a bundle whose history forks from the one held (the
// same host signed another entry at the same place) is refused, naming the
// entry.
func TestImportConflict(t *testing.T) {
	ctx := context.Background()
	host, iri, hst, hsg := benchHost(t, 2)
	bundle, err := host.Export(ctx, iri)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := importer(t, hsg)
	if _, err := s.Import(ctx, bundle); err != nil {
		t.Fatal(err)
	}
	// Fork: a second copy of the host, holding the history but its last
	// entry, orders another change there, signed by the same host key.
	entries, _, err := hst.Processes().History(ctx, iri, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	k := len(entries)
	p, err := cp.Replay(ctx, keyVerifier(hsg), iri, entries[:k-1])
	if err != nil {
		t.Fatal(err)
	}
	st2, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	rec := storage.ProcessRecord{IRI: iri, Host: hsg.id, Inbox: iri + "/inbox", Local: storage.LocalHost, Name: p.Name, Seq: p.Seq}
	rec.State = mustJSON(p)
	var batch []storage.AppendEntry
	for _, e := range entries[:k-1] {
		batch = append(batch, storage.AppendEntry{JWS: e})
	}
	if err := st2.Processes().Append(ctx, rec, batch, nil, nil); err != nil {
		t.Fatal(err)
	}
	fork := New(Deps{Store: st2.Processes(), Queue: st2.Queue(), Objects: st2, Signer: hsg, Verify: keyVerifier(hsg), Transport: quiet{},
		URIs: protocol.NewURIs(hsg.id)})
	if _, err := fork.Propose(ctx, iri, cp.Change{Op: cp.OpUpdateProcess, Data: mustJSON(map[string]any{"aim": "Another aim"})}); err != nil {
		t.Fatal(err)
	}
	forked, err := fork.Export(ctx, iri)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Import(ctx, forked)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Seq != uint64(k) || ce.Process != iri {
		t.Fatalf("a forked bundle: %v", err)
	}
	if v, _ := s.Get(ctx, iri); v.Process.Aim == "Another aim" {
		t.Fatal("the forked entry replaced the one held")
	}
}
