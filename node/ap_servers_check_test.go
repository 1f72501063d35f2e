package node

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// requireMembers checks that doc has a non-empty value at every path of a
// family's requires.json: "a.b" for members, "links[]" for every element
// of an array, "links[rel=self]" for the elements whose rel is self (at
// least one must exist).
func requireMembers(t *testing.T, what string, doc any, paths []string) {
	t.Helper()
	for _, p := range paths {
		if err := lookup(doc, strings.Split(p, ".")); err != nil {
			t.Errorf("%s: %s: %v", what, p, err)
		}
	}
}

func lookup(v any, segs []string) error {
	if len(segs) == 0 {
		switch x := v.(type) {
		case nil:
			return fmt.Errorf("is null")
		case string:
			if x == "" {
				return fmt.Errorf("is empty")
			}
		}
		return nil
	}
	name, cond, isArray := strings.Cut(segs[0], "[")
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: not an object", name)
	}
	next, ok := m[name]
	if !ok {
		return fmt.Errorf("%s is missing", name)
	}
	if !isArray {
		return lookup(next, segs[1:])
	}
	items, ok := next.([]any)
	if !ok || len(items) == 0 {
		return fmt.Errorf("%s is not a non-empty array", name)
	}
	k, want, filtered := strings.Cut(strings.TrimSuffix(cond, "]"), "=")
	found := 0
	for _, it := range items {
		if filtered {
			if im, _ := it.(map[string]any); im == nil || im[k] != want {
				continue
			}
		}
		found++
		if err := lookup(it, segs[1:]); err != nil {
			return fmt.Errorf("%s[]: %w", name, err)
		}
	}
	if found == 0 {
		return fmt.Errorf("%s has no element with %s", name, cond)
	}
	return nil
}

func decodeDoc(t *testing.T, what string, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v: %s", what, err, raw)
	}
	return m
}

// misskeyUsername is the user name Misskey accepts from a remote actor.
var misskeyUsername = regexp.MustCompile(`^\w([\w-.]*\w)?$`)

