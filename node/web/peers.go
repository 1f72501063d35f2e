package web

import (
	"context"
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// Peer is one followed or following node as the peers page shows it (the
// federation agent's Peers view, the one GET /api/v1/peers answers).
type Peer struct {
	Actor       string
	Following   string // our follow of it: pending, accepted, rejected ("" none)
	Follower    string // its follow of us
	LastSuccess time.Time
	LastFailure time.Time
	LastError   string
	Queue, Dead int
	CircuitOpen bool
}

// GossipMember is one gossip member as the peers page shows it (the
// gossip agent's view, the one GET /api/v1/members answers).
type GossipMember struct {
	Name, EntityID, Country, Status, Trust string
	LastSeen                               time.Time
}

// gossipAlive is a gossip member's status when it answers (the gossip
// pool's statuses: alive, suspect, dead, left).
const gossipAlive = "alive"

// Federation is what the home and peers pages read of the node's federation: the
// node implements it over the same views the JSON API uses, so that no
// page reaches federation or storage itself.
type Federation interface {
	Peers(ctx context.Context) ([]Peer, error)
	// Members is nil, false when gossip is off.
	GossipMembers() ([]GossipMember, bool)
}

type peerView struct {
	Actor, Following, Follower, LastSuccess, LastFailure, LastError string
	Queue, Dead                                                     string
	CircuitOpen                                                     bool
}

type memberView struct {
	Name, EntityID, Country, Status, Trust, LastSeen string
	Healthy                                          bool
}

type peersView struct {
	Peers   []peerView
	Gossip  bool
	Members []memberView
}

// Peers serves /peers to operators (readers and above): follows and
// followers with their state and last success, gossip members with health.
func (h *Handler) Peers(w http.ResponseWriter, r *http.Request) {
	loc := h.locale(w, r)
	s, ok := sessionFrom(r.Context())
	if !ok {
		http.Redirect(w, r, "/login?next=/peers", http.StatusSeeOther)
		return
	}
	if !s.user.Role.Allows(accounts.RoleReader) || h.d.Federation == nil {
		h.Error(w, r, http.StatusForbidden)
		return
	}
	ps, err := h.d.Federation.Peers(r.Context())
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: peers", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	state := func(s string) string {
		if s == "" {
			return "—"
		}
		return loc.T("follow." + s)
	}
	var v peersView
	for _, p := range ps {
		v.Peers = append(v.Peers, peerView{Actor: p.Actor, Following: state(p.Following), Follower: state(p.Follower),
			LastSuccess: loc.Date(p.LastSuccess), LastFailure: loc.Date(p.LastFailure), LastError: p.LastError,
			Queue: loc.Num(p.Queue), Dead: loc.Num(p.Dead), CircuitOpen: p.CircuitOpen})
	}
	ms, on := h.d.Federation.GossipMembers()
	v.Gossip = on
	for _, m := range ms {
		v.Members = append(v.Members, memberView{Name: m.Name, EntityID: m.EntityID, Country: m.Country,
			Status: m.Status, Trust: m.Trust, LastSeen: loc.Date(m.LastSeen), Healthy: m.Status == gossipAlive})
	}
	h.render(w, r, http.StatusOK, "peers", loc.T("peers.title"), v)
}
