package storage

import (
	"context"
	"crypto/sha256"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// schemaOf reads a closed database's schema version and whether it has
// every schema-2 bucket.
func schemaOf(t *testing.T, path string) (uint64, bool) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v uint64
	all := true
	_ = db.View(func(tx *bbolt.Tx) error {
		v, err = schemaVersion(tx)
		for _, b := range append(append([][]byte{}, schemaV2Buckets...), schemaV3Buckets...) {
			all = all && tx.Bucket(b) != nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, all
}

func TestMigrateSchemaV1DatabaseToV2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	// A database written by the schema-1 code path: objects (created,
	// updated, deleted), a rating aggregate, a token and a setting.
	v1, err := open(path, Options{NoSync: true}, openConfig{migrations: migrations()[:1]})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	kept := f.object(t, profile("kept"))
	updated := f.object(t, profile("updated"))
	gone := f.object(t, profile("gone"))
	mustApply(t, v1, create(kept), create(updated), create(gone))
	upd := next(t, updated, profile("updated-2"))
	mustApply(t, v1, upd, next(t, gone, nil))
	rt := f.object(t, rating(kept.IRI, 4))
	mustApply(t, v1, create(rt))
	hash := sha256.Sum256([]byte("secret"))
	if err := v1.Tokens().Put(ctx, Token{ID: "t1", Name: "admin", Role: "admin", Hash: hash[:]}); err != nil {
		t.Fatal(err)
	}
	if err := v1.PutSetting(ctx, "federation.follow_policy", []byte("manual")); err != nil {
		t.Fatal(err)
	}
	epoch := v1.Epoch()
	if err := v1.Close(); err != nil {
		t.Fatal(err)
	}
	if v, all := schemaOf(t, path); v != 1 || all {
		t.Fatalf("the v1 database has schema %d, federation buckets %v", v, all)
	}
	if err := CheckBackup(path); err != nil {
		t.Fatalf("a schema-1 file is a valid backup to restore and migrate: %v", err)
	}

	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	if s.Epoch() != epoch {
		t.Errorf("the migration changed the epoch")
	}
	for _, want := range []protocol.Object{kept, upd.Object, rt} {
		got, err := s.Get(ctx, want.IRI)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameObject(got, want); err != nil {
			t.Errorf("%s: %v", want.IRI, err)
		}
	}
	if got, err := s.Get(ctx, gone.IRI); err != nil || !got.Deleted {
		t.Errorf("tombstone: %+v, %v", got.Meta, err)
	}
	if a, _ := s.Aggregates(ctx, kept.IRI); a.Ratings != 1 || a.RatingSum != 4 {
		t.Errorf("aggregate %+v", a)
	}
	if tok, err := s.Tokens().ByHash(ctx, hash[:]); err != nil || tok.ID != "t1" {
		t.Errorf("token: %+v, %v", tok, err)
	}
	if v, err := s.GetSetting(ctx, "federation.follow_policy"); err != nil || string(v) != "manual" {
		t.Errorf("setting: %q, %v", v, err)
	}
	mustVerify(t, s)
	// The federation state works on the migrated database.
	mustPutFollower(t, s, peer("127.0.0.3:8080", "a", true, FollowAccepted))
	op := publishOp(t, f, "after-migration")
	mustApply(t, s, op)
	if got := inboxesOf(allDue(t, s), op.Publish.IRI); len(got) != 1 {
		t.Errorf("deliveries %v", got)
	}
	var ids protocol.ULIDSource
	if ok, err := s.ApplyInbound(ctx, remoteURIs.Activity("m1"), remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile("r"))); err != nil || !ok {
		t.Errorf("ApplyInbound: %v, %v", ok, err)
	}
	mustVerify(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, all := schemaOf(t, path); v != uint64(len(migrations())) || !all {
		t.Errorf("after the migration: schema %d, federation and trust buckets %v", v, all)
	}
	if err := CheckBackup(path); err != nil {
		t.Errorf("the migrated file is not a valid backup: %v", err)
	}
}

// Records without provenance keep format 1, byte for byte, so the records
// of a schema-1 database and new local ones are the same; provenance uses
// format 2; both decode.
func TestRecordFormats(t *testing.T) {
	f := newFixture()
	local := f.object(t, profile("fmt"))
	remote := local
	remote.Actor, remote.Received = remoteURIs.Actor(), testEpoch.Add(time.Minute)
	tomb := remote
	tomb.Deleted, tomb.Body, tomb.Received = true, nil, time.Time{}
	for _, c := range []struct {
		name   string
		o      protocol.Object
		format byte
	}{
		{"local", local, recordFormat},
		{"remote", remote, recordFormatProvenance},
		{"remote tombstone with an actor only", tomb, recordFormatProvenance},
	} {
		b := encodeRecord(&c.o)
		if b[0] != c.format {
			t.Errorf("%s: format %d, want %d", c.name, b[0], c.format)
		}
		got, err := decodeRecord(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := sameObject(got, c.o); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		meta, err := decodeRecordMeta(b)
		if err != nil || meta.Actor != c.o.Actor || meta.Body != nil {
			t.Errorf("%s: meta %+v, %v", c.name, meta.Meta, err)
		}
	}
	// A format-1 record written by the previous code (its layout spelled out).
	old := []byte{1, 0, 1}
	old = appendTime(old, testEpoch)
	old = appendTime(old, testEpoch)
	for _, s := range []string{local.IRI, local.ID, "ProblemProfile", testOrigin, "fmt"} {
		old = appendStr(old, s)
	}
	old = append(old, local.Body...)
	got, err := decodeRecord(old)
	if err != nil || got.Actor != "" || !got.Received.IsZero() {
		t.Fatalf("old record: %+v, %v", got.Meta, err)
	}
	if err := sameObject(got, local); err != nil {
		t.Error(err)
	}
}
