package cpsv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// sharedData returns the path of a file under the project's shared data
// (../shared/data beside the repository root), or skips the test when the
// data is absent (a fresh clone has none).
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	return testenv.Data(t, filepath.FromSlash(rel))
}

func readShared(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedData(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	exampleFile = "standards/cpsv-ap/3.2.0/example-rdf_public_service.jsonld"
	contextFile = "standards/cpsv-ap/3.2.0/cpsv-ap.jsonld"
)
