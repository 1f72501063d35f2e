package node

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/peering"
	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/storage"
	"github.com/interlink-project/interlink-node/testnet/testenv"
)

var testGossipKey = base64.StdEncoding.EncodeToString([]byte("interlink-node-gossip-test-key32"))

// freeGossipAddr returns host:port with the port free for TCP and UDP.
func freeGossipAddr(t testing.TB, host string) string {
	t.Helper()
	return testenv.FreeAddr(t, host, true)
}

// fakeChecker answers member checks without a trust layer and counts them.
type fakeChecker struct {
	verified bool
	mu       sync.Mutex
	calls    map[string]int
}

func (f *fakeChecker) CheckMember(ctx context.Context, entityID string) (peering.MemberTrust, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[entityID]++
	if !f.verified {
		return peering.MemberTrust{Reason: "no chain to a pinned anchor"}, nil
	}
	return peering.MemberTrust{Verified: true, Name: "Org " + entityID, Country: "IT", Anchor: "http://anchor.test", Expires: time.Now().Add(time.Hour)}, nil
}

func (f *fakeChecker) count(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[id]
}

// gossipNode is a test node in a gossip pool.
type gossipNode struct {
	*testNode
	listen, bind string
}

// startGossipNode starts a test-federation node with gossip on host
// (bind == "": a fresh port), seeded by seeds, with checker (may be nil).
func startGossipNode(t testing.TB, dir, listen, bind string, seeds []string, discovery string, checker peering.Checker) *gossipNode {
	t.Helper()
	host, _, _ := net.SplitHostPort(listen)
	if bind == "" {
		bind = freeGossipAddr(t, host)
	}
	cfg := Defaults()
	cfg.Data, cfg.Listen, cfg.Log.Level = dir, listen, "error"
	fedConfig(&cfg)
	cfg.Country = "IT"
	cfg.Gossip = GossipConfig{Bind: bind, Seeds: seeds, Keyring: []string{testGossipKey}, Profile: "local", Discovery: discovery}
	n, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard})
	if err != nil {
		t.Fatalf("new node: %v", err)
	}
	if checker != nil {
		n.memberCheck = checker
	}
	n.gossipMetaHints = func() (string, string) { return "sha256-test", "node" }
	if err := n.Start(); err != nil {
		n.Close()
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	cred, err := os.ReadFile(filepath.Join(dir, localCredentialFile))
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, n: n, dir: dir, url: "http://" + n.Addr(), admin: strings.TrimSpace(string(cred))}
	tn.waitReady()
	return &gossipNode{testNode: tn, listen: listen, bind: bind}
}

// startGossipFed starts len(hosts) nodes joining through the first.
func startGossipFed(t testing.TB, hosts []string, discovery string, checker peering.Checker) []*gossipNode {
	t.Helper()
	var out []*gossipNode
	var seeds []string
	for _, h := range hosts {
		g := startGossipNode(t, t.TempDir(), freeAddr(t, h), "", seeds, discovery, checker)
		if seeds == nil {
			seeds = []string{g.bind}
		}
		out = append(out, g)
	}
	return out
}

// members reads GET /api/v1/members.
func (tn *testNode) members(t testing.TB) api.Members {
	t.Helper()
	r := tn.do("GET", "/api/v1/members", tn.admin, "", nil)
	if r.status != 200 {
		t.Fatalf("members: %d %s", r.status, r.body)
	}
	var v api.Members
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("members: %v: %s", err, r.body)
	}
	return v
}

func findMember(v api.Members, name string) (api.Member, bool) {
	for _, m := range v.Items {
		if m.Name == name {
			return m, true
		}
	}
	return api.Member{}, false
}

// sees reports whether tn sees every one of nodes with status and trust
// ("" for any trust).
func (tn *testNode) sees(t testing.TB, nodes []*gossipNode, status, trust string) bool {
	v := tn.members(t)
	for _, g := range nodes {
		m, ok := findMember(v, g.n.PublicURL())
		if !ok || m.Status != status {
			return false
		}
		if trust != "" && g.n.PublicURL() != v.Self && m.Trust != trust {
			return false
		}
	}
	return true
}

