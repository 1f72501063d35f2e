// Package storage is the node's source of truth: the catalogue (every
// version of every object, local and federated), its secondary indexes and
// counters, the change log a derived search index follows, API tokens,
// settings, people's accounts, sessions and audit list, all in one embedded
// bbolt file. It owns every bbolt transaction; nothing else opens the
// database.
//
// # Writes: one committer, group commit
//
// Every write (Apply, PutSetting, and the writes of the views: the
// delivery queue, follows, co-signing, tokens, accounts) is a request on a channel read by ONE committer
// goroutine. The committer takes whatever is queued (at most
// Options.MaxBatch requests; optionally waiting up to Options.MaxBatchDelay
// to fill a batch) and applies it in a single bbolt Update, so one commit
// (and its fsyncs) serves many callers. Each request is
// planned against the transaction's state plus its own pending writes (an
// overlay) and only written when every check passed, so a request that fails
// writes nothing and does not disturb the others in its batch. A caller is
// answered only after the commit returned; if the commit fails, every
// request of the batch gets the error. A request whose context is done when
// the committer reaches it is skipped (and reported as not applied).
//
// # Views
//
// The Store's methods cover the catalogue (Apply, Get, List, versions, the
// change log), the inbox's exactly-once application, the outbox, settings,
// backup and verification. What one concern keeps is reached through a view
// (views.go), a handle on the same database: Queue (deliveries, dead
// letters, hosts), Follows (the follow graph), Cosigning (drafts and co-sign
// requests), Authority (subordinates), Tokens (API tokens) and Accounts
// (users, sessions, audit). A consumer declares the interface it needs and
// is given the view that implements it.
//
// # Buckets and key layout
//
// str(s) below is uvarint(len(s)) followed by the bytes of s, so composite
// keys are unambiguous and prefix scans are exact. be64(n) is an 8-byte
// big-endian integer.
//
//	meta       "schema"            → be64(schema version)
//	           "epoch"             → random hex id, new with every database and every restore
//	           "created"           → RFC 3339 time the database was created
//	           "seq"               → be64(last change sequence)
//	           "oid"               → be64(last order number given to an object)  (schema 7)
//	           "compact"           → present until Open has compacted the file after the schema-7 migration
//	           "count/" + kind     → be64(live objects of that kind)
//	           "fed/outbox.seq"    → be64(last outbox position)          (schema 2)
//	           "fed/outbox.count"  → be64(outbox entries)
//	           "fed/delivery.seq"  → be64(last delivery id)
//	           "fed/followers/" + state, "fed/following/" + state → be64(edges in that state)
//	objects    iri                 → header: format, flags (deleted), current version,
//	                                 seq of its last change, aggregate contribution,
//	                                 the index postings of the current version, and
//	                                 (format 2, schema 7) the object's order number: given
//	                                 once, when this node first stores the object
//	versions   str(iri) be64(ver)  → record: format, flags, version, created, updated,
//	                                 str(iri) str(id) str(type) str(origin) str(key), body (verbatim)
//	ids        id                  → iri (ULIDs; tombstones keep theirs; a remote object
//	                                 whose id another object holds has none)
//	keys       str(origin) str(type) key → iri (live objects with a natural key only; a remote
//	                                 object takes its key only when it is free)
//	index      field str(value) be64(order number) → iri (live objects only; field is
//	                                 one byte: 0 every object (value ""), 1 type, 2 origin,
//	                                 3 nature, 4 language, 5 problem_profile, 6 licence,
//	                                 7 scope, 8 country, 9 target. Until schema 7 keyed by
//	                                 IRI instead of order number: objects received together
//	                                 from many origins then touched a leaf per posting each;
//	                                 now they append to one. List walks it in order numbers)
//	aggregates target-iri          → uvarint(adoptions) uvarint(ratings) varint(rating sum)
//	changes    be64(seq)           → iri (compacted: only the latest change of each object is
//	                                 kept, so sequences have gaps and the log is bounded by
//	                                 the number of objects)
//	tokens     id                  → JSON token (name, role, SHA-256 hash, created)
//	tokenhash  sha256              → id
//	settings   name                → value ("identity" → JSON {"public_url", "federation_key"}:
//	                                 the node the database belongs to; restore checks it)
//
// Schema 2 adds the federation state:
//
//	activities iri                 → format, uvarint(outbox position; 0: not in the outbox),
//	                                 str(iri) str(type) str(actor) str(object), published, body (verbatim)
//	outbox     be64(position)      → activity iri (append-only, oldest first)
//	deliveries id                  → pending delivery: format, flags (dead), attempts, str(id)
//	                                 str(activity) str(inbox) str(host), created, next attempt,
//	                                 uvarint(last status) str(last error) str(dead reason);
//	                                 id is 16 hex digits of fed/delivery.seq (creation order)
//	due        be64(next ns) id    → host (pending deliveries by due time)
//	hostq      str(host) id        → "" (pending deliveries per host, oldest first)
//	dpending   str(activity) inbox → id (at most one pending delivery per activity and inbox)
//	dead       id                  → dead letter (a delivery record with the dead flag)
//	hosts      host:port           → format, uvarint(pending) uvarint(dead) uvarint(last status),
//	                                 str(last error), last failure, last success
//	followers  actor iri           → follow: format, str(actor) str(inbox) str(shared inbox)
//	                                 str(follow iri) str(state), since, updated, last success,
//	                                 uvarint(failures) str(last error)
//	following  actor iri           → follow (same encoding)
//	fanout     inbox iri           → uvarint(accepted followers delivering there): the distinct
//	                                 targets of a publish (a shared inbox, else an inbox)
//	inbox_seen activity iri        → be64(seen, Unix ns)
//	inbox_age  be64(seen ns) iri   → "" (ids older than Options.InboxRetention are pruned)
//
// Record format 2 (versions) adds a remote version's provenance after the
// key: str(actor), time received. Local records stay in format 1. A record
// whose flags carry "signed" (bit 1) holds, after the provenance, the
// version's JWS as it was signed or received and this node's verification
// (JSON), each as str(...), then the body.
//
// Schema 3 adds the trust layer's records (JSON values, storage/trust.go):
//
//	subordinates entity id         → Subordinate (an anchor's or intermediate's enrolled entity)
//	drafts       draft id          → Draft (a co-produced version waiting for its co-signers)
//	cosign       request id        → CosignRequest (another node's request to co-sign)
//
// Schema 4 adds what a receiver keeps as evidence (storage/evidence.go):
//
//	jtis          iss 0x00 jti      → sub 0x00 be64(ver) be64(exp): signature ids of stored
//	                                  remote versions, until they expire (one use per signer)
//	jti_exp       be64(exp) key     → nil: the pruning order
//	equivocations iri 0x00 be64(ver) be64(detected) → Equivocation (two versions, one number)
//	cosign_idx    "a" 0x00 activity → request id; "p" 0x00 origin 0x00 id → nil while pending
//
// Schema 5 adds people's accounts, their sign-in sessions and the audit list
// (JSON values; storage/accounts.go, sessions.go, audit.go):
//
//	users         user id (ULID)    → User (username, display name, role, disabled, password
//	                                  hash (opaque; empty for OIDC-only users), OIDC issuer and
//	                                  subject, created, updated, last sign-in)
//	usernames     lower(username)   → user id (usernames are ASCII, unique case-insensitively)
//	user_oidc     str(issuer) str(subject) → user id (an OIDC subject is one user's)
//	sessions      sha256(secret)    → Session (user id, created, last seen, expires, user agent
//	                                  and address, clipped); the secret itself is never stored
//	user_sessions str(user id) sha256 → "" (a user's sessions: sign out everywhere is one
//	                                  prefix scan in one transaction; at most 100 per user)
//	session_exp   be64(expires ns) sha256 → "" (PruneSessions deletes in this order)
//	audit         be64(seq)         → AuditEntry {time, user_id, username, action, target,
//	                                  detail, address}; append-only, the oldest pruned beyond a
//	                                  retention count
//	meta "audit.seq"                → be64(last audit sequence)
//
// Schema 6 adds the co-production processes (storage/processes.go, the
// Processes view):
//
//	processes  process iri         → ProcessRecord (JSON): host, group inbox, where this node
//	                                 stands (host, participant, invited, left), the last entry
//	                                 applied
//	procstate  process iri         → the state after that entry (JSON)
//	proclog    iri 0x00 be64(seq)  → the host-signed entry (JWS), append-only, gapless
//	procchanges iri 0x00 change iri → be64(seq): each change is ordered once
//	procassets hex sha256          → the bytes of a file asset
//
// An entry, the state after it and the deliveries that announce it commit
// together (Append): a participant acknowledges nothing it could lose.
//
// Schema 8 keeps a compact copy of each current version's verdict
// (storage/verdicts.go), which re-judging and the signer metrics walk
// instead of every version record:
//
//	verdicts   be64(order number)  → format, str(iri), uvarint(version), str(origin),
//	                                 str(status), expires, uvarint(n), n × (str(entity id),
//	                                 str(kid)); live objects whose current version carries
//	                                 a verification only, written with the version and with
//	                                 every SetVerification
//
// Schema 7 gives every object an order number (meta "oid", the header's
// last field) and keys the index postings by it (storage/order.go: the
// migration numbers the objects in IRI order, the order lists had, and
// rebuilds the index from the headers; a list cursor of the old form still
// continues where it stood).
//
// Disabling a user (UpdateUser) deletes its sessions in the same
// transaction, and CreateSession refuses a disabled user, so a disabled
// user never holds a session. A duplicate username or OIDC subject is a
// *DuplicateError (ErrConflict); a malformed field a *FieldError
// (ErrInvalidObject) naming it.
//
// # Federation
//
// A local write announces itself with WriteOp.Publish: the version, its
// activity, the outbox entry and one delivery per fanout entry commit
// together, so nothing is lost if the node stops before sending. Delivery
// state changes (DeliveryDone, DeliveryRetry, DeliveryDead, Replay,
// DropHost) and follow-graph writes are committer requests too, so a
// worker pool's completions group-commit. Remote versions are written with
// WriteOp.Remote (newer versions only, gaps allowed, provenance required)
// through ApplyInbound, which applies each inbound activity id once.
//
// Bodies are stored as the caller gave them (they are the entity's canonical
// JSON) and never re-encoded. A current object is found through its header
// (objects) and read from versions, so a write stores the body once. Times
// come back in UTC (stored as seconds and nanoseconds, so they compare Equal).
//
// # Schema and migrations
//
// meta/schema holds the schema version. Open runs every missing migration,
// in order, inside one transaction; a database whose schema is newer than
// this code knows is refused.
//
// # Backup and restore
//
// Backup streams a consistent snapshot from a read transaction while
// writers continue. CheckBackup and ReplaceFile implement restore; a
// candidate is outside input, so CheckBackup first walks its page structure
// itself (pages.go: every page and element a reader could follow lies inside
// the file, keys in order) because bbolt trusts those offsets and would
// crash the process on a damaged file; then bbolt's own check and Verify's
// invariants run. The restored file gets a new epoch, so any index derived
// from the old data notices it is stale.
package storage
