package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// The forms that grow a process's tree (/processes/{id}/tree): add a
// phase (the administer right on the process), an objective to a phase
// (administer on the phase), a task to an objective (edit-tasks on the
// objective). Each is an add-phase, add-objective or add-task change,
// checked by the domain's Apply like any other; the page checks first
// what it can say beside a field (a key in use, a date, a participant).

// procFormView is a page of process forms: the values posted (kept when a
// form is refused) and the errors beside each control, by control id.
type procFormView struct {
	ProcessID, ProcessName, ProcessHref string
	Done                                string
	Values, Errs                        map[string]string
	Errors                              []formError
	CanPhase                            bool
	Phases, Objectives, Responsibles    []option
}

// treeOpts are the branches where the person, for this node, may add:
// the phases that take an objective, the objectives that take a task.
type treeOpts struct{ phases, objectives []option }

func treeChoices(r *http.Request, v ProcessView) treeOpts {
	var out treeOpts
	if v.Process == nil {
		return out
	}
	for _, ph := range v.Process.Phases {
		if may(r, v, cp.Administer, ph.Key, accounts.RoleEditor) {
			out.phases = append(out.phases, option{Value: ph.Key, Label: ph.Name})
		}
		for _, o := range ph.Objectives {
			if may(r, v, cp.EditTasks, o.Key, accounts.RoleEditor) {
				out.objectives = append(out.objectives, option{Value: o.Key, Label: ph.Name + " › " + o.Name})
			}
		}
	}
	return out
}

// ProcessTree serves /processes/{id}/tree: the forms to add a phase, an
// objective or a task (?objective=KEY chooses the objective).
func (h ProcessPages) ProcessTree(w http.ResponseWriter, r *http.Request, id string) {
	loc := h.locale(w, r)
	v := procFormView{Done: doneText(loc, r, "phase_added", "objective_added", "task_added", "process_queued"),
		Values: map[string]string{"task-objective": r.URL.Query().Get("objective"), "objective-phase": r.URL.Query().Get("phase")}}
	h.treePage(w, r, id, http.StatusOK, v)
}

func (h ProcessPages) treePage(w http.ResponseWriter, r *http.Request, id string, status int, v procFormView) {
	loc := h.locale(w, r)
	if _, ok := h.needRole(w, r, accounts.RoleEditor); !ok {
		return
	}
	pv, ok := h.processPage(w, r, id)
	if !ok {
		return
	}
	ch := treeChoices(r, pv)
	v.CanPhase = may(r, pv, cp.Administer, "", accounts.RoleEditor)
	if !v.CanPhase && len(ch.phases) == 0 && len(ch.objectives) == 0 {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	v.ProcessID, v.ProcessName, v.ProcessHref = pv.ID, pv.Name, "/processes/"+url.PathEscape(pv.ID)
	if v.Errs == nil {
		v.Errs = map[string]string{}
	}
	selected := func(opts []option, value string) []option {
		out := make([]option, len(opts))
		for i, o := range opts {
			o.Selected = o.Value == value
			out[i] = o
		}
		return out
	}
	v.Phases, v.Objectives = selected(ch.phases, v.Values["objective-phase"]), selected(ch.objectives, v.Values["task-objective"])
	v.Responsibles = []option{{Value: "", Label: loc.T("process.tree.nobody"), Selected: v.Values["task-responsible"] == ""}}
	for _, e := range pv.Process.Active() {
		v.Responsibles = append(v.Responsibles, option{Value: e, Label: participantName(pv.Process, e), Selected: v.Values["task-responsible"] == e})
	}
	h.render(w, r, status, "process_tree", loc.T("process.tree.edit"), v)
}

var keyChars = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// newKey makes a key from a name, not yet in use.
func newKey(name string, used map[string]bool) string {
	base := strings.Trim(assetIDPattern.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(base) > 60 {
		base = strings.Trim(base[:60], "-")
	}
	if base == "" {
		base = "item"
	}
	k := base
	for i := 2; used[k]; i++ {
		k = base + "-" + strconv.Itoa(i)
	}
	return k
}

// addItem serves POST /processes/{id}/phases, /objectives and
// /tasks (editors): add a phase, an objective or a task.
func (h ProcessPages) addItem(op cp.Op) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		s, pv, ok := h.processPostOf(w, r, accounts.RoleEditor, id)
		if !ok {
			return
		}
		loc := h.locale(w, r)
		prefix := map[cp.Op]string{cp.OpAddPhase: "phase", cp.OpAddObjective: "objective", cp.OpAddTask: "task"}[op]
		v := procFormView{Values: map[string]string{}, Errs: map[string]string{}}
		for k, vals := range r.PostForm {
			if strings.HasPrefix(k, prefix+"-") && len(vals) > 0 {
				v.Values[k] = strings.TrimSpace(vals[0])
			}
		}
		get := func(f string) string { return v.Values[prefix+"-"+f] }
		bad := func(f, msg string) {
			if v.Errs[prefix+"-"+f] == "" {
				v.Errs[prefix+"-"+f] = msg
				v.Errors = append(v.Errors, formError{Field: prefix + "-" + f, Text: msg})
			}
		}
		if pv.Process == nil || !takesPart(pv) {
			h.Error(w, r, http.StatusForbidden)
			return
		}
		ch := treeChoices(r, pv)
		item := ""
		switch op {
		case cp.OpAddObjective:
			item = get("phase")
			if !hasOption(ch.phases, item) {
				bad("phase", loc.T("process.tree.phase_choose"))
			}
		case cp.OpAddTask:
			item = get("objective")
			if !hasOption(ch.objectives, item) {
				bad("objective", loc.T("process.tree.objective_choose"))
			}
		}
		used := pv.Process.Keys()
		key := get("key")
		switch {
		case key == "":
			key = newKey(get("name"), used)
		case !keyChars.MatchString(key):
			bad("key", loc.T("process.tree.key_invalid"))
		case used[key]:
			bad("key", loc.T("process.tree.key_used"))
		}
		switch name := get("name"); {
		case name == "":
			bad("name", loc.T("process.tree.name_required"))
		case len(name) > cp.MaxName:
			bad("name", loc.T("process.create.name_long"))
		}
		if len(get("description")) > cp.MaxText {
			bad("description", loc.T("process.tree.text_long"))
		}
		data := map[string]any{"key": key, "name": get("name")}
		if d := get("description"); d != "" {
			data["description"] = d
		}
		if op == cp.OpAddTask {
			h.taskFields(loc, pv.Process, get, bad, used, data)
		}
		page := atPage(r, "/processes/"+id+"/tree")
		if len(v.Errors) > 0 {
			h.treePage(w, page, id, http.StatusUnprocessableEntity, v)
			return
		}
		raw, err := json.Marshal(data)
		if err != nil {
			h.processError(w, r, err)
			return
		}
		queued, err := h.d.Processes.Propose(r.Context(), pv.ID, cp.Change{Op: op, Item: item, Data: raw, Person: s.user.Username})
		if err != nil {
			msg, status := changeMessage(loc, err)
			if msg == "" {
				h.processError(w, r, err)
				return
			}
			v.Errs[prefix+"-form"] = msg
			v.Errors = formErrors(prefix+"-form", msg)
			h.treePage(w, page, id, status, v)
			return
		}
		if !h.recordChange(w, r, s, "process."+strings.ReplaceAll(string(op), "-", "_"), pv.ID+"/"+key, get("name")) {
			return
		}
		done := prefix + "_added"
		if queued {
			done = "process_queued"
		}
		redirectDone(w, r, "/processes/"+id+"/tree", done)
	}
}

