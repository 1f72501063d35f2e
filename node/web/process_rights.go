package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// The participants' rights and membership, for the admins of a node that
// administers the process: each participant's grants (on the whole
// process or one branch, of the rights see, add-assets, remove-assets,
// edit-tasks, administer) replaced by a grant change, a participant
// removed, a requester admitted; and, on /processes and a public process
// this node left, asking to join.

type rightBox struct {
	ID, Value, Label string
	Checked          bool
}

// grantRow is one grant of the rights form: where (a scope) and what.
type grantRow struct {
	Legend, ScopeID, ScopeName, RightsName string
	Scopes                                 []option
	Rights                                 []rightBox
}

// manageRow is one participant as the admins manage it.
type manageRow struct {
	N                      string // the participant's number, for the controls' ids
	Entity, Name, Standing string
	Grants                 bool // the rights form
	Rows                   []grantRow
	Admit, Remove          bool
	Error                  string
}

// manageInput is a refused rights or membership form, kept to be shown
// again beside its participant.
type manageInput struct {
	Entity string
	Grants []cp.Grant // nil: not a rights form
	Error  string
}

type joinForm struct {
	Show                  bool // on a process page: the one button
	Process, ProcessError string
}

// grantScopes are the scopes of a grant: the whole process, then each
// phase, objective and task, indented by depth.
func grantScopes(loc *locale, p *cp.Process, selected string) []option {
	out := []option{{Value: "", Label: loc.T("process.scope.all"), Selected: selected == ""}}
	add := func(key, label string) {
		out = append(out, option{Value: key, Label: label, Selected: key == selected})
	}
	for _, ph := range p.Phases {
		add(ph.Key, loc.T("process.phase")+": "+ph.Name)
		for _, o := range ph.Objectives {
			add(o.Key, "— "+loc.T("process.objective")+": "+o.Name)
			for _, t := range o.Tasks {
				add(t.Key, "— — "+loc.T("process.task")+": "+t.Name)
			}
		}
	}
	return out
}

// manageRows lists the participants but the host (who keeps every right),
// that are active, invited or asked to join.
func manageRows(loc *locale, v ProcessView, in *manageInput) []manageRow {
	p := v.Process
	var out []manageRow
	for i, x := range p.Participants {
		if x.Entity == p.Host || !slices.Contains([]cp.Membership{cp.Active, cp.Invited, cp.Requested}, x.Membership) {
			continue
		}
		m := manageRow{N: strconv.Itoa(i), Entity: x.Entity, Name: participantName(p, x.Entity), Standing: loc.T("process.membership." + string(x.Membership)),
			Grants: x.Membership != cp.Requested, Admit: x.Membership == cp.Requested, Remove: true}
		grants := x.Grants
		if in != nil && in.Entity == x.Entity {
			m.Error = in.Error
			if in.Grants != nil {
				grants = in.Grants
			}
		}
		rows := append(slices.Clone(grants), cp.Grant{}) // and one more, empty
		for j, g := range rows {
			id := "m" + m.N + "-" + strconv.Itoa(j)
			gr := grantRow{Legend: loc.Tf("process.rights.grant", j+1), ScopeID: id + "-scope", ScopeName: "scope-" + strconv.Itoa(j),
				RightsName: "rights-" + strconv.Itoa(j), Scopes: grantScopes(loc, p, g.Scope)}
			if j == len(rows)-1 {
				gr.Legend = loc.T("process.rights.new")
			}
			for _, rt := range cp.Rights {
				gr.Rights = append(gr.Rights, rightBox{ID: id + "-" + string(rt), Value: string(rt), Label: loc.T("process.right." + string(rt)),
					Checked: slices.Contains(g.Rights, rt)})
			}
			m.Rows = append(m.Rows, gr)
		}
		out = append(out, m)
	}
	return out
}

// manageForm starts a rights or membership post: the admin's session and
// CSRF token, the process, that this node administers it, the
// participant named.
func (h ProcessPages) manageForm(w http.ResponseWriter, r *http.Request, id string) (session, ProcessView, string, bool) {
	s, ok := h.postForm(w, r, accounts.RoleAdmin)
	if !ok {
		return s, ProcessView{}, "", false
	}
	pv, ok := h.processPage(w, r, id)
	if !ok {
		return s, pv, "", false
	}
	if !may(r, pv, cp.Administer, "", accounts.RoleAdmin) {
		h.Error(w, r, http.StatusForbidden)
		return s, pv, "", false
	}
	entity := r.PostForm.Get("entity")
	if x := pv.Process.Participant(entity); x == nil || entity == pv.Process.Host {
		h.Error(w, r, http.StatusBadRequest)
		return s, pv, "", false
	}
	return s, pv, entity, true
}

