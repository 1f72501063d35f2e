package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

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
			page, done, err := getJSON[api.List[api.CosignRequest]](cmd, g, "list co-sign requests", "/cosign/requests", onlyIf("status", status), asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), page.Items, func(r api.CosignRequest) []string {
				return []string{r.ID, r.Status, r.Origin, dash(truncate(r.Title, 50)), r.IRI, r.Received}
			}, "ID", "STATUS", "FROM", "TITLE", "OBJECT", "RECEIVED")
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only requests in this state")
	completeValues(cmd, "status", "pending", "approved", "rejected")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newCosignShowCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a co-sign request with the exact service you would sign",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, _, err := getJSON[json.RawMessage](cmd, g, "show co-sign request", "/cosign/requests/"+url.PathEscape(args[0]), nil, true)
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
			var r api.CosignRequest
			err := postJSON(cmd, g, path+" co-sign request "+args[0],
				"/cosign/requests/"+url.PathEscape(args[0])+"/"+path, api.CosignAnswer{Reason: reason}, &r)
			if err != nil {
				return err
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
			page, done, err := getJSON[api.List[api.Draft]](cmd, g, "list drafts", "/drafts", nil, asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), page.Items, func(d api.Draft) []string {
				return []string{d.ID, d.Status, d.IRI, dash(strings.Join(d.Missing, ", ")), dash(d.Reason)}
			}, "ID", "STATUS", "OBJECT", "WAITING FOR", "REASON")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}
