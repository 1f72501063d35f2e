package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/testnet"
)

// trustSteps does the steps between organisations: co-sign, adopt,
// follow, and an anchor's revoke and reinstate.
type trustSteps struct {
	fl   *fleet
	c    *testnet.Client
	objs *catalog
	run  string
	pub  *publisher // adopt publishes through its retries
	// marks records when the last revoke step asked for the revocation.
	marks *marks
}

// cosign approves, on the co-signer, the request of each draft of c.Draft.
func (ts *trustSteps) cosign(ctx context.Context, c *Cosign) error {
	n, err := ts.fl.node(c.Node)
	if err != nil {
		return err
	}
	tok, err := n.Token()
	if err != nil {
		return err
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	set := ts.objs.set(c.Draft)
	for i, it := range set.list() {
		if it.DraftID == "" {
			return fmt.Errorf("%s was published at once, not as a draft: nothing to co-sign", it.IRI)
		}
		deadline := time.Now().Add(timeout)
		for {
			id, err := ts.findRequest(ctx, n, tok, it)
			if err != nil {
				return err
			}
			if id != "" {
				if _, err := ts.c.Do(ctx, http.MethodPost, n.URL+"/api/v1/cosign/requests/"+url.PathEscape(id)+"/approve", tok, api.CosignAnswer{}, nil); err != nil {
					return fmt.Errorf("approve on %s: %w", n.Name, err)
				}
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("no co-signing request for draft %s (%s) reached %s within %s", it.DraftID, it.IRI, n.Name, timeout)
			}
			time.Sleep(100 * time.Millisecond)
		}
		done, err := ts.draftDone(ctx, it, timeout)
		if err != nil {
			return err
		}
		set.replace(i, done)
	}
	return nil
}

// draftDone waits until the draft of it is no longer pending on its origin
// and returns it with the IRI the draft names then.
func (ts *trustSteps) draftDone(ctx context.Context, it item, timeout time.Duration) (item, error) {
	n, err := ts.fl.node(it.Node)
	if err != nil {
		return it, err
	}
	tok, err := n.Token()
	if err != nil {
		return it, err
	}
	deadline := time.Now().Add(timeout)
	for {
		var d api.Draft
		_, err := ts.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/drafts/"+url.PathEscape(it.DraftID), tok, nil, &d)
		if err == nil && d.Status != "" && d.Status != "pending" {
			if d.IRI != "" {
				it.IRI, it.ID = d.IRI, lastSegment(d.IRI)
			}
			return it, nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return it, fmt.Errorf("draft %s on %s: %w", it.DraftID, n.Name, err)
			}
			return it, fmt.Errorf("draft %s on %s still %s after the approval (missing %v)", it.DraftID, n.Name, d.Status, d.Missing)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return it, err
		}
	}
}

// findRequest returns the id of n's pending co-signing request for the
// draft, or "".
func (ts *trustSteps) findRequest(ctx context.Context, n *testnet.NodeState, tok string, it item) (string, error) {
	var ans struct {
		Items []json.RawMessage `json:"items"`
	}
	if _, err := ts.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/cosign/requests", tok, nil, &ans); err != nil {
		return "", fmt.Errorf("co-signing requests of %s: %w", n.Name, err)
	}
	for _, raw := range ans.Items {
		var req api.CosignRequest
		if json.Unmarshal(raw, &req) == nil && req.ID != "" &&
			(strings.Contains(string(raw), it.IRI) || strings.Contains(string(raw), `"`+it.DraftID+`"`)) {
			return req.ID, nil
		}
	}
	return "", nil
}

