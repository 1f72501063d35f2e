package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

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
		return []string{n.Name, dash(n.Country), n.Role, n.URL, n.State, pid, n.Trust, objects, n.Members, faultsSummary(n.NodeState)}
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
