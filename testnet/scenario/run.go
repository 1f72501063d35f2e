package scenario

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/testnet"
)

// Load reads and parses a scenario file.
func Load(path string) (*Scenario, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	s, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Options configure Run.
type Options struct {
	Dir string    // the testnet directory of a running federation
	Out io.Writer // step lines and measurements; nil for none
	// RunID makes this run's keys unique, so that a scenario can run again
	// on the same federation; default random.
	RunID string
}

// Run executes s on the federation in o.Dir and returns its report. A
// failed step or check ends the run with an error that names it; either
// way the run then heals the faults it set and starts the nodes it took
// down, so that the next scenario finds a whole federation.
func Run(ctx context.Context, s *Scenario, o Options) (*Report, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.RunID == "" {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		o.RunID = hex.EncodeToString(b)
	}
	st, err := testnet.LoadState(o.Dir)
	if err != nil {
		return nil, err
	}
	for _, n := range s.Nodes {
		if _, err := st.Node(n); err != nil {
			return nil, fmt.Errorf("scenario %s needs node %s: %w", s.Name, n, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	r := &runner{dir: st.Dir, st: st, c: testnet.NewClient(), out: o.Out, run: o.RunID, sets: map[string]*objSet{},
		loads: map[string]*load{}, report: &Report{Scenario: s.Name}, keys: map[string]*keyHistory{}}
	defer r.c.Close()
	defer r.closeInbox()
	start := time.Now()
	err = r.steps(ctx, s)
	r.report.Duration = time.Since(start)
	r.report.Nodes = len(r.st.Nodes)
	if cerr := r.cleanup(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("restore the federation after the scenario: %w", cerr))
	}
	return r.report, err
}

type runner struct {
	dir    string
	st     *testnet.State
	c      *testnet.Client
	out    io.Writer
	run    string
	report *Report

	mu       sync.Mutex
	sets     map[string]*objSet
	loads    map[string]*load
	lastHeal time.Time
	// lastKeyRevoke is when the last revoke-key step asked for the revocation.
	lastKeyRevoke time.Time
	faulted       bool     // a fault step ran: heal at the end
	downed        []string // nodes the scenario stopped or killed

	keys  map[string]*keyHistory // by node: what rotate-key and revoke-key did
	ids   protocol.ULIDSource    // ids of forged objects and activities
	inbox *http.Client           // posts forged activities (made on first use)
}

// item is one published object.
type item struct {
	Node    string
	Kind    string
	Key     string
	IRI     string
	ID      string
	DraftID string
	// A forged object (forge): its signed version 1, and the nodes that
	// accepted it (2xx) when it was delivered; the others refused it.
	Forged   []byte
	Accepted map[string]bool
}

type objSet struct {
	mu    sync.Mutex
	items []item
}

func (s *objSet) add(it item) {
	s.mu.Lock()
	s.items = append(s.items, it)
	s.mu.Unlock()
}

func (s *objSet) replace(i int, it item) {
	s.mu.Lock()
	s.items[i] = it
	s.mu.Unlock()
}

func (s *objSet) list() []item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]item(nil), s.items...)
}

func (r *runner) set(name string) *objSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sets[name]
	if s == nil {
		s = &objSet{}
		r.sets[name] = s
	}
	return s
}

func (r *runner) printf(format string, args ...any) { fmt.Fprintf(r.out, format+"\n", args...) }

func (r *runner) steps(ctx context.Context, s *Scenario) error {
	r.printf("scenario %s (run %s): %d steps on %s", s.Name, r.run, len(s.Steps), r.dir)
	for i, st := range s.Steps {
		t0 := time.Now()
		if err := r.step(ctx, st); err != nil {
			if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w (the scenario's timeout is %s)", err, s.Timeout)
			}
			r.printf("step %d (line %d) %s: FAILED after %s", i+1, st.Line, st.Action, round(time.Since(t0)))
			return fmt.Errorf("scenario %s: step %d (line %d) %s: %w", s.Name, i+1, st.Line, st.Action, err)
		}
		r.printf("step %d (line %d) %s: ok (%s)", i+1, st.Line, describe(st), round(time.Since(t0)))
	}
	for name, l := range r.loads {
		if err := l.wait(ctx); err != nil {
			return fmt.Errorf("scenario %s: background publish %s: %w", s.Name, name, err)
		}
	}
	return nil
}

