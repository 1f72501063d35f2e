package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

type procAssetRow struct {
	ID, Name, Href, AddedBy, Kind, Size string
	External                            bool
}

type procRecRow struct {
	Name, Href, Matched string
}

type taskForm struct {
	Status, Progress, Start, End, Base               string
	StatusError, ProgressError, StartError, EndError string
	Error                                            string // a refused change (stale, forbidden...)
}

type linkForm struct {
	Name, Link, NameError, LinkError, Error string
}

type procTaskView struct {
	ProcessID, ProcessName, ProcessHref       string
	Key, Name, Description, Status, Progress  string
	Start, End, Responsible, Phase, Objective string
	ProblemProfiles                           []string
	Done                                      string
	Interlinkers                              []string
	Recommended                               []procRecRow
	Assets                                    []procAssetRow
	CanEdit                                   bool
	CanAddAssets, CanRemoveAssets             bool
	Statuses                                  []option
	Form                                      taskForm
	Link                                      linkForm
	File                                      fileForm
	FileLimit                                 string
	RemoveError                               string
	Errors                                    []formError
}

// ProcessTask serves /processes/{id}/tasks/{key}: the task, the
// interlinkers recommended for its problem profiles, its assets, and for
// editors, where this node holds the right, the forms to update it, to add
// a link or a file, and to remove an asset.
func (h ProcessPages) ProcessTask(w http.ResponseWriter, r *http.Request, id, key string) {
	loc := h.locale(w, r)
	h.taskPage(w, r, id, key, http.StatusOK, procTaskView{Done: doneText(loc, r, "task_updated", "asset_added", "file_added", "asset_removed", "process_queued")})
}

