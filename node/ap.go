package node

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/federation"
	webui "github.com/interlink-project/interlink-node/node/web"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/storage"
)

// This file serves the ActivityPub side: the actor, its inboxes and
// collections, objects and activities by IRI, WebFinger and NodeInfo. Actor
// and discovery documents are served without a signature, so that peers
// can bootstrap. Everything else is answered alike to signed and unsigned
// GETs (the whole catalogue is public), unless federation.authorized_fetch
// requires a valid signature, as GoToSocial always does and Mastodon in
// secure mode (authorizeFetch); the HTML pages that share IRIs with
// documents stay public either way.

// activityPub serves the node's actor, its inboxes and collections, and
// objects and activities by IRI.
type activityPub struct {
	web
	store      func() *storage.Store
	fed        func() *federation.Service
	inboxLimit *rateLimiter // nil: off
	inboxRate  int          // federation.inbox_rate and inbox_burst, named in 429s
	inboxBurst int
	actor      activity.ActorParams
	pages      *pageFaces // the HTML forms of the actor and objects; nil: none
}

// pageFaces are the pages that share IRIs with ActivityPub: a browser
// (web.WantsHTML) gets them, every other client the AS2 documents.
type pageFaces struct {
	home   http.Handler // the actor's page: the node's home page
	object http.Handler // an object's page, {id} from the route
}

func (h activityPub) routes(ap apRoutes) {
	ap.handle(http.MethodGet, "/actor", "ap.actor", h.handleActor)
	ap.handle(http.MethodPost, "/actor/inbox", "ap.inbox", h.handleInbox)
	ap.handle(http.MethodPost, "/inbox", "ap.shared_inbox", h.handleInbox)
	ap.handle(http.MethodGet, "/actor/outbox", "ap.outbox", h.handleOutbox)
	ap.handle(http.MethodGet, "/actor/followers", "ap.followers", h.handleFollowCollection(true))
	ap.handle(http.MethodGet, "/actor/following", "ap.following", h.handleFollowCollection(false))
	ap.handle(http.MethodGet, "/objects/{id}", "ap.object", h.handleObjectIRI)
	ap.handle(http.MethodGet, "/activities/{id}", "ap.activity", h.handleActivity)
}

func writeAS(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", activity.ContentType)
	w.Header().Set("Vary", "Accept")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (h activityPub) handleActor(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept")
	if h.pages != nil && webui.WantsHTML(r) {
		h.pages.home.ServeHTTP(w, r)
		return
	}
	body, err := activity.Actor(h.uris, h.actor)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeAS(w, http.StatusOK, body)
}

// handleInbox answers 202 only once the activity's effects are durable.
func (h activityPub) handleInbox(w http.ResponseWriter, r *http.Request) {
	if h.limitInbox(w, r) {
		return
	}
	if ct := r.Header.Get("Content-Type"); !activity.IsActivityJSON(ct) && mediaType(ct) != "application/json" {
		h.writeProblem(w, r, errorf(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"an inbox takes application/activity+json, not %q", ct))
		return
	}
	body, err := readBody(w, r, h.bodyLimit)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if err := h.fed().HandleInbox(r.Context(), r, body); err != nil {
		var ie *federation.InboxError
		if errors.As(err, &ie) {
			if ie.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(ie.RetryAfter.Seconds())))
			} else if ie.Status >= 500 {
				h.log.WarnContext(r.Context(), "inbox: peer unavailable", "err", err)
			}
			h.writeProblem(w, r, errorf(ie.Status, ie.Problem, "Activity refused", "%s", ie.Detail))
			return
		}
		h.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleOutbox serves the outbox: the collection, or a page (?page=true,
// then &before=CURSOR), newest first, each item the activity as sent.
func (h activityPub) handleOutbox(w http.ResponseWriter, r *http.Request) {
	if !h.authorizeFetch(w, r) {
		return
	}
	q := r.URL.Query()
	id := h.uris.Outbox()
	if q.Get("page") == "" {
		_, _, total, err := h.store().Outbox(r.Context(), "", 1)
		h.writeCollection(w, r, id, total, err)
		return
	}
	before := q.Get("before")
	items, next, _, err := h.store().OutboxPage(r.Context(), before, outboxPageSize, outboxPageBytes)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	raw := make([]json.RawMessage, len(items))
	for i, a := range items {
		raw[i] = a.Body
	}
	pageID := id + "?page=true"
	if before != "" {
		pageID += "&before=" + url.QueryEscape(before)
	}
	nextURL := ""
	if next != "" {
		nextURL = id + "?page=true&before=" + url.QueryEscape(next)
	}
	body, err := activity.OrderedCollectionPage(pageID, id, nextURL, "", raw)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeAS(w, http.StatusOK, body)
}

// handleFollowCollection serves followers or following: accepted actors' IRIs.
func (h activityPub) handleFollowCollection(followers bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.authorizeFetch(w, r) {
			return
		}
		id := h.uris.Following()
		list := h.store().Follows().Followings
		if followers {
			id, list = h.uris.Followers(), h.store().Follows().Followers
		}
		q := r.URL.Query()
		if q.Get("page") == "" {
			_, _, total, err := list(r.Context(), "", 1, storage.FollowAccepted)
			h.writeCollection(w, r, id, total, err)
			return
		}
		after := q.Get("after")
		fs, next, _, err := list(r.Context(), after, 200, storage.FollowAccepted)
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		iris := make([]string, len(fs))
		for i, f := range fs {
			iris[i] = f.Actor
		}
		nextURL := ""
		if next != "" {
			nextURL = id + "?page=true&after=" + url.QueryEscape(next)
		}
		body, err := activity.OrderedCollectionPage(id+"?page=true&after="+url.QueryEscape(after), id, nextURL, "", activity.IRIItems(iris...))
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		writeAS(w, http.StatusOK, body)
	}
}

