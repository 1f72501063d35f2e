// Package testenv locates the project's shared reference data for tests and
// benchmarks: the real INTERLINK catalogue and the official CPSV-AP and
// publiccode.yml examples live in ../shared/data beside the repository, are
// never copied into it, and are absent from a user's fresh clone.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// DataDir returns the shared data directory: ../shared/data beside the
// directory holding go.mod, found by walking up from the working directory
// (a test runs in its package's directory).
func DataDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
	data := filepath.Join(filepath.Dir(dir), "shared", "data")
	if _, err := os.Stat(data); err != nil {
		return "", fmt.Errorf("%s is absent: %w", data, err)
	}
	return data, nil
}

// Data returns the path of rel under the shared data directory, or skips tb
// with a message saying what is missing.
func Data(tb testing.TB, rel ...string) string {
	tb.Helper()
	dir, err := DataDir()
	if err != nil {
		tb.Skipf("the shared reference data is not available (%v): this test needs ../shared/data beside the repository", err)
	}
	p := filepath.Join(append([]string{dir}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data %s is absent (%v)", p, err)
	}
	return p
}
