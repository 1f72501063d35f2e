package node

import (
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/federation/gossip"
)

// membersView is the answer of GET /api/v1/members.
type membersView struct {
	Enabled bool         `json:"enabled"` // false: gossip is off (gossip.bind empty)
	Self    string       `json:"self"`    // this node's member name (its public URL)
	Items   []memberView `json:"items"`
}

// memberView is one gossip member as this node sees it. Status, address,
// role, version and the entity id come from gossip (hints); trust, anchor
// and organisation from the member's check over HTTP and JWS.
type memberView struct {
	Name         string `json:"name"`
	EntityID     string `json:"entity_id"`
	Address      string `json:"address"`
	Status       string `json:"status"` // alive, suspect, dead, left
	Country      string `json:"country"`
	Role         string `json:"role"`
	Version      string `json:"version,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Trust        string `json:"trust"` // verified, unverified, unchecked, failed
	TrustReason  string `json:"trust_reason"`
	Anchor       string `json:"anchor"`
	Followed     bool   `json:"followed,omitempty"` // followed through discovery (follow-trusted)
	FollowError  string `json:"follow_error,omitempty"`
	LastSeen     string `json:"last_seen"` // RFC 3339: when this node last saw it alive
	Since        string `json:"since"`     // RFC 3339: when it entered its status
}

// handleMembers lists the gossip pool's members with their status and trust.
func (n *Node) handleMembers(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		n.writeProblem(w, r, err)
		return
	}
	a := n.gossip.Load()
	if a == nil {
		writeJSON(w, http.StatusOK, membersView{Enabled: false, Self: n.uris.Base(), Items: []memberView{}})
		return
	}
	writeJSON(w, http.StatusOK, a.view())
}

// view merges the pool's membership with what the agent learnt.
func (a *gossipAgent) view() membersView {
	members := a.pool.Members()
	now := a.n.now()
	out := membersView{Enabled: true, Self: a.self, Items: make([]memberView, 0, len(members))}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range members {
		v := memberView{
			Name: m.Name, EntityID: m.Meta.EntityID, Address: m.Addr, Status: m.Status,
			Country: m.Meta.Country, Role: m.Meta.Role, Version: m.Meta.Version,
			Trust: trustUnchecked, Since: rfc3339(m.Since),
		}
		if v.EntityID == "" {
			v.EntityID = m.Name
		}
		alive := m.Status == gossip.StatusAlive || m.Status == gossip.StatusSuspect
		switch p := a.peers[m.Name]; {
		case m.Name == a.self:
			v.TrustReason = "this node"
		case p != nil:
			v.Trust, v.TrustReason, v.Anchor, v.Organisation = p.trust, p.reason, p.anchor, p.org
			v.Followed, v.FollowError = p.followed, p.followErr
			if p.trust == trustVerified && p.country != "" {
				v.Country = p.country // stated by its superior, not a hint
			}
			if !alive && !p.lastSeen.IsZero() {
				v.LastSeen = rfc3339(p.lastSeen)
			}
		}
		if alive {
			v.LastSeen = rfc3339(now)
		} else if v.LastSeen == "" {
			v.LastSeen = rfc3339(m.Since) // never seen alive by the agent: when it was declared down
		}
		out.Items = append(out.Items, v)
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
