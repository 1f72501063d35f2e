package node

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/trustchain"

	"github.com/interlink-project/interlink-node/federation/trust"
)

// Key rotation never breaks what was signed before, chains are refreshed
// when their statements expire, and a federation key is trusted only once
// the superior lists it.
func TestKeyRotationAndChainRefresh(t *testing.T) {
	clock := &testClock{t: time.Now()}
	trustNodeAt := func(host, name, role string, hints []string, pins []trustchain.Anchor) *trustNode {
		tn := startNodeClock(t, host, clock.now, func(c *Config) {
			c.Name, c.Country = name, "IT"
			c.Trust.Role, c.Trust.AuthorityHints, c.Trust.Anchors = role, hints, pins
		})
		return &trustNode{testNode: tn, name: name, country: "IT"}
	}
	anchor := trustNodeAt("127.0.0.20", "AgID", trust.RoleAnchor, nil, nil)
	pins := []trustchain.Anchor{anchor.pin(t)}
	origin := trustNodeAt("127.0.0.21", "Comune di Parma", trust.RoleLeaf, []string{anchor.url}, pins)
	anchor.enroll(t, origin, "public_administration", "leaf", nil)

	editor := origin.token("editor")
	first := origin.postJSON("/api/v1/objects", editor, interlinkerBody("before_rotation", "Before", "Prima")).json(t)["iri"].(string)

	// Content key rotation: a new key signs from now on; the old one is
	// listed as retired and what it signed still verifies.
	if r := origin.postJSON("/api/v1/trust/keys/rotate", origin.admin, map[string]any{"key": "content"}); r.status != 200 {
		t.Fatalf("rotate content key: %d %s", r.status, r.body)
	}
	second := origin.postJSON("/api/v1/objects", editor, interlinkerBody("after_rotation", "After", "Dopo")).json(t)["iri"].(string)

	// A node that joins later receives both by backfill, and both verify.
	late := trustNodeAt("127.0.0.22", "Comune di Modena", trust.RoleLeaf, []string{anchor.url}, pins)
	anchor.enroll(t, late, "public_administration", "leaf", nil)
	late.follow(t, origin.testNode)
	for _, iri := range []string{first, second} {
		defer func() {
			if t.Failed() {
				st, o := late.object(iri)
				t.Logf("%s on the late node: %d %v", iri, st, o["verification"])
			}
		}()
		eventually(t, 10*time.Second, iri+" reaches the late node verified", func() bool {
			v := verificationOf(late, iri)
			return v != nil && v["status"] == "verified"
		})
	}
	kid := func(iri string) string {
		return verificationOf(late, iri)["signers"].([]any)[0].(map[string]any)["kid"].(string)
	}
	if kid(first) == kid(second) {
		t.Fatal("both objects were signed with the same content key")
	}

	// A day later every statement has expired: chains are resolved again
	// (fresh statements) and new objects still verify.
	clock.advance(25 * time.Hour)
	third := origin.postJSON("/api/v1/objects", editor, interlinkerBody("next_day", "Next day", "Il giorno dopo")).json(t)["iri"].(string)
	eventually(t, 10*time.Second, "an object made after the statements expired verifies", func() bool {
		v := verificationOf(late, third)
		return v != nil && v["status"] == "verified"
	})

	// Federation key rotation: the next key is published but not trusted
	// until the anchor lists it; promoting it before would break the chain.
	if r := origin.postJSON("/api/v1/trust/keys/rotate", origin.admin, map[string]any{"key": "federation"}); r.status != 200 {
		t.Fatalf("rotate federation key: %d %s", r.status, r.body)
	}
	if ch := origin.chain(t); ch["status"] != "verified" {
		t.Fatalf("chain during the overlap (old key still signing): %v", ch)
	}
	anchor.enroll(t, origin, "public_administration", "leaf", nil) // the anchor now lists both keys
	if r := origin.postJSON("/api/v1/trust/keys/rotate", origin.admin, map[string]any{"key": "federation", "promote": true}); r.status != 200 {
		t.Fatalf("promote federation key: %d %s", r.status, r.body)
	}
	if ch := origin.chain(t); ch["status"] != "verified" {
		t.Fatalf("chain after promotion: %v", ch)
	}
	// The retired federation key is published as a historical key, signed.
	hist := origin.get(entity.HistoricalKeysPath)
	if hist.status != 200 || hist.header.Get("Content-Type") != entity.MediaTypeList {
		t.Fatalf("historical keys: %d %q", hist.status, hist.header.Get("Content-Type"))
	}
	list, err := entity.ParseList(hist.body)
	if err != nil || list.List.Iss != origin.url || len(list.List.Keys) != 1 || list.List.Keys[0].RetiredAt == 0 {
		t.Fatalf("historical keys: %+v, %v", list, err)
	}
	// The anchor lists its subordinates.
	var subs []string
	if r := anchor.get(entity.ListPath); r.status != 200 || json.Unmarshal(r.body, &subs) != nil ||
		!slices.Contains(subs, origin.url) || !slices.Contains(subs, late.url) {
		t.Fatalf("the anchor's subordinate list: %d %s", r.status, r.body)
	}
	late.n.live.trust().Resolver().Invalidate(origin.url)
	fourth := origin.postJSON("/api/v1/objects", editor, interlinkerBody("new_fed_key", "New key", "Nuova chiave")).json(t)["iri"].(string)
	eventually(t, 10*time.Second, "an object after the federation key rotation verifies", func() bool {
		v := verificationOf(late, fourth)
		return v != nil && v["status"] == "verified"
	})

	// Rotating again and promoting without the anchor listing the new key
	// leaves the node without a chain: the anchor's statement decides.
	origin.postJSON("/api/v1/trust/keys/rotate", origin.admin, map[string]any{"key": "federation"})
	if r := origin.postJSON("/api/v1/trust/keys/rotate", origin.admin, map[string]any{"key": "federation", "promote": true}); r.status != 200 {
		t.Fatalf("promote: %d %s", r.status, r.body)
	}
	if ch := origin.chain(t); ch["status"] != "unverified" {
		t.Fatalf("chain signed with a key the anchor does not list: %v", ch)
	}
	// A second promote has nothing to promote.
	origin.postJSON("/api/v1/trust/keys/rotate", origin.admin, map[string]any{"key": "federation", "promote": true}).problem(t, http.StatusConflict, "key-operation")
}
