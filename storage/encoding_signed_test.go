package storage

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestRecordSignedRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	base := protocol.Object{Meta: protocol.Meta{IRI: "http://a.test/objects/01J", ID: "01J", Type: protocol.KindInterlinker,
		Version: 2, Origin: "http://a.test", Created: at, Updated: at}, Body: []byte(`{"x":1}`)}
	ver := &protocol.Verification{Status: protocol.Verified, Expires: at.Add(time.Hour), Checked: at,
		Signers: []protocol.SignerInfo{{EntityID: "http://a.test", Name: "Comune", Country: "IT", Anchor: "http://it.test"}}}
	cases := []struct {
		name string
		mod  func(o *protocol.Object)
	}{
		{"unsigned", func(o *protocol.Object) {}},
		{"jws only", func(o *protocol.Object) { o.JWS = []byte(`{"payload":"e30","signatures":[]}`) }},
		{"jws and verification", func(o *protocol.Object) {
			o.JWS = []byte(`{"payload":"e30","signatures":[]}`)
			o.Verification = ver
		}},
		{"remote signed", func(o *protocol.Object) {
			o.Actor, o.Received = "http://b.test/actor", at
			o.JWS, o.Verification = []byte(`{"p":1}`), &protocol.Verification{Status: protocol.Unverified, Reason: "no anchor"}
		}},
		{"tombstone signed", func(o *protocol.Object) {
			o.Deleted, o.Body, o.JWS = true, nil, []byte(`{"t":1}`)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := base
			c.mod(&o)
			rec := encodeRecord(&o)
			got, err := decodeRecord(rec)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, o) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, o)
			}
			meta, err := decodeRecordMeta(rec)
			if err != nil {
				t.Fatal(err)
			}
			if meta.Body != nil || meta.JWS != nil || !reflect.DeepEqual(meta.Verification, o.Verification) {
				t.Fatalf("meta decode: body %q jws %q verification %+v", meta.Body, meta.JWS, meta.Verification)
			}
			// Every truncation is refused or decodes to less, never panics.
			for i := range rec {
				_, _ = decodeRecord(rec[:i])
			}
			if !bytes.Equal(got.Body, o.Body) {
				t.Fatal("body changed")
			}
		})
	}
}
