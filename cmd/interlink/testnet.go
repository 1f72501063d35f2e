package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/testnet"
)

// defaultTestnetDir is where testnet commands keep a federation by default.
const (
	defaultTestnetDir = "./interlink-testnet"
	envTestnetDir     = "INTERLINK_TESTNET_DIR"
)

// newTestnetCmd groups the local test federation's commands (docs/testnet.md).
func newTestnetCmd() *cobra.Command {
	var dir string
	c := newGroupCmd("testnet", "Run a whole federation on this machine, inject faults, run scenarios",
		newTestnetUpCmd(&dir), newTestnetStatusCmd(&dir), newTestnetLogsCmd(&dir), newTestnetDownCmd(&dir),
		newTestnetNodeCmd(&dir, "kill", "Kill a node with SIGKILL", testnet.Kill),
		newTestnetNodeCmd(&dir, "stop", "Stop a node gracefully (SIGTERM)", testnet.Stop),
		newTestnetNodeCmd(&dir, "start", "Start a stopped or killed node again", testnet.Start),
		newTestnetPartitionCmd(&dir), newTestnetHealCmd(&dir), newTestnetSlowCmd(&dir), newTestnetSkewCmd(&dir),
		newTestnetRunCmd(&dir))
	c.Long = `testnet starts real interlink nodes (this binary's "serve") on 127.0.0.x hosts from a
federation manifest, enrols them with their trust anchors, joins them to gossip, seeds their
data, and injects faults: kill, stop, start, partition, heal, slow, clock-skew. Scenarios
(YAML) drive and check it and print measurements. State lives in DIR/testnet.json.

The directory is --dir, else ` + envTestnetDir + `, else ` + defaultTestnetDir + `.`
	c.PersistentFlags().StringVar(&dir, "dir", "", "the testnet directory (env "+envTestnetDir+"; default "+defaultTestnetDir+")")
	return c
}

// testnetDir resolves --dir > INTERLINK_TESTNET_DIR > the default.
func testnetDir(flag string) (string, error) {
	d := flag
	if d == "" {
		d = os.Getenv(envTestnetDir)
	}
	if d == "" {
		d = defaultTestnetDir
	}
	return testnet.AbsDir(d)
}

// inTestnet makes a testnet command's RunE: run, given the testnet
// directory (testnetDir).
func inTestnet(dir *string, run func(cmd *cobra.Command, args []string, d string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		d, err := testnetDir(*dir)
		if err != nil {
			return err
		}
		return run(cmd, args, d)
	}
}

