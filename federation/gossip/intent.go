package gossip

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// Leave intents: how a member tells a graceful leave from a death without
// reading memberlist's private state (the design of HashiCorp Serf's leave
// intents, reimplemented).
//
// memberlist's NotifyLeave says that a member is gone, not why. A member that
// leaves therefore first broadcasts a leave intent (its name and a hybrid
// logical time) through memberlist's user-message gossip, waits until the
// intent has been transmitted (or half of Leave's timeout), and only then
// calls memberlist's Leave. Every member that hears an intent about a member
// it knows remembers it for intentTTL and re-gossips it (the broadcast
// queue's retransmit limit), so members the leaver did not reach directly
// learn it too; push/pull exchanges carry the recent intents and the clock as
// well. When NotifyLeave fires for a member with a remembered intent it is
// classified left, otherwise dead. An intent that arrives after the member
// was declared dead turns it into left. A member seen alive again (rejoin)
// has its intent forgotten, and intents not newer than that moment are
// ignored as stale copies.
//
// Intents are hints like everything gossiped: a keyring holder can forge
// one, which at worst makes a later death look like a leave — both pause
// deliveries alike.

// Wire format of the user messages (memberlist adds its own frame byte):
//
//	leave intent: 0x01 0x01 | ltime uint64 BE | name length (1 byte) | name
//	push/pull state: 0x02 0x01 | clock uint64 BE | count (1 byte) | count × (ltime | length | name)
//
// The first byte is the message type, the second the format version; a
// receiver ignores types and versions it does not know.
const (
	msgLeaveIntent byte = 1
	msgState       byte = 2
	wireVersion    byte = 1

	// maxLTime bounds logical times on the wire, far from overflow.
	maxLTime = 1 << 62
	// maxStateIntents bounds the intents carried by one push/pull.
	maxStateIntents = 64
	// maxIntents bounds the intents (and rejoin marks) remembered.
	maxIntents = 4096
	// maxIntentWait bounds the wait for the own intent's transmission when
	// Leave has no timeout (Serf's BroadcastTimeout).
	maxIntentWait = 5 * time.Second

	intentHeader = 2 + 8 + 1
	// MaxIntentSize is the largest encoded leave intent: well inside a
	// memberlist packet, and under the 512-byte rule of the metadata.
	MaxIntentSize = intentHeader + maxNameLen
	stateHeader   = 2 + 8 + 1
	maxStateSize  = stateHeader + maxStateIntents*(8+1+maxNameLen)
)

// leaveIntent is a member's announcement that it leaves the pool.
type leaveIntent struct {
	Name  string
	LTime uint64
}

var errWire = errors.New("malformed gossip message")

func appendIntent(b []byte, in leaveIntent) []byte {
	b = binary.BigEndian.AppendUint64(b, in.LTime)
	b = append(b, byte(len(in.Name)))
	return append(b, in.Name...)
}

// encodeIntent returns the wire form of in, which must be valid.
func encodeIntent(in leaveIntent) []byte {
	b := make([]byte, 0, intentHeader+len(in.Name))
	return appendIntent(append(b, msgLeaveIntent, wireVersion), in)
}

// readIntent decodes one (ltime, name) entry at the start of b and returns the
// rest.
func readIntent(b []byte) (leaveIntent, []byte, error) {
	if len(b) < 9 {
		return leaveIntent{}, nil, fmt.Errorf("%w: truncated intent", errWire)
	}
	lt := binary.BigEndian.Uint64(b)
	if lt == 0 || lt >= maxLTime {
		return leaveIntent{}, nil, fmt.Errorf("%w: logical time %d out of range", errWire, lt)
	}
	n := int(b[8])
	b = b[9:]
	if n > len(b) {
		return leaveIntent{}, nil, fmt.Errorf("%w: name of %d bytes, %d left", errWire, n, len(b))
	}
	name := string(b[:n])
	if err := checkName(name); err != nil {
		return leaveIntent{}, nil, fmt.Errorf("%w: member name: %w", errWire, err)
	}
	return leaveIntent{Name: name, LTime: lt}, b[n:], nil
}

// header checks a message's type and version.
func header(b []byte, typ byte) ([]byte, error) {
	switch {
	case len(b) < 2:
		return nil, fmt.Errorf("%w: %d bytes", errWire, len(b))
	case b[0] != typ:
		return nil, fmt.Errorf("%w: message type %d, want %d", errWire, b[0], typ)
	case b[1] != wireVersion:
		return nil, fmt.Errorf("%w: version %d, want %d", errWire, b[1], wireVersion)
	}
	return b[2:], nil
}

