package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

type processFixture struct {
	adminFixture
	procs *fakeProcesses
}

func newProcessFixture(t *testing.T) processFixture {
	t.Helper()
	f := newAdminFixture(t)
	procs := newFakeProcesses()
	f.h.d.Processes = procs
	mux := f.srv.(*http.ServeMux)
	s := func(h http.HandlerFunc) http.Handler { return f.h.Sessions(h) }
	id := func(h func(http.ResponseWriter, *http.Request, string)) http.Handler {
		return s(func(w http.ResponseWriter, r *http.Request) { h(w, r, r.PathValue("id")) })
	}
	key := func(h func(http.ResponseWriter, *http.Request, string, string)) http.Handler {
		return s(func(w http.ResponseWriter, r *http.Request) { h(w, r, r.PathValue("id"), r.PathValue("key")) })
	}
	mux.Handle("GET /processes", s(f.h.Processes().ProcessList))
	mux.Handle("POST /processes", s(f.h.Processes().ProcessCreate))
	mux.Handle("GET /processes/{id}", id(f.h.Processes().ProcessWorkspace))
	mux.Handle("POST /processes/{id}/invite", id(f.h.Processes().ProcessInvite))
	mux.Handle("POST /processes/{id}/accept", id(f.h.Processes().ProcessAnswer(true)))
	mux.Handle("POST /processes/{id}/decline", id(f.h.Processes().ProcessAnswer(false)))
	mux.Handle("GET /processes/{id}/tasks/{key}", key(f.h.Processes().ProcessTask))
	mux.Handle("POST /processes/{id}/tasks/{key}", key(f.h.Processes().ProcessTaskUpdate))
	mux.Handle("POST /processes/{id}/tasks/{key}/assets", key(f.h.Processes().ProcessAddLink))
	mux.Handle("GET /processes/{id}/assets/{key}", key(f.h.Processes().ProcessAsset))
	mux.Handle("POST /processes/join", s(f.h.Processes().ProcessJoin))
	mux.Handle("GET /processes/{id}/tree", id(f.h.Processes().ProcessTree))
	mux.Handle("POST /processes/{id}/phases", id(f.h.Processes().ProcessAddPhase))
	mux.Handle("POST /processes/{id}/objectives", id(f.h.Processes().ProcessAddObjective))
	mux.Handle("POST /processes/{id}/tasks", id(f.h.Processes().ProcessAddTask))
	mux.Handle("POST /processes/{id}/rights", id(f.h.Processes().ProcessGrant))
	mux.Handle("POST /processes/{id}/remove", id(f.h.Processes().ProcessRemove))
	mux.Handle("POST /processes/{id}/admit", id(f.h.Processes().ProcessAdmit))
	mux.Handle("GET /processes/{id}/finish", id(f.h.Processes().ProcessFinishForm))
	mux.Handle("POST /processes/{id}/finish", id(f.h.Processes().ProcessFinish))
	mux.Handle("POST /processes/{id}/tasks/{key}/files", key(f.h.Processes().ProcessAddFile))
	mux.Handle("POST /processes/{id}/tasks/{key}/assets/remove", key(f.h.Processes().ProcessRemoveAsset))
	return processFixture{adminFixture: f, procs: procs}
}

func lacks(t *testing.T, body string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(body, s) {
			t.Errorf("the page shows %q", s)
		}
	}
}

// The catalogue: a visitor sees the public processes and the finished
// ones' stories, a reader every process, an admin also the invitations
// received and the form to start one.
func TestProcessListPage(t *testing.T) {
	f := newProcessFixture(t)
	w := f.do(t, http.MethodGet, "/processes", nil, nil)
	wantPage(t, w, 200, "Shared gardens", `href="/processes/p1"`, "Sunday library", "Volunteers keep it open.", "Other town", "Finished",
		"In progress", `<th scope="col">`)
	lacks(t, w.Body.String(), "Internal budget", "Clean river", `action="/processes"`)
	w = f.do(t, http.MethodGet, "/processes", nil, f.reader.cookies)
	wantPage(t, w, 200, "Internal budget", "Shared gardens")
	lacks(t, w.Body.String(), "Clean river", `action="/processes"`)
	w = f.do(t, http.MethodGet, "/processes", nil, f.admin.cookies)
	wantPage(t, w, 200, "Invitations received", "Clean river", `action="/processes/p4/accept"`, `action="/processes/p4/decline"`,
		`action="/processes"`, `<label for="name">`, `<label for="governance">`, "Government with citizens", "Default schema", `<legend>Languages</legend>`)
	// The nav links to the catalogue.
	wantPage(t, f.do(t, http.MethodGet, "/processes", nil, nil), 200, `<a href="/processes">Processes</a>`)
	// In every language.
	wantPage(t, f.do(t, http.MethodGet, "/processes?lang=lv", nil, nil), 200, "Koprades procesi", `lang="lv"`)
}

