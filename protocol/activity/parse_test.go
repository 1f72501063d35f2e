package activity

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestParseActorPeers(t *testing.T) {
	cases := []struct {
		file string
		want RemoteActor
	}{
		{"mastodon_actor.json", RemoteActor{
			ID: "https://mastodon.example/users/zaragoza", Type: "Person", Types: []string{"Person"},
			PreferredUsername: "zaragoza", Name: "Ayuntamiento de Zaragoza",
			Summary: "<p>Cuenta oficial del Ayuntamiento de Zaragoza.</p>", URL: "https://mastodon.example/@zaragoza",
			Inbox: "https://mastodon.example/users/zaragoza/inbox", SharedInbox: "https://mastodon.example/inbox",
			Outbox: "https://mastodon.example/users/zaragoza/outbox", Followers: "https://mastodon.example/users/zaragoza/followers",
			Following: "https://mastodon.example/users/zaragoza/following",
			KeyID:     "https://mastodon.example/users/zaragoza#main-key", KeyOwner: "https://mastodon.example/users/zaragoza",
			PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvFNz7hVxwKLoraiD1Dn7\n-----END PUBLIC KEY-----\n",
		}},
		{"gotosocial_actor.json", RemoteActor{
			ID: "https://gts.example:8443/users/varam", Type: "Service", Types: []string{"Service"},
			PreferredUsername: "varam", Name: "VARAM",
			Summary: "<p>Vides aizsardzības un reģionālās attīstības ministrija</p>", URL: "https://gts.example:8443/@varam",
			Inbox: "https://gts.example:8443/users/varam/inbox", SharedInbox: "https://gts.example:8443/sharedInbox",
			Outbox: "https://gts.example:8443/users/varam/outbox", Followers: "https://gts.example:8443/users/varam/followers",
			Following: "https://gts.example:8443/users/varam/following",
			KeyID:     "https://gts.example:8443/users/varam/main-key", KeyOwner: "https://gts.example:8443/users/varam",
			PublicKeyPEM:     "-----BEGIN PUBLIC KEY-----\nMIIBCgKCAQEA0\n-----END PUBLIC KEY-----\n",
			ManuallyApproves: true,
		}},
		{"fedbox_actor.json", RemoteActor{
			ID: "https://fedbox.example/actors/4a1f9c", Type: "Group", Types: []string{"Group"},
			PreferredUsername: "civic-lab", Name: "civic-lab",
			Inbox: "https://fedbox.example/actors/4a1f9c/inbox", Outbox: "https://fedbox.example/actors/4a1f9c/outbox",
			Followers: "https://fedbox.example/actors/4a1f9c/followers", Following: "https://fedbox.example/actors/4a1f9c/following",
			KeyID: "https://fedbox.example/actors/4a1f9c#main", KeyOwner: "https://fedbox.example/actors/4a1f9c",
			PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----",
		}},
		{"actor_key_array.json", RemoteActor{
			ID: "https://php.example/profile/comune", Type: "Service", Types: []string{"Service", "schema:Organization"},
			PreferredUsername: "comune", Name: "Municipality of Parma",
			Inbox: "https://php.example/inbox/comune", Outbox: "https://php.example/outbox/comune",
			KeyID: "https://php.example/profile/comune#main-key", KeyOwner: "https://php.example/profile/comune",
			PublicKeyPEM: "MINE", ManuallyApproves: true,
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := ParseActor(readTestdata(t, "peers/"+c.file))
			if err != nil {
				t.Fatal(err)
			}
			// Every embedded key is listed; the one the actor owns is also
			// KeyID, KeyOwner and PublicKeyPEM.
			if k, ok := FindKey(got.Keys, c.want.KeyID); !ok || k.Owner != c.want.KeyOwner || k.PEM != c.want.PublicKeyPEM || !got.NamesKey(c.want.KeyID) {
				t.Errorf("keys %+v lack %s", got.Keys, c.want.KeyID)
			}
			if c.file == "actor_key_array.json" && len(got.Keys) != 2 {
				t.Errorf("keys %+v, want both", got.Keys)
			}
			got.Keys, got.KeyRefs = nil, nil
			if !reflect.DeepEqual(*got, c.want) {
				t.Errorf("\n got %+v\nwant %+v", *got, c.want)
			}
		})
	}
}

