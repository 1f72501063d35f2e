package peering

import (
	"time"

	"github.com/interlink-project/interlink-node/federation/gossip"
)

// Member is one pool member as the agent sees it: status, address, role,
// version and the entity id come from gossip (hints); trust, anchor and
// organisation from the member's check over HTTP and JWS.
type Member struct {
	Name, EntityID, Address, Status string
	Country, Role, Version          string
	Trust, TrustReason              string
	Anchor, Organisation            string
	Followed                        bool
	FollowError                     string
	Since                           time.Time // in its current status
	LastSeen                        time.Time // zero: unknown
}

// Members merges the pool's membership with what the agent learnt.
func (a *Agent) Members() []Member {
	members := a.cfg.Pool.Members()
	now := a.cfg.Now()
	out := make([]Member, 0, len(members))
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range members {
		v := Member{
			Name: m.Name, EntityID: m.Meta.EntityID, Address: m.Addr, Status: m.Status,
			Country: m.Meta.Country, Role: m.Meta.Role, Version: m.Meta.Version,
			Trust: TrustUnchecked, Since: m.Since,
		}
		if v.EntityID == "" {
			v.EntityID = m.Name
		}
		alive := m.Status == gossip.StatusAlive || m.Status == gossip.StatusSuspect
		switch p := a.peers[m.Name]; {
		case m.Name == a.cfg.Self:
			v.TrustReason = "this node"
		case p != nil:
			v.Trust, v.TrustReason, v.Anchor, v.Organisation = p.trust, p.reason, p.anchor, p.org
			v.Followed, v.FollowError = p.followed, p.followErr
			if p.trust == TrustVerified && p.country != "" {
				v.Country = p.country // stated by its superior, not a hint
			}
			if !alive && !p.lastSeen.IsZero() {
				v.LastSeen = p.lastSeen
			}
		}
		if alive {
			v.LastSeen = now
		} else if v.LastSeen.IsZero() {
			v.LastSeen = m.Since // never seen alive by the agent: when it was declared down
		}
		out = append(out, v)
	}
	return out
}
