package testnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/interlink-project/interlink-node/federation/faults"
)

// Files of a testnet directory.
const (
	StateFile = "testnet.json"
	lockFile  = "testnet.lock"
	nodesDir  = "nodes"
)

// State is what DIR/testnet.json records of a running federation.
type State struct {
	Dir      string    `json:"dir"`
	Manifest string    `json:"manifest"`
	Binary   string    `json:"binary"` // the interlink binary the nodes run
	Created  time.Time `json:"created"`
	Trust    bool      `json:"trust"`
	Gossip   bool      `json:"gossip"`
	Follows  string    `json:"follows"`
	// Keyring is the gossip keyring (base64 AES-256 keys), primary first.
	Keyring []string     `json:"keyring,omitempty"`
	Nodes   []*NodeState `json:"nodes"`
}

// NodeState is one node of a federation.
type NodeState struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Country     string `json:"country"`
	OrgKind     string `json:"org_kind"`
	Role        string `json:"role"`
	Superior    string `json:"superior,omitempty"`
	Anchor      string `json:"anchor,omitempty"` // the anchor at the top of its chain
	// Aggregator: the node follows every other node (NodeSpec.Aggregator).
	Aggregator bool `json:"aggregator,omitempty"`

	Host   string `json:"host"`             // its 127.0.0.x
	Port   int    `json:"port"`             // HTTP
	URL    string `json:"url"`              // public URL, http://host:port
	Gossip string `json:"gossip,omitempty"` // gossip host:port

	Data   string `json:"data"`   // data directory; DATA/local-credential holds an admin token
	Config string `json:"config"` // the written configuration
	Log    string `json:"log"`

	PID int `json:"pid"` // 0 when not running
	// Down says why testnet took the node down on purpose: "stopped"
	// (SIGTERM) or "killed" (SIGKILL); empty while it should run.
	Down string `json:"down,omitempty"`

	EntityID       string   `json:"entity_id,omitempty"`
	FederationKids []string `json:"federation_kids,omitempty"`
	// Faults are the faults testnet set on the node, re-applied when it
	// starts again.
	Faults faults.Spec `json:"faults"`
	// Seeded counts the objects the node was seeded with at up.
	Seeded int `json:"seeded"`
}

// TokenFile is where the node's admin token is.
func (n *NodeState) TokenFile() string { return filepath.Join(n.Data, "local-credential") }

// Token reads the node's admin token.
func (n *NodeState) Token() (string, error) {
	b, err := os.ReadFile(n.TokenFile())
	if err != nil {
		return "", fmt.Errorf("node %s: admin token: %w", n.Name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Actor is the node's ActivityPub actor.
func (n *NodeState) Actor() string { return n.URL + "/actor" }

// Node finds a node by name; the error lists the names there are.
func (s *State) Node(name string) (*NodeState, error) {
	for _, n := range s.Nodes {
		if n.Name == name {
			return n, nil
		}
	}
	names := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		names[i] = n.Name
	}
	return nil, fmt.Errorf("no node %q in %s (nodes: %s)", name, s.Dir, strings.Join(names, ", "))
}

// AbsDir returns dir as an absolute, clean path: the string every node's
// command line contains, by which testnet recognises its processes.
func AbsDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no testnet directory: pass --dir")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("testnet directory %s: %w", dir, err)
	}
	return abs, nil
}

// LoadState reads DIR/testnet.json.
func LoadState(dir string) (*State, error) {
	dir, err := AbsDir(dir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no federation in %s (no %s): start one with `interlink testnet up --dir %s`", dir, StateFile, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read testnet state: %w", err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w (stop its processes with `interlink testnet down --dir %s`, or remove the directory)",
			filepath.Join(dir, StateFile), err, dir)
	}
	s.Dir = dir
	return &s, nil
}

// Save writes DIR/testnet.json atomically.
func (s *State) Save() error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode testnet state: %w", err)
	}
	path := filepath.Join(s.Dir, StateFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write testnet state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write testnet state: %w", err)
	}
	return nil
}

// Lock takes DIR/testnet.lock exclusively (several testnet commands may
// run at once: a scenario and an operator's status). The returned function
// releases it.
func Lock(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("testnet directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("testnet lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("testnet lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// Update loads the state under the lock, calls fn, and saves the state,
// also when fn fails: what it did before failing (a process stopped) is
// real and must be recorded.
func Update(dir string, fn func(*State) error) (*State, error) {
	abs, err := AbsDir(dir)
	if err != nil {
		return nil, err
	}
	unlock, err := Lock(abs)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s, err := LoadState(abs)
	if err != nil {
		return nil, err
	}
	err = fn(s)
	return s, errors.Join(err, s.Save())
}

// updateNode is Update of the node name: fn gets the state and the node.
func updateNode(dir, name string, fn func(s *State, n *NodeState) error) error {
	_, err := Update(dir, func(s *State) error {
		n, err := s.Node(name)
		if err != nil {
			return err
		}
		return fn(s, n)
	})
	return err
}
