package main

import (
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

func newFollowCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "follow URL|acct:name@host",
		Short: "Follow another node: receive its catalogue and every change to it (editor)",
		Long: `Follow another node by its actor URL or its acct:name@host address (WebFinger).
The follow is pending until the other node accepts it; then this node fetches the
other's whole catalogue (backfill) and receives every later change.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			var f api.Follow
			if err := c.callJSON(cmd.Context(), http.MethodPost, "/follows", api.ActorRequest{Target: args[0]}, &f); err != nil {
				return fmt.Errorf("follow %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "following %s (%s)\n", f.Actor, f.State)
			return nil
		},
	}
}

func newUnfollowCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "unfollow ACTOR-URL",
		Short: "Stop following a node (editor)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			err = c.call(cmd.Context(), request{method: http.MethodDelete, path: "/follows", query: url.Values{"actor": {args[0]}}}, nil)
			if err != nil {
				return fmt.Errorf("unfollow %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "no longer following %s\n", args[0])
			return nil
		},
	}
}

func newFollowersCmd(g *globalFlags) *cobra.Command {
	var state string
	var asJSON bool
	list := &cobra.Command{
		Use:   "followers [--state pending|accepted|rejected] [--json]",
		Short: "List the nodes that follow this one; approve or reject pending follows",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			if state != "" {
				q.Set("state", state)
			}
			var page api.FollowPage
			if done, err := fetchView(cmd, g, "list followers", "/followers", q, asJSON, &page); done || err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACTOR\tSTATE\tSINCE")
			for _, f := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Actor, f.State, f.Since.Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&state, "state", "", "only followers in this state")
	list.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	decide := func(use, verb, path string) *cobra.Command {
		return &cobra.Command{
			Use:   use + " ACTOR-URL",
			Short: verb + " a pending follower (admin)",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := newClient(cmd, g)
				if err != nil {
					return err
				}
				defer c.close()
				var f api.Follow
				if err := c.callJSON(cmd.Context(), http.MethodPost, path, api.ActorRequest{Actor: args[0]}, &f); err != nil {
					return fmt.Errorf("%s %s: %w", use, args[0], err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s is now %s\n", f.Actor, f.State)
				return nil
			},
		}
	}
	list.AddCommand(decide("approve", "Approve", "/followers/approve"), decide("reject", "Reject", "/followers/reject"))
	return list
}

func newPeersCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "peers [--json]",
		Short: "List followed and following nodes with their state: last success, queue, failures",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var page struct {
				Items []struct {
					Actor, Following, Follower, LastError string
					LastSuccess                           time.Time `json:"last_success"`
					Failures, Queue, Dead                 int
					CircuitOpen                           bool `json:"circuit_open"`
				}
			}
			if done, err := fetchView(cmd, g, "list peers", "/peers", nil, asJSON, &page); done || err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACTOR\tWE FOLLOW\tFOLLOWS US\tLAST SUCCESS\tQUEUE\tDEAD\tFAILURES\tLAST ERROR")
			for _, p := range page.Items {
				last := "-"
				if !p.LastSuccess.IsZero() {
					last = p.LastSuccess.Format(time.RFC3339)
				}
				failures := fmt.Sprint(p.Failures)
				if p.CircuitOpen {
					failures += " (paused)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", p.Actor, dash(p.Following), dash(p.Follower), last, p.Queue, p.Dead, failures, dash(p.LastError))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
