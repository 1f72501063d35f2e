package activity

import (
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

// TestMastodonReadablePost applies Mastodon's rule for converted object
// types (its text is name, summary and url joined; no content warning) to
// what Create sends, for every kind.
func TestMastodonReadablePost(t *testing.T) {
	u := testURIs()
	for i, e := range everyKind() {
		obj := stored(t, testULID(i+1), e, 1, t0, t0)
		raw, err := Create(u, ulidActivity, obj)
		if err != nil {
			t.Fatal(err)
		}
		page := decodeTree(t, raw)["object"].(map[string]any)
		if page["type"] != "Page" {
			t.Fatalf("%s: type %v is not one Mastodon converts into a post", e.Kind(), page["type"])
		}
		name, _ := page["name"].(string)
		summary, _ := page["summary"].(string)
		var url string
		switch v := page["url"].(type) {
		case string:
			url = v
		case []any:
			url, _ = v[0].(string)
		}
		if name == "" || url != obj.IRI {
			t.Errorf("%s: Mastodon would show name %q and link %q", e.Kind(), name, url)
		}
		if strings.ContainsAny(name+summary, "<>") && !strings.Contains(e.Index().Description["en"], "<") {
			t.Errorf("%s: markup in the plain-text name or summary: %q %q", e.Kind(), name, summary)
		}
		if page["attributedTo"] != u.Actor() {
			t.Errorf("%s: attributedTo %v", e.Kind(), page["attributedTo"])
		}
	}
}

func TestGeneratedNames(t *testing.T) {
	u := testURIs()
	rating := stored(t, testULID(3), sampleRating(), 1, t0, t0)
	p := parseRendered(t, u, rating)
	if p.Name != "Comune di Reggio Emilia rated https://zaragoza.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQV 4/5" {
		t.Errorf("rating name without labels: %q", p.Name)
	}
	p = parseRendered(t, u, rating, WithLabels(func(iri string) string {
		if iri == sampleRating().Object {
			return "  Encuesta\tciudadana "
		}
		return ""
	}))
	if p.Name != "Comune di Reggio Emilia rated Encuesta ciudadana 4/5" {
		t.Errorf("rating name with labels: %q", p.Name)
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
