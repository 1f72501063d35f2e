package coproduction

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind (catching up
// checks signatures on goroutines of its own).
func TestMain(m *testing.M) {
	// bleve (through the catalogue) starts its analysis workers once per process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}
