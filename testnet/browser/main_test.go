// Package browser drives the node's pages in a real browser: Debian's
// chromium through chromedp, against real interlink processes on
// 127.0.0.x, with axe-core injected into every page to fail on any WCAG
// 2.1 level A or AA violation.
//
// Outside CI the tests skip, saying what is missing, when chromium or
// axe-core (npm, installed by .ci/run into .ci/npm) is absent; with
// CI=true a missing tool fails them. With -browser.screenshots=DIR they
// also write the main pages at desktop and phone widths into DIR (the
// README's images come from `go test ./testnet/browser
// -browser.screenshots=$PWD/docs/screenshots`).
package browser

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

var screenshots = flag.String("browser.screenshots", "", "write screenshots of the main pages into this directory")

// tools are what the tests need, found once.
var tools struct {
	bin     string // the interlink binary built for the tests
	chrome  string // the browser
	axe     string // axe.min.js's source
	missing error  // why the tests cannot run
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tools.missing = findTools()
	if tools.missing != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "browser tests cannot run in CI: %v\n", tools.missing)
			return 1
		}
		return m.Run() // each test skips with the reason
	}
	dir, err := os.MkdirTemp("", "interlink-browser-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	tools.bin = filepath.Join(dir, "interlink")
	build := exec.Command("go", "build", "-o", tools.bin, "github.com/interlink-project/interlink-node/cmd/interlink")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the interlink binary: %v\n%s", err, out)
		return 1
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return code
}

// findTools looks for chromium (CHROME_PATH, else chromium or
// chromium-browser on PATH) and axe-core (AXE_CORE_JS, else
// .ci/npm/node_modules/axe-core/axe.min.js in the repository).
func findTools() error {
	chrome := os.Getenv("CHROME_PATH")
	if chrome == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				chrome = p
				break
			}
		}
	}
	if chrome == "" {
		return errors.New("no chromium on PATH (apt-get install chromium, or set CHROME_PATH)")
	}
	axe := os.Getenv("AXE_CORE_JS")
	if axe == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		axe = filepath.Join(root, ".ci", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(axe)
	if err != nil {
		return fmt.Errorf("no axe-core at %s (npm ci --prefix .ci/npm, or set AXE_CORE_JS): %w", axe, err)
	}
	tools.chrome, tools.axe = chrome, string(src)
	return nil
}

// repoRoot is the directory holding go.mod above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// needTools skips t when the browser or axe-core is missing (never in CI:
// TestMain has failed the run before).
func needTools(t *testing.T) {
	t.Helper()
	if tools.missing != nil {
		t.Skipf("browser tests skipped: %v", tools.missing)
	}
}
