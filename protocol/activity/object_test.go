package activity

import (
	"html"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestPlainTextAndParagraphs(t *testing.T) {
	cases := []struct{ in, plain, html string }{
		{"Plain text.", "Plain text.", "<p>Plain text.</p>"},
		{"<p>The eIDAS solution. </p>", "The eIDAS solution.", "<p>The eIDAS solution.</p>"},
		{"<p>One</p><p>Two &amp; three</p>", "One\n\nTwo & three", "<p>One</p><p>Two &amp; three</p>"},
		{"Line<br>break<br/>again", "Line\nbreak\nagain", "<p>Line<br>break<br>again</p>"},
		{"a < b and c > d", "a < b and c > d", "<p>a &lt; b and c &gt; d</p>"},
		{"<script>alert(1)</script>x", "alert(1)x", "<p>alert(1)x</p>"},
		{"  spaced\t\tout  \r\n\r\n\r\nnext ", "spaced out\n\nnext", "<p>spaced out</p><p>next</p>"},
		{"<a href=\"https://x.example\">link</a> text", "link text", "<p>link text</p>"},
		{"ctrl\x00char\x1b", "ctrlchar", "<p>ctrlchar</p>"},
		{"", "", ""},
		{"<p></p>", "", ""},
	}
	for _, c := range cases {
		if got := plainText(c.in); got != c.plain {
			t.Errorf("plainText(%q) = %q, want %q", c.in, got, c.plain)
		}
		if got := paragraphs(c.in); got != c.html {
			t.Errorf("paragraphs(%q) = %q, want %q", c.in, got, c.html)
		}
	}
}

func TestSummarize(t *testing.T) {
	short := "Un canvas di una pagina."
	if got := summarize(short); got != short {
		t.Errorf("summarize(short) = %q", got)
	}
	long := strings.Repeat("Vienas lappuses audekls līdzdalības budžeta plānošanai. ", 30)
	got := summarize(long)
	if n := utf8.RuneCountInString(got); n > SummaryRunes || n < SummaryRunes/2 {
		t.Errorf("summary of %d runes", n)
	}
	if !strings.HasSuffix(got, "…") || strings.HasSuffix(got, " …") || strings.HasSuffix(got, ".…") {
		t.Errorf("summary does not end in a word and …: %q", got[len(got)-20:])
	}
	if !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Error("summary is not a prefix of the text")
	}
	if got := summarize("<p>a</p><p>b</p>"); got != "a b" {
		t.Errorf("summary keeps paragraph breaks: %q", got)
	}
}

func TestHashtags(t *testing.T) {
	got := hashtags(protocol.TextList{
		"it": {"Partecipazione", "co-produzione"},
		"en": {"participation", "Co production", "2030", "participation", "e-gov services"},
		"lv": {"līdzdalība"},
	})
	want := []string{"participation", "Co_production", "e_gov_services", "Partecipazione", "co_produzione", "līdzdalība"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("hashtags = %v, want %v", got, want)
	}
	many := protocol.TextList{"en": nil}
	for i := range 50 {
		many["en"] = append(many["en"], "tag"+strings.Repeat("x", i))
	}
	if n := len(hashtags(many)); n != MaxHashtags {
		t.Errorf("%d hashtags, want at most %d", n, MaxHashtags)
	}
}

