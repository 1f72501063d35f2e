package testnet

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestPilots(t *testing.T) {
	m, err := Pilots()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != 9 || !m.TrustOn() || !m.GossipOn() || m.Follows != FollowsMesh {
		t.Fatalf("pilots: %d nodes, trust %v, gossip %v, follows %s", len(m.Nodes), m.TrustOn(), m.GossipOn(), m.Follows)
	}
	want := map[string]struct{ role, superior, country, kind string }{
		"anchor-it":      {RoleAnchor, "", "IT", "public_administration"},
		"anchor-es":      {RoleAnchor, "", "ES", "public_administration"},
		"anchor-lv":      {RoleAnchor, "", "LV", "public_administration"},
		"reggio-emilia":  {RoleIntermediate, "anchor-it", "IT", "public_administration"},
		"mef":            {RoleLeaf, "anchor-it", "IT", "public_administration"},
		"zaragoza":       {RoleLeaf, "anchor-es", "ES", "public_administration"},
		"varam":          {RoleLeaf, "anchor-lv", "LV", "public_administration"},
		"zaragoza-civic": {RoleLeaf, "anchor-es", "ES", "citizen_group"},
		"reggio-civic":   {RoleLeaf, "reggio-emilia", "IT", "citizen_group"},
	}
	for _, n := range m.Nodes {
		w, ok := want[n.Name]
		if !ok {
			t.Fatalf("unexpected node %s", n.Name)
		}
		if n.Role != w.role || n.Superior != w.superior || stringOf(n.Template, "country", "") != w.country ||
			stringOf(n.Template, "org_kind", "") != w.kind {
			t.Errorf("%s: role %s superior %s template %v", n.Name, n.Role, n.Superior, n.Template)
		}
		if n.Role == RoleAnchor && len(n.Recognises) != 2 {
			t.Errorf("anchor %s recognises %v, want the two others", n.Name, n.Recognises)
		}
	}
	if m.anchorOf("reggio-civic") != "anchor-it" {
		t.Fatalf("reggio-civic's anchor is %s", m.anchorOf("reggio-civic"))
	}
	if d, _ := m.depth("reggio-civic"); d != 2 {
		t.Fatalf("reggio-civic's depth %d, want 2", d)
	}
}

func TestManifestErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"empty", ``, "empty manifest"},
		{"unknown key", "name: x\nnodez: []\n", "nodez"},
		{"no nodes", "name: x\n", "at least one node"},
		{"bad name", "nodes: [{name: Bad_Name, role: anchor}]", "must be 1-40"},
		{"duplicate", "nodes: [{name: a, role: anchor}, {name: a, role: anchor}]", "used twice"},
		{"bad role", "nodes: [{name: a, role: boss}]", `role "boss"`},
		{"leaf without superior", "nodes: [{name: a, role: anchor}, {name: b, role: leaf}]", "needs a superior"},
		{"unknown superior", "nodes: [{name: a, role: anchor}, {name: b, role: leaf, superior: c}]", `superior "c"`},
		{"leaf as superior", "nodes: [{name: a, role: anchor}, {name: b, role: leaf, superior: a}, {name: c, role: leaf, superior: b}]", "is a leaf"},
		{"anchor with superior", "nodes: [{name: a, role: anchor}, {name: b, role: anchor, superior: a}]", "has no superior"},
		{"recognise a leaf", "nodes: [{name: a, role: anchor, recognises: [b]}, {name: b, role: leaf, superior: a}]", "not another anchor"},
		{"loop", "nodes: [{name: a, role: intermediate, superior: b}, {name: b, role: intermediate, superior: a}]", "loop"},
		{"naming on a leaf", "nodes: [{name: a, role: anchor}, {name: b, role: leaf, superior: a, naming: {permitted: [x]}}]", "intermediates only"},
		{"naming names nobody", "nodes: [{name: a, role: anchor}, {name: b, role: intermediate, superior: a, naming: {permitted: ['{host:zz}']}}]", "names no node"},
		{"negative seed", "nodes: [{name: a, role: anchor, seed: {services: -1}}]", "negative"},
		{"bad follows", "follows: all\nnodes: [{name: a, role: anchor}]", "follows"},
		{"gossip follows without gossip", "gossip: false\nfollows: gossip\nnodes: [{name: a, role: anchor}]", "needs gossip"},
		{"roles without trust", "trust: false\nnodes: [{name: a, role: anchor}]", "need trust: true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadManifestTemplates(t *testing.T) {
	fsys := fstest.MapFS{
		"fed/manifest.yaml": {Data: []byte("trust: false\ngossip: false\nnodes: [{name: a, config: t/a.yaml}, {name: b}]\n")},
		"fed/t/a.yaml":      {Data: []byte("name: Alpha\ncountry: IT\n")},
		"fed/bad.yaml":      {Data: []byte("nodes: [{name: a, config: t/bad.yaml, role: anchor}]\n")},
		"fed/t/bad.yaml":    {Data: []byte("listen: 127.0.0.1:1\n")},
	}
	m, err := LoadManifest(fsys, "fed/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Nodes[0].Template["name"] != "Alpha" || m.Nodes[1].Role != RoleLeaf || m.Nodes[1].Template == nil {
		t.Fatalf("nodes %+v", m.Nodes)
	}
	if _, err := LoadManifest(fsys, "fed/bad.yaml"); err == nil || !strings.Contains(err.Error(), "set by testnet up") {
		t.Fatalf("a template setting listen: %v", err)
	}
	if _, err := LoadManifest(fsys, "fed/none.yaml"); err == nil {
		t.Fatal("a missing manifest loaded")
	}
}

