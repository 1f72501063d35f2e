package api

import "time"

// ActorRequest is the body of POST /api/v1/follows ({"target"}) and of
// POST /api/v1/followers/approve and /reject ({"actor"}).
type ActorRequest struct {
	Target string `json:"target,omitempty"` // follow: an actor IRI or acct:name@host
	Actor  string `json:"actor,omitempty"`  // approve, reject: the remote actor IRI
}

// Follow is a follow edge (followed or following node).
type Follow struct {
	Actor       string    `json:"actor"`
	Inbox       string    `json:"inbox"`
	SharedInbox string    `json:"shared_inbox,omitempty"`
	FollowIRI   string    `json:"follow_iri"`
	State       string    `json:"state"` // pending, accepted, rejected
	Since       time.Time `json:"since"`
	Updated     time.Time `json:"updated"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	Failures    int       `json:"failures"`
	LastError   string    `json:"last_error,omitempty"`
}

// FollowPage is the answer of GET /api/v1/follows and /followers.
type FollowPage struct {
	Items []Follow `json:"items"`
	Next  string   `json:"next"` // the cursor of the next page, "" after the last
	Total int      `json:"total"`
}

// Delivery is a delivery to a peer's inbox (a dead letter).
type Delivery struct {
	ID          string    `json:"id"`
	ActivityIRI string    `json:"activity_iri"`
	Inbox       string    `json:"inbox"`
	Host        string    `json:"host"`
	Attempts    int       `json:"attempts"`
	Created     time.Time `json:"created"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastStatus  int       `json:"last_status,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	Dead        bool      `json:"dead"`
	DeadReason  string    `json:"dead_reason,omitempty"`
}

// DeliveryPage is the answer of GET /api/v1/deliveries/dead.
type DeliveryPage struct {
	Items []Delivery `json:"items"`
	Next  string     `json:"next"`
}

// Members is the answer of GET /api/v1/members.
type Members struct {
	Enabled bool     `json:"enabled"` // false: gossip is off (gossip.bind empty)
	Self    string   `json:"self"`    // this node's member name (its public URL)
	Items   []Member `json:"items"`
}

// Member is one gossip member as the node sees it. Status, address, role,
// version and the entity id come from gossip (hints); trust, anchor and
// organisation from the member's check over HTTP and JWS.
type Member struct {
	Name         string `json:"name"`
	EntityID     string `json:"entity_id"`
	Address      string `json:"address"`
	Status       string `json:"status"` // alive, suspect, dead, left
	Country      string `json:"country"`
	Role         string `json:"role"`
	Version      string `json:"version,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Trust        string `json:"trust"` // verified, unverified, unchecked, failed
	TrustReason  string `json:"trust_reason"`
	Anchor       string `json:"anchor"`
	Followed     bool   `json:"followed,omitempty"` // followed through discovery (follow-trusted)
	FollowError  string `json:"follow_error,omitempty"`
	LastSeen     string `json:"last_seen"` // RFC 3339: when the node last saw it alive
	Since        string `json:"since"`     // RFC 3339: when it entered its status
}