func TestProcessWorkspacePage(t *testing.T) {
	f := newProcessFixture(t)
	w := f.do(t, http.MethodGet, "/processes/p1", nil, nil)
	wantPage(t, w, 200, "<h1>Shared gardens</h1>", "Gardens run with the neighbourhood", "Government with citizens", "Comune di Prova", "Other town",
		"Initiator", "Co-producer", "whole process: see, add assets", "Phase: Engage", "Objective: Map the needs",
		`href="/processes/p1/tasks/survey"`, "Survey the residents", "40%", "2026-03-01", "Signed changes", "Started the process", "maria",
		`href="/processes/p1?after=20#timeline"`, "45 changes")
	lacks(t, w.Body.String(), "Earlier changes", `action="/processes/p1/invite"`)
	// The next page of the timeline, and back.
	w = f.do(t, http.MethodGet, "/processes/p1?after=20", nil, nil)
	wantPage(t, w, 200, `<th scope="row">21</th>`, `<th scope="row">40</th>`, `href="/processes/p1?after=0#timeline"`, `href="/processes/p1?after=40#timeline"`)
	lacks(t, w.Body.String(), `<th scope="row">20</th>`, `<th scope="row">41</th>`)
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1?after=x", nil, nil), 400)
	// A private process: visitors sign in first; readers see it.
	wantRedirect(t, f.do(t, http.MethodGet, "/processes/p2", nil, nil), "/login?next="+url.QueryEscape("/processes/p2"))
	wantPage(t, f.do(t, http.MethodGet, "/processes/p2", nil, f.reader.cookies), 200, "Internal budget", "The process has no phases yet.")
	// A finished process's story is public.
	wantPage(t, f.do(t, http.MethodGet, "/processes/p3", nil, nil), 200, "Story: Sunday library")
	wantPage(t, f.do(t, http.MethodGet, "/processes/nope", nil, f.admin.cookies), 404)
	// Admins get the invitation form.
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1", nil, f.admin.cookies), 200, `action="/processes/p1/invite"`, `<label for="target">`)
}

func TestProcessTaskPage(t *testing.T) {
	f := newProcessFixture(t)
	w := f.do(t, http.MethodGet, "/processes/p1/tasks/survey", nil, nil)
	wantPage(t, w, 200, "<h1>Survey the residents</h1>", "Engage", "Map the needs", "Other town", "engagement",
		`href="/objects/01HSURVEYKIT00000000000000"`, `href="/processes/p1/assets/ab12"`, "Meeting notes",
		`href="https://pad.example/x"`, "Shared pad")
	lacks(t, w.Body.String(), `name="progress"`, `name="link"`)
	w = f.do(t, http.MethodGet, "/processes/p1/tasks/survey", nil, f.reader.cookies)
	lacks(t, w.Body.String(), `name="progress"`)
	w = f.do(t, http.MethodGet, "/processes/p1/tasks/survey", nil, f.editor.cookies)
	wantPage(t, w, 200, `<label for="status">`, `<label for="progress">`, `<label for="start">`, `<label for="end">`, `name="base" value="4"`,
		`value="in_progress" selected`, `<label for="asset-name">`, `<label for="asset-link">`, `value="40"`)
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1/tasks/nope", nil, nil), 404)
	wantRedirect(t, f.do(t, http.MethodGet, "/processes/p2/tasks/x", nil, nil), "/login")
	// The file asset downloads; a file of no task of the process does not.
	w = f.do(t, http.MethodGet, "/processes/p1/assets/ab12", nil, nil)
	if w.Code != 200 || w.Body.String() != "the notes" || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("asset: %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1/assets/ffff", nil, nil), 404)
	wantPage(t, f.do(t, http.MethodGet, "/processes/p3/assets/ab12", nil, nil), 404)
}

