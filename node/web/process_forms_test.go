package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// state is the fake's process id as it is now.
func (f *fakeProcesses) state(id string) *cp.Process {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.procs[id].Process
}

// upload posts a file (and the other fields) as multipart/form-data.
func (f processFixture) upload(t *testing.T, w who, path, filename string, content []byte, fields ...string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	csrf := w.csrf
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "csrf" {
			csrf = fields[i+1]
			continue
		}
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	_ = mw.WriteField("csrf", csrf)
	if filename != "" {
		part, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(content)
	}
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, path, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Accept", "text/html")
	for _, c := range w.cookies {
		r.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	return rec
}

// The board: the tasks in columns by status, the status in words, each
// card with its phase, objective, responsible, progress and dates; the
// view switches by a link, and the timeline's pages keep it.
func TestProcessBoard(t *testing.T) {
	f := newProcessFixture(t)
	w := f.do(t, http.MethodGet, "/processes/p1?view=board", nil, nil)
	wantPage(t, w, 200, `<h3 id="col-awaiting">Not started <span class="meta">(0)</span></h3>`,
		`<h3 id="col-in_progress">In progress <span class="meta">(1)</span></h3>`, `<h3 id="col-finished">Finished`,
		`<h4><a href="/processes/p1/tasks/survey">Survey the residents</a></h4>`, "Phase: Engage · Objective: Map the needs",
		"<dd>Other town</dd>", "<dd>40%</dd>", "2026-03-01 – 2026-04-01", `href="/processes/p1?view=board#h-tree" aria-current="page"`,
		`href="/processes/p1?view=board&amp;after=20#timeline"`)
	lacks(t, w.Body.String(), `<th scope="col">Task</th>`)
	w = f.do(t, http.MethodGet, "/processes/p1", nil, nil)
	wantPage(t, w, 200, `href="/processes/p1?view=tree#h-tree" aria-current="page"`, `<th scope="col">Task</th>`)
	lacks(t, w.Body.String(), `class="board"`)
}

func TestProcessTreeForms(t *testing.T) {
	f := newProcessFixture(t)
	const tree = "/processes/p1/tree"
	wantPage(t, f.do(t, http.MethodGet, tree+"?objective=map", nil, f.editor.cookies), 200, `action="/processes/p1/phases"`,
		`action="/processes/p1/objectives"`, `action="/processes/p1/tasks"`, `<option value="map" selected>Engage › Map the needs</option>`,
		`<label for="task-responsible">`, `<option value="https://other.example">Other town</option>`, `<label for="phase-key">`)
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1", nil, f.editor.cookies), 200, `href="/processes/p1/tree"`,
		`<a href="/processes/p1/tree?objective=map#add-task">Add a task<span class="vh">: Map the needs</span></a>`)
	lacks(t, f.do(t, http.MethodGet, "/processes/p1", nil, f.reader.cookies).Body.String(), `href="/processes/p1/tree`)
	wantPage(t, f.do(t, http.MethodGet, tree, nil, f.reader.cookies), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodGet, tree, nil, nil), "/login")
	wantPage(t, f.do(t, http.MethodGet, "/processes/p3/tree", nil, f.admin.cookies), http.StatusForbidden) // finished
	for _, c := range []struct {
		name, path string
		form       url.Values
		field, msg string
	}{
		{"a phase without a name", "/processes/p1/phases", url.Values{"phase-name": {" "}}, "phase-name", "Enter a name."},
		{"a key in use", "/processes/p1/phases", url.Values{"phase-name": {"Plan"}, "phase-key": {"survey"}}, "phase-key", "already used"},
		{"a key with spaces", "/processes/p1/phases", url.Values{"phase-name": {"Plan"}, "phase-key": {"a b"}}, "phase-key", "Use 1 to 128"},
		{"an objective of no phase", "/processes/p1/objectives", url.Values{"objective-name": {"Map"}, "objective-phase": {"nope"}}, "objective-phase", "Choose a phase"},
		{"a task of no objective", "/processes/p1/tasks", url.Values{"task-name": {"Ask"}, "task-objective": {"engage"}}, "task-objective", "Choose an objective"},
		{"a bad date", "/processes/p1/tasks", url.Values{"task-name": {"Ask"}, "task-objective": {"map"}, "task-start": {"1 May"}}, "task-start", "YYYY-MM-DD"},
		{"the end first", "/processes/p1/tasks", url.Values{"task-name": {"Ask"}, "task-objective": {"map"}, "task-start": {"2026-05-02"}, "task-end": {"2026-05-01"}}, "task-end", "cannot be before"},
		{"a stranger responsible", "/processes/p1/tasks", url.Values{"task-name": {"Ask"}, "task-objective": {"map"}, "task-responsible": {"https://x.example"}}, "task-responsible", "Choose a participant"},
		{"an unknown prerequisite", "/processes/p1/tasks", url.Values{"task-name": {"Ask"}, "task-objective": {"map"}, "task-prerequisites": {"survey, nope"}}, "task-prerequisites", "no item with the key nope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := f.post(t, f.editor, c.path, c.form)
			wantPage(t, w, http.StatusUnprocessableEntity, `id="`+c.field+`-error"`, c.msg, `href="#`+c.field+`"`)
			if len(f.procs.calls) > 0 {
				t.Fatalf("a change was made: %v", f.procs.calls)
			}
		})
	}
	// Accepted: the domain's Apply adds them (a key made from the name).
	wantRedirect(t, f.post(t, f.editor, "/processes/p1/phases", url.Values{"phase-name": {"Build the gardens"}, "phase-description": {"On site"}}),
		"/processes/p1/tree?done=phase_added")
	wantRedirect(t, f.post(t, f.editor, "/processes/p1/objectives", url.Values{"objective-name": {"Plant"}, "objective-key": {"plant"},
		"objective-phase": {"build-the-gardens"}}), "/processes/p1/tree?done=objective_added")
	wantRedirect(t, f.post(t, f.editor, "/processes/p1/tasks", url.Values{"task-name": {"Buy seeds"}, "task-key": {"seeds"}, "task-objective": {"plant"},
		"task-start": {"2026-04-01"}, "task-end": {"2026-04-10"}, "task-responsible": {fakeOther}, "task-prerequisites": {"survey"},
		"task-description": {"Local varieties"}}), "/processes/p1/tree?done=task_added")
	p := f.procs.state("p1")
	task := p.Task("seeds")
	if len(p.Phases) != 2 || p.Phases[1].Key != "build-the-gardens" || p.Phases[1].Description != "On site" || task == nil ||
		task.Responsible != fakeOther || task.Start != "2026-04-01" || !slices.Equal(task.Prerequisites, []string{"survey"}) || task.Description != "Local varieties" {
		t.Fatalf("the tree: %+v %+v", p.Phases, task)
	}
	if !f.audited(t, "alice", "process.add_phase", "p1/build-the-gardens") || !f.audited(t, "alice", "process.add_task", "p1/seeds") {
		t.Fatal("the additions are not in the audit list")
	}
	wantPage(t, f.do(t, http.MethodGet, tree+"?done=task_added", nil, f.editor.cookies), 200, "The task is added.")
	// A key made from a name already taken gets a suffix.
	wantRedirect(t, f.post(t, f.editor, "/processes/p1/phases", url.Values{"phase-name": {"Build the gardens"}}), "/processes/p1/tree?done=phase_added")
	if p := f.procs.state("p1"); p.Phases[2].Key != "build-the-gardens-2" {
		t.Fatalf("the second key: %q", p.Phases[2].Key)
	}
	// Refused by the host, queued, no token, a reader.
	f.procs.fail = fmt.Errorf("%w: no right", cp.ErrForbidden)
	w := f.post(t, f.editor, "/processes/p1/objectives", url.Values{"objective-name": {"Water"}, "objective-phase": {"engage"}})
	wantPage(t, w, http.StatusForbidden, `id="objective-form"`, "may not make this change", `value="Water"`)
	f.procs.queue = true
	wantRedirect(t, f.post(t, f.editor, "/processes/p1/objectives", url.Values{"objective-name": {"Water"}, "objective-phase": {"engage"}}),
		"/processes/p1/tree?done=process_queued")
	wantPage(t, f.post(t, f.editor, "/processes/p1/phases", url.Values{"phase-name": {"X"}, "csrf": {"forged"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.reader, "/processes/p1/phases", url.Values{"phase-name": {"X"}}), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodPost, "/processes/p1/phases", url.Values{"phase-name": {"X"}}, nil), "/login")
}

