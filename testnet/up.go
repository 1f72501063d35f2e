package testnet

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
)

// UpOptions configure Up.
type UpOptions struct {
	Dir string // the testnet directory (created)
	// Manifest is the federation; nil: the pilots, or the federation the
	// directory holds (stopped), which Up then starts again.
	Manifest  *Manifest
	Source    string // where the manifest came from, for the state
	Binary    string // the interlink binary; default os.Executable()
	Catalogue string // an INTERLINK seed directory to share out, or ""
	// ReadyTimeout bounds each node's start; ConvergeTimeout the wait for
	// trust chains and for the seeded catalogue to reach every node.
	ReadyTimeout    time.Duration
	ConvergeTimeout time.Duration
	Log             io.Writer // progress lines; nil for none
}

// Up starts the federation of o.Manifest in o.Dir: anchors first (their
// pins are read from /api/v1/trust and written into every configuration),
// then intermediates, then leaves, each enrolled with its superior; it seeds
// their data, makes them follow each other, and waits until every node
// holds the whole seeded catalogue. On failure it stops what it started.
//
// A directory whose federation was stopped (`testnet down`) is started
// again with its data, ports and faults, when o names no other federation;
// otherwise Up says exactly what to do.
func Up(ctx context.Context, o UpOptions) (*State, error) {
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	if o.ConvergeTimeout <= 0 {
		o.ConvergeTimeout = 120 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir, err := AbsDir(o.Dir)
	if err != nil {
		return nil, err
	}
	if o.Binary == "" {
		if o.Binary, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find the interlink binary: %w", err)
		}
	}
	unlock, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if old, err := LoadState(dir); err == nil {
		for _, n := range old.Nodes {
			if Ours(n.PID, dir) {
				return nil, fmt.Errorf("a federation already runs in %s (node %s, pid %d): run `interlink testnet down --dir %s` first",
					dir, n.Name, n.PID, dir)
			}
		}
		// Its nodes' data (keys, identities on their ports) fits only the
		// federation it was made for: start that one again, or say how to
		// start afresh.
		if err := resumable(old, o); err != nil {
			return nil, err
		}
		return old, resume(ctx, old, o)
	}
	if o.Manifest == nil {
		if o.Manifest, err = Pilots(); err != nil {
			return nil, err
		}
		o.Source = PilotsSource
	}
	s, err := newState(dir, o)
	if err != nil {
		return nil, err
	}
	u := &upper{s: s, m: o.Manifest, c: NewClient(), log: o.Log, o: o}
	defer u.c.Close()
	if err := u.run(ctx); err != nil {
		_ = s.Save()
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, n := range s.Nodes {
			if n.PID != 0 {
				_ = StopProcess(stopCtx, n.PID, dir, 5*time.Second)
				n.PID, n.Down = 0, DownStopped
			}
		}
		_ = s.Save()
		return s, err
	}
	return s, s.Save()
}

// newState lays out the directory and gives every node its host and ports.
func newState(dir string, o UpOptions) (*State, error) {
	m := o.Manifest
	s := &State{Dir: dir, Manifest: o.Source, Binary: o.Binary, Created: time.Now().UTC(),
		Trust: m.TrustOn(), Gossip: m.GossipOn(), Follows: m.Follows}
	if s.Gossip {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("gossip keyring: %w", err)
		}
		s.Keyring = []string{base64.StdEncoding.EncodeToString(key)}
	}
	for i := range m.Nodes {
		spec := &m.Nodes[i]
		host := hostFor(i)
		port, err := freePort(host, false)
		if err != nil {
			return nil, err
		}
		nd := filepath.Join(dir, nodesDir, spec.Name)
		if err := os.MkdirAll(nd, 0o700); err != nil {
			return nil, fmt.Errorf("node %s: %w", spec.Name, err)
		}
		n := &NodeState{Name: spec.Name, Role: spec.Role, Superior: spec.Superior, Aggregator: spec.Aggregator,
			Host: host, Port: port,
			URL:         "http://" + host + ":" + strconv.Itoa(port),
			DisplayName: stringOf(spec.Template, "name", spec.Name),
			Country:     stringOf(spec.Template, "country", ""),
			OrgKind:     stringOf(spec.Template, "org_kind", "public_administration"),
			Data:        filepath.Join(nd, "data"), Config: filepath.Join(nd, "config.yaml"), Log: filepath.Join(nd, "node.log")}
		if s.Trust {
			n.Anchor = m.anchorOf(spec.Name)
		}
		if s.Gossip {
			gp, err := freePort(host, true)
			if err != nil {
				return nil, err
			}
			n.Gossip = host + ":" + strconv.Itoa(gp)
		}
		s.Nodes = append(s.Nodes, n)
	}
	return s, nil
}

type upper struct {
	s   *State
	m   *Manifest
	c   *Client
	log io.Writer
	o   UpOptions
}

func (u *upper) logf(format string, args ...any) { fmt.Fprintf(u.log, format+"\n", args...) }

func (u *upper) run(ctx context.Context) error {
	levels, err := u.levels()
	if err != nil {
		return err
	}
	for d, names := range levels {
		if err := u.startLevel(ctx, d, names); err != nil {
			return err
		}
	}
	if u.s.Trust {
		if err := u.waitChains(ctx); err != nil {
			return err
		}
	}
	if err := u.seed(ctx); err != nil {
		return err
	}
	if err := u.mesh(ctx); err != nil {
		return err
	}
	return u.waitCatalogue(ctx)
}