func TestSynthetic(t *testing.T) {
	for _, n := range []int{4, 8, 32, 64} {
		m, err := Synthetic(n)
		if err != nil {
			t.Fatalf("Synthetic(%d): %v", n, err)
		}
		if len(m.Nodes) != n {
			t.Fatalf("Synthetic(%d) has %d nodes", n, len(m.Nodes))
		}
		anchors := 0
		for _, s := range m.Nodes {
			if s.Role == RoleAnchor {
				anchors++
			}
		}
		if anchors != 3 {
			t.Fatalf("Synthetic(%d): %d anchors", n, anchors)
		}
	}
	for _, tt := range []struct {
		n    int
		want any
	}{{9, "5s"}, {16, "5s"}, {17, "1m"}, {64, "1m"}} {
		m, err := Synthetic(tt.n)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Settings["trust"].(map[string]any)["reverify_interval"]; got != tt.want {
			t.Errorf("Synthetic(%d): reverify_interval %v, want %v", tt.n, got, tt.want)
		}
		if m.Settings["federation"].(map[string]any)["retry_max"] != "2s" {
			t.Errorf("Synthetic(%d) lost the pilots' federation settings: %v", tt.n, m.Settings)
		}
	}
	if p, _ := Pilots(); p.Settings["trust"].(map[string]any)["reverify_interval"] != "5s" {
		t.Fatal("a synthetic federation changed the pilots' settings")
	}
	for _, n := range []int{0, 3, MaxNodes + 1} {
		if _, err := Synthetic(n); err == nil {
			t.Fatalf("Synthetic(%d) accepted", n)
		}
	}
}

// TestSeedEntitiesValid: every generated entity passes the node's validation.
func TestSeedEntitiesValid(t *testing.T) {
	for _, kind := range []string{"public_administration", "citizen_group"} {
		n := &NodeState{Name: "zaragoza", DisplayName: "Ayuntamiento de Zaragoza", Country: "ES", OrgKind: kind,
			URL: "http://127.0.0.11:8080", EntityID: "http://127.0.0.11:8080"}
		es := seedEntities(n, SeedSpec{Services: 9, Interlinkers: 9}, nil)
		if len(es) != 19 {
			t.Fatalf("%d entities", len(es))
		}
		keys := map[string]bool{}
		for _, e := range es {
			if err := e.Validate(); err != nil {
				t.Fatalf("%s %s: %v", e.Kind(), e.NaturalKey(), err)
			}
			k := string(e.Kind()) + "/" + e.NaturalKey()
			if keys[k] {
				t.Fatalf("duplicate key %s", k)
			}
			keys[k] = true
		}
	}
}

