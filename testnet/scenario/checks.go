package scenario

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/testnet"
)

// checks evaluates the wait-until and assert steps' conditions on the
// nodes, and records the measurements they name.
type checks struct {
	fl     *fleet
	c      *testnet.Client
	objs   *catalog
	out    printer
	report *Report
	marks  *marks
}

func (c *Check) name() string {
	switch {
	case c.Visible != nil:
		v := "visible " + strings.Join(c.Visible.Objects, ",")
		if c.Visible.Verified {
			v += " (verified)"
		}
		return v
	case c.Absent != nil:
		return "absent " + strings.Join(c.Absent.Objects, ",")
	case c.NotVerified != nil:
		return "not-verified " + strings.Join(c.NotVerified.Objects, ",")
	case c.NoLoss != nil:
		return "no-loss " + strings.Join(c.NoLoss.Objects, ",")
	case c.Adoptions != nil:
		return "adoptions " + c.Adoptions.Object
	case c.Converged != nil:
		return "converged"
	case c.CountsEqual != nil:
		return "counts-equal"
	case c.Running != nil:
		return "running"
	case c.Chain != nil:
		return "chain " + c.Chain.Node + " " + c.Chain.Status
	case c.Members != nil:
		return c.Members.String()
	}
	return "?"
}

// outcome is one evaluation of a condition: ok, or what is wrong where.
type outcome struct {
	ok      bool
	problem []string
}

func (o *outcome) fail(format string, args ...any) {
	o.ok = false
	o.problem = append(o.problem, fmt.Sprintf(format, args...))
}

func (o outcome) String() string {
	p := o.problem
	if len(p) > 8 {
		p = append(p[:8:8], fmt.Sprintf("and %d more", len(o.problem)-8))
	}
	return strings.Join(p, "; ")
}

