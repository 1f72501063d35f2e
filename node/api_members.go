package node

import (
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/federation/peering"
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
	writeJSON(w, http.StatusOK, viewMembers(h.uris.Base(), a.Members()))
}

// viewMembers is the agent's view of the pool as the API shows it.
func viewMembers(self string, ms []peering.Member) api.Members {
	out := api.Members{Enabled: true, Self: self, Items: make([]api.Member, 0, len(ms))}
	for _, m := range ms {
		out.Items = append(out.Items, api.Member{
			Name: m.Name, EntityID: m.EntityID, Address: m.Address, Status: m.Status,
			Country: m.Country, Role: m.Role, Version: m.Version,
			Trust: m.Trust, TrustReason: m.TrustReason, Anchor: m.Anchor, Organisation: m.Organisation,
			Followed: m.Followed, FollowError: m.FollowError, Since: rfc3339(m.Since), LastSeen: rfc3339(m.LastSeen),
		})
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
