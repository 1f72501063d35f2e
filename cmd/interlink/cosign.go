package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

func newCosignCmd(g *globalFlags) *cobra.Command {
	return newGroupCmd("cosign", "Co-produce services: review and sign other nodes' drafts, follow your own",
		newCosignListCmd(g), newCosignShowCmd(g), newCosignAnswerCmd(g, true), newCosignAnswerCmd(g, false), newDraftsCmd(g))
}

func newCosignListCmd(g *globalFlags) *cobra.Command {
	var status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--status pending|approved|rejected] [--json]",
		Short: "List the co-sign requests other nodes sent to this one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			if status != "" {
				q.Set("status", status)
			}
			var page api.List[api.CosignRequest]
			if done, err := fetchView(cmd, g, "list co-sign requests", "/cosign/requests", q, asJSON, &page); done || err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATUS\tFROM\tTITLE\tOBJECT\tRECEIVED")
			for _, r := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Status, r.Origin, dash(truncate(r.Title, 50)), r.IRI, r.Received)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only requests in this state")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newCosignShowCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a co-sign request with the exact service you would sign",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fetchView(cmd, g, "show co-sign request", "/cosign/requests/"+url.PathEscape(args[0]), nil, true, nil)
			return err
		},
	}
}

func newCosignAnswerCmd(g *globalFlags, approve bool) *cobra.Command {
	var reason string
	use, short, path := "approve ID", "Sign another node's draft: this node's signature is sent back to it (editor)", "approve"
	if !approve {
		use, short, path = "reject ID [--reason TEXT]", "Refuse to sign another node's draft (editor)", "reject"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			var r api.CosignRequest
			if err := c.callJSON(cmd.Context(), http.MethodPost, "/cosign/requests/"+url.PathEscape(args[0])+"/"+path, api.CosignAnswer{Reason: reason}, &r); err != nil {
				return fmt.Errorf("%s co-sign request %s: %w", path, args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (%s)\n", r.Status, r.IRI, r.Origin)
			return nil
		},
	}
	if !approve {
		cmd.Flags().StringVar(&reason, "reason", "", "why (sent to the requesting node)")
	}
	return cmd
}

func newDraftsCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "drafts [--json]",
		Short: "List this node's co-produced drafts and whose signature each still waits for",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var page api.List[api.Draft]
			if done, err := fetchView(cmd, g, "list drafts", "/drafts", nil, asJSON, &page); done || err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATUS\tOBJECT\tWAITING FOR\tREASON")
			for _, d := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Status, d.IRI, dash(strings.Join(d.Missing, ", ")), dash(d.Reason))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}
