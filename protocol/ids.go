package protocol

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// crockford is the base32 alphabet of ULIDs.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ULIDSource makes ULIDs (https://github.com/ulid/spec): 48 bits of
// milliseconds and 80 random bits, monotonic within a millisecond so that
// ids made by one node sort in creation order. Safe for concurrent use.
type ULIDSource struct {
	mu      sync.Mutex
	lastMS  uint64
	lastHi  uint16
	lastLo  uint64
	started bool
}

// New returns a ULID for time t.
func (s *ULIDSource) New(t time.Time) string {
	ms := uint64(t.UnixMilli())
	s.mu.Lock()
	if s.started && ms <= s.lastMS {
		ms = s.lastMS
		s.lastLo++
		if s.lastLo == 0 {
			s.lastHi++
		}
	} else {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("protocol: crypto/rand failed: %v", err))
		}
		s.lastHi = binary.BigEndian.Uint16(b[:2]) & 0x7fff // leave room for increments
		s.lastLo = binary.BigEndian.Uint64(b[2:])
		s.started = true
	}
	s.lastMS = ms
	hi, lo := s.lastHi, s.lastLo
	s.mu.Unlock()

	var raw [16]byte
	raw[0], raw[1], raw[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	raw[3], raw[4], raw[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	binary.BigEndian.PutUint16(raw[6:8], hi)
	binary.BigEndian.PutUint64(raw[8:], lo)
	return encodeULID(raw)
}

func encodeULID(b [16]byte) string {
	// 128 bits as 26 base32 digits (the first digit carries 3 bits).
	var out [26]byte
	var acc uint64
	bits := 0
	// process from the least significant end
	idx := 25
	for i := 15; i >= 0; i-- {
		acc |= uint64(b[i]) << bits
		bits += 8
		for bits >= 5 && idx >= 0 {
			out[idx] = crockford[acc&31]
			acc >>= 5
			bits -= 5
			idx--
		}
	}
	if idx >= 0 {
		out[idx] = crockford[acc&31]
	}
	return string(out[:])
}

// ValidULID reports whether s is a well-formed ULID (26 Crockford base32
// digits, upper case, first digit ≤ 7).
func ValidULID(s string) bool {
	if len(s) != 26 || s[0] > '7' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(crockford, rune(s[i])) {
			return false
		}
	}
	return true
}

// URIs builds every IRI a node mints. It is the one place that knows the
// URL layout, so that handlers, storage and federation never concatenate
// strings themselves.
type URIs struct {
	base string // public URL without trailing slash
}

// NewURIs returns the builder for a node whose public URL is base.
func NewURIs(base string) URIs { return URIs{base: strings.TrimRight(base, "/")} }

// Base is the node's public URL (its origin and identity).
func (u URIs) Base() string { return u.base }

// Object is the IRI of the object with ULID id.
func (u URIs) Object(id string) string { return u.base + "/objects/" + id }

// Actor is the node's ActivityPub actor IRI.
func (u URIs) Actor() string { return u.base + "/actor" }

// KeyID is the id of the actor's HTTP-signature key.
func (u URIs) KeyID() string { return u.Actor() + "#main-key" }

// Inbox is the actor's own inbox ({actor}/inbox, where FedBOX delivers).
func (u URIs) Inbox() string { return u.Actor() + "/inbox" }

// SharedInbox is the node-wide inbox peers deliver to once per node.
func (u URIs) SharedInbox() string { return u.base + "/inbox" }

// Outbox is the actor's outbox collection.
func (u URIs) Outbox() string { return u.Actor() + "/outbox" }

// Followers is the actor's followers collection.
func (u URIs) Followers() string { return u.Actor() + "/followers" }

// Following is the actor's following collection.
func (u URIs) Following() string { return u.Actor() + "/following" }

// Activity is the IRI of an activity this node emits, with ULID id.
func (u URIs) Activity(id string) string { return u.base + "/activities/" + id }

// NodeInfo is the URL of the node's NodeInfo 2.1 document (the
// /.well-known/nodeinfo links document points to it).
func (u URIs) NodeInfo() string { return u.base + "/nodeinfo/2.1" }

// Problem is the type URI of an RFC 9457 problem.
func (u URIs) Problem(name string) string { return u.base + "/problems/" + name }

// ObjectID returns the ULID of an object IRI minted by this node, or false
// when the IRI is not one of this node's object IRIs (compared on parsed
// scheme, host and port, never by substring).
func (u URIs) ObjectID(iri string) (string, bool) {
	b, err1 := url.Parse(u.base)
	p, err2 := url.Parse(iri)
	if err1 != nil || err2 != nil || !SameOrigin(b, p) {
		return "", false
	}
	rest, ok := strings.CutPrefix(p.EscapedPath(), strings.TrimRight(b.EscapedPath(), "/")+"/objects/")
	if !ok || !ValidULID(rest) || p.RawQuery != "" || p.Fragment != "" {
		return "", false
	}
	return rest, true
}

// SameOrigin compares scheme, host and port of two parsed URLs, with default
// ports made explicit and host names compared case-insensitively.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) &&
		effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}
