package activity

import (
	"encoding/json"
	"testing"
)

// Nodes before the Note rendering sent catalogue objects as Pages with
// name, summary and content: a node reads them as before (the general
// parser and the signed fast path), and what it sends now reads through
// the general parser alone, which is what those older nodes fall back to
// for anything but a Page.
func TestLegacyPageShapesStillParse(t *testing.T) {
	create := readTestdata(t, "legacy/page_create_interlinker.json")
	a, err := ParseActivity(create)
	if err != nil {
		t.Fatal(err)
	}
	if a.Object == nil || a.Object.Type != "Page" || a.Object.Entry == nil || a.Object.Name == "" {
		t.Fatalf("legacy Create: %+v", a.Object)
	}
	// With a jws, the fast path takes a Page as it takes a Note.
	var m map[string]any
	if err := json.Unmarshal(create, &m); err != nil {
		t.Fatal(err)
	}
	m["object"].(map[string]any)["jws"] = map[string]any{"payload": "e30", "signatures": []any{}}
	signed, _ := json.Marshal(m)
	sa, ok, err := ParseSigned(signed)
	if !ok || err != nil || sa.Object.Type != "Page" || sa.Object.Entry == nil || sa.Object.JWS == nil {
		t.Fatalf("legacy signed Create: ok %v err %v %+v", ok, err, sa)
	}
	for _, f := range []string{"legacy/page_object_interlinker.json", "legacy/page_object_tombstone.json"} {
		p, err := ParseObject(readTestdata(t, f))
		if err != nil || p.Entry == nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// The new shape through the general parser (an older node's path).
	now := readTestdata(t, "golden/create_interlinker.json")
	na, err := ParseActivity(now)
	if err != nil || na.Object.Type != "Note" || na.Object.Entry == nil || na.Object.Content == "" {
		t.Fatalf("Note through the general parser: %v %+v", err, na)
	}
}