// TestMastodonReadablePost applies what Mastodon-API servers do with a
// Note (its content is the post, its summary a content warning, its name
// shown by none, but prepended to the content by Akkoma/Pleroma) to what
// Create sends, for every kind: a Note without summary or name whose
// content starts with the name in bold, then the short description, then
// a link to the object's page, every text escaped, and whose contentMap
// starts with the preferred language.
func TestMastodonReadablePost(t *testing.T) {
	u := testURIs()
	for i, e := range everyKind() {
		obj := stored(t, testULID(i+1), e, 1, t0, t0)
		raw, err := Create(u, ulidActivity, obj)
		if err != nil {
			t.Fatal(err)
		}
		note := decodeTree(t, raw)["object"].(map[string]any)
		if note["type"] != "Note" {
			t.Fatalf("%s: type %v, want Note", e.Kind(), note["type"])
		}
		for _, m := range []string{"summary", "summaryMap", "name", "nameMap"} {
			if _, ok := note[m]; ok {
				t.Errorf("%s: %s present (a content warning, or a name shown twice)", e.Kind(), m)
			}
		}
		content, _ := note["content"].(string)
		name := collapseSpaces(e.Index().Name.Preferred())
		if g := generatedName(e, nil); g != "" {
			name = g
		}
		if !strings.HasPrefix(content, "<p><strong>"+html.EscapeString(name)+"</strong></p>") {
			t.Errorf("%s: content does not start with the name %q: %q", e.Kind(), name, content)
		}
		if !strings.Contains(content, `<a href="`+obj.IRI+`">`) {
			t.Errorf("%s: content does not link the object's page: %q", e.Kind(), content)
		}
		if desc := summarize(e.Index().Description.Preferred()); desc != "" && !strings.Contains(content, "<p>"+html.EscapeString(desc)+"</p>") {
			t.Errorf("%s: content lacks the short description %q", e.Kind(), desc)
		}
		var url string
		switch v := note["url"].(type) {
		case string:
			url = v
		case []any:
			url, _ = v[0].(string)
		}
		if url != obj.IRI || note["attributedTo"] != u.Actor() {
			t.Errorf("%s: url %q attributedTo %v", e.Kind(), url, note["attributedTo"])
		}
		cm := members(members(raw, "object")["object"], "contentMap")["contentMap"]
		union := protocol.Text{}
		for _, t := range []protocol.Text{e.Index().Name, e.Index().Description, {"en": generatedName(e, nil)}} {
			for _, l := range t.Languages() {
				union[l] = "x"
			}
		}
		if first := union.Languages()[0]; !strings.HasPrefix(string(cm), `{"`+first+`":`) {
			t.Errorf("%s: contentMap does not start with %s: %.40s", e.Kind(), first, cm)
		}
	}
}

// A name or description with markup or quotes is escaped, never passed on.
func TestNoteContentEscapes(t *testing.T) {
	u := testURIs()
	c, m := noteContent(u, u.Object("01HQ7Z8X9Y0ABCDEFGHJKMNPQR"), protocol.Text{"en": `<script>x</script> & "q"`},
		protocol.Text{"en": `a <b onclick="x">bold</b> claim`}, []string{"tag"})
	want := `<p><strong>&lt;script&gt;x&lt;/script&gt; &amp; &#34;q&#34;</strong></p><p>a bold claim</p>`
	if !strings.HasPrefix(c, want) || len(m) != 1 || !strings.HasPrefix(c, m[0].text) || strings.Contains(m[0].text, "hashtag") {
		t.Fatalf("content %q, contentMap %q", c, m)
	}
	if !strings.Contains(c, `<a href="https://reggioemilia.interlink.example/search?q=tag" class="mention hashtag" rel="tag">#<span>tag</span></a>`) {
		t.Fatalf("hashtag link missing: %q", c)
	}
}

// A story's note links its process, its service and its materials.
func TestStoryNoteLinks(t *testing.T) {
	u := testURIs()
	st := sampleStory()
	p := parseRendered(t, u, stored(t, testULID(9), st, 1, t0, t0))
	if !strings.HasPrefix(p.Content, "<p><strong>Shared gardens of Santa Croce</strong></p><p>Neighbours") ||
		!strings.Contains(p.Content, "#<span>government_plus_citizen</span>") {
		t.Errorf("content %q", p.Content)
	}
	raw, err := Object(u, stored(t, testULID(9), st, 1, t0, t0))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{st.Process, st.Service, st.Materials[0]} {
		if !strings.Contains(string(members(raw, "url")["url"]), `"href":"`+want+`"`) {
			t.Errorf("url lacks %s: %s", want, members(raw, "url")["url"])
		}
	}
}

func TestGeneratedNames(t *testing.T) {
	u := testURIs()
	rating := stored(t, testULID(3), sampleRating(), 1, t0, t0)
	p := parseRendered(t, u, rating)
	if !strings.HasPrefix(p.Content, "<p><strong>Comune di Reggio Emilia rated https://zaragoza.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQV 4/5</strong></p>") {
		t.Errorf("rating name without labels: %q", p.Content)
	}
	p = parseRendered(t, u, rating, WithLabels(func(iri string) string {
		if iri == sampleRating().Object {
			return "  Encuesta\tciudadana "
		}
		return ""
	}))
	if !strings.HasPrefix(p.Content, "<p><strong>Comune di Reggio Emilia rated Encuesta ciudadana 4/5</strong></p>") {
		t.Errorf("rating name with labels: %q", p.Content)
	}
}

