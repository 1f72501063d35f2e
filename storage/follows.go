package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Follow states.
const (
	FollowPending  = "pending"
	FollowAccepted = "accepted"
	FollowRejected = "rejected"
)

// FollowStates lists the states in a stable order.
var FollowStates = []string{FollowPending, FollowAccepted, FollowRejected}

// Follow is one edge of the follow graph: a remote actor following this
// node (a follower) or a remote actor this node follows (a following).
type Follow struct {
	Actor       string // the remote actor's IRI
	Inbox       string // its inbox
	SharedInbox string // its shared inbox, when it has one
	FollowIRI   string // the Follow activity's id
	State       string // FollowPending, FollowAccepted, FollowRejected
	Since       time.Time
	Updated     time.Time
	LastSuccess time.Time // last successful exchange with the peer (MarkPeer)
	Failures    int       // consecutive failures since (MarkPeer)
	LastError   string    // the last failure's text (MarkPeer; cleared by a success)
}

// graph is one direction of the follow graph.
type graph struct {
	name    string // "follower", "following"
	bucket  []byte
	counter string // meta key prefix of the per-state counters
	fanout  bool   // accepted edges feed the publish fan-out
}

var (
	followersGraph = graph{name: "follower", bucket: bFollowers, counter: "fed/followers/", fanout: true}
	followingGraph = graph{name: "following", bucket: bFollowing, counter: "fed/following/"}
)

const followFormat = 1

func (g graph) counterKey(state string) []byte { return []byte(g.counter + state) }

// fanoutInbox is where a follower's activities go: its shared inbox when it
// has one, else its inbox.
func (f *Follow) fanoutInbox() string {
	if f.SharedInbox != "" {
		return f.SharedInbox
	}
	return f.Inbox
}

func checkFollow(f *Follow) error {
	if err := checkIRI(f.Actor); err != nil {
		return fmt.Errorf("actor: %v", err)
	}
	if err := checkIRI(f.Inbox); err != nil {
		return fmt.Errorf("inbox: %v", err)
	}
	if _, err := hostOf(f.Inbox); err != nil {
		return err
	}
	if f.SharedInbox != "" {
		if err := checkIRI(f.SharedInbox); err != nil {
			return fmt.Errorf("shared inbox: %v", err)
		}
		if _, err := hostOf(f.SharedInbox); err != nil {
			return err
		}
	}
	if f.FollowIRI != "" {
		if err := checkIRI(f.FollowIRI); err != nil {
			return fmt.Errorf("follow activity: %v", err)
		}
	}
	if !slices.Contains(FollowStates, f.State) {
		return fmt.Errorf("state %q is not one of %v", protocol.Clip(f.State, 40), FollowStates)
	}
	if f.Failures < 0 || len(f.LastError) > maxErrorText {
		return fmt.Errorf("negative failures or an error text over %d bytes", maxErrorText)
	}
	return nil
}

// PutFollower stores a remote actor following this node (insert or
// replace). Since, LastSuccess, Failures and LastError left zero keep the
// stored values (a state change does not lose the peer's history); a zero
// Since on a new follower and a zero Updated are set to the store's clock.
// An accepted follower receives every published activity, through its
// shared inbox when it has one.
func (fg Follows) PutFollower(ctx context.Context, f Follow) error {
	return fg.putFollow(ctx, followersGraph, f)
}

// PutFollowing stores a remote actor this node follows, like PutFollower.
func (fg Follows) PutFollowing(ctx context.Context, f Follow) error {
	return fg.putFollow(ctx, followingGraph, f)
}

// Follower returns the follower actor; ErrNotFound.
func (fg Follows) Follower(ctx context.Context, actor string) (Follow, error) {
	return fg.getFollow(ctx, followersGraph, actor)
}

// Following returns the followed actor; ErrNotFound.
func (fg Follows) Following(ctx context.Context, actor string) (Follow, error) {
	return fg.getFollow(ctx, followingGraph, actor)
}

// DeleteFollower removes a follower (Undo Follow, Reject after the fact);
// ErrNotFound when it is not one. Pending deliveries already queued for it
// stay queued.
func (fg Follows) DeleteFollower(ctx context.Context, actor string) error {
	return fg.deleteFollow(ctx, followersGraph, actor)
}

// DeleteFollowing removes a followed actor (after sending Undo); ErrNotFound.
func (fg Follows) DeleteFollowing(ctx context.Context, actor string) error {
	return fg.deleteFollow(ctx, followingGraph, actor)
}

// Followers lists followers in actor IRI order after the cursor after,
// at most limit (default 50, at most 1000), only those in state unless it is
// "", with the next page's cursor ("" at the end) and the total number of
// followers in that state (from counters).
func (fg Follows) Followers(ctx context.Context, after string, limit int, state string) ([]Follow, string, int, error) {
	return fg.listFollows(ctx, followersGraph, after, limit, state)
}

