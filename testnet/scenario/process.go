package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/testnet"
)

// Process is one step of a co-production process (node/coproduction), on
// Node, for the process named Process (made by Create under that name):
// create it, invite organisations, accept an invitation, add Tasks tasks
// to Objective (or to the first objective), update Updates tasks, finish
// it, or check that every participant holds the same history (Converged)
// with nothing lost or duplicated. Every change acknowledged (ordered or
// queued) is remembered for Converged.
type Process struct {
	Node      string         `yaml:"node"`
	Process   string         `yaml:"process"`
	Create    map[string]any `yaml:"create"`
	Invite    []string       `yaml:"invite"`
	Accept    bool           `yaml:"accept"`
	Tasks     int            `yaml:"tasks"`
	Objective string         `yaml:"objective"`
	Updates   int            `yaml:"updates"`
	Finish    map[string]any `yaml:"finish"`
	As        string         `yaml:"as"`        // finish: the name of the set that holds the co-signed service
	StoryAs   string         `yaml:"story_as"`  // finish: the name of the set that holds the co-signed story
	Measure   []string       `yaml:"measure"`   // tasks, updates: time each change until these nodes all hold it
	Converged []string       `yaml:"converged"` // the participants that must agree
	Timeout   time.Duration  `yaml:"timeout"`   // retries while a node is down; Converged's wait
}

func (p *Process) validate() error {
	errs := []error{set(p.Process, "process"), duration(p.Timeout, "timeout")}
	if p.As != "" {
		errs = append(errs, set(p.As, "as"))
	}
	if len(p.Converged) == 0 {
		errs = append(errs, node(p.Node))
	}
	if len(p.Measure) > 0 && p.Tasks == 0 && p.Updates == 0 {
		errs = append(errs, errors.New("measure: only with tasks or updates"))
	}
	for _, n := range append(append(slices.Clone(p.Invite), p.Converged...), p.Measure...) {
		errs = append(errs, node(n))
	}
	acts := 0
	for _, on := range []bool{p.Create != nil, len(p.Invite) > 0, p.Accept, p.Tasks > 0, p.Updates > 0, p.Finish != nil, len(p.Converged) > 0} {
		if on {
			acts++
		}
	}
	if acts != 1 {
		errs = append(errs, errors.New("a process step does one thing: create, invite, accept, tasks, updates, finish or converged"))
	}
	if p.Tasks < 0 || p.Tasks > 1000 || p.Updates < 0 || p.Updates > 1000 {
		errs = append(errs, errors.New("tasks and updates: 0 to 1000"))
	}
	return errors.Join(errs...)
}

// processRun is what a run remembers of one process.
type processRun struct {
	iri, id   string
	objective string
	tasks     []string // keys of the tasks the run added
	changes   []string // IRIs of the changes acknowledged
	next      int
}

