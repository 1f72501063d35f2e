package activity

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCollectionRoundTrip(t *testing.T) {
	u := testURIs()
	head, err := OrderedCollection(u.Outbox(), 3, u.Outbox()+"?page=1")
	if err != nil {
		t.Fatal(err)
	}
	items, next, err := ParseCollectionPage(head)
	if err != nil || items != nil || next != u.Outbox()+"?page=1" {
		t.Errorf("head: %v %q %v", items, next, err)
	}
	create, err := Create(u, ulidActivity, stored(t, ulidObject, participatoryCanvas(), 1, t0, t0))
	if err != nil {
		t.Fatal(err)
	}
	page, err := OrderedCollectionPage(u.Outbox()+"?page=1", u.Outbox(), u.Outbox()+"?page=2", "",
		append([]json.RawMessage{create}, IRIItems(u.Object(testULID(9)))...))
	if err != nil {
		t.Fatal(err)
	}
	items, next, err = ParseCollectionPage(page)
	if err != nil || next != u.Outbox()+"?page=2" || len(items) != 2 {
		t.Fatalf("page: %d items, next %q, %v", len(items), next, err)
	}
	if string(items[0]) != string(create) {
		t.Error("the embedded activity did not come back byte for byte")
	}
	a, err := ParseActivity(items[0])
	if err != nil || a.Object.Entry == nil {
		t.Fatalf("item 0: %v", err)
	}
	if id, err := ItemID(items[1]); err != nil || id != u.Object(testULID(9)) {
		t.Errorf("item 1: %q %v", id, err)
	}
	if id, err := ItemID(items[0]); err != nil || id != u.Activity(ulidActivity) {
		t.Errorf("item 0 id: %q %v", id, err)
	}
	// An empty last page still has orderedItems.
	last, err := OrderedCollectionPage(u.Outbox()+"?page=2", u.Outbox(), "", u.Outbox()+"?page=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := decodeTree(t, last); m["orderedItems"] == nil {
		t.Errorf("no orderedItems: %s", last)
	}
	if items, next, err := ParseCollectionPage(last); err != nil || len(items) != 0 || next != "" {
		t.Errorf("last page: %v %q %v", items, next, err)
	}
}

func TestCollectionBuildersRefuse(t *testing.T) {
	u := testURIs()
	if _, err := OrderedCollection("/outbox", 1, ""); err == nil {
		t.Error("relative id accepted")
	}
	if _, err := OrderedCollection(u.Outbox(), -1, ""); err == nil {
		t.Error("negative total accepted")
	}
	if _, err := OrderedCollectionPage(u.Outbox(), "", "", "", nil); err == nil {
		t.Error("missing partOf accepted")
	}
	if _, err := OrderedCollectionPage(u.Outbox()+"?page=1", u.Outbox(), "", "", []json.RawMessage{json.RawMessage(`{"a":`)}); err == nil {
		t.Error("invalid item accepted")
	}
}

func TestParseCollectionPeers(t *testing.T) {
	cases := []struct {
		file    string
		ids     []string
		next    string
		isEmpty bool
	}{
		{"mastodon_outbox.json", nil, "https://mastodon.example/users/zaragoza/outbox?page=true", true},
		{"mastodon_outbox_page.json", []string{
			"https://mastodon.example/users/zaragoza/statuses/112233445566778899/activity",
			"https://mastodon.example/users/zaragoza/statuses/112233445566778800/activity",
		}, "https://mastodon.example/users/zaragoza/outbox?max_id=112233445566778800&page=true", false},
		{"gotosocial_outbox_embedded.json", []string{
			"https://gts.example:8443/users/varam/statuses/01HV8Z3K6Q5T0R2M4N7P9S1W3Y/activity",
		}, "https://gts.example:8443/users/varam/outbox?limit=40&max_id=01HV8Z3K6Q5T0R2M4N7P9S1W3Y", false},
		{"followers_inline.json", []string{"https://reggioemilia.interlink.example/actor", "https://gts.example:8443/users/varam"}, "", false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			items, next, err := ParseCollectionPage(readTestdata(t, "peers/"+c.file))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, it := range items {
				id, err := ItemID(it)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			if !reflect.DeepEqual(ids, c.ids) || next != c.next {
				t.Errorf("ids %v next %q", ids, next)
			}
		})
	}
	// The Announce item of the Mastodon page parses as an activity.
	items, _, _ := ParseCollectionPage(readTestdata(t, "peers/mastodon_outbox_page.json"))
	a, err := ParseActivity(items[1])
	if err != nil || a.Type != "Announce" || a.ObjectIRI != "https://reggioemilia.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQR" {
		t.Errorf("%+v %v", a, err)
	}
}

func TestParseCollectionRefuses(t *testing.T) {
	for _, doc := range []string{
		`{"type":"Note","id":"https://a.example/1"}`,
		`{"type":"OrderedCollectionPage","orderedItems":5}`,
		`{"type":"OrderedCollectionPage","orderedItems":[],"next":"/relative"}`,
		`{"type":"OrderedCollectionPage","orderedItems":[],"next":7}`,
		`{"type":"OrderedCollection","first":"javascript:alert(1)"}`,
		`{"type":"OrderedCollection","first":{"type":"OrderedCollection","first":"https://a.example/p"}}`,
		`[]`,
	} {
		if items, next, err := ParseCollectionPage([]byte(doc)); err == nil {
			t.Errorf("%s accepted: %v %q", doc, items, next)
		}
	}
}

func TestOrderedCollectionPageRefusesAnItemThatIsNotJSON(t *testing.T) {
	_, err := OrderedCollectionPage("https://a.example/actor/outbox?page=true", "https://a.example/actor/outbox", "", "",
		[]json.RawMessage{json.RawMessage(`{"ok":true}`), json.RawMessage(`{"broken":`)})
	if err == nil {
		t.Fatal("a page with an item that is not JSON was rendered")
	}
}
