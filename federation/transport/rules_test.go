package transport

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// wantRules is the guard's range table as the tests require it, written out
// independently of guard.go: deleting a range from rules, adding one, or
// changing its class fails TestRulesTable, and TestRangeClasses checks the
// behaviour (CheckIP) of every range without looking at rules at all.
var wantRules = []struct {
	cidr  string
	class addrClass
}{
	{"0.0.0.0/8", classNever},
	{"127.0.0.0/8", classPrivate},
	{"10.0.0.0/8", classPrivate},
	{"172.16.0.0/12", classPrivate},
	{"192.168.0.0/16", classPrivate},
	{"169.254.0.0/16", classPrivate},
	{"100.64.0.0/10", classPrivate},
	{"192.0.0.0/24", classPrivate},
	{"198.18.0.0/15", classPrivate},
	{"192.0.2.0/24", classNever},
	{"198.51.100.0/24", classNever},
	{"203.0.113.0/24", classNever},
	{"224.0.0.0/4", classNever},
	{"240.0.0.0/4", classNever},
	{"::/128", classNever},
	{"::1/128", classPrivate},
	{"::/96", classNever},
	{"100::/64", classNever},
	{"64:ff9b:1::/48", classPrivate},
	{"2001:db8::/32", classNever},
	{"fc00::/7", classPrivate},
	{"fe80::/10", classPrivate},
	{"fec0::/10", classPrivate},
	{"ff00::/8", classNever},
}

func (c addrClass) String() string {
	switch c {
	case classPublic:
		return "public"
	case classPrivate:
		return "private"
	case classNever:
		return "never"
	}
	return fmt.Sprintf("addrClass(%d)", int(c))
}

