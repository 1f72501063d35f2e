package web

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

var nextHref = regexp.MustCompile(`<a class="button" href="([^"]+)" rel="next">`)

// The second page of results in one language, then the language switcher:
// the switch starts the other language's search at its first page (a
// cursor belongs to its language's query), and the next link carries its
// language, so that it works for a visitor without the language cookie.
func TestSearchPagesAcrossLanguages(t *testing.T) {
	f := newFixture(t)
	f.h.d.SearchWait = 10 * time.Second
	for i := range 25 {
		f.put(t, testInterlinker(fmt.Sprintf("tool_%02d", i)))
	}
	first := f.do(t, http.MethodGet, "/search?q=&lang=en", nil, nil)
	m := nextHref.FindStringSubmatch(first.Body.String())
	if first.Code != 200 || m == nil {
		t.Fatalf("first page: %d, next link %v", first.Code, m)
	}
	next := html.UnescapeString(m[1])
	if !strings.Contains(next, "lang=en") {
		t.Errorf("the next link %s does not carry the language", next)
	}
	// No cookie, another browser language: the link alone decides.
	second := f.do(t, http.MethodGet, next, nil, nil, "Accept-Language", "it")
	body := second.Body.String()
	if second.Code != 200 || !strings.Contains(body, `<html lang="en">`) || strings.Contains(body, `class="error"`) {
		t.Fatalf("second page from the next link: %d\n%s", second.Code, body)
	}
	switcher := regexp.MustCompile(`<a href="([^"]+)" lang="it" hreflang="it"`).FindStringSubmatch(body)
	if switcher == nil || strings.Contains(switcher[1], "cursor") {
		t.Fatalf("the switch to Italian on page 2 keeps the cursor: %v", switcher)
	}
	it := f.do(t, http.MethodGet, html.UnescapeString(switcher[1]), nil, nil)
	if b := it.Body.String(); it.Code != 200 || !strings.Contains(b, "Strumento tool_") || strings.Contains(b, `class="error"`) {
		t.Fatalf("the Italian search after the switch: %d\n%s", it.Code, b)
	}
	// A page link of the other language, kept from before the switch
	// (bookmarked, or the back button): the first page, said so.
	stale := strings.Replace(next, "lang=en", "lang=it", 1)
	w := f.do(t, http.MethodGet, stale, nil, nil)
	if b := w.Body.String(); w.Code != 200 || !strings.Contains(b, `role="status"`) || !strings.Contains(b, "Strumento tool_") {
		t.Fatalf("a cursor of another language's search: %d\n%s", w.Code, b)
	}
}

// A search text the index refuses is said at the search field, for what
// it is (not as a problem with filters the visitor did not set), and the
// text stays in the field.
func TestSearchTextErrors(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ q, lang, want string }{
		{strings.Repeat("a", 3000), "en", "too long"},
		{strings.Repeat("b", 3000), "lv", "pārāk garš"},
		{"caf%FF", "en", "not valid text"},
	} {
		w := f.do(t, http.MethodGet, "/search?lang="+c.lang+"&q="+c.q, nil, nil)
		body := w.Body.String()
		if w.Code != http.StatusBadRequest || !strings.Contains(body, `id="q-error"`) || !strings.Contains(body, c.want) ||
			!strings.Contains(body, `aria-describedby="q-error"`) || strings.Contains(body, "check the filters") || strings.Contains(body, "pārbaudiet filtrus") {
			t.Errorf("q=%.20s…: %d\n%s", c.q, w.Code, body)
		}
		if strings.HasPrefix(c.q, "a") && !strings.Contains(body, `value="`+c.q+`"`) {
			t.Errorf("the long text is not kept in the field")
		}
	}
}

// Each text of a result carries its own language: a Latvian description
// under an English-only name is marked lv, the name en.
func TestSearchResultTextLanguages(t *testing.T) {
	f := newFixture(t)
	f.h.d.SearchWait = 10 * time.Second
	f.put(t, &protocol.Interlinker{Type: protocol.KindInterlinker, Key: "zubrs", Nature: "knowledge",
		Name:        protocol.Text{"en": "Zubrs Planner"},
		Description: protocol.Text{"en": "Plans for bison.", "lv": "Plānotājs sumbriem un zubriem."}})
	body := f.do(t, http.MethodGet, "/search?q=zubrs&lang=lv", nil, nil).Body.String()
	if !strings.Contains(body, `lang="en"><mark>Zubrs</mark> Planner</a>`) {
		t.Errorf("the English name is not marked en:\n%s", body)
	}
	if !strings.Contains(body, "<p>Plānotājs sumbriem") || strings.Contains(body, `lang="en">Plānotājs`) {
		t.Errorf("the Latvian description is marked as another language:\n%s", body)
	}
}

// Signing in from a page comes back to it; the home page's title names
// the node once.
func TestSignInLinkComesBack(t *testing.T) {
	f := newFixture(t)
	obj := f.put(t, testInterlinker("canvas"))
	body := f.do(t, http.MethodGet, "/objects/"+idOf(obj)+"?lang=it", nil, nil).Body.String()
	want := `href="/login?next=%2Fobjects%2F` + idOf(obj) + `%3Flang%3Dit"`
	if !strings.Contains(body, want) {
		t.Errorf("the sign-in link of an object page does not come back to it (want %s)", want)
	}
	home := f.do(t, http.MethodGet, "/", nil, nil).Body.String()
	if !strings.Contains(home, "<title>Comune di Prova</title>") {
		t.Errorf("the home page's title: %s", home[strings.Index(home, "<title>"):strings.Index(home, "</title>")])
	}
	// And the sign-in form carries it on.
	login := f.do(t, http.MethodGet, "/login?next=%2Fobjects%2F"+idOf(obj), nil, nil).Body.String()
	if !strings.Contains(login, `value="/objects/`+idOf(obj)+`"`) {
		t.Errorf("the sign-in form drops next")
	}
}