func (r *runner) step(ctx context.Context, st Step) error {
	var err error
	switch st.Action {
	case "publish":
		err = r.publish(ctx, st.Publish)
	case "co-sign":
		err = r.cosign(ctx, st.Cosign)
	case "adopt":
		err = r.adopt(ctx, st.Adopt)
	case "follow":
		err = r.follow(ctx, st.Follow)
	case "revoke":
		err = r.revoke(ctx, st.Revoke)
	case "reinstate":
		err = r.reinstate(ctx, st.Reinstate)
	case "delete":
		err = r.deleteSet(ctx, st.Delete)
	case "rotate-key":
		err = r.rotateKey(ctx, st.RotateKey)
	case "revoke-key":
		err = r.revokeKey(ctx, st.RevokeKey)
	case "forge":
		err = r.forge(ctx, st.Forge)
	case "forge-until-refused":
		err = r.forgeUntilRefused(ctx, st.Forge)
	case "kill":
		r.downed = append(r.downed, st.Node)
		err = testnet.Kill(ctx, r.dir, st.Node)
	case "stop":
		r.downed = append(r.downed, st.Node)
		err = testnet.Stop(ctx, r.dir, st.Node)
	case "start":
		err = testnet.Start(ctx, r.dir, st.Node)
	case "partition":
		r.faulted = true
		err = testnet.Partition(ctx, r.dir, st.Partition)
	case "heal":
		err = testnet.Heal(ctx, r.dir)
		r.lastHeal = time.Now()
	case "slow":
		r.faulted = true
		err = testnet.Slow(ctx, r.dir, st.Slow.Node, st.Slow.Latency)
	case "clock-skew":
		r.faulted = true
		var d time.Duration
		if d, err = testnet.ParseSkew(st.Skew.Skew); err == nil {
			err = testnet.ClockSkew(ctx, r.dir, st.Skew.Node, d)
		}
	case "sleep":
		select {
		case <-time.After(st.Sleep):
		case <-ctx.Done():
			err = ctx.Err()
		}
	case "wait-load":
		err = r.loads[st.Load].wait(ctx)
	case "wait-until", "assert":
		err = r.check(ctx, st.Check)
	default:
		err = fmt.Errorf("unknown action %q", st.Action)
	}
	if err != nil {
		return err
	}
	return r.reload()
}

// reload re-reads the state (steps change it).
func (r *runner) reload() error {
	st, err := testnet.LoadState(r.dir)
	if err != nil {
		return err
	}
	r.st = st
	return nil
}

// cleanup waits for background publishes, heals, and starts what the
// scenario took down.
func (r *runner) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	for _, l := range r.loads {
		l.cancel()
		_ = l.wait(ctx)
	}
	if r.faulted {
		errs = append(errs, testnet.Heal(ctx, r.dir))
	}
	if err := r.reload(); err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, name := range r.downed {
		n, err := r.st.Node(name)
		if err != nil || n.Down == "" {
			continue
		}
		errs = append(errs, testnet.Start(ctx, r.dir, name))
	}
	if err := r.reload(); err != nil {
		return errors.Join(append(errs, err)...)
	}
	errs = append(errs, r.retractForged(ctx))
	return errors.Join(errs...)
}

// nodes resolves a node set against the state: "all" is every node that
// should be running (not stopped or killed on purpose).
func (r *runner) nodes(ns NodeSet) ([]*testnet.NodeState, error) {
	if ns.IsZero() {
		ns = NodeSet{All: true}
	}
	var out []*testnet.NodeState
	if ns.All {
		except := map[string]bool{}
		for _, e := range ns.Except {
			if _, err := r.st.Node(e); err != nil {
				return nil, err
			}
			except[e] = true
		}
		for _, n := range r.st.Nodes {
			if n.Down == "" && !except[n.Name] {
				out = append(out, n)
			}
		}
		return out, nil
	}
	for _, name := range ns.Names {
		n, err := r.st.Node(name)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func describe(st Step) string {
	switch {
	case st.Publish != nil:
		on := strings.Join(st.Publish.Nodes.Names, ",")
		if st.Publish.Nodes.All {
			on = "all"
		}
		return fmt.Sprintf("publish %d %s as %s on %s", st.Publish.Count, orObject(st.Publish.Kind), st.Publish.As, on)
	case st.Node != "":
		return st.Action + " " + st.Node
	case st.RotateKey != nil:
		return st.Action + " " + st.RotateKey.Node
	case st.RevokeKey != nil:
		return st.Action + " " + st.RevokeKey.Node
	case st.Forge != nil:
		return fmt.Sprintf("%s %s with %s's %s content key (iat %s)", st.Action, st.Forge.As, st.Forge.Node, st.Forge.Key, st.Forge.Iat)
	case st.Check != nil:
		return st.Action + " " + st.Check.name()
	}
	return st.Action
}

func orObject(kind string) string {
	if kind == "" {
		return "object"
	}
	return kind
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
