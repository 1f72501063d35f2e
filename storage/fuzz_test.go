package storage

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// Records and headers are read back from files that may come from a restore
// upload: decoding must never panic and must be stable.

func FuzzDecodeRecord(f *testing.F) {
	fx := newFixture()
	o := fx.object(f, profile("p"))
	f.Add(encodeRecord(&o))
	r := o // a remote version, with provenance (format 2)
	r.Actor, r.Received = "http://127.0.0.2:8080/actor", testEpoch
	f.Add(encodeRecord(&r))
	sg := r // a signed remote version with this node's verification
	sg.JWS = []byte(`{"payload":"e30","signatures":[]}`)
	sg.Verification = &protocol.Verification{Status: protocol.Verified, Signers: []protocol.SignerInfo{{EntityID: "http://127.0.0.2:8080", Country: "IT"}}}
	f.Add(encodeRecord(&sg))
	o.Deleted, o.Body, o.Version = true, nil, 7
	o.Created = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Add(encodeRecord(&o))
	f.Add([]byte{recordFormat, 0, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := decodeRecord(b)
		if err != nil {
			return
		}
		again, err := decodeRecord(encodeRecord(&o))
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if err := sameObject(o, again); err != nil || !reflect.DeepEqual(o.Body, again.Body) ||
			!reflect.DeepEqual(o.JWS, again.JWS) || !reflect.DeepEqual(o.Verification, again.Verification) {
			t.Fatalf("unstable record: %v", err)
		}
	})
}

func FuzzDecodeHeader(f *testing.F) {
	f.Add(encodeHeader(&header{version: 3, seq: 9, postings: []posting{{fieldType, "Interlinker"}, {fieldLanguage, "it"}}}))
	f.Add(encodeHeader(&header{deleted: true, version: 2, seq: 1}))
	f.Add(encodeHeader(&header{version: 1, seq: 1, agg: aggRating, aggTarget: "http://127.0.0.1/objects/x", rating: 4}))
	f.Add([]byte{headerFormat, 0, 1, 1, 0, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHeader(b)
		if err != nil {
			return
		}
		_ = headerDeleted(b)
		again, err := decodeHeader(encodeHeader(&h))
		if err != nil || !reflect.DeepEqual(h, again) {
			t.Fatalf("unstable header: %+v vs %+v (%v)", h, again, err)
		}
	})
}

// FuzzListCursor feeds arbitrary cursors (they come from API clients).
func FuzzListCursor(f *testing.F) {
	s := openTest(f, Options{NoSync: true})
	fx := newFixture()
	var ops []WriteOp
	for _, k := range []string{"a", "b", "c"} {
		ops = append(ops, create(fx.object(f, profile(k))))
	}
	mustApply(f, s, ops...)
	_, next, err := s.List(context.Background(), ListOptions{Limit: 1})
	if err != nil || next == "" {
		f.Fatalf("List: %q, %v", next, err)
	}
	f.Add(next)
	f.Add(encodeCursor(3))
	f.Add(encodeCursor(math.MaxUint64))
	f.Add(encodeIRICursor(ops[2].Object.IRI))
	f.Add("")
	f.Add("aQ")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, c string) {
		items, _, err := s.List(context.Background(), ListOptions{After: c, Filters: map[string][]string{"type": {"ProblemProfile"}}})
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("cursor %q: %v", c, err)
			}
			return
		}
		// The three objects have order numbers 1, 2, 3 and ascending IRIs.
		cur, _ := decodeCursor(c)
		for i, o := range items {
			if (cur.iri != "" && o.IRI <= cur.iri) || (i > 0 && o.IRI <= items[i-1].IRI) {
				t.Fatalf("cursor %q (after %+v) listed %s out of order", c, cur, o.IRI)
			}
		}
		if want := 3 - min(cur.oid, 3); cur.iri == "" && uint64(len(items)) != want {
			t.Fatalf("cursor %q (after %+v) listed %d objects, want %d", c, cur, len(items), want)
		}
	})
}

// FuzzCheckBackup damages a real backup and checks that CheckBackup reports
// it (or accepts it) without crashing: a restore upload is outside input.
func FuzzCheckBackup(f *testing.F) {
	s := openTest(f, Options{NoSync: true})
	fx := newFixture()
	var ops []WriteOp
	for i := range 60 {
		p := profile("p" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
		ops = append(ops, create(fx.object(f, p)))
	}
	mustApply(f, s, ops...)
	// Federation state too, so that damage reaches its buckets.
	mustPutFollower(f, s, peer("127.0.0.3:8080", "a", true, FollowAccepted))
	mustApply(f, s, publishOp(f, fx, "published"))
	mustEnqueue(f, s, sendActivity(f, "follow", "Follow"), "http://127.0.0.4:8080/inbox")
	if _, err := s.ApplyInbound(context.Background(), remoteURIs.Activity("seen")); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.Backup(context.Background(), &buf); err != nil {
		f.Fatal(err)
	}
	base := buf.Bytes()
	f.Add(uint32(0), []byte{0xff})
	f.Add(uint32(4096*2+20), []byte{1, 2, 3, 4})
	f.Add(uint32(4096*3), []byte("corrupt"))
	f.Add(uint32(len(base)-100), []byte{0})
	f.Add(uint32(16), []byte{0, 0, 0, 0, 0, 0, 0, 0})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, off uint32, patch []byte) {
		b := bytes.Clone(base)
		if int(off) < len(b) {
			copy(b[off:], patch)
		} else {
			b = b[:len(b)*int(off%97)/97] // truncate
		}
		p := filepath.Join(dir, "candidate.db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		err := CheckBackup(p)
		if err == nil && !bytes.Equal(b, base) {
			// Accepted damage must still be a usable, consistent database.
			s2, err := Open(p, Options{NoSync: true})
			if err != nil {
				t.Fatalf("CheckBackup accepted a file Open refuses: %v", err)
			}
			defer closeOK(t, s2)
			if err := s2.Verify(context.Background()); err != nil {
				t.Fatalf("CheckBackup accepted an inconsistent file: %v", err)
			}
			if _, err := s2.Counts(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	})
}
