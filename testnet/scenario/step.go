package scenario

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Actions a step may name.
var actions = []string{"publish", "co-sign", "adopt", "follow", "revoke", "reinstate", "delete", "rotate-key", "revoke-key", "forge",
	"forge-until-refused", "kill", "stop", "start", "partition", "heal", "slow", "clock-skew", "sleep", "wait-load",
	"wait-until", "assert", "process"}

func parseStep(n *yaml.Node) (Step, error) {
	st := Step{Line: n.Line}
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return st, fmt.Errorf("a step is a mapping with exactly one action (%s)", strings.Join(actions, ", "))
	}
	st.Action = n.Content[0].Value
	v := n.Content[1]
	var err error
	switch st.Action {
	case "publish":
		st.Publish = &Publish{}
		if err = strictDecode(v, st.Publish); err == nil {
			err = st.Publish.validate()
		}
	case "co-sign":
		st.Cosign = &Cosign{}
		if err = strictDecode(v, st.Cosign); err == nil {
			err = all(node(st.Cosign.Node), set(st.Cosign.Draft, "draft"), duration(st.Cosign.Timeout, "timeout"))
		}
	case "adopt":
		st.Adopt = &Adopt{}
		if err = strictDecode(v, st.Adopt); err == nil {
			err = all(node(st.Adopt.Node), set(st.Adopt.Object, "object"), set(st.Adopt.As, "as"))
		}
	case "follow":
		st.Follow = &Follow{}
		if err = strictDecode(v, st.Follow); err == nil {
			err = all(node(st.Follow.Node), node(st.Follow.Target))
		}
	case "revoke":
		st.Revoke = &Revoke{}
		if err = strictDecode(v, st.Revoke); err == nil {
			err = all(node(st.Revoke.Anchor), node(st.Revoke.Node))
			if st.Revoke.Reason == "" {
				st.Revoke.Reason = "revoked by a testnet scenario"
			}
		}
	case "delete":
		if v.Kind != yaml.ScalarNode {
			err = errors.New("delete takes the name of a published set")
		} else {
			st.Delete, err = v.Value, set(v.Value, "delete")
		}
	case "reinstate":
		st.Reinstate = &Reinstate{}
		if err = strictDecode(v, st.Reinstate); err == nil {
			err = all(node(st.Reinstate.Anchor), node(st.Reinstate.Node))
		}
	case "rotate-key":
		st.RotateKey = &RotateKey{}
		st.RotateKey.Node, err = nodeArg(v)
	case "revoke-key":
		st.RevokeKey = &RevokeKey{}
		if err = strictDecode(v, st.RevokeKey); err == nil {
			err = node(st.RevokeKey.Node)
			if st.RevokeKey.Reason == "" {
				st.RevokeKey.Reason = "revoked by a testnet scenario"
			}
			if len(st.RevokeKey.Reason) > 512 {
				err = errors.Join(err, errors.New("reason: at most 512 bytes"))
			}
		}
	case "forge", "forge-until-refused":
		st.Forge = &Forge{}
		if err = strictDecode(v, st.Forge); err == nil {
			err = st.Forge.validate(st.Action)
		}
	case "kill", "stop", "start":
		st.Node, err = nodeArg(v)
	case "partition":
		st.Partition, err = partitionArg(v)
	case "heal":
		if v.Kind != yaml.ScalarNode || (v.Tag != "!!null" && v.Value != "") {
			if v.Kind != yaml.MappingNode || len(v.Content) != 0 {
				err = errors.New("heal takes no arguments (write `- heal: {}`)")
			}
		}
	case "slow":
		st.Slow = &Slow{}
		if err = strictDecode(v, st.Slow); err == nil {
			err = all(node(st.Slow.Node), duration(st.Slow.Latency, "latency"))
		}
	case "clock-skew":
		st.Skew = &Skew{}
		if err = strictDecode(v, st.Skew); err == nil {
			err = node(st.Skew.Node)
			if _, perr := time.ParseDuration(strings.TrimPrefix(st.Skew.Skew, "+")); err == nil && perr != nil {
				err = fmt.Errorf("skew %q: write a signed duration such as +10m", st.Skew.Skew)
			}
		}
	case "sleep":
		if err = v.Decode(&st.Sleep); err == nil {
			err = duration(st.Sleep, "sleep")
		}
	case "wait-load":
		if v.Kind != yaml.ScalarNode {
			err = errors.New("wait-load takes the name of a background publish")
		} else {
			st.Load, err = v.Value, set(v.Value, "wait-load")
		}
	case "process":
		st.Process = &Process{}
		if err = strictDecode(v, st.Process); err == nil {
			err = st.Process.validate()
		}
	case "wait-until", "assert":
		st.Check = &Check{}
		if err = strictDecode(v, st.Check); err == nil {
			err = st.Check.validate(st.Action)
		}
	default:
		return st, fmt.Errorf("unknown action %q (one of %s)", st.Action, strings.Join(actions, ", "))
	}
	if err != nil {
		return st, fmt.Errorf("%s: %w", st.Action, err)
	}
	return st, nil
}

