package activity

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// actorParams is the test node's actor.
func actorParams(t testing.TB) ActorParams {
	return ActorParams{
		PreferredUsername: "comune_re",
		Name:              "Comune di Reggio Emilia",
		Summary:           "Servizi pubblici & interlinker del Comune di Reggio Emilia.",
		OrgKind:           string(protocol.OrgPublicAdministration),
		PublicKeyPEM:      string(readTestdata(t, "main-key.pem")),
		Country:           "IT",
	}
}

// checkRules checks a document against the interoperability notes: one
// string type on every node, ids on our origin, Public addressing for
// public activities, the actor's publicKey and explicit
// manuallyApprovesFollowers.
func checkRules(t *testing.T, name string, b []byte) {
	t.Helper()
	u := testURIs()
	doc := decodeTree(t, b)
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if typ, has := x["type"]; has {
				if _, ok := typ.(string); !ok {
					t.Errorf("%s: %s.type is %T, not one string", name, p, typ)
				}
			}
			for k, val := range x {
				if k != "catalogueEntry" { // a literal, not AS2
					walk(p+"."+k, val)
				}
			}
		case []any:
			for _, val := range x {
				walk(p+"[]", val)
			}
		}
	}
	walk("$", doc)
	ctx, _ := doc["@context"].([]any)
	if _, isAS := doc["type"]; isAS && (len(ctx) == 0 || ctx[0] != ASContext) {
		t.Errorf("%s: @context %v does not start with the ActivityStreams context", name, doc["@context"])
	}
	onOrigin := func(field, s string) {
		pu, err := url.Parse(s)
		base, _ := url.Parse(u.Base())
		if err != nil || !protocol.SameOrigin(pu, base) {
			t.Errorf("%s: %s %q is not on %s", name, field, s, u.Base())
		}
	}
	if id, _ := doc["id"].(string); id != "" {
		onOrigin("id", id)
	}
	typ, _ := doc["type"].(string)
	switch typ {
	case "Organization":
		if v, ok := doc["manuallyApprovesFollowers"].(bool); !ok {
			t.Errorf("%s: manuallyApprovesFollowers is %v, not an explicit boolean", name, v)
		}
		pk, _ := doc["publicKey"].(map[string]any)
		if pk["id"] != u.KeyID() || pk["owner"] != u.Actor() || !strings.Contains(pk["publicKeyPem"].(string), "BEGIN PUBLIC KEY") {
			t.Errorf("%s: publicKey %v", name, pk)
		}
		ep, _ := doc["endpoints"].(map[string]any)
		if ep["sharedInbox"] != u.SharedInbox() || doc["inbox"] != u.Actor()+"/inbox" {
			t.Errorf("%s: inbox %v, endpoints %v", name, doc["inbox"], ep)
		}
		if !slices.Contains(ctx, any(SecurityContext)) {
			t.Errorf("%s: no security context", name)
		}
	case "Create", "Update", "Delete", "Announce":
		if doc["actor"] != u.Actor() {
			t.Errorf("%s: actor %v", name, doc["actor"])
		}
		to, _ := doc["to"].([]any)
		if !slices.Contains(to, any(Public)) {
			t.Errorf("%s: to %v does not hold Public", name, to)
		}
		cc, _ := doc["cc"].([]any)
		if !slices.Contains(cc, any(u.Followers())) {
			t.Errorf("%s: cc %v does not hold the followers", name, cc)
		}
		if obj, ok := doc["object"].(map[string]any); ok {
			onOrigin("object.id", obj["id"].(string))
			if obj["attributedTo"] != u.Actor() {
				t.Errorf("%s: object.attributedTo %v", name, obj["attributedTo"])
			}
			if obj["type"] == "Page" {
				to, _ := obj["to"].([]any)
				if !slices.Contains(to, any(Public)) || obj["name"] == nil || obj["url"] == nil {
					t.Errorf("%s: the Page lacks Public addressing, a name or a url: %v", name, obj)
				}
			}
		}
	case "Follow", "Accept", "Reject", "Undo":
		if doc["actor"] != u.Actor() {
			t.Errorf("%s: actor %v", name, doc["actor"])
		}
		if to, _ := doc["to"].([]any); len(to) != 1 {
			t.Errorf("%s: to %v is not the one peer", name, doc["to"])
		}
	}
}

