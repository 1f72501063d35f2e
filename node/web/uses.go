package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// The object page's "used by" and ratings (each adoption and rating a
// signed object of its own, its signature checked like any other), the
// buttons that adopt ("we use this") and rate an object, signed by this
// node through the catalogue as POST /api/v1/objects does, and the form
// that compares two versions (diff_page.go).

const (
	actionAdopt = "object.adopt"
	actionRate  = "object.rate"
	// maxNote bounds an adoption's note and a rating's comment (characters).
	maxNote = 2000
)

// usable reports whether objects of kind k can be adopted and rated.
func usable(k protocol.Kind) bool {
	return k == protocol.KindInterlinker || k == protocol.KindPublicService || k == protocol.KindCoproductionSchema
}

type useView struct {
	Name, Country, Kind, Since, Note, Instance string
	Status, StatusText, Detail                 string
	Verified, Ours                             bool
	Value                                      int
	Stars                                      string // "★★★☆☆", beside the number
	Date                                       string
}

type usesView struct {
	ID, Path  string
	Adoptions []useView
	Ratings   []useView
	Mean      string
	Count     string
	Adopted   bool // this organisation adopted it already
	MyRating  int
	Usable    bool // an object people adopt and rate
	CanAct    bool // a signed-in editor: the adopt and rate forms
	Done      string
	// the forms' values and errors
	Note, Since, Instance                string
	NoteError, SinceError, InstanceError string
	Value                                string
	Comment, ValueError, CommentError    string
	Values                               []int
	Compare                              []versionOption
	CompareFrom, CompareTo               uint64
	Errors                               []formError // a refused form's, for the summary atop the page
	// The parts object.html prints, rendered from object_uses.html and
	// form_errors.html (renderUses): the page's template stays parseable
	// alone (the editor's preview parses it).
	SummaryHTML, SectionHTML, CompareHTML template.HTML
}

// partView is what the parts' templates read besides the uses: the
// reader's language and the session's CSRF token.
type partView struct {
	L    *locale
	CSRF string
}

// renderUses renders v's parts for the object page.
func (h *Handler) renderUses(r *http.Request, loc *locale, v *usesView) error {
	pv := partView{L: loc}
	if s, ok := sessionFrom(r.Context()); ok {
		pv.CSRF = h.d.Accounts().CSRFToken(s.secret)
	}
	t := h.pages["object_uses"]
	for _, part := range []struct {
		name string
		data any
		out  *template.HTML
	}{{"errsummary", v.Errors, &v.SummaryHTML}, {"uses", v, &v.SectionHTML}, {"compare", v, &v.CompareHTML}} {
		if part.name == "errsummary" && len(v.Errors) == 0 {
			continue
		}
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, part.name, []any{pv, part.data}); err != nil {
			return fmt.Errorf("web: object page part %s: %w", part.name, err)
		}
		*part.out = template.HTML(b.String()) // #nosec: html/template escaped it
	}
	return nil
}

// uses reads what the object page shows of obj's adoptions and ratings
// (nil for a kind that is neither adopted nor rated) and the version
// comparison form.
func (h *Handler) uses(r *http.Request, loc *locale, obj protocol.Object, versions []protocol.Meta) (*usesView, error) {
	v := &usesView{ID: obj.ID, Path: "/objects/" + obj.ID, Values: []int{5, 4, 3, 2, 1}}
	if n := len(versions); n >= 2 {
		v.CompareFrom, v.CompareTo = versions[n-2].Version, versions[n-1].Version
		v.Compare = versionOptions(loc, versions, obj.Version, v.CompareFrom, v.CompareTo)
	}
	if !usable(obj.Type) || obj.Deleted {
		return v, h.finishUses(r, loc, v)
	}
	v.Usable = true
	u, err := h.d.Catalogue().UsesOf(r.Context(), obj.IRI)
	if err != nil {
		return nil, err
	}
	own := h.d.URIs.Base()
	sum := 0
	for _, a := range u.Adoptions {
		uv := h.useOf(loc, a)
		if ad, ok := entityOf(a).(*protocol.Adoption); ok {
			uv.Since, uv.Instance = ad.Since, ad.Instance
			uv.Note, _ = text(ad.Note, loc.Tag)
			if uv.Name == "" {
				uv.Name = ad.Organisation
			}
		}
		v.Adopted = v.Adopted || uv.Ours
		v.Adoptions = append(v.Adoptions, uv)
	}
	for _, o := range u.Ratings {
		uv := h.useOf(loc, o)
		rt, ok := entityOf(o).(*protocol.Rating)
		if !ok {
			continue
		}
		uv.Value, uv.Stars = rt.Value, strings.Repeat("★", rt.Value)+strings.Repeat("☆", protocol.MaxRating-rt.Value)
		uv.Note, _ = text(rt.Comment, loc.Tag)
		if uv.Name == "" {
			uv.Name = rt.Organisation
		}
		if o.Origin == own {
			v.MyRating = rt.Value
		}
		sum += rt.Value
		v.Ratings = append(v.Ratings, uv)
	}
	if n := len(v.Ratings); n > 0 {
		v.Count = loc.Num(n)
		v.Mean = strconv.FormatFloat(float64(sum)/float64(n), 'f', 1, 64)
		if loc.Tag != "en" {
			v.Mean = strings.Replace(v.Mean, ".", ",", 1)
		}
	}
	v.Value = strconv.Itoa(v.MyRating)
	if s, ok := sessionFrom(r.Context()); ok && s.user.Role.Allows(accounts.RoleEditor) {
		v.CanAct = true
	}
	v.Done = doneText(loc, r, "adopted", "rated")
	return v, h.finishUses(r, loc, v)
}

