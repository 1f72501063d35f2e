package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

func newMembersCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "members [--json]",
		Short: "List the gossip pool's members: status, country, role, trust, when last seen (reader)",
		Long: `members lists every node this node knows from its federation's gossip pool: its
status (alive, suspect, dead, left), its country and role (hints gossiped by the member),
its trust (verified, unverified, unchecked, failed: the result of checking the member's
entity configuration and trust chain over HTTP) and when this node last saw it alive.
This node is marked with "*". See docs/gossip.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ans, done, err := getJSON[api.Members](cmd, g, "list members", "/members", nil, asJSON)
			if done || err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if !ans.Enabled {
				fmt.Fprintln(out, "gossip is off on this node: set gossip.bind, gossip.seeds and gossip.keyring in its configuration (docs/gossip.md)")
				return nil
			}
			now := time.Now()
			return writeTable(out, ans.Items, func(m api.Member) []string {
				name := m.Name
				if name == ans.Self {
					name += " *"
				}
				return []string{name, dash(m.Status), dash(m.Country), dash(m.Role), dash(m.Trust), lastSeen(m.LastSeen, now)}
			}, "NAME", "STATUS", "COUNTRY", "ROLE", "TRUST", "LAST-SEEN")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// lastSeen shows an RFC 3339 time as "now" or an age ("3m ago"), and
// anything unparsable as it is.
func lastSeen(s string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return dash(s)
	}
	age := now.Sub(t)
	switch {
	case age < 2*time.Second:
		return "now"
	case age < time.Minute:
		return fmt.Sprintf("%ds ago", int(age.Seconds()))
	case age < time.Hour:
		return fmt.Sprintf("%dm ago", int(age.Minutes()))
	case age < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(age.Hours()))
	}
	return t.UTC().Format(time.RFC3339)
}
