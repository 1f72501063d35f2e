package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"
)

// A schema-5 database gains the co-production buckets; its data stays.
func TestMigrateSchemaV5ToV6(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	v5, err := open(path, Options{NoSync: true}, openConfig{migrations: migrations()[:5]})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	o := f.object(t, profile("kept"))
	mustApply(t, v5, create(o))
	if err := v5.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	if _, err := s.Get(context.Background(), o.IRI); err != nil {
		t.Errorf("data lost: %v", err)
	}
	_ = s.db.View(func(tx *bbolt.Tx) error {
		if v, _ := schemaVersion(tx); v != uint64(len(migrations())) {
			t.Errorf("schema %d", v)
		}
		for _, b := range schemaV6Buckets {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		return nil
	})
}

// Append keeps a process's log gapless and each entry once: the next entry
// goes in, an entry held with the same bytes is a no-op, one with other
// bytes or after a gap is a conflict; the record, state, change index,
// assets and deliveries commit with it.
func TestProcessAppend(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	ps := s.Processes()
	iri := "https://re.example/processes/p1"
	rec := func(seq uint64) ProcessRecord {
		return ProcessRecord{IRI: iri, Host: "https://re.example", Inbox: iri + "/inbox", Local: LocalHost, Seq: seq, State: []byte(`{"seq":` + string(rune('0'+seq)) + `}`)}
	}
	e := func(n string) []AppendEntry {
		return []AppendEntry{{JWS: []byte(`{"e":"` + n + `"}`), Change: "https://re.example/process-changes/" + n}}
	}
	out := []Outbound{{Activity: Activity{IRI: iri + "/history/1/announce", Type: "Announce", Actor: iri, Body: []byte(`{}`)},
		Inboxes: []string{"https://zgz.example/coproduction/inbox"}}}
	if err := ps.Append(ctx, rec(1), e("1"), map[string][]byte{"ab": []byte("file")}, out); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		seq     uint64
		entry   string
		want    error
		wantSeq uint64
	}{
		{"the same entry again", 1, "1", nil, 1},
		{"another entry 1", 1, "x", ErrConflict, 1},
		{"a gap", 3, "3", ErrConflict, 1},
		{"the next", 2, "2", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ps.Append(ctx, rec(tt.seq), e(tt.entry), nil, nil)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			r, err := ps.Process(ctx, iri)
			if err != nil || r.Seq != tt.wantSeq || string(r.State) != string(rec(tt.wantSeq).State) {
				t.Fatalf("record %+v, %v", r, err)
			}
		})
	}
	h, held, err := ps.History(ctx, iri, 0, 10)
	if err != nil || held != 2 || len(h) != 2 || string(h[1]) != `{"e":"2"}` {
		t.Fatalf("history %q %d %v", h, held, err)
	}
	if seq, ok, err := ps.ChangeSeq(ctx, iri, "https://re.example/process-changes/2"); err != nil || !ok || seq != 2 {
		t.Fatalf("change seq %d %v %v", seq, ok, err)
	}
	if b, err := ps.Asset(ctx, "ab"); err != nil || string(b) != "file" {
		t.Fatalf("asset %q %v", b, err)
	}
	if st, err := s.Queue().QueueStats(ctx); err != nil || st["zgz.example:443"].Pending != 1 {
		t.Fatalf("the announcement was not queued with the entry: %+v %v", st, err)
	}
	if l, err := ps.ListProcesses(ctx); err != nil || len(l) != 1 || l[0].State != nil {
		t.Fatalf("list %+v %v", l, err)
	}
}

// A record's standing is one of the known ones: an imported archive is
// kept, an unknown standing refused.
func TestProcessStanding(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	ps := s.Processes()
	for _, tc := range []struct {
		local string
		ok    bool
	}{{LocalArchived, true}, {LocalLeft, true}, {"archive", false}, {"", false}} {
		iri := "https://re.example/processes/p-" + tc.local
		r := ProcessRecord{IRI: iri, Host: "https://re.example", Local: tc.local, Seq: 1, State: []byte(`{}`)}
		err := ps.Append(ctx, r, []AppendEntry{{JWS: []byte(`{"e":1}`)}}, nil, nil)
		if (err == nil) != tc.ok || (!tc.ok && !errors.Is(err, ErrInvalidObject)) {
			t.Fatalf("local %q: %v", tc.local, err)
		}
		if tc.ok {
			if got, err := ps.Process(ctx, iri); err != nil || got.Local != tc.local {
				t.Fatalf("local %q read back as %q: %v", tc.local, got.Local, err)
			}
		}
	}
}
