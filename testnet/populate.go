package testnet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol"
)

// importBatch is the most objects sent in one POST /api/v1/import.
const importBatch = 200

// seed imports every node's seed data.
func (u *upper) seed(ctx context.Context) error {
	var shareTo []string
	for _, spec := range u.m.Nodes {
		if spec.Seed.Catalogue {
			shareTo = append(shareTo, spec.Name)
		}
	}
	shares, err := catalogueShares(u.o.Catalogue, shareTo)
	if err != nil {
		return err
	}
	total := 0
	err = u.forEach(ctx, u.names(), func(ctx context.Context, n *NodeState) error {
		spec, _ := u.m.Node(n.Name)
		k, err := Import(ctx, u.c, n, seedEntities(n, spec.Seed, shares[n.Name]))
		n.Seeded = k
		return err
	})
	for _, n := range u.s.Nodes {
		total += n.Seeded
	}
	if err == nil {
		u.logf("seeded %d objects over %d nodes", total, len(u.s.Nodes))
	}
	return err
}

// Import sends entities to node n's import API in batches and returns how
// many it holds of them (created, updated or unchanged).
func Import(ctx context.Context, c *Client, n *NodeState, entities []protocol.Entity) (int, error) {
	tok, err := n.Token()
	if err != nil {
		return 0, err
	}
	held := 0
	for start := 0; start < len(entities); start += importBatch {
		batch := entities[start:min(start+importBatch, len(entities))]
		objs := make([]json.RawMessage, 0, len(batch))
		for _, e := range batch {
			b, err := entityJSON(e)
			if err != nil {
				return held, err
			}
			objs = append(objs, b)
		}
		var ans struct{ Created, Updated, Unchanged int }
		if _, err := c.Do(ctx, http.MethodPost, n.URL+"/api/v1/import", tok, map[string]any{"objects": objs}, &ans); err != nil {
			return held, fmt.Errorf("seed node %s: %w", n.Name, err)
		}
		held += ans.Created + ans.Updated + ans.Unchanged
	}
	return held, nil
}

// mesh makes the follows testnet owes: with follows: mesh every node
// follows every other but the aggregators; an aggregator follows every
// other node whatever the manifest's follows.
func (u *upper) mesh(ctx context.Context) error {
	count := 0
	var mu sync.Mutex
	err := u.forEach(ctx, u.names(), func(ctx context.Context, n *NodeState) error {
		for _, o := range u.s.Nodes {
			if o.Name == n.Name || !follows(u.s.Follows, n, o) {
				continue
			}
			if err := Follow(ctx, u.c, n, o); err != nil {
				return err
			}
			mu.Lock()
			count++
			mu.Unlock()
		}
		return nil
	})
	if err == nil && count > 0 {
		u.logf("%d follows made (follows: %s%s)", count, u.s.Follows, aggregatorNote(u.s))
	}
	return err
}

// follows reports whether testnet makes n follow o (o ≠ n) in a federation
// whose manifest says mode.
func follows(mode string, n, o *NodeState) bool {
	switch {
	case n.Aggregator:
		return true
	case mode != FollowsMesh:
		return false
	default:
		return !o.Aggregator
	}
}

func aggregatorNote(s *State) string {
	var names []string
	for _, n := range s.Nodes {
		if n.Aggregator {
			names = append(names, n.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "; aggregator " + strings.Join(names, ", ") + " follows every node"
}

// expected is how many of the seeded objects node n must hold once the
// follows are made: all of them for an aggregator, and for every node when
// gossip discovery follows every member; under mesh its own and those of
// every node but the aggregators; under none its own.
func expected(s *State, n *NodeState) int {
	want := 0
	for _, o := range s.Nodes {
		if o == n || n.Aggregator || s.Follows == FollowsGossip || s.Follows == FollowsMesh && !o.Aggregator {
			want += o.Seeded
		}
	}
	return want
}

// Follow makes node n follow node target.
func Follow(ctx context.Context, c *Client, n, target *NodeState) error {
	tok, err := n.Token()
	if err != nil {
		return err
	}
	if _, err := c.Do(ctx, http.MethodPost, n.URL+"/api/v1/follows", tok, api.ActorRequest{Target: target.Actor()}, nil); err != nil {
		return fmt.Errorf("%s follows %s: %w", n.Name, target.Name, err)
	}
	return nil
}

// Total is the number of objects a node holds, from GET /api/v1/status.
func Total(ctx context.Context, c *Client, n *NodeState) (int, error) {
	var st struct {
		Counts map[string]int `json:"counts"`
	}
	if _, err := c.Do(ctx, http.MethodGet, n.URL+"/api/v1/status", "", nil, &st); err != nil {
		return 0, err
	}
	t := 0
	for _, v := range st.Counts {
		t += v
	}
	return t, nil
}

// waitCatalogue waits until every node holds the seeded objects it
// follows (expected).
func (u *upper) waitCatalogue(ctx context.Context) error {
	total := 0
	for _, n := range u.s.Nodes {
		total += n.Seeded
	}
	ctx, cancel := context.WithTimeout(ctx, u.o.ConvergeTimeout)
	defer cancel()
	start := time.Now()
	for {
		var behind []string
		for _, n := range u.s.Nodes {
			want := expected(u.s, n)
			got, err := Total(ctx, u.c, n)
			if err != nil || got < want {
				behind = append(behind, fmt.Sprintf("%s %d/%d", n.Name, got, want))
			}
		}
		if len(behind) == 0 {
			u.logf("every node holds the seeded objects it follows (%d in all; %.1fs)", total, time.Since(start).Seconds())
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the seeded catalogue did not reach every node within %s: %s", u.o.ConvergeTimeout, strings.Join(behind, ", "))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// tailFile returns the last n lines of a file, on one line.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte(" | ")))
}

// WriteLog copies the last lines of a log file to w (all when lines ≤ 0).
func WriteLog(w io.Writer, path string, lines int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("node log: %w", err)
	}
	if lines > 0 {
		all := bytes.SplitAfter(b, []byte("\n"))
		if len(all) > 0 && len(all[len(all)-1]) == 0 {
			all = all[:len(all)-1]
		}
		if len(all) > lines {
			all = all[len(all)-lines:]
		}
		b = bytes.Join(all, nil)
	}
	_, err = w.Write(b)
	return err
}