// taskFields reads a new task's dates, responsible and prerequisites into
// data.
func (h ProcessPages) taskFields(loc *locale, p *cp.Process, get func(string) string, bad func(string, string), used map[string]bool, data map[string]any) {
	start, end := get("start"), get("end")
	if start != "" && !validDate(start) {
		bad("start", loc.T("process.task.date_invalid"))
	}
	if end != "" && !validDate(end) {
		bad("end", loc.T("process.task.date_invalid"))
	} else if start != "" && end != "" && validDate(start) && end < start {
		bad("end", loc.T("process.task.end_before_start"))
	}
	if start != "" {
		data["start"] = start
	}
	if end != "" {
		data["end"] = end
	}
	if resp := get("responsible"); resp != "" {
		if x := p.Participant(resp); x == nil || x.Membership != cp.Active {
			bad("responsible", loc.T("process.tree.responsible_choose"))
		}
		data["responsible"] = resp
	}
	var pre []string
	for _, k := range splitList(get("prerequisites")) {
		if !used[k] {
			bad("prerequisites", loc.Td("process.tree.prerequisite_unknown", map[string]any{"Key": k}))
		}
		pre = append(pre, k)
	}
	if len(pre) > cp.MaxList {
		bad("prerequisites", loc.T("process.tree.text_long"))
	}
	if len(pre) > 0 {
		data["prerequisites"] = pre
	}
}

func hasOption(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v && v != "" {
			return true
		}
	}
	return false
}

// ProcessAddPhase serves POST /processes/{id}/phases.
func (h ProcessPages) ProcessAddPhase(w http.ResponseWriter, r *http.Request, id string) {
	h.addItem(cp.OpAddPhase)(w, r, id)
}

// ProcessAddObjective serves POST /processes/{id}/objectives.
func (h ProcessPages) ProcessAddObjective(w http.ResponseWriter, r *http.Request, id string) {
	h.addItem(cp.OpAddObjective)(w, r, id)
}

// ProcessAddTask serves POST /processes/{id}/tasks.
func (h ProcessPages) ProcessAddTask(w http.ResponseWriter, r *http.Request, id string) {
	h.addItem(cp.OpAddTask)(w, r, id)
}
