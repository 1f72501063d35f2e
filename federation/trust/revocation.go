package trust

import (
	"context"
	"strings"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// PollDenylists fetches the signed denylist of each authority (the anchors
// and intermediates in the chains this node relies on) and drops the cached
// chains of every entity revoked since the last poll, so that the next
// resolution reads the revocation from the authority's statement. It
// returns those entities. A denylist is only a hint to look again: the
// statement in the chain stays the authority's word, so a list that fails
// to fetch or to verify is skipped.
func (s *Service) PollDenylists(ctx context.Context, authorities []string) []string {
	var out []string
	now := s.d.Now()
	for _, a := range authorities {
		ec, err := s.resolver.SelfSigned(ctx, a)
		if err != nil {
			continue
		}
		fe := ec.Statement.FederationEntity()
		if fe == nil || fe.DenylistEndpoint == "" || !strings.HasPrefix(fe.DenylistEndpoint, a+"/") {
			continue
		}
		raw, err := localFetcher{s}.Fetch(ctx, fe.DenylistEndpoint)
		if err != nil {
			s.d.Logger.Debug("denylist unavailable", "authority", a, "err", err)
			continue
		}
		l, err := entity.ParseList(raw)
		if err != nil || l.List.Iss != a || l.Verify(ec.Statement.Keys(), now, s.cfg.ClockSkew) != nil {
			s.d.Logger.Warn("denylist refused", "authority", a, "err", err)
			continue
		}
		s.mu.Lock()
		if s.revocations == nil {
			s.revocations = map[string]int64{}
		}
		var fresh []string
		for _, r := range l.List.Revoked {
			key := a + " " + r.Sub
			if s.revocations[key] != r.RevokedAt {
				s.revocations[key] = r.RevokedAt
				fresh = append(fresh, r.Sub)
			}
		}
		s.mu.Unlock()
		for _, sub := range fresh {
			s.resolver.Invalidate(sub)
			out = append(out, sub)
		}
	}
	return out
}
