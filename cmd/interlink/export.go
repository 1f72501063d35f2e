package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/spf13/cobra"
)

func newExportCmd(g *globalFlags) *cobra.Command {
	return newGroupCmd("export", "Export the node's catalogue in a standard format",
		newExportDocCmd(g, "cpsv", "CPSV-AP 3.2.0 JSON-LD of every public service and organisation", "/export/cpsv", mediaJSONLD),
		newExportInterlinkCmd(g))
}

func newExportDocCmd(g *globalFlags, name, what, path, accept string) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   name + " [--out FILE]",
		Short: "Export " + what,
		Long: "Export " + what + ` to stdout, or to FILE with --out.
FILE is replaced atomically: it holds either its old content or the whole export.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" || out == "-" {
				return withClient(cmd, g, "export "+name, func(ctx context.Context, c *client) error {
					return exportTo(ctx, c, path, accept, cmd.OutOrStdout())
				})
			}
			return withClient(cmd, g, "export "+name+" to "+out, func(ctx context.Context, c *client) error {
				return writeFileAtomic(out, 0o644, func(w io.Writer) error { return exportTo(ctx, c, path, accept, w) })
			})
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to FILE instead of stdout")
	return cmd
}

// exportTo streams the answer of GET path into w.
func exportTo(ctx context.Context, c *client, path, accept string, w io.Writer) error {
	resp, err := c.open(ctx, request{method: http.MethodGet, path: path, accept: accept})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("copy the answer of GET %s%s: %w", apiPrefix, path, err)
	}
	return nil
}
