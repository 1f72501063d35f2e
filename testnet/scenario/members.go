package scenario

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/testnet"
)

// MembersCond is about gossip membership as the nodes On (default all)
// see it, in GET /api/v1/members: every node of Alive (default On) is
// alive to each of them, or every node of Gone is dead or left.
type MembersCond struct {
	On    NodeSet `yaml:"on"`
	Alive NodeSet `yaml:"alive"`
	Gone  NodeSet `yaml:"gone"`
}

func (mc *MembersCond) String() string {
	if !mc.Gone.IsZero() {
		return "members gone"
	}
	return "members alive"
}

// check validates the condition's node sets.
func (mc *MembersCond) check() error {
	var errs []error
	if !mc.Alive.IsZero() && !mc.Gone.IsZero() {
		errs = append(errs, errors.New("members: give alive or gone, not both"))
	}
	return errors.Join(append(errs, mc.On.check(), mc.Alive.check(), mc.Gone.check())...)
}

// members evaluates a members condition. A node sees itself alive, so it
// is not asked about itself.
func (ck *checks) members(ctx context.Context, mc *MembersCond) (outcome, error) {
	on, err := ck.fl.nodes(mc.On)
	if err != nil {
		return outcome{}, err
	}
	gone := !mc.Gone.IsZero()
	targetSet := mc.Alive
	if gone {
		targetSet = mc.Gone
	} else if targetSet.IsZero() {
		targetSet = mc.On
	}
	targets, err := ck.fl.nodes(targetSet)
	if err != nil {
		return outcome{}, err
	}
	o := outcome{ok: true}
	var mu sync.Mutex
	fail := func(format string, args ...any) {
		mu.Lock()
		o.fail(format, args...)
		mu.Unlock()
	}
	forNodes(on, func(n *testnet.NodeState) {
		tok, err := n.Token()
		if err != nil {
			fail("%s: %v", n.Name, err)
			return
		}
		var ms api.Members
		if _, err := ck.c.Do(ctx, http.MethodGet, n.URL+"/api/v1/members", tok, nil, &ms); err != nil {
			fail("%s: members: %v", n.Name, err)
			return
		}
		status := make(map[string]string, len(ms.Items))
		for _, m := range ms.Items {
			status[strings.TrimSuffix(m.Name, "/")] = m.Status
		}
		var wrong []string
		for _, t := range targets {
			if t.Name == n.Name {
				continue
			}
			st, known := status[t.URL]
			switch {
			case gone && known && st != "dead" && st != "left":
				wrong = append(wrong, t.Name+" "+st)
			case !gone && st != "alive":
				if !known {
					st = "unknown"
				}
				wrong = append(wrong, t.Name+" "+st)
			}
		}
		if len(wrong) > 0 {
			fail("%s sees %s", n.Name, shortList(wrong))
		}
	})
	return o, nil
}

// shortList joins at most five entries and counts the rest.
func shortList(s []string) string {
	if len(s) > 5 {
		return strings.Join(s[:5], ", ") + " and " + strconv.Itoa(len(s)-5) + " more"
	}
	return strings.Join(s, ", ")
}
