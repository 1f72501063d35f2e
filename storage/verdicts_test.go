package storage

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

func verdicts(t *testing.T, s *Store) map[string]Verdict {
	t.Helper()
	got := map[string]Verdict{}
	if err := s.ForEachVerdict(context.Background(), func(v Verdict) error {
		if _, dup := got[v.IRI]; dup {
			t.Errorf("%s walked twice", v.IRI)
		}
		got[v.IRI] = v
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// The verdicts bucket follows each object's current version: a signed
// version's verdict, a re-judgement, a newer version, a tombstone (none),
// an unsigned version (none); a walk reads them in pages.
func TestVerdictsFollowTheCurrentVersion(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	var ids protocol.ULIDSource
	exp := testEpoch.Add(90 * 24 * time.Hour)
	signers := []protocol.SignerInfo{{EntityID: remoteOrigin, Kid: "k1", Name: "Comune", Path: []string{remoteOrigin, "http://anchor"}}, {EntityID: "http://127.0.0.3:8080", Kid: "k2"}}
	id := ids.New(testEpoch)
	op := remoteOp(t, id, 1, protocol.KindProblemProfile, profile("judged"))
	op.Object.Verification = &protocol.Verification{Status: protocol.Verified, Signers: signers, Expires: exp, Reason: "", Checked: testEpoch}
	unsigned := remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile("unsigned"))
	mustApply(t, s, op, unsigned)
	iri := op.Object.IRI
	want := Verdict{IRI: iri, Version: 1, Origin: remoteOrigin, Status: protocol.Verified, Expires: exp,
		Signers: []VerdictSigner{{remoteOrigin, "k1"}, {"http://127.0.0.3:8080", "k2"}}}
	if got := verdicts(t, s); len(got) != 1 || !reflect.DeepEqual(got[iri], want) {
		t.Fatalf("after a signed and an unsigned version: %+v, want only %+v", got, want)
	}
	if err := s.SetVerification(ctx, iri, 1, &protocol.Verification{Status: protocol.Invalid, Signers: signers[:1], Reason: "revoked"}); err != nil {
		t.Fatal(err)
	}
	want.Status, want.Signers, want.Expires = protocol.Invalid, want.Signers[:1], time.Time{}
	if got := verdicts(t, s); !reflect.DeepEqual(got[iri], want) {
		t.Fatalf("after re-judging: %+v, want %+v", got[iri], want)
	}
	v2 := remoteOp(t, id, 2, protocol.KindProblemProfile, profile("judged"))
	v2.Object.Verification = &protocol.Verification{Status: protocol.Unverified, Signers: signers[1:]}
	mustApply(t, s, v2)
	want = Verdict{IRI: iri, Version: 2, Origin: remoteOrigin, Status: protocol.Unverified, Signers: []VerdictSigner{{"http://127.0.0.3:8080", "k2"}}}
	if got := verdicts(t, s); !reflect.DeepEqual(got[iri], want) {
		t.Fatalf("after version 2: %+v, want %+v", got[iri], want)
	}
	mustApply(t, s, remoteOp(t, id, 3, protocol.KindProblemProfile, nil))
	if got := verdicts(t, s); len(got) != 0 {
		t.Fatalf("after the tombstone: %+v", got)
	}
	mustVerify(t, s)

	// More than a page of verdicts walks whole, once each.
	var ops []WriteOp
	for i := range forEachPage + 44 {
		op := remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile(string(rune('a'+i%26))+ids.New(testEpoch)))
		op.Object.Verification = &protocol.Verification{Status: protocol.Verified, Signers: signers[:1]}
		ops = append(ops, op)
	}
	mustApply(t, s, ops...)
	if got := verdicts(t, s); len(got) != forEachPage+44 {
		t.Fatalf("walked %d verdicts, want %d", len(got), forEachPage+44)
	}
	mustVerify(t, s)
}

// A schema-7 database gains its verdicts from the records.
func TestMigrateSchemaV7ToV8(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	v7, err := open(path, Options{NoSync: true}, openConfig{migrations: migrations()[:7]})
	if err != nil {
		t.Fatal(err)
	}
	var ids protocol.ULIDSource
	signed := remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile("signed"))
	signed.Object.Verification = &protocol.Verification{Status: protocol.Verified, Signers: []protocol.SignerInfo{{EntityID: remoteOrigin, Kid: "k"}}}
	gone := remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile("gone"))
	gone.Object.Verification = signed.Object.Verification
	mustApply(t, v7, signed, gone, remoteOp(t, ids.New(testEpoch), 1, protocol.KindProblemProfile, profile("unsigned")))
	mustApply(t, v7, remoteOp(t, gone.Object.ID, 2, protocol.KindProblemProfile, nil))
	if err := v7.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	got := verdicts(t, s)
	if len(got) != 1 || got[signed.Object.IRI].Status != protocol.Verified || got[signed.Object.IRI].Signers[0].Kid != "k" {
		t.Fatalf("migrated verdicts: %+v", got)
	}
	mustVerify(t, s)
}

func FuzzDecodeVerdict(f *testing.F) {
	f.Add(encodeVerdict(&Verdict{IRI: "http://127.0.0.2/objects/x", Version: 3, Origin: "http://127.0.0.2", Status: protocol.Verified,
		Expires: testEpoch, Signers: []VerdictSigner{{"http://127.0.0.2", "k1"}}}))
	f.Add(encodeVerdict(&Verdict{}))
	f.Add([]byte{verdictFormat, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeVerdict(b)
		if err != nil {
			return
		}
		again, err := decodeVerdict(encodeVerdict(&v))
		if err != nil || !reflect.DeepEqual(again, v) {
			t.Fatalf("%+v does not round-trip: %+v, %v", v, again, err)
		}
	})
}
