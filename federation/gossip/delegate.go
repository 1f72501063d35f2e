package gossip

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strconv"
	"time"
	"unsafe"

	"github.com/hashicorp/memberlist"
)

// How memberlist's callbacks reach the pool: membership notifications
// become Members and Events, this node's metadata is handed out, and
// memberlist's log lines become slog records.

// record applies a memberlist notification. memberlist calls it with its node
// lock held, so it must not block: the event is dropped if the buffer is full.
func (p *Pool) record(n *memberlist.Node, status string, typ func(prev *Member) EventType) {
	meta, err := Meta{}, error(nil)
	if len(n.Meta) > 0 {
		meta, err = DecodeMeta(n.Meta)
	}
	now := time.Now()
	p.mu.Lock()
	prev := p.members[n.Name]
	m := &Member{
		Name:   n.Name,
		Addr:   net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port))),
		Meta:   meta,
		Status: status,
		Since:  now,
	}
	if prev != nil && prev.Status == status {
		m.Since = prev.Since
	}
	et := typ(prev)
	p.members[n.Name] = m
	if !p.closed {
		select {
		case p.events <- Event{Type: et, Member: *m}:
		default:
			p.dropped.Add(1)
		}
	}
	p.mu.Unlock()
	if err != nil {
		p.log.Warn("member metadata ignored", "peer", n.Name, "err", err)
	}
	if et == EventJoin || et == EventAlive {
		p.kickAntiEntropy()
	}
}

// eventDelegate receives memberlist's membership notifications.
type eventDelegate Pool

func (d *eventDelegate) NotifyJoin(n *memberlist.Node) {
	(*Pool)(d).record(n, StatusAlive, func(prev *Member) EventType {
		if prev != nil && (prev.Status == StatusDead || prev.Status == StatusLeft) {
			return EventAlive
		}
		return EventJoin
	})
}

func (d *eventDelegate) NotifyLeave(n *memberlist.Node) {
	status, et := StatusDead, EventDead
	if leftGracefully(n) {
		status, et = StatusLeft, EventLeave
	}
	(*Pool)(d).record(n, status, func(*Member) EventType { return et })
}

func (d *eventDelegate) NotifyUpdate(n *memberlist.Node) {
	(*Pool)(d).record(n, StatusAlive, func(*Member) EventType { return EventUpdate })
}

// delegate hands memberlist this node's metadata. The pool gossips nothing
// else: facts travel over HTTP and JWS.
type delegate Pool

func (d *delegate) NodeMeta(limit int) []byte {
	p := (*Pool)(d)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.meta) > limit { // cannot happen: Encode enforces MaxMetaSize
		return nil
	}
	return bytes.Clone(p.meta)
}

func (d *delegate) NotifyMsg([]byte)                           {}
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte { return nil }
func (d *delegate) LocalState(join bool) []byte                { return nil }
func (d *delegate) MergeRemoteState(buf []byte, join bool)     {}

// logBridge turns memberlist's "[LEVEL] memberlist: msg" lines into slog records.
type logBridge struct{ l *slog.Logger }

func (b *logBridge) Write(line []byte) (int, error) {
	n := len(line)
	line = bytes.TrimRight(line, "\n")
	level := slog.LevelInfo
	for _, lv := range []struct {
		tag   string
		level slog.Level
	}{{"[DEBUG] ", slog.LevelDebug}, {"[INFO] ", slog.LevelInfo}, {"[WARN] ", slog.LevelWarn}, {"[ERR] ", slog.LevelError}} {
		if bytes.HasPrefix(line, []byte(lv.tag)) {
			level, line = lv.level, line[len(lv.tag):]
			break
		}
	}
	line = bytes.TrimPrefix(line, []byte("memberlist: "))
	b.l.Log(context.Background(), level, string(line))
	return n, nil
}

// nodeStateV070 mirrors the layout of memberlist v0.7.0's unexported
// nodeState, whose State field shadows Node.State: memberlist never sets
// Node.State, so the Node it hands to NotifyLeave always says "alive". Every
// EventDelegate call in v0.7.0 passes &nodeState.Node (state.go:1146, 1150,
// 1305) with the node lock held, so reading the enclosing State there is
// race-free. TestGracefulLeave fails if a memberlist upgrade changes this.
type nodeStateV070 struct {
	memberlist.Node
	Incarnation uint32
	State       memberlist.NodeStateType
	StateChange time.Time
}

// leftGracefully tells a leave from a death in NotifyLeave.
func leftGracefully(n *memberlist.Node) bool {
	return (*nodeStateV070)(unsafe.Pointer(n)).State == memberlist.StateLeft
}
