package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/memberlist"
)

// NetConfig is the simulated network: every packet and every stream write
// is delayed by Latency plus a uniform [0, Jitter), and a packet is lost
// with probability Loss (streams are reliable, as TCP is). Bandwidth, when
// set, adds each message's serialisation time at that rate (bytes/s) to its
// delay; it does not queue messages behind each other.
type NetConfig struct {
	Latency   time.Duration
	Jitter    time.Duration
	Loss      float64
	Bandwidth float64
	// QueueLen is how many packets may wait at a receiver (a socket
	// buffer); more are dropped and counted. Default 4096.
	QueueLen int
}

// Traffic is one endpoint's accounting: bytes and packets (UDP) and
// streams (TCP) in and out, and packets lost on the way to it or dropped
// at its full queue.
type Traffic struct {
	BytesIn, BytesOut     uint64
	PacketsIn, PacketsOut uint64
	StreamsIn, StreamsOut uint64
	Lost, Dropped         uint64
}

// Add returns t plus u.
func (t Traffic) Add(u Traffic) Traffic {
	return Traffic{t.BytesIn + u.BytesIn, t.BytesOut + u.BytesOut, t.PacketsIn + u.PacketsIn, t.PacketsOut + u.PacketsOut,
		t.StreamsIn + u.StreamsIn, t.StreamsOut + u.StreamsOut, t.Lost + u.Lost, t.Dropped + u.Dropped}
}

// Sub returns t minus an earlier reading u.
func (t Traffic) Sub(u Traffic) Traffic {
	return Traffic{t.BytesIn - u.BytesIn, t.BytesOut - u.BytesOut, t.PacketsIn - u.PacketsIn, t.PacketsOut - u.PacketsOut,
		t.StreamsIn - u.StreamsIn, t.StreamsOut - u.StreamsOut, t.Lost - u.Lost, t.Dropped - u.Dropped}
}

type counters struct {
	bytesIn, bytesOut     atomic.Uint64
	packetsIn, packetsOut atomic.Uint64
	streamsIn, streamsOut atomic.Uint64
	lost, dropped         atomic.Uint64
}

// Network connects Endpoints by address. Its methods are safe for
// concurrent use.
type Network struct {
	cfg NetConfig
	mu  sync.RWMutex
	eps map[string]*Endpoint
}

// NewNetwork returns an empty network.
func NewNetwork(cfg NetConfig) *Network {
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 4096
	}
	return &Network{cfg: cfg, eps: map[string]*Endpoint{}}
}

// Endpoint attaches a new endpoint at addr (a literal ip:port); an address
// in use is an error.
func (n *Network) Endpoint(addr string) (*Endpoint, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sim: endpoint %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	p, err := strconv.Atoi(port)
	if ip == nil || err != nil {
		return nil, fmt.Errorf("sim: endpoint %q: want a literal ip:port", addr)
	}
	e := &Endpoint{net: n, addr: addr, ip: ip, port: p,
		packetCh: make(chan *memberlist.Packet, n.cfg.QueueLen), streamCh: make(chan net.Conn), closed: make(chan struct{})}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.eps[addr]; ok {
		return nil, fmt.Errorf("sim: endpoint %s: address in use", addr)
	}
	n.eps[addr] = e
	return e, nil
}

func (n *Network) lookup(addr string) *Endpoint {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.eps[addr]
}

// Crash cuts the endpoint at addr off at once, as a machine that loses
// power: nothing reaches it, nothing it sends arrives, dials fail.
func (n *Network) Crash(addr string) {
	if e := n.lookup(addr); e != nil {
		e.crashed.Store(true)
	}
}

// delay is how long a message of size bytes takes from one endpoint to
// another.
func (n *Network) delay(size int) time.Duration {
	d := n.cfg.Latency
	if n.cfg.Jitter > 0 {
		d += rand.N(n.cfg.Jitter)
	}
	if n.cfg.Bandwidth > 0 {
		d += time.Duration(float64(size) / n.cfg.Bandwidth * float64(time.Second))
	}
	return d
}

// Endpoint is one member's network interface: a memberlist transport.
type Endpoint struct {
	net      *Network
	addr     string
	ip       net.IP
	port     int
	packetCh chan *memberlist.Packet
	streamCh chan net.Conn
	closed   chan struct{}
	once     sync.Once
	crashed  atomic.Bool
	c        counters
}

var _ memberlist.NodeAwareTransport = (*Endpoint)(nil)

// Addr is the endpoint's ip:port.
func (e *Endpoint) Addr() string { return e.addr }

// Traffic reads the endpoint's counters.
func (e *Endpoint) Traffic() Traffic {
	return Traffic{BytesIn: e.c.bytesIn.Load(), BytesOut: e.c.bytesOut.Load(), PacketsIn: e.c.packetsIn.Load(),
		PacketsOut: e.c.packetsOut.Load(), StreamsIn: e.c.streamsIn.Load(), StreamsOut: e.c.streamsOut.Load(),
		Lost: e.c.lost.Load(), Dropped: e.c.dropped.Load()}
}

