package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

func TestMain(m *testing.M) {
	// bleve (linked in through serve and package node) starts its analysis
	// workers when the package is initialised, not in any test.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

// cliResult is what one run of the CLI printed and returned.
type cliResult struct {
	stdout, stderr string
	code           int
}

// isolate clears the CLI's environment variables and returns a fresh data
// directory. Tests that call it must not run in parallel (t.Setenv).
func isolate(t *testing.T) string {
	t.Helper()
	for _, k := range []string{envData, envServer, envToken} {
		t.Setenv(k, "")
	}
	return t.TempDir()
}

// runCLI runs the CLI through newRootCmd with args and stdin.
func runCLI(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), newRootCmd(), args, strings.NewReader(stdin), &out, &errb)
	return cliResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// mustRun runs the CLI and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) cliResult {
	t.Helper()
	r := runCLI(t, "", args...)
	if r.code != exitOK {
		t.Fatalf("interlink %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// writeDataFile writes a file of the node's data directory.
func writeDataFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// sharedData locates ../shared/data beside the repository, or skips the test.
func sharedData(t testing.TB) string {
	t.Helper()
	return testenv.Data(t)
}

// readAllString reads a file or fails the test.
func readAllString(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
