package testnet

import (
	"fmt"
	"net"
	"strconv"
)

// hostFor is node i's loopback host: 127.0.0.10 onwards (127.0.0.1 is left
// to whatever else runs on the machine).
func hostFor(i int) string { return "127.0.0." + strconv.Itoa(10+i) }

// freePort returns a TCP port free right now on host; with udp, one free
// for both TCP and UDP (memberlist needs both on the same port).
func freePort(host string, udp bool) (int, error) {
	for range 50 {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return 0, fmt.Errorf("no free port on %s: %w", host, err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if !udp {
			ln.Close()
			return port, nil
		}
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(port)))
		ln.Close()
		if err != nil {
			continue
		}
		pc.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no port free for both TCP and UDP on %s", host)
}
