package activity

// These tests run our documents through an independent JSON-LD 1.1
// processor, github.com/piprate/json-gold, offline: its document loader
// serves small stand-ins for the ActivityStreams and security contexts
// (the terms our documents use, defined as the official contexts define
// them) and refuses every other URL. They prove that our inline context is
// valid JSON-LD 1.1 and that catalogueEntry comes out as one @json literal.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/piprate/json-gold/ld"
)

const asStandIn = `{"@context": {
  "@vocab": "_:",
  "xsd": "http://www.w3.org/2001/XMLSchema#",
  "as": "https://www.w3.org/ns/activitystreams#",
  "id": "@id", "type": "@type",
  "Create": "as:Create", "Page": "as:Page", "Note": "as:Note", "Tombstone": "as:Tombstone", "Organization": "as:Organization", "Link": "as:Link",
  "actor": {"@id": "as:actor", "@type": "@id"},
  "object": {"@id": "as:object", "@type": "@id"},
  "attributedTo": {"@id": "as:attributedTo", "@type": "@id"},
  "to": {"@id": "as:to", "@type": "@id"},
  "cc": {"@id": "as:cc", "@type": "@id"},
  "url": {"@id": "as:url", "@type": "@id"},
  "href": {"@id": "as:href", "@type": "@id"},
  "rel": "as:rel", "hreflang": "as:hreflang",
  "tag": {"@id": "as:tag", "@type": "@id"},
  "name": "as:name", "nameMap": {"@id": "as:name", "@container": "@language"},
  "summary": "as:summary", "summaryMap": {"@id": "as:summary", "@container": "@language"},
  "content": "as:content", "contentMap": {"@id": "as:content", "@container": "@language"},
  "published": {"@id": "as:published", "@type": "xsd:dateTime"},
  "updated": {"@id": "as:updated", "@type": "xsd:dateTime"},
  "deleted": {"@id": "as:deleted", "@type": "xsd:dateTime"},
  "formerType": {"@id": "as:formerType", "@type": "@vocab"},
  "preferredUsername": "as:preferredUsername",
  "inbox": {"@id": "http://www.w3.org/ns/ldp#inbox", "@type": "@id"},
  "outbox": {"@id": "as:outbox", "@type": "@id"},
  "followers": {"@id": "as:followers", "@type": "@id"},
  "following": {"@id": "as:following", "@type": "@id"},
  "endpoints": {"@id": "as:endpoints", "@type": "@id"},
  "sharedInbox": {"@id": "as:sharedInbox", "@type": "@id"}
}}`

const securityStandIn = `{"@context": {
  "sec": "https://w3id.org/security#",
  "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
  "owner": {"@id": "sec:owner", "@type": "@id"},
  "publicKeyPem": "sec:publicKeyPem"
}}`

type offlineLoader map[string]string

func (l offlineLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	doc, ok := l[u]
	if !ok {
		return nil, fmt.Errorf("offline: refusing to load %s", u)
	}
	d, err := ld.DocumentFromReader(bytes.NewReader([]byte(doc)))
	if err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: d}, nil
}

// expand runs json-gold's expansion on doc.
func expand(t *testing.T, doc []byte) []any {
	t.Helper()
	input, err := ld.DocumentFromReader(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = offlineLoader{ASContext: asStandIn, SecurityContext: securityStandIn}
	out, err := ld.NewJsonLdProcessor().Expand(input, opts)
	if err != nil {
		t.Fatalf("json-gold expand: %v", err)
	}
	return out
}

// first returns the first value of an expanded property.
func first(t *testing.T, node map[string]any, prop string) map[string]any {
	t.Helper()
	vals, _ := node[prop].([]any)
	if len(vals) == 0 {
		t.Fatalf("no %s in %v", prop, node)
	}
	v, _ := vals[0].(map[string]any)
	return v
}

func TestJSONLDEntryIsAJSONLiteral(t *testing.T) {
	u := testURIs()
	obj := stored(t, ulidObject, participatoryCanvas(), 1, t0, t0)
	raw, err := Create(u, ulidActivity, obj)
	if err != nil {
		t.Fatal(err)
	}
	exp := expand(t, raw)
	create, _ := exp[0].(map[string]any)
	page := first(t, create, ASContext+"#object")
	entry := first(t, page, Namespace+"entry")
	if entry["@type"] != "@json" {
		t.Fatalf("catalogueEntry expanded to %v, not a @json literal", entry)
	}
	// The literal is the entry, member for member.
	var want any
	doc := decodeTree(t, raw)
	b, _ := json.Marshal(doc["object"].(map[string]any)[EntryProperty])
	_ = json.Unmarshal(b, &want)
	got, _ := json.Marshal(entry["@value"])
	var gotV any
	_ = json.Unmarshal(got, &gotV)
	if !reflect.DeepEqual(gotV, want) {
		t.Errorf("the @json literal differs from catalogueEntry:\n got %s\nwant %s", got, b)
	}
	// The AS2 rendering expands as ActivityStreams: a Note with language-tagged content.
	if types, _ := page["@type"].([]any); len(types) != 1 || types[0] != ASContext+"#Note" {
		t.Errorf("object type %v", page["@type"])
	}
	names, _ := page[ASContext+"#content"].([]any)
	langs := map[string]bool{}
	for _, n := range names {
		if m, ok := n.(map[string]any); ok {
			if l, ok := m["@language"].(string); ok {
				langs[l] = true
			}
		}
	}
	for _, l := range []string{"en", "es", "it", "lv"} {
		if !langs[l] {
			t.Errorf("no name in %s after expansion: %v", l, names)
		}
	}
}

func TestJSONLDActorExtensions(t *testing.T) {
	raw, err := Actor(testURIs(), actorParams(t))
	if err != nil {
		t.Fatal(err)
	}
	exp := expand(t, raw)
	actor, _ := exp[0].(map[string]any)
	if v := first(t, actor, ASContext+"#manuallyApprovesFollowers"); v["@value"] != false {
		t.Errorf("manuallyApprovesFollowers expanded to %v", v)
	}
	if v := first(t, actor, Namespace+"orgKind"); v["@value"] != "public_administration" {
		t.Errorf("orgKind expanded to %v", v)
	}
	if v := first(t, actor, Namespace+"country"); v["@value"] != "IT" {
		t.Errorf("country expanded to %v", v)
	}
	key := first(t, actor, "https://w3id.org/security#publicKey")
	if key["@id"] != testURIs().KeyID() {
		t.Errorf("publicKey expanded to %v", key)
	}
}