func all(errs ...error) error { return errors.Join(errs...) }

func node(name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%q is not a node name", name)
	}
	return nil
}

func set(name, field string) error {
	if !setPattern.MatchString(name) {
		return fmt.Errorf("%s: %q is not a name (a-z, 0-9, _ and -, starting with a letter)", field, name)
	}
	return nil
}

func duration(d time.Duration, field string) error {
	if d < 0 || d > maxDuration {
		return fmt.Errorf("%s: %s is not within 0-%s", field, d, maxDuration)
	}
	return nil
}

func nodeArg(v *yaml.Node) (string, error) {
	if v.Kind == yaml.ScalarNode {
		return v.Value, node(v.Value)
	}
	var a struct {
		Node string `yaml:"node"`
	}
	if err := strictDecode(v, &a); err != nil {
		return "", err
	}
	return a.Node, node(a.Node)
}

func partitionArg(v *yaml.Node) ([][]string, error) {
	var groups [][]string
	switch v.Kind {
	case yaml.ScalarNode:
		for _, part := range strings.Split(v.Value, "/") {
			groups = append(groups, splitNames(part))
		}
	case yaml.SequenceNode:
		if err := v.Decode(&groups); err != nil {
			return nil, fmt.Errorf("a list of groups, each a list of nodes: %w", err)
		}
	default:
		return nil, errors.New(`write "a,b / c,d" or [[a, b], [c, d]]`)
	}
	for _, g := range groups {
		if len(g) == 0 {
			return nil, errors.New("an empty group")
		}
		for _, n := range g {
			if err := node(n); err != nil {
				return nil, err
			}
		}
	}
	return groups, nil
}

func (p *Publish) validate() error {
	var errs []error
	switch {
	case p.Node != "" && !p.Nodes.IsZero():
		errs = append(errs, errors.New("node and nodes exclude each other"))
	case p.Node != "":
		errs = append(errs, node(p.Node))
		p.Nodes = NodeSet{Names: []string{p.Node}}
	case p.Nodes.IsZero():
		errs = append(errs, errors.New("node (or nodes) is required"))
	}
	errs = append(errs, p.Nodes.check())
	switch {
	case p.Object != nil && p.Kind != "":
		errs = append(errs, errors.New("kind and object exclude each other"))
	case p.Object == nil && p.Kind != "service" && p.Kind != "interlinker":
		errs = append(errs, fmt.Errorf("kind %q is not service or interlinker (or give an object)", p.Kind))
	}
	errs = append(errs, set(p.As, "as"))
	if p.Count == 0 {
		p.Count = 1
	}
	if p.Count < 0 || p.Count > maxCount {
		errs = append(errs, fmt.Errorf("count %d is not within 1-%d", p.Count, maxCount))
	}
	if p.Object != nil && p.Count > 1 {
		errs = append(errs, errors.New("an inline object is published once: drop count"))
	}
	if p.Concurrency == 0 {
		p.Concurrency = 1
	}
	if p.Concurrency < 0 || p.Concurrency > 64 {
		errs = append(errs, fmt.Errorf("concurrency %d is not within 1-64", p.Concurrency))
	}
	if p.Measure && (p.Background || p.Concurrency > 1) {
		errs = append(errs, errors.New("measure publishes one object at a time: drop background and concurrency"))
	}
	if p.Timeout == 0 {
		p.Timeout = 60 * time.Second
	}
	errs = append(errs, duration(p.Timeout, "timeout"), p.On.check())
	return errors.Join(errs...)
}

// Where a check's measurement counts from.
const (
	fromCheck     = "check"
	fromHeal      = "heal"
	fromRevokeKey = "revoke-key"
	fromStart     = "start"
)

// Values of Forge's fields.
const (
	forgeRetired          = "retired"
	forgeRevoked          = "revoked"
	forgeActive           = "active"
	iatNow                = "now"
	iatBeforeRetirement   = "before-retirement"
	expectAccepted        = "accepted"
	expectRefused         = "refused"
	defaultRefusalTimeout = 60 * time.Second
	defaultForgeEvery     = 500 * time.Millisecond
)

