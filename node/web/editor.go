package web

import (
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// Audit actions of the editor pages.
const (
	ActionObjectCreate = "object.create"
	ActionObjectUpdate = "object.update"
	ActionObjectDraft  = "object.draft"
	ActionObjectImport = "object.import"
)

// maxEditForm bounds a posted editor form (instructions may hold 256 KiB
// per language).
const maxEditForm = 4 << 20

// addEditorPages parses the editor's pages: the form (with the object
// page's content, renamed "objectbody", for the preview), the page that
// lists what an editor may publish, and the import page.
func (h *Handler) addEditorPages() error {
	obj, err := fs.ReadFile(templateFS, "templates/object.html")
	if err != nil {
		return err
	}
	body := strings.Replace(string(obj), `{{define "content"}}`, `{{define "objectbody"}}`, 1)
	for page, files := range map[string][]string{"edit": {"templates/edit.html"}, "editindex": {"templates/edit_index.html"}, "import": {"templates/import.html"}} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, append([]string{"templates/layout.html", "templates/item.html"}, files...)...)
		if err != nil {
			return err
		}
		if page == "edit" {
			if _, err := t.New("objectbody").Parse(body); err != nil {
				return err
			}
		}
		h.pages[page] = t
	}
	return nil
}

// editor returns the signed-in editor; otherwise it has answered: a
// redirect to the sign-in page back to this one, or 403 for a reader.
func (h EditorPages) editor(w http.ResponseWriter, r *http.Request) (session, bool) {
	s, ok := sessionFrom(r.Context())
	if !ok {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return session{}, false
	}
	if !s.user.Role.Allows(accounts.RoleEditor) {
		h.Error(w, r, http.StatusForbidden)
		return session{}, false
	}
	return s, true
}

// readForm parses a posted form (bounded); on failure it has answered
// (413 or 400).
func (h EditorPages) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxEditForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.Error(w, r, http.StatusRequestEntityTooLarge)
		} else {
			h.Error(w, r, http.StatusBadRequest)
		}
		return false
	}
	return true
}

// postedEditor reads a posted form and returns the editor who may act on
// it. When it cannot be acted on because the session ended while the form
// was open, or the form's CSRF token is of an earlier session (its author
// signed in again meanwhile), it answers with the form again, everything
// typed kept, and a notice of what to do: nothing is written, and nothing
// typed is lost (http.CrossOriginProtection has already refused requests
// from other sites, so such a form is the editor's own). A reader gets 403.
func (h EditorPages) postedEditor(w http.ResponseWriter, r *http.Request, spec *formSpec, cur *protocol.Object) (session, bool) {
	if !h.readForm(w, r) {
		return session{}, false
	}
	s, ok := sessionFrom(r.Context())
	switch {
	case !ok:
		h.keepDraft(w, r, spec, cur, http.StatusUnauthorized, "edit.kept.signin")
		return session{}, false
	case !s.user.Role.Allows(accounts.RoleEditor):
		h.Error(w, r, http.StatusForbidden)
		return session{}, false
	case h.d.Accounts().CheckCSRF(s.secret, r.PostForm.Get("csrf")) != nil:
		h.keepDraft(w, r, spec, cur, http.StatusForbidden, "edit.kept.again")
		return session{}, false
	}
	return s, true
}

// keepDraft answers the posted form again with notice (a message id).
func (h EditorPages) keepDraft(w http.ResponseWriter, r *http.Request, spec *formSpec, cur *protocol.Object, status int, notice string) {
	fd, _ := formFromPost(spec, r.PostForm)
	version, _ := strconv.ParseUint(r.PostForm.Get("version"), 10, 64)
	loc := h.locale(w, r)
	h.editPageWith(w, r, status, spec, fd, nil, version, cur, func(v *editView) { v.Notice = loc.T(notice) })
}

type editIndexView struct {
	Kinds []optionView // Value: the href
}

// NewIndex serves GET /new: what an editor may publish, and the import.
func (h EditorPages) NewIndex(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.editor(w, r); !ok {
		return
	}
	loc := h.locale(w, r)
	var v editIndexView
	for _, f := range forms {
		v.Kinds = append(v.Kinds, optionView{Value: "/new/" + f.Slug, Label: loc.T("kind." + string(f.Kind))})
	}
	h.render(w, r, http.StatusOK, "editindex", loc.T("edit.index.title"), v)
}