func followings(t testing.TB, tn *testNode, state string) []storage.Follow {
	t.Helper()
	fs, _, _, err := tn.n.live.store().Follows().Followings(context.Background(), "", 100, state)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestGossipConfigValidation(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	tests := []struct {
		name string
		g    GossipConfig
		want string // "" valid
	}{
		{"off by default", gossipDefaults(), ""},
		{"on", GossipConfig{Bind: "127.0.0.1:7946", Seeds: []string{"node.example.eu:7946"}, Keyring: []string{testGossipKey}, Profile: "wan", Discovery: "follow-trusted"}, ""},
		{"keyring required", GossipConfig{Bind: "127.0.0.1:7946", Profile: "lan", Discovery: "off"}, "gossip.keyring: at least one key"},
		{"short key", GossipConfig{Bind: "127.0.0.1:7946", Keyring: []string{short}, Profile: "lan", Discovery: "off"}, "gossip.keyring: key 0 decodes to 16 bytes, want 32"},
		{"not base64", GossipConfig{Bind: "127.0.0.1:7946", Keyring: []string{testGossipKey, "%%%"}, Profile: "lan", Discovery: "off"}, "gossip.keyring: key 1 is not base64"},
		{"repeated key", GossipConfig{Bind: "127.0.0.1:7946", Keyring: []string{testGossipKey, testGossipKey}, Profile: "lan", Discovery: "off"}, "key 1 repeats key 0"},
		{"bind without port", GossipConfig{Bind: "127.0.0.1", Keyring: []string{testGossipKey}, Profile: "lan", Discovery: "off"}, "gossip.bind"},
		{"bind port 0", GossipConfig{Bind: "127.0.0.1:0", Keyring: []string{testGossipKey}, Profile: "lan", Discovery: "off"}, "port 0"},
		{"bind by name", GossipConfig{Bind: "localhost:7946", Keyring: []string{testGossipKey}, Profile: "lan", Discovery: "off"}, "literal IP"},
		{"unspecified advertise", GossipConfig{Bind: "0.0.0.0:7946", Advertise: "0.0.0.0:7946", Keyring: []string{testGossipKey}, Profile: "lan", Discovery: "off"}, "gossip.advertise"},
		{"bad seed", GossipConfig{Bind: "127.0.0.1:7946", Seeds: []string{"no-port"}, Keyring: []string{testGossipKey}, Profile: "lan", Discovery: "off"}, "gossip.seeds: entry 0"},
		{"profile", GossipConfig{Profile: "moon", Discovery: "off"}, "gossip.profile"},
		{"discovery", GossipConfig{Profile: "lan", Discovery: "follow-everyone"}, "gossip.discovery"},
		{"seeds without bind", GossipConfig{Seeds: []string{"a:1"}, Profile: "lan", Discovery: "off"}, "gossip.bind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.Gossip = tt.g
			err := cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("valid config refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}

	// File and environment: the contract's keys, unknown keys named.
	dir := t.TempDir()
	file := filepath.Join(dir, "g.yaml")
	yml := "gossip:\n  bind: 127.0.0.5:7946\n  advertise: 127.0.0.5:7946\n  seeds: [\"127.0.0.1:7946\"]\n  keyring: [\"" + testGossipKey + "\"]\n  profile: local\n"
	if err := os.WriteFile(file, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	if err := cfg.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	if err := cfg.LoadEnv([]string{"INTERLINK_GOSSIP_DISCOVERY=follow-trusted"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if g := cfg.Gossip; g.Bind != "127.0.0.5:7946" || g.Seeds[0] != "127.0.0.1:7946" || g.Profile != "local" || g.Discovery != "follow-trusted" {
		t.Fatalf("gossip section: %+v", g)
	}
	if err := os.WriteFile(file, []byte("gossip:\n  seed: [x]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := Defaults()
	if err := fresh.LoadFile(file); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Fatalf("unknown gossip key: %v", err)
	}
}

func TestGossipOffMembersAnswersDisabled(t *testing.T) {
	a := startNode(t, t.TempDir(), "127.0.0.1")
	v := a.members(t)
	if v.Enabled || len(v.Items) != 0 || v.Self != a.n.PublicURL() {
		t.Fatalf("members with gossip off: %+v", v)
	}
	if r := a.get("/api/v1/members"); r.status != 401 {
		t.Fatalf("members without a token: %d, want 401", r.status)
	}
	if body := string(a.get("/metrics").body); !strings.Contains(body, "interlink_gossip_enabled 0") {
		t.Fatal("metrics lack interlink_gossip_enabled 0")
	}
}

func TestGossipFollowTrustedDiscoversFollowsAndBackfills(t *testing.T) {
	checker := &fakeChecker{verified: true}
	nodes := startGossipFed(t, []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}, DiscoveryFollowTrusted, checker)
	a, c := nodes[0], nodes[2]
	for _, g := range nodes {
		eventually(t, 10*time.Second, g.url+" sees the three members alive and verified", func() bool {
			return g.sees(t, nodes, "alive", peering.TrustVerified)
		})
	}
	for _, g := range nodes {
		eventually(t, 10*time.Second, g.url+" follows the two others", func() bool {
			return len(followings(t, g.testNode, storage.FollowAccepted)) == 2
		})
	}
	editor := a.token("editor")
	created := a.postJSON("/api/v1/objects", editor, interlinkerBody("gossip_guide", "Gossip guide", "Guida gossip", "P1")).json(t)
	eventually(t, 10*time.Second, "the object created on A is searchable on C", func() bool {
		return contains(searchNames(t, c.testNode, "q=gossip"), "gossip_guide")
	})
	if st, _ := c.object(created["iri"].(string)); st != 200 {
		t.Fatalf("C does not hold A's object: %d", st)
	}

	v := c.members(t)
	m, _ := findMember(v, a.n.PublicURL())
	if m.EntityID != a.n.PublicURL() || m.Country != "IT" || m.Role != "node" || m.Anchor != "http://anchor.test" ||
		m.Organisation != "Org "+a.n.PublicURL() || !m.Followed || m.LastSeen == "" || m.Since == "" || m.Address == "" {
		t.Fatalf("C's view of A: %+v", m)
	}
	if _, err := time.Parse(time.RFC3339, m.LastSeen); err != nil {
		t.Fatalf("last_seen %q: %v", m.LastSeen, err)
	}
	// Checks are cached: a few reconciles later, each member was checked
	// once per observer.
	time.Sleep(2 * peering.ReconcileEvery)
	for _, g := range nodes {
		if n := checker.count(g.n.PublicURL()); n != len(nodes)-1 {
			t.Errorf("%s checked %d times, want once by each of the %d others", g.url, n, len(nodes)-1)
		}
	}
	body := string(c.get("/metrics").body)
	for _, want := range []string{`interlink_gossip_members{status="alive"} 3`, `interlink_gossip_members_trust{trust="verified"} 2`,
		"interlink_gossip_enabled 1", "interlink_gossip_sent_bytes_total", "interlink_deliveries_paused_hosts 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestGossipAnnounceOnlyDoesNotFollow(t *testing.T) {
	checker := &fakeChecker{verified: true}
	nodes := startGossipFed(t, []string{"127.0.0.1", "127.0.0.2"}, DiscoveryAnnounceOnly, checker)
	for _, g := range nodes {
		eventually(t, 10*time.Second, g.url+" sees both verified", func() bool { return g.sees(t, nodes, "alive", peering.TrustVerified) })
	}
	time.Sleep(time.Second)
	for _, g := range nodes {
		if fs := followings(t, g.testNode, ""); len(fs) != 0 {
			t.Fatalf("%s follows %d nodes under announce-only", g.url, len(fs))
		}
	}
	// A node with the real trust layer and no anchor pinned: the members'
	// entity configurations verify, but no chain vouches for them, so they
	// are unverified and follow-trusted follows none of them.
	bare := startGossipNode(t, t.TempDir(), freeAddr(t, "127.0.0.3"), "", []string{nodes[0].bind}, DiscoveryFollowTrusted, nil)
	eventually(t, 10*time.Second, "the node without anchors sees the others unverified", func() bool {
		return bare.sees(t, nodes, "alive", peering.TrustUnverified)
	})
	if m, _ := findMember(bare.members(t), nodes[0].n.PublicURL()); !strings.Contains(m.TrustReason, "pinned") {
		t.Fatalf("unverified member's reason: %+v", m)
	}
	time.Sleep(time.Second)
	if fs := followings(t, bare.testNode, ""); len(fs) != 0 {
		t.Fatalf("follow-trusted followed %d unverified nodes", len(fs))
	}
}

func TestGossipDownMemberPausedThenFlushedAndRejoins(t *testing.T) {
	checker := &fakeChecker{verified: false}
	nodes := startGossipFed(t, []string{"127.0.0.1", "127.0.0.2"}, DiscoveryAnnounceOnly, checker)
	a, b := nodes[0], nodes[1]
	b.follow(t, a.testNode)
	eventually(t, 10*time.Second, "both alive, checked unverified", func() bool { return a.sees(t, nodes, "alive", peering.TrustUnverified) })
	hostB := federation.HostOf(b.n.PublicURL())

	// A graceful stop leaves the pool: A pauses B at once.
	dirB, listenB, bindB := b.dir, b.listen, b.bind
	if err := b.n.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "A sees B left", func() bool { return a.sees(t, nodes[1:], "left", "") })
	eventually(t, 5*time.Second, "A pauses B's deliveries", func() bool { _, ok := a.n.live.fed().PausedHosts()[hostB]; return ok })
	editor := a.token("editor")
	created := a.postJSON("/api/v1/objects", editor, interlinkerBody("while_away", "Published while away", "Pubblicato")).json(t)
	time.Sleep(700 * time.Millisecond)
	stats, err := a.n.live.store().Queue().QueueStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if q := stats[hostB]; q.Pending != 1 || q.LastStatus != 0 || !q.LastFailure.IsZero() {
		t.Fatalf("B's queue on A while B is away: %+v (want one delivery, never attempted)", q)
	}

	// B restarts under the same name: A sees it alive and flushes its queue.
	b2 := startGossipNode(t, dirB, listenB, bindB, []string{a.bind}, DiscoveryAnnounceOnly, checker)
	eventually(t, 10*time.Second, "A sees the restarted B alive", func() bool { return a.sees(t, []*gossipNode{b2}, "alive", "") })
	eventually(t, 10*time.Second, "the object published while B was away reaches B", func() bool {
		st, _ := b2.object(created["iri"].(string))
		return st == 200
	})
	if len(a.n.live.fed().PausedHosts()) != 0 {
		t.Fatalf("still paused: %v", a.n.live.fed().PausedHosts())
	}

	// A crash (no leave message): A declares B dead and pauses it.
	if err := b2.n.gossip.Load().Pool().Shutdown(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "A sees the crashed B dead", func() bool { return a.sees(t, []*gossipNode{b2}, "dead", "") })
	eventually(t, 5*time.Second, "A pauses the dead B", func() bool { _, ok := a.n.live.fed().PausedHosts()[hostB]; return ok })
	// Close reports that it could not leave a pool that is already down.
	if err := b2.n.Close(); err == nil || !strings.Contains(err.Error(), "leave the gossip pool") {
		t.Fatalf("close after the crash: %v, want the failed leave reported", err)
	}
}

func TestGossipMemberNameIsThePublicURL(t *testing.T) {
	g := startGossipNode(t, t.TempDir(), freeAddr(t, "127.0.0.4"), "", nil, DiscoveryOff, nil)
	v := g.members(t)
	if !v.Enabled || v.Self != g.n.PublicURL() || len(v.Items) != 1 {
		t.Fatalf("a lone member's view: %+v", v)
	}
	m := v.Items[0]
	_, port, _ := net.SplitHostPort(g.bind)
	if m.Name != g.n.PublicURL() || m.Status != "alive" || m.Trust != peering.TrustUnchecked || m.TrustReason != "this node" ||
		!strings.HasSuffix(m.Address, ":"+port) || m.Role != "node" || m.Version != Version {
		t.Fatalf("self: %+v", m)
	}
	if _, err := strconv.Atoi(port); err != nil {
		t.Fatal(err)
	}
}
