package node

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/storage"
)

// actorRequest is the body of follow, approve and reject requests.
type actorRequest struct {
	Target string `json:"target,omitempty"` // follow: an actor IRI or acct:name@host
	Actor  string `json:"actor,omitempty"`  // approve, reject, unfollow: the remote actor IRI
}

func (n *Node) readActorRequest(w http.ResponseWriter, r *http.Request, field string) (string, error) {
	var req actorRequest
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
	writeJSON(w, http.StatusAccepted, f)
}

func (n *Node) handleUnfollow(w http.ResponseWriter, r *http.Request) {
	actor := r.URL.Query().Get("actor")
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
		state := r.URL.Query().Get("state")
		if state != "" && state != storage.FollowPending && state != storage.FollowAccepted && state != storage.FollowRejected {
			n.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Bad state", "state", "enum", "state is pending, accepted or rejected"))
			return
		}
		items, next, total, err := list(r.Context(), r.URL.Query().Get("cursor"), 200, state)
		if err != nil {
			n.writeProblem(w, r, err)
			return
		}
		if items == nil {
			items = []storage.Follow{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total, "next": next})
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
		writeJSON(w, http.StatusOK, f)
	}
}

func (n *Node) handlePeers(w http.ResponseWriter, r *http.Request) {
	peers, err := n.fed.Peers(r.Context())
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": peers})
}

func (n *Node) handleDeadLetters(w http.ResponseWriter, r *http.Request) {
	items, next, err := n.store().DeadLetters(r.Context(), r.URL.Query().Get("cursor"), 200)
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	if items == nil {
		items = []storage.Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": next})
}

func (n *Node) handleReplay(w http.ResponseWriter, r *http.Request) {
	if err := n.store().Replay(r.Context(), mux.Vars(r)["id"], n.now()); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	n.fed.Kick()
	w.WriteHeader(http.StatusAccepted)
}