// TestDeployedServersReadTheNode: each server family fetches every
// document a node serves the way it does (WebFinger and NodeInfo unsigned,
// the rest signed with its key in its form, the node requiring signatures)
// and finds the members it requires (requires.json), plus the rules its
// code applies beyond presence.
func TestDeployedServersReadTheNode(t *testing.T) {
	tn := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.AuthorizedFetch = true
	})
	body := interlinkerBody("interop_guide", "Interop <guide> & co", "Guida", "P1")
	body["tags"] = map[string][]string{"en": {"open data", "fediverse"}}
	if r := tn.postJSON("/api/v1/objects", tn.token("editor"), body); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	host := strings.TrimPrefix(tn.n.uris.Base(), "http://")
	for i, family := range serverFamilies {
		t.Run(family, func(t *testing.T) {
			f := newFixtureServer(t, family, fmt.Sprintf("127.0.0.%d", 9+i))
			var req map[string][]string
			if err := json.Unmarshal(f.read("requires.json"), &req); err != nil {
				t.Fatal(err)
			}
			// WebFinger, unsigned, as every family looks accounts up.
			wf := decodeDoc(t, "webfinger", f.get(tn.url+"/.well-known/webfinger?resource="+url.QueryEscape("acct:catalogue@"+host), activity.JRDContentType, false))
			requireMembers(t, "webfinger", wf, req["webfinger"])
			var self string
			for _, l := range wf["links"].([]any) {
				if lm := l.(map[string]any); lm["rel"] == "self" && lm["type"] == activity.ContentType {
					self, _ = lm["href"].(string)
				}
			}
			if self != tn.actor() {
				t.Fatalf("no rel=self link of type %s to the actor: %v", activity.ContentType, wf["links"])
			}
			// The actor, signed.
			actor := decodeDoc(t, "actor", f.get(self, activity.AcceptHeader, true))
			requireMembers(t, "actor", actor, req["actor"])
			pk, _ := actor["publicKey"].(map[string]any)
			if actor["id"] != self || pk["owner"] != self || !strings.HasPrefix(pk["id"].(string), self) {
				t.Errorf("actor id %v, key owner %v, key id %v: not the fetched actor's", actor["id"], pk["owner"], pk["id"])
			}
			if _, err := httpsig.ParsePublicKeyPEM(pk["publicKeyPem"].(string)); err != nil {
				t.Errorf("publicKeyPem: %v", err)
			}
			if !slices.Contains([]string{"Person", "Service", "Group", "Organization", "Application"}, actor["type"].(string)) {
				t.Errorf("actor type %v is not one Mastodon-API servers follow", actor["type"])
			}
			if family == "misskey" && !misskeyUsername.MatchString(actor["preferredUsername"].(string)) {
				t.Errorf("preferredUsername %v fails Misskey's pattern", actor["preferredUsername"])
			}
			// NodeInfo: the links document, then the newest schema the family reads.
			links := decodeDoc(t, "nodeinfo links", f.get(tn.url+"/.well-known/nodeinfo", "application/json", false))
			requireMembers(t, "nodeinfo-links", links, req["nodeinfo-links"])
			var href string
			for _, want := range req["nodeinfo-rels"] { // the relations the family reads, preferred first
				for _, l := range links["links"].([]any) {
					if lm := l.(map[string]any); href == "" && lm["rel"] == want {
						href, _ = lm["href"].(string)
					}
				}
			}
			if href == "" {
				t.Fatalf("no NodeInfo link of a relation %s reads (%v): %v", family, req["nodeinfo-rels"], links)
			}
			ni := decodeDoc(t, "nodeinfo", f.get(href, "application/json", false))
			requireMembers(t, "nodeinfo", ni, req["nodeinfo"])
			if p, _ := ni["protocols"].([]any); !slices.Contains(p, any("activitypub")) {
				t.Errorf("nodeinfo protocols %v", ni["protocols"])
			}
			// The outbox, its first page, and the object of its newest Create.
			outboxIRI, _ := actor["outbox"].(string)
			outbox := decodeDoc(t, "outbox", f.get(outboxIRI, activity.AcceptHeader, true))
			requireMembers(t, "outbox", outbox, req["outbox"])
			page := decodeDoc(t, "outbox page", f.get(outbox["first"].(string), activity.AcceptHeader, true))
			requireMembers(t, "outbox-page", page, req["outbox-page"])
			items, _ := page["orderedItems"].([]any)
			if len(items) == 0 {
				t.Fatal("the outbox page is empty")
			}
			create := items[0].(map[string]any)
			embedded, _ := create["object"].(map[string]any)
			objectIRI, _ := embedded["id"].(string)
			obj := decodeDoc(t, "object", f.get(objectIRI, activity.AcceptHeader, true))
			requireMembers(t, "object", obj, req["object"])
			checkReadableNote(t, obj, tn.actor())
		})
	}
}

// checkReadableNote applies what Mastodon-API servers do with a Note: the
// content is the post (the name must open it, escaped), a summary would be
// a content warning, hashtags come from tag.
func checkReadableNote(t *testing.T, obj map[string]any, actor string) {
	t.Helper()
	if obj["type"] != "Note" || obj["attributedTo"] != actor {
		t.Errorf("object type %v attributedTo %v", obj["type"], obj["attributedTo"])
	}
	if _, ok := obj["summary"]; ok {
		t.Errorf("a summary (shown as a content warning): %v", obj["summary"])
	}
	content, _ := obj["content"].(string)
	if !strings.HasPrefix(content, "<p><strong>Interop &lt;guide&gt; &amp; co</strong></p>") || !strings.Contains(content, `<a href="`+obj["id"].(string)+`">`) {
		t.Errorf("content does not start with the escaped name or lacks the link: %q", content)
	}
	if to, _ := obj["to"].([]any); !slices.Contains(to, any(activity.Public)) {
		t.Errorf("to %v lacks Public", obj["to"])
	}
	var tags []string
	for _, tg := range obj["tag"].([]any) {
		tm := tg.(map[string]any)
		if tm["type"] == "Hashtag" && tm["href"] != nil {
			tags = append(tags, tm["name"].(string))
		}
	}
	if !slices.Equal(tags, []string{"#open_data", "#fediverse"}) {
		t.Errorf("hashtags %v", tags)
	}
	if cm, _ := obj["contentMap"].(map[string]any); !strings.HasPrefix(content, cm["en"].(string)) || !strings.Contains(content, `#<span>open_data</span>`) {
		t.Errorf("content is not contentMap.en followed by the hashtags: %q", content)
	}
}
