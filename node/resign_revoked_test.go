package node

import (
	"testing"
	"time"
)

// Revoking a content key re-signs, at once, every object the key signed:
// a receiver that first sees the old version after the revocation refuses
// it whatever its iat, so the origin publishes a version signed with the
// active key.
func TestRevokedContentKeyResignsItsObjects(t *testing.T) {
	o := startFed(t, "127.0.0.49")
	editor := o.token("editor")
	iri := o.postJSON("/api/v1/objects", editor, interlinkerBody("resigned_tool", "Tool", "Strumento")).json(t)["iri"].(string)
	kidOf := func() (string, float64) {
		_, obj := o.object(iri)
		v := obj["verification"].(map[string]any)
		return v["signers"].([]any)[0].(map[string]any)["kid"].(string), obj["version"].(float64)
	}
	oldKid, _ := kidOf()
	if r := o.postJSON("/api/v1/trust/keys/rotate", o.admin, map[string]any{"key": "content"}); r.status != 200 {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	if kid, v := kidOf(); kid != oldKid || v != 1 {
		t.Fatalf("a rotation alone re-signed the object: %s v%v", kid, v)
	}
	if r := o.postJSON("/api/v1/trust/keys/revoke", o.admin, map[string]any{"kid": oldKid, "reason": "laptop stolen"}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the object is signed again with the active key", func() bool {
		kid, v := kidOf()
		return kid != oldKid && v == 2
	})
}
