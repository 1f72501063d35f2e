package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

type participantRow struct {
	Name, Entity, Role, Membership, Rights string
}

type taskRow struct {
	Key, Name, Href, Status, Progress, Responsible, Start, End string
}

type objectiveRow struct {
	Key, Name, Status, Progress string
	AddTask                     string // the tree's form for a task here, when this node and person may add one
	Tasks                       []taskRow
}

type phaseRow struct {
	Key, Name, Status, Progress string
	Objectives                  []objectiveRow
}

type changeRow struct {
	Seq, Op, Item, Organisation, Person, At string
}

type workspaceView struct {
	ID, Name, Aim, Description, Status, Governance, Host, Standing string
	Languages, Created                                             string
	Public                                                         bool
	Done                                                           string
	Participants                                                   []participantRow
	Phases                                                         []phaseRow
	Changes                                                        []changeRow
	Held                                                           string
	Newer, Older                                                   string // timeline page links
	Story                                                          *cp.Story
	CanInvite                                                      bool
	Target, TargetError                                            string
	Errors                                                         []formError
	// The view of the tree: "tree" (tables) or "board" (columns by status).
	Board               bool
	TreeHref, BoardHref string
	Columns             []boardColumn
	CanEditTree         bool // a link to the tree's forms
	CanFinish           bool // a link to the finish form
	Materials           []materialLine
	Service             ServiceStatus
	ServiceText         string
	StoryHref           string   // the published story's page here
	Join                joinForm // ask to join (a public process this node left)
	Waiting             bool     // this node asked to join and waits for the host
	Manage              []manageRow
	ManageInput         *manageInput // a refused rights form, kept
}

// ProcessWorkspace serves /processes/{id}: the process's facts, its
// participants with their roles and rights, its tree, and its signed
// changes, newest page last (?after=N pages on).
func (h ProcessPages) ProcessWorkspace(w http.ResponseWriter, r *http.Request, id string) {
	loc := h.locale(w, r)
	h.workspacePage(w, r, id, http.StatusOK, workspaceView{Done: doneText(loc, r, "process_created", "process_invited", "process_queued",
		"process_finished", "process_finished_nodraft", "process_requested", "rights_changed", "participant_removed", "participant_admitted")})
}

