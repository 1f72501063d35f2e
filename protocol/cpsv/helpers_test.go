package cpsv

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns the path of a file under the project's shared data
// (../shared/data beside the repository root), or skips the test when the
// data is absent (a fresh clone has none).
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the package directory: cannot locate ../shared/data")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s is absent (%v): skipping the test that needs it", rel, err)
	}
	return p
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