// check polls the condition every 100 ms: until it holds (within/timeout),
// or for as long as it must hold (for).
func (ck *checks) check(ctx context.Context, c *Check) error {
	start := time.Now()
	if c.For > 0 {
		deadline := start.Add(c.For)
		for {
			o, err := ck.evaluate(ctx, c)
			if err != nil {
				return err
			}
			if !o.ok {
				return fmt.Errorf("%s stopped holding after %s: %s", c.name(), round(time.Since(start)), o)
			}
			if time.Now().After(deadline) {
				return nil
			}
			if err := sleep(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
	}
	limit := c.Within
	if limit == 0 {
		limit = c.Timeout
	}
	deadline := start.Add(limit)
	for {
		o, err := ck.evaluate(ctx, c)
		if err != nil {
			return err
		}
		if o.ok {
			if c.NotVerified != nil {
				ck.printForged(ctx, c.NotVerified)
			}
			if c.Measure != "" {
				from := start
				switch {
				case c.From == fromHeal && !ck.marks.heal.IsZero():
					from = ck.marks.heal
				case c.From == fromRevokeKey && !ck.marks.keyRevoke.IsZero():
					from = ck.marks.keyRevoke
				case c.From == fromStart && !ck.marks.start.IsZero():
					from = ck.marks.start
				}
				ck.report.addFigure(c.Measure, time.Since(from))
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not hold within %s: %s", c.name(), limit, o)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("%s: %w; last seen: %s", c.name(), err, o)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (ck *checks) evaluate(ctx context.Context, c *Check) (outcome, error) {
	switch {
	case c.Visible != nil:
		return ck.objects(ctx, c.Visible, func(v objectView) string {
			switch {
			case !v.present:
				return "absent"
			case c.Visible.Verified && !v.verified:
				return v.String(nil)
			case v.signers < c.Visible.Signers:
				return fmt.Sprintf("%d verified signers, want %d", v.signers, c.Visible.Signers)
			}
			return ""
		})
	case c.Absent != nil:
		return ck.objects(ctx, c.Absent, func(v objectView) string {
			if v.present {
				return "present"
			}
			return ""
		})
	case c.NotVerified != nil:
		// Absent counts as not verified, except where a forged object was
		// accepted (2xx): that node must hold it, judged not verified.
		return ck.objectsOn(ctx, c.NotVerified, func(it item, node string, v objectView) string {
			switch {
			case v.verified:
				return "verified"
			case !v.present && it.Accepted[node]:
				return "absent, although this node accepted it (2xx)"
			}
			return ""
		})
	case c.NoLoss != nil:
		return ck.noLoss(ctx, c.NoLoss)
	case c.Adoptions != nil:
		return ck.adoptions(ctx, c.Adoptions)
	case c.Converged != nil:
		return ck.converged(ctx, c.Converged)
	case c.CountsEqual != nil:
		return ck.countsEqual(ctx, c.CountsEqual)
	case c.Running != nil:
		return ck.running(ctx, c.Running)
	case c.Members != nil:
		return ck.members(ctx, c.Members)
	case c.Chain != nil:
		n, err := ck.fl.node(c.Chain.Node)
		if err != nil {
			return outcome{}, err
		}
		tv, err := ck.c.Trust(ctx, n)
		if err != nil {
			return outcome{}, err
		}
		o := outcome{ok: true}
		if tv.Chain.Status != c.Chain.Status {
			o.fail("%s's chain is %s (%s)", n.Name, tv.Chain.Status, tv.Chain.Reason)
		}
		return o, nil
	}
	return outcome{}, fmt.Errorf("no condition")
}

// objects checks every object of the sets on every node; bad returns what
// is wrong with one view, or "".
func (ck *checks) objects(ctx context.Context, oc *ObjectCond, bad func(objectView) string) (outcome, error) {
	return ck.objectsOn(ctx, oc, func(_ item, _ string, v objectView) string { return bad(v) })
}

// objectsOn is objects with the item and the node passed to bad.
func (ck *checks) objectsOn(ctx context.Context, oc *ObjectCond, bad func(it item, node string, v objectView) string) (outcome, error) {
	nodes, err := ck.fl.nodes(oc.On)
	if err != nil {
		return outcome{}, err
	}
	items := ck.objs.items(oc.Objects)
	if len(items) == 0 {
		return outcome{}, fmt.Errorf("%s holds no published object", strings.Join(oc.Objects, ","))
	}
	o := outcome{ok: true}
	var mu sync.Mutex
	forNodes(nodes, func(n *testnet.NodeState) {
		for _, it := range items {
			v, err := view(ctx, ck.c, n, it.IRI)
			why := ""
			if err != nil {
				why = err.Error()
			} else {
				why = bad(it, n.Name, v)
			}
			if why != "" {
				mu.Lock()
				o.fail("%s on %s: %s", it.IRI, n.Name, why)
				mu.Unlock()
			}
		}
	})
	return o, nil
}

func forNodes(nodes []*testnet.NodeState, fn func(*testnet.NodeState)) {
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(n)
		}()
	}
	wg.Wait()
}

// listed is an object as a node lists it.
type listed struct {
	IRI     string `json:"iri"`
	Version int    `json:"version"`
	Origin  string `json:"origin"`
	Type    string `json:"type"`
	Key     string `json:"key"`
}

// list pages through every current object of node n.
func (ck *checks) list(ctx context.Context, n *testnet.NodeState) ([]listed, error) {
	var all []listed
	cursor := ""
	for {
		var page struct {
			Items []listed `json:"items"`
			Next  string   `json:"next"`
		}
		u := n.URL + "/api/v1/objects?limit=500"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		if _, err := ck.c.Do(ctx, http.MethodGet, u, "", nil, &page); err != nil {
			return nil, fmt.Errorf("list the objects of %s: %w", n.Name, err)
		}
		all = append(all, page.Items...)
		if page.Next == "" || len(page.Items) == 0 {
			return all, nil
		}
		cursor = page.Next
	}
}

// lists lists every node's objects concurrently.
func (ck *checks) lists(ctx context.Context, nodes []*testnet.NodeState) (map[string][]listed, error) {
	out := map[string][]listed{}
	var mu sync.Mutex
	var first error
	forNodes(nodes, func(n *testnet.NodeState) {
		l, err := ck.list(ctx, n)
		mu.Lock()
		defer mu.Unlock()
		if err != nil && first == nil {
			first = err
		}
		out[n.Name] = l
	})
	return out, first
}

// noLoss: every acknowledged object of the sets is on every node, and no
// node holds two objects of one origin with the same key among them.
func (ck *checks) noLoss(ctx context.Context, oc *ObjectCond) (outcome, error) {
	nodes, err := ck.fl.nodes(oc.On)
	if err != nil {
		return outcome{}, err
	}
	items := ck.objs.items(oc.Objects)
	lists, err := ck.lists(ctx, nodes)
	if err != nil {
		return outcome{ok: false, problem: []string{err.Error()}}, nil
	}
	keys := map[string]bool{}
	for _, it := range items {
		if it.Key != "" {
			keys[it.Key] = true
		}
	}
	o := outcome{ok: true}
	lost, dup := 0, 0
	for _, n := range nodes {
		held := map[string]bool{}
		perKey := map[string]int{}
		for _, l := range lists[n.Name] {
			held[l.IRI] = true
			if keys[l.Key] {
				perKey[l.Origin+" "+l.Type+" "+l.Key]++
			}
		}
		missing := 0
		for _, it := range items {
			if !held[it.IRI] {
				missing++
			}
		}
		twice := 0
		for _, k := range slices.Sorted(maps.Keys(perKey)) {
			if perKey[k] > 1 {
				twice += perKey[k] - 1
			}
		}
		lost, dup = max(lost, missing), max(dup, twice)
		if missing > 0 {
			o.fail("%s lacks %d of the %d acknowledged objects", n.Name, missing, len(items))
		}
		if twice > 0 {
			o.fail("%s holds %d duplicated objects (same origin and key)", n.Name, twice)
		}
	}
	ck.report.setLoss(strings.Join(oc.Objects, ","), len(items), lost, dup)
	return o, nil
}

// converged: every node holds the same objects at the same versions.
func (ck *checks) converged(ctx context.Context, sc *SetCond) (outcome, error) {
	nodes, err := ck.fl.nodes(sc.On)
	if err != nil {
		return outcome{}, err
	}
	lists, err := ck.lists(ctx, nodes)
	if err != nil {
		return outcome{ok: false, problem: []string{err.Error()}}, nil
	}
	union := map[string]bool{}
	sets := map[string]map[string]bool{}
	for _, n := range nodes {
		s := map[string]bool{}
		for _, l := range lists[n.Name] {
			k := fmt.Sprintf("%s@%d", l.IRI, l.Version)
			s[k], union[k] = true, true
		}
		sets[n.Name] = s
	}
	o := outcome{ok: true}
	for _, n := range nodes {
		if missing := len(union) - len(sets[n.Name]); missing > 0 {
			o.fail("%s lacks %d of %d object versions", n.Name, missing, len(union))
		}
	}
	return o, nil
}

// countsEqual: every node's status counts are the same.
func (ck *checks) countsEqual(ctx context.Context, sc *SetCond) (outcome, error) {
	nodes, err := ck.fl.nodes(sc.On)
	if err != nil {
		return outcome{}, err
	}
	counts := map[string]map[string]int{}
	var mu sync.Mutex
	o := outcome{ok: true}
	forNodes(nodes, func(n *testnet.NodeState) {
		var st struct {
			Counts map[string]int `json:"counts"`
		}
		_, err := ck.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/status", "", nil, &st)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			o.fail("%s: %v", n.Name, err)
			return
		}
		counts[n.Name] = st.Counts
	})
	var ref string
	for _, n := range nodes {
		c, ok := counts[n.Name]
		if !ok {
			continue
		}
		if ref == "" {
			ref = n.Name
			continue
		}
		if !maps.Equal(c, counts[ref]) {
			o.fail("%s counts %v, %s counts %v", n.Name, c, ref, counts[ref])
		}
	}
	return o, nil
}

func (ck *checks) running(ctx context.Context, sc *SetCond) (outcome, error) {
	nodes, err := ck.fl.nodes(sc.On)
	if err != nil {
		return outcome{}, err
	}
	o := outcome{ok: true}
	var mu sync.Mutex
	forNodes(nodes, func(n *testnet.NodeState) {
		if !ck.c.Ready(ctx, n) {
			mu.Lock()
			o.fail("%s is not ready", n.Name)
			mu.Unlock()
		}
	})
	return o, nil
}

// adoptions: the adopted object shows at least Min adoptions on On.
func (ck *checks) adoptions(ctx context.Context, cc *CountCond) (outcome, error) {
	nodes, err := ck.fl.nodes(cc.On)
	if err != nil {
		return outcome{}, err
	}
	items := ck.objs.set(cc.Object).list()
	if len(items) == 0 {
		return outcome{}, fmt.Errorf("%s holds no object", cc.Object)
	}
	it := items[0]
	o := outcome{ok: true}
	for _, n := range nodes {
		var agg struct {
			Adoptions int `json:"adoptions"`
		}
		if _, err := ck.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/objects/"+url.PathEscape(lastSegment(it.IRI))+"/aggregates", "", nil, &agg); err != nil {
			o.fail("%s: %v", n.Name, err)
			continue
		}
		if agg.Adoptions < cc.Min {
			o.fail("%s counts %d adoptions of %s, want at least %d", n.Name, agg.Adoptions, it.IRI, cc.Min)
		}
	}
	return o, nil
}

// printForged prints what became of the forged objects of oc on the nodes
// that had accepted them (a not-verified check that held).
func (ck *checks) printForged(ctx context.Context, oc *ObjectCond) {
	nodes, err := ck.fl.nodes(oc.On)
	if err != nil {
		return
	}
	statuses := map[string]int{}
	copies, refused := 0, 0
	for _, it := range ck.objs.items(oc.Objects) {
		if it.Forged == nil {
			continue
		}
		for _, n := range nodes {
			if !it.Accepted[n.Name] {
				refused++
				continue
			}
			copies++
			v, err := view(ctx, ck.c, n, it.IRI)
			why := v.String(err)
			if i := strings.Index(why, ": "); i > 0 {
				why = why[:i] + ": " + reasonKind(why[i+2:])
			}
			statuses[why]++
		}
	}
	if copies+refused == 0 {
		return
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(statuses)) {
		parts = append(parts, fmt.Sprintf("%d %s", statuses[k], k))
	}
	if copies == 0 {
		ck.out.printf("  forged objects: none was accepted anywhere (%d refused or not sent after a refusal): nothing to judge again", refused)
		return
	}
	ck.out.printf("  forged objects: %d accepted copies judged again: %s; %d never accepted (absent)", copies, strings.Join(parts, ", "), refused)
}

// reasonKind shortens a verification reason to the error that ends it
// ("... key-retired ..." style sentinels: key retired, key revoked,
// signer revoked).
func reasonKind(reason string) string {
	for _, k := range []string{"key revoked", "key retired", "revoked", "expired"} {
		if strings.Contains(reason, k) {
			return k
		}
	}
	if len(reason) > 60 {
		return reason[:60] + "…"
	}
	return reason
}
