package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// A file as an asset of a task (multipart, at most the node's asset
// limit; the domain hashes the content and the file travels in the signed
// change), and removing an asset.

type fileForm struct {
	Name, NameError, FileError, Error string
}

// ProcessAddFile serves POST /processes/{id}/tasks/{key}/files (editors):
// upload a file as an asset of the task.
func (h ProcessPages) ProcessAddFile(w http.ResponseWriter, r *http.Request, id, key string) {
	s, ok := h.processRole(w, r, accounts.RoleEditor)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	limit := h.d.Processes.AssetLimit()
	page := atPage(r, "/processes/"+id+"/tasks/"+key)
	tooLarge := func() {
		v := procTaskView{File: fileForm{FileError: loc.Td("process.file.too_large", map[string]any{"Size": sizeText(loc, limit)})}}
		v.Errors = formErrors("asset-file", v.File.FileError)
		h.taskPage(w, page, id, key, http.StatusRequestEntityTooLarge, v)
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(limit)+64<<10)
	if err := r.ParseMultipartForm(int64(limit) + 64<<10); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
			return
		}
		h.Error(w, r, http.StatusBadRequest)
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	if h.d.Accounts().CheckCSRF(s.secret, r.PostFormValue("csrf")) != nil {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	in := fileForm{Name: strings.TrimSpace(r.PostFormValue("name"))}
	var content []byte
	var mediaType string
	file, hdr, err := r.FormFile("file")
	if err != nil {
		in.FileError = loc.T("process.file.required")
	} else {
		defer file.Close()
		content, err = io.ReadAll(io.LimitReader(file, int64(limit)+1))
		switch {
		case err != nil:
			h.Error(w, r, http.StatusBadRequest)
			return
		case len(content) > limit:
			tooLarge()
			return
		case len(content) == 0:
			in.FileError = loc.T("process.file.empty")
		}
		if in.Name == "" {
			in.Name = path.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
		}
		if mt, _, err := mime.ParseMediaType(hdr.Header.Get("Content-Type")); err == nil && len(mt) <= 255 {
			mediaType = mt
		}
	}
	if len(in.Name) > cp.MaxName {
		in.NameError = loc.T("process.asset.name_long")
	}
	v := procTaskView{File: in}
	v.Errors = formErrors("file-name", in.NameError, "asset-file", in.FileError)
	if len(v.Errors) > 0 {
		h.taskPage(w, page, id, key, http.StatusUnprocessableEntity, v)
		return
	}
	if in.Name == "" || in.Name == "." || in.Name == "/" {
		in.Name = "file"
	}
	h.addAsset(w, r, s, page, id, key, cp.AssetData{ID: assetID(in.Name), Name: in.Name, Content: content, MediaType: mediaType}, v,
		"asset-file", func(v *procTaskView, msg string) { v.File.Error = msg }, "file_added", in.Name)
}

// addAsset proposes an asset of a task and answers: back to the task, the
// change confirmed (or queued while the host is away) and audited as what,
// or the task page with the refusal beside field (setErr puts it there).
func (h ProcessPages) addAsset(w http.ResponseWriter, r *http.Request, s session, page *http.Request, id, key string, a cp.AssetData, v procTaskView,
	field string, setErr func(*procTaskView, string), done, what string) {
	queued, err := h.d.Processes.AddAsset(r.Context(), id, key, a, s.user.Username)
	if err != nil {
		msg, status := changeMessage(h.locale(w, r), err)
		if msg == "" {
			h.processError(w, r, err)
			return
		}
		setErr(&v, msg)
		v.Errors = formErrors(field, msg)
		h.taskPage(w, page, id, key, status, v)
		return
	}
	if !h.recordChange(w, r, s, "process.asset_add", id+"/"+key, what) {
		return
	}
	if queued {
		done = "process_queued"
	}
	redirectDone(w, r, "/processes/"+id+"/tasks/"+key, done)
}

// sizeText is a number of bytes, in bytes, KiB or MiB, in words of the
// language.
func sizeText(loc *locale, n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return loc.Tf("process.file.mib", n>>20)
	case n < 1<<10:
		return loc.Tf("process.file.bytes", n)
	}
	return loc.Tf("process.file.kib", (n+1023)>>10)
}

// ProcessRemoveAsset serves POST /processes/{id}/tasks/{key}/assets/remove
// (editors): remove the asset named by the form's asset field.
func (h ProcessPages) ProcessRemoveAsset(w http.ResponseWriter, r *http.Request, id, key string) {
	s, pv, ok := h.processPostOf(w, r, accounts.RoleEditor, id)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	asset := r.PostForm.Get("asset")
	t := (*cp.Task)(nil)
	if pv.Process != nil {
		t = pv.Process.Task(key)
	}
	if t == nil {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	name := ""
	for _, a := range t.Assets {
		if a.ID == asset {
			name = a.Name
		}
	}
	if name == "" {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	data, err := json.Marshal(cp.AssetRef{ID: asset})
	if err != nil {
		h.processError(w, r, err)
		return
	}
	queued, err := h.d.Processes.Propose(r.Context(), pv.ID, cp.Change{Op: cp.OpRemoveAsset, Item: key, Data: data, Person: s.user.Username})
	if err != nil {
		msg, status := changeMessage(loc, err)
		if msg == "" {
			h.processError(w, r, err)
			return
		}
		v := procTaskView{RemoveError: msg}
		v.Errors = formErrors("h-assets", msg)
		h.taskPage(w, atPage(r, "/processes/"+id+"/tasks/"+key), id, key, status, v)
		return
	}
	if !h.recordChange(w, r, s, "process.asset_remove", id+"/"+key, name) {
		return
	}
	done := "asset_removed"
	if queued {
		done = "process_queued"
	}
	redirectDone(w, r, "/processes/"+id+"/tasks/"+key, done)
}