func TestProcessFiles(t *testing.T) {
	f := newProcessFixture(t)
	const task = "/processes/p1/tasks/survey"
	wantPage(t, f.do(t, http.MethodGet, task, nil, f.editor.cookies), 200, `enctype="multipart/form-data"`, `<label for="asset-file">`,
		"At most 1 KiB", `action="/processes/p1/tasks/survey/assets/remove"`, `name="asset" value="notes"`)
	lacks(t, f.do(t, http.MethodGet, task, nil, f.reader.cookies).Body.String(), `enctype="multipart/form-data"`, "/assets/remove")
	content := []byte("minutes of the first meeting")
	wantRedirect(t, f.upload(t, f.editor, task+"/files", "minutes.txt", content), task+"?done=file_added")
	sum := sha256.Sum256(content)
	var added *cp.Asset
	for i, a := range f.procs.state("p1").Task("survey").Assets {
		if a.Name == "minutes.txt" {
			added = &f.procs.state("p1").Task("survey").Assets[i]
		}
	}
	if added == nil || added.SHA256 != hex.EncodeToString(sum[:]) || added.Size != len(content) || added.MediaType != "application/octet-stream" {
		t.Fatalf("the file asset: %+v", added)
	}
	if !f.audited(t, "alice", "process.asset_add", "p1/survey") {
		t.Fatal("the upload is not in the audit list")
	}
	wantPage(t, f.do(t, http.MethodGet, task+"?done=file_added", nil, f.editor.cookies), 200, "The file is added", `href="/processes/p1/assets/`+added.SHA256+`"`)
	for _, c := range []struct {
		name     string
		file     string
		content  []byte
		fields   []string
		status   int
		contains string
	}{
		{"too large", "big.bin", bytes.Repeat([]byte("x"), 2<<10), nil, http.StatusRequestEntityTooLarge, "larger than 1 KiB"},
		{"no file", "", nil, nil, http.StatusUnprocessableEntity, "Choose a file."},
		{"empty", "empty.txt", nil, nil, http.StatusUnprocessableEntity, "The file is empty."},
		{"a long name", "a.txt", []byte("x"), []string{"name", strings.Repeat("n", 600)}, http.StatusUnprocessableEntity, "The name is too long"},
		{"a forged token", "a.txt", []byte("x"), []string{"csrf", "forged"}, http.StatusForbidden, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantPage(t, f.upload(t, f.editor, task+"/files", c.file, c.content, c.fields...), c.status, c.contains)
		})
	}
	wantPage(t, f.upload(t, f.reader, task+"/files", "a.txt", []byte("x")), http.StatusForbidden)
	// Remove an asset.
	wantRedirect(t, f.post(t, f.editor, task+"/assets/remove", url.Values{"asset": {"pad"}}), task+"?done=asset_removed")
	if slices.ContainsFunc(f.procs.state("p1").Task("survey").Assets, func(a cp.Asset) bool { return a.ID == "pad" }) ||
		!f.audited(t, "alice", "process.asset_remove", "p1/survey") {
		t.Fatal("the link is still there, or not audited")
	}
	wantPage(t, f.post(t, f.editor, task+"/assets/remove", url.Values{"asset": {"pad"}}), http.StatusNotFound)
	f.procs.fail = fmt.Errorf("%w: down", ErrHostUnavailable)
	wantPage(t, f.post(t, f.editor, task+"/assets/remove", url.Values{"asset": {"notes"}}), http.StatusBadGateway, "did not take the change", `href="#h-assets"`)
	wantPage(t, f.post(t, f.reader, task+"/assets/remove", url.Values{"asset": {"notes"}}), http.StatusForbidden)
}