func TestProcessTaskUpdate(t *testing.T) {
	f := newProcessFixture(t)
	form := func(kv ...string) url.Values {
		v := url.Values{"status": {"in_progress"}, "progress": {"60"}, "start": {"2026-03-01"}, "end": {"2026-05-01"}, "base": {"4"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	const path = "/processes/p1/tasks/survey"
	for _, c := range []struct {
		name  string
		form  url.Values
		field string
		text  string
	}{
		{"a bad status", form("status", "done"), "status-error", "Choose a status from the list."},
		{"progress over 100", form("progress", "101"), "progress-error", "Enter a whole number from 0 to 100."},
		{"progress not a number", form("progress", "half"), "progress-error", "Enter a whole number from 0 to 100."},
		{"a bad start", form("start", "01/03/2026"), "start-error", "Enter a date as YYYY-MM-DD."},
		{"the end before the start", form("end", "2026-02-01"), "end-error", "The end cannot be before the start."},
	} {
		w := f.post(t, f.editor, path, c.form)
		wantPage(t, w, http.StatusUnprocessableEntity, `id="`+c.field+`"`, c.text, `aria-invalid="true"`, `href="#`+strings.TrimSuffix(c.field, "-error")+`"`)
		if len(f.procs.calls) > 0 {
			t.Fatalf("%s: a change was made: %v", c.name, f.procs.calls)
		}
	}
	// A change made against an older revision: the 409 message beside the
	// form, the input kept, the base moved to the current revision.
	w := f.post(t, f.editor, path, form("base", "3", "progress", "77"))
	wantPage(t, w, http.StatusConflict, "Someone changed this task", `value="77"`, `name="base" value="3"`)
	// Refused by the process: the message, not a crash.
	f.procs.fail = fmt.Errorf("%w: observer", cp.ErrForbidden)
	wantPage(t, f.post(t, f.editor, path, form()), http.StatusForbidden, "may not make this change")
	f.procs.fail = fmt.Errorf("%w: down", ErrHostUnavailable)
	wantPage(t, f.post(t, f.editor, path, form()), http.StatusBadGateway, "did not take the change")
	// Accepted.
	wantRedirect(t, f.post(t, f.editor, path, form()), path+"?done=task_updated")
	if !f.procs.called("update p1 survey in_progress 60 2026-03-01 2026-05-01 alice") || !f.audited(t, "alice", "process.task_update", "p1/survey") {
		t.Fatalf("the change: %v", f.procs.calls)
	}
	wantPage(t, f.do(t, http.MethodGet, path+"?done=task_updated", nil, f.editor.cookies), 200, "The task is updated.", `name="base" value="7"`, `value="60"`)
	// The old revision is stale now.
	wantPage(t, f.post(t, f.editor, path, form("base", "4")), http.StatusConflict, "Someone changed this task")
	// Queued while the host is away.
	f.procs.queue = true
	wantRedirect(t, f.post(t, f.editor, path, form("base", "7")), path+"?done=process_queued")
	// Refused: no CSRF token, a reader, a visitor.
	wantPage(t, f.post(t, f.editor, path, form("csrf", "forged")), http.StatusForbidden)
	wantPage(t, f.post(t, f.reader, path, form()), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodPost, path, form(), nil), "/login")
}

func TestProcessAddLink(t *testing.T) {
	f := newProcessFixture(t)
	const path = "/processes/p1/tasks/survey/assets"
	w := f.post(t, f.editor, path, url.Values{"name": {""}, "link": {"ftp://x"}})
	wantPage(t, w, http.StatusUnprocessableEntity, `id="asset-name-error"`, "Enter a name for the link.", `id="asset-link-error"`, "starts with https://", `value="ftp://x"`)
	w = f.post(t, f.editor, path, url.Values{"name": {"Pad"}, "link": {"not a url"}})
	wantPage(t, w, http.StatusUnprocessableEntity, "starts with https://", `value="Pad"`)
	f.procs.fail = fmt.Errorf("%w: link", cp.ErrInvalid)
	wantPage(t, f.post(t, f.editor, path, url.Values{"name": {"Pad"}, "link": {"https://pad.example/y"}}), http.StatusUnprocessableEntity, "refused this change as invalid")
	wantRedirect(t, f.post(t, f.editor, path, url.Values{"name": {"Pad"}, "link": {"https://pad.example/y"}}), "/processes/p1/tasks/survey?done=asset_added")
	if !f.procs.called("asset p1 survey Pad https://pad.example/y alice") {
		t.Fatalf("calls: %v", f.procs.calls)
	}
	wantPage(t, f.post(t, f.editor, path, url.Values{"name": {"Pad"}, "link": {"https://pad.example/y"}, "csrf": {"x"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.reader, path, url.Values{"name": {"Pad"}, "link": {"https://pad.example/y"}}), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodPost, path, url.Values{}, nil), "/login")
}

func TestProcessCreateForm(t *testing.T) {
	f := newProcessFixture(t)
	ok := url.Values{"name": {"Bike lanes"}, "aim": {"Safer streets"}, "governance": {"citizen-to-government"}, "languages": {"en", "lv"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for kk, vv := range ok {
			out[kk] = vv
		}
		out.Set(k, v)
		return out
	}
	for _, c := range []struct {
		form       url.Values
		field, msg string
	}{
		{with("name", " "), "name-error", "Enter a name for the process."},
		{with("name", strings.Repeat("x", 513)), "name-error", "The name is too long"},
		{with("governance", "anarchy"), "governance-error", "Choose a governance model."},
		{with("languages", "not a tag!"), "languages-error", "Choose languages from the list."},
		{with("schema", "http://node.test/objects/none"), "schema-error", "This node holds no such co-production schema."},
	} {
		w := f.post(t, f.admin, "/processes", c.form)
		wantPage(t, w, http.StatusUnprocessableEntity, `id="`+c.field+`"`, c.msg, ">Safer streets</textarea>")
	}
	w := f.post(t, f.admin, "/processes", with("schema", "http://node.test/objects/schema1"))
	wantRedirect(t, w, "/processes/p5?done=process_created")
	if !f.procs.called("create Bike lanes citizen-to-government [en lv] root") || !f.audited(t, "root", "process.create", "p5") {
		t.Fatalf("calls: %v", f.procs.calls)
	}
	wantPage(t, f.do(t, http.MethodGet, "/processes/p5?done=process_created", nil, f.admin.cookies), 200, "The process is started")
	wantPage(t, f.post(t, f.admin, "/processes", with("csrf", "forged")), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, "/processes", ok), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodPost, "/processes", ok, nil), "/login")
}

func TestProcessInviteAndAnswer(t *testing.T) {
	f := newProcessFixture(t)
	const path = "/processes/p1/invite"
	wantPage(t, f.post(t, f.admin, path, url.Values{"target": {""}}), http.StatusUnprocessableEntity, `id="target-error"`, "address or handle.")
	wantPage(t, f.post(t, f.admin, path, url.Values{"target": {"other.example"}}), http.StatusUnprocessableEntity, "without spaces", `value="other.example"`)
	f.procs.fail = fmt.Errorf("%w: webfinger: 404", cp.ErrInvalid)
	wantPage(t, f.post(t, f.admin, path, url.Values{"target": {"acct:nobody@other.example"}}), http.StatusUnprocessableEntity, "No organisation could be found")
	f.procs.fail = fmt.Errorf("%w: webfinger failed", ErrHostUnavailable)
	wantPage(t, f.post(t, f.admin, path, url.Values{"target": {"acct:town@down.example"}}), http.StatusBadGateway, "did not take the change", `value="acct:town@down.example"`)
	wantRedirect(t, f.post(t, f.admin, path, url.Values{"target": {"acct:town@other.example"}}), "/processes/p1?done=process_invited")
	if !f.procs.called("invite p1 acct:town@other.example root") || !f.audited(t, "root", "process.invite", "p1") {
		t.Fatalf("calls: %v", f.procs.calls)
	}
	wantPage(t, f.post(t, f.admin, path, url.Values{"target": {"acct:a@b"}, "csrf": {"x"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, path, url.Values{"target": {"acct:a@b"}}), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodPost, path, url.Values{"target": {"acct:a@b"}}, nil), "/login")

	wantRedirect(t, f.post(t, f.admin, "/processes/p4/accept", nil), "/processes?done=process_accepted")
	wantRedirect(t, f.post(t, f.admin, "/processes/p4/decline", nil), "/processes?done=process_declined")
	if !f.procs.called("answer p4 true root") || !f.procs.called("answer p4 false root") || !f.audited(t, "root", "process.accept", "p4") {
		t.Fatalf("calls: %v", f.procs.calls)
	}
	wantPage(t, f.do(t, http.MethodGet, "/processes?done=process_accepted", nil, f.admin.cookies), 200, "Invitation accepted")
	f.procs.fail = fmt.Errorf("%w: host down", ErrHostUnavailable)
	wantPage(t, f.post(t, f.admin, "/processes/p4/accept", nil), http.StatusBadGateway, "did not take the change")
	wantPage(t, f.post(t, f.admin, "/processes/p4/accept", url.Values{"csrf": {"x"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, "/processes/p4/accept", nil), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodPost, "/processes/p4/decline", url.Values{}, nil), "/login")
}