func TestParseActorOwn(t *testing.T) {
	u := testURIs()
	for _, manual := range []bool{false, true} {
		p := actorParams(t)
		p.ManuallyApprovesFollowers = manual
		raw, err := Actor(u, p)
		if err != nil {
			t.Fatal(err)
		}
		a, err := ParseActor(raw)
		if err != nil {
			t.Fatal(err)
		}
		want := RemoteActor{ID: u.Actor(), Type: "Organization", Types: []string{"Organization"}, PreferredUsername: "comune_re",
			Name: "Comune di Reggio Emilia", Summary: "<p>Servizi pubblici &amp; interlinker del Comune di Reggio Emilia.</p>",
			URL: u.Base(), Inbox: u.Inbox(), SharedInbox: u.SharedInbox(), Outbox: u.Outbox(), Followers: u.Followers(),
			Following: u.Following(), KeyID: u.KeyID(), KeyOwner: u.Actor(), PublicKeyPEM: p.PublicKeyPEM,
			ManuallyApproves: manual, OrgKind: "public_administration", Country: "IT",
			Keys: []PublicKey{{ID: u.KeyID(), Owner: u.Actor(), PEM: p.PublicKeyPEM}}}
		if !reflect.DeepEqual(*a, want) {
			t.Errorf("\n got %+v\nwant %+v", *a, want)
		}
	}
}

func TestActorRefusesBadParams(t *testing.T) {
	u := testURIs()
	cases := []struct {
		name   string
		mutate func(p *ActorParams)
		field  string
	}{
		{"empty username", func(p *ActorParams) { p.PreferredUsername = "" }, "preferredUsername"},
		{"username with space", func(p *ActorParams) { p.PreferredUsername = "comune re" }, "preferredUsername"},
		{"username ending in a dot", func(p *ActorParams) { p.PreferredUsername = "comune." }, "preferredUsername"},
		{"unknown kind", func(p *ActorParams) { p.OrgKind = "government" }, "orgKind"},
		{"lower-case country", func(p *ActorParams) { p.Country = "it" }, "country"},
		{"no key", func(p *ActorParams) { p.PublicKeyPEM = "" }, "publicKeyPem"},
		{"private key", func(p *ActorParams) {
			p.PublicKeyPEM = strings.Replace(p.PublicKeyPEM, "PUBLIC KEY", "PRIVATE KEY", 2)
		}, "publicKeyPem"},
		{"garbage key", func(p *ActorParams) {
			p.PublicKeyPEM = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
		}, "publicKeyPem"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := actorParams(t)
			c.mutate(&p)
			_, err := Actor(u, p)
			if !failsOn(err, c.field, "") {
				t.Errorf("error %v does not name %s", err, c.field)
			}
		})
	}
}

func TestParseActorRefuses(t *testing.T) {
	cases := []struct {
		name, doc, field string
	}{
		{"not an actor", `{"id":"https://a.example/x","type":"Note","inbox":"https://a.example/i"}`, "type"},
		{"no type", `{"id":"https://a.example/x","inbox":"https://a.example/i"}`, "type"},
		{"no inbox", `{"id":"https://a.example/x","type":"Person"}`, "inbox"},
		{"relative inbox", `{"id":"https://a.example/x","type":"Person","inbox":"/inbox"}`, "inbox"},
		{"no id", `{"type":"Person","inbox":"https://a.example/i"}`, "id"},
		{"ftp id", `{"id":"ftp://a.example/x","type":"Person","inbox":"https://a.example/i"}`, "id"},
		{"key without id", `{"id":"https://a.example/x","type":"Person","inbox":"https://a.example/i","publicKey":{"publicKeyPem":"x"}}`, "publicKey.id"},
		{"bad shared inbox", `{"id":"https://a.example/x","type":"Person","inbox":"https://a.example/i","endpoints":{"sharedInbox":"javascript:alert(1)"}}`, "endpoints.sharedInbox"},
		{"array", `[]`, "$"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseActor([]byte(c.doc))
			if !failsOn(err, c.field, "") {
				t.Errorf("error %v does not name %s", err, c.field)
			}
		})
	}
}