// Followings lists followed actors like Followers.
func (fg Follows) Followings(ctx context.Context, after string, limit int, state string) ([]Follow, string, int, error) {
	return fg.listFollows(ctx, followingGraph, after, limit, state)
}

// MarkPeer records the outcome of an exchange with actor (a delivery, a
// fetch, a backfill page) on its follower and following records: ok sets
// LastSuccess to at and clears Failures and LastError; a failure counts
// and keeps errText. ErrNotFound when actor is in neither list.
func (fg Follows) MarkPeer(ctx context.Context, actor string, ok bool, at time.Time, errText string) error {
	s := fg.s
	at = at.UTC()
	errText = cleanText(errText, maxErrorText)
	_, err := s.submit(ctx, "mark peer "+actor, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		found := false
		for _, g := range []graph{followersGraph, followingGraph} {
			v := ov.get(g.bucket, []byte(actor))
			if v == nil {
				continue
			}
			found = true
			f, err := decodeFollow(v)
			if err != nil {
				return 0, fmt.Errorf("storage: mark peer %s: %s: %w", actor, g.name, err)
			}
			if ok {
				f.LastSuccess, f.Failures, f.LastError = at, 0, ""
			} else {
				f.Failures++
				f.LastError = errText
			}
			ov.put(g.bucket, []byte(actor), encodeFollow(&f))
		}
		if !found {
			return 0, fmt.Errorf("storage: mark peer %s: %w: neither a follower nor followed", protocol.Clip(actor, 80), ErrNotFound)
		}
		return 0, ov.flush()
	})
	return err
}

func (fg Follows) putFollow(ctx context.Context, g graph, f Follow) error {
	s := fg.s
	if err := checkFollow(&f); err != nil {
		return fmt.Errorf("storage: put %s %s: %w: %v", g.name, protocol.Clip(f.Actor, 80), ErrInvalidObject, err)
	}
	now := s.now().UTC()
	if f.Updated.IsZero() {
		f.Updated = now
	}
	f.Since, f.Updated, f.LastSuccess = f.Since.UTC(), f.Updated.UTC(), f.LastSuccess.UTC()
	_, err := s.submit(ctx, "put "+g.name+" "+f.Actor, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		nf := f
		key := []byte(nf.Actor)
		if v := ov.get(g.bucket, key); v != nil {
			old, err := decodeFollow(v)
			if err != nil {
				return 0, fmt.Errorf("storage: put %s %s: read the stored one: %w", g.name, nf.Actor, err)
			}
			if nf.Since.IsZero() {
				nf.Since = old.Since
			}
			if nf.LastSuccess.IsZero() && nf.Failures == 0 && nf.LastError == "" {
				nf.LastSuccess, nf.Failures, nf.LastError = old.LastSuccess, old.Failures, old.LastError
			}
			if err := unlinkFollow(ov, g, &old); err != nil {
				return 0, fmt.Errorf("storage: put %s %s: %w", g.name, nf.Actor, err)
			}
		}
		if nf.Since.IsZero() {
			nf.Since = now
		}
		linkFollow(ov, g, &nf)
		ov.put(g.bucket, key, encodeFollow(&nf))
		return 0, ov.flush()
	})
	return err
}

// linkFollow counts f and adds it to the fan-out.
func linkFollow(ov *overlay, g graph, f *Follow) {
	addCounter(ov, g.counterKey(f.State), +1)
	if g.fanout && f.State == FollowAccepted {
		k := []byte(f.fanoutInbox())
		n, _ := binary.Uvarint(ov.get(bFanout, k))
		ov.put(bFanout, k, binary.AppendUvarint(nil, n+1))
	}
}

// unlinkFollow undoes linkFollow.
func unlinkFollow(ov *overlay, g graph, f *Follow) error {
	addCounter(ov, g.counterKey(f.State), -1)
	if g.fanout && f.State == FollowAccepted {
		k := []byte(f.fanoutInbox())
		n, w := binary.Uvarint(ov.get(bFanout, k))
		if w <= 0 || n == 0 {
			return fmt.Errorf("fan-out entry of %s missing: %w", k, errCorrupt)
		}
		if n == 1 {
			ov.del(bFanout, k)
		} else {
			ov.put(bFanout, k, binary.AppendUvarint(nil, n-1))
		}
	}
	return nil
}

func (fg Follows) getFollow(ctx context.Context, g graph, actor string) (Follow, error) {
	s := fg.s
	var f Follow
	err := s.view(ctx, g.name+" "+actor, func(tx *bbolt.Tx) error {
		v := tx.Bucket(g.bucket).Get([]byte(actor))
		if v == nil {
			return fmt.Errorf("storage: %s %s: %w", g.name, protocol.Clip(actor, 80), ErrNotFound)
		}
		var err error
		if f, err = decodeFollow(v); err != nil {
			return fmt.Errorf("storage: %s %s: %w", g.name, actor, err)
		}
		return nil
	})
	return f, err
}

