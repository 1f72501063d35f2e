package protocol

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ULIDSource makes ULIDs (https://github.com/ulid/spec, with
// github.com/oklog/ulid/v2): 48 bits of milliseconds and 80 random bits
// from crypto/rand, monotonic within a millisecond (the random part is
// incremented) so that ids made by one node sort in creation order, also
// when the clock steps back (the last millisecond is kept). Safe for
// concurrent use.
type ULIDSource struct {
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
	lastMS  uint64
}

// New returns a ULID for time t.
func (s *ULIDSource) New(t time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entropy == nil {
		s.entropy = ulid.Monotonic(rand.Reader, 0)
	}
	ms := max(ulid.Timestamp(t), s.lastMS)
	for {
		id, err := ulid.New(ms, s.entropy)
		if err == nil {
			s.lastMS = ms
			return id.String()
		}
		if !errors.Is(err, ulid.ErrMonotonicOverflow) {
			panic(fmt.Sprintf("protocol: make a ULID: %v", err)) // crypto/rand failed
		}
		ms++ // the millisecond's random part is spent: take the next one
	}
}

// ValidULID reports whether s is a well-formed ULID (26 Crockford base32
// digits, upper case, first digit ≤ 7).
func ValidULID(s string) bool {
	_, err := ulid.ParseStrict(s)
	return err == nil && strings.ToUpper(s) == s
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
