package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node"
)

// version is the CLI's version: the node software's, since they ship as one binary.
const version = node.Version

// userAgent is what the CLI sends to the node.
func userAgent() string { return "interlink-cli/" + version }

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of this program",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "interlink %s (%s %s/%s)\n",
				version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
