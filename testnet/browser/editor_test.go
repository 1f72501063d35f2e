package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signIn fills n's sign-in form and waits for the page naming the person.
func signIn(t *testing.T, ctx context.Context, n *node, user, display string) {
	t.Helper()
	open(t, ctx, n.url+"/login")
	do(t, ctx, "sign in as "+user,
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), "correct horse battery staple"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".account strong")),
	)
	if who := text(t, ctx, ".account"); !strings.Contains(who, display) {
		t.Fatalf("after sign-in the page does not name %s: %q", display, who)
	}
}

// TestPublishThroughTheForm: an editor publishes a new interlinker through
// the form (a missing name is refused next to the field, the preview saves
// nothing, then Publish), and a citizen finds it on the follower's pages.
func TestPublishThroughTheForm(t *testing.T) {
	needTools(t)
	a, b := federationOfTwo(t)
	ctx := browser(t)
	signIn(t, ctx, a, "alice", "Alice Rossi")

	open(t, ctx, a.url+"/new/interlinker")
	shoot(t, ctx, "editor")
	do(t, ctx, "fill the form without a name",
		chromedp.SendKeys(chromedp.CSS(`[name="key"]`), "neighbourhood_survey"),
		chromedp.SetValue(chromedp.CSS(`select[name="nature"]`), "knowledge"),
		chromedp.SendKeys(chromedp.CSS(`[name="description.en"]`), "Ask the people of a neighbourhood what they need, in four languages."),
		chromedp.SendKeys(chromedp.CSS(`[name="tags.en"]`), "survey\nparticipation"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.ID("error-summary-title")),
	)
	checkA11y(t, ctx, "the refused form")
	// The name's message sits in the name's group of language boxes.
	msg := get(t, ctx, "the name's message", chromedp.Evaluate[string](
		`document.querySelector('[name="name.en"]').closest('.invalid')?.querySelector('.error')?.textContent ?? ""`))
	if strings.TrimSpace(msg) == "" {
		t.Fatal("the refused form shows no message next to the name")
	}
	if got := attr(t, ctx, `[name="description.en"]`, "aria-invalid"); got != "" {
		t.Errorf("the valid description is marked invalid")
	}
	shoot(t, ctx, "editor-errors")
	if searchTotal(a, "neighbourhood") != 0 {
		t.Fatal("a refused form saved something")
	}

	do(t, ctx, "name it and preview",
		chromedp.SendKeys(chromedp.CSS(`[name="name.en"]`), "Neighbourhood survey"),
		chromedp.SendKeys(chromedp.CSS(`[name="name.es"]`), "Encuesta de barrio"),
		chromedp.Click(chromedp.CSS(`button.secondary[value="preview"]`)),
		chromedp.WaitVisible(chromedp.ID("h-preview")),
	)
	checkA11y(t, ctx, "the preview")
	if searchTotal(a, "neighbourhood") != 0 {
		t.Fatal("the preview saved something")
	}
	do(t, ctx, "publish", chromedp.Click(chromedp.CSS(`button[value="save"]`)))
	waitLocation(t, ctx, a.url+"/objects/") // the preview shows a provenance section too
	do(t, ctx, "the published page", chromedp.WaitVisible(chromedp.ID("h-prov")))
	if h := text(t, ctx, "h1"); !strings.Contains(h, "Neighbourhood survey") {
		t.Fatalf("after publishing, the page's heading is %q", h)
	}

	// A citizen on the follower finds it, in Spanish.
	waitFor(t, 30*time.Second, "the new interlinker reaches B", func() bool { return searchTotal(b, "neighbourhood") > 0 })
	reader := browser(t)
	open(t, reader, b.url+"/search?q=neighbourhood&lang=es")
	do(t, reader, "open it on B",
		chromedp.Click(chromedp.CSS("ul.results li h3 a")),
		chromedp.WaitVisible(chromedp.ID("h-prov")),
	)
	if h := text(t, reader, "h1"); !strings.Contains(h, "Encuesta de barrio") {
		t.Fatalf("on the follower, in Spanish, the heading is %q", h)
	}
}
