package testenv

import (
	"net"
	"strconv"
	"testing"
)

// FreeAddr's ports lie below the ephemeral range that outgoing connections
// take their source ports from, and are free for TCP (and UDP when asked).
func TestFreeAddrBelowEphemeralRange(t *testing.T) {
	lo, hi := portsBelowEphemeral()
	if lo >= hi {
		t.Fatalf("empty range [%d, %d)", lo, hi)
	}
	for _, udp := range []bool{false, true} {
		for range 20 {
			addr := FreeAddr(t, "127.0.0.1", udp)
			_, p, err := net.SplitHostPort(addr)
			if err != nil {
				t.Fatal(err)
			}
			port, _ := strconv.Atoi(p)
			if port < lo || port >= hi {
				t.Fatalf("port %d outside [%d, %d)", port, lo, hi)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatalf("FreeAddr gave %s, which is not free: %v", addr, err)
			}
			ln.Close()
		}
	}
}
