package web

import (
	"context"
	"net/http"

	"github.com/interlink-project/interlink-node/protocol"
)

// pubsView is what a node publishes: counts per kind, the latest, and its
// signer's chain as its newest verified version states it.
type pubsView struct {
	Origin  string
	Counts  []count
	Latest  []item
	Signer  string   // legal name (country), when a version verified
	Chain   []string // entity ids from the signer up to its anchor
	Anchor  string
	Total   string
	Nothing bool
}

func (h *Handler) publications(ctx context.Context, loc *locale, origin string) (*pubsView, error) {
	p, err := h.d.Catalogue().PublishedBy(ctx, origin, 5)
	if err != nil {
		return nil, err
	}
	v := &pubsView{Origin: origin}
	total := 0
	for _, k := range protocol.Kinds {
		if n := p.Counts[k]; n > 0 {
			v.Counts = append(v.Counts, count{Label: loc.T("kind." + string(k)), N: loc.Num(n)})
			total += n
		}
	}
	v.Total, v.Nothing = loc.Num(total), total == 0
	for _, obj := range p.Latest {
		v.Latest = append(v.Latest, h.item(loc, obj, nil))
	}
	if s := p.Signer; s != nil {
		v.Signer = s.Name
		if v.Signer == "" {
			v.Signer = s.EntityID
		}
		if s.Country != "" {
			v.Signer += " (" + s.Country + ")"
		}
		v.Chain, v.Anchor = s.Path, s.Anchor
	}
	return v, nil
}

type orgView struct {
	KindLabel, RoleLabel string
	Pubs                 *pubsView
}

// Organisation serves the node's organisation page: /actor for browsers.
func (h *Handler) Organisation(w http.ResponseWriter, r *http.Request) {
	loc := h.locale(w, r)
	pubs, err := h.publications(r.Context(), loc, h.d.URIs.Base())
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "web: organisation", "err", err)
		h.Error(w, r, http.StatusInternalServerError)
		return
	}
	v := orgView{KindLabel: loc.T("orgkind." + h.d.Site.OrgKind), RoleLabel: loc.T("role." + h.d.Site.TrustRole), Pubs: pubs}
	h.render(w, r, http.StatusOK, "org", h.d.Site.Name, v)
}