// decodeIntent parses a leave intent strictly: known type and version, a
// logical time in range, a valid member name and no trailing bytes.
func decodeIntent(b []byte) (leaveIntent, error) {
	if len(b) > MaxIntentSize {
		return leaveIntent{}, fmt.Errorf("%w: %d bytes, at most %d", errWire, len(b), MaxIntentSize)
	}
	b, err := header(b, msgLeaveIntent)
	if err != nil {
		return leaveIntent{}, err
	}
	in, rest, err := readIntent(b)
	if err != nil {
		return leaveIntent{}, err
	}
	if len(rest) != 0 {
		return leaveIntent{}, fmt.Errorf("%w: %d trailing bytes", errWire, len(rest))
	}
	return in, nil
}

// poolState is what a member adds to memberlist's push/pull exchanges.
type poolState struct {
	Clock   uint64
	Intents []leaveIntent
}

func encodeState(s poolState) []byte {
	b := make([]byte, 0, stateHeader+len(s.Intents)*(9+32))
	b = append(b, msgState, wireVersion)
	b = binary.BigEndian.AppendUint64(b, s.Clock)
	b = append(b, byte(len(s.Intents)))
	for _, in := range s.Intents {
		b = appendIntent(b, in)
	}
	return b
}

// decodeState parses push/pull state strictly: a clock in range, at most
// maxStateIntents intents, each name once, no trailing bytes.
func decodeState(b []byte) (poolState, error) {
	if len(b) > maxStateSize {
		return poolState{}, fmt.Errorf("%w: state of %d bytes, at most %d", errWire, len(b), maxStateSize)
	}
	b, err := header(b, msgState)
	if err != nil {
		return poolState{}, err
	}
	if len(b) < 9 {
		return poolState{}, fmt.Errorf("%w: truncated state", errWire)
	}
	s := poolState{Clock: binary.BigEndian.Uint64(b)}
	if s.Clock == 0 || s.Clock >= maxLTime {
		return poolState{}, fmt.Errorf("%w: clock %d out of range", errWire, s.Clock)
	}
	n := int(b[8])
	if n > maxStateIntents {
		return poolState{}, fmt.Errorf("%w: %d intents, at most %d", errWire, n, maxStateIntents)
	}
	b = b[9:]
	seen := make(map[string]bool, n)
	for range n {
		var in leaveIntent
		if in, b, err = readIntent(b); err != nil {
			return poolState{}, err
		}
		if seen[in.Name] {
			return poolState{}, fmt.Errorf("%w: member %q listed twice", errWire, in.Name)
		}
		seen[in.Name] = true
		s.Intents = append(s.Intents, in)
	}
	if len(b) != 0 {
		return poolState{}, fmt.Errorf("%w: %d trailing bytes", errWire, len(b))
	}
	return s, nil
}

// hlc is a hybrid logical clock in milliseconds: it never goes backwards,
// advances past every time it witnesses, and follows the wall clock when that
// is ahead. A restarted member (its logical clock lost) thereby still stamps
// its intents later than the stale copies of its previous life.
type hlc struct{ last atomic.Uint64 }

func wallMillis() uint64 { return uint64(max(time.Now().UnixMilli(), 1)) }

// tick returns a new time, later than every time read or witnessed.
func (c *hlc) tick() uint64 {
	for {
		old := c.last.Load()
		t := max(old+1, wallMillis())
		if c.last.CompareAndSwap(old, t) {
			return t
		}
	}
}

// read returns the current time without advancing the logical part.
func (c *hlc) read() uint64 {
	for {
		old := c.last.Load()
		t := max(old, wallMillis())
		if t == old || c.last.CompareAndSwap(old, t) {
			return t
		}
	}
}

// witness advances the clock to t if it is behind.
func (c *hlc) witness(t uint64) {
	for {
		old := c.last.Load()
		if t <= old || t >= maxLTime || c.last.CompareAndSwap(old, t) {
			return
		}
	}
}

// intentEntry is what a member remembers about another one's intents.
type intentEntry struct {
	ltime uint64    // the latest leave intent heard; 0 when none or forgotten
	floor uint64    // intents at or below are stale: the member was alive again after them
	at    time.Time // last change; the entry is dropped intentTTL later
}

// intentBroadcast queues a leave intent in the pool's broadcast queue. A newer
// intent about the same member replaces it there.
type intentBroadcast struct {
	name string
	msg  []byte
	once sync.Once
	done chan struct{} // closed when the queue is done with it; nil: nobody waits
}

var _ memberlist.NamedBroadcast = (*intentBroadcast)(nil)

func (b *intentBroadcast) Name() string    { return "leave-intent:" + b.name }
func (b *intentBroadcast) Message() []byte { return b.msg }
func (b *intentBroadcast) Invalidates(o memberlist.Broadcast) bool {
	nb, ok := o.(memberlist.NamedBroadcast)
	return ok && nb.Name() == b.Name()
}

