package node

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/storage"
)

// This file serves the ActivityPub side: the actor, its inboxes and
// collections, objects and activities by IRI, WebFinger and NodeInfo. Actor
// and discovery documents are served without a signature, so that peers
// can bootstrap (GoToSocial requires signed GETs of everything else; we do
// not, since the whole catalogue is public).

func writeAS(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", activity.ContentType)
	w.Header().Set("Vary", "Accept")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (n *Node) handleActor(w http.ResponseWriter, r *http.Request) {
	body, err := activity.Actor(n.uris, activity.ActorParams{
		PreferredUsername: n.cfg.Federation.PreferredUsername, Name: n.cfg.Name, Summary: n.cfg.Summary,
		OrgKind: n.cfg.OrgKind, Country: n.cfg.Country, PublicKeyPEM: httpsig.PublicKeyPEM(&n.keys.HTTP.PublicKey),
		ManuallyApprovesFollowers: n.cfg.Federation.FollowPolicy != federation.PolicyOpen,
	})
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeAS(w, http.StatusOK, body)
}

// handleInbox answers 202 only once the activity's effects are durable.
func (n *Node) handleInbox(w http.ResponseWriter, r *http.Request) {
	if n.limitInbox(w, r) {
		return
	}
	if ct := r.Header.Get("Content-Type"); !activity.IsActivityJSON(ct) && mediaType(ct) != "application/json" {
		n.writeProblem(w, r, errorf(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"an inbox takes application/activity+json, not %q", ct))
		return
	}
	body, err := readBody(w, r, int64(n.cfg.API.BodyLimit))
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if err := n.fed.HandleInbox(r.Context(), r, body); err != nil {
		var ie *federation.InboxError
		if errors.As(err, &ie) {
			if ie.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(ie.RetryAfter.Seconds())))
			} else if ie.Status >= 500 {
				n.log.WarnContext(r.Context(), "inbox: peer unavailable", "err", err)
			}
			n.writeProblem(w, r, errorf(ie.Status, ie.Problem, "Activity refused", "%s", ie.Detail))
			return
		}
		n.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleOutbox serves the outbox: the collection, or a page (?page=true,
// then &before=CURSOR), newest first, each item the activity as sent.
func (n *Node) handleOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := n.uris.Outbox()
	if q.Get("page") == "" {
		_, _, total, err := n.store().Outbox(r.Context(), "", 1)
		if err != nil {
			n.writeProblem(w, r, err)
			return
		}
		body, err := activity.OrderedCollection(id, total, id+"?page=true")
		if err != nil {
			n.writeProblem(w, r, err)
			return
		}
		writeAS(w, http.StatusOK, body)
		return
	}
	before := q.Get("before")
	items, next, _, err := n.store().OutboxPage(r.Context(), before, outboxPageSize, outboxPageBytes)
	if err != nil {
		n.writeProblem(w, r, err)
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
		n.writeProblem(w, r, err)
		return
	}
	writeAS(w, http.StatusOK, body)
}

// handleFollowCollection serves followers or following: accepted actors' IRIs.
func (n *Node) handleFollowCollection(followers bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := n.uris.Following()
		list := n.store().Followings
		if followers {
			id, list = n.uris.Followers(), n.store().Followers
		}
		q := r.URL.Query()
		if q.Get("page") == "" {
			_, _, total, err := list(r.Context(), "", 1, storage.FollowAccepted)
			if err != nil {
				n.writeProblem(w, r, err)
				return
			}
			body, err := activity.OrderedCollection(id, total, id+"?page=true")
			if err != nil {
				n.writeProblem(w, r, err)
				return
			}
			writeAS(w, http.StatusOK, body)
			return
		}
		after := q.Get("after")
		fs, next, _, err := list(r.Context(), after, 200, storage.FollowAccepted)
		if err != nil {
			n.writeProblem(w, r, err)
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
			n.writeProblem(w, r, err)
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
func (n *Node) handleObjectIRI(w http.ResponseWriter, r *http.Request) {
	obj, err := n.store().GetByID(r.Context(), mux.Vars(r)["id"])
	if err == nil && obj.Origin != n.uris.Base() {
		err = storage.ErrNotFound // a copy of a peer's object lives at the peer's IRI
	}
	if q := r.URL.Query(); err == nil && q.Has("version") {
		v, perr := strconv.ParseUint(q.Get("version"), 10, 64)
		if perr != nil || v == 0 || len(q["version"]) != 1 {
			n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Invalid version", "version", "integer",
				"version must be one whole number from 1, given once"))
			return
		}
		obj, err = n.store().GetVersion(r.Context(), obj.IRI, v)
	}
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if !activity.WantsActivityJSON(r.Header.Get("Accept")) {
		w.Header().Set("Vary", "Accept")
		n.writeObject(w, r, obj, nil)
		return
	}
	body, err := activity.Object(n.uris, obj)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	status := http.StatusOK
	if obj.Deleted {
		status = http.StatusGone
	}
	writeAS(w, status, body)
}

func (n *Node) handleActivity(w http.ResponseWriter, r *http.Request) {
	a, err := n.store().ActivityByIRI(r.Context(), n.uris.Activity(mux.Vars(r)["id"]))
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeAS(w, http.StatusOK, a.Body)
}

// handleWebFinger answers acct:USER@HOST (and the actor IRI itself).
func (n *Node) handleWebFinger(w http.ResponseWriter, r *http.Request) {
	res := r.URL.Query().Get("resource")
	if res == "" {
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing resource", "resource", "required", "pass ?resource=acct:name@host"))
		return
	}
	acct, err := activity.Acct(n.uris, n.cfg.Federation.PreferredUsername)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if res != n.uris.Actor() {
		name, host, err := activity.ParseAcct(res)
		if err != nil {
			n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Malformed resource", "resource", "acct", "%v", err))
			return
		}
		if !strings.EqualFold("acct:"+name+"@"+host, acct) {
			n.writeProblem(w, r, errorf(http.StatusNotFound, "not-found", "Unknown resource", "this node's only account is %s", acct))
			return
		}
	}
	body, err := activity.WebFinger(acct, n.uris.Actor(), n.uris.Actor(), n.uris.Actor())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", activity.JRDContentType)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(body)
}

func (n *Node) handleNodeInfoLinks(w http.ResponseWriter, r *http.Request) {
	body, err := activity.NodeInfoLinks(n.uris.Base() + "/nodeinfo/2.1")
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func (n *Node) handleNodeInfo(w http.ResponseWriter, r *http.Request) {
	counts, err := n.store().Counts(r.Context())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	body, err := activity.NodeInfo(activity.NodeInfoParams{Version: Version, NodeName: n.cfg.Name, Counts: counts})
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`)
	_, _ = w.Write(body)
}

// An outbox page holds at most outboxPageSize activities and
// outboxPageBytes of them: large pages make a follower's backfill fewer
// round trips, and the byte bound keeps a page under the 1 MiB a peer's
// client accepts (catalogue objects with long instructions are large).
const (
	outboxPageSize  = 1000
	outboxPageBytes = 768 << 10
)
