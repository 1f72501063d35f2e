package gossip

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/memberlist"
)

// Profiles accepted in Config.Profile.
const (
	ProfileLocal = "local" // one machine or loopback test federations
	ProfileLAN   = "lan"   // a data centre or national network
	ProfileWAN   = "wan"   // members across the internet
)

// maxNameLen bounds member names so that alive messages stay well inside
// memberlist's 1,400-byte packets together with the metadata.
const maxNameLen = 255

// Config configures a gossip pool member.
type Config struct {
	Name      string   // unique member name (the node's public URL is a good one)
	Bind      string   // ip:port for both TCP and UDP; the port must not be 0
	Advertise string   // ip:port others reach; default Bind
	Seeds     []string // host:port of members to join through
	Keyring   [][]byte // AES-256 keys (32 bytes each), first is primary; required
	Profile   string   // local | lan | wan (default lan)
	Meta      Meta     // this node's hints
	Logger    *slog.Logger
	// JoinInBackground makes Start return once memberlist is up even when no
	// seed answers its first join attempt: the seeds are then retried in the
	// background, with backoff, until one answers or the pool shuts down. A
	// node uses it so that it starts (and serves) before its seeds do.
	// Without it Start retries until one answers or its context ends.
	JoinInBackground bool
	// WrapTransport, when set, wraps memberlist's network transport (tests:
	// fault injection, partitions). It sees the encrypted packets; the
	// byte counters in Stats sit below it and count what reaches the network.
	WrapTransport func(memberlist.Transport) memberlist.Transport
	// Transport, when set, replaces memberlist's network transport: Start
	// listens on nothing, and Bind and Advertise are only the address the
	// member advertises (simulations: testnet/sim). The byte counters and
	// WrapTransport still sit above it. The pool shuts it down.
	Transport memberlist.NodeAwareTransport
	// TimeScale, for simulations only, multiplies every interval and
	// timeout of the profile (memberlist's and the pool's anti-entropy):
	// a simulation that runs many members in one process slows time down
	// by it, with its network's latency, and divides what it measures by
	// it (testnet/sim). Below 1 (the zero value): real time.
	TimeScale float64
}

// settings is a validated Config.
type settings struct {
	name          string
	bindIP        string
	bindPort      int
	advertiseIP   string // empty: memberlist chooses (only when bound to an unspecified address)
	advertisePort int
	seeds         []string
	keyring       *memberlist.Keyring
	meta          []byte
	profile       string
	logger        *slog.Logger
	wrap          func(memberlist.Transport) memberlist.Transport
	background    bool
	transport     memberlist.NodeAwareTransport
	scale         float64 // TimeScale, at least 1
}

func (c Config) validate() (*settings, error) {
	s := &settings{profile: c.Profile, logger: c.Logger, wrap: c.WrapTransport, background: c.JoinInBackground,
		transport: c.Transport, scale: max(c.TimeScale, 1)}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if err := checkName(c.Name); err != nil {
		return nil, fmt.Errorf("gossip config: name %q: %w", c.Name, err)
	}
	s.name = c.Name
	switch s.profile {
	case "":
		s.profile = ProfileLAN
	case ProfileLocal, ProfileLAN, ProfileWAN:
	default:
		return nil, fmt.Errorf("gossip config: profile %q: want local, lan or wan", c.Profile)
	}

	bind, err := parseIPPort(c.Bind)
	if err != nil {
		return nil, fmt.Errorf("gossip config: bind %q: %w", c.Bind, err)
	}
	s.bindIP, s.bindPort = bind.Addr().String(), int(bind.Port())
	switch {
	case c.Advertise != "":
		adv, err := parseIPPort(c.Advertise)
		if err != nil {
			return nil, fmt.Errorf("gossip config: advertise %q: %w", c.Advertise, err)
		}
		if adv.Addr().IsUnspecified() {
			return nil, fmt.Errorf("gossip config: advertise %q: an unspecified address cannot be reached", c.Advertise)
		}
		s.advertiseIP, s.advertisePort = adv.Addr().String(), int(adv.Port())
	case bind.Addr().IsUnspecified():
		// memberlist picks a private address of this host.
		s.advertisePort = s.bindPort
	default:
		s.advertiseIP, s.advertisePort = s.bindIP, s.bindPort
	}

	self := net.JoinHostPort(s.advertiseIP, strconv.Itoa(s.advertisePort))
	for _, seed := range c.Seeds {
		host, port, err := net.SplitHostPort(seed)
		if err != nil || host == "" {
			return nil, fmt.Errorf("gossip config: seed %q: want host:port", seed)
		}
		if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("gossip config: seed %q: bad port", seed)
		}
		if seed == self || seed == c.Bind {
			continue // a node listed among its own seeds does not join itself
		}
		s.seeds = append(s.seeds, seed)
	}

	if len(c.Keyring) == 0 {
		return nil, errors.New("gossip config: keyring: at least one AES-256 key is required (gossip is encrypted)")
	}
	for i, k := range c.Keyring {
		if len(k) != 32 {
			return nil, fmt.Errorf("gossip config: keyring key %d: %d bytes, want 32 (AES-256)", i, len(k))
		}
		for j := range i {
			if bytes.Equal(c.Keyring[j], k) {
				return nil, fmt.Errorf("gossip config: keyring key %d duplicates key %d", i, j)
			}
		}
	}
	s.keyring, err = memberlist.NewKeyring(c.Keyring[1:], c.Keyring[0])
	if err != nil {
		return nil, fmt.Errorf("gossip config: keyring: %w", err)
	}

	s.meta, err = c.Meta.Encode()
	if err != nil {
		return nil, fmt.Errorf("gossip config: %w", err)
	}
	return s, nil
}

