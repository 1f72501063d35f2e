package testnet

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// pin is an anchor as a node pins it.
type pin struct {
	EntityID string   `yaml:"entity_id"`
	Kids     []string `yaml:"kids"`
}

// nodeConfig is the full configuration of node n: the manifest's settings,
// then its template, then what testnet computes (which wins).
func nodeConfig(s *State, m *Manifest, spec *NodeSpec, n *NodeState, withPins bool) map[string]any {
	cfg := map[string]any{}
	merge(cfg, m.Settings)
	merge(cfg, spec.Template)
	merge(cfg, map[string]any{
		"data":       n.Data,
		"listen":     net.JoinHostPort(n.Host, strconv.Itoa(n.Port)),
		"public_url": n.URL,
		"federation": map[string]any{"allow_private_networks": true},
		"testing":    map[string]any{"faults": true},
	})
	if s.Trust {
		trust := map[string]any{"role": n.Role}
		if sup, err := s.Node(n.Superior); err == nil && n.Superior != "" {
			trust["authority_hints"] = []string{sup.EntityID}
		}
		if withPins {
			var pins []pin
			for _, a := range pinnedAnchors(m, n) {
				an, err := s.Node(a)
				if err == nil && an.EntityID != "" {
					pins = append(pins, pin{EntityID: an.EntityID, Kids: an.FederationKids})
				}
			}
			if len(pins) > 0 {
				trust["anchors"] = pins
			}
		}
		merge(cfg, map[string]any{"trust": trust})
	}
	if s.Gossip {
		var seeds []string
		for _, o := range s.Nodes {
			if o.Role == RoleAnchor && o.Name != n.Name {
				seeds = append(seeds, o.Gossip)
			}
		}
		cfg["gossip"] = map[string]any{
			"bind": n.Gossip, "advertise": n.Gossip, "seeds": seeds, "keyring": s.Keyring,
			"profile": "local", "discovery": "follow-trusted",
		}
	}
	return cfg
}

// pinnedAnchors are the anchors node n pins: the anchor at the top of its
// chain (itself, for an anchor) and every anchor that one recognises.
func pinnedAnchors(m *Manifest, n *NodeState) []string {
	a, ok := m.Node(n.Anchor)
	if !ok {
		return nil
	}
	return append([]string{a.Name}, a.Recognises...)
}

// merge copies src into dst, merging nested maps key by key.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
			cp := map[string]any{}
			merge(cp, sm)
			dst[k] = cp
			continue
		}
		dst[k] = v
	}
}

// writeNodeConfig writes cfg as YAML to n.Config.
func writeNodeConfig(n *NodeState, cfg map[string]any) error {
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("node %s: encode config: %w", n.Name, err)
	}
	head := "# Written by `interlink testnet up`; templates and manifest: docs/testnet.md.\n"
	if err := os.WriteFile(n.Config, append([]byte(head), b...), 0o600); err != nil {
		return fmt.Errorf("node %s: write config: %w", n.Name, err)
	}
	return nil
}

// stringOf reads a string from a template (name, country, org_kind).
func stringOf(t map[string]any, key, def string) string {
	if v, ok := t[key].(string); ok && v != "" {
		return v
	}
	return def
}

// resolveNaming replaces "{host:NAME}" entries by that node's host.
func resolveNaming(s *State, entries []string) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		if ref, ok := hostRef(e); ok {
			if n, err := s.Node(ref); err == nil {
				e = n.Host
			}
		}
		out = append(out, e)
	}
	return out
}
