package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// The co-signing inbox (editors): the drafts other nodes asked this
// organisation to sign, with what they change against the last signed
// version, approved or rejected with a reason; and the drafts this node
// started, with who has signed so far. Over the catalogue's co-sign use
// cases (the same as /api/v1/cosign and /api/v1/drafts).

const (
	actionCosignApprove = "cosign.approve"
	actionCosignReject  = "cosign.reject"
	// maxReason bounds a rejection's reason (characters).
	maxReason = 500
	// statusPending is a request's or a draft's state while it waits.
	statusPending = "pending"
)

type requestItem struct {
	ID, Title, Actor, Origin, Received, Decided, Status, StatusText, Reason string
}

type signerState struct {
	Entity string
	Signed bool
}

type draftItem struct {
	Title, Href, Status, StatusText, Reason, Created string
	Version                                          uint64
	Signers                                          []signerState
	SignedN, TotalN                                  string
}

type cosignInbox struct {
	Done     string
	Pending  []requestItem
	Decided  []requestItem
	Drafts   []draftItem
	OwnCount int
}

// CosignInbox serves GET /cosign.
func (h UsesPages) CosignInbox(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.needRole(w, r, accounts.RoleEditor); !ok {
		return
	}
	loc := h.locale(w, r)
	cat := h.d.Catalogue()
	qs, err := cat.CosignRequests(r.Context(), "")
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: cosign inbox", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	ds, err := cat.Drafts(r.Context(), "")
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: cosign drafts", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	v := cosignInbox{Done: doneText(loc, r, "cosign_approved", "cosign_rejected")}
	for i := len(qs) - 1; i >= 0; i-- { // newest first
		q := qs[i]
		it := requestItem{ID: q.ID, Title: q.Title, Actor: q.Actor, Origin: q.Origin, Received: loc.Date(q.Received),
			Decided: loc.Date(q.Decided), Status: q.Status, StatusText: loc.T("cosign.status." + q.Status), Reason: q.Reason}
		if it.Title == "" {
			it.Title = q.IRI
		}
		if q.Status == statusPending {
			v.Pending = append(v.Pending, it)
		} else {
			v.Decided = append(v.Decided, it)
		}
	}
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		name, _ := text(indexOf(d.Object).Name, loc.Tag)
		if name == "" {
			name = d.Object.IRI
		}
		di := draftItem{Title: name, Href: d.Object.IRI, Version: d.Object.Version, Status: d.Status, StatusText: loc.T("cosign.draft." + d.Status),
			Reason: d.Reason, Created: loc.Date(d.Created)}
		signed := 0
		for _, c := range d.Cosigners {
			s := signerState{Entity: c}
			for _, x := range d.Signed {
				s.Signed = s.Signed || x == c
			}
			if s.Signed {
				signed++
			}
			di.Signers = append(di.Signers, s)
		}
		di.SignedN, di.TotalN = loc.Num(signed), loc.Num(len(d.Cosigners))
		v.Drafts = append(v.Drafts, di)
	}
	h.render(w, r, http.StatusOK, "cosign", loc.T("cosign.title"), v)
}

type cosignRequestView struct {
	ID, Title, Actor, Origin, IRI, Received, Decided string
	Status, StatusText, Reason                       string
	Pending, Verifies, New                           bool
	BaseVersion                                      uint64
	Rows                                             []diffRowView
	ReasonValue, ReasonError, AnswerError, Refusal   string
	Errors                                           []formError
}

// CosignRequest serves GET /cosign/{id}: one request, what it changes.
func (h UsesPages) CosignRequest(w http.ResponseWriter, r *http.Request, id string) {
	if _, ok := h.needRole(w, r, accounts.RoleEditor); !ok {
		return
	}
	h.cosignRequestPage(w, r, id, http.StatusOK, cosignRequestView{})
}

func (h UsesPages) cosignRequestPage(w http.ResponseWriter, r *http.Request, id string, status int, v cosignRequestView) {
	loc := h.locale(w, r)
	cat := h.d.Catalogue()
	q, err := cat.CosignRequest(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		h.Error(w, r, http.StatusNotFound)
		return
	} else if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: cosign request", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	v.ID, v.Title, v.Actor, v.Origin, v.IRI = q.ID, q.Title, q.Actor, q.Origin, q.IRI
	v.Received, v.Decided, v.Status, v.Reason = loc.Date(q.Received), loc.Date(q.Decided), q.Status, q.Reason
	v.StatusText, v.Pending, v.Verifies = loc.T("cosign.status."+q.Status), q.Status == statusPending, q.Body != nil
	if v.Title == "" {
		v.Title = q.IRI
	}
	v.Errors = formErrors("reason", v.ReasonError)
	if v.Verifies {
		var base []flatField
		cur, err := cat.ObjectByIRI(r.Context(), q.IRI)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			v.New = true
		case err != nil:
			h.d.Logger.ErrorContext(r.Context(), "web: cosign request", "err", err)
			h.Error(w, r, http.StatusInternalServerError)
			return
		default:
			v.BaseVersion, base = cur.Version, flatten(cur.Body)
		}
		v.Rows = diffView(loc, diffFields(base, flatten(q.Body)))
	}
	h.render(w, r, status, "cosign_request", loc.T("cosign.request.title")+" – "+v.Title, v)
}

// CosignAnswer serves POST /cosign/{id}/approve and /cosign/{id}/reject
// (a rejection needs the field "reason").
func (h UsesPages) CosignAnswer(approve bool) func(w http.ResponseWriter, r *http.Request, id string) {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		s, ok := h.postForm(w, r, accounts.RoleEditor)
		if !ok {
			return
		}
		loc := h.locale(w, r)
		r = atPage(r, "/cosign/"+id)
		reason := strings.TrimSpace(r.PostForm.Get("reason"))
		v := cosignRequestView{ReasonValue: reason}
		switch {
		case !approve && reason == "":
			v.ReasonError = loc.T("cosign.reason_required")
		case utf8.RuneCountInString(reason) > maxReason || !utf8.ValidString(reason):
			v.ReasonError = loc.Tf("cosign.reason_long", maxReason)
		}
		if v.ReasonError != "" {
			h.cosignRequestPage(w, r, id, http.StatusUnprocessableEntity, v)
			return
		}
		q, err := h.d.Catalogue().AnswerCosign(r.Context(), id, approve, reason)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			h.Error(w, r, http.StatusNotFound)
			return
		case errors.Is(err, federation.ErrCosign):
			v.AnswerError, v.Refusal = loc.T("cosign.refused"), err.Error()
			h.cosignRequestPage(w, r, id, http.StatusConflict, v)
			return
		case err != nil:
			h.d.Logger.ErrorContext(r.Context(), "web: cosign answer", "err", err)
			h.Error(w, r, http.StatusInternalServerError)
			return
		}
		action, done := actionCosignReject, "cosign_rejected"
		if approve {
			action, done = actionCosignApprove, "cosign_approved"
		}
		if !h.recordChange(w, r, s, action, q.IRI, protocol.Clip(reason, 200)) {
			return
		}
		redirectDone(w, r, "/cosign", done)
	}
}