func (fg Follows) deleteFollow(ctx context.Context, g graph, actor string) error {
	s := fg.s
	_, err := s.submit(ctx, "delete "+g.name+" "+actor, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		v := ov.get(g.bucket, []byte(actor))
		if v == nil {
			return 0, fmt.Errorf("storage: delete %s %s: %w", g.name, protocol.Clip(actor, 80), ErrNotFound)
		}
		old, err := decodeFollow(v)
		if err != nil {
			return 0, fmt.Errorf("storage: delete %s %s: %w", g.name, actor, err)
		}
		if err := unlinkFollow(ov, g, &old); err != nil {
			return 0, fmt.Errorf("storage: delete %s %s: %w", g.name, actor, err)
		}
		ov.del(g.bucket, []byte(actor))
		return 0, ov.flush()
	})
	return err
}

func (fg Follows) listFollows(ctx context.Context, g graph, after string, limit int, state string) ([]Follow, string, int, error) {
	s := fg.s
	what := "storage: list " + g.name + "s"
	switch {
	case limit < 0:
		return nil, "", 0, fmt.Errorf("%s: %w: negative limit %d", what, ErrInvalidQuery, limit)
	case limit == 0:
		limit = DefaultListLimit
	case limit > MaxListLimit:
		limit = MaxListLimit
	}
	if state != "" && !slices.Contains(FollowStates, state) {
		return nil, "", 0, fmt.Errorf("%s: %w: unknown state %q (known: %v)", what, ErrInvalidQuery, protocol.Clip(state, 40), FollowStates)
	}
	var from []byte
	if after != "" {
		a, err := decodeCursor(after)
		if err != nil || a.iri == "" {
			return nil, "", 0, fmt.Errorf("%s: %w: %w: malformed cursor %q", what, ErrInvalidQuery, ErrBadCursor, protocol.Clip(after, 40))
		}
		from = []byte(a.iri)
	}
	var out []Follow
	var next string
	var total int
	err := s.view(ctx, what, func(tx *bbolt.Tx) error {
		for _, st := range FollowStates {
			if state == "" || st == state {
				total += int(counterTx(tx, g.counterKey(st)))
			}
		}
		c := tx.Bucket(g.bucket).Cursor()
		var k, v []byte
		if from == nil {
			k, v = c.First()
		} else if k, v = c.Seek(from); k != nil && string(k) == string(from) {
			k, v = c.Next()
		}
		for ; k != nil; k, v = c.Next() {
			f, err := decodeFollow(v)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", what, k, err)
			}
			if state != "" && f.State != state {
				continue
			}
			if len(out) == limit {
				next = encodeIRICursor(out[len(out)-1].Actor)
				return nil
			}
			out = append(out, f)
		}
		return nil
	})
	if err != nil {
		return nil, "", 0, err
	}
	return out, next, total, nil
}

// encodeFollow: format, actor, inbox, shared inbox, follow IRI, state,
// since, updated, last success, failures, last error.
func encodeFollow(f *Follow) []byte {
	b := make([]byte, 0, 64+len(f.Actor)+len(f.Inbox)+len(f.SharedInbox)+len(f.FollowIRI)+len(f.LastError))
	b = append(b, followFormat)
	b = appendStr(b, f.Actor)
	b = appendStr(b, f.Inbox)
	b = appendStr(b, f.SharedInbox)
	b = appendStr(b, f.FollowIRI)
	b = appendStr(b, f.State)
	b = appendTime(b, f.Since)
	b = appendTime(b, f.Updated)
	b = appendTime(b, f.LastSuccess)
	b = binary.AppendUvarint(b, uint64(f.Failures))
	return appendStr(b, f.LastError)
}

func decodeFollow(v []byte) (Follow, error) {
	var f Follow
	r := reader{b: v}
	if fm := r.byte(); r.err == nil && fm != followFormat {
		return f, fmt.Errorf("%w: unknown follow format %d", errCorrupt, fm)
	}
	f.Actor = r.str()
	f.Inbox = r.str()
	f.SharedInbox = r.str()
	f.FollowIRI = r.str()
	f.State = r.str()
	f.Since = zeroIsZero(r.time())
	f.Updated = zeroIsZero(r.time())
	f.LastSuccess = zeroIsZero(r.time())
	n := r.uvarint()
	f.LastError = r.str()
	if n > 1<<31 {
		r.fail()
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return Follow{}, r.err
	}
	f.Failures = int(n)
	return f, nil
}
