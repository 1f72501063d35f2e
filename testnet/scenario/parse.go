package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Limits of a scenario file.
const (
	maxScenarioBytes = 1 << 20
	maxSteps         = 1000
	maxCount         = 100000
	maxDuration      = time.Hour
)

// Scenario is a parsed scenario file.
type Scenario struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Nodes       []string      `yaml:"nodes"`   // nodes the scenario names; checked before it runs
	Timeout     time.Duration `yaml:"timeout"` // the whole run; default 5m
	Steps       []Step        `yaml:"-"`
}

// Step is one step: exactly one of its action fields is set.
type Step struct {
	Line   int
	Action string

	Publish   *Publish
	Cosign    *Cosign
	Adopt     *Adopt
	Follow    *Follow
	Revoke    *Revoke
	Reinstate *Reinstate
	Delete    string // delete: the objects of a set, on their origins
	RotateKey *RotateKey
	RevokeKey *RevokeKey
	Forge     *Forge     // forge, forge-until-refused
	Node      string     // kill, stop, start
	Partition [][]string // partition
	Slow      *Slow
	Skew      *Skew
	Sleep     time.Duration
	Load      string // wait-load
	Check     *Check // wait-until, assert
	Process   *Process
}

// Publish publishes Count objects (default 1) on Node, or spread over
// Nodes ("all" for every running node), under the name As. Kind generates them (service, interlinker);
// Object gives one inline (${...} expanded). Background runs it while the
// next steps go on (join it with wait-load); Measure waits after each
// publish until it is visible and verified on On (default all) and records
// the time.
type Publish struct {
	Node        string         `yaml:"node"`
	Nodes       NodeSet        `yaml:"nodes"`
	Kind        string         `yaml:"kind"`
	Object      map[string]any `yaml:"object"`
	As          string         `yaml:"as"`
	Count       int            `yaml:"count"`
	Concurrency int            `yaml:"concurrency"`
	Background  bool           `yaml:"background"`
	Measure     bool           `yaml:"measure"`
	On          NodeSet        `yaml:"on"`
	Timeout     time.Duration  `yaml:"timeout"` // per object: retries while its node is down, and the measurement
	Draft       bool           `yaml:"draft"`   // the node must answer 202 with a draft (co-production)
}

// Cosign approves, on Node, the co-signing request of each draft of Draft.
type Cosign struct {
	Node    string        `yaml:"node"`
	Draft   string        `yaml:"draft"`
	Timeout time.Duration `yaml:"timeout"`
}

// Adopt makes Node adopt the first object of Object: its own service
// instance (is_instance_of) and a signed Adoption, both under As.
type Adopt struct {
	Node   string `yaml:"node"`
	Object string `yaml:"object"`
	As     string `yaml:"as"`
}

// Follow makes Node follow Target.
type Follow struct {
	Node   string `yaml:"node"`
	Target string `yaml:"target"`
}

// Revoke makes Anchor (an anchor or intermediate) revoke its subordinate Node.
type Revoke struct {
	Anchor string `yaml:"anchor"`
	Node   string `yaml:"node"`
	Reason string `yaml:"reason"`
}

// Reinstate enrols a revoked leaf again with its superior Anchor, which
// lifts the revocation (docs/trust.md): a scenario that revokes a node
// leaves the federation whole for the scenarios after it.
type Reinstate struct {
	Anchor string `yaml:"anchor"`
	Node   string `yaml:"node"`
}

// RotateKey rotates Node's content key through its API: a new key signs
// from now on, the previous one is retired.
type RotateKey struct {
	Node string `yaml:"node"`
}

// RevokeKey revokes, through Node's API, the content key the last
// rotate-key on Node retired (a compromised key).
type RevokeKey struct {
	Node   string `yaml:"node"`
	Reason string `yaml:"reason"`
}

// Forge plays an attacker holding a stolen content key of Node: it signs a
// new interlinker (a new IRI on Node's origin, version 1) with the content
// key the last rotate-key retired (Key "retired") or the last revoke-key
// revoked ("revoked"), wraps it in a Create on Node's origin, and posts it,
// HTTP-signed with Node's own HTTP key, to the shared inbox of every node
// of On (default every node but Node). Each object goes into the set As
// with the nodes that accepted it (2xx). The signature's iat is now, or
// with Iat "before-retirement" the second before the key was retired (a
// retired key still verifies that; only a revocation refuses it).
//
// forge posts one object; Expect "accepted" or "refused" makes the step
// fail unless every node did so. forge-until-refused forges a new object
// Every 500 ms (10 ms to 10 s) and posts it to the nodes that have not refused one yet,
// until every node has (any 4xx but 429 counts), or fails after Timeout
// (default 60s); Measure names the figure: the time from the revoke-key
// (or, for a retired key, the rotate-key) step to the last refusal.
type Forge struct {
	Node    string        `yaml:"node"`
	Key     string        `yaml:"key"`
	As      string        `yaml:"as"`
	On      NodeSet       `yaml:"on"`
	Iat     string        `yaml:"iat"`
	Expect  string        `yaml:"expect"`
	Timeout time.Duration `yaml:"timeout"`
	Measure string        `yaml:"measure"`
	Every   time.Duration `yaml:"every"`
}

// Slow sets a node's latency.
type Slow struct {
	Node    string        `yaml:"node"`
	Latency time.Duration `yaml:"latency"`
}