func (h ProcessPages) workspacePage(w http.ResponseWriter, r *http.Request, id string, status int, v workspaceView) {
	loc := h.locale(w, r)
	pv, ok := h.processPage(w, r, id)
	if !ok {
		return
	}
	after := uint64(0)
	if s := r.URL.Query().Get("after"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || strconv.FormatUint(n, 10) != s {
			h.Error(w, r, http.StatusBadRequest)
			return
		}
		after = n
	}
	changes, held, err := h.d.Processes.Timeline(r.Context(), pv.ID, after, timelinePage)
	if err != nil {
		h.processError(w, r, err)
		return
	}
	p := pv.Process
	v.ID, v.Name, v.Host, v.Standing = pv.ID, pv.Name, participantName(p, pv.Host), loc.T("process.local."+pv.Local)
	v.Held = loc.Num(held)
	if p != nil {
		v.Aim, v.Description, v.Status = p.Aim, p.Description, statusLabel(loc, p.Status)
		v.Governance, v.Public, v.Story = loc.T("process.governance."+string(p.Governance)), p.Public, p.Story
		var langs []string
		for _, l := range p.Languages {
			langs = append(langs, loc.LangName(l))
		}
		v.Languages, v.Created = strings.Join(langs, ", "), loc.Date(p.Created)
		for _, x := range p.Participants {
			var rights []string
			for _, g := range x.Grants {
				names := make([]string, 0, len(g.Rights))
				for _, rt := range g.Rights {
					names = append(names, loc.T("process.right."+string(rt)))
				}
				scope := loc.T("process.scope.all")
				if g.Scope != "" {
					scope = g.Scope
				}
				rights = append(rights, scope+": "+strings.Join(names, ", "))
			}
			v.Participants = append(v.Participants, participantRow{Name: participantName(p, x.Entity), Entity: x.Entity,
				Role: loc.T("process.role." + string(x.Role)), Membership: loc.T("process.membership." + string(x.Membership)), Rights: strings.Join(rights, "; ")})
		}
		for _, ph := range p.Phases {
			pr := phaseRow{Key: ph.Key, Name: ph.Name, Status: statusLabel(loc, ph.Status), Progress: loc.Num(ph.Progress)}
			for _, o := range ph.Objectives {
				or := objectiveRow{Key: o.Key, Name: o.Name, Status: statusLabel(loc, o.Status), Progress: loc.Num(o.Progress)}
				if may(r, pv, cp.EditTasks, o.Key, accounts.RoleEditor) {
					or.AddTask = "/processes/" + url.PathEscape(pv.ID) + "/tree?objective=" + url.QueryEscape(o.Key) + "#add-task"
				}
				for _, t := range o.Tasks {
					tr := taskRow{Key: t.Key, Name: t.Name, Href: "/processes/" + url.PathEscape(pv.ID) + "/tasks/" + url.PathEscape(t.Key),
						Status: statusLabel(loc, t.Status), Progress: loc.Num(t.Progress), Start: t.Start, End: t.End}
					if t.Responsible != "" {
						tr.Responsible = participantName(p, t.Responsible)
					}
					or.Tasks = append(or.Tasks, tr)
				}
				pr.Objectives = append(pr.Objectives, or)
			}
			v.Phases = append(v.Phases, pr)
		}
	}
	for _, c := range changes {
		row := changeRow{Seq: strconv.FormatUint(c.Seq, 10), Op: loc.T("process.op." + c.Op), Item: c.Item,
			Organisation: participantName(p, c.Author), Person: c.Person, At: loc.Date(c.At)}
		v.Changes = append(v.Changes, row)
	}
	base := "/processes/" + url.PathEscape(pv.ID)
	v.Board = r.URL.Query().Get("view") == "board"
	v.TreeHref, v.BoardHref = base+"?view=tree#h-tree", base+"?view=board#h-tree"
	keep := ""
	if v.Board {
		keep = "view=board&"
		v.Columns = boardColumns(loc, pv)
	}
	if n := len(changes); n > 0 && changes[n-1].Seq < held {
		v.Newer = base + "?" + keep + "after=" + strconv.FormatUint(changes[n-1].Seq, 10) + "#timeline"
	}
	if after > 0 {
		prev := uint64(0)
		if after > timelinePage {
			prev = after - timelinePage
		}
		v.Older = base + "?" + keep + "after=" + strconv.FormatUint(prev, 10) + "#timeline"
	}
	v.CanInvite = may(r, pv, cp.Administer, "", accounts.RoleAdmin)
	ch := treeChoices(r, pv)
	v.CanEditTree = len(ch.phases) > 0 || len(ch.objectives) > 0 || may(r, pv, cp.Administer, "", accounts.RoleEditor)
	v.CanFinish = canFinish(r, pv)
	if v.CanInvite {
		v.Manage = manageRows(loc, pv, v.ManageInput)
	}
	if s, ok := sessionFrom(r.Context()); ok && s.user.Role.Allows(accounts.RoleAdmin) && pv.Local == "left" && p != nil && p.Public && p.Status != cp.Finished {
		v.Join.Show, v.Join.Process = true, pv.IRI
	}
	v.Waiting = pv.Local == "invited" && requested(pv)
	if p != nil && p.Story != nil {
		sv, err := h.d.Processes.Service(r.Context(), pv)
		if err != nil {
			h.processError(w, r, err)
			return
		}
		v.Service, v.ServiceText, v.Materials = sv, serviceText(loc, sv), materialLines(p.Story.Materials)
		if pv.Story != "" {
			v.StoryHref = "/objects/" + pv.Story[strings.LastIndexByte(pv.Story, '/')+1:]
		}
	}
	h.render(w, r, status, "process", pv.Name, v)
}

// ProcessInvite serves POST /processes/{id}/invite (admins): invite an
// organisation by its actor address or acct: handle.
func (h ProcessPages) ProcessInvite(w http.ResponseWriter, r *http.Request, id string) {
	s, ok := h.processPost(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	target := strings.TrimSpace(r.PostForm.Get("target"))
	v := workspaceView{Target: target}
	switch {
	case target == "":
		v.TargetError = loc.T("process.invite.required")
	case strings.ContainsAny(target, " \t") || !(strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "acct:")):
		v.TargetError = loc.T("process.invite.format")
	}
	page := atPage(r, "/processes/"+id)
	if v.TargetError == "" {
		queued, err := h.d.Processes.Invite(r.Context(), id, target, s.user.Username)
		if err == nil {
			if !h.recordChange(w, r, s, "process.invite", id, target) {
				return
			}
			done := "process_invited"
			if queued {
				done = "process_queued"
			}
			redirectDone(w, r, "/processes/"+id, done)
			return
		}
		msg, status := changeMessage(loc, err)
		if errors.Is(err, cp.ErrInvalid) { // the target did not resolve to an actor that can be invited
			msg = loc.T("process.invite.unresolved")
		}
		if msg == "" {
			h.processError(w, r, err)
			return
		}
		v.TargetError = msg
		v.Errors = formErrors("target", msg)
		h.workspacePage(w, page, id, status, v)
		return
	}
	v.Errors = formErrors("target", v.TargetError)
	h.workspacePage(w, page, id, http.StatusUnprocessableEntity, v)
}
