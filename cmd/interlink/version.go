package main

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node"
)

// version is the CLI's version: the node software's, since they ship as one
// binary (the module version from the build information, "devel" when the
// toolchain recorded none).
var version = node.Version

// userAgent is what the CLI sends to the node.
func userAgent() string { return "interlink-cli/" + version }

// versionLine is what `interlink version` and `interlink --version` print
// after "interlink ".
func versionLine(b node.BuildInfo) string {
	return fmt.Sprintf("%s %s %s/%s", b, b.GoVersion, runtime.GOOS, runtime.GOARCH)
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision and build of this program",
		Long: `Print the module version and the VCS revision this binary was built from, as the Go
toolchain recorded them: whether the working tree had uncommitted changes ("modified"),
the commit time, and the build time when the build stamped it. A binary built without
version-control information (GOFLAGS=-buildvcs=false, or outside a checkout) says
"(devel)"; if it was compiled in a git checkout that is still there, it reads that
checkout's HEAD and says "from the source checkout; build not VCS-stamped", else
"no VCS revision recorded". --json prints the same fields (revision, revision_from).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				out := struct {
					node.BuildInfo
					OS   string `json:"os"`
					Arch string `json:"arch"`
				}{node.Build, runtime.GOOS, runtime.GOARCH}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "interlink %s\n", versionLine(node.Build))
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build information as JSON")
	return cmd
}

// buildLine is this binary's version line (`interlink --version`).
func buildLine() string { return versionLine(node.Build) }
