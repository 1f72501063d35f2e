package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/testnet"
)

// newTestnetNodeCmd makes kill, stop and start: one node by name.
func newTestnetNodeCmd(dir *string, use, short string, op func(ctx context.Context, dir, name string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use + " NODE",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: inTestnet(dir, func(cmd *cobra.Command, args []string, d string) error {
			if err := op(cmd.Context(), d, args[0]); err != nil {
				return fmt.Errorf("testnet %s %s: %w", use, args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s done\n", args[0], use)
			return nil
		}),
	}
}

func newTestnetPartitionCmd(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "partition A,B / C,D",
		Short: "Cut groups of nodes off from each other (HTTP and gossip, both ways)",
		Long: `partition makes every node of a group block the HTTP and gossip addresses of the nodes of
the other groups; with one group, of every node outside it. Groups are separated by "/",
names by commas. "testnet heal" clears it.`,
		Args: cobra.MinimumNArgs(1),
		RunE: inTestnet(dir, func(cmd *cobra.Command, args []string, d string) error {
			groups, err := testnet.ParsePartition(strings.Join(args, " "))
			if err != nil {
				return usageErrorf("%v", err)
			}
			if err := testnet.Partition(cmd.Context(), d, groups); err != nil {
				return fmt.Errorf("testnet partition: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "partitioned: %v\n", groups)
			return nil
		}),
	}
}

func newTestnetHealCmd(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "heal",
		Short: "Clear every fault on every node (partitions, latency, clock skew)",
		Args:  cobra.NoArgs,
		RunE: inTestnet(dir, func(cmd *cobra.Command, _ []string, d string) error {
			if err := testnet.Heal(cmd.Context(), d); err != nil {
				return fmt.Errorf("testnet heal: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "healed: no faults remain")
			return nil
		}),
	}
}

func newTestnetSlowCmd(dir *string) *cobra.Command {
	var latency time.Duration
	cmd := &cobra.Command{
		Use:   "slow NODE --latency D",
		Short: "Add latency before everything a node sends (HTTP and gossip); --latency 0 clears it",
		Args:  cobra.ExactArgs(1),
		RunE: inTestnet(dir, func(cmd *cobra.Command, args []string, d string) error {
			if !cmd.Flags().Changed("latency") {
				return usageErrorf("pass --latency, e.g. --latency 200ms (0 clears it)")
			}
			if err := testnet.Slow(cmd.Context(), d, args[0], latency); err != nil {
				return fmt.Errorf("testnet slow %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: latency %s\n", args[0], latency)
			return nil
		}),
	}
	cmd.Flags().DurationVar(&latency, "latency", 0, "the latency, e.g. 200ms")
	return cmd
}

func newTestnetSkewCmd(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "clock-skew NODE SKEW",
		Short: "Shift a node's clock, e.g. +10m or -30s (0 clears it)",
		Args:  cobra.ExactArgs(2),
		RunE: inTestnet(dir, func(cmd *cobra.Command, args []string, d string) error {
			skew, err := testnet.ParseSkew(args[1])
			if err != nil {
				return usageErrorf("%v", err)
			}
			if err := testnet.ClockSkew(cmd.Context(), d, args[0], skew); err != nil {
				return fmt.Errorf("testnet clock-skew %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: clock skew %s\n", args[0], args[1])
			return nil
		}),
	}
}