func parseIPPort(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("want ip:port with a literal IP address: %w", err)
	}
	if ap.Port() == 0 {
		return netip.AddrPort{}, errors.New("port 0 is not supported: memberlist needs the same port free for TCP and UDP, pick one")
	}
	if ap.Addr().Zone() != "" {
		return netip.AddrPort{}, errors.New("IPv6 zones are not supported")
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case len(name) > maxNameLen:
		return fmt.Errorf("%d bytes, at most %d", len(name), maxNameLen)
	case !utf8.ValidString(name):
		return errors.New("not valid UTF-8")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("contains %U (no spaces or control characters)", r)
		}
	}
	return nil
}

// memberlistConfig returns memberlist's configuration for the profile, tuned
// for fast convergence and failure detection with bounded traffic.
//
// The tuning, per knob (see docs for measurements):
//   - RetransmitMult 6 (local/lan): each broadcast is retransmitted
//     6·⌈log10(n+1)⌉ times, which makes infect-and-die losses rare.
//   - GossipInterval/GossipNodes: faster fan-out drains the broadcast queue of
//     a join storm within a second; gossip is only sent when a broadcast is
//     queued, so steady-state traffic does not grow with it.
//   - PushPullInterval: full-state anti-entropy bounds the tail; memberlist
//     scales it up with log2(n/32) above 32 members.
//   - ProbeInterval/SuspicionMult: suspicion timeout is
//     SuspicionMult·log10(n)·ProbeInterval, kept well under 8 s at 64 members.
//   - DeadNodeReclaimTime: a restarted member may come back under its old
//     name from a new address once it has been dead that long.
func memberlistConfig(profile string) *memberlist.Config {
	var c *memberlist.Config
	switch profile {
	case ProfileLocal:
		c = memberlist.DefaultLocalConfig()
		c.RetransmitMult = 6
		c.GossipInterval = 50 * time.Millisecond
		c.GossipNodes = 4
		c.PushPullInterval = 1 * time.Second
		c.ProbeInterval = 500 * time.Millisecond
		c.ProbeTimeout = 250 * time.Millisecond
		c.SuspicionMult = 4
		c.SuspicionMaxTimeoutMult = 3
		c.TCPTimeout = 2 * time.Second
		c.DeadNodeReclaimTime = 5 * time.Second
	case ProfileWAN:
		c = memberlist.DefaultWANConfig()
		c.RetransmitMult = 6
		c.GossipInterval = 250 * time.Millisecond
		c.GossipNodes = 4
		c.PushPullInterval = 10 * time.Second
		c.ProbeInterval = 2 * time.Second
		c.SuspicionMult = 4
		c.SuspicionMaxTimeoutMult = 4
		c.DeadNodeReclaimTime = 60 * time.Second
	default: // lan
		c = memberlist.DefaultLANConfig()
		c.RetransmitMult = 6
		c.GossipInterval = 100 * time.Millisecond
		c.GossipNodes = 4
		c.PushPullInterval = 2 * time.Second
		c.ProbeInterval = 600 * time.Millisecond
		c.SuspicionMult = 4
		c.SuspicionMaxTimeoutMult = 3
		c.DeadNodeReclaimTime = 15 * time.Second
	}
	c.GossipVerifyIncoming = true
	c.GossipVerifyOutgoing = true
	return c
}

// scaled multiplies d by the time scale of a simulation (1 in real time).
func (s *settings) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * s.scale)
}

// scaleTimes multiplies the durations of c by s's time scale.
func (s *settings) scaleTimes(c *memberlist.Config) {
	for _, d := range []*time.Duration{&c.GossipInterval, &c.PushPullInterval, &c.ProbeInterval, &c.ProbeTimeout,
		&c.TCPTimeout, &c.DeadNodeReclaimTime, &c.GossipToTheDeadTime, &c.QueueCheckInterval} {
		*d = s.scaled(*d)
	}
}