// lastAddr is the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// midAddr is the first address of p with the bit after the prefix set (p
// itself for a full-length prefix).
func midAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	if p.Bits() < len(b)*8 {
		b[p.Bits()/8] |= 0x80 >> (p.Bits() % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// samples returns the first, middle and last addresses of p that no more
// specific prefix of others covers (so that they are judged by p alone).
func samples(p netip.Prefix, others []netip.Prefix) []netip.Addr {
	var out []netip.Addr
	for _, a := range []netip.Addr{p.Masked().Addr(), midAddr(p), lastAddr(p)} {
		covered := slices.ContainsFunc(others, func(o netip.Prefix) bool {
			return o.Bits() > p.Bits() && o.Contains(a)
		})
		if !covered && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func wantPrefixes() []netip.Prefix {
	out := make([]netip.Prefix, len(wantRules))
	for i, w := range wantRules {
		out[i] = netip.MustParsePrefix(w.cidr)
	}
	return out
}

// TestRulesTable: the guard's table holds exactly the required ranges, each
// with its required class and a reason.
func TestRulesTable(t *testing.T) {
	got := map[netip.Prefix]addrClass{}
	for _, r := range rules {
		if _, dup := got[r.prefix]; dup {
			t.Errorf("range %s listed twice", r.prefix)
		}
		got[r.prefix] = r.class
		if r.reason == "" {
			t.Errorf("range %s has no reason", r.prefix)
		}
		if r.class == classPublic {
			t.Errorf("range %s is in the table as public: the table lists refused ranges only", r.prefix)
		}
	}
	for _, w := range wantRules {
		p := netip.MustParsePrefix(w.cidr)
		c, ok := got[p]
		switch {
		case !ok:
			t.Errorf("range %s (%s) is missing from the guard's table", p, w.class)
		case c != w.class:
			t.Errorf("range %s is %s in the guard's table, want %s", p, c, w.class)
		}
		delete(got, p)
	}
	for p, c := range got {
		t.Errorf("range %s (%s) is in the guard's table but not in wantRules: add it there, with a test", p, c)
	}
}

// TestRangeClasses checks, through CheckIP alone, the first, middle and
// last address of every required range: one subtest per range.
func TestRangeClasses(t *testing.T) {
	all := wantPrefixes()
	for i, w := range wantRules {
		p := all[i]
		t.Run(p.String(), func(t *testing.T) {
			addrs := samples(p, all)
			if len(addrs) == 0 {
				t.Fatalf("no address of %s is judged by it alone", p)
			}
			for _, a := range addrs {
				strict, lax := CheckIP(a, false), CheckIP(a, true)
				var got addrClass
				switch {
				case strict == nil && lax == nil:
					got = classPublic
				case strict != nil && lax == nil:
					got = classPrivate
				case strict != nil && lax != nil:
					got = classNever
				default:
					t.Fatalf("%s: allowed strictly (%v) but refused with private networks allowed (%v)", a, strict, lax)
				}
				if got != w.class {
					t.Errorf("%s is %s, want %s (%v)", a, got, w.class, strict)
				}
				if strict != nil && !strings.Contains(strict.Error(), p.String()) {
					t.Errorf("the error for %s does not name the range %s: %v", a, p, strict)
				}
			}
		})
	}
}

// TestRulesClassify iterates over the guard's own table: every entry judges
// the addresses inside it (those no more specific entry covers) as the entry
// says, with the entry's reason and prefix in the explanation.
func TestRulesClassify(t *testing.T) {
	var all []netip.Prefix
	for _, r := range rules {
		all = append(all, r.prefix)
	}
	for _, r := range rules {
		t.Run(r.prefix.String(), func(t *testing.T) {
			addrs := samples(r.prefix, all)
			if len(addrs) == 0 {
				t.Fatalf("every address of %s is judged by a more specific range", r.prefix)
			}
			for _, a := range addrs {
				c, why := classify(a)
				if c != r.class || why != r.reason+" "+r.prefix.String() {
					t.Errorf("classify(%s) = %s, %q; want %s, %q", a, c, why, r.class, r.reason+" "+r.prefix.String())
				}
			}
		})
	}
}

// TestEmbeddedForms: an IPv4 address carried in an IPv6 one (IPv4-mapped,
// NAT64 64:ff9b::/96, 6to4 2002::/16, IPv4-translated ::ffff:0:0:0/96) is
// judged as the IPv4 address itself, for a sample of every IPv4 range and
// for public addresses; the explanation names the form and the inner
// address. The local-use NAT64 prefix is private whatever it carries.
func TestEmbeddedForms(t *testing.T) {
	inner := []netip.Addr{
		netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("93.184.216.34"),
		netip.MustParseAddr("172.32.0.1"), netip.MustParseAddr("198.20.0.1"),
	}
	var all []netip.Prefix
	for _, r := range rules {
		all = append(all, r.prefix)
	}
	for _, r := range rules {
		if r.prefix.Addr().Is4() {
			inner = append(inner, samples(r.prefix, all)...)
		}
	}
	forms := []struct {
		via   string
		embed func(v4 [4]byte) netip.Addr
	}{
		{"", func(v [4]byte) netip.Addr { // IPv4-mapped, unwrapped by Unmap
			return netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: v[0], 13: v[1], 14: v[2], 15: v[3]})
		}},
		{"NAT64", func(v [4]byte) netip.Addr {
			return netip.AddrFrom16([16]byte{1: 0x64, 2: 0xff, 3: 0x9b, 12: v[0], 13: v[1], 14: v[2], 15: v[3]})
		}},
		{"6to4", func(v [4]byte) netip.Addr { // 2002:VVVV:VVVV:1::5, a host on the site
			return netip.AddrFrom16([16]byte{0: 0x20, 1: 0x02, 2: v[0], 3: v[1], 4: v[2], 5: v[3], 7: 1, 15: 5})
		}},
		{"IPv4-translated", func(v [4]byte) netip.Addr {
			return netip.AddrFrom16([16]byte{8: 0xff, 9: 0xff, 12: v[0], 13: v[1], 14: v[2], 15: v[3]})
		}},
	}
	for _, in := range inner {
		wantClass, wantWhy := classify(in)
		for _, f := range forms {
			a := f.embed(in.As4())
			t.Run(f.via+" "+a.String(), func(t *testing.T) {
				c, why := classify(a)
				if c != wantClass {
					t.Fatalf("classify(%s) = %s (%s), but the inner %s is %s", a, c, why, in, wantClass)
				}
				for _, allow := range []bool{false, true} {
					if (CheckIP(a, allow) == nil) != (CheckIP(in, allow) == nil) {
						t.Fatalf("CheckIP(%s, %t) = %v, CheckIP(%s) = %v", a, allow, CheckIP(a, allow), in, CheckIP(in, allow))
					}
				}
				want := wantWhy
				if f.via != "" && c != classPublic {
					want = fmt.Sprintf("%s embedding %s (%s)", f.via, in, wantWhy)
				}
				if why != want {
					t.Fatalf("classify(%s) explains %q, want %q", a, why, want)
				}
			})
		}
	}
	// Local-use NAT64 (RFC 8215) is a network's own translator: private,
	// whatever address it carries, public ones included.
	for _, s := range []string{"64:ff9b:1::a00:1", "64:ff9b:1::7f00:1", "64:ff9b:1::808:808", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"} {
		a := netip.MustParseAddr(s)
		if c, why := classify(a); c != classPrivate || !strings.Contains(why, "64:ff9b:1::/48") {
			t.Errorf("classify(%s) = %s, %q; want private, local-use NAT64", a, c, why)
		}
	}
	// Just outside the embedding prefixes nothing is unwrapped.
	for _, s := range []string{"64:ff9b:0:0:0:1:a00:1", "2003:a00:1::"} {
		a := netip.MustParseAddr(s)
		if c, why := classify(a); c != classPublic {
			t.Errorf("classify(%s) = %s, %q; want public (not an embedding prefix)", a, c, why)
		}
	}
}
