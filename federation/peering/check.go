package peering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
)

// unverifiedRecheck is how soon a member without a trust chain is checked
// again.
const unverifiedRecheck = 10 * time.Second

// TrustChecker checks gossip members through the trust layer: a member's
// gossip metadata is a hint; its entity configuration and trust chain,
// fetched over HTTP and verified, are the facts.
type TrustChecker struct {
	// Trust is the node's current trust layer (a restore replaces it);
	// nil: not running.
	Trust func() *trust.Service
	Now   func() time.Time
}

// CheckMember resolves entityID's trust chain; a member without one is
// unverified (with its self-declared name), checked again soon.
func (c TrustChecker) CheckMember(ctx context.Context, entityID string) (MemberTrust, error) {
	tr := c.Trust()
	if tr == nil {
		return MemberTrust{}, errors.New("the trust layer is not running")
	}
	ch, err := tr.Resolver().Resolve(ctx, entityID)
	if err != nil {
		ec, err2 := tr.Resolver().SelfSigned(ctx, entityID)
		if err2 != nil {
			return MemberTrust{}, fmt.Errorf("no valid entity configuration: %w", err2)
		}
		// Checked again soon: it may be enrolled any moment (a failed
		// resolution is remembered for trustchain.DefaultFailureTTL anyway).
		res := MemberTrust{Reason: err.Error(), Expires: c.Now().Add(unverifiedRecheck)}
		if fe := ec.Statement.FederationEntity(); fe != nil {
			res.Name = fe.OrganizationName // self-declared: shown, not trusted
		}
		return res, nil
	}
	res := MemberTrust{Name: ch.Identity.Name, Country: ch.Identity.Country, Anchor: ch.Anchor, Expires: ch.Expires}
	if !ch.RevokedAt.IsZero() {
		res.Reason = "revoked by its superior at " + ch.RevokedAt.UTC().Format(time.RFC3339)
		return res, nil
	}
	res.Verified = true
	return res, nil
}
