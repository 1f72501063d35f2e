package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
)

// newExportInterlinkCmd writes the node's interlinkers, problem profiles and
// co-production schemas as an INTERLINK seed directory: the layout
// `import interlink` reads, so a catalogue can move between nodes and back
// into the INTERLINK platform.
func newExportInterlinkCmd(g *globalFlags) *cobra.Command {
	var origin string
	cmd := &cobra.Command{
		Use:   "interlink DIR [--origin URL]",
		Short: "Export the interlinkers, problem profiles and schemas as an INTERLINK seed directory",
		Long: `Export the live interlinkers, problem profiles and co-production schemas into DIR in
the INTERLINK seed layout (interlinkers/<nature>/<slug>/metadata.json and instructions.md,
problemprofiles/problemprofiles.json, schemas/<name>/metadata.json and phases/*.json).
DIR must not exist or be empty. --origin keeps only the objects of one node (its public URL).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			seed := &interlinkfmt.Seed{}
			err := withClient(cmd, g, "export interlink", func(ctx context.Context, c *client) error {
				for _, kind := range []protocol.Kind{protocol.KindProblemProfile, protocol.KindInterlinker, protocol.KindCoproductionSchema} {
					err := listObjects(ctx, c, kind, origin, func(e protocol.Entity) {
						switch v := e.(type) {
						case *protocol.ProblemProfile:
							seed.ProblemProfiles = append(seed.ProblemProfiles, v)
						case *protocol.Interlinker:
							seed.Interlinkers = append(seed.Interlinkers, v)
						case *protocol.CoproductionSchema:
							seed.Schemas = append(seed.Schemas, v)
						}
					})
					if err != nil {
						return err
					}
				}
				return interlinkfmt.WriteSeed(args[0], seed)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %d interlinkers, %d problem profiles, %d schemas to %s\n",
				len(seed.Interlinkers), len(seed.ProblemProfiles), len(seed.Schemas), args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&origin, "origin", "", "only the objects of the node with this public URL")
	return cmd
}

// listObjects pages through GET /objects?type=kind and hands each decoded entity to fn.
func listObjects(ctx context.Context, c *client, kind protocol.Kind, origin string, fn func(protocol.Entity)) error {
	cursor := ""
	for {
		q := url.Values{"type": {string(kind)}, "limit": {"500"}}
		if origin != "" {
			q.Set("origin", origin)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items []protocol.Object `json:"items"`
			Next  string            `json:"next"`
		}
		if err := c.call(ctx, request{method: http.MethodGet, path: "/objects", query: q}, &page); err != nil {
			return err
		}
		for _, o := range page.Items {
			e, err := protocol.DecodeEntity(o.Body)
			if err != nil {
				return fmt.Errorf("object %s: %w", o.IRI, err)
			}
			fn(e)
		}
		if page.Next == "" {
			return nil
		}
		cursor = page.Next
	}
}
