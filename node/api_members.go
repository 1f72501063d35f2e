package node

import (
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/federation/gossip"
	"github.com/interlink-project/interlink-node/node/api"
)

// handleMembers lists the gossip pool's members with their status and trust.
func (h federationAPI) handleMembers(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	a := h.gossip()
	if a == nil {
		writeJSON(w, http.StatusOK, api.Members{Enabled: false, Self: h.uris.Base(), Items: []api.Member{}})
		return
	}
	writeJSON(w, http.StatusOK, a.view())
}

// view merges the pool's membership with what the agent learnt: status,
// address, role, version and the entity id come from gossip (hints); trust,
// anchor and organisation from the member's check over HTTP and JWS.
func (a *gossipAgent) view() api.Members {
	members := a.pool.Members()
	now := a.n.now()
	out := api.Members{Enabled: true, Self: a.self, Items: make([]api.Member, 0, len(members))}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range members {
		v := api.Member{
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
