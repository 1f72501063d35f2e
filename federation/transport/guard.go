package transport

import (
	"fmt"
	"net/netip"
	"syscall"
)

// addrClass is what the guard thinks of a destination address.
type addrClass int

const (
	classPublic  addrClass = iota // always allowed
	classPrivate                  // allowed only with AllowPrivateNetworks
	classNever                    // never allowed: no legitimate peer lives there
)

type rangeRule struct {
	prefix netip.Prefix
	class  addrClass
	reason string
}

// rules lists the special-purpose ranges (RFC 6890 and successors) that a
// federation peer cannot legitimately be on. Embedded IPv4 (NAT64, 6to4,
// IPv4-translated) is unwrapped first, IPv4-mapped by Unmap.
var rules = func() []rangeRule {
	raw := []struct {
		cidr   string
		class  addrClass
		reason string
	}{
		{"0.0.0.0/8", classNever, "unspecified (\"this network\")"},
		{"127.0.0.0/8", classPrivate, "loopback"},
		{"10.0.0.0/8", classPrivate, "private network"},
		{"172.16.0.0/12", classPrivate, "private network"},
		{"192.168.0.0/16", classPrivate, "private network"},
		{"169.254.0.0/16", classPrivate, "link-local"},
		{"100.64.0.0/10", classPrivate, "carrier-grade NAT"},
		{"192.0.0.0/24", classPrivate, "IETF protocol assignments"},
		{"198.18.0.0/15", classPrivate, "benchmarking network"},
		{"192.0.2.0/24", classNever, "documentation"},
		{"198.51.100.0/24", classNever, "documentation"},
		{"203.0.113.0/24", classNever, "documentation"},
		{"224.0.0.0/4", classNever, "multicast"},
		{"240.0.0.0/4", classNever, "reserved (incl. broadcast)"},
		{"::/128", classNever, "unspecified"},
		{"::1/128", classPrivate, "loopback"},
		{"::/96", classNever, "IPv4-compatible (deprecated)"},
		{"100::/64", classNever, "discard-only"},
		{"64:ff9b:1::/48", classPrivate, "local-use NAT64"},
		{"2001:db8::/32", classNever, "documentation"},
		{"fc00::/7", classPrivate, "unique local (private network)"},
		{"fe80::/10", classPrivate, "link-local"},
		{"fec0::/10", classPrivate, "site-local (deprecated)"},
		{"ff00::/8", classNever, "multicast"},
	}
	out := make([]rangeRule, len(raw))
	for i, r := range raw {
		out[i] = rangeRule{netip.MustParsePrefix(r.cidr), r.class, r.reason}
	}
	return out
}()

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	ipv4Xlat  = netip.MustParsePrefix("::ffff:0:0:0/96")
)

// classify returns the class of ip and, when it is not public, why.
func classify(ip netip.Addr) (addrClass, string) {
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		var inner netip.Addr
		var via string
		switch {
		case nat64.Contains(ip):
			inner, via = netip.AddrFrom4([4]byte(b[12:16])), "NAT64"
		case ipv4Xlat.Contains(ip):
			inner, via = netip.AddrFrom4([4]byte(b[12:16])), "IPv4-translated"
		case sixToFour.Contains(ip):
			inner, via = netip.AddrFrom4([4]byte(b[2:6])), "6to4"
		}
		if inner.IsValid() {
			if c, why := classify(inner); c != classPublic {
				return c, fmt.Sprintf("%s embedding %s (%s)", via, inner, why)
			}
			return classPublic, ""
		}
	}
	for _, r := range rules {
		if r.prefix.Contains(ip) {
			return r.class, fmt.Sprintf("%s %s", r.reason, r.prefix)
		}
	}
	return classPublic, ""
}

// CheckIP reports whether the client may connect to ip: nil when allowed,
// otherwise an error wrapping ErrForbiddenAddress that names the address and
// the range it falls in. With allowPrivate, loopback, private, link-local,
// CGNAT and the like are allowed; unspecified, multicast, broadcast,
// documentation and reserved addresses never are.
func CheckIP(ip netip.Addr, allowPrivate bool) error {
	if !ip.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrForbiddenAddress)
	}
	switch c, why := classify(ip); {
	case c == classPublic, c == classPrivate && allowPrivate:
		return nil
	default:
		return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, ip, why)
	}
}

// guard is the dial-time check. It runs in net.Dialer.Control, after name
// resolution and before connect(2), on every address the dialer tries, so a
// DNS name that resolves (or rebinds) to a forbidden address is refused
// without a packet being sent to it.
type guard struct {
	allowPrivate bool
	// exempt, for tests only, allows addresses the policy would refuse.
	exempt func(netip.AddrPort) bool
}

func (g guard) control(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("%w: network %q to %s", ErrForbiddenAddress, network, address)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparseable dial address %q: %w", ErrForbiddenAddress, address, err)
	}
	if g.exempt != nil && g.exempt(ap) {
		return nil
	}
	return CheckIP(ap.Addr(), g.allowPrivate)
}
