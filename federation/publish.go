package federation

import (
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/storage"
)

// Publication builds the activity announcing a new local version: Create
// for version 1, Update for a later one, Delete (with a Tombstone) for a
// tombstone. The caller stores it in the same transaction as the version
// (storage.WriteOp.Publish), which appends it to the outbox and queues one
// delivery per accepted follower's (shared) inbox.
// e, when not nil, is obj's body already decoded and validated.
func Publication(u protocol.URIs, ids *protocol.ULIDSource, obj protocol.Object, e protocol.Entity, now time.Time) (*storage.Activity, error) {
	id := ids.New(now)
	var (
		body []byte
		err  error
		typ  string
	)
	switch {
	case obj.Deleted:
		typ = "Delete"
		body, err = activity.Delete(u, id, obj)
	case obj.Version == 1:
		typ = "Create"
		body, err = activity.Create(u, id, obj, activity.WithEntity(e))
	default:
		typ = "Update"
		body, err = activity.Update(u, id, obj, activity.WithEntity(e))
	}
	if err != nil {
		return nil, fmt.Errorf("federation: %s of %s: %w", typ, obj.IRI, err)
	}
	return &storage.Activity{IRI: u.Activity(id), Type: typ, Actor: u.Actor(), ObjectIRI: obj.IRI, Published: now.UTC(), Body: body}, nil
}
