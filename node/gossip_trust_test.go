package node

import (
	"slices"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation/peering"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// Discovery with the real trust layer: members are checked over HTTP and
// JWS (their gossip metadata is only a hint); under follow-trusted a node
// follows the members whose chain ends at an anchor it pins, and only them.
func TestGossipDiscoveryFollowsTrustedMembers(t *testing.T) {
	seed := freeGossipAddr(t, "127.0.0.40")
	gossipOn := func(bind string, seeds []string) func(*Config) {
		return func(c *Config) {
			c.Gossip = GossipConfig{Bind: bind, Seeds: seeds, Keyring: []string{testGossipKey}, Profile: "local", Discovery: DiscoveryFollowTrusted}
		}
	}
	anchor := startTrustNode(t, "127.0.0.40", "AgID", "IT", "public_administration", trust.RoleAnchor, nil, nil, gossipOn(seed, nil))
	pins := []trustchain.Anchor{anchor.pin(t)}
	leaf := func(host, name string) *trustNode {
		return startTrustNode(t, host, name, "IT", "public_administration", trust.RoleLeaf, []string{anchor.url}, pins,
			gossipOn(freeGossipAddr(t, host), []string{seed}))
	}
	// Enrolled after they joined: the first checks find no chain; members
	// without one are checked again every 10 s.
	a := leaf("127.0.0.41", "Comune di Parma")
	b := leaf("127.0.0.42", "Comune di Piacenza")
	stranger := leaf("127.0.0.43", "Not enrolled")
	anchor.enroll(t, a, "public_administration", "leaf", nil)
	anchor.enroll(t, b, "public_administration", "leaf", nil)

	following := func(n *trustNode) []string {
		var out []string
		for _, f := range followings(t, n.testNode, "accepted") {
			out = append(out, f.Actor)
		}
		return out
	}
	eventually(t, 40*time.Second, "the enrolled nodes follow each other through gossip", func() bool {
		return slices.Contains(following(a), b.actor()) && slices.Contains(following(b), a.actor())
	})
	obj := a.postJSON("/api/v1/objects", a.admin, interlinkerBody("gossip_found", "Found by gossip", "Trovato")).json(t)["iri"].(string)
	eventually(t, 10*time.Second, "an object of A reaches B verified without a manual follow", func() bool {
		v := verificationOf(b, obj)
		return v != nil && v["status"] == "verified"
	})
	time.Sleep(2 * peering.ReconcileEvery)
	for _, n := range []*trustNode{a, b} {
		if slices.Contains(following(n), stranger.actor()) {
			t.Fatalf("%s follows a member no anchor vouches for", n.name)
		}
	}
}
