package testnet

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PilotsSource is the State.Manifest of the pilot federation.
const PilotsSource = "pilots (embedded configs/federation.yaml)"

// resumable reports whether up may restart the stopped federation old
// rather than refuse: the caller named no other federation (no manifest,
// or the one old was made from) and no catalogue to share out.
func resumable(old *State, o UpOptions) error {
	restart := fmt.Sprintf("run `interlink testnet up --dir %s` without --manifest, --nodes and --catalogue to start it again", old.Dir)
	afresh := fmt.Sprintf("or remove the directory (`interlink testnet down --dir %s && rm -r %s`) to start a new one", old.Dir, old.Dir)
	switch {
	case o.Manifest != nil && o.Source != old.Manifest:
		return fmt.Errorf("%s holds a stopped federation of %s, not of %s: %s, %s, or pick another --dir",
			old.Dir, old.Manifest, o.Source, restart, afresh)
	case o.Catalogue != "":
		return fmt.Errorf("%s holds a stopped federation, and --catalogue seeds a new one only: %s, %s",
			old.Dir, restart, afresh)
	}
	return nil
}

// resume starts every node of the stopped federation s again, superiors
// before their subordinates, each with its configuration, ports, data and
// faults, and waits until every trust chain is verified. On failure it
// stops what it started.
func resume(ctx context.Context, s *State, o UpOptions) error {
	s.Binary = o.Binary
	c := NewClient()
	defer c.Close()
	u := &upper{s: s, c: c, log: o.Log, o: o}
	u.logf("%s holds a stopped federation (%s, %d nodes): starting it again with its data and ports", s.Dir, s.Manifest, len(s.Nodes))
	levels, err := stateLevels(s)
	if err == nil {
		for _, names := range levels {
			if err = u.forEach(ctx, names, func(ctx context.Context, n *NodeState) error {
				if n.PID != 0 && Ours(n.PID, s.Dir) {
					return nil
				}
				n.PID = 0
				if err := startNode(ctx, s, n, c, o.ReadyTimeout); err != nil {
					return fmt.Errorf("%w (is another process using %s? see %s)", err, n.URL, n.Log)
				}
				u.logf("node %s serves again at %s (pid %d)", n.Name, n.URL, n.PID)
				if !isZero(n.Faults) {
					return applyFaults(ctx, c, n)
				}
				return nil
			}); err != nil {
				break
			}
		}
	}
	if err == nil && s.Trust {
		err = u.waitChains(ctx)
	}
	if err != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, n := range s.Nodes {
			if n.PID != 0 {
				_ = StopProcess(stopCtx, n.PID, s.Dir, 5*time.Second)
				n.PID, n.Down = 0, DownStopped
			}
		}
	}
	return errors.Join(err, s.Save())
}

// stateLevels groups the nodes of s by their depth under their anchor (the
// Superior links), in state order within a level.
func stateLevels(s *State) ([][]string, error) {
	var levels [][]string
	for _, n := range s.Nodes {
		d := 0
		for cur := n; cur.Superior != ""; d++ {
			if d > len(s.Nodes) {
				return nil, fmt.Errorf("node %s: its superiors form a loop", n.Name)
			}
			next, err := s.Node(cur.Superior)
			if err != nil {
				return nil, fmt.Errorf("node %s: %w", n.Name, err)
			}
			cur = next
		}
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], n.Name)
	}
	return levels, nil
}
