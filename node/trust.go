package node

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

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
