package catalogue

import (
	"context"
	"slices"

	"github.com/interlink-project/interlink-node/protocol"
)

// Publications is what one node (an origin) publishes, as its
// organisation's page shows it.
type Publications struct {
	Counts map[protocol.Kind]int // live objects per kind
	Latest []protocol.Object     // the latest changed, newest first
	// Signer is the origin's signer as the newest verified version's
	// record states it (legal name, country, chain up to the anchor); nil
	// when none of its versions verified.
	Signer *protocol.SignerInfo
}

// PublishedBy reads what origin publishes: counts per kind, up to latest
// recently changed objects, and its signer's chain. It reads every live
// object of origin (through the store's origin filter).
func (s *Service) PublishedBy(ctx context.Context, origin string, latest int) (Publications, error) {
	items, err := s.listAll(ctx, map[string][]string{"origin": {origin}})
	if err != nil {
		return Publications{}, err
	}
	p := Publications{Counts: map[protocol.Kind]int{}}
	for _, it := range items {
		p.Counts[it.Type]++
	}
	slices.SortStableFunc(items, func(a, b protocol.Object) int { return b.Updated.Compare(a.Updated) })
	for _, it := range items {
		if v := it.Verification; v != nil && v.Status == protocol.Verified && len(v.Signers) > 0 {
			si := v.Signers[0]
			p.Signer = &si
			break
		}
	}
	p.Latest = items[:min(latest, len(items))]
	return p, nil
}
