package gossip

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/hashicorp/memberlist"
)

// How memberlist's callbacks reach the pool: membership notifications
// become Members and Events, this node's metadata is handed out, and
// memberlist's log lines become slog records.

// record applies a memberlist notification; classify, called with p.mu held,
// gives the member's new status and the event. memberlist calls record with
// its node lock held, so it must not block: the event is dropped if the
// buffer is full.
func (p *Pool) record(n *memberlist.Node, classify func(prev *Member, now time.Time) (string, EventType)) {
	meta, err := Meta{}, error(nil)
	if len(n.Meta) > 0 {
		meta, err = DecodeMeta(n.Meta)
	}
	now := time.Now()
	p.mu.Lock()
	prev := p.members[n.Name]
	status, et := classify(prev, now)
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
	p.members[n.Name] = m
	p.emitLocked(Event{Type: et, Member: *m})
	p.mu.Unlock()
	if err != nil {
		p.log.Warn("member metadata ignored", "peer", n.Name, "err", err)
	}
	if et == EventJoin || et == EventAlive {
		p.kickAntiEntropy()
	}
}

// setLocked changes a known member's status; p.mu is held.
func (p *Pool) setLocked(name, status string, et EventType, now time.Time) {
	m := *p.members[name]
	m.Status, m.Since = status, now
	p.members[name] = &m
	p.emitLocked(Event{Type: et, Member: m})
}

// emitLocked hands an event to Events without blocking; p.mu is held.
func (p *Pool) emitLocked(ev Event) {
	if p.closed {
		return
	}
	select {
	case p.events <- ev:
	default:
		p.dropped.Add(1)
	}
}

func isGone(m *Member) bool {
	return m != nil && (m.Status == StatusDead || m.Status == StatusLeft)
}

// eventDelegate receives memberlist's membership notifications.
type eventDelegate Pool

func (d *eventDelegate) NotifyJoin(n *memberlist.Node) {
	p := (*Pool)(d)
	p.record(n, func(prev *Member, now time.Time) (string, EventType) {
		if isGone(prev) {
			p.forgetIntentLocked(n.Name, now) // back: its old intent is void
			return StatusAlive, EventAlive
		}
		return StatusAlive, EventJoin
	})
}

// NotifyLeave tells a leave from a death by the member's leave intent.
func (d *eventDelegate) NotifyLeave(n *memberlist.Node) {
	p := (*Pool)(d)
	p.record(n, func(_ *Member, now time.Time) (string, EventType) {
		if p.hasLeaveIntentLocked(n.Name, now) {
			return StatusLeft, EventLeave
		}
		return StatusDead, EventDead
	})
}

func (d *eventDelegate) NotifyUpdate(n *memberlist.Node) {
	(*Pool)(d).record(n, func(*Member, time.Time) (string, EventType) { return StatusAlive, EventUpdate })
}

// delegate hands memberlist this node's metadata and carries the leave
// intents. The pool gossips nothing else: facts travel over HTTP and JWS.
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

// NotifyMsg receives a user message: a leave intent (intent.go).
func (d *delegate) NotifyMsg(buf []byte) { (*Pool)(d).receiveIntent(buf) }

// GetBroadcasts hands memberlist the leave intents to gossip.
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return (*Pool)(d).bq.GetBroadcasts(overhead, limit)
}

// LocalState and MergeRemoteState exchange the clock and the recent leave
// intents in push/pulls.
func (d *delegate) LocalState(join bool) []byte            { return (*Pool)(d).localState() }
func (d *delegate) MergeRemoteState(buf []byte, join bool) { (*Pool)(d).mergeState(buf) }

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
