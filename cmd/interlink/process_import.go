package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
)

// newProcessImportCmd is `interlink process import FILE`: the node verifies
// the bundle whole and keeps the process as an archive it holds read-only.
func newProcessImportCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Import a process bundle (from process export) as an archive this node holds read-only, after verifying it whole (admin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("import process: %w", err)
			}
			return withClient(cmd, g, "import process", func(ctx context.Context, c *client) error {
				var r api.ProcessImported
				if err := c.call(ctx, request{method: http.MethodPost, path: "/processes/import", body: bytes.NewReader(raw),
					contentType: mediaJSON, contentLength: int64(len(raw))}, &r); err != nil {
					return err
				}
				w := cmd.OutOrStdout()
				if r.Added == 0 {
					fmt.Fprintf(w, "held already: %s (%d changes, %s)\n", r.Process, r.Changes, r.Local)
					return nil
				}
				fmt.Fprintf(w, "imported %s: %d changes verified, %d new (%s: read-only)\n", r.Process, r.Changes, r.Added, r.Local)
				return nil
			})
		},
	}
}
