package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCoSignOnASecondNodeAndAdopt: an editor of A publishes a public
// service co-produced with B's organisation; B's admin finds the draft in
// the co-signing inbox and approves it; the service, signed by both, is
// published, and B adopts it from its page ("we use this"), which A's page
// then shows under "Used by".
func TestCoSignOnASecondNodeAndAdopt(t *testing.T) {
	needTools(t)
	a, b := federationOfTwo(t)
	editor := browser(t)
	signIn(t, editor, a, "alice", "Alice Rossi")
	open(t, editor, a.url+"/new/public-service")
	do(t, editor, "draft a co-produced service",
		chromedp.SendKeys(chromedp.CSS(`[name="identifier"]`), "shared-desk"),
		chromedp.SendKeys(chromedp.CSS(`[name="title.en"]`), "Shared help desk"),
		chromedp.SendKeys(chromedp.CSS(`[name="description.en"]`), "One desk for the residents of both municipalities, run together."),
		chromedp.SendKeys(chromedp.CSS(`[name="competent_authority"]`), a.actor()),
		chromedp.SendKeys(chromedp.CSS(`[name="coproduced_by"]`), b.actor()),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice, [role="status"]`)),
	)
	checkA11y(t, editor, "the draft sent")

	admin := browser(t)
	signIn(t, admin, b, "bruno", "Bruno Díaz")
	deadline := time.Now().Add(30 * time.Second)
	for {
		open(t, admin, b.url+"/cosign")
		if ok := get(t, admin, "is the request listed", chromedp.Evaluate[bool](`!!document.querySelector('a[href^="/cosign/"]')`)); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the co-signing request never reached B's inbox")
		}
		time.Sleep(500 * time.Millisecond)
	}
	shoot(t, admin, "cosign-inbox")
	do(t, admin, "open the request",
		chromedp.Click(chromedp.CSS(`a[href^="/cosign/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/approve"] button`)),
	)
	checkA11y(t, admin, "the co-signing request")
	if body := text(t, admin, "main"); !strings.Contains(body, "Shared help desk") {
		t.Fatalf("the request does not show the service it asks to sign:\n%s", body)
	}
	shoot(t, admin, "cosign-request")
	do(t, admin, "approve",
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)), // back in the inbox
	)
	waitFor(t, 30*time.Second, "the co-signed service is published on A and reaches B", func() bool {
		return searchTotal(a, "desk") > 0 && searchTotal(b, "desk") > 0
	})

	// B adopts it from its page on B.
	open(t, admin, b.url+"/search?q=desk")
	do(t, admin, "open the service on B",
		chromedp.Click(chromedp.CSS("ul.results li h3 a")),
		chromedp.WaitVisible(chromedp.ID("h-usedby")),
	)
	if prov := text(t, admin, "section[aria-labelledby=h-prov]"); !strings.Contains(prov, "Ayuntamiento de Prueba") && !strings.Contains(prov, b.url) {
		t.Errorf("the co-signed service's provenance does not name B among its signers:\n%s", prov)
	}
	do(t, admin, "adopt it",
		chromedp.SendKeys(chromedp.ID("adopt-note"), "Our residents use the shared desk."),
		chromedp.Click(chromedp.CSS(`form[action$="/adopt"] button`)),
		chromedp.WaitVisible(chromedp.ID("uses")),
	)
	checkA11y(t, admin, "after adopting")
	if used := text(t, admin, "section[aria-labelledby=h-usedby]"); !strings.Contains(used, "Ayuntamiento de Prueba") && !strings.Contains(used, b.url) {
		t.Fatalf("after adopting, 'Used by' does not list B:\n%s", used)
	}
	shoot(t, admin, "adopted")
}
