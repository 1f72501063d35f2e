package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// newTrust builds the trust layer on the open store, fetching through the
// node's outbound client.
func (n *Node) newTrust(st *storage.Store, fetcher trustchain.Fetcher) (*trust.Service, error) {
	return trust.New(context.Background(), n.cfg.Trust, trust.Deps{
		Self: n.uris.Base(), Actor: n.uris.Actor(),
		Identity: trust.Identity{Name: n.cfg.Name, Country: n.cfg.Country, OrgKind: n.cfg.OrgKind},
		Keys:     n.keys.Ring.Snapshot, Store: st, Fetcher: fetcher,
		Now: n.now, Logger: n.log, Version: Version, IDs: n.ids,
	})
}

// trust returns the trust layer (swapped with the store by a restore).
func (n *Node) trust() *trust.Service { return n.tr }

// TrustFile is DATA/trust.json: what the node trusts, written at start and
// after every key or role change, so that `interlink verify --data DIR`
// checks objects offline as this node would (its pinned anchors, its
// network policy, and its own current entity configuration).
const TrustFile = "trust.json"

// TrustFileContent is the content of TrustFile.
type TrustFileContent struct {
	EntityID             string              `json:"entity_id"`
	Anchors              []trustchain.Anchor `json:"anchors"`
	AllowPrivateNetworks bool                `json:"allow_private_networks"`
	ClockSkew            string              `json:"clock_skew"`
	EntityConfiguration  string              `json:"entity_configuration"` // compact JWS
}

func (n *Node) writeTrustFile() error {
	tr := n.trust()
	ec, err := tr.EntityConfiguration()
	if err != nil {
		return fmt.Errorf("trust file: %w", err)
	}
	anchors := tr.Config().Anchors
	if anchors == nil {
		anchors = []trustchain.Anchor{}
	}
	raw, err := json.MarshalIndent(TrustFileContent{EntityID: tr.Self(), Anchors: anchors,
		AllowPrivateNetworks: n.cfg.Federation.AllowPrivateNetworks, ClockSkew: tr.Config().ClockSkew.String(),
		EntityConfiguration: string(ec)}, "", "  ")
	if err != nil {
		return fmt.Errorf("trust file: %w", err)
	}
	return writeFileAtomic(filepath.Join(n.cfg.Data, TrustFile), append(raw, '\n'), 0o600)
}

// trustChanged re-signs what depends on the keys or the role.
func (n *Node) trustChanged() {
	n.trust().KeysChanged()
	if err := n.writeTrustFile(); err != nil {
		n.log.Error("write the trust file", "err", err)
	}
}

// unverifiedRecheck is how soon a member without a trust chain is checked
// again.
const unverifiedRecheck = 10 * time.Second

// trustChecker checks gossip members through the trust layer: a member's
// gossip metadata is a hint; its entity configuration and trust chain,
// fetched over HTTP and verified, are the facts.
type trustChecker struct{ n *Node }

func (c trustChecker) CheckMember(ctx context.Context, entityID string) (MemberTrust, error) {
	tr := c.n.trust()
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
		res := MemberTrust{Reason: err.Error(), Expires: c.n.now().Add(unverifiedRecheck)}
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

// trustHints are the gossip metadata hints of the trust layer: the hash of
// the current entity configuration (peers check again when it changes) and
// the role.
func (n *Node) trustHints() (ecHash, role string) {
	tr := n.trust()
	if tr == nil {
		return "", ""
	}
	return tr.ConfigurationHash(), tr.Role()
}
