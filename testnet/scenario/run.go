package scenario

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
	r := newRunner(st, o.Out, o.RunID, &Report{Scenario: s.Name})
	defer r.c.Close()
	defer r.inbox.close()
	start := time.Now()
	err = r.steps(ctx, s)
	r.report.Duration = time.Since(start)
	r.report.Nodes = len(r.fl.st.Nodes)
	if cerr := r.cleanup(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("restore the federation after the scenario: %w", cerr))
	}
	return r.report, err
}

// runner runs the steps of one scenario in order and dispatches each to
// the part that does it: publisher (publish, delete), trustSteps (co-sign,
// adopt, follow, revoke, reinstate), keySteps (rotate-key, revoke-key),
// forgery (forge, forge-until-refused), checks (wait-until, assert); it
// does the process and fault steps itself and restores the federation
// after the run.
type runner struct {
	fl     *fleet
	c      *testnet.Client
	out    printer
	run    string
	report *Report
	marks  *marks

	faulted bool     // a fault step ran: heal at the end
	downed  []string // nodes the scenario stopped or killed

	pub    *publisher
	trust  *trustSteps
	keys   *keySteps
	forge  *forgery
	checks *checks
	inbox  *deliverer
	procs  *processSteps
}

// newRunner wires the parts of a run, each to the clients, state and
// output it needs.
func newRunner(st *testnet.State, out io.Writer, run string, report *Report) *runner {
	fl := &fleet{dir: st.Dir, st: st}
	c := testnet.NewClient()
	objs := newCatalog()
	p := printer{out}
	m := &marks{}
	keys := map[string]*keyHistory{}
	inbox := &deliverer{}
	pub := &publisher{fl: fl, c: c, objs: objs, vars: &vars{run: run, fl: fl, objs: objs}, report: report, run: run,
		loads: map[string]*load{}}
	return &runner{fl: fl, c: c, out: p, run: run, report: report, marks: m, pub: pub, inbox: inbox,
		trust:  &trustSteps{fl: fl, c: c, objs: objs, run: run, pub: pub, marks: m},
		keys:   &keySteps{fl: fl, c: c, out: p, hist: keys, marks: m},
		forge:  &forgery{fl: fl, objs: objs, keys: keys, inbox: inbox, out: p, report: report, run: run, marks: m},
		checks: &checks{fl: fl, c: c, objs: objs, out: p, report: report, marks: m},
		procs:  &processSteps{fl: fl, c: c, out: p, report: report, objs: objs, run: run, procs: map[string]*processRun{}},
	}
}

func (r *runner) steps(ctx context.Context, s *Scenario) error {
	r.out.printf("scenario %s (run %s): %d steps on %s", s.Name, r.run, len(s.Steps), r.fl.dir)
	for i, st := range s.Steps {
		t0 := time.Now()
		if err := r.step(ctx, st); err != nil {
			if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w (the scenario's timeout is %s)", err, s.Timeout)
			}
			r.out.printf("step %d (line %d) %s: FAILED after %s", i+1, st.Line, st.Action, round(time.Since(t0)))
			return fmt.Errorf("scenario %s: step %d (line %d) %s: %w", s.Name, i+1, st.Line, st.Action, err)
		}
		r.out.printf("step %d (line %d) %s: ok (%s)", i+1, st.Line, describe(st), round(time.Since(t0)))
	}
	for name, l := range r.pub.loads {
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
		err = r.pub.publish(ctx, st.Publish)
	case "co-sign":
		err = r.trust.cosign(ctx, st.Cosign)
	case "adopt":
		err = r.trust.adopt(ctx, st.Adopt)
	case "follow":
		err = r.trust.follow(ctx, st.Follow)
	case "revoke":
		err = r.trust.revoke(ctx, st.Revoke)
	case "reinstate":
		err = r.trust.reinstate(ctx, st.Reinstate)
	case "delete":
		err = r.pub.deleteSet(ctx, st.Delete)
	case "rotate-key":
		err = r.keys.rotateKey(ctx, st.RotateKey)
	case "revoke-key":
		err = r.keys.revokeKey(ctx, st.RevokeKey)
	case "forge":
		err = r.forge.forge(ctx, st.Forge)
	case "forge-until-refused":
		err = r.forge.forgeUntilRefused(ctx, st.Forge)
	case "kill":
		r.downed = append(r.downed, st.Node)
		err = testnet.Kill(ctx, r.fl.dir, st.Node)
	case "stop":
		r.downed = append(r.downed, st.Node)
		err = testnet.Stop(ctx, r.fl.dir, st.Node)
	case "start":
		r.marks.start = time.Now()
		err = testnet.Start(ctx, r.fl.dir, st.Node)
	case "partition":
		r.faulted = true
		err = testnet.Partition(ctx, r.fl.dir, st.Partition)
	case "heal":
		err = testnet.Heal(ctx, r.fl.dir)
		r.marks.heal = time.Now()
	case "slow":
		r.faulted = true
		err = testnet.Slow(ctx, r.fl.dir, st.Slow.Node, st.Slow.Latency)
	case "clock-skew":
		r.faulted = true
		var d time.Duration
		if d, err = testnet.ParseSkew(st.Skew.Skew); err == nil {
			err = testnet.ClockSkew(ctx, r.fl.dir, st.Skew.Node, d)
		}
	case "sleep":
		select {
		case <-time.After(st.Sleep):
		case <-ctx.Done():
			err = ctx.Err()
		}
	case "wait-load":
		err = r.pub.loads[st.Load].wait(ctx)
	case "process":
		err = r.procs.do(ctx, st.Process)
	case "wait-until", "assert":
		err = r.checks.check(ctx, st.Check)
	default:
		err = fmt.Errorf("unknown action %q", st.Action)
	}
	if err != nil {
		return err
	}
	return r.fl.reload()
}

// cleanup waits for background publishes, heals, and starts what the
// scenario took down.
func (r *runner) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	for _, l := range r.pub.loads {
		l.cancel()
		_ = l.wait(ctx)
	}
	if r.faulted {
		errs = append(errs, testnet.Heal(ctx, r.fl.dir))
	}
	if err := r.fl.reload(); err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, name := range r.downed {
		n, err := r.fl.node(name)
		if err != nil || n.Down == "" {
			continue
		}
		errs = append(errs, testnet.Start(ctx, r.fl.dir, name))
	}
	if err := r.fl.reload(); err != nil {
		return errors.Join(append(errs, err)...)
	}
	errs = append(errs, r.forge.retractForged(ctx))
	return errors.Join(errs...)
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
	case st.Process != nil:
		if len(st.Process.Converged) > 0 {
			return st.Action + " " + st.Process.Process + " converged on " + strings.Join(st.Process.Converged, ", ")
		}
		return st.Action + " " + st.Process.Process + " on " + st.Process.Node
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
