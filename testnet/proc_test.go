package testnet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv("TESTNET_HELPER_SLEEP") != "" {
		// A stand-in node process: it runs until signalled; with
		// TESTNET_HELPER_IGNORE_TERM it ignores SIGTERM.
		if os.Getenv("TESTNET_HELPER_IGNORE_TERM") != "" {
			signalIgnoreTerm()
		}
		if err := os.WriteFile(os.Getenv("TESTNET_HELPER_READY"), nil, 0o600); err != nil {
			os.Exit(3)
		}
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// helper starts the test binary as a stand-in process whose command line
// carries args.
func helper(t *testing.T, ignoreTerm bool, args ...string) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if ignoreTerm {
		t.Setenv("TESTNET_HELPER_IGNORE_TERM", "1")
	}
	t.Setenv("TESTNET_HELPER_SLEEP", "1")
	ready := filepath.Join(t.TempDir(), "ready")
	t.Setenv("TESTNET_HELPER_READY", ready)
	pid, err := startProcess(exe, append([]string{"-test.run=^$"}, args...), filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL); waitGone(context.Background(), pid) })
	deadline := time.Now().Add(5 * time.Second)
	for _, err := os.Stat(ready); err != nil; _, err = os.Stat(ready) {
		if time.Now().After(deadline) {
			t.Fatal("helper did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return pid
}

func TestStopOnlyOurs(t *testing.T) {
	dir := t.TempDir()
	ours := helper(t, false, "serve", "--data", filepath.Join(dir, "nodes", "a"))
	stubborn := helper(t, true, "serve", "--data", filepath.Join(dir, "nodes", "b"))
	foreign := helper(t, false, "serve", "--data", "/elsewhere")
	if !Ours(ours, dir) || Ours(foreign, dir) {
		t.Fatal("Ours misjudges the command lines")
	}
	ctx := context.Background()
	if err := StopProcess(ctx, foreign, dir, time.Second); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("stopping a foreign process: %v, want ErrNotOurs", err)
	}
	if err := KillProcess(ctx, foreign, dir); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("killing a foreign process: %v, want ErrNotOurs", err)
	}
	if !readProc(foreign).exists {
		t.Fatal("the foreign process was signalled")
	}
	if err := StopProcess(ctx, ours, dir, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := StopProcess(ctx, stubborn, dir, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 300*time.Millisecond || Ours(stubborn, dir) {
		t.Fatal("a process ignoring SIGTERM must get SIGKILL after the grace period")
	}
	if Ours(ours, dir) {
		t.Fatal("our process still runs")
	}
	// Gone already: not an error.
	if err := StopProcess(ctx, ours, dir, time.Second); err != nil {
		t.Fatalf("stopping a gone process: %v", err)
	}
}

// TestDownStopsOnlyItsPIDs: down stops the recorded node processes and a
// node process of its directory the state lost, and leaves alone a process
// whose pid the state records but which is not its own (a reused pid).
func TestDownStopsOnlyItsPIDs(t *testing.T) {
	dir := t.TempDir()
	cfgA := filepath.Join(dir, nodesDir, "a", "config.yaml")
	a := helper(t, false, "serve", "--config", cfgA)
	stray := helper(t, false, "serve", "--config", filepath.Join(dir, nodesDir, "lost", "config.yaml"))
	foreign := helper(t, false, "serve", "--config", "/elsewhere/config.yaml")
	s := &State{Dir: dir, Nodes: []*NodeState{{Name: "a", PID: a}, {Name: "reused", PID: foreign}, {Name: "b", Down: DownKilled}}}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	n, err := Down(context.Background(), dir)
	if !errors.Is(err, ErrNotOurs) {
		t.Fatalf("down: %v, want it to report the foreign pid", err)
	}
	if n != 2 {
		t.Fatalf("down stopped %d processes, want 2 (the node and the stray one)", n)
	}
	if Ours(a, dir) || readProc(stray).exists && !readProc(stray).zombie {
		t.Fatal("down left a node process of its directory")
	}
	if pi := readProc(foreign); !pi.exists || pi.zombie {
		t.Fatal("down signalled a process that is not its own")
	}
	after, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if after.Nodes[0].PID != 0 || after.Nodes[0].Down != DownStopped || after.Nodes[1].PID != 0 {
		t.Fatalf("state after down: %+v %+v", after.Nodes[0], after.Nodes[1])
	}
}

func TestStateRoundTripAndLock(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadState(dir); err == nil || !strings.Contains(err.Error(), "testnet up") {
		t.Fatalf("no state: %v", err)
	}
	s := &State{Dir: dir, Nodes: []*NodeState{{Name: "a", URL: "http://127.0.0.10:1"}}}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	got, err := Update(dir, func(s *State) error {
		n, err := s.Node("a")
		if err != nil {
			return err
		}
		n.PID = 42
		return nil
	})
	if err != nil || got.Nodes[0].PID != 42 {
		t.Fatalf("update: %v", err)
	}
	if _, err := got.Node("zz"); err == nil || !strings.Contains(err.Error(), "nodes: a") {
		t.Fatalf("unknown node: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, StateFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged state: %v", err)
	}
}

func TestParsePartitionAndSkew(t *testing.T) {
	g, err := ParsePartition("a,b / c, d")
	if err != nil || len(g) != 2 || strings.Join(g[0], ",") != "a,b" || strings.Join(g[1], ",") != "c,d" {
		t.Fatalf("%v %v", g, err)
	}
	if _, err := ParsePartition("a, / "); err == nil {
		t.Fatal("an empty group was accepted")
	}
	for in, want := range map[string]time.Duration{"+10m": 10 * time.Minute, "-30s": -30 * time.Second, "0": 0} {
		if d, err := ParseSkew(in); err != nil || d != want {
			t.Fatalf("ParseSkew(%q) = %v, %v", in, d, err)
		}
	}
	if _, err := ParseSkew("soon"); err == nil {
		t.Fatal("a bad skew was accepted")
	}
}

// TestWaitReadyExited: a node process that is gone has exited at start; one
// that runs but whose command line does not name the directory (read while
// it was starting, on a loaded machine) is waited for until the timeout.
func TestWaitReadyExited(t *testing.T) {
	c := NewClient()
	defer c.Close()
	dir := t.TempDir()
	unreachable := &NodeState{Name: "n", URL: "http://127.0.0.1:1", Log: filepath.Join(dir, "node.log")}

	alive := *unreachable
	alive.PID = helper(t, false, "--not-the-dir")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := c.waitReady(ctx, &alive, dir); err == nil || !strings.Contains(err.Error(), "not ready") {
		t.Fatalf("a live process whose command line does not name the directory: %v, want a timeout", err)
	}

	gone := *unreachable
	gone.PID = helper(t, false, dir)
	if err := syscall.Kill(gone.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(context.Background(), gone.PID)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := c.waitReady(ctx2, &gone, dir); err == nil || !strings.Contains(err.Error(), "exited at start") {
		t.Fatalf("a process that is gone: %v", err)
	}
}