// ProcessGrant serves POST /processes/{id}/rights (admins): replace a
// participant's grants with the form's rows (a row without rights is
// dropped).
func (h ProcessPages) ProcessGrant(w http.ResponseWriter, r *http.Request, id string) {
	s, pv, entity, ok := h.manageForm(w, r, id)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	grants := []cp.Grant{}
	keys := pv.Process.Keys()
	for j := 0; j <= cp.MaxList; j++ {
		scope, present := r.PostForm["scope-"+strconv.Itoa(j)]
		if !present {
			break
		}
		var rights []cp.Right
		for _, rt := range r.PostForm["rights-"+strconv.Itoa(j)] {
			if !slices.Contains(cp.Rights, cp.Right(rt)) {
				h.Error(w, r, http.StatusBadRequest)
				return
			}
			rights = append(rights, cp.Right(rt))
		}
		if scope[0] != "" && !keys[scope[0]] {
			h.Error(w, r, http.StatusBadRequest)
			return
		}
		if len(rights) > 0 {
			grants = append(grants, cp.Grant{Scope: scope[0], Rights: rights})
		}
	}
	data, err := json.Marshal(cp.GrantData{Entity: entity, Grants: grants})
	if err != nil {
		h.processError(w, r, err)
		return
	}
	var summary []string
	for _, g := range grants {
		rs := make([]string, len(g.Rights))
		for i, rt := range g.Rights {
			rs[i] = string(rt)
		}
		summary = append(summary, orAll(g.Scope)+": "+strings.Join(rs, ","))
	}
	h.manageChange(w, r, s, pv, loc, cp.Change{Op: cp.OpGrant, Data: data}, entity, grants, "process.grant", strings.Join(summary, "; "), "rights_changed")
}

func orAll(scope string) string {
	if scope == "" {
		return "*"
	}
	return scope
}

// member serves POST /processes/{id}/remove and /admit (admins).
func (h ProcessPages) member(op cp.Op) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		s, pv, entity, ok := h.manageForm(w, r, id)
		if !ok {
			return
		}
		data, err := json.Marshal(cp.Member{Entity: entity})
		if err != nil {
			h.processError(w, r, err)
			return
		}
		done := "participant_removed"
		if op == cp.OpAdmit {
			done = "participant_admitted"
		}
		h.manageChange(w, r, s, pv, h.locale(w, r), cp.Change{Op: op, Data: data}, entity, nil, "process."+string(op), "", done)
	}
}

// manageChange proposes c, writes it to the audit list and goes back to
// the workspace; a refused change is shown beside its participant.
func (h ProcessPages) manageChange(w http.ResponseWriter, r *http.Request, s session, pv ProcessView, loc *locale, c cp.Change,
	entity string, grants []cp.Grant, action, detail, done string) {
	c.Person = s.user.Username
	queued, err := h.d.Processes.Propose(r.Context(), pv.ID, c)
	if err != nil {
		msg, status := changeMessage(loc, err)
		if msg == "" {
			h.processError(w, r, err)
			return
		}
		v := workspaceView{ManageInput: &manageInput{Entity: entity, Grants: grants, Error: msg}}
		if x := pv.Process.Participant(entity); x != nil {
			for i, y := range pv.Process.Participants {
				if y == x {
					v.Errors = formErrors("manage-"+strconv.Itoa(i), msg)
				}
			}
		}
		h.workspacePage(w, atPage(r, "/processes/"+pv.ID), pv.ID, status, v)
		return
	}
	if !h.recordChange(w, r, s, action, pv.ID, strings.TrimSpace(entity+" "+detail)) {
		return
	}
	if queued {
		done = "process_queued"
	}
	redirectDone(w, r, "/processes/"+pv.ID, done)
}

// ProcessJoin serves POST /processes/join (admins): ask the host of a
// public process, named by its address, to let this node's organisation
// join. From /processes (a form) or a process page (a button).
func (h ProcessPages) ProcessJoin(w http.ResponseWriter, r *http.Request) {
	s, ok := h.processPost(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	iri := strings.TrimSpace(r.PostForm.Get("process"))
	v := processesView{Join: joinForm{Process: iri}}
	if err := checkProcessIRI(iri); err != "" {
		v.Join.ProcessError = loc.T(err)
	} else {
		queued, err := h.d.Processes.Request(r.Context(), iri, s.user.Username)
		if err == nil {
			if !h.recordChange(w, r, s, "process.request", iri, "") {
				return
			}
			done := "process_requested"
			if queued {
				done = "process_queued"
			}
			redirectDone(w, r, "/processes", done)
			return
		}
		msg, status := changeMessage(loc, err)
		switch {
		case errors.Is(err, cp.ErrHistory):
			msg, status = loc.T("process.join.history"), http.StatusBadGateway
		case errors.Is(err, cp.ErrForbidden):
			msg = loc.T("process.join.forbidden")
		case errors.Is(err, ErrNotFound):
			msg, status = loc.T("process.join.unknown"), http.StatusUnprocessableEntity
		case msg == "":
			h.processError(w, r, err)
			return
		}
		v.Join.ProcessError = msg
		v.Errors = formErrors("process", msg)
		h.processesPage(w, atPage(r, "/processes"), status, v)
		return
	}
	v.Errors = formErrors("process", v.Join.ProcessError)
	h.processesPage(w, atPage(r, "/processes"), http.StatusUnprocessableEntity, v)
}

// checkProcessIRI is the message id of what is wrong with a process's
// address ("" when it is one).
func checkProcessIRI(s string) string {
	switch {
	case s == "":
		return "process.join.required"
	case strings.ContainsAny(s, " \t") || !(strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) || !strings.Contains(s, "/processes/"):
		return "process.join.format"
	}
	return ""
}

// ProcessRemove serves POST /processes/{id}/remove.
func (h ProcessPages) ProcessRemove(w http.ResponseWriter, r *http.Request, id string) {
	h.member(cp.OpRemove)(w, r, id)
}

// ProcessAdmit serves POST /processes/{id}/admit.
func (h ProcessPages) ProcessAdmit(w http.ResponseWriter, r *http.Request, id string) {
	h.member(cp.OpAdmit)(w, r, id)
}
