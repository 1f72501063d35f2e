package storage

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Bucket names.
var (
	bMeta      = []byte("meta")
	bObjects   = []byte("objects")
	bVersions  = []byte("versions")
	bIDs       = []byte("ids")
	bKeys      = []byte("keys")
	bIndex     = []byte("index")
	bAggs      = []byte("aggregates")
	bChanges   = []byte("changes")
	bTokens    = []byte("tokens")
	bTokenHash = []byte("tokenhash")
	bSettings  = []byte("settings")
)

// Buckets schema version 2 adds (federation state; see doc.go).
var (
	bActivities = []byte("activities")
	bOutbox     = []byte("outbox")
	bDeliveries = []byte("deliveries")
	bDue        = []byte("due")
	bHostQueue  = []byte("hostq")
	bPending    = []byte("dpending")
	bDead       = []byte("dead")
	bHosts      = []byte("hosts")
	bFollowers  = []byte("followers")
	bFollowing  = []byte("following")
	bFanout     = []byte("fanout")
	bInboxSeen  = []byte("inbox_seen")
	bInboxAge   = []byte("inbox_age")
)

// schemaV2Buckets are the buckets schema version 2 adds.
var schemaV2Buckets = [][]byte{bActivities, bOutbox, bDeliveries, bDue, bHostQueue, bPending, bDead, bHosts,
	bFollowers, bFollowing, bFanout, bInboxSeen, bInboxAge}

// schemaV1Buckets are the buckets schema version 1 has.
var schemaV1Buckets = [][]byte{bMeta, bObjects, bVersions, bIDs, bKeys, bIndex, bAggs, bChanges,
	bTokens, bTokenHash, bSettings}

// Meta keys.
var (
	mSchema  = []byte("schema")
	mEpoch   = []byte("epoch")
	mCreated = []byte("created")
	mSeq     = []byte("seq")
	mOID     = []byte("oid") // the last order number given to an object (schema 7)
	// mCompact, while present, asks Open to compact the file: the schema-7
	// migration sets it; the compacted copy is written without it, so a
	// compaction that did not finish runs again at the next start.
	mCompact = []byte("compact")
)

const countPrefix = "count/"

// Secondary-index fields: the filter names List accepts and their one-byte
// ids in index keys. The ids are part of the on-disk format.
const (
	// fieldAll is every live object's posting (value ""): the unfiltered
	// list walks it, in order numbers like every filtered one.
	fieldAll            byte = 0
	fieldType           byte = 1
	fieldOrigin         byte = 2
	fieldNature         byte = 3
	fieldLanguage       byte = 4
	fieldProblemProfile byte = 5
	fieldLicence        byte = 6
	fieldScope          byte = 7
	fieldCountry        byte = 8
	fieldTarget         byte = 9
)

// filterFields maps List filter names to index fields.
var filterFields = map[string]byte{
	"type": fieldType, "origin": fieldOrigin, "nature": fieldNature, "language": fieldLanguage,
	"problem_profile": fieldProblemProfile, "licence": fieldLicence, "scope": fieldScope,
	"country": fieldCountry, "target": fieldTarget,
}

// FilterKeys lists the filter names ListOptions.Filters accepts, in a stable order.
func FilterKeys() []string {
	return []string{"type", "origin", "nature", "language", "problem_profile", "licence", "scope", "country", "target"}
}

// migration upgrades the schema by one version inside Open's transaction.
type migration func(tx *bbolt.Tx, now time.Time) error

// migrations is the ordered list: migrations[i] upgrades schema i to i+1.
// Append only; never edit a released migration.
func migrations() []migration {
	return []migration{migrateV1, migrateV2, migrateV3, migrateV4, migrateV5, migrateV6, migrateV7, migrateV8}
}

// createBuckets creates the buckets names that do not exist yet.
func createBuckets(tx *bbolt.Tx, names [][]byte) error {
	for _, name := range names {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// migrateV2 adds the federation buckets: activities and the outbox, the
// delivery queue, the follow graph and inbox de-duplication. Their counters
// (meta "fed/...") start absent, which reads as zero.
func migrateV2(tx *bbolt.Tx, _ time.Time) error {
	return createBuckets(tx, schemaV2Buckets)
}

// migrateV1 creates the buckets and the database's identity.
func migrateV1(tx *bbolt.Tx, now time.Time) error {
	if err := createBuckets(tx, schemaV1Buckets); err != nil {
		return err
	}
	meta := tx.Bucket(bMeta)
	if meta.Get(mEpoch) == nil {
		epoch, err := newEpoch()
		if err != nil {
			return err
		}
		if err := meta.Put(mEpoch, []byte(epoch)); err != nil {
			return fmt.Errorf("put epoch: %w", err)
		}
	}
	if meta.Get(mCreated) == nil {
		if err := meta.Put(mCreated, []byte(now.UTC().Format(time.RFC3339Nano))); err != nil {
			return fmt.Errorf("put creation time: %w", err)
		}
	}
	if meta.Get(mSeq) == nil {
		if err := meta.Put(mSeq, be64(0)); err != nil {
			return fmt.Errorf("put seq: %w", err)
		}
	}
	return nil
}

// newEpoch returns a random 128-bit id in hex.
func newEpoch() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make epoch: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// schemaVersion reads the schema version of an open database: 0 for an
// empty file, an error for a bbolt file that is not a node database.
func schemaVersion(tx *bbolt.Tx) (uint64, error) {
	meta := tx.Bucket(bMeta)
	if meta == nil {
		others := 0
		_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { others++; return nil })
		if others > 0 {
			return 0, fmt.Errorf("%w: the file is a bbolt database but not an interlink node database (no meta bucket)", ErrIncompatible)
		}
		return 0, nil
	}
	v := meta.Get(mSchema)
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: the meta bucket has no valid schema version", ErrIncompatible)
	}
	return binary.BigEndian.Uint64(v), nil
}

// migrate brings the database to len(ms), or refuses a newer one.
func migrate(tx *bbolt.Tx, ms []migration, now time.Time) (from, to uint64, err error) {
	from, err = schemaVersion(tx)
	if err != nil {
		return 0, 0, err
	}
	to = uint64(len(ms))
	if from > to {
		return from, to, fmt.Errorf("%w: the database has schema version %d but this program knows versions up to %d (upgrade the program)", ErrIncompatible, from, to)
	}
	for v := from; v < to; v++ {
		if err := ms[v](tx, now); err != nil {
			return from, to, fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	if from != to {
		meta := tx.Bucket(bMeta)
		if meta == nil {
			return from, to, fmt.Errorf("migrate schema to %d: the migrations did not create the meta bucket", to)
		}
		if err := meta.Put(mSchema, be64(to)); err != nil {
			return from, to, fmt.Errorf("put schema version: %w", err)
		}
	}
	return from, to, nil
}