// finishUses applies a refused form's values and errors (useForm) and
// renders the parts.
func (h *Handler) finishUses(r *http.Request, loc *locale, v *usesView) error {
	applyForm(r, v)
	return h.renderUses(r, loc, v)
}

// useOf is an adoption or rating's signer in words: the legal name and
// country its trust chain states when it verifies, else its origin and why
// it does not.
func (h *Handler) useOf(loc *locale, o protocol.Object) useView {
	uv := useView{Status: "unsigned", Ours: o.Origin == h.d.URIs.Base(), Date: loc.Date(o.Updated)}
	if ver := o.Verification; ver != nil {
		uv.Status = strings.ToLower(ver.Status)
		uv.Verified = ver.Status == protocol.Verified
		uv.Detail = ver.Reason
		if uv.Verified && len(ver.Signers) > 0 {
			s := ver.Signers[0]
			uv.Name, uv.Country = s.Name, s.Country
			if s.OrgKind != "" {
				uv.Kind = loc.T("orgkind." + s.OrgKind)
			}
		}
	}
	uv.StatusText = loc.T("status." + uv.Status)
	if uv.Name == "" && uv.Ours {
		uv.Name, uv.Country = h.d.Site.Name, h.d.Site.Country
	}
	return uv
}

// usableObject reads the current object of id for a form post: 404 page
// when missing, 409 when deleted or of a kind nobody adopts.
func (h UsesPages) usableObject(w http.ResponseWriter, r *http.Request, id string) (protocol.Object, []protocol.Meta, bool) {
	p, ok := h.currentObject(w, r, id, "object")
	switch {
	case !ok:
		return protocol.Object{}, nil, false
	case p.Object.Deleted || !usable(p.Object.Type):
		h.Error(w, r, http.StatusConflict)
		return protocol.Object{}, nil, false
	}
	return p.Object, p.Versions, true
}

// currentObject reads the current object of id for a form (what names the
// page in the log); when it is missing or unreadable it has answered (404,
// 500) and returns false.
func (h *Handler) currentObject(w http.ResponseWriter, r *http.Request, id, what string) (catalogue.ObjectPage, bool) {
	p, err := h.d.Catalogue().ObjectByID(r.Context(), id, 0)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		h.Error(w, r, http.StatusNotFound)
		return p, false
	case err != nil:
		h.d.Logger.ErrorContext(r.Context(), "web: "+what, "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return p, false
	}
	return p, true
}

// useForm re-renders the object page with the forms' errors (422).
func (h UsesPages) useForm(w http.ResponseWriter, r *http.Request, id string, fill func(*usesView)) {
	r = r.WithContext(context.WithValue(r.Context(), useFormKey{}, fill))
	h.Object(w, atPage(r, "/objects/"+id), id)
}

type useFormKey struct{}

// applyForm applies a form post's values and errors to the page (useForm).
func applyForm(r *http.Request, v *usesView) {
	fill, ok := r.Context().Value(useFormKey{}).(func(*usesView))
	if !ok {
		return
	}
	fill(v)
	note := "adopt-note"
	if v.Adopted { // the adopt form is gone: its message stands alone in the section
		note = "h-usedby"
	}
	v.Errors = formErrors("adopt-since", v.SinceError, "adopt-instance", v.InstanceError, note, v.NoteError,
		"rate-value", v.ValueError, "rate-comment", v.CommentError)
}

