package activity

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// A catalogue object is rendered as a Note, the one type every Mastodon-API
// server (Mastodon, GoToSocial, Akkoma, Misskey) shows in full: Mastodon
// shows Article and Page as their name, summary and a link only, and the
// others read a summary as a content warning. A Note's name is not shown
// anywhere, so the content carries it: per language, the name in bold, the
// description cut to a summary (SummaryRunes), a link to the object's page
// (its IRI, which answers browsers with HTML); content (what the servers
// show) adds the hashtags as links, the way Mastodon writes them, once
// rather than in every language (tag carries them for all). No summary:
// nothing here is a warning. The catalogue entity travels unchanged in
// catalogueEntry (and jws).

// noteContent renders the content of every language that has a name or a
// description (English first, as Mastodon takes the language of the first
// contentMap entry), and the content member: the preferred language's,
// followed by the hashtags.
func noteContent(u protocol.URIs, iri string, name, description protocol.Text, tags []string) (string, langMap) {
	langs := protocol.Text{}
	for _, t := range []protocol.Text{name, description} {
		for _, l := range t.Languages() {
			langs[l] = "x"
		}
	}
	var out langMap
	for _, l := range langs.Languages() {
		n := name[l]
		if strings.TrimSpace(n) == "" {
			n = name.Preferred()
		}
		c := noteHTML(u, iri, collapseSpaces(n), summarize(description[l]), nil)
		if l != "und" {
			out = append(out, langText{l, c})
		}
	}
	content := noteHTML(u, iri, collapseSpaces(name.Preferred()), summarize(description.Preferred()), tags)
	return content, out
}

// noteHTML is one language's content: every text escaped, every URL one
// this node minted (the object's IRI, its search page).
func noteHTML(u protocol.URIs, iri, name, desc string, tags []string) string {
	var b strings.Builder
	if name != "" {
		b.WriteString("<p><strong>" + html.EscapeString(name) + "</strong></p>")
	}
	if desc != "" {
		b.WriteString("<p>" + html.EscapeString(desc) + "</p>")
	}
	e := html.EscapeString(iri)
	b.WriteString(`<p><a href="` + e + `">` + e + `</a></p>`)
	if len(tags) > 0 {
		b.WriteString("<p>")
		for i, t := range tags {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(`<a href="` + html.EscapeString(tagURL(u, t)) + `" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(t) + `</span></a>`)
		}
		b.WriteString("</p>")
	}
	return b.String()
}

// tagURL is the node's search page for a hashtag (its words, '_' as spaces).
func tagURL(u protocol.URIs, tag string) string {
	return u.Base() + "/search?q=" + url.QueryEscape(strings.ReplaceAll(tag, "_", " "))
}

// langText is one entry of a language map.
type langText struct{ lang, text string }

// langMap is a language map written in its order (encoding/json sorts map
// keys): Mastodon reads the language of a post from its first entry.
type langMap []langText

// MarshalJSON writes the entries as one JSON object, in order.
func (m langMap) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, s := range []string{e.lang, e.text} {
			if j == 1 {
				b.WriteByte(':')
			}
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(s); err != nil {
				return nil, err
			}
			b.Truncate(b.Len() - 1) // Encode's newline
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