// processSteps does the process steps.
type processSteps struct {
	fl     *fleet
	c      *testnet.Client
	out    printer
	report *Report
	objs   *catalog
	run    string
	procs  map[string]*processRun
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (ps *processSteps) do(ctx context.Context, p *Process) error {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	if len(p.Converged) > 0 {
		return ps.converged(ctx, p, timeout)
	}
	n, err := ps.fl.node(p.Node)
	if err != nil {
		return err
	}
	tok, err := n.Token()
	if err != nil {
		return err
	}
	if p.Create != nil {
		return ps.create(ctx, n, tok, p)
	}
	pr, ok := ps.procs[p.Process]
	if !ok {
		return fmt.Errorf("no process %q was created in this run", p.Process)
	}
	base := n.URL + "/api/v1/processes/" + url.PathEscape(pr.id)
	var took []time.Duration
	switch {
	case len(p.Invite) > 0:
		for _, name := range p.Invite {
			in, err := ps.fl.node(name)
			if err != nil {
				return err
			}
			if err := ps.change(ctx, pr, tok, base+"/invitations", api.ProcessInvite{Target: in.URL + "/actor"}, timeout); err != nil {
				return fmt.Errorf("invite %s: %w", name, err)
			}
		}
	case p.Accept:
		if err := ps.waitLocal(ctx, n, tok, pr, "invited", timeout); err != nil {
			return err
		}
		if err := ps.change(ctx, pr, tok, base+"/accept", nil, timeout); err != nil {
			return err
		}
		// The node takes part once the host ordered its join and it holds
		// that entry (at once, or when a queued join reaches the host).
		return ps.waitLocal(ctx, n, tok, pr, "participant", timeout)
	case p.Tasks > 0:
		obj := p.Objective
		if obj == "" {
			obj = pr.objective
		}
		for range p.Tasks {
			pr.next++
			key := fmt.Sprintf("task-%s-%s-%d", ps.run, p.Node, pr.next)
			c := api.ProcessChange{Op: "add-task", Item: obj, Data: mustRaw(map[string]any{"key": key, "name": "Task " + key + " from " + p.Node})}
			if err := ps.measured(ctx, pr, tok, base+"/changes", c, p, timeout, &took); err != nil {
				return err
			}
			pr.tasks = append(pr.tasks, key)
		}
		ps.reportVisibility(p, took)
	case p.Updates > 0:
		if len(pr.tasks) == 0 {
			return errors.New("updates: no task was added in this run")
		}
		for i := range p.Updates {
			key := pr.tasks[i%len(pr.tasks)]
			c := api.ProcessChange{Op: "update-task", Item: key, Data: mustRaw(map[string]any{"status": "in_progress", "progress": 10 + (i*7)%90})}
			if err := ps.measured(ctx, pr, tok, base+"/changes", c, p, timeout, &took); err != nil {
				return err
			}
		}
		ps.reportVisibility(p, took)
	case p.Finish != nil:
		var f api.ProcessFinished
		if _, err := ps.c.Do(ctx, http.MethodPost, base+"/finish", tok, p.Finish, &f); err != nil {
			return fmt.Errorf("finish on %s: %w", n.Name, err)
		}
		pr.changes = append(pr.changes, f.Change)
		ps.out.printf("  process %s finished: service %s (%s), draft %s", p.Process, f.Service, f.IRI, dash(f.Draft))
		if p.As != "" {
			ps.objs.set(p.As).add(item{Node: n.Name, Kind: "service", Key: f.Service, IRI: f.IRI, ID: lastSegment(f.IRI), DraftID: f.Draft})
		}
		if p.StoryAs != "" {
			if f.Story == "" {
				return fmt.Errorf("finish on %s: no story was drafted", n.Name)
			}
			ps.objs.set(p.StoryAs).add(item{Node: n.Name, Kind: "story", IRI: f.Story, ID: lastSegment(f.Story), DraftID: f.StoryDraft})
		}
	}
	return nil
}

func mustRaw(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func (ps *processSteps) create(ctx context.Context, n *testnet.NodeState, tok string, p *Process) error {
	if _, dup := ps.procs[p.Process]; dup {
		return fmt.Errorf("process %q was already created in this run", p.Process)
	}
	var in api.ProcessCreate
	b, _ := json.Marshal(p.Create)
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	in.Name = strings.ReplaceAll(in.Name, "${run}", ps.run)
	in.Schema = strings.ReplaceAll(in.Schema, "${run}", ps.run)
	var r api.ChangeResult
	if _, err := ps.c.Do(ctx, http.MethodPost, n.URL+"/api/v1/processes", tok, in, &r); err != nil {
		return fmt.Errorf("create on %s: %w", n.Name, err)
	}
	pr := &processRun{iri: r.Process, id: lastSegment(r.Process), changes: []string{r.Change}}
	var got api.Process
	if _, err := ps.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/processes/"+url.PathEscape(pr.id), tok, nil, &got); err != nil {
		return err
	}
	var st struct {
		Phases []struct {
			Objectives []struct{ Key string }
		}
	}
	_ = json.Unmarshal(got.State, &st)
	for _, ph := range st.Phases {
		if len(ph.Objectives) > 0 {
			pr.objective = ph.Objectives[0].Key
			break
		}
	}
	ps.procs[p.Process] = pr
	ps.out.printf("  process %s: %s (%d tasks from its schema, first objective %q)", p.Process, pr.iri, got.Tasks, pr.objective)
	return nil
}

// change sends one change, retrying while the node is unreachable, and
// remembers it once acknowledged (ordered or queued).
func (ps *processSteps) change(ctx context.Context, pr *processRun, tok, u string, in any, timeout time.Duration) error {
	_, err := ps.changeSeq(ctx, pr, tok, u, in, timeout)
	return err
}

// changeSeq is change; it returns the seq the host gave the change (0:
// queued).
func (ps *processSteps) changeSeq(ctx context.Context, pr *processRun, tok, u string, in any, timeout time.Duration) (uint64, error) {
	deadline := time.Now().Add(timeout)
	for {
		var r api.ChangeResult
		_, err := ps.c.Do(ctx, http.MethodPost, u, tok, in, &r)
		if err == nil {
			pr.changes = append(pr.changes, r.Change)
			return r.Seq, nil
		}
		var p *api.Problem
		if errors.As(err, &p) && p.Status < 500 {
			return 0, err // refused: retrying changes nothing
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// measured sends a change and, with nodes to measure on, waits until each
// holds the entry the host gave it, recording the time from the request.
func (ps *processSteps) measured(ctx context.Context, pr *processRun, tok, u string, in any, p *Process, timeout time.Duration, took *[]time.Duration) error {
	t0 := time.Now()
	seq, err := ps.changeSeq(ctx, pr, tok, u, in, timeout)
	if err != nil || len(p.Measure) == 0 || seq == 0 {
		return err
	}
	for _, name := range p.Measure {
		n, err := ps.fl.node(name)
		if err != nil {
			return err
		}
		ntok, err := n.Token()
		if err != nil {
			return err
		}
		for {
			var got api.Process
			if _, err := ps.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/processes/"+url.PathEscape(pr.id), ntok, nil, &got); err == nil && got.Changes >= seq {
				break
			}
			if time.Since(t0) > timeout || ctx.Err() != nil {
				return fmt.Errorf("change %d did not reach %s within %s", seq, name, timeout)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	*took = append(*took, time.Since(t0))
	return nil
}

// reportVisibility prints and records the percentiles of took.
func (ps *processSteps) reportVisibility(p *Process, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	p50, p99 := Percentile(took, 50), Percentile(took, 99)
	ps.report.addFigure("process change visible on every participant p50", p50)
	ps.report.addFigure("process change visible on every participant p99", p99)
	ps.out.printf("  process %s: a change visible on %s: p50 %s, p99 %s (%d changes)", p.Process, strings.Join(p.Measure, ", "), round(p50), round(p99), len(took))
}

// waitLocal waits until n stands where local says in the process.
func (ps *processSteps) waitLocal(ctx context.Context, n *testnet.NodeState, tok string, pr *processRun, local string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var l api.ProcessList
		if _, err := ps.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/processes", tok, nil, &l); err == nil {
			for _, it := range l.Items {
				if it.IRI == pr.iri && it.Local == local {
					return nil
				}
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s is not %s in %s within %s", n.Name, local, pr.iri, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// converged waits until every named participant holds the same history,
// then counts the acknowledged changes it lacks (lost) and the changes it
// holds more than once (duplicated).
func (ps *processSteps) converged(ctx context.Context, p *Process, timeout time.Duration) error {
	pr, ok := ps.procs[p.Process]
	if !ok {
		return fmt.Errorf("no process %q was created in this run", p.Process)
	}
	deadline := time.Now().Add(timeout)
	start := time.Now()
	for {
		hists, err := ps.histories(ctx, pr, p.Converged)
		same := err == nil
		for _, h := range hists {
			if len(hists) > 0 && !slices.Equal(h, hists[0]) {
				same = false
			}
		}
		if same && len(hists) > 0 {
			lost, dup := 0, 0
			seen := map[string]int{}
			for _, c := range hists[0] {
				seen[c]++
			}
			for _, c := range pr.changes {
				if seen[c] == 0 {
					lost++
				}
			}
			for _, k := range seen {
				dup += k - 1
			}
			if lost == 0 || time.Now().After(deadline) {
				ps.report.setLoss("process "+p.Process, len(pr.changes), lost, dup)
				ps.out.printf("  process %s: %d changes on %s after %s: %d lost, %d duplicated of %d acknowledged",
					p.Process, len(hists[0]), strings.Join(p.Converged, ", "), round(time.Since(start)), lost, dup, len(pr.changes))
				if lost > 0 || dup > 0 {
					return fmt.Errorf("process %s: %d lost, %d duplicated", p.Process, lost, dup)
				}
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if err == nil {
				err = errors.New("the histories differ")
			}
			return fmt.Errorf("process %s did not converge on %s within %s: %w", p.Process, strings.Join(p.Converged, ", "), timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// histories reads the change IRIs of each node's history, in order.
func (ps *processSteps) histories(ctx context.Context, pr *processRun, nodes []string) ([][]string, error) {
	var out [][]string
	for _, name := range nodes {
		n, err := ps.fl.node(name)
		if err != nil {
			return nil, err
		}
		tok, err := n.Token()
		if err != nil {
			return nil, err
		}
		var h []string
		for after := 0; ; {
			var tl api.Timeline
			u := fmt.Sprintf("%s/api/v1/processes/%s/history?after=%d", n.URL, url.PathEscape(pr.id), after)
			if _, err := ps.c.Do(ctx, http.MethodGet, u, tok, nil, &tl); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for _, it := range tl.Items {
				h = append(h, it.Change)
			}
			after += len(tl.Items)
			if len(tl.Items) == 0 || uint64(after) >= tl.Changes {
				break
			}
		}
		out = append(out, h)
	}
	return out, nil
}