func (f *Forge) validate(action string) error {
	errs := []error{node(f.Node), set(f.As, "as"), f.On.check()}
	if f.Key != forgeRetired && f.Key != forgeRevoked && f.Key != forgeActive {
		errs = append(errs, fmt.Errorf("key %q is not retired (the key the last rotate-key retired), revoked (the key the last revoke-key revoked) "+
			"or active (the node's own, after a revoke step revoked the node)", f.Key))
	}
	if f.Key == forgeActive && f.Iat == iatBeforeRetirement {
		errs = append(errs, errors.New("iat before-retirement needs key retired or revoked"))
	}
	if f.Iat == "" {
		f.Iat = iatNow
	}
	if f.Iat != iatNow && f.Iat != iatBeforeRetirement {
		errs = append(errs, fmt.Errorf("iat %q is not now or before-retirement", f.Iat))
	}
	for _, n := range f.On.Names {
		if n == f.Node {
			errs = append(errs, fmt.Errorf("on: %s is the node whose key is forged; forged objects go to the others", n))
		}
	}
	if action == "forge" {
		if f.Expect != "" && f.Expect != expectAccepted && f.Expect != expectRefused {
			errs = append(errs, fmt.Errorf("expect %q is not accepted or refused", f.Expect))
		}
		if f.Timeout != 0 || f.Measure != "" || f.Every != 0 {
			errs = append(errs, errors.New("timeout, measure and every belong to forge-until-refused"))
		}
		return errors.Join(errs...)
	}
	if f.Expect != "" {
		errs = append(errs, errors.New("forge-until-refused takes no expect (it waits until every node refuses)"))
	}
	if f.Timeout == 0 {
		f.Timeout = defaultRefusalTimeout
	}
	if f.Every == 0 {
		f.Every = defaultForgeEvery
	}
	if f.Every < 10*time.Millisecond || f.Every > 10*time.Second {
		errs = append(errs, fmt.Errorf("every: %s is not within 10ms-10s", f.Every))
	}
	errs = append(errs, duration(f.Timeout, "timeout"))
	if f.Measure != "" {
		errs = append(errs, set(f.Measure, "measure"))
	}
	return errors.Join(errs...)
}

func (ns NodeSet) check() error {
	var errs []error
	for _, n := range append(append([]string(nil), ns.Names...), ns.Except...) {
		errs = append(errs, node(n))
	}
	return errors.Join(errs...)
}

func (c *Check) validate(action string) error {
	var conds []string
	var errs []error
	obj := func(name string, oc *ObjectCond) {
		if oc == nil {
			return
		}
		conds = append(conds, name)
		if oc.Object != "" {
			oc.Objects = append([]string{oc.Object}, oc.Objects...)
		}
		if len(oc.Objects) == 0 {
			errs = append(errs, fmt.Errorf("%s: object (or objects) is required", name))
		}
		for _, o := range oc.Objects {
			errs = append(errs, set(o, name+".object"))
		}
		errs = append(errs, oc.On.check())
	}
	obj("visible", c.Visible)
	obj("absent", c.Absent)
	obj("not-verified", c.NotVerified)
	obj("no-loss", c.NoLoss)
	if c.Adoptions != nil {
		conds = append(conds, "adoptions")
		errs = append(errs, set(c.Adoptions.Object, "adoptions.object"), c.Adoptions.On.check())
		if c.Adoptions.Min < 1 {
			c.Adoptions.Min = 1
		}
	}
	for name, sc := range map[string]*SetCond{"converged": c.Converged, "counts-equal": c.CountsEqual, "running": c.Running} {
		if sc != nil {
			conds = append(conds, name)
			errs = append(errs, sc.On.check())
		}
	}
	if c.Members != nil {
		conds = append(conds, "members")
		errs = append(errs, c.Members.check())
	}
	if c.Chain != nil {
		conds = append(conds, "chain")
		errs = append(errs, node(c.Chain.Node))
		if c.Chain.Status != "verified" && c.Chain.Status != "unverified" {
			errs = append(errs, fmt.Errorf("chain.status %q is not verified or unverified", c.Chain.Status))
		}
	}
	if len(conds) != 1 {
		errs = append(errs, fmt.Errorf("give exactly one condition (visible, absent, not-verified, no-loss, adoptions, "+
			"converged, counts-equal, running, chain, members), not %d", len(conds)))
	}
	if action == "assert" && c.Timeout != 0 {
		errs = append(errs, errors.New("assert takes within (or for), not timeout"))
	}
	if action == "wait-until" && (c.Within != 0 || c.For != 0) {
		errs = append(errs, errors.New("wait-until takes timeout, not within or for"))
	}
	switch c.From {
	case "":
		c.From = fromCheck
		if c.Measure == "heal-convergence" {
			c.From = fromHeal
		}
	case fromCheck, fromHeal, fromRevokeKey, fromStart:
		if c.Measure == "" {
			errs = append(errs, fmt.Errorf("from %q: give measure (from says where the measurement counts from)", c.From))
		}
	default:
		errs = append(errs, fmt.Errorf("from %q is not check, heal, revoke-key or start", c.From))
	}
	if c.For != 0 && c.Within != 0 {
		errs = append(errs, errors.New("within and for exclude each other"))
	}
	if c.Within == 0 && c.Timeout == 0 && c.For == 0 {
		c.Within = 10 * time.Second
	}
	errs = append(errs, duration(c.Within, "within"), duration(c.Timeout, "timeout"), duration(c.For, "for"))
	return errors.Join(errs...)
}