// adopt makes a.Node adopt the first object of a.Object: its own instance
// of the service, then a signed Adoption naming both.
func (ts *trustSteps) adopt(ctx context.Context, a *Adopt) error {
	items := ts.objs.set(a.Object).list()
	if len(items) == 0 {
		return fmt.Errorf("%s holds no object", a.Object)
	}
	orig := items[0]
	n, err := ts.fl.node(a.Node)
	if err != nil {
		return err
	}
	org := n.EntityID
	if org == "" {
		org = n.URL
	}
	inst := testnet.Service(n, fmt.Sprintf("%s-%s-instance", a.As, ts.run), 0)
	inst.IsInstanceOf = orig.IRI
	p := &Publish{Nodes: NodeSet{Names: []string{n.Name}}, As: a.As, Timeout: 30 * time.Second}
	set := ts.objs.set(a.As)
	instItem, err := ts.postEntity(ctx, p, n, inst, inst.Identifier, "service")
	if err != nil {
		return err
	}
	set.add(instItem)
	adoption := map[string]any{"type": "Adoption", "object": orig.IRI, "organisation": org, "instance": instItem.IRI,
		"since": time.Now().UTC().Format(time.DateOnly)}
	adItem, err := ts.postEntity(ctx, p, n, adoption, "", "adoption")
	if err != nil {
		return err
	}
	set.add(adItem)
	return nil
}

// postEntity publishes one given entity through publishOne's retries.
func (ts *trustSteps) postEntity(ctx context.Context, p *Publish, n *testnet.NodeState, body any, key, kind string) (item, error) {
	q := *p
	raw, err := json.Marshal(body)
	if err != nil {
		return item{}, err
	}
	if err := json.Unmarshal(raw, &q.Object); err != nil {
		return item{}, err
	}
	q.Kind = ""
	it, err := ts.pub.publishOne(ctx, &q, n, 0)
	it.Kind = kind
	if key != "" {
		it.Key = key
	}
	return it, err
}

func (ts *trustSteps) follow(ctx context.Context, f *Follow) error {
	n, err := ts.fl.node(f.Node)
	if err != nil {
		return err
	}
	t, err := ts.fl.node(f.Target)
	if err != nil {
		return err
	}
	return testnet.Follow(ctx, ts.c, n, t)
}

func (ts *trustSteps) revoke(ctx context.Context, rv *Revoke) error {
	a, n, tok, err := ts.authorityOf(rv.Anchor, rv.Node)
	if err != nil {
		return err
	}
	ts.marks.revoke = time.Now()
	_, err = ts.c.Do(ctx, http.MethodPost, a.URL+"/api/v1/anchor/subordinates/revoke", tok,
		api.SubordinateRevoke{EntityID: n.EntityID, Reason: rv.Reason}, nil)
	if err != nil {
		return fmt.Errorf("%s revokes %s: %w", a.Name, n.Name, err)
	}
	return nil
}

// authorityOf finds the anchor (or intermediate) and the node a revoke or
// reinstate step names, and the anchor's admin token.
func (ts *trustSteps) authorityOf(anchor, node string) (a, n *testnet.NodeState, tok string, err error) {
	if a, err = ts.fl.node(anchor); err != nil {
		return nil, nil, "", err
	}
	if n, err = ts.fl.node(node); err != nil {
		return nil, nil, "", err
	}
	if n.EntityID == "" {
		return nil, nil, "", fmt.Errorf("node %s has no entity id: is the federation's trust on?", n.Name)
	}
	tok, err = a.Token()
	return a, n, tok, err
}

// reinstate enrols a revoked leaf again with the superior that revoked it.
func (ts *trustSteps) reinstate(ctx context.Context, ri *Reinstate) error {
	a, n, tok, err := ts.authorityOf(ri.Anchor, ri.Node)
	if err != nil {
		return err
	}
	if n.Role != testnet.RoleLeaf {
		return fmt.Errorf("reinstate enrols leaves again; %s is a %s (its constraints live in the manifest)", n.Name, n.Role)
	}
	if n.Superior != a.Name {
		return fmt.Errorf("%s's superior is %s, not %s", n.Name, n.Superior, a.Name)
	}
	body := api.Enrolment{EntityID: n.EntityID, Name: n.DisplayName, Country: n.Country, OrgKind: n.OrgKind,
		Role: n.Role, Kids: n.FederationKids}
	if _, err := ts.c.Do(ctx, http.MethodPost, a.URL+"/api/v1/anchor/subordinates", tok, body, nil); err != nil {
		return fmt.Errorf("%s enrols %s again: %w", a.Name, n.Name, err)
	}
	return nil
}
