package node

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/node/coproduction"
	"github.com/interlink-project/interlink-node/storage"
)

// processGroups serves the ActivityPub side of co-production processes
// (FEP-1b12): for each process this node hosts, its Group actor, its inbox
// (proposals) and its ordered history; and this node's own inbox for what
// groups send it (announced entries, invitations). Every change and entry
// carries the JWS of the organisation that made it, which is what the
// receivers verify: the deliverer does not matter.
type processGroups struct {
	web
	cop func() *coproduction.Service
}

func (h processGroups) routes(ap apRoutes) {
	ap.handle(http.MethodGet, "/processes/{id}", "group.actor", h.handleActor)
	ap.handle(http.MethodPost, "/processes/{id}/inbox", "group.inbox", h.handleInbox)
	ap.handle(http.MethodGet, "/processes/{id}/history", "group.history", h.handleHistory)
	ap.handle(http.MethodGet, "/processes/{id}/followers", "group.followers", h.handleFollowers)
	ap.handle(http.MethodPost, "/coproduction/inbox", "group.receive", h.handleReceive)
}

// hosted returns the record of a process this node hosts; 404 otherwise.
func (h processGroups) hosted(w http.ResponseWriter, r *http.Request) (storage.ProcessRecord, bool) {
	rec, err := h.cop().Record(r.Context(), h.uris.Base()+"/processes/"+mux.Vars(r)["id"])
	if err == nil && rec.Local != storage.LocalHost {
		err = coproduction.ErrNoProcess
	}
	if err != nil {
		h.writeProblem(w, r, processProblem(err))
		return rec, false
	}
	return rec, true
}

func writeActivityJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/activity+json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

func (h processGroups) handleActor(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.hosted(w, r)
	if !ok {
		return
	}
	v, err := h.cop().Get(r.Context(), rec.IRI)
	if err != nil {
		h.writeProblem(w, r, processProblem(err))
		return
	}
	g := coproduction.GroupActor{Context: "https://www.w3.org/ns/activitystreams", ID: rec.IRI, Type: "Group", Name: v.Name,
		PreferredUsername: v.ID, Inbox: rec.IRI + "/inbox", Outbox: rec.IRI + "/history", Followers: rec.IRI + "/followers",
		AttributedTo: h.uris.Actor(), Host: rec.Host, Changes: rec.Seq}
	if v.Process != nil {
		g.Summary, g.Public = v.Process.Aim, v.Process.Public
	}
	writeActivityJSON(w, g)
}

func (h processGroups) handleFollowers(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.hosted(w, r)
	if !ok {
		return
	}
	v, err := h.cop().Get(r.Context(), rec.IRI)
	if err != nil {
		h.writeProblem(w, r, processProblem(err))
		return
	}
	var items []string
	if v.Process != nil {
		for _, p := range v.Process.Participants {
			if p.Actor != "" && p.Entity != h.uris.Base() && string(p.Membership) == "active" {
				items = append(items, p.Actor)
			}
		}
	}
	writeActivityJSON(w, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": rec.IRI + "/followers",
		"type": "OrderedCollection", "totalItems": len(items), "orderedItems": items})
}

func (h processGroups) handleInbox(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, coproduction.MaxActivity)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	o, err := h.cop().Receive(r.Context(), mux.Vars(r)["id"], body)
	if err != nil {
		h.writeProblem(w, r, processProblem(err))
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func (h processGroups) handleHistory(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.hosted(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	after, _ := strconv.ParseUint(q.Get("after"), 10, 64)
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > coproduction.HistoryLimit {
		limit = coproduction.HistoryLimit
	}
	entries, held, err := h.cop().History(r.Context(), rec.IRI, after, limit)
	if err != nil {
		h.writeProblem(w, r, processProblem(err))
		return
	}
	page := coproduction.HistoryPage{Context: "https://www.w3.org/ns/activitystreams",
		ID: rec.IRI + "/history?after=" + strconv.FormatUint(after, 10), Type: "OrderedCollectionPage", PartOf: rec.IRI + "/history",
		TotalItems: held, StartIndex: after, OrderedItems: make([]json.RawMessage, 0, len(entries))}
	for _, e := range entries {
		page.OrderedItems = append(page.OrderedItems, e)
	}
	if next := after + uint64(len(entries)); next < held && len(entries) > 0 {
		page.Next = rec.IRI + "/history?after=" + strconv.FormatUint(next, 10)
	}
	writeActivityJSON(w, page)
}

func (h processGroups) handleReceive(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, coproduction.MaxActivity)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	if err := h.cop().ReceiveInbox(r.Context(), body); err != nil {
		if errors.Is(err, coproduction.ErrUnreachable) {
			// The group could not be read back now: the sender retries.
			h.writeProblem(w, r, errorf(http.StatusServiceUnavailable, "group-unreachable", "The group could not be read", "%v", err))
			return
		}
		h.writeProblem(w, r, processProblem(err))
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