func newTestnetUpCmd(dir *string) *cobra.Command {
	var manifest, catalogue string
	var nodes int
	var timeout time.Duration
	var aggregator bool
	cmd := &cobra.Command{
		Use:   "up [--manifest FILE | --nodes N] [--aggregator] [--catalogue DIR] [--dir DIR]",
		Short: "Start a federation: the pilots by default, or N synthetic nodes",
		Args:  cobra.NoArgs,
		RunE: inTestnet(dir, func(cmd *cobra.Command, _ []string, d string) error {
			var m *testnet.Manifest
			var err error
			source := ""
			switch {
			case manifest != "" && nodes > 0:
				return usageErrorf("--manifest and --nodes exclude each other")
			case manifest != "":
				abs, err := filepath.Abs(manifest)
				if err != nil {
					return err
				}
				m, err = testnet.LoadManifest(os.DirFS(filepath.Dir(abs)), filepath.Base(abs))
				if err != nil {
					return fmt.Errorf("%w (fix the manifest; docs/testnet.md describes it)", err)
				}
				source = abs
			case nodes > 0 && aggregator:
				// N counts the aggregator: N-1 synthetic nodes and it.
				if m, err = testnet.Synthetic(nodes - 1); err != nil {
					return usageErrorf("%v (with --aggregator, --nodes counts it too)", err)
				}
				source = fmt.Sprintf("synthetic, %d nodes", nodes)
			case nodes > 0:
				if m, err = testnet.Synthetic(nodes); err != nil {
					return usageErrorf("%v", err)
				}
				source = fmt.Sprintf("synthetic, %d nodes", nodes)
			case aggregator:
				if m, err = testnet.Pilots(); err != nil {
					return err
				}
				source = testnet.PilotsSource
			default:
				// The pilots, or the stopped federation the directory holds.
			}
			if aggregator {
				if err := m.AddAggregator(); err != nil {
					return usageErrorf("--aggregator: %v", err)
				}
				source += ", with an aggregator"
			}
			out := cmd.OutOrStdout()
			s, err := testnet.Up(cmd.Context(), testnet.UpOptions{Dir: d, Manifest: m, Source: source, Catalogue: catalogue,
				ConvergeTimeout: timeout, Log: cmd.ErrOrStderr()})
			if err != nil {
				return fmt.Errorf("testnet up: %w (node logs: %s/nodes/NAME/node.log; clean up with `interlink testnet down --dir %s`)", err, d, d)
			}
			c := testnet.NewClient()
			defer c.Close()
			if err := writeTestnetTable(out, testnet.StatusOf(cmd.Context(), s, c)); err != nil {
				return err
			}
			fmt.Fprintf(out, "\n%d nodes up; state in %s; stop them with `interlink testnet down --dir %s`\n",
				len(s.Nodes), filepath.Join(d, testnet.StateFile), d)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&manifest, "manifest", "", "federation manifest (default: the pilots, embedded)")
	f.IntVar(&nodes, "nodes", 0, "start a synthetic federation of N nodes (three anchors and N-3 leaves) instead")
	f.BoolVar(&aggregator, "aggregator", false, "add a node called aggregator that follows every other node (docs/testnet.md)")
	f.StringVar(&catalogue, "catalogue", "", "an INTERLINK seed directory whose interlinkers are shared out among the nodes")
	f.DurationVar(&timeout, "timeout", 2*time.Minute, "how long to wait for trust chains and for the seeded data to reach every node")
	return cmd
}

func newTestnetStatusCmd(dir *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show every node: country, role, URL, state, trust, objects, gossip members",
		Long: `Show every node of the federation: country, role, URL, state (running, starting,
stopped, killed, dead), pid, trust chain, objects, gossip members and faults. --json
prints {"dir", "manifest", "nodes": [{"name", "url", "data", "token_file", "state", ...}]}:
a node's admin token is in its token_file (DATA/local-credential).`,
		Args: cobra.NoArgs,
		RunE: inTestnet(dir, func(cmd *cobra.Command, _ []string, d string) error {
			s, err := testnet.LoadState(d)
			if err != nil {
				return err
			}
			c := testnet.NewClient()
			defer c.Close()
			st := testnet.StatusOf(cmd.Context(), s, c)
			if asJSON {
				return printJSON(cmd.OutOrStdout(), testnetStatusJSON(s, st))
			}
			return writeTestnetTable(cmd.OutOrStdout(), st)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the federation as JSON")
	return cmd
}

func newTestnetLogsCmd(dir *string) *cobra.Command {
	var lines int
	cmd := &cobra.Command{
		Use:   "logs NODE [--lines N]",
		Short: "Print the last lines of a node's log",
		Args:  cobra.ExactArgs(1),
		RunE: inTestnet(dir, func(cmd *cobra.Command, args []string, d string) error {
			s, err := testnet.LoadState(d)
			if err != nil {
				return err
			}
			n, err := s.Node(args[0])
			if err != nil {
				return err
			}
			return testnet.WriteLog(cmd.OutOrStdout(), n.Log, lines)
		}),
	}
	cmd.Flags().IntVar(&lines, "lines", 100, "how many of the last lines (0: all)")
	return cmd
}

func newTestnetDownCmd(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Stop every node process the federation started (by pid), and nothing else",
		Args:  cobra.NoArgs,
		RunE: inTestnet(dir, func(cmd *cobra.Command, _ []string, d string) error {
			n, err := testnet.Down(cmd.Context(), d)
			if err != nil {
				return fmt.Errorf("testnet down: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stopped %d node processes of %s\n", n, d)
			return nil
		}),
	}
}