func parseRendered(t *testing.T, u protocol.URIs, obj protocol.Object, opts ...Option) *Parsed {
	t.Helper()
	raw, err := Object(u, obj, opts...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseObject(raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestObjectRefuses(t *testing.T) {
	u := testURIs()
	good := stored(t, ulidObject, participatoryCanvas(), 1, t0, t0)
	cases := []struct {
		name   string
		mutate func(o *protocol.Object)
		want   string
	}{
		{"foreign IRI", func(o *protocol.Object) { o.IRI = "https://zaragoza.interlink.example/objects/" + ulidObject }, "meta.iri"},
		{"IRI of another id", func(o *protocol.Object) { o.ID = testULID(5) }, "meta.iri"},
		{"foreign origin", func(o *protocol.Object) { o.Origin = "https://zaragoza.interlink.example" }, "meta.origin"},
		{"other port", func(o *protocol.Object) { o.Origin = testBase + ":8443" }, "meta.origin"},
		{"unknown type", func(o *protocol.Object) { o.Type = "Widget" }, "meta.type"},
		{"version 0", func(o *protocol.Object) { o.Version = 0 }, "meta.version"},
		{"no body", func(o *protocol.Object) { o.Body = nil }, "body"},
		{"tombstone with body", func(o *protocol.Object) { o.Deleted = true }, "body"},
		{"invalid body", func(o *protocol.Object) { o.Body = []byte(`{"type":"Interlinker"}`) }, "name"},
		{"body of another kind", func(o *protocol.Object) { o.Type = protocol.KindRating }, "is a Interlinker"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := good
			c.mutate(&o)
			_, err := Object(u, o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v does not mention %q", err, c.want)
			}
		})
	}
}

func TestActivityBuildersRefuse(t *testing.T) {
	u := testURIs()
	live := stored(t, ulidObject, participatoryCanvas(), 1, t0, t0)
	dead := tombstone(live, t1)
	peer := "https://zaragoza.interlink.example/actor"
	cases := []struct {
		name string
		err  func() error
	}{
		{"Create of a tombstone", func() error { _, err := Create(u, ulidActivity, dead); return err }},
		{"Update of a tombstone", func() error { _, err := Update(u, ulidActivity, dead); return err }},
		{"Delete of a live object", func() error { _, err := Delete(u, ulidActivity, live); return err }},
		{"bad ULID", func() error { _, err := Create(u, "not-a-ulid", live); return err }},
		{"lower-case ULID", func() error { _, err := Follow(u, strings.ToLower(ulidFollow), peer, t0); return err }},
		{"Follow of a relative actor", func() error { _, err := Follow(u, ulidFollow, "/actor", t0); return err }},
		{"Accept without follow id", func() error { _, err := Accept(u, ulidActivity, FollowRef{Actor: peer}, t0); return err }},
		{"Reject without follower", func() error {
			_, err := Reject(u, ulidActivity, FollowRef{ID: peer + "/follows/1"}, t0)
			return err
		}},
		{"Undo of another actor's follow", func() error {
			_, err := Undo(u, ulidActivity, FollowRef{ID: peer + "/follows/1", Actor: peer, Object: u.Actor()}, t0)
			return err
		}},
		{"Announce of a non-URL", func() error { _, err := Announce(u, ulidActivity, "urn:x", t0); return err }},
		{"Announce with a bad cc", func() error { _, err := Announce(u, ulidActivity, peer, t0, "x"); return err }},
	}
	for _, c := range cases {
		if err := c.err(); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	// Accept defaults the Follow's object to this actor.
	raw, err := Accept(u, ulidActivity, FollowRef{ID: peer + "/follows/1", Actor: peer}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseActivity(raw)
	if err != nil || a.Inner.ObjectIRI != u.Actor() || !a.Published.IsZero() || !strings.Contains(string(raw), `"to":["`+peer+`"]`) {
		t.Errorf("%s %v", raw, err)
	}
}
