package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/testnet/scenario"
)

func newTestnetRunCmd(dir *string) *cobra.Command {
	var runID string
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a scenario (YAML) on the federation and print its measurements",
		Long: `run executes the steps of a scenario file (publish, co-sign, adopt, follow, revoke,
reinstate, rotate-key, revoke-key, forge, forge-until-refused, kill, stop, start, partition,
heal, slow, clock-skew, sleep, wait-load, wait-until, assert; docs/testnet.md) on the
running federation, prints each step, then the measurements: publish-to-verified-everywhere
p50/p99, convergence after a heal, objects lost or duplicated. It exits non-zero at the first
failed step or assertion, naming it. Afterwards it heals the faults it set and starts the
nodes it took down. The pilots' scenarios are in configs/scenarios/.`,
		Args: cobra.ExactArgs(1),
		RunE: inTestnet(dir, func(cmd *cobra.Command, args []string, d string) error {
			s, err := scenario.Load(args[0])
			if err != nil {
				return usageErrorf("%v (docs/testnet.md describes the format)", err)
			}
			out := cmd.OutOrStdout()
			rep, err := scenario.Run(cmd.Context(), s, scenario.Options{Dir: d, Out: out, RunID: runID})
			if rep != nil {
				rep.Write(out)
			}
			if err != nil {
				return fmt.Errorf("%w (node logs: `interlink testnet logs NODE --dir %s`)", err, d)
			}
			fmt.Fprintf(out, "scenario %s passed\n", s.Name)
			return nil
		}),
	}
	cmd.Flags().StringVar(&runID, "run-id", "", "suffix that makes this run's keys unique (default random)")
	return cmd
}
