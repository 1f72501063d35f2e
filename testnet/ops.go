package testnet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/federation/faults"
	"github.com/interlink-project/interlink-node/node/api"
)

// Why a node is down on purpose.
const (
	DownStopped = "stopped"
	DownKilled  = "killed"
)

// Node states that Status reports.
const (
	StateRunning  = "running"  // the process is ours and /readyz answers 200
	StateStarting = "starting" // the process is ours, not ready yet
	StateStopped  = "stopped"  // stopped on purpose (testnet stop, down)
	StateKilled   = "killed"   // killed on purpose (testnet kill)
	StateDead     = "dead"     // its process is gone, and testnet did not end it
)

// stopGrace is how long a node may take to stop after SIGTERM.
const stopGrace = 20 * time.Second

// NodeStatus is a node as Status sees it.
type NodeStatus struct {
	*NodeState
	State   string
	Trust   string // chain status, "-" without trust or when unknown
	Objects int    // -1 when unknown
	Members string // alive/known gossip members, "-" when unknown
}

// StatusOf probes every node of s.
func StatusOf(ctx context.Context, s *State, c *Client) []NodeStatus {
	out := make([]NodeStatus, len(s.Nodes))
	var wg sync.WaitGroup
	for i, n := range s.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = probe(ctx, s, c, n)
		}()
	}
	wg.Wait()
	return out
}

func probe(ctx context.Context, s *State, c *Client, n *NodeState) NodeStatus {
	ns := NodeStatus{NodeState: n, Trust: "-", Objects: -1, Members: "-"}
	switch {
	case n.PID != 0 && Ours(n.PID, s.Dir):
		ns.State = StateStarting
		if c.Ready(ctx, n) {
			ns.State = StateRunning
		}
	case n.Down == DownKilled:
		ns.State = StateKilled
	case n.Down == DownStopped:
		ns.State = StateStopped
	default:
		ns.State = StateDead
	}
	if ns.State != StateRunning {
		return ns
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if t, err := Total(ctx, c, n); err == nil {
		ns.Objects = t
	}
	if s.Trust {
		if tv, err := c.Trust(ctx, n); err == nil {
			ns.Trust = tv.Chain.Status
		}
	}
	if s.Gossip {
		if tok, err := n.Token(); err == nil {
			var ms api.Members
			if _, err := c.Do(ctx, http.MethodGet, n.URL+"/api/v1/members", tok, nil, &ms); err == nil {
				alive := 0
				for _, m := range ms.Items {
					if m.Status == "alive" {
						alive++
					}
				}
				ns.Members = fmt.Sprintf("%d/%d", alive, len(ms.Items))
			}
		}
	}
	return ns
}

// Down stops every node process of the federation in dir, by pid, after
// checking each is ours; then any node process of dir that the state lost
// (an interrupted up). It stops nothing else.
func Down(ctx context.Context, dir string) (int, error) {
	abs, err := AbsDir(dir)
	if err != nil {
		return 0, err
	}
	stopped := 0
	var mu sync.Mutex
	_, err = Update(abs, func(s *State) error {
		var wg sync.WaitGroup
		errs := make([]error, len(s.Nodes))
		for i, n := range s.Nodes {
			if n.PID == 0 {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := StopProcess(ctx, n.PID, abs, stopGrace)
				if err == nil || errors.Is(err, ErrNotOurs) {
					if err == nil {
						mu.Lock()
						stopped++
						mu.Unlock()
					}
					n.PID, n.Down = 0, DownStopped
				}
				if err != nil {
					errs[i] = fmt.Errorf("node %s: %w", n.Name, err)
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	})
	// Node processes of this directory that the state does not know.
	for _, pid := range strayNodes(abs) {
		if err2 := StopProcess(ctx, pid, abs, stopGrace); err2 == nil {
			stopped++
		} else {
			err = errors.Join(err, err2)
		}
	}
	return stopped, err
}

// strayNodes lists the pids of live `serve` processes whose configuration
// lies under dir/nodes/.
func strayNodes(dir string) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	marker := filepath.Join(dir, nodesDir) + string(filepath.Separator)
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		pi := readProc(pid)
		if pi.exists && !pi.zombie && strings.Contains(pi.cmdline, " serve ") && strings.Contains(pi.cmdline, "--config "+marker) {
			out = append(out, pid)
		}
	}
	return out
}

// Kill sends SIGKILL to the node.
func Kill(ctx context.Context, dir, name string) error {
	return takeDown(dir, name, DownKilled, "kill", func(pid int, stateDir string) error {
		return KillProcess(ctx, pid, stateDir)
	})
}

// Stop stops the node gracefully (SIGTERM, then SIGKILL after 20 s).
func Stop(ctx context.Context, dir, name string) error {
	return takeDown(dir, name, DownStopped, "stop", func(pid int, stateDir string) error {
		return StopProcess(ctx, pid, stateDir, stopGrace)
	})
}

// takeDown ends the running node name's process with end (verb names it in
// an error) and records it as down for the reason down.
func takeDown(dir, name, down, verb string, end func(pid int, stateDir string) error) error {
	return updateNode(dir, name, func(s *State, n *NodeState) error {
		if n.PID == 0 {
			return fmt.Errorf("node %s is not running (%s)", name, orDash(n.Down))
		}
		if err := end(n.PID, s.Dir); err != nil {
			return fmt.Errorf("%s node %s: %w", verb, name, err)
		}
		n.PID, n.Down = 0, down
		return nil
	})
}

// Start starts a stopped or killed node with its configuration, waits until
// it is ready and puts its faults back.
func Start(ctx context.Context, dir, name string) error {
	c := NewClient()
	defer c.Close()
	return updateNode(dir, name, func(s *State, n *NodeState) error {
		if n.PID != 0 && Ours(n.PID, s.Dir) {
			return fmt.Errorf("node %s already runs (pid %d)", name, n.PID)
		}
		if err := startNode(ctx, s, n, c, 60*time.Second); err != nil {
			return err
		}
		if !isZero(n.Faults) {
			return applyFaults(ctx, c, n)
		}
		return nil
	})
}

func isZero(f faults.Spec) bool {
	return len(f.Partition) == 0 && (f.Latency == "" || f.Latency == "0s") && (f.ClockSkew == "" || f.ClockSkew == "0s")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// applyFaults puts n.Faults in force on the running node.
func applyFaults(ctx context.Context, c *Client, n *NodeState) error {
	tok, err := n.Token()
	if err != nil {
		return err
	}
	spec := n.Faults
	if spec.Partition == nil {
		spec.Partition = []string{}
	}
	if _, err := c.Do(ctx, http.MethodPut, n.URL+"/api/v1/testing/faults", tok, spec, nil); err != nil {
		return fmt.Errorf("set the faults of node %s: %w", n.Name, err)
	}
	return nil
}
