package testnet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/federation/faults"
)

// ParsePartition reads "A,B / C,D" (groups separated by "/", names by ","
// or spaces). A single group is cut off from every other node.
func ParsePartition(s string) ([][]string, error) {
	var groups [][]string
	for _, part := range strings.Split(s, "/") {
		names := strings.FieldsFunc(part, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if len(names) == 0 {
			return nil, fmt.Errorf("partition %q: an empty group (write e.g. \"a,b / c,d\")", s)
		}
		groups = append(groups, names)
	}
	return groups, nil
}

// Partition cuts the groups off from each other: every node of a group
// blocks the HTTP and gossip addresses of every node of the other groups
// (one group: of every node outside it). Nodes in no group keep their
// faults. A node that is down gets its faults when it starts.
func Partition(ctx context.Context, dir string, groups [][]string) error {
	c := NewClient()
	defer c.Close()
	_, err := Update(dir, func(s *State) error {
		groupOf := map[string]int{}
		for gi, g := range groups {
			for _, name := range g {
				if _, err := s.Node(name); err != nil {
					return err
				}
				if _, dup := groupOf[name]; dup {
					return fmt.Errorf("partition: node %s is in two groups", name)
				}
				groupOf[name] = gi
			}
		}
		if len(groups) == 1 {
			for _, n := range s.Nodes {
				if _, in := groupOf[n.Name]; !in {
					groupOf[n.Name] = 1
				}
			}
		}
		var errs []error
		for _, n := range s.Nodes {
			gi, in := groupOf[n.Name]
			if !in {
				continue
			}
			var blocked []string
			for _, o := range s.Nodes {
				if og, oin := groupOf[o.Name]; oin && og != gi {
					blocked = append(blocked, strings.TrimPrefix(o.URL, "http://"))
					if o.Gossip != "" {
						blocked = append(blocked, o.Gossip)
					}
				}
			}
			n.Faults.Partition = blocked
			errs = append(errs, applyIfRunning(ctx, s, c, n))
		}
		return errors.Join(errs...)
	})
	return err
}

// Heal clears every fault (partitions, latency, clock skew) on every node.
func Heal(ctx context.Context, dir string) error {
	c := NewClient()
	defer c.Close()
	_, err := Update(dir, func(s *State) error {
		var errs []error
		for _, n := range s.Nodes {
			n.Faults = faults.Spec{}
			errs = append(errs, applyIfRunning(ctx, s, c, n))
		}
		return errors.Join(errs...)
	})
	return err
}

// Slow adds latency before everything the node sends (0 clears it).
func Slow(ctx context.Context, dir, name string, latency time.Duration) error {
	return setOne(ctx, dir, name, func(f *faults.Spec) { f.Latency = latency.String() })
}

// ClockSkew shifts the node's clock by skew (0 clears it).
func ClockSkew(ctx context.Context, dir, name string, skew time.Duration) error {
	return setOne(ctx, dir, name, func(f *faults.Spec) {
		f.ClockSkew = skew.String()
		if skew > 0 {
			f.ClockSkew = "+" + f.ClockSkew
		}
	})
}

func setOne(ctx context.Context, dir, name string, change func(*faults.Spec)) error {
	c := NewClient()
	defer c.Close()
	return updateNode(dir, name, func(s *State, n *NodeState) error {
		next := n.Faults
		change(&next)
		if _, err := next.Parse(); err != nil {
			return err
		}
		n.Faults = next
		return applyIfRunning(ctx, s, c, n)
	})
}

// applyIfRunning applies n's faults when its process runs.
func applyIfRunning(ctx context.Context, s *State, c *Client, n *NodeState) error {
	if n.PID == 0 || !Ours(n.PID, s.Dir) {
		return nil
	}
	return applyFaults(ctx, c, n)
}

// ParseSkew reads "+10m", "-30s" or "0".
func ParseSkew(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0, fmt.Errorf("clock skew %q: write a signed duration such as +10m or -30s", s)
	}
	return d, nil
}
