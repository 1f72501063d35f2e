package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/federation/faults"
	"github.com/interlink-project/interlink-node/testnet"
)

// writeTestnetTable prints one line per node.
func writeTestnetTable(w io.Writer, nodes []testnet.NodeStatus) error {
	return writeTable(w, nodes, func(n testnet.NodeStatus) []string {
		pid, objects := "-", "-"
		if n.State == testnet.StateRunning || n.State == testnet.StateStarting {
			pid = strconv.Itoa(n.PID)
		}
		if n.Objects >= 0 {
			objects = strconv.Itoa(n.Objects)
		}
		role := n.Role
		if n.Aggregator {
			role += "+aggregator"
		}
		return []string{n.Name, dash(n.Country), role, n.URL, n.State, pid, n.Trust, objects, n.Members, faultsSummary(n.NodeState)}
	}, "NODE", "COUNTRY", "ROLE", "URL", "STATE", "PID", "TRUST", "OBJECTS", "MEMBERS", "FAULTS")
}

func faultsSummary(n *testnet.NodeState) string {
	var parts []string
	if k := len(n.Faults.Partition); k > 0 {
		parts = append(parts, fmt.Sprintf("partition(%d)", k))
	}
	if l := n.Faults.Latency; l != "" && l != "0s" {
		parts = append(parts, "latency "+l)
	}
	if s := n.Faults.ClockSkew; s != "" && s != "0s" {
		parts = append(parts, "skew "+s)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

// printJSON writes v as indented JSON (the --json output of a command).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// testnetNodeJSON is a node in `testnet status --json`.
type testnetNodeJSON struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Data      string `json:"data"`
	TokenFile string `json:"token_file"`
	Log       string `json:"log"`
	Country   string `json:"country,omitempty"`
	Role      string `json:"role"`
	// Aggregator: the node follows every other (testnet up --aggregator).
	Aggregator bool        `json:"aggregator,omitempty"`
	Host       string      `json:"host"`
	Port       int         `json:"port"`
	Gossip     string      `json:"gossip,omitempty"`
	EntityID   string      `json:"entity_id,omitempty"`
	State      string      `json:"state"`
	PID        int         `json:"pid,omitempty"`
	Trust      string      `json:"trust,omitempty"`
	Objects    *int        `json:"objects,omitempty"`
	Members    string      `json:"members,omitempty"`
	Faults     faults.Spec `json:"faults"`
}

// testnetStatusJSON is `testnet status --json`.
func testnetStatusJSON(s *testnet.State, nodes []testnet.NodeStatus) any {
	out := struct {
		Dir      string            `json:"dir"`
		Manifest string            `json:"manifest"`
		Nodes    []testnetNodeJSON `json:"nodes"`
	}{Dir: s.Dir, Manifest: s.Manifest, Nodes: make([]testnetNodeJSON, 0, len(nodes))}
	for _, n := range nodes {
		j := testnetNodeJSON{Name: n.Name, URL: n.URL, Data: n.Data, TokenFile: n.TokenFile(), Log: n.Log,
			Country: n.Country, Role: n.Role, Host: n.Host, Port: n.Port, Gossip: n.Gossip, EntityID: n.EntityID,
			State: n.State, Faults: n.Faults, Aggregator: n.Aggregator}
		if n.State == testnet.StateRunning || n.State == testnet.StateStarting {
			j.PID = n.PID
		}
		if n.Trust != "-" {
			j.Trust = n.Trust
		}
		if n.Members != "-" {
			j.Members = n.Members
		}
		if n.Objects >= 0 {
			j.Objects = &n.Objects
		}
		out.Nodes = append(out.Nodes, j)
	}
	return out
}