// NewForm serves GET /new/{slug}: an empty form of that kind.
func (h EditorPages) NewForm(w http.ResponseWriter, r *http.Request, slug string) {
	if _, ok := h.editor(w, r); !ok {
		return
	}
	spec := formBySlug(slug)
	if spec == nil {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	h.editPage(w, r, http.StatusOK, spec, newFormData(), nil, 0, nil)
}

// NewPost serves POST /new/{slug}: add a language or a row, preview, or
// publish through the catalogue's Create.
func (h EditorPages) NewPost(w http.ResponseWriter, r *http.Request, slug string) {
	spec := formBySlug(slug)
	if spec == nil {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	if s, ok := h.postedEditor(w, r, spec, nil); ok {
		h.editPost(w, r, s, spec, nil)
	}
}

// editable reads object id for its edit page: this node's, live and of
// a kind the forms cover; otherwise it has answered (404, 410, 403).
func (h EditorPages) editable(w http.ResponseWriter, r *http.Request, id string) (protocol.Object, *formSpec, bool) {
	p, ok := h.currentObject(w, r, id, "edit")
	switch {
	case !ok:
		return protocol.Object{}, nil, false
	case p.Object.Deleted:
		h.Error(w, r, http.StatusGone)
		return protocol.Object{}, nil, false
	}
	spec := formByKind(p.Object.Type)
	if spec == nil || editHref(p.Object, h.d.URIs.Base()) == "" {
		h.Error(w, r, http.StatusForbidden)
		return protocol.Object{}, nil, false
	}
	return p.Object, spec, true
}

// EditForm serves GET /objects/{id}/edit: the form filled with the
// current version, whose number travels in the form (optimistic
// concurrency).
func (h EditorPages) EditForm(w http.ResponseWriter, r *http.Request, id string) {
	if _, ok := h.editor(w, r); !ok {
		return
	}
	obj, spec, ok := h.editable(w, r, id)
	if !ok {
		return
	}
	h.editPage(w, r, http.StatusOK, spec, formFromBody(spec, obj.Body), nil, obj.Version, &obj)
}

// EditPost serves POST /objects/{id}/edit: as NewPost, saving through
// the catalogue's Update with the form's version as If-Match.
func (h EditorPages) EditPost(w http.ResponseWriter, r *http.Request, id string) {
	obj, spec, ok := h.editable(w, r, id)
	if !ok {
		return
	}
	if s, ok := h.postedEditor(w, r, spec, &obj); ok {
		h.editPost(w, r, s, spec, &obj)
	}
}

// editPost handles a posted form; cur is the object edited (nil: a new one).
func (h EditorPages) editPost(w http.ResponseWriter, r *http.Request, s session, spec *formSpec, cur *protocol.Object) {
	loc := h.locale(w, r)
	fd, errs := formFromPost(spec, r.PostForm)
	version, _ := strconv.ParseUint(r.PostForm.Get("version"), 10, 64)
	op := r.PostForm.Get("op")
	if op == "addlang" || strings.HasPrefix(op, "add:") {
		status := http.StatusOK
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		}
		h.editPage(w, r, status, spec, fd, errs, version, cur)
		return
	}
	e, errs := fd.decode(spec)
	if len(errs) > 0 {
		h.editPage(w, r, http.StatusUnprocessableEntity, spec, fd, errs, version, cur)
		return
	}
	if op == "preview" {
		next := uint64(1)
		if cur != nil {
			next = cur.Version + 1
		}
		pv := previewView(loc, e, next, h.d.URIs.Base())
		h.editPageWith(w, r, http.StatusOK, spec, fd, nil, version, cur, func(v *editView) {
			v.Preview = &view{L: loc, Site: h.d.Site, Content: pv}
		})
		return
	}
	cat := h.d.Catalogue()
	var obj protocol.Object
	var err error
	action := ActionObjectCreate
	if cur == nil {
		obj, err = cat.Create(r.Context(), e)
	} else {
		action = ActionObjectUpdate
		obj, err = cat.Update(r.Context(), cur.ID, e, version)
	}
	var draft *catalogue.DraftStarted
	var ve *protocol.ValidationError
	var ke *storage.KeyExistsError
	var ce *storage.ConflictError
	switch {
	case errors.As(err, &draft):
		h.audit(r, s, ActionObjectDraft, obj.IRI, "draft "+draft.Draft.ID+" for "+string(e.Kind()))
		h.editPageWith(w, r, http.StatusAccepted, spec, fd, nil, version, cur, func(v *editView) {
			v.Notice, v.Done = loc.T("edit.draft"), "/"
		})
	case errors.As(err, &ve):
		h.editPage(w, r, http.StatusUnprocessableEntity, spec, fd, ve.Errors, version, cur)
	case errors.As(err, &ke):
		h.editPage(w, r, http.StatusUnprocessableEntity, spec, fd, []protocol.FieldError{{Field: protocol.KeyField(ke.Type),
			Rule: "unique", Message: "already used by " + ke.IRI}}, version, cur)
	case errors.As(err, &ce) || errors.Is(err, storage.ErrConflict):
		have := version
		if ce != nil {
			have = ce.Have
		}
		h.editPageWith(w, r, http.StatusConflict, spec, fd, nil, have, cur, func(v *editView) {
			v.Notice = loc.Tf("edit.stale", have)
			if cur != nil {
				v.Current = "/objects/" + cur.ID
			}
		})
	case errors.Is(err, catalogue.ErrNotOwner):
		h.Error(w, r, http.StatusForbidden)
	case errors.Is(err, storage.ErrGone):
		h.Error(w, r, http.StatusGone)
	case errors.Is(err, storage.ErrNotFound):
		h.Error(w, r, http.StatusNotFound)
	case errors.Is(err, catalogue.ErrCosignFailed):
		h.editPageWith(w, r, http.StatusBadGateway, spec, fd, nil, version, cur, func(v *editView) { v.Notice = loc.T("edit.cosign_failed") })
	case err != nil:
		h.d.Logger.ErrorContext(r.Context(), "web: save", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
	default:
		h.audit(r, s, action, obj.IRI, string(obj.Type)+" version "+strconv.FormatUint(obj.Version, 10))
		http.Redirect(w, r, "/objects/"+obj.ID, http.StatusSeeOther)
	}
}

// audit records a change made through a page; the change is already
// durable, so a failure is logged, not shown.
func (h EditorPages) audit(r *http.Request, s session, action, target, detail string) {
	if err := h.d.Accounts().Audit(r.Context(), s.user, action, target, detail); err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: audit", "action", action, "target", target, "err", err)
	}
}

func (h EditorPages) editPage(w http.ResponseWriter, r *http.Request, status int, spec *formSpec, fd formData, errs []protocol.FieldError, version uint64, cur *protocol.Object) {
	h.editPageWith(w, r, status, spec, fd, errs, version, cur, nil)
}

// editPageWith renders the editor form; more sets the preview or a notice.
func (h EditorPages) editPageWith(w http.ResponseWriter, r *http.Request, status int, spec *formSpec, fd formData, errs []protocol.FieldError,
	version uint64, cur *protocol.Object, more func(*editView)) {
	loc := h.locale(w, r)
	ch, err := h.d.Catalogue().FormChoices(r.Context())
	if err != nil { // the lists only help: the form works without them
		h.d.Logger.WarnContext(r.Context(), "web: the editor's choices", "err", err)
	}
	v, general := formView(loc, spec, fd, errs, ch)
	for _, fe := range general {
		v.Summary = append(v.Summary, summaryItem{Href: "#form", Text: errorText(loc, fe)})
	}
	v.Version = version
	if cur == nil {
		v.Action, v.Cancel = "/new/"+spec.Slug, "/new"
		v.Heading = loc.Td("edit.new.title", map[string]any{"Kind": v.KindLabel})
	} else {
		v.Action, v.Cancel = "/objects/"+cur.ID+"/edit", "/objects/"+cur.ID
		name, _ := text(indexOf(*cur).Name, loc.Tag)
		if name == "" {
			name = cur.Key
		}
		v.Heading = loc.Td("edit.edit.title", map[string]any{"Name": name})
	}
	if more != nil {
		more(&v)
	}
	title := v.Heading
	if len(v.Summary) > 0 {
		title = loc.T("edit.error.prefix") + " " + title
	}
	h.render(w, r, status, "edit", title, v)
}
