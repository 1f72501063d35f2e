package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

func newTrustCmd(g *globalFlags) *cobra.Command {
	keys := newGroupCmd("keys", "Rotate or revoke the node's signing keys", newKeysRotateCmd(g), newKeysRevokeCmd(g))
	return newGroupCmd("trust", "Show and manage this node's place in the trust federation", newTrustStatusCmd(g), keys)
}

func newTrustStatusCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "Show the node's role, keys, pinned anchors and whether its own trust chain verifies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, done, err := getJSON[api.TrustStatus](cmd, g, "trust status", "/trust", nil, asJSON)
			if done || err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "entity:     %s\nrole:       %s\nsuperiors:  %s\n", st.EntityID, st.Role, dash(strings.Join(st.AuthorityHints, ", ")))
			fmt.Fprintf(out, "chain:      %s", st.Chain.Status)
			if st.Chain.Status == "unverified" {
				fmt.Fprintf(out, " (%s)\n", st.Chain.Reason)
			} else {
				fmt.Fprintf(out, ": %s, %s, %s; %s; expires %s\n", st.Chain.Name, st.Chain.Country, st.Chain.OrgKind,
					strings.Join(st.Chain.Path, " → "), st.Chain.Expires.Format(time.RFC3339))
			}
			fmt.Fprintln(out, "anchors pinned:")
			if len(st.Anchors) == 0 {
				fmt.Fprintln(out, "  none: received objects are stored as unverified (set trust.anchors)")
			}
			for _, a := range st.Anchors {
				fmt.Fprintf(out, "  %s [%s]\n", a.EntityID, strings.Join(a.Kids, ", "))
			}
			t := newTable(out, "KEY", "KID", "STATE", "CREATED", "RETIRED/REVOKED")
			for _, list := range []struct {
				name string
				keys []api.Key
			}{{"federation", st.FederationKeys}, {"content", st.ContentKeys}} {
				for _, k := range list.keys {
					when := "-"
					if !k.RevokedAt.IsZero() {
						when = "revoked " + k.RevokedAt.Format(time.RFC3339)
					} else if !k.RetiredAt.IsZero() {
						when = "retired " + k.RetiredAt.Format(time.RFC3339)
					}
					t.row(list.name, k.Kid, k.State, k.Created.Format(time.RFC3339), when)
				}
			}
			return t.flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newKeysRotateCmd(g *globalFlags) *cobra.Command {
	var promote bool
	cmd := &cobra.Command{
		Use:   "rotate content|federation [--promote]",
		Short: "Make a new content key (at once) or federation key (in two steps) (admin)",
		Long: `rotate content: a new content key signs from now on; the old one is kept as a
historical key, so that every object it signed keeps verifying.

rotate federation: a new federation key is published beside the current one, not yet
signing. Ask your anchor (or intermediate) to enroll this node again so that its
statement lists both keys, then run "rotate federation --promote": the new key signs
the entity configuration and the old one is retired.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"content", "federation"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "content" && args[0] != "federation" {
				return &usageError{msg: fmt.Sprintf("rotate %q: say content or federation", args[0])}
			}
			var res api.KeySet
			in := api.KeyRotateRequest{Key: args[0], Promote: promote}
			if err := postJSON(cmd, g, "rotate "+args[0]+" key", "/trust/keys/rotate", in, &res); err != nil {
				return err
			}
			list := res.ContentKeys
			if args[0] == "federation" {
				list = res.FederationKeys
			}
			for _, k := range list {
				fmt.Fprintf(cmd.OutOrStdout(), "%s key %s: %s\n", args[0], k.Kid, k.State)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&promote, "promote", false, "federation: make the next key the signing one once the superior lists it")
	return cmd
}

func newKeysRevokeCmd(g *globalFlags) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke KID [--reason TEXT]",
		Short: "Mark a retired content key compromised: nothing it signs from now on verifies (admin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := api.KeyRevokeRequest{Kid: args[0], Reason: reason}
			if err := postJSON(cmd, g, "revoke key "+args[0], "/trust/keys/revoke", in, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "content key %s revoked\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (published with the key)")
	return cmd
}
