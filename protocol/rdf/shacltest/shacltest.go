// Package shacltest validates RDF data against SHACL shapes in tests, with
// an independent validator: the npm package rdf-validate-shacl, run by node
// on scripts/shacl/validate.mjs (its modules installed by .ci/run with
// `npm ci --prefix scripts/shacl`). Where node or the modules are missing
// the test is skipped with a message saying so, except under CI=true, where
// it fails.
package shacltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ClassConstraint is SHACL's sh:ClassConstraintComponent.
const ClassConstraint = "http://www.w3.org/ns/shacl#ClassConstraintComponent"

// Report is the validator's report.
type Report struct {
	Conforms bool     `json:"conforms"`
	Triples  int      `json:"triples"`
	Results  []Result `json:"results"`
}

// Result is one validation result.
type Result struct {
	FocusNode      any      `json:"focusNode"`
	Path           any      `json:"path"`
	Value          any      `json:"value"`
	ValueDescribed bool     `json:"valueDescribed"`
	Severity       string   `json:"severity"`
	Constraint     string   `json:"constraint"`
	Shape          any      `json:"shape"`
	Message        []string `json:"message"`
}

func (r Result) String() string {
	return fmt.Sprintf("%v %v = %v: %s %s", r.FocusNode, r.Path, r.Value, strings.TrimPrefix(r.Constraint, "http://www.w3.org/ns/shacl#"), strings.Join(r.Message, "; "))
}

// UndescribedConcept reports whether r is a class constraint on a value the
// data names by IRI without describing it (a code-list concept such as an
// EU authority table entry): the one kind of result the tests accept.
func (r Result) UndescribedConcept() bool {
	_, isIRI := r.Value.(string)
	return r.Constraint == ClassConstraint && isIRI && !r.ValueDescribed
}

// Violations are the results other than UndescribedConcept ones.
func (rep Report) Violations() []Result {
	var out []Result
	for _, r := range rep.Results {
		if !r.UndescribedConcept() {
			out = append(out, r)
		}
	}
	return out
}

// Validate runs the validator on the shapes file and the data files
// (Turtle, .ttl, or RDF/XML, .rdf), skipping tb where it cannot run.
func Validate(tb testing.TB, shapes string, data ...string) Report {
	tb.Helper()
	script, err := scriptDir()
	if err != nil {
		unavailable(tb, err.Error())
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		unavailable(tb, "node is not installed (apt-get install nodejs)")
	}
	if _, err := os.Stat(filepath.Join(script, "node_modules", "rdf-validate-shacl")); err != nil {
		unavailable(tb, "the validator's modules are not installed: run npm ci --prefix scripts/shacl")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, append([]string{filepath.Join(script, "validate.mjs"), shapes}, data...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("the SHACL validator failed: %v\n%s", err, stderr.String())
	}
	var rep Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		tb.Fatalf("the SHACL validator's report is not JSON: %v\n%s", err, stdout.String())
	}
	return rep
}

// WriteTemp writes data to a file named name in a fresh temporary directory.
func WriteTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func unavailable(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("SHACL validation cannot run in CI: %s", why)
	}
	tb.Skipf("SHACL validation skipped: %s", why)
}

// scriptDir finds scripts/shacl beside go.mod, walking up from the
// working directory (a test runs in its package's directory).
func scriptDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "scripts", "shacl"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