func TestProcessRights(t *testing.T) {
	f := newProcessFixture(t)
	const ws = "/processes/p1"
	w := f.do(t, http.MethodGet, ws, nil, f.admin.cookies)
	wantPage(t, w, 200, "Participants&#39; rights", `action="/processes/p1/rights"`, `name="entity" value="https://other.example"`,
		`<label for="m1-0-scope">Where</label>`, `id="m1-0-edit-tasks" name="rights-0" value="edit-tasks" checked`,
		`id="m1-0-administer" name="rights-0" value="administer">`, `<option value="survey">— — Task: Survey the residents</option>`,
		`action="/processes/p1/remove"`)
	lacks(t, w.Body.String(), `name="entity" value="http://node.test"`) // the host keeps its rights
	lacks(t, f.do(t, http.MethodGet, ws, nil, f.editor.cookies).Body.String(), `action="/processes/p1/rights"`)
	// Other town may see everything and edit only the objective "map".
	form := url.Values{"entity": {fakeOther}, "scope-0": {""}, "rights-0": {"see"}, "scope-1": {"map"}, "rights-1": {"edit-tasks", "add-assets"},
		"scope-2": {"engage"}}
	wantRedirect(t, f.post(t, f.admin, ws+"/rights", form), ws+"?done=rights_changed")
	want := []cp.Grant{{Scope: "", Rights: []cp.Right{cp.See}}, {Scope: "map", Rights: []cp.Right{cp.EditTasks, cp.AddAssets}}}
	got := f.procs.state("p1").Participant(fakeOther).Grants
	if fmt.Sprint(got) != fmt.Sprint(want) || !f.audited(t, "root", "process.grant", "p1") {
		t.Fatalf("grants: %v", got)
	}
	wantPage(t, f.do(t, http.MethodGet, ws+"?done=rights_changed", nil, f.admin.cookies), 200, "The rights are changed.",
		"whole process: see; map: edit tasks, add assets")
	for _, c := range []struct {
		name   string
		form   url.Values
		who    who
		status int
	}{
		{"an unknown right", url.Values{"entity": {fakeOther}, "scope-0": {""}, "rights-0": {"rule"}}, f.admin, http.StatusBadRequest},
		{"an unknown scope", url.Values{"entity": {fakeOther}, "scope-0": {"nope"}, "rights-0": {"see"}}, f.admin, http.StatusBadRequest},
		{"the host", url.Values{"entity": {fakeHost}, "scope-0": {""}, "rights-0": {"see"}}, f.admin, http.StatusBadRequest},
		{"a stranger", url.Values{"entity": {"https://x.example"}}, f.admin, http.StatusBadRequest},
		{"an editor", url.Values{"entity": {fakeOther}}, f.editor, http.StatusForbidden},
		{"a forged token", url.Values{"entity": {fakeOther}, "csrf": {"x"}}, f.admin, http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) { wantPage(t, f.post(t, c.who, ws+"/rights", c.form), c.status) })
	}
	// Admit one that did not ask: the domain refuses it, beside the participant.
	w = f.post(t, f.admin, ws+"/admit", url.Values{"entity": {fakeOther}})
	wantPage(t, w, http.StatusUnprocessableEntity, `id="manage-1"`, "refused this change as invalid", `href="#manage-1"`)
	// Refused by the host: the input is kept.
	f.procs.fail = fmt.Errorf("%w: down", ErrHostUnavailable)
	w = f.post(t, f.admin, ws+"/rights", url.Values{"entity": {fakeOther}, "scope-0": {"survey"}, "rights-0": {"remove-assets"}})
	wantPage(t, w, http.StatusBadGateway, `id="m1-0-remove-assets" name="rights-0" value="remove-assets" checked`, `<option value="survey" selected>`)
	// Remove.
	wantRedirect(t, f.post(t, f.admin, ws+"/remove", url.Values{"entity": {fakeOther}}), ws+"?done=participant_removed")
	if m := f.procs.state("p1").Participant(fakeOther).Membership; m != cp.Removed || !f.audited(t, "root", "process.remove", "p1") {
		t.Fatalf("membership %s", m)
	}
	wantRedirect(t, f.do(t, http.MethodPost, ws+"/remove", url.Values{"entity": {fakeOther}}, nil), "/login")
}

