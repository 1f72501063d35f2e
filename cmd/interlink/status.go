package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/protocol"
)

// statusAnswer is the node's GET /api/v1/status.
type statusAnswer struct {
	PublicURL string                     `json:"public_url"`
	Actor     string                     `json:"actor"`
	Version   string                     `json:"version"`
	Counts    map[string]int             `json:"counts"`
	Health    map[string]json.RawMessage `json:"health"`
}

func newStatusCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "Show the node's identity, version, object counts and health",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			st, done, err := fetchView[statusAnswer](cmd, c, "status", "/status", nil, asJSON)
			if done || err != nil {
				return err
			}
			return writeStatus(cmd.OutOrStdout(), st, c.s.server.String())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer exactly")
	return cmd
}

// writeStatus prints the status for people.
func writeStatus(w io.Writer, st *statusAnswer, server string) error {
	var buf bytes.Buffer
	t := newTable(&buf)
	t.row("node", dash(st.PublicURL))
	t.row("actor", dash(st.Actor))
	t.row("api", server)
	t.row("version", dash(st.Version)+" (this CLI: "+version+")")
	if err := t.flush(); err != nil {
		return err
	}

	fmt.Fprintln(&buf, "objects:")
	kinds := countOrder(st.Counts)
	width, total := len("total"), 0
	for _, kind := range kinds {
		width = max(width, len(kind))
		total += st.Counts[kind]
	}
	digits := len(strconv.Itoa(total))
	for _, kind := range kinds {
		digits = max(digits, len(strconv.Itoa(st.Counts[kind])))
	}
	for _, kind := range kinds {
		fmt.Fprintf(&buf, "  %-*s  %*d\n", width, kind, digits, st.Counts[kind])
	}
	fmt.Fprintf(&buf, "  %-*s  %*d\n", width, "total", digits, total)

	fmt.Fprintln(&buf, "health:")
	if err := writeTable(&buf, slices.Sorted(maps.Keys(st.Health)), func(k string) []string {
		return []string{"  " + k, healthValue(k, st.Health[k])}
	}); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// countOrder lists the kinds of protocol.Kinds first, in their order, then
// any other kind the node counts, sorted.
func countOrder(counts map[string]int) []string {
	var out []string
	for _, k := range protocol.Kinds {
		if _, ok := counts[string(k)]; ok {
			out = append(out, string(k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// healthValue renders a health member: a string bare, a byte count
// ("..._bytes") in IEC units, anything else as JSON.
func healthValue(key string, raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n int64
	if strings.HasSuffix(key, "_bytes") && json.Unmarshal(raw, &n) == nil {
		return formatBytes(n)
	}
	return string(raw)
}
