package federation

import (
	"context"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// The federation agent's seams to the node's database, declared here by
// their consumer, each small enough to fake in a unit test: *storage.Store
// implements Objects, and its views Queue, Follows and Cosigning the others.

// Objects is the catalogue as the agent reads and writes it: remote
// versions applied exactly once per activity, evidence of equivocation.
type Objects interface {
	Get(ctx context.Context, iri string) (protocol.Object, error)
	GetVersion(ctx context.Context, iri string, v uint64) (protocol.Object, error)
	Apply(ctx context.Context, ops ...storage.WriteOp) (uint64, error)
	ApplyInbound(ctx context.Context, activityIRI string, ops ...storage.WriteOp) (applied bool, err error)
	SeenActivity(ctx context.Context, iri string) (bool, error)
	ActivityByIRI(ctx context.Context, iri string) (storage.Activity, error)
	PutEquivocation(ctx context.Context, e storage.Equivocation) (bool, error)
	Changed() <-chan struct{}
}

// Queue is the durable delivery queue.
type Queue interface {
	Enqueue(ctx context.Context, activity storage.Activity, inboxes []string) error
	DueDeliveries(ctx context.Context, now time.Time, limit int, skipHosts map[string]bool) ([]storage.Delivery, error)
	DeliveryDone(ctx context.Context, id string) error
	DeliveryRetry(ctx context.Context, id string, next time.Time, status int, errText string) error
	DeliveryDead(ctx context.Context, id string, reason string) error
	Replay(ctx context.Context, id string, now time.Time) error
	DropHost(ctx context.Context, host string, reason string) (int, error)
	MakeHostDue(ctx context.Context, host string, now time.Time) (int, error)
	ExpireHost(ctx context.Context, host string, createdBefore time.Time, reason string) (int, error)
	QueueStats(ctx context.Context) (map[string]storage.HostQueue, error)
}

// FollowGraph is who follows this node and whom it follows.
type FollowGraph interface {
	Follower(ctx context.Context, actor string) (storage.Follow, error)
	Following(ctx context.Context, actor string) (storage.Follow, error)
	Followers(ctx context.Context, after string, limit int, state string) ([]storage.Follow, string, int, error)
	Followings(ctx context.Context, after string, limit int, state string) ([]storage.Follow, string, int, error)
	PutFollower(ctx context.Context, f storage.Follow) error
	PutFollowing(ctx context.Context, f storage.Follow) error
	DeleteFollower(ctx context.Context, actor string) error
	DeleteFollowing(ctx context.Context, actor string) error
	MarkPeer(ctx context.Context, actor string, ok bool, at time.Time, errText string) error
}

// Cosigning is what co-production keeps: the drafts this node offered, and
// the requests it received.
type Cosigning interface {
	PutDraft(ctx context.Context, d storage.Draft) error
	Draft(ctx context.Context, id string) (storage.Draft, error)
	Drafts(ctx context.Context) ([]storage.Draft, error)
	AddCosignRequest(ctx context.Context, r storage.CosignRequest, quota int) (storage.CosignRequest, bool, error)
	PutCosignRequest(ctx context.Context, r storage.CosignRequest) error
	CosignRequest(ctx context.Context, id string) (storage.CosignRequest, error)
	ExpirePendingCosign(ctx context.Context, cutoff time.Time, reason string) (int, error)
}

var (
	_ Objects     = (*storage.Store)(nil)
	_ Queue       = storage.Queue{}
	_ FollowGraph = storage.Follows{}
	_ Cosigning   = storage.Cosigning{}
)