func TestProcessJoin(t *testing.T) {
	f := newProcessFixture(t)
	wantPage(t, f.do(t, http.MethodGet, "/processes", nil, f.admin.cookies), 200, `action="/processes/join"`, `<label for="process">`)
	const iri = "https://other.example/processes/p9"
	for _, c := range []struct {
		name, iri string
		fail      error
		status    int
		msg       string
	}{
		{"empty", "", nil, http.StatusUnprocessableEntity, "Enter the address of the process."},
		{"not an address", "other.example/p9", nil, http.StatusUnprocessableEntity, "https:// address"},
		{"not public", iri, fmt.Errorf("%w: not public", cp.ErrForbidden), http.StatusForbidden, "ask its host for an invitation"},
		{"a broken history", iri, fmt.Errorf("%w: prev", cp.ErrHistory), http.StatusBadGateway, "could not be verified"},
		{"unreachable", iri, fmt.Errorf("%w: timeout", ErrHostUnavailable), http.StatusBadGateway, "did not take the change"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.procs.fail = c.fail
			w := f.post(t, f.admin, "/processes/join", url.Values{"process": {c.iri}})
			wantPage(t, w, c.status, `id="process-error"`, c.msg, `value="`+c.iri+`"`, `href="#process"`)
		})
	}
	f.procs.fail = nil
	wantRedirect(t, f.post(t, f.admin, "/processes/join", url.Values{"process": {iri}}), "/processes?done=process_requested")
	if !f.procs.called("request "+iri+" root") || !f.audited(t, "root", "process.request", iri) {
		t.Fatalf("calls: %v", f.procs.calls)
	}
	wantPage(t, f.post(t, f.editor, "/processes/join", url.Values{"process": {iri}}), http.StatusForbidden)
	// A public process this node left offers the button; one it asked to
	// join is listed as a request, not as an invitation.
	f.procs.procs["p1"].Local = "left"
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1", nil, f.admin.cookies), 200, `<input type="hidden" name="process" value="http://node.test/processes/p1">`)
	f.procs.procs["p4"].Process.Participants[1].Membership = cp.Requested
	w := f.do(t, http.MethodGet, "/processes", nil, f.admin.cookies)
	wantPage(t, w, 200, "Requests to join sent", "Asked to join")
	lacks(t, w.Body.String(), `action="/processes/p4/accept"`)
	wantPage(t, f.do(t, http.MethodGet, "/processes/p4", nil, f.admin.cookies), 200, "asked to join this process; its host")
}

