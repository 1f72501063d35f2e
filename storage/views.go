package storage

// The store's method set is grouped by what its callers keep: each view
// below is the part of the store one concern uses, so that a consumer's
// seam (an interface it declares) is satisfied by one small view and the
// Store itself keeps the catalogue, the change log and the lifecycle. A view
// is a handle on the same database and committer: it holds nothing else,
// costs nothing to make, and is safe for concurrent use like the Store.

// Accounts keeps people's accounts, their sessions and the audit list of
// changes made through pages (schema 5).
type Accounts struct{ s *Store }

// Accounts is the accounts view of the store.
func (s *Store) Accounts() Accounts { return Accounts{s} }

// Queue is the durable delivery queue: pending deliveries by due time and
// by host, dead letters, per-host state and pauses.
type Queue struct{ s *Store }

// Queue is the delivery queue view of the store.
func (s *Store) Queue() Queue { return Queue{s} }

// Follows is the follow graph: who follows this node, whom it follows, and
// the fan-out of a publication to their inboxes.
type Follows struct{ s *Store }

// Follows is the follow graph view of the store.
func (s *Store) Follows() Follows { return Follows{s} }

// Cosigning keeps co-production's drafts (versions this node offered for
// co-signing) and the co-sign requests it received.
type Cosigning struct{ s *Store }

// Cosigning is the co-signing view of the store.
func (s *Store) Cosigning() Cosigning { return Cosigning{s} }

// Authority keeps the subordinates an anchor or intermediate vouches for.
type Authority struct{ s *Store }

// Authority is the trust authority view of the store.
func (s *Store) Authority() Authority { return Authority{s} }

// Tokens keeps the API tokens: only the SHA-256 hash of each secret.
type Tokens struct{ s *Store }

// Tokens is the API tokens view of the store.
func (s *Store) Tokens() Tokens { return Tokens{s} }

// Processes keeps the co-production processes this node hosts or takes
// part in: one record each and its ordered log of signed entries (schema 6,
// processes.go).
type Processes struct{ s *Store }

// Processes is the co-production view of the store.
func (s *Store) Processes() Processes { return Processes{s} }
