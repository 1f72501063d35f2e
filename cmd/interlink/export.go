package main

import (
	"github.com/spf13/cobra"
)

func newExportCmd(g *globalFlags) *cobra.Command {
	return newGroupCmd("export", "Export the node's catalogue in a standard format",
		newExportCPSVCmd(g),
		newExportPubliccodeCmd(g),
		newExportDCATCmd(g),
		newExportInterlinkCmd(g))
}
