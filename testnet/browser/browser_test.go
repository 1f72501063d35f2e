package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser opens a fresh headless chromium (its own profile: no cookies
// shared between tests) and closes it when the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(tools.chrome),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first run starts the browser, which lives as long as ctx: no
	// timeout on it (each step gets its own in do).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// stepTimeout bounds one step of a test in the browser.
const stepTimeout = 60 * time.Second

// do runs steps, failing the test with what it was doing.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one step that gives a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// violation is one axe-core finding.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkA11y injects axe-core into the current page and fails the test on
// any violation of WCAG 2.0/2.1 level A or AA.
func checkA11y(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, v := range violations(t, ctx, page) {
		t.Errorf("%s: WCAG violation %s (%s): %s\n    %s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n    "))
	}
}

// violations runs axe-core's WCAG 2.0/2.1 A and AA rules on the current
// page.
func violations(t *testing.T, ctx context.Context, page string) []violation {
	t.Helper()
	get(t, ctx, "inject axe-core into "+page, chromedp.Evaluate[*runtime.RemoteObject](tools.axe))
	run := `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
     nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160))})))`
	return get(t, ctx, "axe on "+page, chromedp.Evaluate[[]violation](run, chromedp.EvalAwaitPromise))
}

// open navigates to url, waits for the main landmark and checks the page
// with axe-core.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("main")))
	checkA11y(t, ctx, url)
}

// text is the visible text of the first element matching the CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// attr is the value of an attribute of the first element matching sel.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	return get(t, ctx, "read "+sel+"@"+name, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// location is the current page's URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "read the location", chromedp.Location())
}

// waitLocation waits until the browser is at a URL starting with prefix
// (a click on a link between two pages with the same landmarks).
func waitLocation(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		at := location(t, ctx)
		if strings.HasPrefix(at, prefix) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the browser is at %s, not at %s…", at, prefix)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shoot writes what the current page shows first, at desktop (1280×900)
// and phone (390×844) sizes, as PNG into the screenshots directory, when
// one was asked for.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if *screenshots == "" {
		return
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []struct {
		suffix string
		w, h   int64
		opts   []chromedp.EmulateViewportOption
	}{{"desktop", 1280, 900, nil}, {"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulatePortrait}}} {
		do(t, ctx, "resize for "+name, chromedp.EmulateViewport(size.w, size.h, size.opts...))
		img := get(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
		file := filepath.Join(*screenshots, fmt.Sprintf("%s-%s.png", name, size.suffix))
		if err := os.WriteFile(file, img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "reset the viewport", chromedp.ResetViewport())
}