// handleObjectIRI dereferences an object IRI: ActivityStreams for
// ActivityPub clients (a Tombstone with 410 once deleted), the API's JSON
// for everyone else.
// handleObjectIRI serves an object at its IRI: the current version, or
// with ?version=N that version (a follower fills a gap in its history with
// it, checking each version's prev).
func (h activityPub) handleObjectIRI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept")
	if h.pages != nil && webui.WantsHTML(r) {
		h.pages.object.ServeHTTP(w, r)
		return
	}
	if !h.authorizeFetch(w, r) {
		return
	}
	obj, err := h.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err == nil && obj.Origin != h.uris.Base() {
		err = storage.ErrNotFound // a copy of a peer's object lives at the peer's IRI
	}
	if q := r.URL.Query(); err == nil && q.Has("version") {
		v, perr := strconv.ParseUint(q.Get("version"), 10, 64)
		if perr != nil || v == 0 || len(q["version"]) != 1 {
			h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Invalid version", "version", "integer",
				"version must be one whole number from 1, given once"))
			return
		}
		obj, err = h.store().GetVersion(r.Context(), obj.IRI, v)
	}
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if !activity.WantsActivityJSON(r.Header.Get("Accept")) {
		w.Header().Set("Vary", "Accept")
		h.writeObject(w, r, obj, nil)
		return
	}
	body, err := activity.Object(h.uris, obj)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	status := http.StatusOK
	if obj.Deleted {
		status = http.StatusGone
	}
	writeAS(w, status, body)
}

func (h activityPub) handleActivity(w http.ResponseWriter, r *http.Request) {
	if !h.authorizeFetch(w, r) {
		return
	}
	a, err := h.store().ActivityByIRI(r.Context(), h.uris.Activity(mux.Vars(r)["id"]))
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeAS(w, http.StatusOK, a.Body)
}

// An outbox page holds at most outboxPageSize activities and
// outboxPageBytes of them: large pages make a follower's backfill fewer
// round trips, and the byte bound keeps a page under the 1 MiB a peer's
// client accepts (catalogue objects with long instructions are large).
const (
	outboxPageSize  = 1000
	outboxPageBytes = 768 << 10
)

// writeCollection answers a collection's first document: its total and
// the link to its first page (err: the count failed).
func (h activityPub) writeCollection(w http.ResponseWriter, r *http.Request, id string, total int, err error) {
	var body []byte
	if err == nil {
		body, err = activity.OrderedCollection(id, total, id+"?page=true")
	}
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeAS(w, http.StatusOK, body)
}

// authorizeFetch applies federation.authorized_fetch (federation.Service.
// AuthorizeFetch): false once it has answered the refusal, a 401 problem
// with WWW-Authenticate naming the signature scheme, or a 403 for a
// blocked signer.
func (h activityPub) authorizeFetch(w http.ResponseWriter, r *http.Request) bool {
	err := h.fed().AuthorizeFetch(r.Context(), r)
	if err == nil {
		return true
	}
	var ie *federation.InboxError
	if errors.As(err, &ie) {
		if ie.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Signature realm="ActivityPub",headers="(request-target) host date"`)
		}
		h.writeProblem(w, r, errorf(ie.Status, ie.Problem, "Signed fetch required", "%s", ie.Detail))
		return false
	}
	h.writeProblem(w, r, err)
	return false
}