// checkNames checks that every object set a step reads was named by an
// earlier publish or adopt, and every wait-load a background publish.
func (s *Scenario) checkNames() error {
	sets, loads := map[string]bool{}, map[string]bool{}
	rotated, revoked, revokedNode := map[string]bool{}, map[string]bool{}, map[string]bool{}
	need := func(i int, name string) error {
		if !sets[name] {
			return fmt.Errorf("step %d (line %d): %q was not published by an earlier step", i+1, s.Steps[i].Line, name)
		}
		return nil
	}
	var errs []error
	started := false
	for i, st := range s.Steps {
		if st.Action == "start" {
			started = true
		}
		switch {
		case st.Publish != nil:
			sets[st.Publish.As] = true
			if st.Publish.Background {
				loads[st.Publish.As] = true
			}
		case st.Adopt != nil:
			errs = append(errs, need(i, st.Adopt.Object))
			sets[st.Adopt.As] = true
		case st.Cosign != nil:
			errs = append(errs, need(i, st.Cosign.Draft))
		case st.Process != nil && (st.Process.As != "" || st.Process.StoryAs != ""):
			for _, as := range []string{st.Process.As, st.Process.StoryAs} {
				if as != "" {
					sets[as] = true
				}
			}
		case st.Delete != "":
			errs = append(errs, need(i, st.Delete))
		case st.Revoke != nil:
			revokedNode[st.Revoke.Node] = true
		case st.RotateKey != nil:
			rotated[st.RotateKey.Node] = true
		case st.RevokeKey != nil:
			if !rotated[st.RevokeKey.Node] {
				errs = append(errs, fmt.Errorf("step %d (line %d): revoke-key %s: no earlier rotate-key on %s retired a key to revoke",
					i+1, st.Line, st.RevokeKey.Node, st.RevokeKey.Node))
			}
			revoked[st.RevokeKey.Node] = true
		case st.Forge != nil:
			f := st.Forge
			switch {
			case f.Key == forgeRetired && !rotated[f.Node]:
				errs = append(errs, fmt.Errorf("step %d (line %d): %s with key retired: no earlier rotate-key on %s", i+1, st.Line, st.Action, f.Node))
			case f.Key == forgeRevoked && !revoked[f.Node]:
				errs = append(errs, fmt.Errorf("step %d (line %d): %s with key revoked: no earlier revoke-key on %s", i+1, st.Line, st.Action, f.Node))
			case f.Key == forgeActive && st.Action == "forge-until-refused" && !revokedNode[f.Node]:
				errs = append(errs, fmt.Errorf("step %d (line %d): %s with key active: no earlier revoke of %s (it measures from the revocation)", i+1, st.Line, st.Action, f.Node))
			}
			sets[f.As] = true
		case st.Load != "":
			if !loads[st.Load] {
				errs = append(errs, fmt.Errorf("step %d (line %d): wait-load %q names no earlier background publish", i+1, st.Line, st.Load))
			}
		case st.Check != nil:
			for _, oc := range []*ObjectCond{st.Check.Visible, st.Check.Absent, st.Check.NotVerified, st.Check.NoLoss} {
				if oc != nil {
					for _, o := range oc.Objects {
						errs = append(errs, need(i, o))
					}
				}
			}
			if st.Check.From == fromRevokeKey && len(revoked) == 0 {
				errs = append(errs, fmt.Errorf("step %d (line %d): measure from revoke-key: no earlier revoke-key step", i+1, st.Line))
			}
			if st.Check.From == fromStart && !started {
				errs = append(errs, fmt.Errorf("step %d (line %d): measure from start: no earlier start step", i+1, st.Line))
			}
			if st.Check.Adoptions != nil {
				errs = append(errs, need(i, st.Check.Adoptions.Object))
			}
		}
	}
	return errors.Join(errs...)
}
