package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// Finishing a process (/processes/{id}/finish, the host's admins): the
// story (title, summary, results, lessons learnt, materials) is the
// finish change; the node then drafts the public service the process
// produced, which every participant co-signs (coproduction.Service.Finish).
// The workspace shows the story and where the service stands.

// maxMaterial is the length of one line of materials.
const maxMaterial = 2048

// canFinish reports whether the person may finish v here.
func canFinish(r *http.Request, v ProcessView) bool {
	return v.Local == "host" && may(r, v, cp.Administer, "", accounts.RoleAdmin)
}

// ProcessFinishForm serves /processes/{id}/finish: the story's form.
func (h ProcessPages) ProcessFinishForm(w http.ResponseWriter, r *http.Request, id string) {
	h.finishPage(w, r, id, http.StatusOK, procFormView{Values: map[string]string{}, Errs: map[string]string{}})
}

func (h ProcessPages) finishPage(w http.ResponseWriter, r *http.Request, id string, status int, v procFormView) {
	loc := h.locale(w, r)
	if _, ok := h.needRole(w, r, accounts.RoleAdmin); !ok {
		return
	}
	pv, ok := h.processPage(w, r, id)
	if !ok {
		return
	}
	if !canFinish(r, pv) {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	v.ProcessID, v.ProcessName, v.ProcessHref = pv.ID, pv.Name, "/processes/"+url.PathEscape(pv.ID)
	h.render(w, r, status, "process_finish", loc.T("process.finish.title"), v)
}

// ProcessFinish serves POST /processes/{id}/finish (the host's admins).
func (h ProcessPages) ProcessFinish(w http.ResponseWriter, r *http.Request, id string) {
	s, pv, ok := h.processPostOf(w, r, accounts.RoleAdmin, id)
	if !ok {
		return
	}
	if !canFinish(r, pv) {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	loc := h.locale(w, r)
	v := procFormView{Values: map[string]string{}, Errs: map[string]string{}}
	for _, f := range []string{"title", "summary", "results", "lessons", "materials"} {
		v.Values[f] = strings.TrimSpace(r.PostForm.Get(f))
	}
	bad := func(f, msg string) {
		v.Errs[f] = msg
		v.Errors = append(v.Errors, formError{Field: f, Text: msg})
	}
	switch t := v.Values["title"]; {
	case t == "":
		bad("title", loc.T("process.finish.title_required"))
	case len(t) > cp.MaxName:
		bad("title", loc.T("process.create.name_long"))
	}
	switch sm := v.Values["summary"]; {
	case sm == "":
		bad("summary", loc.T("process.finish.summary_required"))
	case len(sm) > cp.MaxText:
		bad("summary", loc.T("process.tree.text_long"))
	}
	for _, f := range []string{"objectives", "results", "lessons"} {
		if len(v.Values[f]) > cp.MaxText {
			bad(f, loc.T("process.tree.text_long"))
		}
	}
	var materials []string
	for line := range strings.SplitSeq(v.Values["materials"], "\n") {
		if m := strings.TrimSpace(line); m != "" {
			materials = append(materials, m)
			switch {
			case len(m) > maxMaterial:
				bad("materials", loc.T("process.tree.text_long"))
			case !protocol.ValidHTTPURL(m) && v.Errs["materials"] == "":
				bad("materials", loc.T("process.finish.materials_link"))
			}
		}
	}
	if len(materials) > cp.MaxList && v.Errs["materials"] == "" {
		bad("materials", loc.Tf("process.finish.materials_many", cp.MaxList))
	}
	page := atPage(r, "/processes/"+id+"/finish")
	if len(v.Errors) > 0 {
		h.finishPage(w, page, id, http.StatusUnprocessableEntity, v)
		return
	}
	st := cp.Story{Title: v.Values["title"], Summary: v.Values["summary"], Objectives: v.Values["objectives"], Results: v.Values["results"], Lessons: v.Values["lessons"], Materials: materials}
	done := "process_finished"
	if err := h.d.Processes.Finish(r.Context(), pv.ID, st, s.user.Username); errors.Is(err, ErrNotDrafted) {
		// Finished all the same: say so, and that the service is missing.
		h.d.Logger.ErrorContext(r.Context(), "web: finish", "process", pv.ID, "err", err)
		done = "process_finished_nodraft"
	} else if err != nil {
		msg, status := changeMessage(loc, err)
		if msg == "" {
			h.processError(w, r, err)
			return
		}
		v.Errs["finish-form"] = msg
		v.Errors = formErrors("finish-form", msg)
		h.finishPage(w, page, id, status, v)
		return
	}
	if !h.recordChange(w, r, s, "process.finish", pv.ID, st.Title) {
		return
	}
	redirectDone(w, r, "/processes/"+pv.ID, done)
}

// materialLink is a line of materials as a link when it is a web address.
type materialLine struct {
	Text, Href string
}

func materialLines(ms []string) []materialLine {
	out := make([]materialLine, 0, len(ms))
	for _, m := range ms {
		l := materialLine{Text: m}
		if u, err := url.Parse(m); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			l.Href = m
		}
		out = append(out, l)
	}
	return out
}
