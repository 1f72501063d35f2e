package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// The media types of the CPSV-AP export, by --format.
var cpsvFormats = map[string]string{
	"jsonld": mediaJSONLD,
	"turtle": "text/turtle",
	"rdfxml": "application/rdf+xml",
}

// newExportCPSVCmd exports the public services and organisations as
// CPSV-AP 3.2.0 in the format --format names (the node answers by Accept).
func newExportCPSVCmd(g *globalFlags) *cobra.Command {
	var out, format string
	cmd := &cobra.Command{
		Use:   "cpsv [--format jsonld|turtle|rdfxml] [--out FILE]",
		Short: "Export every public service and organisation as CPSV-AP 3.2.0",
		Long: `Export every live public service and organisation as CPSV-AP 3.2.0: JSON-LD (the
default), Turtle or RDF/XML, to stdout or to FILE with --out. FILE is replaced
atomically: it holds either its old content or the whole export.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			accept, ok := cpsvFormats[strings.ToLower(format)]
			if !ok {
				return fmt.Errorf("export cpsv: --format %q: use jsonld, turtle or rdfxml", format)
			}
			return exportRequest(cmd, g, "export cpsv", out, request{method: http.MethodGet, path: "/export/cpsv", accept: accept})
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to FILE instead of stdout")
	cmd.Flags().StringVarP(&format, "format", "f", "jsonld", "jsonld, turtle or rdfxml")
	return cmd
}

// newExportDCATCmd exports one page of the DCAT-AP catalogue.
func newExportDCATCmd(g *globalFlags) *cobra.Command {
	var out, format string
	var page int
	cmd := &cobra.Command{
		Use:   "dcat [--page N] [--format jsonld|turtle|rdfxml] [--out FILE]",
		Short: "Export a page of the DCAT-AP catalogue that harvesters read at /catalog",
		Long: `Export page N (from 1) of the node's DCAT-AP catalogue: its interlinkers as ADMS-AP
assets and its public services as CPSV-AP, 100 a page with Hydra paging links; the
same document harvesters read at {public-url}/catalog?page=N.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			accept, ok := cpsvFormats[strings.ToLower(format)]
			if !ok {
				return fmt.Errorf("export dcat: --format %q: use jsonld, turtle or rdfxml", format)
			}
			if page < 1 {
				return fmt.Errorf("export dcat: --page %d: pages are numbered from 1", page)
			}
			return exportRequest(cmd, g, "export dcat", out, request{method: http.MethodGet, path: "/export/dcat",
				query: url.Values{"page": {strconv.Itoa(page)}}, accept: accept})
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to FILE instead of stdout")
	cmd.Flags().StringVarP(&format, "format", "f", "turtle", "jsonld, turtle or rdfxml")
	cmd.Flags().IntVar(&page, "page", 1, "the page, from 1")
	return cmd
}

// newExportPubliccodeCmd exports one software interlinker as publiccode.yml.
func newExportPubliccodeCmd(g *globalFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "publiccode ID|IRI [--out FILE]",
		Short: "Export a software interlinker as publiccode.yml",
		Long: `Export the software interlinker ID (or IRI) as a publiccode.yml 0.7 document, to
stdout or to FILE with --out (replaced atomically). Another node imports it
with 'interlink import publiccode FILE'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref := args[0]
			r := request{method: http.MethodGet, accept: mediaYAML}
			if strings.Contains(ref, "://") {
				r.path, r.query = "/object/publiccode.yml", url.Values{"iri": {ref}}
			} else {
				r.path = "/objects/" + url.PathEscape(ref) + "/publiccode.yml"
			}
			return exportRequest(cmd, g, "export publiccode "+ref, out, r)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to FILE instead of stdout")
	return cmd
}

// exportRequest writes the answer of r to stdout, or atomically to out.
func exportRequest(cmd *cobra.Command, g *globalFlags, what, out string, r request) error {
	copyTo := func(ctx context.Context, c *client, w io.Writer) error {
		resp, err := c.open(ctx, r)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(w, resp.Body); err != nil {
			return fmt.Errorf("copy the answer of GET %s%s: %w", apiPrefix, r.path, err)
		}
		return nil
	}
	if out == "" || out == "-" {
		return withClient(cmd, g, what, func(ctx context.Context, c *client) error { return copyTo(ctx, c, cmd.OutOrStdout()) })
	}
	return withClient(cmd, g, what+" to "+out, func(ctx context.Context, c *client) error {
		return writeFileAtomic(out, 0o644, func(w io.Writer) error { return copyTo(ctx, c, w) })
	})
}

// cpsvMediaType is the media type of a CPSV-AP file: Turtle for .ttl, JSON-LD
// for .jsonld and .json; otherwise (stdin included) JSON-LD unless the
// content starts like something else (Turtle).
func cpsvMediaType(file string, body []byte) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".ttl", ".turtle":
		return cpsvFormats["turtle"]
	case ".jsonld", ".json":
		return mediaJSONLD
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff"); len(trimmed) > 0 && trimmed[0] != '{' && trimmed[0] != '[' {
		return cpsvFormats["turtle"]
	}
	return mediaJSONLD
}
