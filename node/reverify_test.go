package node

import (
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// Stored objects are judged again when their signer's chain changes: what a
// revoked node signed after its revocation becomes invalid on a node that
// had accepted it with a cached chain; what it signed before stays
// verified; an object received unverified becomes verified once its signer
// is enrolled.
func TestReverifyAfterRevocationAndEnrolment(t *testing.T) {
	anchor := startTrustNode(t, "127.0.0.30", "AgID", "IT", "public_administration", trust.RoleAnchor, nil, nil)
	pins := []trustchain.Anchor{anchor.pin(t)}
	origin := startTrustNode(t, "127.0.0.31", "Comune di Bologna", "IT", "public_administration", trust.RoleLeaf, []string{anchor.url}, pins)
	late := startTrustNode(t, "127.0.0.32", "Associazione Bolognina", "IT", "citizen_group", trust.RoleLeaf, []string{anchor.url}, pins)
	r := startTrustNode(t, "127.0.0.33", "Città metropolitana di Bologna", "IT", "public_administration", trust.RoleLeaf, []string{anchor.url}, pins,
		func(c *Config) { c.Trust.Unverified = trust.UnverifiedAccept })
	receiver := r.testNode
	anchor.enroll(t, origin, "public_administration", "leaf", nil)
	anchor.enroll(t, r, "public_administration", "leaf", nil)
	followTrusted(t, r, origin)
	followTrusted(t, r, late)

	before := origin.postJSON("/api/v1/objects", origin.admin, interlinkerBody("before_revocation", "Before", "Prima")).json(t)["iri"].(string)
	eventually(t, 10*time.Second, "the first object arrives verified", func() bool {
		v := verificationOf(r, before)
		return v != nil && v["status"] == "verified"
	})
	time.Sleep(1100 * time.Millisecond) // signatures are dated in whole seconds
	if resp := anchor.postJSON("/api/v1/anchor/subordinates/revoke", anchor.admin, map[string]string{"entity_id": origin.url, "reason": "merged"}); resp.status != 200 {
		t.Fatalf("revoke: %d %s", resp.status, resp.body)
	}
	after := origin.postJSON("/api/v1/objects", origin.admin, interlinkerBody("after_revocation", "After", "Dopo")).json(t)["iri"].(string)
	eventually(t, 10*time.Second, "the second object arrives (judged with the cached chain)", func() bool {
		return verificationOf(r, after) != nil
	})
	// An object from a node not enrolled yet: accepted as unverified (policy accept).
	unenrolled := late.postJSON("/api/v1/objects", late.admin, interlinkerBody("early_bird", "Early", "Presto")).json(t)["iri"].(string)
	eventually(t, 10*time.Second, "the unenrolled node's object arrives unverified", func() bool {
		v := verificationOf(r, unenrolled)
		return v != nil && v["status"] == "unverified"
	})
	anchor.enroll(t, late, "citizen_group", "leaf", nil)

	if _, err := receiver.n.rejudger.Pass(t.Context()); err != nil {
		t.Fatal(err)
	}
	if v := verificationOf(r, after); v["status"] != "invalid" {
		t.Fatalf("signed after the revocation: %v", v)
	}
	if v := verificationOf(r, before); v["status"] != "verified" {
		t.Fatalf("signed before the revocation: %v", v)
	}
	if v := verificationOf(r, unenrolled); v["status"] != "verified" {
		t.Fatalf("signed by a node enrolled since: %v", v)
	}
	// Search sees the new verdicts.
	eventually(t, 5*time.Second, "search shows the invalid object", func() bool {
		got := searchNames(t, receiver, "verified=invalid")
		return len(got) == 1 && got[0] == "after_revocation"
	})
	// A second pass changes nothing.
	if n, err := receiver.n.rejudger.Pass(t.Context()); err != nil || n != 0 {
		t.Fatalf("a second pass: %d changes, %v", n, err)
	}
}