func TestNodeConfig(t *testing.T) {
	m, err := Pilots()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newState(t.TempDir(), UpOptions{Manifest: m, Binary: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range s.Nodes {
		n.EntityID, n.FederationKids = n.URL, []string{"kid-" + n.Name}
	}
	hosts := map[string]bool{}
	for _, n := range s.Nodes {
		if hosts[n.Host] || !strings.HasPrefix(n.Host, "127.0.0.") || n.Port == 0 || n.Gossip == "" {
			t.Fatalf("node %s: host %s port %d gossip %s", n.Name, n.Host, n.Port, n.Gossip)
		}
		hosts[n.Host] = true
	}
	civic, _ := s.Node("reggio-civic")
	spec, _ := m.Node("reggio-civic")
	cfg := nodeConfig(s, m, spec, civic, true)
	trust := cfg["trust"].(map[string]any)
	re, _ := s.Node("reggio-emilia")
	if trust["role"] != RoleLeaf || trust["authority_hints"].([]string)[0] != re.EntityID {
		t.Fatalf("trust section %v", trust)
	}
	if pins := trust["anchors"].([]pin); len(pins) != 3 || pins[0].EntityID != s.Nodes[0].URL {
		t.Fatalf("pins %v: want the Italian anchor first, then the two it recognises", pins)
	}
	g := cfg["gossip"].(map[string]any)
	if len(g["seeds"].([]string)) != 3 || g["keyring"].([]string)[0] == "" || g["bind"] != civic.Gossip {
		t.Fatalf("gossip section %v", g)
	}
	fed := cfg["federation"].(map[string]any)
	if fed["allow_private_networks"] != true || fed["follow_policy"] != "open" || fed["retry_max"] != "2s" {
		t.Fatalf("federation section %v: want the template's and the manifest's settings merged", fed)
	}
	if cfg["testing"].(map[string]any)["faults"] != true || cfg["public_url"] != civic.URL {
		t.Fatalf("config %v", cfg)
	}
	anchor, _ := s.Node("anchor-es")
	aspec, _ := m.Node("anchor-es")
	if pins := nodeConfig(s, m, aspec, anchor, true)["trust"].(map[string]any)["anchors"].([]pin); len(pins) != 3 || pins[0].EntityID != anchor.EntityID {
		t.Fatalf("an anchor pins itself and the anchors it recognises: %v", pins)
	}
	if got := resolveNaming(s, []string{"{host:reggio-civic}", "example.org"}); got[0] != civic.Host || got[1] != "example.org" {
		t.Fatalf("naming %v", got)
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("nodes: [{name: a, role: anchor, recognises: [b]}, {name: b, role: anchor}, {name: c, role: leaf, superior: a}]"))
	f.Add([]byte("trust: false\ngossip: false\nnodes: [{name: a}]"))
	f.Add([]byte("follows: none\nnodes: [{name: a, role: anchor}, {name: b, role: leaf, superior: a, aggregator: true}]"))
	f.Add([]byte("nodes: [{name: a, role: intermediate, superior: b}, {name: b, role: intermediate, superior: a}]"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseManifest(raw)
		if err != nil {
			return
		}
		// Whatever is accepted can be laid out: every chain ends at an anchor.
		for _, n := range m.Nodes {
			if _, err := m.depth(n.Name); err != nil {
				t.Fatalf("accepted manifest with %v", err)
			}
			if m.TrustOn() {
				if a, ok := m.Node(m.anchorOf(n.Name)); !ok || a.Role != RoleAnchor {
					t.Fatalf("node %s's chain does not end at an anchor", n.Name)
				}
			}
		}
	})
}