func TestGolden(t *testing.T) {
	u := testURIs()
	canvas := stored(t, ulidObject, participatoryCanvas(), 1, t0, t0)
	canvas2 := canvas
	canvas2.Version, canvas2.Updated = 2, t1
	c2 := participatoryCanvas()
	c2.Name["en"] = "Participatory Budgeting Canvas (2nd edition)"
	canvas2.Body = body(t, c2)
	dead := tombstone(canvas2, t1.Add(3*time.Hour))
	peer := "https://zaragoza.interlink.example/actor"
	peerFollow := FollowRef{ID: "https://zaragoza.interlink.example/activities/01HX2B3C4D5E6F7G8H9J0KMNPS", Actor: peer}
	adoption := stored(t, "01HQ7Z8X9Y0ABCDEFGHJKMNPQX", sampleAdoption(), 1, t1, t1)
	labels := WithLabels(func(iri string) string {
		return map[string]string{
			sampleAdoption().Organisation: "Comune di Reggio Emilia",
			sampleAdoption().Object:       "Zaragoza citizen survey",
		}[iri]
	})
	acct, err := Acct(u, "comune_re")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file  string
		build func() ([]byte, error)
	}{
		{"actor.json", func() ([]byte, error) { return Actor(u, actorParams(t)) }},
		{"object_interlinker.json", func() ([]byte, error) { return Object(u, canvas) }},
		{"object_tombstone.json", func() ([]byte, error) { return Object(u, dead) }},
		{"create_interlinker.json", func() ([]byte, error) { return Create(u, ulidActivity, canvas) }},
		{"update_interlinker.json", func() ([]byte, error) { return Update(u, ulidActivity, canvas2) }},
		{"delete_tombstone.json", func() ([]byte, error) { return Delete(u, ulidActivity, dead) }},
		{"create_adoption.json", func() ([]byte, error) { return Create(u, ulidActivity, adoption, labels) }},
		{"follow.json", func() ([]byte, error) { return Follow(u, ulidFollow, peer, t0) }},
		{"accept_follow.json", func() ([]byte, error) { return Accept(u, ulidActivity, peerFollow, t0) }},
		{"reject_follow.json", func() ([]byte, error) { return Reject(u, ulidActivity, peerFollow, t0) }},
		{"undo_follow.json", func() ([]byte, error) {
			return Undo(u, ulidActivity, FollowRef{ID: u.Activity(ulidFollow), Object: peer}, t1)
		}},
		{"announce.json", func() ([]byte, error) {
			return Announce(u, ulidActivity, "https://zaragoza.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQV", t1, peer)
		}},
		{"outbox.json", func() ([]byte, error) { return OrderedCollection(u.Outbox(), 1, u.Outbox()+"?page=1") }},
		{"outbox_page.json", func() ([]byte, error) {
			create, err := Create(u, ulidActivity, canvas)
			if err != nil {
				return nil, err
			}
			return OrderedCollectionPage(u.Outbox()+"?page=1", u.Outbox(), "", "", []json.RawMessage{create})
		}},
		{"followers_page.json", func() ([]byte, error) {
			return OrderedCollectionPage(u.Followers()+"?page=1", u.Followers(), u.Followers()+"?page=2", "", IRIItems(peer))
		}},
		{"webfinger.json", func() ([]byte, error) { return WebFinger(acct, u.Actor(), u.Base(), u.Base(), u.Actor()) }},
		{"nodeinfo_links.json", func() ([]byte, error) { return NodeInfoLinks(u.NodeInfo(), u.Base()+"/nodeinfo/2.0") }},
		{"nodeinfo.json", func() ([]byte, error) {
			return NodeInfo(NodeInfoParams{Version: "0.3.0", Repository: "https://github.com/interlink-project/interlink-node",
				NodeName: "Comune di Reggio Emilia", Counts: map[protocol.Kind]int{protocol.KindInterlinker: 78, protocol.KindProblemProfile: 45}})
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, got)
			checkRules(t, c.file, got)
		})
	}
}
