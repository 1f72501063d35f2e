package node

import (
	"context"

	webui "github.com/interlink-project/interlink-node/node/web"
)

// webFederation is what the pages read of the federation (webui.Federation):
// the same views GET /api/v1/peers and GET /api/v1/members answer.
type webFederation struct{ n *Node }

func (f webFederation) Peers(ctx context.Context) ([]webui.Peer, error) {
	ps, err := f.n.live.fed().Peers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]webui.Peer, 0, len(ps))
	for _, p := range ps {
		out = append(out, webui.Peer{Actor: p.Actor, Following: p.Following, Follower: p.Follower, LastSuccess: p.LastSuccess,
			LastFailure: p.LastFailure, LastError: p.LastError, Queue: p.Queue, Dead: p.Dead, CircuitOpen: p.CircuitOpen})
	}
	return out, nil
}

func (f webFederation) GossipMembers() ([]webui.GossipMember, bool) {
	a := f.n.gossip.Load()
	if a == nil {
		return nil, false
	}
	ms := a.Members()
	out := make([]webui.GossipMember, 0, len(ms))
	for _, m := range ms {
		name := m.Organisation
		if name == "" {
			name = m.Name
		}
		out = append(out, webui.GossipMember{Name: name, EntityID: m.EntityID, Country: m.Country, Status: m.Status,
			Trust: m.Trust, LastSeen: m.LastSeen})
	}
	return out, true
}
