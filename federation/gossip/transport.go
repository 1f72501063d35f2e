package gossip

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// counters hold the traffic of one member as seen on the network.
type counters struct {
	bytesSent, bytesReceived     atomic.Uint64
	packetsSent, packetsReceived atomic.Uint64
	streamsOut, streamsIn        atomic.Uint64
}

// countingTransport wraps memberlist's NetTransport and counts the bytes and
// packets that actually cross the network (UDP packets and TCP streams, both
// directions). Incoming packets and streams are relayed through goroutines
// that end on Shutdown.
type countingTransport struct {
	inner    memberlist.NodeAwareTransport
	c        *counters
	packetCh chan *memberlist.Packet
	streamCh chan net.Conn
	stopping chan struct{} // closed when Shutdown begins: relays drop instead of forwarding
	done     chan struct{} // closed once the network transport is down: relays end
	once     sync.Once
	wg       sync.WaitGroup
	err      error
}

var _ memberlist.NodeAwareTransport = (*countingTransport)(nil)

func newCountingTransport(inner memberlist.NodeAwareTransport, c *counters) *countingTransport {
	t := &countingTransport{
		inner:    inner,
		c:        c,
		packetCh: make(chan *memberlist.Packet),
		streamCh: make(chan net.Conn),
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
	}
	t.wg.Add(2)
	go t.relayPackets()
	go t.relayStreams()
	return t
}

func (t *countingTransport) relayPackets() {
	defer t.wg.Done()
	in := t.inner.PacketCh()
	for {
		select {
		case p := <-in:
			t.c.bytesReceived.Add(uint64(len(p.Buf)))
			t.c.packetsReceived.Add(1)
			select {
			case t.packetCh <- p:
			case <-t.stopping:
			}
		case <-t.done:
			return
		}
	}
}

func (t *countingTransport) relayStreams() {
	defer t.wg.Done()
	in := t.inner.StreamCh()
	for {
		select {
		case conn := <-in:
			t.c.streamsIn.Add(1)
			select {
			case t.streamCh <- &countingConn{Conn: conn, c: t.c}:
			case <-t.stopping:
				_ = conn.Close()
			}
		case <-t.done:
			return
		}
	}
}

func (t *countingTransport) FinalAdvertiseAddr(ip string, port int) (net.IP, int, error) {
	return t.inner.FinalAdvertiseAddr(ip, port)
}

func (t *countingTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

func (t *countingTransport) WriteToAddress(b []byte, addr memberlist.Address) (time.Time, error) {
	ts, err := t.inner.WriteToAddress(b, addr)
	if err == nil {
		t.c.bytesSent.Add(uint64(len(b)))
		t.c.packetsSent.Add(1)
	}
	return ts, err
}

func (t *countingTransport) PacketCh() <-chan *memberlist.Packet { return t.packetCh }

func (t *countingTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

func (t *countingTransport) DialAddressTimeout(addr memberlist.Address, timeout time.Duration) (net.Conn, error) {
	conn, err := t.inner.DialAddressTimeout(addr, timeout)
	if err != nil {
		return nil, err
	}
	t.c.streamsOut.Add(1)
	return &countingConn{Conn: conn, c: t.c}, nil
}

func (t *countingTransport) StreamCh() <-chan net.Conn { return t.streamCh }

// Shutdown shuts the network transport down while the relays keep draining it
// (its listeners block until their last packet is taken), then ends the
// relays. It is safe to call more than once.
func (t *countingTransport) Shutdown() error {
	t.once.Do(func() {
		close(t.stopping)
		t.err = t.inner.Shutdown()
		close(t.done)
		t.wg.Wait()
	})
	return t.err
}

// countingConn counts the bytes of a TCP stream (push/pull, TCP fallback
// probes, reliable messages).
type countingConn struct {
	net.Conn
	c *counters
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.c.bytesReceived.Add(uint64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.c.bytesSent.Add(uint64(n))
	return n, err
}
