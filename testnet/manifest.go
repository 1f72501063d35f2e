package testnet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Roles of a node in the trust hierarchy.
const (
	RoleAnchor       = "anchor"
	RoleIntermediate = "intermediate"
	RoleLeaf         = "leaf"
)

// Follow strategies of a manifest.
const (
	FollowsMesh   = "mesh"   // testnet makes every node follow every other
	FollowsGossip = "gossip" // the nodes' gossip discovery does it
	FollowsNone   = "none"
)

// MaxNodes bounds a federation: one 127.0.0.x host each, from .10 to .254.
const MaxNodes = 245

// Manifest describes a federation: its nodes, their roles and superiors,
// which anchors recognise which, and each node's seed data.
type Manifest struct {
	Name    string `yaml:"name"`
	Trust   *bool  `yaml:"trust"`   // default true
	Gossip  *bool  `yaml:"gossip"`  // default true
	Follows string `yaml:"follows"` // mesh (default), gossip, none
	// Settings are merged into every node's configuration.
	Settings map[string]any `yaml:"settings"`
	Nodes    []NodeSpec     `yaml:"nodes"`
}

// NodeSpec is one node of a manifest.
type NodeSpec struct {
	Name string `yaml:"name"` // [a-z0-9-], unique: the node's name in every command
	// Config is the node configuration template, relative to the manifest.
	Config     string   `yaml:"config"`
	Role       string   `yaml:"role"`
	Superior   string   `yaml:"superior"`   // the anchor or intermediate that enrols it
	Recognises []string `yaml:"recognises"` // anchors only: the foreign anchors it recognises
	// MaxPathLength and Naming constrain an intermediate: how many
	// intermediates may follow below it, and which hosts it may vouch for.
	MaxPathLength int      `yaml:"max_path_length"`
	Naming        Naming   `yaml:"naming"`
	Seed          SeedSpec `yaml:"seed"`
	// Aggregator: testnet makes the node follow every other node, whatever
	// the manifest's follows, and no node follow it (gossip discovery
	// may still): a node that holds the whole federation's catalogue.
	Aggregator bool `yaml:"aggregator"`

	// Template is the parsed configuration template (set by LoadManifest
	// or Synthetic).
	Template map[string]any `yaml:"-"`
}

// Naming are the naming constraints the superior puts on the node. An entry
// "{host:NAME}" stands for the 127.0.0.x host given to node NAME.
type Naming struct {
	Permitted []string `yaml:"permitted" json:"permitted"`
	Excluded  []string `yaml:"excluded" json:"excluded"`
}

// SeedSpec is the data a node is seeded with at up.
type SeedSpec struct {
	Services     int `yaml:"services"`
	Interlinkers int `yaml:"interlinkers"`
	// Catalogue: the node receives a share of --catalogue's interlinkers.
	Catalogue bool `yaml:"catalogue"`
}

// AggregatorName is the name of the node AddAggregator adds.
const AggregatorName = "aggregator"

// AddAggregator adds an aggregator (NodeSpec.Aggregator) called
// "aggregator" to m: a leaf under m's first anchor (a plain node without
// trust), seeded with its organisation only. A manifest that already has an
// aggregator or a node of that name is refused.
func (m *Manifest) AddAggregator() error {
	var anchor *NodeSpec
	for i := range m.Nodes {
		n := &m.Nodes[i]
		if n.Aggregator || n.Name == AggregatorName {
			return fmt.Errorf("node %s: the manifest already has an aggregator or a node called %s", n.Name, AggregatorName)
		}
		if anchor == nil && n.Role == RoleAnchor {
			anchor = n
		}
	}
	spec := NodeSpec{Name: AggregatorName, Role: RoleLeaf, Aggregator: true}
	country := ""
	if m.TrustOn() {
		if anchor == nil {
			return errors.New("aggregator: the manifest has no anchor to enrol it")
		}
		spec.Superior = anchor.Name
		country = stringOf(anchor.Template, "country", "")
	}
	spec.Template = template("Aggregator of the federation", country, "public_administration", "")
	m.Nodes = append(m.Nodes, spec)
	if m.Name != "" {
		m.Name += "+aggregator"
	}
	return m.Validate()
}

// TrustOn reports whether the federation enrols its nodes with anchors.
func (m *Manifest) TrustOn() bool { return m.Trust == nil || *m.Trust }

// GossipOn reports whether the nodes join a gossip pool.
func (m *Manifest) GossipOn() bool { return m.Gossip == nil || *m.Gossip }

// Node returns the node called name.
func (m *Manifest) Node(name string) (*NodeSpec, bool) {
	for i := range m.Nodes {
		if m.Nodes[i].Name == name {
			return &m.Nodes[i], true
		}
	}
	return nil, false
}

var nodeName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// LoadManifest reads the manifest at file in fsys and the templates it
// names (relative to its directory). Unknown keys are errors that name
// their line.
func LoadManifest(fsys fs.FS, file string) (*Manifest, error) {
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", file, err)
	}
	dir := path.Dir(file)
	for i := range m.Nodes {
		n := &m.Nodes[i]
		if n.Config == "" {
			n.Template = map[string]any{}
			continue
		}
		tpl, err := fs.ReadFile(fsys, path.Join(dir, n.Config))
		if err != nil {
			return nil, fmt.Errorf("manifest %s: node %s: config template: %w", file, n.Name, err)
		}
		if n.Template, err = parseTemplate(tpl); err != nil {
			return nil, fmt.Errorf("manifest %s: node %s: config template %s: %w", file, n.Name, n.Config, err)
		}
	}
	return m, nil
}

