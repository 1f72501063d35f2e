package activity

import (
	"html"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// sameObject fails unless got is exactly want: meta field by field (times
// with Equal and in UTC) and the body byte for byte.
func sameObject(t *testing.T, got *protocol.Object, want protocol.Object) {
	t.Helper()
	if got == nil {
		t.Fatal("no catalogueEntry came back")
	}
	if !reflect.DeepEqual(got.Meta, want.Meta) {
		t.Errorf("meta:\n got %+v\nwant %+v", got.Meta, want.Meta)
	}
	if string(got.Body) != string(want.Body) {
		t.Errorf("body:\n got %s\nwant %s", got.Body, want.Body)
	}
}

// roundTrip renders obj as an object, a Create/Update (or Delete) and back,
// and checks the domain object survives each way.
func roundTrip(t *testing.T, u protocol.URIs, obj protocol.Object) *Parsed {
	t.Helper()
	raw, err := Object(u, obj)
	if err != nil {
		t.Fatalf("Object: %v", err)
	}
	p, err := ParseObject(raw)
	if err != nil {
		t.Fatalf("ParseObject: %v\n%s", err, raw)
	}
	sameObject(t, p.Entry, obj)
	builders := []func() ([]byte, error){
		func() ([]byte, error) { return Create(u, ulidActivity, obj) },
		func() ([]byte, error) { return Update(u, ulidActivity, obj) },
	}
	if obj.Deleted {
		builders = []func() ([]byte, error){func() ([]byte, error) { return Delete(u, ulidActivity, obj) }}
	}
	for _, build := range builders {
		act, err := build()
		if err != nil {
			t.Fatalf("activity: %v", err)
		}
		a, err := ParseActivity(act)
		if err != nil {
			t.Fatalf("ParseActivity: %v\n%s", err, act)
		}
		if a.Object == nil {
			t.Fatalf("%s: no embedded object", a.Type)
		}
		sameObject(t, a.Object.Entry, obj)
		if a.Actor != u.Actor() || a.ID != u.Activity(ulidActivity) || !a.IsPublic() || a.ObjectID() != obj.IRI {
			t.Errorf("%s: actor %q id %q public %v object %q", a.Type, a.Actor, a.ID, a.IsPublic(), a.ObjectID())
		}
		if !a.Published.Equal(obj.Updated.Truncate(time.Second)) {
			t.Errorf("%s: published %v, want %v", a.Type, a.Published, obj.Updated)
		}
	}
	return p
}

func TestRoundTripEveryKind(t *testing.T) {
	u := testURIs()
	for i, e := range everyKind() {
		t.Run(string(e.Kind()), func(t *testing.T) {
			ulid := testULID(i)
			obj := stored(t, ulid, e, 3, t0, t1)
			p := roundTrip(t, u, obj)
			if p.Type != "Note" || p.AttributedTo != u.Actor() || p.ID != obj.IRI || p.Content == "" || len(p.URLs) == 0 || p.URLs[0] != obj.IRI {
				t.Errorf("AS2 fields: type %q attributedTo %q id %q content %q urls %v", p.Type, p.AttributedTo, p.ID, p.Content, p.URLs)
			}
			if !p.Published.Equal(t0.Truncate(time.Second)) || !p.Updated.Equal(t1) {
				t.Errorf("published %v updated %v", p.Published, p.Updated)
			}
			// Every language of the name opens its contentMap entry.
			idx := e.Index()
			for l, v := range idx.Name {
				if !strings.HasPrefix(p.ContentMap[l], "<p><strong>"+html.EscapeString(collapseSpaces(v))+"</strong></p>") {
					t.Errorf("contentMap[%s] = %q, want it to start with %q", l, p.ContentMap[l], v)
				}
			}
			dead := tombstone(obj, t1.Add(time.Hour))
			tp := roundTrip(t, u, dead)
			if tp.Type != "Tombstone" || tp.FormerType != "Note" || !tp.Deleted.Equal(t1.Add(time.Hour)) {
				t.Errorf("tombstone: type %q formerType %q deleted %v", tp.Type, tp.FormerType, tp.Deleted)
			}
		})
	}
}

func TestRoundTripFourLanguages(t *testing.T) {
	u := testURIs()
	obj := stored(t, ulidObject, participatoryCanvas(), 1, t0, t0)
	p := roundTrip(t, u, obj)
	want := participatoryCanvas()
	for _, l := range []string{"en", "es", "it", "lv"} {
		if !strings.HasPrefix(p.ContentMap[l], "<p><strong>"+html.EscapeString(want.Name[l])+"</strong></p>") {
			t.Errorf("contentMap[%s] = %q, want the name %q first", l, p.ContentMap[l], want.Name[l])
		}
	}
	if !strings.HasPrefix(p.Content, p.ContentMap["en"]) || !strings.Contains(p.Content, "#<span>budget</span>") || p.Summary != "" || p.Name != "" {
		t.Errorf("content %q is not the English one, or a summary %q or name %q is set", p.Content, p.Summary, p.Name)
	}
	if !strings.Contains(p.Content, "<p>A one-page canvas to plan a participatory budgeting cycle with residents: goals, budget, phases &amp; voting rules. Use it in a workshop.</p>") {
		t.Errorf("content lacks the plain text of the HTML description: %q", p.Content)
	}
	wantTags := []string{"participation", "budget", "co_production", "partecipazione", "bilancio", "līdzdalība"}
	if !reflect.DeepEqual(p.Tags, wantTags) {
		t.Errorf("tags %v, want %v", p.Tags, wantTags)
	}
	wantURLs := []string{obj.IRI, "https://participation.example.org/canvas", "https://participation.example.org/it/canvas"}
	if !reflect.DeepEqual(p.URLs, wantURLs) {
		t.Errorf("urls %v, want %v", p.URLs, wantURLs)
	}
	if !reflect.DeepEqual(p.To, []string{Public}) || !reflect.DeepEqual(p.CC, []string{u.Followers()}) {
		t.Errorf("to %v cc %v", p.To, p.CC)
	}
}

// TestRoundTripRealSeed renders every entity of the real INTERLINK seed and
// reads it back.
func TestRoundTripRealSeed(t *testing.T) {
	seed := sharedSeed(t)
	s, err := interlinkfmt.ReadSeed(os.DirFS(seed))
	if err != nil {
		t.Fatal(err)
	}
	var entities []protocol.Entity
	for _, i := range s.Interlinkers {
		entities = append(entities, i)
	}
	for _, p := range s.ProblemProfiles {
		entities = append(entities, p)
	}
	for _, sc := range s.Schemas {
		entities = append(entities, sc)
	}
	if len(entities) < 100 {
		t.Fatalf("only %d entities in the seed", len(entities))
	}
	u := testURIs()
	for i, e := range entities {
		obj := stored(t, testULID(i), e, 1, t0, t0)
		raw, err := Create(u, ulidActivity, obj)
		if err != nil {
			t.Fatalf("%s %s: %v", e.Kind(), e.NaturalKey(), err)
		}
		a, err := ParseActivity(raw)
		if err != nil {
			t.Fatalf("%s %s: %v", e.Kind(), e.NaturalKey(), err)
		}
		sameObject(t, a.Object.Entry, obj)
		if a.Object.Content == "" || a.Object.Summary != "" {
			t.Errorf("%s %s: content %q, summary %q", e.Kind(), e.NaturalKey(), a.Object.Content, a.Object.Summary)
		}
		for l, v := range e.Index().Name {
			if v != "" && l != "und" && !strings.HasPrefix(a.Object.ContentMap[l], "<p><strong>"+html.EscapeString(collapseSpaces(v))+"</strong></p>") {
				t.Errorf("%s %s: contentMap[%s] = %q, want the name %q first", e.Kind(), e.NaturalKey(), l, a.Object.ContentMap[l], v)
			}
		}
	}
}

// sharedSeed returns ../shared/data/interlink-catalogue beside the
// repository root, or skips.
func sharedSeed(t *testing.T) string {
	t.Helper()
	return testenv.Data(t, "interlink-catalogue")
}
