package activity

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// signedDocs are activities as nodes send them, with a jws on the object.
func signedDocs(t testing.TB) [][]byte {
	t.Helper()
	u := testURIs()
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	obj := stored(t, testULID(1), participatoryCanvas(), 1, at, at)
	obj.JWS = []byte(`{"payload":"eyJpc3MiOiJ4In0","signatures":[{"protected":"e30","signature":"AAAA"}]}`)
	create, err := Create(u, testULID(2), obj)
	if err != nil {
		t.Fatal(err)
	}
	v2 := stored(t, testULID(1), participatoryCanvas(), 2, at, at.Add(time.Hour))
	v2.JWS = obj.JWS
	update, err := Update(u, testULID(3), v2)
	if err != nil {
		t.Fatal(err)
	}
	tomb := tombstone(v2, at.Add(2*time.Hour))
	tomb.JWS = obj.JWS
	del, err := Delete(u, testULID(4), tomb)
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{create, update, del}
}

// ParseSigned reads exactly what ParseActivity reads of the fields a
// receiver acts on.
func TestParseSignedAgreesWithParseActivity(t *testing.T) {
	for _, raw := range signedDocs(t) {
		fast, ok, err := ParseSigned(raw)
		if err != nil || !ok {
			t.Fatalf("ParseSigned: ok %v, %v", ok, err)
		}
		full, err := ParseActivity(raw)
		if err != nil {
			t.Fatal(err)
		}
		sameParse(t, fast, full)
	}
}

func sameParse(t testing.TB, fast, full *Activity) {
	t.Helper()
	if fast.ID != full.ID || fast.Type != full.Type || fast.Actor != full.Actor || fast.ObjectID() != full.ObjectID() ||
		!bytes.Equal(fast.Object.JWS, full.Object.JWS) || fast.Object.Type != full.Object.Type {
		t.Fatalf("fast %+v\nfull %+v", fast, full)
	}
	if full.Object.Entry != nil && fast.Object.Entry != nil &&
		(fast.Object.Entry.Version != full.Object.Entry.Version || !fast.Object.Entry.Created.Equal(full.Object.Entry.Created)) {
		t.Fatalf("entry hint: fast %+v, full %+v", fast.Object.Entry.Meta, full.Object.Entry.Meta)
	}
}

func TestParseSignedFallsBack(t *testing.T) {
	docs := signedDocs(t)
	cases := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"a Follow", `{"id":"https://a.example/1","type":"Follow","actor":"https://a.example/actor","object":"https://b.example/actor"}`, false},
		{"an array type", strings.Replace(string(docs[0]), `"type":"Create"`, `"type":["Create"]`, 1), false},
		{"no jws", `{"id":"https://a.example/1","type":"Create","actor":"https://a.example/actor","object":{"id":"https://a.example/o","type":"Note"}}`, false},
		{"an object by reference", `{"id":"https://a.example/1","type":"Delete","actor":"https://a.example/actor","object":"https://a.example/o"}`, false},
		{"not JSON (ParseActivity names it)", `{"id":`, false},
		{"a duplicate key", `{"id":"https://a.example/1","id":"https://a.example/2"}`, true},
		{"a bad actor URL", strings.Replace(string(docs[0]), `"actor":"https://`, `"actor":"ftp://`, 1), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok, err := ParseSigned([]byte(c.raw))
			if ok != c.ok {
				t.Fatalf("ok %v, want %v (err %v)", ok, c.ok, err)
			}
			if ok && err == nil {
				t.Fatalf("accepted: %+v", a)
			}
		})
	}
}

// FuzzParseSigned: never panics; whatever the fast path accepts, the full
// parser accepts too, with the same fields, unless what the full parser
// refuses is the unsigned catalogueEntry (which the fast path only reads as
// a hint, and then drops).
func FuzzParseSigned(f *testing.F) {
	for _, d := range signedDocs(f) {
		f.Add(d)
	}
	f.Add([]byte(`{"id":"https://a.example/1","type":"Create","actor":"https://a.example/actor","object":{"id":"https://a.example/o","type":"Page","jws":{}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ok, err := ParseSigned(raw)
		if !ok || err != nil {
			return
		}
		full, err := ParseActivity(raw)
		if err != nil {
			if strings.Contains(err.Error(), EntryProperty) {
				if e := fast.Object.Entry; e != nil && (e.IRI != fast.Object.ID || e.Version == 0) {
					t.Fatalf("an unusable entry kept as a hint: %+v", e.Meta)
				}
				return
			}
			t.Fatalf("the fast path accepted what ParseActivity refuses: %v", err)
		}
		sameParse(t, fast, full)
	})
}