func TestProcessFinish(t *testing.T) {
	f := newProcessFixture(t)
	const fin = "/processes/p1/finish"
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1", nil, f.admin.cookies), 200, `href="/processes/p1/finish"`)
	wantPage(t, f.do(t, http.MethodGet, fin, nil, f.admin.cookies), 200, `<label for="title">`, `<label for="summary">`, `<label for="results">`,
		`<label for="lessons">`, `<label for="materials">`, `aria-describedby="materials-hint"`)
	wantPage(t, f.do(t, http.MethodGet, fin, nil, f.editor.cookies), http.StatusForbidden)
	wantPage(t, f.do(t, http.MethodGet, "/processes/p3/finish", nil, f.admin.cookies), http.StatusForbidden) // not the host
	w := f.post(t, f.admin, fin, url.Values{"title": {""}, "summary": {""}, "results": {"Six gardens"}})
	wantPage(t, w, http.StatusUnprocessableEntity, `id="title-error"`, `id="summary-error"`, ">Six gardens</textarea>", `href="#title"`)
	many := strings.Repeat("https://a.example/x\n", cp.MaxList+1)
	wantPage(t, f.post(t, f.admin, fin, url.Values{"title": {"T"}, "summary": {"S"}, "materials": {many}}), http.StatusUnprocessableEntity, "At most 64 lines")
	f.procs.fail = fmt.Errorf("%w: finished", cp.ErrForbidden)
	wantPage(t, f.post(t, f.admin, fin, url.Values{"title": {"T"}, "summary": {"S"}}), http.StatusForbidden, `id="finish-form"`, `value="T"`)
	// Finished, but the service's draft failed: said so, not a 500.
	f.procs.fail = fmt.Errorf("%w: catalogue: disk full", ErrNotDrafted)
	wantRedirect(t, f.post(t, f.admin, fin, url.Values{"title": {"T"}, "summary": {"S"}}), "/processes/p1?done=process_finished_nodraft")
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1?done=process_finished_nodraft", nil, f.admin.cookies), 200, "could not be drafted")
	// A material is a web address: anything else is said beside the field.
	wantPage(t, f.post(t, f.admin, fin, url.Values{"title": {"T"}, "summary": {"S"}, "materials": {"https://pad.example/plan\nThe planting calendar"}}),
		http.StatusUnprocessableEntity, `id="materials-error"`, "starting with https://")
	wantRedirect(t, f.post(t, f.admin, fin, url.Values{"title": {"Gardens for all"}, "summary": {"Six courtyards turned green."},
		"lessons": {"Start small."}, "materials": {"https://pad.example/plan\nhttps://pad.example/calendar.pdf\n"}}), "/processes/p1?done=process_finished")
	if !f.procs.called("finish p1 Gardens for all Six courtyards turned green. [https://pad.example/plan https://pad.example/calendar.pdf] root") ||
		!f.audited(t, "root", "process.finish", "p1") {
		t.Fatalf("calls: %v", f.procs.calls)
	}
	f.procs.service = ServiceStatus{State: "draft", Href: "/cosign", Status: "pending", Signed: 1, Signers: 2}
	w = f.do(t, http.MethodGet, "/processes/p1?done=process_finished", nil, f.admin.cookies)
	wantPage(t, w, 200, "The process is finished.", "Story: Gardens for all", "Start small.", `<a href="https://pad.example/plan" rel="noopener noreferrer nofollow">`,
		`<a href="https://pad.example/calendar.pdf" rel="noopener noreferrer nofollow">`, "1 of 2 co-producers have signed", `<a href="/cosign">See the co-signing</a>`)
	lacks(t, w.Body.String(), `href="/processes/p1/finish"`, `href="/processes/p1/tree"`, `action="/processes/p1/rights"`)
	f.procs.service = ServiceStatus{State: "published", Href: "/objects/01SVC", Status: "published"}
	wantPage(t, f.do(t, http.MethodGet, "/processes/p1", nil, nil), 200, "is published, signed by every participant", `<a href="/objects/01SVC">Open the public service</a>`)
	wantPage(t, f.post(t, f.admin, fin, url.Values{"title": {"T"}, "summary": {"S"}}), http.StatusForbidden) // finished now
	wantRedirect(t, f.do(t, http.MethodPost, fin, url.Values{}, nil), "/login")
}
