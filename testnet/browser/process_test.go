package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCoProductionProcessPages: an admin of A starts a co-production
// process from one of the catalogue's schemas, invites B's organisation;
// B's admin accepts in the browser; A's admin works on a task; B's
// workspace then shows the same signed change in its timeline.
func TestCoProductionProcessPages(t *testing.T) {
	needTools(t)
	a, b := federationOfTwo(t)
	a.cli(t, "correct horse battery staple\n", "user", "create", "carla", "--role", "admin", "--display-name", "Carla Bianchi")

	host := browser(t)
	workspace := startAndInvite(t, host, a, b, "Green courtyards", "Turn school courtyards into green spaces with the neighbourhood.")

	guest := browser(t)
	signIn(t, guest, b, "bruno", "Bruno Díaz")
	deadline := time.Now().Add(30 * time.Second)
	for {
		open(t, guest, b.url+"/processes")
		if get(t, guest, "is the invitation listed", chromedp.Evaluate[bool](`!!document.querySelector('form[action$="/accept"] button')`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the invitation never reached B's processes page")
		}
		time.Sleep(500 * time.Millisecond)
	}
	do(t, guest, "accept",
		chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	)

	// A's admin works on the first task.
	open(t, host, workspace)
	shoot(t, host, "process")
	do(t, host, "open the first task",
		chromedp.Click(chromedp.CSS(`table tbody th a[href*="/tasks/"]`)),
		chromedp.WaitVisible(chromedp.ID("status")),
	)
	checkA11y(t, host, "a task page")
	task := location(t, host)
	do(t, host, "set the task in progress",
		chromedp.SetValue(chromedp.ID("status"), "in_progress"),
		chromedp.SetValue(chromedp.ID("progress"), "40"),
		chromedp.Click(chromedp.CSS(`form[action$="`+task[strings.Index(task, "/processes/"):]+`"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	)
	shoot(t, host, "process-task")
	taskName := text(t, host, "h1")

	// B holds the same history: its workspace shows the change, signed by A.
	guestWorkspace := b.url + workspace[len(a.url):]
	if !strings.HasPrefix(workspace, a.url) {
		t.Fatalf("the workspace %s is not on A", workspace)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		open(t, guest, guestWorkspace)
		tl := text(t, guest, "#timeline")
		if strings.Contains(tl, "Comune di Prova") && strings.Contains(text(t, guest, "main"), "40%") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B's workspace does not show A's change to %q:\n%s", taskName, tl)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// startAndInvite signs Carla (an admin of a) in on host, starts a process
// from the first of the catalogue's co-production schemas, checks its
// workspace with axe, invites b's organisation, and returns the workspace's
// path without its query.
func startAndInvite(t *testing.T, host context.Context, a, b *node, name, aim string) string {
	t.Helper()
	signIn(t, host, a, "carla", "Carla Bianchi")
	open(t, host, a.url+"/processes")
	do(t, host, "fill the start form",
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("aim"), aim),
		chromedp.SetValue(chromedp.ID("governance"), "government-plus-citizen"),
	)
	if !get(t, host, "pick a schema", chromedp.Evaluate[bool](
		`(() => { const s = document.getElementById('schema'); s.selectedIndex = 1; return s.value !== '' })()`)) {
		t.Fatal("the form offers none of the catalogue's co-production schemas")
	}
	do(t, host, "start it",
		chromedp.Click(chromedp.CSS(`form[action="/processes"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("h-timeline")),
	)
	checkA11y(t, host, "the new process's workspace")
	workspace := location(t, host)
	workspace = workspace[:strings.IndexAny(workspace+"?", "?")]
	do(t, host, "invite B",
		chromedp.SendKeys(chromedp.ID("target"), b.actor()),
		chromedp.Click(chromedp.CSS(`form[action$="/invite"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	)
	return workspace
}
