package faults

import (
	"net"
	"time"

	"github.com/hashicorp/memberlist"
)

// WrapGossip returns t behind the faults, for gossip.Config.WrapTransport: a
// packet to a blocked address is dropped silently (the send "succeeds", as
// UDP on a broken network does), a stream to it is refused with an error
// matching ErrPartitioned, and every packet and dial waits the latency
// first. Incoming traffic passes: the blocked peer has the mirror fault.
func (s *Set) WrapGossip(t memberlist.Transport) memberlist.Transport {
	na, ok := t.(memberlist.NodeAwareTransport)
	if !ok {
		na = &nodeAware{Transport: t}
	}
	return &gossipTransport{NodeAwareTransport: na, s: s}
}

// nodeAware adapts a plain Transport (memberlist does the same internally).
type nodeAware struct{ memberlist.Transport }

func (t *nodeAware) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	return t.WriteTo(b, a.Addr)
}

func (t *nodeAware) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return t.DialTimeout(a.Addr, timeout)
}

type gossipTransport struct {
	memberlist.NodeAwareTransport
	s *Set
}

var _ memberlist.NodeAwareTransport = (*gossipTransport)(nil)

func (t *gossipTransport) delay() {
	if d := t.s.Latency(); d > 0 {
		time.Sleep(d)
	}
}

func (t *gossipTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

func (t *gossipTransport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	if t.s.Blocked(a.Addr) {
		return time.Now(), nil // lost on the way
	}
	t.delay()
	return t.NodeAwareTransport.WriteToAddress(b, a)
}

func (t *gossipTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

func (t *gossipTransport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	if t.s.Blocked(a.Addr) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &partitionError{addr: a.Addr}}
	}
	t.delay()
	return t.NodeAwareTransport.DialAddressTimeout(a, timeout)
}
