package catalogue

import (
	"context"
	"slices"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// Overview is what a node's home page shows of its catalogue and its
// federation.
type Overview struct {
	Counts    map[protocol.Kind]int // live objects per kind
	Following int                   // accepted follows of other nodes
	Followers int                   // accepted followers
	Latest    []protocol.Object     // the latest changed live objects, newest first
}

// latestWindow is how many change-log entries Overview looks back through.
const latestWindow = 200

// Overview reads the counts per kind, the follow graph's sizes and up to
// latest recently changed objects (newest first, tombstones left out).
func (s *Service) Overview(ctx context.Context, latest int) (Overview, error) {
	st := s.d.Store
	counts, err := st.Counts(ctx)
	if err != nil {
		return Overview{}, err
	}
	o := Overview{Counts: counts}
	if _, _, o.Following, err = st.Follows().Followings(ctx, "", 1, storage.FollowAccepted); err != nil {
		return Overview{}, err
	}
	if _, _, o.Followers, err = st.Follows().Followers(ctx, "", 1, storage.FollowAccepted); err != nil {
		return Overview{}, err
	}
	after := uint64(0)
	if seq := st.Seq(); seq > latestWindow {
		after = seq - latestWindow
	}
	changes, err := st.Changes(ctx, after, latestWindow)
	if err != nil {
		return Overview{}, err
	}
	slices.Reverse(changes)
	for _, c := range changes {
		if len(o.Latest) >= latest {
			break
		}
		obj, err := st.Get(ctx, c.IRI)
		if err != nil || obj.Deleted {
			continue
		}
		o.Latest = append(o.Latest, obj)
	}
	return o, nil
}

// ObjectPage is an object as its page shows it: the version asked for (the
// current one when 0) and the list of its versions.
type ObjectPage struct {
	Object   protocol.Object
	Versions []protocol.Meta
}

// ObjectByID reads the object with the ULID id held by this node (its own
// or a peer's copy): version (0 for the current one) and every version's
// metadata. storage.ErrNotFound when there is none.
func (s *Service) ObjectByID(ctx context.Context, id string, version uint64) (ObjectPage, error) {
	obj, err := s.d.Store.GetByID(ctx, id)
	if err != nil {
		return ObjectPage{}, err
	}
	if version != 0 && version != obj.Version {
		if obj, err = s.d.Store.GetVersion(ctx, obj.IRI, version); err != nil {
			return ObjectPage{}, err
		}
	}
	vs, err := s.d.Store.Versions(ctx, obj.IRI)
	if err != nil {
		return ObjectPage{}, err
	}
	return ObjectPage{Object: obj, Versions: vs}, nil
}