// Skew sets a node's clock skew ("+10m", "-30s").
type Skew struct {
	Node string `yaml:"node"`
	Skew string `yaml:"skew"`
}

// Check is a condition and how long it has to come true (Within, for
// assert; Timeout, for wait-until), or how long it must hold (For).
type Check struct {
	Visible     *ObjectCond `yaml:"visible"`
	Absent      *ObjectCond `yaml:"absent"`
	NotVerified *ObjectCond `yaml:"not-verified"`
	NoLoss      *ObjectCond `yaml:"no-loss"`
	Adoptions   *CountCond  `yaml:"adoptions"`
	Converged   *SetCond    `yaml:"converged"`
	CountsEqual *SetCond    `yaml:"counts-equal"`
	Running     *SetCond    `yaml:"running"`
	Chain       *ChainCond  `yaml:"chain"`
	// Members is about gossip membership (members.go).
	Members *MembersCond `yaml:"members"`

	Within  time.Duration `yaml:"within"`
	Timeout time.Duration `yaml:"timeout"`
	For     time.Duration `yaml:"for"`
	// Measure names the figure the time this check took is recorded as
	// (e.g. heal-convergence, counted from the last heal).
	Measure string `yaml:"measure"`
	// From is where Measure counts from: "check" (the check's start; the
	// default), "heal" (the last heal; heal-convergence's default),
	// "revoke-key" (the last revoke-key step) or "start" (the request of the
	// last start step, before the node's process is started).
	From string `yaml:"from"`
}

// ObjectCond is about the objects published under Object (several names
// with Objects) on the nodes On (default all).
type ObjectCond struct {
	Object   string   `yaml:"object"`
	Objects  []string `yaml:"objects"`
	On       NodeSet  `yaml:"on"`
	Verified bool     `yaml:"verified"` // visible: and verified
	Signers  int      `yaml:"signers"`  // visible: at least this many verified signers
}

// CountCond: the first object of Object has at least Min adoptions on On.
type CountCond struct {
	Object string  `yaml:"object"`
	On     NodeSet `yaml:"on"`
	Min    int     `yaml:"min"`
}

// SetCond is a condition over the nodes On (default all).
type SetCond struct {
	On NodeSet `yaml:"on"`
}

// ChainCond: Node's trust chain has Status (verified, unverified).
type ChainCond struct {
	Node   string `yaml:"node"`
	Status string `yaml:"status"`
}

// NodeSet names nodes: "all" (every node that should be running), a node,
// a list of nodes, or {all-but: [nodes]}.
type NodeSet struct {
	All    bool
	Names  []string
	Except []string
}

// UnmarshalYAML reads the forms of a NodeSet.
func (ns *NodeSet) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == "all" {
			*ns = NodeSet{All: true}
			return nil
		}
		*ns = NodeSet{Names: splitNames(n.Value)}
	case yaml.SequenceNode:
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		*ns = NodeSet{Names: names}
	case yaml.MappingNode:
		var m struct {
			AllBut []string `yaml:"all-but"`
		}
		if err := strictDecode(n, &m); err != nil {
			return err
		}
		*ns = NodeSet{All: true, Except: m.AllBut}
	default:
		return fmt.Errorf("line %d: a node set is all, a node, a list or {all-but: [...]}", n.Line)
	}
	if len(ns.Names) == 0 && !ns.All {
		return fmt.Errorf("line %d: an empty node set", n.Line)
	}
	return nil
}

// IsZero reports an unset NodeSet (which means all).
func (ns NodeSet) IsZero() bool { return !ns.All && len(ns.Names) == 0 }

func splitNames(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

var (
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	setPattern  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)
)

// Parse reads a scenario strictly: unknown keys, steps with no or several
// actions, and wrong values are errors naming the line.
func Parse(raw []byte) (*Scenario, error) {
	if len(raw) > maxScenarioBytes {
		return nil, fmt.Errorf("scenario: larger than %d bytes", maxScenarioBytes)
	}
	var doc struct {
		Scenario `yaml:",inline"`
		Steps    []yaml.Node `yaml:"steps"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("scenario: empty file")
		}
		return nil, fmt.Errorf("scenario: %w", err)
	}
	s := doc.Scenario
	if strings.TrimSpace(s.Name) == "" {
		return nil, errors.New("scenario: name is required")
	}
	if s.Timeout == 0 {
		s.Timeout = 5 * time.Minute
	}
	if s.Timeout < 0 || s.Timeout > maxDuration {
		return nil, fmt.Errorf("scenario: timeout %s is not within 0-%s", s.Timeout, maxDuration)
	}
	for _, n := range s.Nodes {
		if !namePattern.MatchString(n) {
			return nil, fmt.Errorf("scenario: nodes: %q is not a node name", n)
		}
	}
	if len(doc.Steps) == 0 {
		return nil, errors.New("scenario: steps: at least one step is needed")
	}
	if len(doc.Steps) > maxSteps {
		return nil, fmt.Errorf("scenario: steps: %d steps, at most %d", len(doc.Steps), maxSteps)
	}
	for i := range doc.Steps {
		st, err := parseStep(&doc.Steps[i])
		if err != nil {
			return nil, fmt.Errorf("scenario: step %d (line %d): %w", i+1, doc.Steps[i].Line, err)
		}
		s.Steps = append(s.Steps, st)
	}
	if err := s.checkNames(); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return &s, nil
}

// strictDecode decodes n into v, refusing unknown keys.
func strictDecode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}
