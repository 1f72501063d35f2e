package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/storage"
)

// offerFrom builds an Offer by peer asking receiver to co-sign a new draft
// (the peer's signature only).
func offerFrom(t *testing.T, peer *fakePeer, receiver *testNode, n int) []byte {
	t.Helper()
	var ids protocol.ULIDSource
	now := time.Now()
	id := ids.New(now)
	pu := protocol.NewURIs(peer.url)
	body, _ := json.Marshal(interlinkerBody(fmt.Sprintf("draft_%d", n), "Draft", "Bozza"))
	obj := protocol.Object{Meta: protocol.Meta{IRI: pu.Object(id), ID: id, Type: protocol.KindInterlinker, Version: 1,
		Origin: pu.Base(), Key: fmt.Sprintf("draft_%d", n), Created: now, Updated: now}, Body: body}
	rb := receiver.n.PublicURL()
	jws, err := signedobject.Sign(signedobject.Payload{Iss: peer.url, Sub: obj.IRI, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(),
		Jti: id, Ver: 1, Type: string(obj.Type), Cosigners: []string{peer.url, rb}, Body: body},
		signedobject.Signer{EntityID: peer.url, Key: peer.contentKey})
	if err != nil {
		t.Fatal(err)
	}
	obj.JWS = jws
	raw, err := activity.Offer(pu, ids.New(now), obj, receiver.n.uris.Actor(), now)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Issue 10, finding 4: co-sign Offers are bounded: only from a node this
// node's policy trusts or follows, at most MaxOfferJWS each, at most
// CosignQuota pending per origin.
func TestCosignOffersBounded(t *testing.T) {
	r := startFed(t, "127.0.0.44")
	peer := newFakePeer(t, "127.0.0.45")
	inbox := r.n.uris.SharedInbox()
	now := time.Now()

	// Unenrolled (no chain: this node pins no anchor) and not followed.
	peer.post(t, inbox, offerFrom(t, peer, r, 0), now, nil).problem(t, 403, "cosign-untrusted")

	// Oversized: refused before anything is verified or stored.
	big := offerFrom(t, peer, r, 1)
	var m map[string]any
	json.Unmarshal(big, &m)
	m["object"].(map[string]any)["jws"] = map[string]any{"payload": strings.Repeat("A", federation.MaxOfferJWS)}
	big, _ = json.Marshal(m)
	peer.post(t, inbox, big, now, nil).problem(t, 413, "offer-too-large")

	// Followed: taken, up to the quota.
	if err := r.n.live.store().Follows().PutFollowing(t.Context(), storage.Follow{Actor: peer.actor, Inbox: peer.url + "/inbox",
		FollowIRI: r.n.uris.Activity("f1"), State: storage.FollowAccepted, Since: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	for i := range federation.CosignQuota {
		if resp := peer.post(t, inbox, offerFrom(t, peer, r, 10+i), now, nil); resp.status != 202 {
			t.Fatalf("offer %d: %d %s", i, resp.status, resp.body)
		}
	}
	resp := peer.post(t, inbox, offerFrom(t, peer, r, 999), now, nil)
	resp.problem(t, 429, "cosign-quota")
	if resp.header.Get("Retry-After") == "" {
		t.Fatal("a quota refusal without Retry-After")
	}
	reqs := r.do("GET", "/api/v1/cosign/requests", r.token("reader"), "", nil).json(t)
	if items, _ := reqs["items"].([]any); len(items) != federation.CosignQuota {
		t.Fatalf("%d requests listed, want %d", len(items), federation.CosignQuota)
	}
}

// The lists of drafts and co-sign requests take only known statuses.
func TestCosignListsRefuseUnknownStatus(t *testing.T) {
	r := startFed(t, "127.0.0.53")
	tok := r.token("reader")
	for _, path := range []string{"/api/v1/drafts?status=maybe", "/api/v1/cosign/requests?status=maybe", "/api/v1/cosign/requests?status=pending&status=expired"} {
		r.do("GET", path, tok, "", nil).problem(t, 400, "bad-query")
	}
	for _, path := range []string{"/api/v1/drafts?status=published", "/api/v1/cosign/requests?status=expired"} {
		if resp := r.do("GET", path, tok, "", nil); resp.status != 200 {
			t.Fatalf("%s: %d %s", path, resp.status, resp.body)
		}
	}
}