func (h ProcessPages) taskPage(w http.ResponseWriter, r *http.Request, id, key string, status int, v procTaskView) {
	loc := h.locale(w, r)
	pv, ok := h.processPage(w, r, id)
	if !ok {
		return
	}
	p := pv.Process
	var t *cp.Task
	if p != nil {
		t = p.Task(key)
	}
	if t == nil {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	v.ProcessID, v.ProcessName, v.ProcessHref = pv.ID, pv.Name, "/processes/"+url.PathEscape(pv.ID)
	v.Key, v.Name, v.Description, v.Status, v.Progress = t.Key, t.Name, t.Description, statusLabel(loc, t.Status), loc.Num(t.Progress)
	v.Start, v.End, v.ProblemProfiles, v.Interlinkers = t.Start, t.End, t.ProblemProfiles, t.Interlinkers
	if t.Responsible != "" {
		v.Responsible = participantName(p, t.Responsible)
	}
	for _, ph := range p.Phases {
		for _, o := range ph.Objectives {
			for _, x := range o.Tasks {
				if x == t {
					v.Phase, v.Objective = ph.Name, o.Name
				}
			}
		}
	}
	for _, a := range t.Assets {
		row := procAssetRow{ID: a.ID, Name: a.Name, AddedBy: participantName(p, a.AddedBy)}
		if a.Link != "" {
			row.Href, row.External, row.Kind = a.Link, true, loc.T("process.asset.link")
		} else {
			row.Href, row.Kind, row.Size = v.ProcessHref+"/assets/"+url.PathEscape(a.SHA256), loc.T("process.asset.file"), sizeText(loc, a.Size)
		}
		v.Assets = append(v.Assets, row)
	}
	recs, err := h.d.Processes.Recommend(r.Context(), pv.ID, t.Key, 10)
	if err != nil {
		h.processError(w, r, err)
		return
	}
	for _, rc := range recs {
		it := h.item(loc, rc.Object, nil)
		v.Recommended = append(v.Recommended, procRecRow{Name: it.Name, Href: it.Href, Matched: strings.Join(rc.Matched, ", ")})
	}
	v.CanEdit = may(r, pv, cp.EditTasks, t.Key, accounts.RoleEditor)
	v.CanAddAssets = may(r, pv, cp.AddAssets, t.Key, accounts.RoleEditor)
	v.CanRemoveAssets = may(r, pv, cp.RemoveAssets, t.Key, accounts.RoleEditor)
	v.FileLimit = sizeText(loc, h.d.Processes.AssetLimit())
	if v.Form.Base == "" { // a fresh form: the task as it is
		v.Form.Status, v.Form.Progress, v.Form.Start, v.Form.End = string(t.Status), strconv.Itoa(t.Progress), t.Start, t.End
		v.Form.Base = strconv.FormatUint(t.Rev, 10)
	}
	for _, st := range cp.Statuses {
		v.Statuses = append(v.Statuses, option{Value: string(st), Label: statusLabel(loc, st), Selected: string(st) == v.Form.Status})
	}
	h.render(w, r, status, "process_task", t.Name, v)
}

// ProcessTaskUpdate serves POST /processes/{id}/tasks/{key} (editors):
// status, progress and dates, against the revision the form showed.
func (h ProcessPages) ProcessTaskUpdate(w http.ResponseWriter, r *http.Request, id, key string) {
	s, ok := h.processPost(w, r, accounts.RoleEditor)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	f := r.PostForm
	in := taskForm{Status: f.Get("status"), Progress: strings.TrimSpace(f.Get("progress")), Start: strings.TrimSpace(f.Get("start")),
		End: strings.TrimSpace(f.Get("end")), Base: f.Get("base")}
	base, err := strconv.ParseUint(in.Base, 10, 64)
	if err != nil {
		h.Error(w, r, http.StatusBadRequest)
		return
	}
	if !validStatus(in.Status) {
		in.StatusError = loc.T("process.task.status_invalid")
	}
	progress, okP := atoiRange(in.Progress, 0, 100)
	if !okP {
		in.ProgressError = loc.T("process.task.progress_invalid")
	}
	if in.Start != "" && !validDate(in.Start) {
		in.StartError = loc.T("process.task.date_invalid")
	}
	if in.End != "" && !validDate(in.End) {
		in.EndError = loc.T("process.task.date_invalid")
	}
	if in.StartError == "" && in.EndError == "" && in.Start != "" && in.End != "" && in.End < in.Start {
		in.EndError = loc.T("process.task.end_before_start")
	}
	v := procTaskView{Form: in}
	v.Errors = formErrors("status", in.StatusError, "progress", in.ProgressError, "start", in.StartError, "end", in.EndError)
	page := atPage(r, "/processes/"+id+"/tasks/"+key)
	if len(v.Errors) > 0 {
		h.taskPage(w, page, id, key, http.StatusUnprocessableEntity, v)
		return
	}
	st := cp.Status(in.Status)
	patch := cp.TaskPatch{Status: &st, Progress: &progress, Start: &in.Start, End: &in.End}
	queued, err := h.d.Processes.UpdateTask(r.Context(), id, key, base, patch, s.user.Username)
	if err != nil {
		msg, status := changeMessage(loc, err)
		if msg == "" {
			h.processError(w, r, err)
			return
		}
		v.Form.Error = msg
		v.Errors = formErrors("task-form", msg)
		h.taskPage(w, page, id, key, status, v)
		return
	}
	if !h.recordChange(w, r, s, "process.task_update", id+"/"+key, in.Status+" "+in.Progress+"%") {
		return
	}
	done := "task_updated"
	if queued {
		done = "process_queued"
	}
	redirectDone(w, r, "/processes/"+id+"/tasks/"+key, done)
}

var assetIDPattern = regexp.MustCompile(`[^a-z0-9]+`)

// assetID makes a key for a new asset from its name and a random suffix.
func assetID(name string) string {
	slug := strings.Trim(assetIDPattern.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(slug) > 40 {
		slug = strings.Trim(slug[:40], "-")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	if slug == "" {
		return "asset-" + hex.EncodeToString(b[:])
	}
	return slug + "-" + hex.EncodeToString(b[:])
}

// ProcessAddLink serves POST /processes/{id}/tasks/{key}/assets (editors):
// add a link as an asset of the task.
func (h ProcessPages) ProcessAddLink(w http.ResponseWriter, r *http.Request, id, key string) {
	s, ok := h.processPost(w, r, accounts.RoleEditor)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	in := linkForm{Name: strings.TrimSpace(r.PostForm.Get("name")), Link: strings.TrimSpace(r.PostForm.Get("link"))}
	switch {
	case in.Name == "":
		in.NameError = loc.T("process.asset.name_required")
	case len(in.Name) > cp.MaxName:
		in.NameError = loc.T("process.asset.name_long")
	}
	if u, err := url.Parse(in.Link); in.Link == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		in.LinkError = loc.T("process.asset.link_invalid")
	}
	v := procTaskView{Link: in}
	v.Errors = formErrors("asset-name", in.NameError, "asset-link", in.LinkError)
	page := atPage(r, "/processes/"+id+"/tasks/"+key)
	if len(v.Errors) > 0 {
		h.taskPage(w, page, id, key, http.StatusUnprocessableEntity, v)
		return
	}
	h.addAsset(w, r, s, page, id, key, cp.AssetData{ID: assetID(in.Name), Name: in.Name, Link: in.Link}, v,
		"asset-name", func(v *procTaskView, msg string) { v.Link.Error = msg }, "asset_added", in.Link)
}

// ProcessAsset serves /processes/{id}/assets/{sha}: a file asset, as a
// download, to whoever may see the process.
func (h ProcessPages) ProcessAsset(w http.ResponseWriter, r *http.Request, id, sha string) {
	pv, ok := h.processPage(w, r, id)
	if !ok {
		return
	}
	name := ""
	if pv.Process != nil {
		for _, ph := range pv.Process.Phases {
			for _, o := range ph.Objectives {
				for _, t := range o.Tasks {
					for _, a := range t.Assets {
						if a.SHA256 == sha && a.SHA256 != "" {
							name = a.Name
						}
					}
				}
			}
		}
	}
	if name == "" { // only the files of this process
		h.Error(w, r, http.StatusNotFound)
		return
	}
	b, err := h.d.Processes.Asset(r.Context(), sha)
	if err != nil {
		h.processError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	_, _ = w.Write(b)
}