func TestParseActivityPeers(t *testing.T) {
	t.Run("mastodon Create Note", func(t *testing.T) {
		a := mustParse(t, "mastodon_create_note.json")
		if a.Type != "Create" || a.Actor != "https://mastodon.example/users/zaragoza" || !a.IsPublic() ||
			!a.Published.Equal(time.Date(2024, 4, 11, 8, 15, 30, 0, time.UTC)) {
			t.Errorf("%+v", a)
		}
		o := a.Object
		if o == nil || o.Type != "Note" || o.Entry != nil || o.AttributedTo != a.Actor || o.ContentMap["es"] == "" ||
			!reflect.DeepEqual(o.Tags, []string{"participación"}) || o.Summary != "" ||
			!reflect.DeepEqual(o.URLs, []string{"https://mastodon.example/@zaragoza/112233445566778899"}) {
			t.Errorf("object %+v", o)
		}
		if !reflect.DeepEqual(a.CC, []string{"https://mastodon.example/users/zaragoza/followers", "https://reggioemilia.interlink.example/actor"}) {
			t.Errorf("cc %v", a.CC)
		}
	})
	t.Run("gotosocial single to/cc/tag", func(t *testing.T) {
		a := mustParse(t, "gotosocial_create_note.json")
		if !reflect.DeepEqual(a.To, []string{Public}) || !reflect.DeepEqual(a.CC, []string{"https://gts.example:8443/users/varam/followers"}) {
			t.Errorf("to %v cc %v", a.To, a.CC)
		}
		if a.Object == nil || !reflect.DeepEqual(a.Object.To, []string{Public}) || !reflect.DeepEqual(a.Object.Tags, []string{"pakalpojumi"}) {
			t.Errorf("object %+v", a.Object)
		}
	})
	t.Run("type arrays and Public variants", func(t *testing.T) {
		a := mustParse(t, "create_type_array.json")
		if a.Type != "Create" || !reflect.DeepEqual(a.Types, []string{"as:Create"}) {
			t.Errorf("type %q types %v", a.Type, a.Types)
		}
		if !reflect.DeepEqual(a.To, []string{Public}) || !reflect.DeepEqual(a.CC, []string{Public, "https://zaragoza.interlink.example/actor/followers"}) {
			t.Errorf("to %v cc %v", a.To, a.CC)
		}
		o := a.Object
		if o == nil || o.Type != "Page" || !reflect.DeepEqual(o.Types, []string{"Page", "cpsv:PublicService"}) ||
			o.Name != "Citizen survey" || o.NameMap["es"] != "Encuesta ciudadana" || o.Summary != "A survey of residents." ||
			o.AttributedTo != "https://zaragoza.interlink.example/actor" || !reflect.DeepEqual(o.Tags, []string{"survey"}) ||
			!reflect.DeepEqual(o.URLs, []string{"https://zaragoza.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQV"}) ||
			!reflect.DeepEqual(o.To, []string{Public}) {
			t.Errorf("object %+v", o)
		}
	})
	t.Run("mastodon Accept embeds the Follow", func(t *testing.T) {
		a := mustParse(t, "mastodon_accept.json")
		in := a.Inner
		if a.Type != "Accept" || in == nil || in.Type != "Follow" || in.Actor != "https://reggioemilia.interlink.example/actor" ||
			in.ObjectIRI != "https://mastodon.example/users/zaragoza" || in.ID != "https://reggioemilia.interlink.example/activities/01HX2B3C4D5E6F7G8H9J0KMNPR" ||
			a.ObjectID() != in.ID {
			t.Errorf("%+v inner %+v", a, in)
		}
	})
	t.Run("Accept by IRI with an embedded actor", func(t *testing.T) {
		a := mustParse(t, "accept_by_iri.json")
		if a.Actor != "https://gts.example:8443/users/varam" || a.Inner != nil ||
			a.ObjectIRI != "https://reggioemilia.interlink.example/activities/01HX2B3C4D5E6F7G8H9J0KMNPR" {
			t.Errorf("%+v", a)
		}
	})
	t.Run("mastodon Undo Follow", func(t *testing.T) {
		a := mustParse(t, "mastodon_undo_follow.json")
		if a.Type != "Undo" || a.Inner == nil || a.Inner.Type != "Follow" || a.Inner.ObjectIRI != "https://reggioemilia.interlink.example/actor" {
			t.Errorf("%+v", a)
		}
	})
	t.Run("mastodon Delete Tombstone", func(t *testing.T) {
		a := mustParse(t, "mastodon_delete.json")
		if a.Object == nil || a.Object.Type != "Tombstone" || a.ObjectID() != "https://mastodon.example/users/zaragoza/statuses/112233445566778899" {
			t.Errorf("%+v", a)
		}
	})
	t.Run("mastodon Delete actor by IRI", func(t *testing.T) {
		a := mustParse(t, "mastodon_delete_actor.json")
		if a.ObjectIRI != a.Actor || a.Object != nil {
			t.Errorf("%+v", a)
		}
	})
}

