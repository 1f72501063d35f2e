package transport

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// TestCheckIP classifies addresses without any network traffic.
func TestCheckIP(t *testing.T) {
	const (
		pub   = "public"
		priv  = "private" // refused unless AllowPrivateNetworks
		never = "never"
	)
	tests := []struct {
		addr string
		want string
	}{
		{"8.8.8.8", pub},
		{"93.184.216.34", pub},
		{"172.32.0.1", pub},
		{"100.128.0.1", pub},
		{"2606:4700:4700::1111", pub},
		{"::ffff:8.8.8.8", pub},
		{"64:ff9b::808:808", pub},
		{"2002:808:808::1", pub},

		{"127.0.0.1", priv},
		{"127.1.2.3", priv},
		{"::1", priv},
		{"10.0.0.1", priv},
		{"10.255.255.255", priv},
		{"172.16.0.1", priv},
		{"172.31.255.254", priv},
		{"192.168.1.1", priv},
		{"169.254.169.254", priv},
		{"100.64.0.1", priv},
		{"100.127.255.254", priv},
		{"fe80::1", priv},
		{"fe80::1%eth0", priv},
		{"fc00::1", priv},
		{"fd12:3456::1", priv},
		{"::ffff:127.0.0.1", priv},
		{"::ffff:10.0.0.1", priv},
		{"::ffff:169.254.169.254", priv},
		{"64:ff9b::a00:1", priv},     // NAT64 of 10.0.0.1
		{"64:ff9b::a9fe:a9fe", priv}, // NAT64 of 169.254.169.254
		{"2002:7f00:1::", priv},      // 6to4 of 127.0.0.1
		{"::ffff:0:7f00:1", priv},    // IPv4-translated 127.0.0.1

		{"0.0.0.0", never},
		{"0.1.2.3", never},
		{"::", never},
		{"::ffff:0.0.0.0", never},
		{"224.0.0.1", never},
		{"239.255.255.250", never},
		{"255.255.255.255", never},
		{"ff02::1", never},
		{"192.0.2.10", never},
		{"::127.0.0.1", never}, // IPv4-compatible, deprecated
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.addr)
			strict, lax := CheckIP(ip, false), CheckIP(ip, true)
			wantStrict, wantLax := tt.want != pub, tt.want == never
			if (strict != nil) != wantStrict || (lax != nil) != wantLax {
				t.Fatalf("CheckIP(strict) = %v, CheckIP(allowPrivate) = %v; want class %s", strict, lax, tt.want)
			}
			for _, err := range []error{strict, lax} {
				if err != nil && (!errors.Is(err, ErrForbiddenAddress) || !strings.Contains(err.Error(), ip.String())) {
					t.Fatalf("error %q does not wrap ErrForbiddenAddress or name %s", err, ip)
				}
			}
		})
	}
	if err := CheckIP(netip.Addr{}, true); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("invalid address: %v", err)
	}
}

// TestControl drives the dial-time Control function directly, as the dialer
// does after resolving a name, without opening any connection.
func TestControl(t *testing.T) {
	tests := []struct {
		network, address string
		allowPrivate     bool
		ok               bool
	}{
		{"tcp4", "10.0.0.1:80", false, false},
		{"tcp4", "10.0.0.1:80", true, true},
		{"tcp4", "169.254.169.254:80", false, false},
		{"tcp4", "192.168.0.10:443", false, false},
		{"tcp4", "127.0.0.1:8080", false, false},
		{"tcp6", "[::1]:443", false, false},
		{"tcp6", "[fe80::1%lo]:443", false, false},
		{"tcp6", "[::ffff:127.0.0.1]:443", false, false},
		{"tcp6", "[::ffff:169.254.169.254]:80", true, true},
		{"tcp4", "0.0.0.0:80", true, false},
		{"tcp4", "93.184.216.34:443", false, true},
		{"tcp6", "[2606:4700:4700::1111]:443", false, true},
		{"udp4", "93.184.216.34:53", false, false},
		{"tcp", "example.org:80", true, false}, // never a name: the dialer resolves first
	}
	for _, tt := range tests {
		t.Run(tt.network+" "+tt.address, func(t *testing.T) {
			err := guard{allowPrivate: tt.allowPrivate}.control(tt.network, tt.address, nil)
			if tt.ok != (err == nil) {
				t.Fatalf("control = %v, want ok=%t", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("control error %v does not wrap ErrForbiddenAddress", err)
			}
		})
	}
	exempt := guard{exempt: func(ap netip.AddrPort) bool { return ap.Addr() == netip.MustParseAddr("127.0.0.1") }}
	if err := exempt.control("tcp4", "127.0.0.1:1", nil); err != nil {
		t.Fatalf("exempt address refused: %v", err)
	}
	if err := exempt.control("tcp4", "127.0.0.2:1", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("non-exempt loopback address allowed: %v", err)
	}
}

// FuzzCheckIP checks the classifier against independent oracles: the
// standard library's predicates (everything they call loopback, private,
// link-local, multicast or unspecified is refused without
// AllowPrivateNetworks), and the IPv6 forms of an IPv4 address (mapped,
// NAT64) are judged as the address itself.
func FuzzCheckIP(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "10.1.2.3", "169.254.169.254", "8.8.8.8", "::1", "fe80::1", "64:ff9b::a00:1", "2002:7f00:1::", "ff02::1", "2606:4700::1"} {
		f.Add(netip.MustParseAddr(s).AsSlice())
	}
	nat64Prefix := netip.MustParseAddr("64:ff9b::").As16()
	f.Fuzz(func(t *testing.T, b []byte) {
		ip, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		for _, allow := range []bool{false, true} {
			err := CheckIP(ip, allow)
			if err != nil && !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("CheckIP(%s) = %v without ErrForbiddenAddress", ip, err)
			}
			u := ip.Unmap()
			if !allow && err == nil && (u.IsLoopback() || u.IsPrivate() || u.IsLinkLocalUnicast() ||
				u.IsMulticast() || u.IsUnspecified()) {
				t.Fatalf("CheckIP(%s) allowed a non-global address", ip)
			}
			if allow && err == nil && (u.IsMulticast() || u.IsUnspecified()) {
				t.Fatalf("CheckIP(%s, allowPrivate) allowed multicast or unspecified", ip)
			}
			if ip.Is4() {
				v4 := ip.As4()
				nat := nat64Prefix
				copy(nat[12:], v4[:])
				for _, alias := range []netip.Addr{netip.AddrFrom16(ip.As16()), netip.AddrFrom16(nat)} {
					if (CheckIP(alias, allow) == nil) != (err == nil) {
						t.Fatalf("%s judged %v but its alias %s %v", ip, err, alias, CheckIP(alias, allow))
					}
				}
			}
		}
	})
}
