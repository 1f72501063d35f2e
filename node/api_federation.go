package node

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/peering"
	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/storage"
)

// federationAPI serves the federation API: follows, followers' approval,
// peers, gossip members and dead letters.
type federationAPI struct {
	web
	store  func() *storage.Store
	fed    func() *federation.Service
	gossip func() *peering.Agent // nil while gossip is off
}

func (h federationAPI) routes(api apiRoutes) {
	api.handle(http.MethodPost, "/follows", "follows.create", h.require(RoleEditor, h.handleFollow))
	api.handle(http.MethodGet, "/follows", "follows.list", h.require(RoleReader, h.handleFollowList(false)))
	api.handle(http.MethodDelete, "/follows", "follows.delete", h.require(RoleEditor, h.handleUnfollow))
	api.handle(http.MethodGet, "/followers", "followers.list", h.require(RoleReader, h.handleFollowList(true)))
	api.handle(http.MethodPost, "/followers/approve", "followers.approve", h.require(RoleAdmin, h.handleDecide(true)))
	api.handle(http.MethodPost, "/followers/reject", "followers.reject", h.require(RoleAdmin, h.handleDecide(false)))
	api.handle(http.MethodGet, "/peers", "peers", h.require(RoleReader, h.handlePeers))
	api.handle(http.MethodGet, "/members", "members", h.require(RoleReader, h.handleMembers))
	api.handle(http.MethodGet, "/deliveries/dead", "deliveries.dead", h.require(RoleAdmin, h.handleDeadLetters))
	api.handle(http.MethodPost, "/deliveries/dead/{id}/replay", "deliveries.replay", h.require(RoleAdmin, h.handleReplay))
}

// viewFollow is a follow edge as the API shows it (storage.Follow in the
// API's snake_case).
func viewFollow(f storage.Follow) api.Follow {
	return api.Follow{Actor: f.Actor, Inbox: f.Inbox, SharedInbox: f.SharedInbox, FollowIRI: f.FollowIRI, State: f.State,
		Since: f.Since, Updated: f.Updated, LastSuccess: f.LastSuccess, Failures: f.Failures, LastError: f.LastError}
}

// viewDelivery is a delivery (a dead letter) as the API shows it.
func viewDelivery(d storage.Delivery) api.Delivery {
	return api.Delivery{ID: d.ID, ActivityIRI: d.ActivityIRI, Inbox: d.Inbox, Host: d.Host, Attempts: d.Attempts,
		Created: d.Created, NextAttempt: d.NextAttempt, LastStatus: d.LastStatus, LastError: d.LastError,
		Dead: d.Dead, DeadReason: d.DeadReason}
}

func (h federationAPI) readActorRequest(w http.ResponseWriter, r *http.Request, field string) (string, error) {
	var req api.ActorRequest
	if err := h.decodeRequest(w, r, &req); err != nil {
		return "", err
	}
	v := req.Target
	if field == "actor" {
		v = req.Actor
	}
	if v == "" {
		return "", fieldError(http.StatusUnprocessableEntity, "validation", "The request is invalid", field, "required", "pass {\"%s\": \"...\"}", field)
	}
	return v, nil
}

// handleFollow makes this node follow a peer: POST {"target": IRI | acct}.
func (h federationAPI) handleFollow(w http.ResponseWriter, r *http.Request) {
	target, err := h.readActorRequest(w, r, "target")
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	f, err := h.fed().Follow(r.Context(), target)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) && !errors.Is(err, storage.ErrClosed) {
			err = fieldError(http.StatusBadGateway, "follow-failed", "The peer could not be followed", "target", "reachable", "%v", err)
		}
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, viewFollow(f))
}

func (h federationAPI) handleUnfollow(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "actor"})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	actor := q.get("actor")
	if actor == "" {
		h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "actor", "required", "pass ?actor=IRI"))
		return
	}
	if err := h.fed().Unfollow(r.Context(), actor); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleFollowList lists following (?state=) or followers.
func (h federationAPI) handleFollowList(followers bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		list := h.store().Follows().Followings
		if followers {
			list = h.store().Follows().Followers
		}
		q, err := parseQuery(r, param{name: "state", check: oneOf(storage.FollowPending, storage.FollowAccepted, storage.FollowRejected)},
			param{name: "cursor", empty: true})
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		items, next, total, err := list(r.Context(), q.get("cursor"), 200, q.get("state"))
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		out := make([]api.Follow, 0, len(items))
		for _, f := range items {
			out = append(out, viewFollow(f))
		}
		writeJSON(w, http.StatusOK, api.FollowPage{Items: out, Next: next, Total: total})
	}
}

// handleDecide approves or rejects a pending follower (manual policy).
func (h federationAPI) handleDecide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, err := h.readActorRequest(w, r, "actor")
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		f, err := h.fed().Decide(r.Context(), actor, approve)
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, viewFollow(f))
	}
}

func (h federationAPI) handlePeers(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	peers, err := h.fed().Peers(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": peers})
}

func (h federationAPI) handleDeadLetters(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "cursor", empty: true})
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	items, next, err := h.store().Queue().DeadLetters(r.Context(), q.get("cursor"), 200)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	out := make([]api.Delivery, 0, len(items))
	for _, d := range items {
		out = append(out, viewDelivery(d))
	}
	writeJSON(w, http.StatusOK, api.DeliveryPage{Items: out, Next: next})
}

func (h federationAPI) handleReplay(w http.ResponseWriter, r *http.Request) {
	if err := h.fed().Replay(r.Context(), mux.Vars(r)["id"]); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
