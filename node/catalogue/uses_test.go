package catalogue

import (
	"errors"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// TestUsesOf: the adoptions and ratings of one object, not another's; a
// deleted rating is gone.
func TestUsesOf(t *testing.T) {
	s, _, _, _ := newTestService(t)
	ctx := t.Context()
	mk := func(key string) protocol.Object {
		t.Helper()
		obj, err := s.Create(ctx, &protocol.Interlinker{Type: protocol.KindInterlinker, Key: key, Nature: "knowledge", Name: protocol.Text{"en": "Tool " + key}, Description: protocol.Text{"en": "Helps with " + key}})
		if err != nil {
			t.Fatal(err)
		}
		return obj
	}
	a, b := mk("a"), mk("b")
	for _, e := range []protocol.Entity{
		&protocol.Adoption{Type: protocol.KindAdoption, Object: a.IRI, Organisation: self + "/actor"},
		&protocol.Rating{Type: protocol.KindRating, Object: a.IRI, Organisation: self + "/actor", Value: 4},
		&protocol.Adoption{Type: protocol.KindAdoption, Object: b.IRI, Organisation: "Comune di Prova"},
	} {
		if _, err := s.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	gone, err := s.Create(ctx, &protocol.Rating{Type: protocol.KindRating, Object: a.IRI, Organisation: "Another", Value: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, gone.ID, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		iri                string
		adoptions, ratings int
	}{{a.IRI, 1, 1}, {b.IRI, 1, 0}, {"https://elsewhere.example/objects/x", 0, 0}} {
		u, err := s.UsesOf(ctx, c.iri)
		if err != nil || len(u.Adoptions) != c.adoptions || len(u.Ratings) != c.ratings {
			t.Errorf("%s: %d adoptions %d ratings (%v), want %d %d", c.iri, len(u.Adoptions), len(u.Ratings), err, c.adoptions, c.ratings)
		}
	}
	if got, err := s.ObjectByIRI(ctx, a.IRI); err != nil || got.ID != a.ID {
		t.Fatalf("ObjectByIRI: %v %v", got.ID, err)
	}
	if _, err := s.ObjectByIRI(ctx, "https://elsewhere.example/objects/x"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a missing object: %v", err)
	}
}
