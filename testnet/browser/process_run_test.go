package browser

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRunAProcessThroughThePages: a whole co-production process from the
// browser, with no CLI: A's admin starts it from a schema and invites B,
// B's admin accepts; A's admin adds a phase, an objective and a task (B
// responsible), uploads a file to the task and downloads it back, gives B
// the administer right on the new phase, looks at the board, and finishes
// the process with its story; the public service it drafted is co-signed
// by B's node and shown published on the story. axe-core checks every
// page on the way.
func TestRunAProcessThroughThePages(t *testing.T) {
	needTools(t)
	a, b := federationOfTwo(t)
	a.cli(t, "correct horse battery staple\n", "user", "create", "carla", "--role", "admin", "--display-name", "Carla Bianchi")

	host := browser(t)
	workspace := startAndInvite(t, host, a, b, "Shared gardens of Santa Croce", "Run the district's gardens with the neighbourhood.")
	guest := browser(t)
	signIn(t, guest, b, "bruno", "Bruno Díaz")
	retry(t, 30*time.Second, "the invitation reaches B", func() bool {
		open(t, guest, b.url+"/processes")
		return get(t, guest, "is the invitation listed", chromedp.Evaluate[bool](`!!document.querySelector('form[action$="/accept"] button')`))
	})
	do(t, guest, "accept", chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)), chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)))
	checkA11y(t, guest, "B's processes after accepting")
	retry(t, 30*time.Second, "A's workspace lists B's rights", func() bool {
		open(t, host, workspace)
		return get(t, host, "is B's rights form there", chromedp.Evaluate[bool](`!!document.querySelector('form[action$="/rights"]')`))
	})

	// Grow the tree through its forms.
	do(t, host, "open the tree's forms", chromedp.Click(chromedp.CSS(`a[href$="/tree"]`)), chromedp.WaitVisible(chromedp.ID("h-add-phase")))
	checkA11y(t, host, "the tree's forms")
	do(t, host, "add a phase",
		chromedp.SendKeys(chromedp.ID("phase-name"), "Pilot"),
		chromedp.SendKeys(chromedp.ID("phase-key"), "pilot"),
		chromedp.Click(chromedp.CSS(`form[action$="/phases"] button`)),
	)
	landed(t, host, workspace+"/tree?done=phase_added")
	do(t, host, "add an objective to it",
		chromedp.SetValue(chromedp.ID("objective-phase"), "pilot"),
		chromedp.SendKeys(chromedp.ID("objective-name"), "Open the first garden"),
		chromedp.SendKeys(chromedp.ID("objective-key"), "first-garden"),
		chromedp.Click(chromedp.CSS(`form[action$="/objectives"] button`)),
	)
	landed(t, host, workspace+"/tree?done=objective_added")
	do(t, host, "add a task to it, B responsible",
		chromedp.SetValue(chromedp.ID("task-objective"), "first-garden"),
		chromedp.SendKeys(chromedp.ID("task-name"), "Agree the watering rota"),
		chromedp.SendKeys(chromedp.ID("task-key"), "rota"),
		chromedp.SetValue(chromedp.ID("task-start"), "2026-05-01"),
		chromedp.SetValue(chromedp.ID("task-end"), "2026-05-31"),
		chromedp.SetValue(chromedp.ID("task-responsible"), b.url),
		chromedp.Click(chromedp.CSS(`form[action$="/tasks"] button`)),
	)
	landed(t, host, workspace+"/tree?done=task_added")
	checkA11y(t, host, "the tree's forms after adding")

	// A file on the task, and back.
	open(t, host, workspace+"/tasks/rota")
	file := filepath.Join(t.TempDir(), "rota.csv")
	content := "day,who\nMonday,Anna\nTuesday,Bruno\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, host, "upload the rota",
		chromedp.SetUploadFiles(chromedp.ID("asset-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form[action$="/files"] button`)),
	)
	landed(t, host, workspace+"/tasks/rota?done=file_added")
	checkA11y(t, host, "the task page with its file")
	got := get(t, host, "download the rota", chromedp.Evaluate[string](
		`fetch(document.querySelector('a[download]').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if got != content {
		t.Fatalf("the downloaded file is %q, not %q", got, content)
	}

	// B may administer the new phase.
	open(t, host, workspace)
	if !get(t, host, "choose the phase and the right in B's new grant", chromedp.Evaluate[bool](`(() => {
  const f = document.querySelector('form[action$="/rights"]'); const fs = f.querySelectorAll('fieldset'); const last = fs[fs.length-1];
  last.querySelector('select').value = 'pilot'; const box = last.querySelector('input[value="administer"]'); box.checked = true;
  return last.querySelector('select').value === 'pilot' })()`)) {
		t.Fatal("B's rights form has no scope for the new phase")
	}
	do(t, host, "save B's rights",
		chromedp.Click(chromedp.CSS(`form[action$="/rights"] button[type="submit"]`)),
	)
	landed(t, host, workspace+"?done=rights_changed")
	checkA11y(t, host, "the workspace after the grant")
	get(t, host, "scroll to the rights", chromedp.Evaluate[bool](`(() => { document.getElementById('h-manage').scrollIntoView(); return true })()`))
	shoot(t, host, "process-rights")
	if rights := text(t, host, "#h-participants + div table"); !strings.Contains(rights, "pilot: administer") {
		t.Fatalf("the participants do not show B's new grant:\n%s", rights)
	}

	// The task under way, then the board.
	open(t, host, workspace+"/tasks/rota")
	do(t, host, "set the rota in progress",
		chromedp.SetValue(chromedp.ID("status"), "in_progress"),
		chromedp.SetValue(chromedp.ID("progress"), "30"),
		chromedp.Click(chromedp.CSS(`form[action$="/tasks/rota"] button`)),
	)
	landed(t, host, workspace+"/tasks/rota?done=task_updated")
	open(t, host, workspace)
	do(t, host, "switch to the board", chromedp.Click(chromedp.CSS(`a[href$="?view=board#h-tree"]`)), chromedp.WaitVisible(chromedp.ID("col-awaiting")))
	checkA11y(t, host, "the board")
	if col := text(t, host, `section[aria-labelledby="col-in_progress"]`); !strings.Contains(col, "Agree the watering rota") ||
		!strings.Contains(col, "Ayuntamiento de Prueba") || !strings.Contains(col, "30%") || !strings.Contains(col, "Phase: Pilot") {
		t.Fatalf("the board's column of tasks in progress lacks the rota:\n%s", col)
	}
	get(t, host, "scroll to the board", chromedp.Evaluate[bool](`(() => { document.getElementById('h-tree').scrollIntoView(); return true })()`))
	shoot(t, host, "process-board")

	// Finish with the story.
	do(t, host, "open the finish form", chromedp.Click(chromedp.CSS(`a[href$="/finish"]`)), chromedp.WaitVisible(chromedp.ID("title")))
	checkA11y(t, host, "the finish form")
	do(t, host, "tell the story",
		chromedp.SendKeys(chromedp.ID("title"), "Gardens run by their neighbours"),
		chromedp.SendKeys(chromedp.ID("summary"), "Residents, the civic group and the municipality agreed rotas and opened the first garden."),
		chromedp.SendKeys(chromedp.ID("lessons"), "Start with one garden and a shared rota."),
		chromedp.SendKeys(chromedp.ID("materials"), "https://example.org/rota-template\nhttps://example.org/watering-rota.pdf"),
	)
	get(t, host, "back to the top", chromedp.Evaluate[bool](`(() => { document.activeElement.blur(); window.scrollTo(0, 0); return true })()`))
	shoot(t, host, "process-finish")
	do(t, host, "finish",
		chromedp.Click(chromedp.CSS(`form[action$="/finish"] button`)),
		chromedp.WaitVisible(chromedp.ID("h-story")),
	)
	checkA11y(t, host, "the finished process")
	retry(t, 60*time.Second, "B co-signs the drafted service and A publishes it", func() bool {
		open(t, host, workspace)
		return strings.Contains(text(t, host, `section[aria-labelledby="h-story"]`), "is published")
	})
	do(t, host, "open the public service", chromedp.Click(chromedp.CSS(`section[aria-labelledby="h-story"] a[href^="/objects/"]:not(.story-link)`)), chromedp.WaitVisible(chromedp.ID("main")))
	checkA11y(t, host, "the co-produced public service")
	if h1 := text(t, host, "h1"); !strings.Contains(h1, "Gardens run by their neighbours") {
		t.Fatalf("the service page is %q", h1)
	}
	// The story is a catalogue object of its own, co-signed by both.
	retry(t, 60*time.Second, "B co-signs the story and A publishes it", func() bool {
		open(t, host, workspace)
		return get(t, host, "is the story linked", chromedp.Evaluate[bool](`!!document.querySelector('a.story-link')`))
	})
	do(t, host, "open the story", chromedp.Click(chromedp.CSS(`a.story-link`)), chromedp.WaitVisible(chromedp.ID("h-story")))
	checkA11y(t, host, "the story's page")
	if body := text(t, host, "main"); !strings.Contains(body, "Start with one garden and a shared rota.") || !strings.Contains(body, "Ayuntamiento de Prueba") {
		t.Fatalf("the story's page lacks its lessons or a participant:\n%s", body)
	}
	shoot(t, host, "story")
}

// retry runs cond until it holds or within passes.
func retry(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// landed waits until the browser is at the page a form sent it to (the
// URL starting with prefix) and shows its confirmation: the page of the
// form had a confirmation too, so waiting for one alone may stop early.
func landed(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	waitLocation(t, ctx, prefix)
	do(t, ctx, "the confirmation at "+prefix, chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)))
}
