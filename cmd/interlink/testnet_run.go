package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/testnet/scenario"
)

func newTestnetRunCmd(dir *string) *cobra.Command {
	var runID string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a scenario (YAML) on the federation and print its measurements",
		Long: `run executes the steps of a scenario file (publish, co-sign, adopt, follow, revoke,
reinstate, rotate-key, revoke-key, forge, forge-until-refused, kill, stop, start, partition,
heal, slow, clock-skew, sleep, wait-load, wait-until, assert; docs/testnet.md) on the
running federation, prints each step, then the measurements: publish-to-verified-everywhere
p50/p99, convergence after a heal, objects lost or duplicated. It exits non-zero at the first
failed step or assertion, naming it. Afterwards it heals the faults it set and starts the
nodes it took down. The pilots' scenarios are in configs/scenarios/.

--json prints {"scenario", "passed", "error", "measurements": {"duration_ms",
"publish_to_verified": {"samples", "p50_ms", "p99_ms", "max_ms"}, "figures_ms", "losses"}}.`,
		Args: cobra.ExactArgs(1),
		RunE: inTestnet(dir, func(cmd *cobra.Command, args []string, d string) error {
			s, err := scenario.Load(args[0])
			if err != nil {
				return usageErrorf("%v (docs/testnet.md describes the format)", err)
			}
			out := cmd.OutOrStdout()
			steps := out
			if asJSON {
				steps = cmd.ErrOrStderr() // stdout holds the JSON alone
			}
			rep, err := scenario.Run(cmd.Context(), s, scenario.Options{Dir: d, Out: steps, RunID: runID})
			if err != nil {
				err = fmt.Errorf("%w (node logs: `interlink testnet logs NODE --dir %s`)", err, d)
			}
			if asJSON {
				res := testnetRunJSON{Scenario: s.Name, Passed: err == nil}
				if rep != nil {
					sum := rep.Summary()
					res.Measurements = &sum
				}
				if err != nil {
					res.Error = err.Error()
				}
				if perr := printJSON(out, res); perr != nil {
					return perr
				}
				return err
			}
			if rep != nil {
				rep.Write(out)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "scenario %s passed\n", s.Name)
			return nil
		}),
	}
	cmd.Flags().StringVar(&runID, "run-id", "", "suffix that makes this run's keys unique (default random)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outcome and measurements as JSON on stdout (the steps go to stderr)")
	return cmd
}

// testnetRunJSON is `testnet run --json`.
type testnetRunJSON struct {
	Scenario     string            `json:"scenario"`
	Passed       bool              `json:"passed"`
	Error        string            `json:"error,omitempty"`
	Measurements *scenario.Summary `json:"measurements,omitempty"`
}