func (b *intentBroadcast) Finished() {
	if b.done != nil {
		b.once.Do(func() { close(b.done) })
	}
}

// intentLocked returns name's entry, dropping it once expired; p.mu is held.
func (p *Pool) intentLocked(name string, now time.Time) *intentEntry {
	e := p.intents[name]
	if e != nil && now.Sub(e.at) >= p.intentTTL {
		delete(p.intents, name)
		return nil
	}
	return e
}

// newIntentLocked returns name's entry, making room for it if needed; p.mu
// is held.
func (p *Pool) newIntentLocked(name string, now time.Time) *intentEntry {
	if e := p.intentLocked(name, now); e != nil {
		return e
	}
	if len(p.intents) >= maxIntents {
		oldest := ""
		for n, e := range p.intents {
			if now.Sub(e.at) >= p.intentTTL {
				delete(p.intents, n)
			} else if oldest == "" || e.at.Before(p.intents[oldest].at) {
				oldest = n
			}
		}
		if len(p.intents) >= maxIntents {
			delete(p.intents, oldest)
		}
	}
	e := &intentEntry{at: now}
	p.intents[name] = e
	return e
}

// hasLeaveIntentLocked reports whether name announced that it leaves, recently
// and after it was last seen alive again; p.mu is held.
func (p *Pool) hasLeaveIntentLocked(name string, now time.Time) bool {
	e := p.intentLocked(name, now)
	return e != nil && e.ltime > e.floor
}

// forgetIntentLocked forgets name's intent when it is alive again: intents
// stamped before now are stale copies from then on; p.mu is held.
func (p *Pool) forgetIntentLocked(name string, now time.Time) {
	e := p.newIntentLocked(name, now)
	e.ltime, e.floor, e.at = 0, p.clock.read(), now
}

// handleIntent records a leave intent heard from the pool. It reports whether
// the intent is news worth re-gossiping: about a known member other than
// this one, newer than what this member knew. An intent about a member
// declared dead recently makes it left.
func (p *Pool) handleIntent(in leaveIntent) bool {
	p.clock.witness(in.LTime)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.members[in.Name]
	if m == nil || in.Name == p.s.name {
		return false // unknown (Serf buffers those; gossip carries hints only), or about this member
	}
	if e := p.intentLocked(in.Name, now); e != nil && (in.LTime <= e.ltime || in.LTime <= e.floor) {
		return false // known already, or a stale copy from before a rejoin
	}
	e := p.newIntentLocked(in.Name, now)
	e.ltime, e.at = in.LTime, now
	if m.Status == StatusDead && now.Sub(m.Since) < p.intentTTL {
		// The leave overtook its intent (memberlist merges a push/pull's
		// member states before the user state that carries the intent).
		p.setLocked(m.Name, StatusLeft, EventLeave, now)
	}
	return true
}

// receiveIntent handles a leave intent gossiped to this member.
func (p *Pool) receiveIntent(buf []byte) {
	in, err := decodeIntent(buf)
	if err != nil {
		p.log.Debug("gossip message ignored", "err", err)
		return
	}
	if p.handleIntent(in) {
		p.bq.QueueBroadcast(&intentBroadcast{name: in.Name, msg: encodeIntent(in)})
	}
}

// localState is this member's part of a push/pull exchange: its clock and
// the most recent intents it remembers.
func (p *Pool) localState() []byte {
	s := poolState{Clock: p.clock.read()}
	now := time.Now()
	type recent struct {
		in leaveIntent
		at time.Time
	}
	var rs []recent
	p.mu.Lock()
	for name := range p.intents {
		if e := p.intentLocked(name, now); e != nil && e.ltime > e.floor {
			rs = append(rs, recent{leaveIntent{Name: name, LTime: e.ltime}, e.at})
		}
	}
	p.mu.Unlock()
	if len(rs) > maxStateIntents {
		slices.SortFunc(rs, func(a, b recent) int { return b.at.Compare(a.at) }) // newest first
		rs = rs[:maxStateIntents]
	}
	for _, r := range rs {
		s.Intents = append(s.Intents, r.in)
	}
	return encodeState(s)
}

// mergeState handles the other side's part of a push/pull exchange. Members
// without this package's state (older versions) send none.
func (p *Pool) mergeState(buf []byte) {
	if len(buf) == 0 {
		return
	}
	s, err := decodeState(buf)
	if err != nil {
		p.log.Debug("gossip push/pull state ignored", "err", err)
		return
	}
	p.clock.witness(s.Clock)
	for _, in := range s.Intents {
		p.handleIntent(in) // not re-gossiped: push/pull is the anti-entropy
	}
}
