package testnet

import (
	"fmt"
	"strings"

	"github.com/interlink-project/interlink-node/configs"
)

// Pilots loads the pilot federation shipped in configs/.
func Pilots() (*Manifest, error) {
	return LoadManifest(configs.FS, configs.Manifest)
}

// syntheticCountries are the countries of a synthetic federation, one
// anchor each; its leaves are spread over them in turn.
var syntheticCountries = []struct{ code, agency string }{
	{"IT", "Agenzia per l'Italia Digitale"},
	{"ES", "Secretaría General de Administración Digital"},
	{"LV", "Valsts digitālās attīstības aģentūra"},
}

// Synthetic makes a federation of n nodes (n ≥ 4): one anchor per country
// of IT, ES and LV, recognising each other, and n-3 leaves spread over
// them; every fifth leaf is a citizen group. Each leaf is seeded with two
// services and two interlinkers; the settings are the pilots'.
func Synthetic(n int) (*Manifest, error) {
	if n < len(syntheticCountries)+1 || n > MaxNodes {
		return nil, fmt.Errorf("--nodes %d: want %d to %d (three anchors and at least one leaf)", n, len(syntheticCountries)+1, MaxNodes)
	}
	pilots, err := Pilots()
	if err != nil {
		return nil, err
	}
	m := &Manifest{Name: fmt.Sprintf("synthetic-%d", n), Follows: FollowsMesh, Settings: scaledSettings(pilots.Settings, n),
		Trust: pilots.Trust, Gossip: pilots.Gossip}
	var anchors []string
	for _, c := range syntheticCountries {
		anchors = append(anchors, "anchor-"+strings.ToLower(c.code))
	}
	for i, c := range syntheticCountries {
		var rec []string
		for j, a := range anchors {
			if j != i {
				rec = append(rec, a)
			}
		}
		m.Nodes = append(m.Nodes, NodeSpec{Name: anchors[i], Role: RoleAnchor, Recognises: rec,
			Template: template(c.agency+" (trust anchor)", c.code, "public_administration", "anchor")})
	}
	for i := 0; i < n-len(anchors); i++ {
		c := syntheticCountries[i%len(syntheticCountries)]
		kind, label := "public_administration", "Public administration"
		if i%5 == 4 {
			kind, label = "citizen_group", "Civic group"
		}
		name := fmt.Sprintf("node-%s-%02d", strings.ToLower(c.code), i/len(syntheticCountries)+1)
		m.Nodes = append(m.Nodes, NodeSpec{Name: name, Role: RoleLeaf, Superior: "anchor-" + strings.ToLower(c.code),
			Seed:     SeedSpec{Services: 2, Interlinkers: 2, Catalogue: kind == "public_administration"},
			Template: template(fmt.Sprintf("%s %s", label, name), c.code, kind, "")})
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func template(name, country, kind, username string) map[string]any {
	fed := map[string]any{"follow_policy": "open"}
	if username != "" {
		fed["username"] = username
	}
	return map[string]any{"name": name, "country": country, "org_kind": kind, "federation": fed}
}

// reverifyAtScale is the trust.reverify_interval of synthetic federations
// above quickReverifyNodes nodes: a production node's default.
const (
	quickReverifyNodes = 16
	reverifyAtScale    = "1m"
)

// scaledSettings are the pilots' settings for a synthetic federation of n
// nodes. Every node re-reads the chain of every signer it holds objects of
// once per trust.reverify_interval, from the signer and its anchor: n² chain
// reads per interval, most of them served by the three anchors. The pilots'
// 5 s (for their revocation scenarios) costs 16 a second at 9 nodes, but
// 820 a second at 64, which kept two of the machine's cores busy; above 16
// nodes the interval is a production node's default (1 minute), 68 a second
// at 64 nodes.
func scaledSettings(pilots map[string]any, n int) map[string]any {
	out := map[string]any{}
	merge(out, pilots)
	if n > quickReverifyNodes {
		merge(out, map[string]any{"trust": map[string]any{"reverify_interval": reverifyAtScale}})
	}
	return out
}
