package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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
			var f api.Follow
			if err := postJSON(cmd, g, "follow "+args[0], "/follows", api.ActorRequest{Target: args[0]}, &f); err != nil {
				return err
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
			err := withClient(cmd, g, "unfollow "+args[0], func(ctx context.Context, c *client) error {
				return c.call(ctx, request{method: http.MethodDelete, path: "/follows", query: url.Values{"actor": {args[0]}}}, nil)
			})
			if err != nil {
				return err
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
			page, done, err := getJSON[api.FollowPage](cmd, g, "list followers", "/followers", onlyIf("state", state), asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), page.Items, func(f api.Follow) []string {
				return []string{f.Actor, f.State, f.Since.Format(time.RFC3339)}
			}, "ACTOR", "STATE", "SINCE")
		},
	}
	list.Flags().StringVar(&state, "state", "", "only followers in this state")
	completeValues(list, "state", "pending", "accepted", "rejected")
	list.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	decide := func(use, verb, path string) *cobra.Command {
		return &cobra.Command{
			Use:   use + " ACTOR-URL",
			Short: verb + " a pending follower (admin)",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				var f api.Follow
				if err := postJSON(cmd, g, use+" "+args[0], path, api.ActorRequest{Actor: args[0]}, &f); err != nil {
					return err
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
			page, done, err := getJSON[api.List[peer]](cmd, g, "list peers", "/peers", nil, asJSON)
			if done || err != nil {
				return err
			}
			return writeTable(cmd.OutOrStdout(), page.Items, func(p peer) []string {
				last := "-"
				if !p.LastSuccess.IsZero() {
					last = p.LastSuccess.Format(time.RFC3339)
				}
				failures := fmt.Sprint(p.Failures)
				if p.CircuitOpen {
					failures += " (paused)"
				}
				return []string{p.Actor, dash(p.Following), dash(p.Follower), last, fmt.Sprint(p.Queue), fmt.Sprint(p.Dead), failures, dash(p.LastError)}
			}, "ACTOR", "WE FOLLOW", "FOLLOWS US", "LAST SUCCESS", "QUEUE", "DEAD", "FAILURES", "LAST ERROR")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// peer is an item of the node's GET /api/v1/peers.
type peer struct {
	Actor, Following, Follower, LastError string
	LastSuccess                           time.Time `json:"last_success"`
	Failures, Queue, Dead                 int
	CircuitOpen                           bool `json:"circuit_open"`
}
