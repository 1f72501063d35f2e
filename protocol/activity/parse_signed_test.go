package activity

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
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
// refuses is a member the fast path does not read (the unsigned
// catalogueEntry, which it only reads as a hint and then drops, the
// addressing, attributedTo, ...: the rendering around the jws).
//
// The seeds are small on purpose. The fuzzing engine minimizes every input
// that reaches new code before it goes on (for up to -fuzzminimizetime, 60 s
// by default), and its minimizer tries removing every range of bytes: O(n²)
// runs of this function for an input of n bytes. With the 5 KB activities
// of signedDocs as seeds, the first new input took the whole of a 20 s run
// (8 to 14 executions reported); TestParseSignedAgreesWithParseActivity
// holds those real documents.
func FuzzParseSigned(f *testing.F) {
	for _, d := range compactSignedDocs {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ok, err := ParseSigned(raw)
		if !ok || err != nil {
			return
		}
		// Only what the fast path accepts pays for the full parser.
		full, err := ParseActivity(raw)
		if err != nil {
			if !refusesOnlyUnread(err) {
				t.Fatalf("the fast path accepted what ParseActivity refuses: %v", err)
			}
			if e := fast.Object.Entry; e != nil && (e.IRI != fast.Object.ID || e.Version == 0) {
				t.Fatalf("an unusable entry kept as a hint: %+v", e.Meta)
			}
			return
		}
		sameParse(t, fast, full)
	})
}

// signedReads are the members ParseSigned reads and returns, as
// ParseActivity names them in its errors.
var signedReads = []string{"id", "type", "actor", "object", "object.id", "object.type", "object.jws"}

// refusesOnlyUnread reports whether err, from ParseActivity, names only
// members that ParseSigned does not read.
func refusesOnlyUnread(err error) bool {
	ve, ok := errors.AsType[*protocol.ValidationError](err)
	if !ok {
		return false // size, syntax, strict JSON: both paths apply the same rules
	}
	for _, fe := range ve.Errors {
		if slices.Contains(signedReads, fe.Field) {
			return false
		}
	}
	return true
}

// TestParseSignedReadsOnlyWhatItReturns: the fast path does not refuse a
// document for a member it does not read, where the full parser does; it
// refuses, or leaves to the full parser, any problem with a member it
// returns.
func TestParseSignedReadsOnlyWhatItReturns(t *testing.T) {
	doc := compactSignedDocs[2] // the one with attributedTo, published and addressing
	cases := []struct {
		name        string
		old, new    string
		fastRefuses bool // ok with an error, or not ok
	}{
		{"attributedTo not a URL", `"attributedTo":"https://a.example/actor"`, `"attributedTo":"A://0"`, false},
		{"id not a URL", `"id":"https://a.example/4"`, `"id":"A://0"`, true},
		{"actor not a URL", `"actor":"https://a.example/actor"`, `"actor":"A://0"`, true},
		{"object id not a URL", `"id":"https://a.example/o"`, `"id":"A://0"`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := []byte(strings.Replace(doc, c.old, c.new, 1))
			if _, err := ParseActivity(raw); err == nil {
				t.Fatalf("ParseActivity accepts %s", raw)
			} else if refusesOnlyUnread(err) == c.fastRefuses {
				t.Errorf("ParseActivity: %v", err)
			}
			a, ok, err := ParseSigned(raw)
			if refused := !ok || err != nil; refused != c.fastRefuses {
				t.Fatalf("ParseSigned = %+v, %v, %v", a, ok, err)
			}
		})
	}
}

// compactSignedDocs are the seeds of FuzzParseSigned: every member the fast
// path reads, and little else.
var compactSignedDocs = []string{
	`{"id":"https://a.example/1","type":"Create","actor":"https://a.example/actor","object":{"id":"https://a.example/o","type":"Page","jws":{}}}`,
	`{"id":"https://a.example/2","type":"Update","actor":"https://a.example/actor","object":{"id":"https://a.example/o","type":"Page","catalogueEntry":{"meta":{"iri":"https://a.example/o","version":2,"created":"2026-11-27T09:00:00Z"}},"jws":{"payload":"e30","signatures":[]}}}`,
	`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/4","type":"Delete","actor":"https://a.example/actor","object":{"id":"https://a.example/o","type":"Tombstone","attributedTo":"https://a.example/actor","published":"2026-11-27T09:00:00Z","jws":{"payload":"e30"}},"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":"https://a.example/f"}`,
	`{"id":"https://a.example/3","type":"Delete","actor":"https://a.example/actor","object":{"id":"https://a.example/o","type":"Tombstone","catalogueEntry":{"meta":{"iri":"https://a.example/o","version":3,"deleted":true}},"jws":{}}}`,
}
