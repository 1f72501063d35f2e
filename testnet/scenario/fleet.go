package scenario

import (
	"fmt"
	"io"
	"time"

	"github.com/interlink-project/interlink-node/testnet"
)

// fleet is the federation under test as its testnet directory describes
// it; the runner re-reads it after every step (steps change it).
type fleet struct {
	dir string
	st  *testnet.State
}

func (f *fleet) node(name string) (*testnet.NodeState, error) { return f.st.Node(name) }

// reload re-reads the state.
func (f *fleet) reload() error {
	st, err := testnet.LoadState(f.dir)
	if err != nil {
		return err
	}
	f.st = st
	return nil
}

// nodes resolves a node set against the state: "all" is every node that
// should be running (not stopped or killed on purpose).
func (f *fleet) nodes(ns NodeSet) ([]*testnet.NodeState, error) {
	if ns.IsZero() {
		ns = NodeSet{All: true}
	}
	var out []*testnet.NodeState
	if ns.All {
		except := map[string]bool{}
		for _, e := range ns.Except {
			if _, err := f.st.Node(e); err != nil {
				return nil, err
			}
			except[e] = true
		}
		for _, n := range f.st.Nodes {
			if n.Down == "" && !except[n.Name] {
				out = append(out, n)
			}
		}
		return out, nil
	}
	for _, name := range ns.Names {
		n, err := f.st.Node(name)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// printer writes the run's step lines and measurements.
type printer struct{ w io.Writer }

func (p printer) printf(format string, args ...any) { fmt.Fprintf(p.w, format+"\n", args...) }

// marks are the moments a check can measure from (from: heal, from:
// revoke-key): the last heal step and the last revoke-key step's request;
// and the last revoke step's request (forge-until-refused with key active
// measures from it).
type marks struct {
	heal      time.Time
	keyRevoke time.Time
	revoke    time.Time
	start     time.Time // the last start step's request
}
