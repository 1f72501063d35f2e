package coproduction

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

func TestParseActivity(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		ok     bool
		signed bool
		iri    string
	}{
		{"an announce", `{"type":"Announce","actor":"https://a.example/processes/1","object":{"id":"x","jws":{"payload":"e30"}}}`, true, true, ""},
		{"an invite", `{"type":"Invite","actor":"https://a.example/processes/1","object":"https://a.example/processes/1"}`, true, false, "https://a.example/processes/1"},
		{"an object without jws", `{"type":"Invite","actor":"a","object":{"id":"https://a.example/processes/1"}}`, true, false, "https://a.example/processes/1"},
		{"no actor", `{"type":"Announce","object":"x"}`, false, false, ""},
		{"a number as object", `{"type":"Announce","actor":"a","object":3}`, false, false, ""},
		{"not JSON", `{`, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseActivity([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, cp.ErrInvalid) {
					t.Fatalf("err %v is not ErrInvalid", err)
				}
				return
			}
			if (a.signed != nil) != tt.signed || a.iri != tt.iri {
				t.Fatalf("signed %v iri %q", a.signed != nil, a.iri)
			}
		})
	}
}

func TestRefusal(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   error
	}{
		{409, `{"type":"https://h.example/problems/stale-change","detail":"changed"}`, cp.ErrStale},
		{403, `{"type":"https://h.example/problems/change-forbidden"}`, cp.ErrForbidden},
		{404, `{}`, cp.ErrNotFound},
		{422, `{}`, cp.ErrInvalid},
		{409, `{"type":"https://h.example/problems/not-host"}`, ErrRefused},
		{http.StatusGone, ``, ErrRefused},
	}
	for _, tt := range tests {
		if err := refusal(tt.status, []byte(tt.body)); !errors.Is(err, tt.want) {
			t.Errorf("%d %s: %v, want %v", tt.status, tt.body, err, tt.want)
		}
	}
}

func FuzzParseActivity(f *testing.F) {
	f.Add([]byte(`{"type":"Announce","actor":"https://a.example/processes/1","object":{"id":"x","jws":{"payload":"e30"}}}`))
	f.Add([]byte(`{"type":"Invite","actor":"a","object":"b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseActivity(b)
		if err == nil && (a.Type == "" || a.Actor == "" || (a.signed == nil && a.iri == "" && len(a.Object) == 0)) {
			t.Fatalf("accepted an activity without type, actor or object: %s", b)
		}
	})
}

// TestPreverify: the signatures of a page are checked on every core, and
// the verifier answers from those results, refusals included.
func TestPreverify(t *testing.T) {
	host := newSigner(t, "https://re.example")
	s := New(Deps{Verify: keyVerifier(host), URIs: protocol.NewURIs(host.id)})
	good, err := host.SignVersion(protocol.Object{Meta: protocol.Meta{IRI: "https://re.example/processes/p/history/1", Version: 1,
		Type: protocol.Kind(cp.EntryType)}, Body: []byte(`{"process":"https://re.example/processes/p","seq":1,"change":{}}`)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(bytes.Clone(good), []byte(`"signature":"`), []byte(`"signature":"AA`), 1)
	v := s.preverify(context.Background(), []json.RawMessage{good, bad})
	if _, err := v(context.Background(), good); err != nil {
		t.Fatalf("a good entry: %v", err)
	}
	if _, err := v(context.Background(), bad); err == nil {
		t.Fatal("a bad signature verified")
	}
}
