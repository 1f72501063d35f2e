package corpus

import (
	"bytes"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// TestObjectsValidAndDeterministic: every object decodes as a valid
// entity, the same index gives the same bytes, and the kinds and
// languages are skewed as documented.
func TestObjectsValidAndDeterministic(t *testing.T) {
	a, b := New(500), New(500)
	kinds, allFour := map[protocol.Kind]int{}, 0
	for i := range 500 {
		x, err := a.Object(i)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := b.Object(i)
		if !bytes.Equal(x.Body, y.Body) || x.IRI != y.IRI {
			t.Fatalf("object %d differs between two runs", i)
		}
		e, err := protocol.DecodeEntity(x.Body)
		if err != nil {
			t.Fatalf("object %d is invalid: %v", i, err)
		}
		kinds[x.Type]++
		if il, ok := e.(*protocol.Interlinker); ok && len(il.Languages) == 4 {
			allFour++
		}
	}
	if kinds[protocol.KindInterlinker] < 350 || kinds[protocol.KindPublicService] < 60 {
		t.Errorf("kinds %v: want about 80%% interlinkers, 20%% public services", kinds)
	}
	if allFour < 200 {
		t.Errorf("%d interlinkers in all four languages, want about 60%%", allFour)
	}
}
