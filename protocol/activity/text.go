package activity

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/protocol"
)

// SummaryRunes is about how long a summary may be: longer descriptions are
// cut at a word boundary before it and end with "…".
const SummaryRunes = 500

// MaxHashtags bounds the hashtags of one object.
const MaxHashtags = 32

// plainText turns text that may hold HTML (the INTERLINK seed wraps some
// descriptions in <p>) into plain text: tags are dropped, block tags and
// <br> become line breaks, entities are decoded, spaces within a line are
// collapsed, and paragraphs are separated by one blank line. Control
// characters other than line breaks are dropped. A '<' that does not open a
// tag ("a < b") is kept.
func plainText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!') {
			end := strings.IndexByte(s[i:], '>')
			if end > 0 {
				name := tagName(s[i+1 : i+end])
				switch name {
				case "br":
					b.WriteByte('\n')
				case "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "table":
					b.WriteString("\n\n")
				}
				i += end + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	text := html.UnescapeString(b.String())
	var paras []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		var lines []string
		for _, line := range strings.Split(para, "\n") {
			if line = collapseSpaces(line); line != "" {
				lines = append(lines, line)
			}
		}
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\n"))
		}
	}
	return strings.Join(paras, "\n\n")
}

// tagName returns the lower-case element name of a tag's inside ("/p",
// "br /", "a href=...").
func tagName(inside string) string {
	inside = strings.TrimPrefix(inside, "/")
	end := strings.IndexFunc(inside, func(r rune) bool { return !(r < utf8.RuneSelf && (isASCIILetter(byte(r)) || (r >= '0' && r <= '9'))) })
	if end < 0 {
		end = len(inside)
	}
	return strings.ToLower(inside[:end])
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// collapseSpaces trims s and turns every run of white space into one space,
// dropping control characters.
func collapseSpaces(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r) || r == utf8.RuneError:
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// summarize is the plain text of s on one line, cut at a word boundary
// before SummaryRunes runes and ended with "…" when it was longer.
func summarize(s string) string {
	t := collapseSpaces(plainText(s))
	if utf8.RuneCountInString(t) <= SummaryRunes {
		return t
	}
	runes := []rune(t)[:SummaryRunes-1]
	cut := len(runes)
	for i := len(runes) - 1; i > SummaryRunes/2; i-- {
		if unicode.IsSpace(runes[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(runes[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) + "…"
}

// paragraphs renders s (plain text or simple HTML) as escaped HTML
// paragraphs: <p>…</p> per paragraph, <br> for a line break within one.
func paragraphs(s string) string {
	t := plainText(s)
	if t == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(t, "\n\n") {
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// hashtagName turns a tag or keyword into a hashtag name without '#', in
// the shape Mastodon accepts: letters, digits and '_' (runs of anything
// else become one '_'); "" when it holds no letter.
func hashtagName(tag string) string {
	var b strings.Builder
	sep, letter := false, false
	for _, r := range tag {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			letter = letter || unicode.IsLetter(r)
			b.WriteRune(r)
		default:
			sep = true
		}
	}
	if !letter {
		return ""
	}
	return b.String()
}

// hashtags lists the hashtag names of tags in every language (English
// first), de-duplicated without regard to case, at most MaxHashtags.
func hashtags(tags protocol.TextList) []string {
	langs := make(protocol.Text, len(tags))
	for l, vs := range tags {
		if len(vs) > 0 {
			langs[l] = "x"
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range langs.Languages() {
		for _, v := range tags[l] {
			name := hashtagName(v)
			key := strings.ToLower(name)
			if name == "" || seen[key] {
				continue
			}
			if len(out) == MaxHashtags {
				return out
			}
			seen[key] = true
			out = append(out, name)
		}
	}
	return out
}
