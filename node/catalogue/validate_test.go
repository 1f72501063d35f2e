package catalogue

import (
	"errors"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// An entity built in Go (by a form, a process, a test) is validated like
// a decoded one: nothing that no node could decode is stored. A batch
// names the object at fault.
func TestCreateUpdateImportValidate(t *testing.T) {
	s, _, _, st := newTestService(t)
	ctx := t.Context()
	bad := func() *protocol.Interlinker {
		return &protocol.Interlinker{Type: protocol.KindInterlinker, Key: "tool", Nature: "knowledge",
			Name: protocol.Text{"en": "Tool"}, Description: protocol.Text{"en": "A tool"},
			URI: protocol.Text{"en": "javascript:alert(1)"}}
	}
	var ve *protocol.ValidationError
	if _, err := s.Create(ctx, bad()); !errors.As(err, &ve) || ve.Errors[0].Field != "uri.en" {
		t.Fatalf("Create of an invalid interlinker: %v", err)
	}
	good := bad()
	good.URI = protocol.Text{"en": "https://example.org/tool"}
	obj, err := s.Create(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, obj.ID, bad(), 0); !errors.As(err, &ve) || ve.Errors[0].Field != "uri.en" {
		t.Fatalf("Update to an invalid interlinker: %v", err)
	}
	other := bad()
	other.Key = "other"
	if _, err := s.Import(ctx, []protocol.Entity{good, other}); !errors.As(err, &ve) || !strings.HasPrefix(ve.Errors[0].Field, "objects[1].uri") {
		t.Fatalf("Import with an invalid interlinker: %v", err)
	}
	if cur, err := st.GetByID(ctx, obj.ID); err != nil || cur.Version != 1 {
		t.Fatalf("the stored interlinker changed: %v, %v", cur.Version, err)
	}
}
