package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

type processRow struct {
	ID, Name, Aim, Status, Standing, Updated string
	Participants, Tasks                      string
	Public                                   bool
}

type storyRow struct {
	ID, Name, Aim, Status, Title, Summary string
	Participants                          []string
}

type processesView struct {
	Done        string
	Rows        []processRow
	Stories     []storyRow
	Invitations []processRow // admins: invitations received
	Requests    []processRow // admins: requests to join sent, unanswered
	Admin       bool
	Create      createForm
	Governances []option
	Schemas     []option
	Langs       []option
	Join        joinForm
	Errors      []formError
}

type option struct {
	Value, Label string
	Selected     bool
}

type createForm struct {
	Name, Aim, Governance, Schema, Languages string
	Public                                   bool
	NameError, GovernanceError, LangError    string
	SchemaError, Error                       string
}

// ProcessList serves /processes: the processes this node holds (a visitor
// sees the public ones), the finished ones' stories, and for admins the
// invitations received and the form to start a process.
func (h ProcessPages) ProcessList(w http.ResponseWriter, r *http.Request) {
	loc := h.locale(w, r)
	h.processesPage(w, r, http.StatusOK, processesView{Done: doneText(loc, r, "process_accepted", "process_declined", "process_requested", "process_queued")})
}

func (h ProcessPages) processesPage(w http.ResponseWriter, r *http.Request, status int, v processesView) {
	loc := h.locale(w, r)
	if h.d.Processes == nil {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	all, err := h.d.Processes.List(r.Context())
	if err != nil {
		h.processError(w, r, err)
		return
	}
	s, signedIn := sessionFrom(r.Context())
	v.Admin = signedIn && s.user.Role.Allows(accounts.RoleAdmin)
	for _, p := range all {
		row := processRow{ID: p.ID, Name: p.Name, Standing: loc.T("process.local." + p.Local), Updated: loc.Date(p.Updated), Status: statusLabel(loc, "")}
		if p.Process != nil {
			row.Aim, row.Status, row.Public = p.Process.Aim, statusLabel(loc, p.Process.Status), p.Process.Public
			row.Participants, row.Tasks = loc.Num(len(p.Process.Active())), loc.Num(p.Process.TaskCount())
		}
		if p.Local == "invited" {
			if requested(p) {
				row.Standing = loc.T("process.membership.requested")
				if v.Admin {
					v.Requests = append(v.Requests, row)
				}
				continue
			}
			if v.Admin {
				v.Invitations = append(v.Invitations, row)
			}
			continue
		}
		if !visible(p, signedIn) {
			continue
		}
		if p.Process != nil && p.Process.Status == cp.Finished {
			st := storyRow{ID: p.ID, Name: p.Name, Aim: p.Process.Aim, Status: row.Status}
			for _, e := range p.Process.Active() {
				st.Participants = append(st.Participants, participantName(p.Process, e))
			}
			if p.Process.Story != nil {
				st.Title, st.Summary = p.Process.Story.Title, p.Process.Story.Summary
			}
			v.Stories = append(v.Stories, st)
		}
		v.Rows = append(v.Rows, row)
	}
	if v.Admin {
		for _, g := range cp.Governances {
			v.Governances = append(v.Governances, option{Value: string(g), Label: loc.T("process.governance." + string(g)), Selected: string(g) == v.Create.Governance})
		}
		schemas, err := h.d.Processes.Schemas(r.Context())
		if err != nil {
			h.processError(w, r, err)
			return
		}
		for _, sc := range schemas {
			v.Schemas = append(v.Schemas, option{Value: sc.Ref, Label: sc.Name, Selected: sc.Ref == v.Create.Schema})
		}
		chosen := splitList(v.Create.Languages)
		for _, l := range processLangs {
			v.Langs = append(v.Langs, option{Value: l, Label: loc.LangName(l), Selected: slices.Contains(chosen, l)})
		}
	}
	h.render(w, r, status, "processes", loc.T("process.list.title"), v)
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ProcessCreate serves POST /processes (admins): start a process.
func (h ProcessPages) ProcessCreate(w http.ResponseWriter, r *http.Request) {
	s, ok := h.postForm(w, r, accounts.RoleAdmin)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	f := r.PostForm
	in := createForm{Name: strings.TrimSpace(f.Get("name")), Aim: strings.TrimSpace(f.Get("aim")), Governance: f.Get("governance"),
		Schema: f.Get("schema"), Languages: strings.Join(f["languages"], ","), Public: f.Get("public") == "on"}
	switch {
	case in.Name == "":
		in.NameError = loc.T("process.create.name_required")
	case len(in.Name) > cp.MaxName:
		in.NameError = loc.T("process.create.name_long")
	}
	if !slices.Contains(cp.Governances, cp.Governance(in.Governance)) {
		in.GovernanceError = loc.T("process.create.governance_required")
	}
	langs := splitList(in.Languages)
	for _, l := range langs {
		if !protocol.ValidBCP47(l) {
			in.LangError = loc.T("process.create.lang_invalid")
		}
	}
	v := processesView{Create: in}
	v.Errors = formErrors("name", in.NameError, "governance", in.GovernanceError, "languages", in.LangError)
	if len(v.Errors) > 0 {
		h.processesPage(w, atPage(r, "/processes"), http.StatusUnprocessableEntity, v)
		return
	}
	id, err := h.d.Processes.Create(r.Context(), NewProcess{Name: in.Name, Aim: in.Aim, Governance: in.Governance, Schema: in.Schema,
		Languages: langs, Public: in.Public}, s.user.Username)
	if err != nil {
		msg, status := changeMessage(loc, err)
		switch {
		case in.Schema != "" && errors.Is(err, cp.ErrNotFound):
			v.Create.SchemaError, status = loc.T("process.create.schema_unknown"), http.StatusUnprocessableEntity
			v.Errors = formErrors("schema", v.Create.SchemaError)
		case msg != "":
			v.Create.Error = msg
			v.Errors = formErrors("name", msg)
		default:
			h.processError(w, r, err)
			return
		}
		h.processesPage(w, atPage(r, "/processes"), status, v)
		return
	}
	if !h.recordChange(w, r, s, "process.create", id, in.Name) {
		return
	}
	redirectDone(w, r, "/processes/"+id, "process_created")
}

// ProcessAnswer serves POST /processes/{id}/accept and /decline (admins).
func (h ProcessPages) ProcessAnswer(accept bool) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		s, ok := h.processPost(w, r, accounts.RoleAdmin)
		if !ok {
			return
		}
		if _, err := h.d.Processes.Answer(r.Context(), id, accept, s.user.Username); err != nil {
			loc := h.locale(w, r)
			if msg, status := changeMessage(loc, err); msg != "" {
				h.processesPage(w, atPage(r, "/processes"), status, processesView{Errors: []formError{{Field: "invitations", Text: msg}}})
				return
			}
			h.processError(w, r, err)
			return
		}
		action, done := "process.decline", "process_declined"
		if accept {
			action, done = "process.accept", "process_accepted"
		}
		if !h.recordChange(w, r, s, action, id, "") {
			return
		}
		redirectDone(w, r, "/processes", done)
	}
}

// requested reports whether this node asked to join v and waits for its
// host (it holds the process as invited, with no invitation to answer).
func requested(v ProcessView) bool {
	if v.Process == nil {
		return false
	}
	x := v.Process.Participant(v.Self)
	return x == nil || x.Membership == cp.Requested
}
