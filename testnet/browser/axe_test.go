package browser

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAxeFindsViolations keeps the accessibility check honest: a page
// with a nameless button, an image without alt text, grey-on-white text
// and no lang attribute must give those violations.
func TestAxeFindsViolations(t *testing.T) {
	needTools(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><title>bad</title></head><body><main id="main">
<button></button><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="color:#bbb;background:#fff">faint</p>
</main></body></html>`))
	}))
	defer srv.Close()
	ctx := browser(t)
	do(t, ctx, "open the bad page", chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.ID("main")))
	var ids []string
	for _, v := range violations(t, ctx, "bad page") {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"button-name", "image-alt", "color-contrast", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe did not report %s on a page that has it; it reported %v", want, ids)
		}
	}
}
