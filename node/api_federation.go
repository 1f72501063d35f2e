package node

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/storage"
)

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

func (n *Node) readActorRequest(w http.ResponseWriter, r *http.Request, field string) (string, error) {
	var req api.ActorRequest
	if err := n.decodeRequest(w, r, &req); err != nil {
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
func (n *Node) handleFollow(w http.ResponseWriter, r *http.Request) {
	target, err := n.readActorRequest(w, r, "target")
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	f, err := n.fed.Follow(r.Context(), target)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) && !errors.Is(err, storage.ErrClosed) {
			err = fieldError(http.StatusBadGateway, "follow-failed", "The peer could not be followed", "target", "reachable", "%v", err)
		}
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, viewFollow(f))
}

func (n *Node) handleUnfollow(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "actor"})
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	actor := q.get("actor")
	if actor == "" {
		n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "actor", "required", "pass ?actor=IRI"))
		return
	}
	if err := n.fed.Unfollow(r.Context(), actor); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleFollowList lists following (?state=) or followers.
func (n *Node) handleFollowList(followers bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		list := n.store().Followings
		if followers {
			list = n.store().Followers
		}
		q, err := parseQuery(r, param{name: "state", check: oneOf(storage.FollowPending, storage.FollowAccepted, storage.FollowRejected)},
			param{name: "cursor", empty: true})
		if err != nil {
			n.writeProblem(w, r, err)
			return
		}
		items, next, total, err := list(r.Context(), q.get("cursor"), 200, q.get("state"))
		if err != nil {
			n.writeProblem(w, r, err)
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
func (n *Node) handleDecide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, err := n.readActorRequest(w, r, "actor")
		if err != nil {
			n.writeProblem(w, r, err)
			return
		}
		f, err := n.fed.Decide(r.Context(), actor, approve)
		if err != nil {
			n.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, viewFollow(f))
	}
}

func (n *Node) handlePeers(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	peers, err := n.fed.Peers(r.Context())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": peers})
}

func (n *Node) handleDeadLetters(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, param{name: "cursor", empty: true})
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	items, next, err := n.store().DeadLetters(r.Context(), q.get("cursor"), 200)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	out := make([]api.Delivery, 0, len(items))
	for _, d := range items {
		out = append(out, viewDelivery(d))
	}
	writeJSON(w, http.StatusOK, api.DeliveryPage{Items: out, Next: next})
}

func (n *Node) handleReplay(w http.ResponseWriter, r *http.Request) {
	if err := n.store().Replay(r.Context(), mux.Vars(r)["id"], n.now()); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	n.fed.Kick()
	w.WriteHeader(http.StatusAccepted)
}