func mustParse(t *testing.T, file string) *Activity {
	t.Helper()
	raw := readTestdata(t, "peers/"+file)
	a, err := ParseActivity(raw)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Raw) != string(raw) {
		t.Error("Raw is not the document")
	}
	return a
}

func TestParseActivityGoldenOwn(t *testing.T) {
	u := testURIs()
	for _, c := range []struct {
		file, typ, objectIRI, innerType string
	}{
		{"follow.json", "Follow", "https://zaragoza.interlink.example/actor", ""},
		{"accept_follow.json", "Accept", "", "Follow"},
		{"reject_follow.json", "Reject", "", "Follow"},
		{"undo_follow.json", "Undo", "", "Follow"},
		{"announce.json", "Announce", "https://zaragoza.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQV", ""},
	} {
		a, err := ParseActivity(readTestdata(t, "golden/"+c.file))
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if a.Type != c.typ || a.ObjectIRI != c.objectIRI || a.Actor != u.Actor() || (c.innerType != "") != (a.Inner != nil) ||
			(a.Inner != nil && a.Inner.Type != c.innerType) {
			t.Errorf("%s: %+v", c.file, a)
		}
	}
}

func TestParseActivityRefuses(t *testing.T) {
	const ok = `"id":"https://a.example/1","actor":"https://a.example/actor"`
	deep := strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70)
	cases := []struct {
		name, doc, field, rule string
	}{
		{"no id", `{"type":"Follow","actor":"https://a.example/actor","object":"https://b.example/actor"}`, "id", "required"},
		{"no actor", `{"type":"Follow","id":"https://a.example/1","object":"https://b.example/actor"}`, "actor", "required"},
		{"two actors", `{"type":"Follow","id":"https://a.example/1","actor":["https://a.example/x","https://a.example/y"],"object":"https://b.example/a"}`, "actor", "single"},
		{"no type", `{` + ok + `,"object":"https://b.example/a"}`, "type", "required"},
		{"not an activity", `{"type":"Note",` + ok + `}`, "type", "enum"},
		{"Create without object", `{"type":"Create",` + ok + `}`, "object", "required"},
		{"object array", `{"type":"Create",` + ok + `,"object":[{"type":"Note"},{"type":"Note"}]}`, "object", "single"},
		{"object number", `{"type":"Create",` + ok + `,"object":5}`, "object", "type"},
		{"object not a URL", `{"type":"Delete",` + ok + `,"object":"not a url"}`, "object", "url"},
		{"embedded object with bad id", `{"type":"Create",` + ok + `,"object":{"type":"Note","id":"javascript:x"}}`, "object.id", "url"},
		{"inner activity without type", `{"type":"Undo",` + ok + `,"object":{"actor":"https://a.example/actor","object":"https://b.example/a"}}`, "object.type", "required"},
		{"duplicate keys", `{"type":"Follow","type":"Create",` + ok + `,"object":"https://b.example/a"}`, "type", "duplicate_key"},
		{"too deep", deep, "", "depth"},
		{"not an object", `"https://a.example/1"`, "$", "type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseActivity([]byte(c.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			if c.field == "" {
				ve, isVE := errors.AsType[*protocol.ValidationError](err)
				if !isVE || ve.Errors[0].Rule != c.rule {
					t.Errorf("error %v is not rule %s", err, c.rule)
				}
				return
			}
			if !failsOn(err, c.field, c.rule) {
				t.Errorf("error %v does not name %s (%s)", err, c.field, c.rule)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := []byte(`{"type":"Create",` + ok + `,"object":{"type":"Note","content":"` + strings.Repeat("x", MaxDocumentBytes) + `"}}`)
		if _, err := ParseActivity(big); !errors.Is(err, ErrTooLarge) {
			t.Errorf("error %v is not ErrTooLarge", err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		if _, err := ParseActivity([]byte(`{"type":"Create",`)); !errors.Is(err, protocol.ErrMalformedJSON) {
			t.Errorf("error %v is not ErrMalformedJSON", err)
		}
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		doc := []byte(`{"type":"Follow",` + ok + `,"object":"https://b.example/a","summary":"` + "\xff" + `"}`)
		if _, err := ParseActivity(doc); !failsOn(err, "summary", "utf8") {
			t.Errorf("error %v", err)
		}
	})
}

func TestParseObjectEntryChecks(t *testing.T) {
	u := testURIs()
	obj := stored(t, ulidObject, participatoryCanvas(), 1, t0, t0)
	good, err := Object(u, obj)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := Object(u, tombstone(obj, t1))
	if err != nil {
		t.Fatal(err)
	}
	swap := func(doc []byte, old, new string) []byte {
		if !strings.Contains(string(doc), old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return []byte(strings.Replace(string(doc), old, new, 1))
	}
	other := "https://zaragoza.interlink.example/objects/" + ulidObject
	cases := []struct {
		name  string
		doc   []byte
		field string
	}{
		{"id differs from meta.iri", swap(good, `"id":"`+obj.IRI, `"id":"`+other), "catalogueEntry.meta.iri"},
		{"meta on another origin", swap(good, `"origin":"`+testBase, `"origin":"https://zaragoza.interlink.example`), "catalogueEntry.meta.iri"},
		{"meta id is not the IRI's", swap(good, `"id":"`+ulidObject+`"`, `"id":"`+testULID(7)+`"`), "catalogueEntry.meta.iri"},
		{"meta id not a ULID", swap(good, `"id":"`+ulidObject+`"`, `"id":"x"`), "catalogueEntry.meta.id"},
		{"unknown kind", swap(good, `"type":"Interlinker","version"`, `"type":"Widget","version"`), "catalogueEntry.meta.type"},
		{"version 0", swap(good, `"version":1`, `"version":0`), "catalogueEntry.meta.version"},
		{"version negative", swap(good, `"version":1`, `"version":-1`), "catalogueEntry.meta.version"},
		{"body of another kind", swap(good, `"body":{"type":"Interlinker"`, `"body":{"type":"Rating"`), "catalogueEntry.body.type"},
		{"body not an object", swap(good, `"body":{"type":"Interlinker"`, `"body":"x","b":{"type":"Interlinker"`), "catalogueEntry.body"},
		{"deleted Page", swap(good, `"updated":"2024-03-14T09:26:53.589793Z"}`, `"updated":"2024-03-14T09:26:53.589793Z","deleted":true}`), "catalogueEntry.meta.deleted"},
		{"Tombstone not deleted", swap(dead, `,"deleted":true`, ``), "catalogueEntry.meta.deleted"},
		{"Tombstone with a body", swap(dead, `"deleted":true}`, `"deleted":true},"body":{"type":"Interlinker"}`), "catalogueEntry.body"},
		{"no meta", swap(dead, `"catalogueEntry":{"meta":`, `"catalogueEntry":{"m":`), "catalogueEntry.meta"},
		{"entry twice", swap(good, `"catalogueEntry":{"meta"`, `"interlink:entry":{},"catalogueEntry":{"meta"`), "interlink:entry"},
		{"entry not an object", swap(good, `"catalogueEntry":{"meta"`, `"catalogueEntry":5,"x":{"meta"`), "catalogueEntry"},
		{"meta of the wrong shape", swap(good, `"version":1`, `"version":"1"`), "catalogueEntry.meta.version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseObject(c.doc)
			if !failsOn(err, c.field, "") {
				t.Errorf("error %v does not name %s", err, c.field)
			}
		})
	}
	t.Run("expanded extension name", func(t *testing.T) {
		p, err := ParseObject(swap(good, `"catalogueEntry":{"meta"`, `"`+Namespace+`entry":{"meta"`))
		if err != nil {
			t.Fatal(err)
		}
		sameObject(t, p.Entry, obj)
	})
}