// fillUses reports whether the page answers a refused form (its errors
// are applied already).
func fillUses(r *http.Request, _ *usesView) bool {
	_, ok := r.Context().Value(useFormKey{}).(func(*usesView))
	return ok
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

// Adopt serves POST /objects/{id}/adopt: this organisation declares it
// uses the object (optional note, since date YYYY-MM-DD, instance URL),
// signed by this node.
func (h UsesPages) Adopt(w http.ResponseWriter, r *http.Request, id string) {
	s, ok := h.postForm(w, r, accounts.RoleEditor)
	if !ok {
		return
	}
	obj, _, ok := h.usableObject(w, r, id)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	note, since, inst := strings.TrimSpace(r.PostForm.Get("note")), strings.TrimSpace(r.PostForm.Get("since")), strings.TrimSpace(r.PostForm.Get("instance"))
	var noteErr, sinceErr, instErr string
	if utf8.RuneCountInString(note) > maxNote || !utf8.ValidString(note) {
		noteErr = loc.Tf("uses.too_long", maxNote)
	}
	if since != "" {
		if t, err := time.Parse(time.DateOnly, since); err != nil || len(since) != len(time.DateOnly) || t.After(h.d.Now()) {
			sinceErr = loc.T("uses.since_invalid")
		}
	}
	if inst != "" && (len(inst) > maxTarget || !validURL(inst)) {
		instErr = loc.T("uses.instance_invalid")
	}
	u, err := h.d.Catalogue().UsesOf(r.Context(), obj.IRI)
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: adopt", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	for _, a := range u.Adoptions {
		if a.Origin == h.d.URIs.Base() {
			noteErr = loc.T("uses.already")
		}
	}
	if noteErr != "" || sinceErr != "" || instErr != "" {
		h.useForm(w, r, id, func(v *usesView) {
			v.Note, v.Since, v.Instance, v.NoteError, v.SinceError, v.InstanceError = note, since, inst, noteErr, sinceErr, instErr
		})
		return
	}
	a := &protocol.Adoption{Type: protocol.KindAdoption, Object: obj.IRI, Organisation: h.d.URIs.Actor(), Instance: inst, Since: since}
	if note != "" {
		a.Note = protocol.Text{loc.Tag: note}
	}
	created, err := h.d.Catalogue().Create(r.Context(), a)
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: adopt", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	if !h.recordChange(w, r, s, actionAdopt, obj.IRI, created.IRI) {
		return
	}
	http.Redirect(w, r, "/objects/"+id+"?done=adopted#uses", http.StatusSeeOther) // to the confirmation
}

// Rate serves POST /objects/{id}/rate: value 1 to 5 and an optional
// comment; this organisation's earlier rating is updated, not repeated.
func (h UsesPages) Rate(w http.ResponseWriter, r *http.Request, id string) {
	s, ok := h.postForm(w, r, accounts.RoleEditor)
	if !ok {
		return
	}
	obj, _, ok := h.usableObject(w, r, id)
	if !ok {
		return
	}
	loc := h.locale(w, r)
	raw, comment := r.PostForm.Get("value"), strings.TrimSpace(r.PostForm.Get("comment"))
	var valueErr, commentErr string
	value, err := strconv.Atoi(raw)
	if raw == "" {
		valueErr = loc.T("uses.value_required")
	} else if err != nil || value < protocol.MinRating || value > protocol.MaxRating {
		valueErr = loc.T("uses.value_range")
	}
	if utf8.RuneCountInString(comment) > maxNote || !utf8.ValidString(comment) {
		commentErr = loc.Tf("uses.too_long", maxNote)
	}
	if valueErr != "" || commentErr != "" {
		h.useForm(w, r, id, func(v *usesView) {
			v.Value, v.Comment, v.ValueError, v.CommentError = raw, comment, valueErr, commentErr
		})
		return
	}
	rt := &protocol.Rating{Type: protocol.KindRating, Object: obj.IRI, Organisation: h.d.URIs.Actor(), Value: value}
	if comment != "" {
		rt.Comment = protocol.Text{loc.Tag: comment}
	}
	cat := h.d.Catalogue()
	u, err := cat.UsesOf(r.Context(), obj.IRI)
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: rate", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	var saved protocol.Object
	err = nil
	updated := false
	for _, o := range u.Ratings {
		if o.Origin == h.d.URIs.Base() {
			saved, err = cat.Update(r.Context(), o.ID, rt, o.Version)
			updated = true
			break
		}
	}
	if !updated {
		saved, err = cat.Create(r.Context(), rt)
	}
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: rate", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	if !h.recordChange(w, r, s, actionRate, obj.IRI, saved.IRI+" "+strconv.Itoa(value)) {
		return
	}
	http.Redirect(w, r, "/objects/"+id+"?done=rated#uses", http.StatusSeeOther)
}
