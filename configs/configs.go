// Package configs holds the pilot federation shipped with the binary: the
// node configuration templates of the pilots and their national trust
// anchors (nodes/), the federation manifest that `interlink testnet up`
// starts by default (federation.yaml), and the pilots' scenarios that
// `interlink testnet run` executes (scenarios/). They are embedded, so the
// binary works from any directory; docs/testnet.md describes the formats.
package configs

import "embed"

// FS holds federation.yaml, nodes/*.yaml and scenarios/*.yaml.
//
//go:embed federation.yaml nodes/*.yaml scenarios/*.yaml
var FS embed.FS

// Manifest is the path of the pilot federation's manifest inside FS.
const Manifest = "federation.yaml"
