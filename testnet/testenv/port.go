package testenv

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FreeAddr returns host:port with a port that nothing listens on now, for a
// test that must name its address before it starts a server (a node's
// listen setting, memberlist's bind address).
//
// The port is taken below the kernel's ephemeral range, not from the
// listener of port 0: between a test closing such a listener and its server
// binding the port, any outgoing connection of the tests running in
// parallel (go test runs packages at once) may take the same port as its
// source, and the server fails with "address already in use". Ports below
// the range are never given to outgoing connections; two tests choosing the
// same one at random is what remains, and the listen below catches it while
// both are open. With udp set, the port is free for UDP as well.
func FreeAddr(tb testing.TB, host string, udp bool) string {
	tb.Helper()
	lo, hi := portsBelowEphemeral()
	for range 200 {
		addr := net.JoinHostPort(host, strconv.Itoa(lo+rand.IntN(hi-lo)))
		tl, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		if udp {
			ul, err := net.ListenPacket("udp", addr)
			if err != nil {
				_ = tl.Close()
				continue
			}
			_ = ul.Close()
		}
		_ = tl.Close()
		return addr
	}
	tb.Fatalf("testenv: no free port on %s below the ephemeral range [%d, %d)", host, lo, hi)
	return ""
}

// portsBelowEphemeral is the range FreeAddr draws from: from 10000 (above
// the ports well-known services use) up to the start of the kernel's
// ephemeral range, read on Linux and taken as 32768 (Linux's default; BSDs
// and Windows start at 49152) elsewhere.
func portsBelowEphemeral() (lo, hi int) {
	lo, hi = 10000, 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if start, err := strconv.Atoi(f[0]); err == nil && start > lo+1000 {
				hi = start
			}
		}
	}
	return lo, hi
}
