package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

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

// trustKeys is the trust wiring the API changes: the key ring on disk
// (keyring.go), and what follows a change of keys or role (the trust layer
// re-signs its entity configuration, DATA/trust.json is written again, and
// after a revocation what the key signed is signed again).
type trustKeys struct {
	ring         *keyRing
	trust        func() *trust.Service
	log          *slog.Logger
	file         string // DATA/trust.json
	allowPrivate bool   // federation.allow_private_networks, for offline verification
	resign       func() // starts a re-signing pass now
}

// writeFile writes TrustFile.
func (k *trustKeys) writeFile() error {
	tr := k.trust()
	ec, err := tr.EntityConfiguration()
	if err != nil {
		return fmt.Errorf("trust file: %w", err)
	}
	anchors := tr.Config().Anchors
	if anchors == nil {
		anchors = []trustchain.Anchor{}
	}
	raw, err := json.MarshalIndent(TrustFileContent{EntityID: tr.Self(), Anchors: anchors,
		AllowPrivateNetworks: k.allowPrivate, ClockSkew: tr.Config().ClockSkew.String(),
		EntityConfiguration: string(ec)}, "", "  ")
	if err != nil {
		return fmt.Errorf("trust file: %w", err)
	}
	return writeFileAtomic(k.file, append(raw, '\n'), 0o600)
}

// changed re-signs what depends on the keys or the role.
func (k *trustKeys) changed() {
	k.trust().KeysChanged()
	if err := k.writeFile(); err != nil {
		k.log.Error("write the trust file", "err", err)
	}
}

// rotate rotates the content or federation keys (promote: the next key
// becomes active).
func (k *trustKeys) rotate(kind string, promote bool) (trust.KeySet, error) {
	ks, err := k.ring.Rotate(kind, promote)
	if err != nil {
		return ks, err
	}
	k.changed()
	k.log.Info("key rotated", "key", kind, "promote", promote)
	return ks, nil
}

// revoke marks a content key compromised; what it signed is signed again
// with the active key.
func (k *trustKeys) revoke(kid, reason string) (trust.KeySet, error) {
	ks, err := k.ring.Revoke(kid, reason)
	if err != nil {
		return ks, err
	}
	k.changed()
	k.resign()
	k.log.Warn("content key revoked", "kid", kid, "reason", reason)
	return ks, nil
}

// setRole makes this node an anchor or an intermediate.
func (k *trustKeys) setRole(ctx context.Context, role string) error {
	if err := k.trust().SetRole(ctx, role); err != nil {
		return err
	}
	k.changed()
	return nil
}

// unverifiedRecheck is how soon a member without a trust chain is checked
// again.
const unverifiedRecheck = 10 * time.Second

// trustChecker checks gossip members through the trust layer: a member's
// gossip metadata is a hint; its entity configuration and trust chain,
// fetched over HTTP and verified, are the facts.
type trustChecker struct{ n *Node }

func (c trustChecker) CheckMember(ctx context.Context, entityID string) (MemberTrust, error) {
	tr := c.n.live.trust()
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
	tr := n.live.trust()
	if tr == nil {
		return "", ""
	}
	return tr.ConfigurationHash(), tr.Role()
}
