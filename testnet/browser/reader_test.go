package browser

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// federationOfTwo starts A holding the real INTERLINK catalogue, with an
// editor account, and B following A, once B holds A's catalogue.
func federationOfTwo(t *testing.T) (a, b *node) {
	t.Helper()
	seed := testenv.Data(t, "interlink-catalogue")
	a = startNode(t, "Comune di Prova", "IT", "127.0.0.31")
	b = startNode(t, "Ayuntamiento de Prueba", "ES", "127.0.0.32")
	a.cli(t, "", "import", "interlink", seed)
	a.cli(t, "correct horse battery staple\n", "user", "create", "alice", "--role", "editor", "--display-name", "Alice Rossi")
	b.cli(t, "correct horse battery staple\n", "user", "create", "bruno", "--role", "admin", "--display-name", "Bruno Díaz")
	b.cli(t, "", "follow", a.actor())
	waitFor(t, 60*time.Second, "B holds A's catalogue", func() bool {
		return searchTotal(b, "canvas") > 0
	})
	return a, b
}

// searchTotal asks n's JSON API how many objects match q.
func searchTotal(n *node, q string) int {
	r, err := http.Get(n.url + "/api/v1/search?q=" + q)
	if err != nil {
		return 0
	}
	defer r.Body.Close()
	var res struct{ Total int }
	if json.NewDecoder(r.Body).Decode(&res) != nil {
		return 0
	}
	return res.Total
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestReaderAndEditorJourney walks the pages as a citizen and then a
// municipal editor would: the home page, a search, an object and its
// provenance, the language switch (remembered), sign-in, and the same
// object seen on a follower node with its origin; every page passes
// axe-core's WCAG 2.1 A/AA rules.
func TestReaderAndEditorJourney(t *testing.T) {
	needTools(t)
	a, b := federationOfTwo(t)
	ctx := browser(t)

	// Home.
	open(t, ctx, a.url+"/")
	if h := text(t, ctx, "h1"); !strings.Contains(h, "Comune di Prova") {
		t.Fatalf("the home page's heading is %q, not the node's organisation", h)
	}
	shoot(t, ctx, "home")

	// Search from the header's box.
	do(t, ctx, "search for canvas",
		chromedp.SendKeys(chromedp.ID("q-top"), "canvas"),
		chromedp.Submit(chromedp.ID("q-top")),
		chromedp.WaitVisible(chromedp.ID("h-results")), // the home page lists results too
		chromedp.WaitVisible(chromedp.CSS("ul.results li h3 a")),
	)
	checkA11y(t, ctx, "search")
	if h := text(t, ctx, "#h-results"); !strings.ContainsAny(h, "123456789") {
		t.Fatalf("the results heading gives no count: %q", h)
	}
	if mark := text(t, ctx, "ul.results mark"); !strings.EqualFold(mark, "canvas") {
		t.Fatalf("the matched word is not highlighted: %q", mark)
	}
	shoot(t, ctx, "search")

	// The first result's page, with its provenance in words.
	do(t, ctx, "open the first result",
		chromedp.Click(chromedp.CSS("ul.results li h3 a")),
		chromedp.WaitVisible(chromedp.ID("h-prov")),
	)
	checkA11y(t, ctx, "object")
	objectURL := location(t, ctx)
	prov := text(t, ctx, "section[aria-labelledby=h-prov]")
	if !strings.Contains(prov, a.url) {
		t.Fatalf("the provenance does not name the origin node %s:\n%s", a.url, prov)
	}
	shoot(t, ctx, "object")

	// Switch to Spanish: the page and the next one are in Spanish.
	do(t, ctx, "switch to Spanish",
		chromedp.Click(chromedp.CSS(`a[hreflang="es"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="es"]`)),
	)
	open(t, ctx, a.url+"/search?q=canvas")
	if lang := attr(t, ctx, "html", "lang"); lang != "es" {
		t.Fatalf("the language choice is not remembered: the next page is in %q", lang)
	}
	do(t, ctx, "switch back to English",
		chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)),
	)

	// Sign in with a password.
	open(t, ctx, a.url+"/login")
	shoot(t, ctx, "login")
	signIn(t, ctx, a, "alice", "Alice Rossi")
	open(t, ctx, objectURL)

	// The follower shows A's object with A as its origin.
	open(t, ctx, b.url+"/search?q=canvas")
	do(t, ctx, "open the result on B",
		chromedp.Click(chromedp.CSS("ul.results li h3 a")),
		chromedp.WaitVisible(chromedp.ID("h-prov")),
	)
	checkA11y(t, ctx, "object on the follower")
	if at := location(t, ctx); !strings.HasPrefix(at, b.url+"/objects/") {
		t.Fatalf("the follower's result leads to %s, not to the follower's own page of it", at)
	}
	if prov := text(t, ctx, "section[aria-labelledby=h-prov]"); !strings.Contains(prov, a.url) {
		t.Fatalf("on the follower, the provenance does not name the origin %s:\n%s", a.url, prov)
	}
	do(t, ctx, "follow the link to the origin's page", chromedp.Click(chromedp.CSS("section[aria-labelledby=h-prov] dd a")))
	waitLocation(t, ctx, a.url+"/objects/")
	do(t, ctx, "the origin's page", chromedp.WaitVisible(chromedp.ID("h-prov")))
}
