package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/testnet"
)

// publisher does the publish and delete steps: it posts objects through
// the nodes' API, in the background if the step asks, and measures how
// soon each is verified everywhere.
type publisher struct {
	fl     *fleet
	c      *testnet.Client
	objs   *catalog
	vars   *vars
	report *Report
	run    string
	loads  map[string]*load // background publishes, by set
}

// load is a publish running in the background.
type load struct {
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

func (l *load) wait(ctx context.Context) error {
	select {
	case <-l.done:
		return l.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (pb *publisher) publish(ctx context.Context, p *Publish) error {
	set := pb.objs.set(p.As)
	if !p.Background {
		return pb.publishAll(ctx, p, set)
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l := &load{done: make(chan struct{}), cancel: cancel}
	pb.loads[p.As] = l
	go func() {
		defer close(l.done)
		defer cancel()
		l.err = pb.publishAll(lctx, p, set)
	}()
	return nil
}

// publishAll publishes p.Count objects with p.Concurrency workers, object
// i on node i mod len(nodes).
func (pb *publisher) publishAll(ctx context.Context, p *Publish, set *objSet) error {
	nodes, err := pb.fl.nodes(p.Nodes)
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return errors.New("no running node to publish on")
	}
	next := make(chan int)
	errs := make([]error, p.Concurrency)
	var wg sync.WaitGroup
	for w := range p.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if errs[w] != nil {
					continue
				}
				n := nodes[i%len(nodes)]
				start := time.Now()
				it, err := pb.publishOne(ctx, p, n, i)
				if err != nil {
					errs[w] = err
					continue
				}
				set.add(it)
				if p.Measure {
					d, err := pb.measure(ctx, p, it, start)
					if err != nil {
						errs[w] = err
						continue
					}
					pb.report.addSample(d)
				}
			}
		}()
	}
	for i := range p.Count {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// body makes the entity of object i of p on node n.
func (pb *publisher) body(p *Publish, n *testnet.NodeState, i int) (any, string, error) {
	key := fmt.Sprintf("%s-%s-%d", p.As, pb.run, i+1)
	switch p.Kind {
	case "service":
		return testnet.Service(n, key, i), key, nil
	case "interlinker":
		return testnet.Interlinker(n, key, i), key, nil
	}
	v, err := pb.vars.expand(p.Object)
	if err != nil {
		return nil, "", err
	}
	m, _ := v.(map[string]any)
	for _, k := range []string{"identifier", "key"} {
		if s, ok := m[k].(string); ok {
			key = s
		}
	}
	return v, key, nil
}

// publishOne posts object i; while its node is down (refused connection,
// 503) it retries the same object on the same node until p.Timeout. A
// key-exists answer means an earlier attempt was stored before the
// connection broke: that object is the one published.
func (pb *publisher) publishOne(ctx context.Context, p *Publish, n *testnet.NodeState, i int) (item, error) {
	body, key, err := pb.body(p, n, i)
	if err != nil {
		return item{}, err
	}
	it := item{Node: n.Name, Kind: p.Kind, Key: key}
	deadline := time.Now().Add(p.Timeout)
	for {
		tok, err := n.Token()
		if err != nil {
			return it, err
		}
		var ans struct { // an object (201), or api.DraftAccepted (202)
			IRI   string     `json:"iri"`
			ID    string     `json:"id"`
			Type  string     `json:"type"`
			Draft *api.Draft `json:"draft"`
		}
		status, err := pb.c.Do(ctx, http.MethodPost, n.URL+"/api/v1/objects", tok, body, &ans)
		var pr *api.Problem
		switch {
		case err == nil && status == http.StatusAccepted && ans.Draft != nil:
			it.DraftID, it.IRI, it.ID = ans.Draft.ID, ans.Draft.IRI, lastSegment(ans.Draft.IRI)
			return it, nil
		case err == nil && p.Draft:
			return it, fmt.Errorf("node %s answered %d, not 202 with a draft: is co-production (issue 4) in this build?", n.Name, status)
		case err == nil:
			it.IRI, it.ID = ans.IRI, ans.ID
			if it.Kind == "" {
				it.Kind = ans.Type
			}
			return it, nil
		case errors.As(err, &pr) && pr.Name() == "key-exists" && pr.Existing != "":
			it.IRI, it.ID = pr.Existing, lastSegment(pr.Existing)
			return it, nil
		case errors.As(err, &pr) && pr.Status < 500 && pr.Status != http.StatusTooManyRequests:
			return it, fmt.Errorf("publish %s on %s: %w", key, n.Name, err)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return it, fmt.Errorf("publish %s on %s: not accepted within %s: %w", key, n.Name, p.Timeout, err)
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}

func lastSegment(iri string) string { return iri[strings.LastIndex(iri, "/")+1:] }

// measurePolls is the most requests a second a measurement sends to the
// whole federation: on one machine, polling 64 nodes every 10 ms would take
// more CPU than the nodes' own work.
const measurePolls = 800

// pollEvery is how often a measurement polls each of n nodes: every 10 ms,
// less often above 8 nodes (every 80 ms at 64).
func pollEvery(n int) time.Duration {
	return max(10*time.Millisecond, time.Duration(n)*time.Second/measurePolls)
}

// measure waits until it is visible and verified on every node of p.On and
// returns the time since start.
func (pb *publisher) measure(ctx context.Context, p *Publish, it item, start time.Time) (time.Duration, error) {
	nodes, err := pb.fl.nodes(p.On)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	every := pollEvery(len(nodes))
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				v, err := view(ctx, pb.c, n, it.IRI)
				if err == nil && v.present && v.verified {
					return
				}
				select {
				case <-time.After(every):
				case <-ctx.Done():
					errs[i] = fmt.Errorf("%s not verified on %s within %s (%s)", it.IRI, n.Name, p.Timeout, v.String(err))
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

// objectView is an object as one node shows it.
type objectView struct {
	present  bool
	verified bool
	status   string // verification status, "" when the node gives none
	reason   string
	signers  int
}

func (v objectView) String(err error) string {
	switch {
	case err != nil:
		return err.Error()
	case !v.present:
		return "absent"
	case v.status == "":
		return "present, no verification (is the trust layer in this build?)"
	case v.reason != "":
		return v.status + ": " + v.reason
	}
	return v.status
}

// view asks node n for the object iri.
func view(ctx context.Context, c *testnet.Client, n *testnet.NodeState, iri string) (objectView, error) {
	var ans struct {
		Verification *struct {
			Status  string            `json:"status"`
			Reason  string            `json:"reason"`
			Signers []json.RawMessage `json:"signers"`
		} `json:"verification"`
	}
	_, err := c.Do(ctx, http.MethodGet, n.URL+"/api/v1/object?iri="+url.QueryEscape(iri), "", nil, &ans)
	if testnet.IsStatus(err, http.StatusNotFound) {
		return objectView{}, nil
	}
	if err != nil {
		return objectView{}, err
	}
	v := objectView{present: true}
	if ans.Verification != nil {
		v.status, v.reason, v.signers = ans.Verification.Status, ans.Verification.Reason, len(ans.Verification.Signers)
		v.verified = v.status == "verified"
	}
	return v, nil
}

// deleteSet deletes every object of a set through its origin's API: the
// origin publishes a signed tombstone to its followers.
func (pb *publisher) deleteSet(ctx context.Context, name string) error {
	items := pb.objs.set(name).list()
	if len(items) == 0 {
		return fmt.Errorf("%s holds no published object", name)
	}
	for _, it := range items {
		n, err := pb.fl.node(it.Node)
		if err != nil {
			return err
		}
		tok, err := n.Token()
		if err != nil {
			return err
		}
		if _, err := pb.c.Do(ctx, http.MethodDelete, n.URL+"/api/v1/objects/"+url.PathEscape(it.ID), tok, nil, nil); err != nil {
			return fmt.Errorf("delete %s on %s: %w", it.IRI, n.Name, err)
		}
	}
	return nil
}