func (e *Endpoint) up() bool {
	select {
	case <-e.closed:
		return false
	default:
		return !e.crashed.Load()
	}
}

// FinalAdvertiseAddr advertises the endpoint's own address.
func (e *Endpoint) FinalAdvertiseAddr(string, int) (net.IP, int, error) { return e.ip, e.port, nil }

// WriteTo sends a packet to addr.
func (e *Endpoint) WriteTo(b []byte, addr string) (time.Time, error) {
	return e.WriteToAddress(b, memberlist.Address{Addr: addr})
}

// WriteToAddress sends a packet: it is counted as sent, and arrives after
// the network's delay unless it is lost, the receiver is down, or its queue
// is full. Like UDP, the send succeeds either way.
func (e *Endpoint) WriteToAddress(b []byte, addr memberlist.Address) (time.Time, error) {
	now := time.Now()
	if !e.up() {
		return now, nil
	}
	e.c.bytesOut.Add(uint64(len(b)))
	e.c.packetsOut.Add(1)
	dst := e.net.lookup(addr.Addr)
	if dst == nil || (e.net.cfg.Loss > 0 && rand.Float64() < e.net.cfg.Loss) {
		if dst != nil {
			dst.c.lost.Add(1)
		}
		return now, nil
	}
	buf := append([]byte(nil), b...)
	from := &net.UDPAddr{IP: e.ip, Port: e.port}
	time.AfterFunc(e.net.delay(len(buf)), func() {
		if !dst.up() || e.crashed.Load() {
			dst.c.lost.Add(1)
			return
		}
		select {
		case dst.packetCh <- &memberlist.Packet{Buf: buf, From: from, Timestamp: time.Now()}:
			dst.c.bytesIn.Add(uint64(len(buf)))
			dst.c.packetsIn.Add(1)
		default:
			dst.c.dropped.Add(1)
		}
	})
	return now, nil
}

// PacketCh delivers the packets that reach the endpoint.
func (e *Endpoint) PacketCh() <-chan *memberlist.Packet { return e.packetCh }

// DialTimeout opens a stream to addr.
func (e *Endpoint) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return e.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

// errRefused is what a dial to a missing, crashed or closed endpoint says.
var errRefused = &net.OpError{Op: "dial", Net: "sim", Err: syscall.ECONNREFUSED}

// DialAddressTimeout opens a stream to addr after one round trip (the
// handshake); every write on it then takes the network's delay.
func (e *Endpoint) DialAddressTimeout(addr memberlist.Address, timeout time.Duration) (net.Conn, error) {
	if !e.up() {
		return nil, errRefused
	}
	dst := e.net.lookup(addr.Addr)
	rtt := 2 * e.net.delay(0)
	if rtt > timeout {
		time.Sleep(timeout)
		return nil, &net.OpError{Op: "dial", Net: "sim", Err: errors.New("i/o timeout")}
	}
	time.Sleep(rtt)
	if dst == nil || !dst.up() {
		return nil, errRefused
	}
	a, b := net.Pipe()
	local := &net.TCPAddr{IP: e.ip, Port: e.port}
	remote := &net.TCPAddr{IP: dst.ip, Port: dst.port}
	out := &conn{Conn: a, from: e, to: dst, local: local, remote: remote}
	in := &conn{Conn: b, from: dst, to: e, local: remote, remote: local}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case dst.streamCh <- in:
	case <-dst.closed:
		_ = a.Close()
		_ = b.Close()
		return nil, errRefused
	case <-t.C:
		_ = a.Close()
		_ = b.Close()
		return nil, &net.OpError{Op: "dial", Net: "sim", Err: errors.New("i/o timeout")}
	}
	e.c.streamsOut.Add(1)
	dst.c.streamsIn.Add(1)
	return out, nil
}

// StreamCh delivers the streams opened to the endpoint.
func (e *Endpoint) StreamCh() <-chan net.Conn { return e.streamCh }

// Shutdown detaches the endpoint from the network (memberlist calls it
// when it shuts down). Packets on their way are dropped.
func (e *Endpoint) Shutdown() error {
	e.once.Do(func() {
		close(e.closed)
		e.net.mu.Lock()
		if e.net.eps[e.addr] == e {
			delete(e.net.eps, e.addr)
		}
		e.net.mu.Unlock()
	})
	return nil
}

// conn is one side of a simulated stream: writes are delayed and counted
// on both endpoints; a crashed endpoint's streams fail.
type conn struct {
	net.Conn
	from, to      *Endpoint
	local, remote net.Addr
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) Write(b []byte) (int, error) {
	if c.from.crashed.Load() || c.to.crashed.Load() {
		_ = c.Conn.Close()
		return 0, &net.OpError{Op: "write", Net: "sim", Err: syscall.ECONNRESET}
	}
	time.Sleep(c.from.net.delay(len(b)))
	n, err := c.Conn.Write(b)
	c.from.c.bytesOut.Add(uint64(n))
	c.to.c.bytesIn.Add(uint64(n))
	return n, err
}
