package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

func newAnchorCmd(g *globalFlags) *cobra.Command {
	return newGroupCmd("anchor", "Run this node as a trust anchor or intermediate: enrol, list and revoke the nodes it vouches for",
		newAnchorInitCmd(g), newAnchorEnrollCmd(g), newAnchorRevokeCmd(g), newAnchorListCmd(g))
}

func newAnchorInitCmd(g *globalFlags) *cobra.Command {
	var intermediate bool
	cmd := &cobra.Command{
		Use:   "init [--intermediate]",
		Short: "Make the running node a trust anchor (or an intermediate) and print the pin other nodes configure (admin)",
		Long: `Make the running node a trust anchor (or, with --intermediate, an intermediate that vouches
for its subordinates under its own superior). It then serves subordinate statements at
/federation/fetch, the list of its subordinates, its historical keys and its denylist.

The pin it prints is what every node that recognises this anchor writes in its
configuration under trust.anchors (entity_id and kids). Hand it over out of band.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			role := "anchor"
			if intermediate {
				role = "intermediate"
			}
			var pin api.AnchorInitAnswer
			if err := postJSON(cmd, g, "anchor init", "/anchor/init", api.AnchorInit{Role: role}, &pin); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s is now a trust %s.\n\nPin it in the configuration of every node that recognises it:\n\n", pin.EntityID, pin.Role)
			fmt.Fprintf(out, "trust:\n  anchors:\n    - entity_id: %s\n      kids: [%s]\n", pin.EntityID, strings.Join(pin.Kids, ", "))
			return nil
		},
	}
	cmd.Flags().BoolVar(&intermediate, "intermediate", false, "act as an intermediate (under a superior) rather than an anchor")
	return cmd
}

func newAnchorEnrollCmd(g *globalFlags) *cobra.Command {
	var e struct {
		Name, Country, OrgKind, Role string
		MaxPath                      int
		Permitted, Excluded, Kids    []string
	}
	cmd := &cobra.Command{
		Use:   "enroll ENTITY-URL --country CC --org-kind KIND --name NAME",
		Short: "Vouch for a node: record its federation keys and state its legal identity (admin)",
		Long: `Enroll a node under this anchor (or intermediate). The anchor fetches the node's entity
configuration, which must name this anchor in its authority_hints (trust.authority_hints in
that node's configuration), and records its federation keys. The name, country and kind
you state here are what every receiver shows as the node's legal identity.

Pass --kids with the thumbprints the node's operator gave you to make sure you enrol the
right keys. Enrolling an enrolled node again refreshes its keys (after a federation key
rotation) and lifts a revocation.`,
		Example: `  interlink anchor enroll https://interlink.comune.re.it --country IT \
    --org-kind public_administration --name "Comune di Reggio Emilia" \
    --intermediate --permitted .re.it --max-path-length 0`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := api.Enrolment{EntityID: strings.TrimRight(args[0], "/"), Name: e.Name, Country: e.Country, OrgKind: e.OrgKind, Role: e.Role,
				Permitted: e.Permitted, Excluded: e.Excluded, Kids: e.Kids}
			if cmd.Flags().Changed("max-path-length") {
				req.MaxPathLength = &e.MaxPath
			}
			var sub api.Subordinate
			if err := postJSON(cmd, g, "enroll "+args[0], "/anchor/subordinates", req, &sub); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "enrolled %s: %s (%s, %s) as %s\n", sub.EntityID, sub.Name, sub.Country, sub.OrgKind, sub.Role)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&e.Name, "name", "", "the organisation's legal name (required)")
	f.StringVar(&e.Country, "country", "", "ISO 3166-1 alpha-2 country code (required)")
	f.StringVar(&e.OrgKind, "org-kind", "public_administration", "public_administration, citizen_group, non_profit or for_profit")
	f.StringVar(&e.Role, "role", "leaf", "leaf, or intermediate for a node that vouches for others below it")
	f.IntVar(&e.MaxPath, "max-path-length", 0, "intermediates: how many further intermediates may follow below it")
	f.StringSliceVar(&e.Permitted, "permitted", nil, "intermediates: host names its subordinates must be under (.example.it = any subdomain)")
	f.StringSliceVar(&e.Excluded, "excluded", nil, "intermediates: host names its subordinates must not be under")
	f.StringSliceVar(&e.Kids, "kids", nil, "the federation key thumbprints the node's operator gave you (checked)")
	intermediate := f.Bool("intermediate", false, "shorthand for --role intermediate")
	cmd.PreRunE = func(*cobra.Command, []string) error {
		if *intermediate {
			e.Role = "intermediate"
		}
		return nil
	}
	return cmd
}

func newAnchorRevokeCmd(g *globalFlags) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke ENTITY-URL [--reason TEXT]",
		Short: "Stop vouching for a node from now on: what it signs from now is refused everywhere (admin)",
		Long: `Revoke a subordinate. Its statement keeps being served with the time of revocation, so
that receivers still accept what it signed before and refuse what it signs after; the
anchor's denylist lists it. Enroll it again to lift the revocation.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var sub api.Subordinate
			req := api.SubordinateRevoke{EntityID: strings.TrimRight(args[0], "/"), Reason: reason}
			if err := postJSON(cmd, g, "revoke "+args[0], "/anchor/subordinates/revoke", req, &sub); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %s at %s\n", sub.EntityID, sub.RevokedAt.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (shown in the denylist)")
	return cmd
}

func newAnchorListCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the nodes this anchor vouches for",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, done, err := getJSON[api.List[api.Subordinate]](cmd, g, "list subordinates", "/anchor/subordinates", nil, asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), page.Items, func(s api.Subordinate) []string {
				state := "active"
				if !s.RevokedAt.IsZero() {
					state = "revoked " + s.RevokedAt.Format(time.RFC3339)
				}
				return []string{s.EntityID, s.Name, s.Country, s.OrgKind, s.Role, s.Enrolled.Format(time.RFC3339), state}
			}, "ENTITY", "NAME", "COUNTRY", "KIND", "ROLE", "ENROLLED", "STATE")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}