// levels groups the nodes by their depth under their anchor.
func (u *upper) levels() ([][]string, error) {
	var levels [][]string
	for _, n := range u.m.Nodes {
		d, err := u.m.depth(n.Name)
		if err != nil {
			return nil, err
		}
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], n.Name)
	}
	return levels, nil
}

// startLevel starts the nodes of one depth together; anchors are started,
// read, given each other's pins and restarted; the others are enrolled
// with their superior once they serve.
func (u *upper) startLevel(ctx context.Context, depth int, names []string) error {
	if err := u.forEach(ctx, names, func(ctx context.Context, n *NodeState) error {
		return u.startNode(ctx, n, depth > 0 || !u.s.Trust)
	}); err != nil {
		return err
	}
	if !u.s.Trust {
		return nil
	}
	if err := u.forEach(ctx, names, func(ctx context.Context, n *NodeState) error {
		tv, err := u.c.Trust(ctx, n)
		if err != nil {
			return err
		}
		n.EntityID, n.FederationKids = tv.EntityID, tv.FederationKids
		if depth == 0 && len(tv.FederationKids) == 0 {
			return fmt.Errorf("anchor %s: GET /api/v1/trust lists no federation_kids to pin", n.Name)
		}
		return nil
	}); err != nil {
		return err
	}
	if depth == 0 {
		// Anchors now know each other's pins: restart them with them.
		u.logf("anchors %v serve; restarting them with each other's pins", names)
		return u.forEach(ctx, names, func(ctx context.Context, n *NodeState) error {
			if err := StopProcess(ctx, n.PID, u.s.Dir, 15*time.Second); err != nil {
				return fmt.Errorf("restart anchor %s: %w", n.Name, err)
			}
			n.PID = 0
			return u.startNode(ctx, n, true)
		})
	}
	return u.forEach(ctx, names, func(ctx context.Context, n *NodeState) error { return u.enrol(ctx, n) })
}

// startNode writes the node's configuration and starts it.
func (u *upper) startNode(ctx context.Context, n *NodeState, withPins bool) error {
	spec, _ := u.m.Node(n.Name)
	if err := writeNodeConfig(n, nodeConfig(u.s, u.m, spec, n, withPins)); err != nil {
		return err
	}
	if err := startNode(ctx, u.s, n, u.c, u.o.ReadyTimeout); err != nil {
		return err
	}
	u.logf("node %s serves at %s (pid %d)", n.Name, n.URL, n.PID)
	return nil
}

// startNode starts node n of s and waits until it is ready.
func startNode(ctx context.Context, s *State, n *NodeState, c *Client, timeout time.Duration) error {
	pid, err := startProcess(s.Binary, []string{"serve", "--config", n.Config, "--data", n.Data}, n.Log)
	if err != nil {
		return fmt.Errorf("node %s: %w", n.Name, err)
	}
	n.PID, n.Down = pid, ""
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return c.waitReady(wctx, n, s.Dir)
}

// enrol registers n with its superior through the anchor API.
func (u *upper) enrol(ctx context.Context, n *NodeState) error {
	sup, err := u.s.Node(n.Superior)
	if err != nil {
		return err
	}
	spec, _ := u.m.Node(n.Name)
	tok, err := sup.Token()
	if err != nil {
		return err
	}
	// kids pins the subordinate's federation keys as read from it: the
	// superior refuses an entity configuration that lists other keys.
	body := api.Enrolment{EntityID: n.EntityID, Name: n.DisplayName, Country: n.Country, OrgKind: n.OrgKind,
		Role: n.Role, Kids: n.FederationKids}
	if n.Role == RoleIntermediate {
		body.MaxPathLength = &spec.MaxPathLength
		body.Permitted = resolveNaming(u.s, spec.Naming.Permitted)
		body.Excluded = resolveNaming(u.s, spec.Naming.Excluded)
	}
	_, err = u.c.Do(ctx, http.MethodPost, sup.URL+"/api/v1/anchor/subordinates", tok, body, nil)
	if err != nil && !IsStatus(err, http.StatusConflict) {
		return fmt.Errorf("enrol %s with %s: %w", n.Name, sup.Name, err)
	}
	u.logf("node %s enrolled with %s", n.Name, sup.Name)
	return nil
}

// waitChains waits until every node's trust chain is verified.
func (u *upper) waitChains(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, u.o.ConvergeTimeout)
	defer cancel()
	for {
		var pending []string
		for _, n := range u.s.Nodes {
			tv, err := u.c.Trust(ctx, n)
			if err != nil || tv.Chain.Status != "verified" {
				why := "unreachable"
				if err == nil {
					why = tv.Chain.Status + " " + tv.Chain.Reason
				}
				pending = append(pending, n.Name+" ("+why+")")
			}
		}
		if len(pending) == 0 {
			u.logf("every trust chain is verified")
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("trust chains not verified within %s: %v", u.o.ConvergeTimeout, pending)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// forEach runs fn for the named nodes concurrently (at most 8 at once).
func (u *upper) forEach(ctx context.Context, names []string, fn func(context.Context, *NodeState) error) error {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, name := range names {
		n, err := u.s.Node(name)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = fn(ctx, n)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (u *upper) names() []string {
	out := make([]string, len(u.s.Nodes))
	for i, n := range u.s.Nodes {
		out[i] = n.Name
	}
	return out
}
