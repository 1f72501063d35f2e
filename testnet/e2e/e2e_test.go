// Package e2e runs whole federations of real interlink processes: it
// builds the binary once, brings federations up with `interlink testnet
// up`, runs scenarios with `testnet run`, and checks that `testnet down`
// leaves no process behind. Longer runs (32 nodes) need -testnet.long, 64
// nodes -testnet.scale.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

var (
	long  = flag.Bool("testnet.long", false, "also run the long federations (8 and 32 synthetic nodes)")
	scale = flag.Bool("testnet.scale", false, "also run 64 nodes and an aggregator through configs/scale/scale-64.yaml")
)

// bin is the interlink binary built for the tests.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "interlink-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "interlink")
	build := exec.Command("go", "build", "-o", bin, "github.com/interlink-project/interlink-node/cmd/interlink")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the interlink binary: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// cli runs the binary and returns its output; it fails the test on a
// non-zero exit unless allowFail.
func cli(t *testing.T, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func must(t *testing.T, timeout time.Duration, args ...string) string {
	t.Helper()
	out, err := cli(t, timeout, args...)
	if err != nil {
		t.Fatalf("interlink %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// federation brings a federation up in a fresh directory and takes it down
// (checking that no process is left) when the test ends.
func federation(t *testing.T, upArgs ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tn")
	t.Cleanup(func() {
		out, err := cli(t, 2*time.Minute, "testnet", "down", "--dir", dir)
		if err != nil {
			t.Errorf("testnet down: %v\n%s", err, out)
		}
		if left := processesOf(dir); len(left) > 0 {
			t.Errorf("testnet down left processes %v", left)
		}
	})
	out, err := cli(t, 15*time.Minute, append([]string{"testnet", "up", "--dir", dir}, upArgs...)...)
	if err != nil {
		if m := missingLayer.FindString(out); m != "" {
			t.Skipf("this build cannot run the federation yet (%s): the trust and gossip layers are still being built", m)
		}
		t.Fatalf("testnet up: %v\n%s", err, out)
	}
	return dir
}

// missingLayer is what a node that lacks the trust or gossip layer says of
// its configuration.
var missingLayer = regexp.MustCompile(`field (trust|gossip) not found in type node\.Config|serves no /api/v1/trust`)

// processesOf lists live processes whose command line names dir.
func processesOf(dir string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cl, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err == nil && bytes.Contains(cl, []byte(dir)) && !bytes.Contains(stat, []byte(") Z")) {
			out = append(out, pid)
		}
	}
	return out
}

// running counts the nodes `testnet status` shows running.
func running(t *testing.T, dir string) int {
	t.Helper()
	out := must(t, time.Minute, "testnet", "status", "--dir", dir)
	return strings.Count(out, " running ")
}

// TestPlainFederation: processes, faults and the scenario runner on a
// federation without trust or gossip.
func TestPlainFederation(t *testing.T) {
	dir := federation(t, "--manifest", "testdata/plain.yaml")
	if n := running(t, dir); n != 4 {
		t.Fatalf("%d nodes running, want 4", n)
	}
	out := must(t, 3*time.Minute, "testnet", "run", "testdata/plain-faults.yaml", "--dir", dir)
	for _, want := range []string{"heal-convergence:", "0 lost, 0 duplicated of 60 acknowledged", "scenario plain-faults passed"} {
		if !strings.Contains(out, want) {
			t.Fatalf("run output lacks %q:\n%s", want, out)
		}
	}
	t.Log(out)
	// The scenario healed its faults and restarted what it killed.
	if n := running(t, dir); n != 4 {
		t.Fatalf("%d nodes running after the scenario, want 4", n)
	}
	status := must(t, time.Minute, "testnet", "status", "--dir", dir)
	if strings.Contains(status, "partition(") || strings.Contains(status, "latency") {
		t.Fatalf("faults remain after the scenario:\n%s", status)
	}

	// A failing assertion fails the run, naming the step and the nodes.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nsteps:\n  - publish: {node: mef, kind: service, as: s}\n"+
		"  - assert: {visible: {object: s, on: all, verified: true}, within: 500ms}\n"), 0o600)
	out, err := cli(t, time.Minute, "testnet", "run", bad, "--dir", dir)
	if err == nil || !strings.Contains(out, "step 2 (line 4) assert") || !strings.Contains(out, "did not hold within 500ms") ||
		!strings.Contains(out, "on reggio-emilia: ") {
		t.Fatalf("a run whose assertion fails: %v\n%s", err, out)
	}

	// Commands one by one, as an operator types them.
	must(t, time.Minute, "testnet", "stop", "varam", "--dir", dir)
	if out := must(t, time.Minute, "testnet", "status", "--dir", dir); !regexp.MustCompile(`varam .* stopped`).MatchString(out) {
		t.Fatalf("status after stop:\n%s", out)
	}
	must(t, time.Minute, "testnet", "start", "varam", "--dir", dir)
	must(t, time.Minute, "testnet", "partition", "mef", "--dir", dir)
	must(t, time.Minute, "testnet", "heal", "--dir", dir)
	if out := must(t, time.Minute, "testnet", "logs", "varam", "--lines", "5", "--dir", dir); strings.Count(out, "\n") != 5 {
		t.Fatalf("logs --lines 5 printed:\n%s", out)
	}
	if out, err := cli(t, time.Minute, "testnet", "kill", "nobody", "--dir", dir); err == nil || !strings.Contains(out, "nodes: reggio-emilia") {
		t.Fatalf("kill of an unknown node: %v\n%s", err, out)
	}
	if out, err := cli(t, time.Minute, "testnet", "up", "--dir", dir, "--manifest", "testdata/plain.yaml"); err == nil ||
		!strings.Contains(out, "already runs") {
		t.Fatalf("a second up on a running federation: %v\n%s", err, out)
	}

	// A stopped federation: up names what to do when asked for another
	// one, and starts it again, with its data, when asked for it.
	must(t, 2*time.Minute, "testnet", "down", "--dir", dir)
	if out, err := cli(t, time.Minute, "testnet", "up", "--dir", dir, "--nodes", "4"); err == nil ||
		!strings.Contains(out, "holds a stopped federation") || !strings.Contains(out, "rm -r "+dir) {
		t.Fatalf("up --nodes 4 on a stopped federation: %v\n%s", err, out)
	}
	out = must(t, 4*time.Minute, "testnet", "up", "--dir", dir, "--manifest", "testdata/plain.yaml")
	if !strings.Contains(out, "starting it again") {
		t.Fatalf("up on the stopped federation did not say it restarts it:\n%s", out)
	}
	if n := running(t, dir); n != 4 {
		t.Fatalf("%d nodes running after up on the stopped federation, want 4", n)
	}
	if out := must(t, time.Minute, "testnet", "status", "--dir", dir); !strings.Contains(out, "running") {
		t.Fatalf("status after the restart:\n%s", out)
	}
}

// TestPilotFederation: the pilots (nine processes with the three anchors)
// run every shipped scenario, as the acceptance check does.
func TestPilotFederation(t *testing.T) {
	dir := federation(t)
	if n := running(t, dir); n != 9 {
		t.Fatalf("%d nodes running, want 9", n)
	}
	files, err := filepath.Glob("../../configs/scenarios/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("scenarios: %v %v", files, err)
	}
	// As the acceptance check runs them: revocation first (it changes
	// trust, and must leave the federation whole), then every other, then
	// all of them again.
	order := []string{"../../configs/scenarios/revocation.yaml"}
	for _, f := range files {
		if b := filepath.Base(f); b != "revocation.yaml" {
			order = append(order, f)
		}
	}
	for pass := 1; pass <= 2; pass++ {
		for _, f := range order {
			out := must(t, 5*time.Minute, "testnet", "run", f, "--dir", dir)
			t.Logf("pass %d, %s:\n%s", pass, filepath.Base(f), out)
		}
	}

	// A node cut off from every other loses its chain; once healed, no
	// chain stays unverified.
	must(t, time.Minute, "testnet", "partition", "mef", "--dir", dir)
	waitTrust(t, dir, 30*time.Second, func(trust map[string]string) bool { return trust["mef"] != "verified" })
	must(t, time.Minute, "testnet", "heal", "--dir", dir)
	waitTrust(t, dir, 30*time.Second, func(trust map[string]string) bool {
		for _, v := range trust {
			if v != "verified" {
				return false
			}
		}
		return len(trust) == 9
	})
}

// waitTrust polls `testnet status --json` until ok holds for the nodes'
// chain states (by node name), or fails the test after timeout.
func waitTrust(t *testing.T, dir string, timeout time.Duration, ok func(map[string]string) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var st struct {
			Nodes []struct {
				Name  string `json:"name"`
				URL   string `json:"url"`
				Data  string `json:"data"`
				Trust string `json:"trust"`
			} `json:"nodes"`
		}
		out := must(t, time.Minute, "testnet", "status", "--json", "--dir", dir)
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("testnet status --json: %v\n%s", err, out)
		}
		trust := map[string]string{}
		for _, n := range st.Nodes {
			if n.URL == "" || n.Data == "" {
				t.Fatalf("testnet status --json gives node %q without url or data:\n%s", n.Name, out)
			}
			trust[n.Name] = n.Trust
		}
		if ok(trust) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("chains after %s: %v", timeout, trust)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestLongFederations: the publish latency on 8 and 32 synthetic nodes.
func TestLongFederations(t *testing.T) {
	if !*long {
		t.Skip("pass -testnet.long to run the 8- and 32-node federations")
	}
	for _, n := range []string{"8", "32"} {
		t.Run(n, func(t *testing.T) {
			dir := federation(t, "--nodes", n, "--timeout", "5m")
			out := must(t, 10*time.Minute, "testnet", "run", "../../configs/scenarios/publish-latency.yaml", "--dir", dir)
			t.Logf("%s nodes:\n%s", n, out)
		})
	}
}

// TestAggregator: a node marked aggregator in the manifest follows every
// other node while they follow nobody; it holds and verifies what each
// publishes, and no other node does.
func TestAggregator(t *testing.T) {
	dir := federation(t, "--manifest", "testdata/aggregator.yaml")
	var st struct {
		Nodes []struct {
			Name       string `json:"name"`
			Aggregator bool   `json:"aggregator"`
		} `json:"nodes"`
	}
	out := must(t, time.Minute, "testnet", "status", "--json", "--dir", dir)
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("testnet status --json: %v\n%s", err, out)
	}
	for _, n := range st.Nodes {
		if n.Aggregator != (n.Name == "hub") {
			t.Fatalf("node %s aggregator %v:\n%s", n.Name, n.Aggregator, out)
		}
	}
	out = must(t, 3*time.Minute, "testnet", "run", "testdata/aggregator-scenario.yaml", "--dir", dir)
	if !strings.Contains(out, "scenario aggregator-holds-everything passed") {
		t.Fatalf("run:\n%s", out)
	}
	t.Log(out)
}

// TestScale64: 64 node processes with an aggregator run the scale-64
// scenario (docs/benchmarks.md "64 nodes"; about 10 minutes).
func TestScale64(t *testing.T) {
	if !*scale {
		t.Skip("pass -testnet.scale to run 64 nodes and an aggregator")
	}
	dir := federation(t, "--nodes", "64", "--aggregator", "--timeout", "10m")
	if n := running(t, dir); n != 64 {
		t.Fatalf("%d nodes running, want 64", n)
	}
	out := must(t, 20*time.Minute, "testnet", "run", "../../configs/scale/scale-64.yaml", "--dir", dir)
	t.Log(out)
}