// ParseManifest decodes and validates a manifest (templates not loaded).
func ParseManifest(raw []byte) (*Manifest, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty manifest")
		}
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// parseTemplate reads a node configuration template: a YAML mapping.
func parseTemplate(raw []byte) (map[string]any, error) {
	var t map[string]any
	if err := yaml.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	if t == nil {
		t = map[string]any{}
	}
	for _, k := range []string{"listen", "public_url", "data"} {
		if _, ok := t[k]; ok {
			return nil, fmt.Errorf("%q is set by testnet up: remove it from the template", k)
		}
	}
	return t, nil
}

// Validate checks names, roles, superiors (which must form chains ending
// at an anchor), recognitions and seed counts. Errors name the node.
func (m *Manifest) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(m.Nodes) == 0 {
		bad("nodes: at least one node is needed")
	}
	if len(m.Nodes) > MaxNodes {
		bad("nodes: %d nodes, at most %d (one 127.0.0.x host each)", len(m.Nodes), MaxNodes)
	}
	switch m.Follows {
	case "":
		m.Follows = FollowsMesh
	case FollowsMesh, FollowsGossip, FollowsNone:
	default:
		bad("follows: %q is not mesh, gossip or none", m.Follows)
	}
	if m.Follows == FollowsGossip && !m.GossipOn() {
		bad("follows: gossip needs gossip: true")
	}
	seen := map[string]*NodeSpec{}
	for i := range m.Nodes {
		n := &m.Nodes[i]
		if !nodeName.MatchString(n.Name) {
			bad("nodes[%d]: name %q must be 1-40 of a-z, 0-9 and -, starting with a letter or digit", i, n.Name)
			continue
		}
		if seen[n.Name] != nil {
			bad("node %s: the name is used twice", n.Name)
		}
		seen[n.Name] = n
	}
	for i := range m.Nodes {
		n := &m.Nodes[i]
		if !m.TrustOn() {
			if n.Role != "" && n.Role != RoleLeaf || n.Superior != "" || len(n.Recognises) > 0 {
				bad("node %s: roles, superiors and recognitions need trust: true", n.Name)
			}
			if n.Role == "" {
				n.Role = RoleLeaf
			}
		}
		switch n.Role {
		case RoleAnchor:
			if n.Superior != "" {
				bad("node %s: an anchor has no superior", n.Name)
			}
		case RoleIntermediate, RoleLeaf:
			if len(n.Recognises) > 0 {
				bad("node %s: only anchors recognise other anchors", n.Name)
			}
			if m.TrustOn() {
				sup := seen[n.Superior]
				switch {
				case n.Superior == "":
					bad("node %s: a %s needs a superior (an anchor or an intermediate)", n.Name, n.Role)
				case sup == nil:
					bad("node %s: superior %q is not a node of the manifest", n.Name, n.Superior)
				case sup.Role != RoleAnchor && sup.Role != RoleIntermediate:
					bad("node %s: superior %s is a %s, not an anchor or intermediate", n.Name, sup.Name, sup.Role)
				}
			}
		default:
			bad("node %s: role %q is not anchor, intermediate or leaf", n.Name, n.Role)
		}
		for _, r := range n.Recognises {
			if a := seen[r]; a == nil || a.Role != RoleAnchor || r == n.Name {
				bad("node %s: recognises %q, which is not another anchor of the manifest", n.Name, r)
			}
		}
		if n.Role != RoleIntermediate && (n.MaxPathLength != 0 || len(n.Naming.Permitted)+len(n.Naming.Excluded) > 0) {
			bad("node %s: max_path_length and naming constrain intermediates only", n.Name)
		}
		if n.MaxPathLength < 0 || n.Seed.Services < 0 || n.Seed.Interlinkers < 0 {
			bad("node %s: max_path_length and seed counts must not be negative", n.Name)
		}
		for _, e := range append(append([]string(nil), n.Naming.Permitted...), n.Naming.Excluded...) {
			if ref, ok := hostRef(e); ok && seen[ref] == nil {
				bad("node %s: naming entry %q names no node of the manifest", n.Name, e)
			}
		}
	}
	if len(errs) == 0 && m.TrustOn() {
		for i := range m.Nodes {
			if _, err := m.depth(m.Nodes[i].Name); err != nil {
				bad("%v", err)
			}
		}
	}
	return errors.Join(errs...)
}

// depth is the node's distance from its anchor (anchors 0).
func (m *Manifest) depth(name string) (int, error) {
	d := 0
	for cur := name; ; d++ {
		n, _ := m.Node(cur)
		if n.Role == RoleAnchor || !m.TrustOn() {
			return d, nil
		}
		if d > len(m.Nodes) {
			return 0, fmt.Errorf("node %s: its superiors form a loop", name)
		}
		cur = n.Superior
	}
}

// anchorOf is the anchor at the top of the node's chain.
func (m *Manifest) anchorOf(name string) string {
	for cur := name; ; {
		n, _ := m.Node(cur)
		if n.Role == RoleAnchor || n.Superior == "" {
			return n.Name
		}
		cur = n.Superior
	}
}

// hostRef reads "{host:NAME}".
func hostRef(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "{host:"); ok {
		if name, ok := strings.CutSuffix(rest, "}"); ok {
			return name, true
		}
	}
	return "", false
}
