package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// Helpers shared by the federation tests.

const remoteOrigin = "http://127.0.0.2:8080"

var (
	localURIs  = protocol.NewURIs(testOrigin)
	remoteURIs = protocol.NewURIs(remoteOrigin)
)

// testClock is a settable clock, safe for the committer and the test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock { return &testClock{t: testEpoch} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// activityJSON is a small activity body.
func activityJSON(t fatalT, iri, typ, actor, object string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": iri, "type": typ, "actor": actor, "object": object,
	})
	if err != nil {
		t.Fatalf("marshal activity: %v", err)
	}
	return b
}

// publishOp is a local create of a new object announced by a Create.
func publishOp(t fatalT, f *fixture, key string) WriteOp {
	t.Helper()
	o := f.object(t, profile(key))
	iri := localURIs.Activity("create-" + o.ID)
	return WriteOp{Object: o, Publish: &Activity{IRI: iri, Type: "Create", Actor: localURIs.Actor(),
		Body: activityJSON(t, iri, "Create", localURIs.Actor(), o.IRI)}}
}

// sendActivity is an activity sent to chosen inboxes (Enqueue).
func sendActivity(t fatalT, name, typ string) Activity {
	t.Helper()
	iri := localURIs.Activity(name)
	return Activity{IRI: iri, Type: typ, Actor: localURIs.Actor(), ObjectIRI: remoteURIs.Actor(),
		Body: activityJSON(t, iri, typ, localURIs.Actor(), remoteURIs.Actor())}
}

// peer builds the follow edge of an actor named user on host (127.0.0.x:port),
// with the host's shared inbox when shared.
func peer(host, user string, shared bool, state string) Follow {
	base := "http://" + host
	actor := base + "/users/" + user
	f := Follow{Actor: actor, Inbox: actor + "/inbox", FollowIRI: base + "/follows/" + user, State: state}
	if shared {
		f.SharedInbox = base + "/inbox"
	}
	return f
}

// remoteOp is version v of the remote object id (e nil: a tombstone of kind).
func remoteOp(t fatalT, id string, v uint64, kind protocol.Kind, e protocol.Entity) WriteOp {
	t.Helper()
	o := protocol.Object{Meta: protocol.Meta{
		IRI: remoteURIs.Object(id), ID: id, Type: kind, Version: v, Origin: remoteOrigin,
		Created: testEpoch, Updated: testEpoch.Add(time.Duration(v) * time.Second), Actor: remoteURIs.Actor(),
	}}
	if e == nil {
		o.Deleted = true
	} else {
		o.Key, o.Body = e.NaturalKey(), body(t, e)
	}
	return WriteOp{Object: o, Remote: true}
}

// deliveries lists every pending delivery (due at any time).
func allDue(t testing.TB, s *Store) []Delivery {
	t.Helper()
	ds, err := s.Queue().DueDeliveries(context.Background(), time.Unix(0, 1<<63-1), MaxDueLimit, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// inboxesOf returns the sorted inboxes of deliveries of activity.
func inboxesOf(ds []Delivery, activity string) []string {
	var out []string
	for _, d := range ds {
		if d.ActivityIRI == activity {
			out = append(out, d.Inbox)
		}
	}
	slices.Sort(out)
	return out
}

func mustPutFollower(t testing.TB, s *Store, fs ...Follow) {
	t.Helper()
	for _, f := range fs {
		if err := s.Follows().PutFollower(context.Background(), f); err != nil {
			t.Fatalf("put follower %s: %v", f.Actor, err)
		}
	}
}

func mustEnqueue(t testing.TB, s *Store, a Activity, inboxes ...string) {
	t.Helper()
	if err := s.Queue().Enqueue(context.Background(), a, inboxes); err != nil {
		t.Fatalf("enqueue %s: %v", a.IRI, err)
	}
}

func hostStats(t testing.TB, s *Store) map[string]HostQueue {
	t.Helper()
	st, err := s.Queue().QueueStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func describe(ds []Delivery) string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s→%s", d.ActivityIRI, d.Inbox))
	}
	return fmt.Sprint(out)
}
