package testnet

import (
	"strings"
	"testing"
)

func TestAddAggregator(t *testing.T) {
	pilots, err := Pilots()
	if err != nil {
		t.Fatal(err)
	}
	synth, err := Synthetic(63)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := ParseManifest([]byte("trust: false\ngossip: false\nnodes: [{name: a}, {name: b}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		m        *Manifest
		nodes    int
		superior string
		country  string
	}{
		{"pilots", pilots, 10, "anchor-it", "IT"},
		{"synthetic 63 + 1", synth, 64, "anchor-it", "IT"},
		{"without trust", plain, 3, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.m.AddAggregator(); err != nil {
				t.Fatal(err)
			}
			if len(tt.m.Nodes) != tt.nodes {
				t.Fatalf("%d nodes, want %d", len(tt.m.Nodes), tt.nodes)
			}
			a, ok := tt.m.Node(AggregatorName)
			if !ok || !a.Aggregator || a.Role != RoleLeaf || a.Superior != tt.superior ||
				stringOf(a.Template, "country", "") != tt.country || a.Seed != (SeedSpec{}) {
				t.Fatalf("aggregator %+v", a)
			}
			if err := tt.m.AddAggregator(); err == nil || !strings.Contains(err.Error(), "already has an aggregator") {
				t.Fatalf("a second aggregator: %v", err)
			}
		})
	}
	noAnchor := &Manifest{Nodes: []NodeSpec{{Name: "x", Role: RoleIntermediate, Superior: "x"}}}
	if err := noAnchor.AddAggregator(); err == nil {
		t.Fatal("an aggregator added to a manifest without an anchor")
	}
}

func TestManifestAggregatorField(t *testing.T) {
	m, err := ParseManifest([]byte("follows: none\nnodes: [{name: a, role: anchor}, {name: agg, role: leaf, superior: a, aggregator: true}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := m.Node("agg"); !a.Aggregator {
		t.Fatal("aggregator: true not read")
	}
	s, err := newState(t.TempDir(), UpOptions{Manifest: m, Binary: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	if agg, _ := s.Node("agg"); !agg.Aggregator {
		t.Fatal("the state does not record the aggregator")
	}
	if anc, _ := s.Node("a"); anc.Aggregator {
		t.Fatal("the anchor recorded as an aggregator")
	}
}

// TestFollowsAndExpected: who testnet makes follow whom, and how many
// seeded objects each node must then hold, for every follows mode.
func TestFollowsAndExpected(t *testing.T) {
	a := &NodeState{Name: "a", Seeded: 3}
	b := &NodeState{Name: "b", Seeded: 5}
	agg := &NodeState{Name: "agg", Seeded: 1, Aggregator: true}
	tests := []struct {
		mode                string
		aFollowsB, aFollows bool // a follows b; a follows the aggregator
		aggFollowsA         bool
		wantA, wantAgg      int
	}{
		{FollowsMesh, true, false, true, 8, 9},
		{FollowsNone, false, false, true, 3, 9},
		{FollowsGossip, false, false, true, 9, 9},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			if got := follows(tt.mode, a, b); got != tt.aFollowsB {
				t.Errorf("a follows b: %v", got)
			}
			if got := follows(tt.mode, a, agg); got != tt.aFollows {
				t.Errorf("a follows the aggregator: %v", got)
			}
			if got := follows(tt.mode, agg, a); got != tt.aggFollowsA {
				t.Errorf("the aggregator follows a: %v", got)
			}
			s := &State{Follows: tt.mode, Nodes: []*NodeState{a, b, agg}}
			if got := expected(s, a); got != tt.wantA {
				t.Errorf("a must hold %d, want %d", got, tt.wantA)
			}
			if got := expected(s, agg); got != tt.wantAgg {
				t.Errorf("the aggregator must hold %d, want %d", got, tt.wantAgg)
			}
		})
	}
}
