package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startFed starts a node of a test federation on host.
func startFed(t testing.TB, host string) *testNode {
	t.Helper()
	return startNodeWith(t, t.TempDir(), freeAddr(t, host), fedConfig)
}

// eventually polls cond every 20 ms until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tn *testNode) actor() string { return tn.n.uris.Actor() }

func (tn *testNode) follow(t testing.TB, target *testNode) {
	t.Helper()
	r := tn.postJSON("/api/v1/follows", tn.admin, map[string]string{"target": target.actor()})
	if r.status != 202 {
		t.Fatalf("follow: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the follow is accepted", func() bool {
		var page struct {
			Items []struct{ Actor, State string }
		}
		json.Unmarshal(tn.do("GET", "/api/v1/follows", tn.admin, "", nil).body, &page)
		return len(page.Items) == 1 && page.Items[0].State == "accepted"
	})
}

// object fetches an object by IRI from tn's API: its status and version.
func (tn *testNode) object(iri string) (int, map[string]any) {
	r := tn.get("/api/v1/object?iri=" + url.QueryEscape(iri))
	var m map[string]any
	json.Unmarshal(r.body, &m)
	return r.status, m
}

func TestFederationFollowPublishUpdateDeleteAdoptRate(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	b := startFed(t, "127.0.0.2")
	c := startFed(t, "127.0.0.3")
	b.follow(t, a)
	c.follow(t, a)
	editor := a.token("editor")

	created := a.postJSON("/api/v1/objects", editor, interlinkerBody("fed_guide", "Federated guide", "Guida federata", "P1")).json(t)
	iri := created["iri"].(string)
	for _, peer := range []*testNode{b, c} {
		eventually(t, 10*time.Second, "the object reaches "+peer.url, func() bool {
			st, _ := peer.object(iri)
			return st == 200
		})
		if got := searchNames(t, peer, "q=federated"); !contains(got, "fed_guide") {
			t.Fatalf("%s: the federated object is not searchable: %v", peer.url, got)
		}
		_, obj := peer.object(iri)
		if obj["origin"] != a.n.PublicURL() || obj["actor"] != a.actor() || obj["received"] == nil {
			t.Fatalf("provenance missing on %s: %v", peer.url, obj)
		}
		if got := searchNames(t, peer, "origin="+url.QueryEscape(a.n.PublicURL())); !contains(got, "fed_guide") {
			t.Fatalf("the origin filter does not find it on %s: %v", peer.url, got)
		}
	}

	// Update: the followers get version 2.
	b2, _ := json.Marshal(interlinkerBody("fed_guide", "Federated handbook", "Manuale federato", "P1"))
	if r := a.do("PUT", "/api/v1/objects/"+created["id"].(string), editor, "application/json", b2); r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	for _, peer := range []*testNode{b, c} {
		eventually(t, 10*time.Second, "version 2 reaches "+peer.url, func() bool {
			_, obj := peer.object(iri)
			return obj["version"] == 2.0
		})
	}

	// B adopts and rates A's object locally.
	beditor := b.token("editor")
	if r := b.postJSON("/api/v1/objects", beditor, map[string]any{"type": "Adoption", "object": iri, "organisation": b.actor()}); r.status != 201 {
		t.Fatalf("adopt a remote object: %d %s", r.status, r.body)
	}
	if r := b.postJSON("/api/v1/objects", beditor, map[string]any{"type": "Rating", "object": iri, "organisation": b.actor(), "value": 5}); r.status != 201 {
		t.Fatalf("rate a remote object: %d %s", r.status, r.body)
	}

	// Adoptions and ratings federate too: A follows B and sees them.
	a.follow(t, b)
	eventually(t, 10*time.Second, "B's adoption and rating reach A (backfill)", func() bool {
		agg := a.get("/api/v1/objects/" + created["id"].(string) + "/aggregates").json(t)
		return agg["adoptions"] == 1.0 && agg["ratings"] == 1.0
	})

	// Delete: a tombstone on the followers, gone from their search.
	if r := a.do("DELETE", "/api/v1/objects/"+created["id"].(string), editor, "", nil); r.status != 200 {
		t.Fatalf("delete: %d", r.status)
	}
	for _, peer := range []*testNode{b, c} {
		eventually(t, 10*time.Second, "the delete reaches "+peer.url, func() bool {
			st, _ := peer.object(iri)
			return st == 410
		})
		if got := searchNames(t, peer, "q=federated"); len(got) != 0 {
			t.Fatalf("%s still finds a deleted object: %v", peer.url, got)
		}
	}
	peers := b.do("GET", "/api/v1/peers", b.admin, "", nil).json(t)["items"].([]any)
	if len(peers) == 0 || !strings.Contains(fmt.Sprint(peers), a.actor()) {
		t.Fatalf("peers of B: %v", peers)
	}
}

func TestBackfillOfAThousandObjects(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	b := startFed(t, "127.0.0.2")
	editor := a.token("editor")
	for i := 0; i < 1000; i += 200 {
		var objs []any
		for j := i; j < i+200; j++ {
			objs = append(objs, interlinkerBody(fmt.Sprintf("bf_%04d", j), fmt.Sprintf("Backfilled tool %d", j), "Strumento", "P1"))
		}
		if r := a.postJSON("/api/v1/import", editor, map[string]any{"objects": objs}); r.status != 201 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
	}
	b.follow(t, a)
	eventually(t, 30*time.Second, "B holds A's 1,000 objects", func() bool {
		c := b.get("/api/v1/status").json(t)["counts"].(map[string]any)
		return c["Interlinker"] == 1000.0
	})
}

// TestBackfillOfTheRealCatalogue follows a node holding the real INTERLINK
// catalogue: its objects carry long instructions, so outbox pages are
// bounded by bytes, not only by count.
func TestBackfillOfTheRealCatalogue(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	importSeed(t, a, a.token("editor"))
	b := startFed(t, "127.0.0.2")
	b.follow(t, a)
	eventually(t, 30*time.Second, "B holds A's whole catalogue", func() bool {
		c := b.get("/api/v1/status").json(t)["counts"].(map[string]any)
		return c["Interlinker"] == 78.0 && c["ProblemProfile"] == 45.0 && c["CoproductionSchema"] == 4.0
	})
	// The index follows the store's change log: stored is not yet indexed.
	eventually(t, 10*time.Second, "the backfilled catalogue is searchable on B", func() bool {
		return contains(searchNames(t, b, "q=canvas&lang=en"), "business_model_canvas")
	})
}

// TestUnfollowBlockedDomainAndReplay: an Undo removes the follower on the
// origin; a blocked domain's Follow is refused with "blocked", which the
// sender keeps as a dead letter that an admin can replay.
func TestUnfollowBlockedDomainAndReplay(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	b := startFed(t, "127.0.0.2")
	b.follow(t, a)
	followers := func(n *testNode) int {
		var page struct{ Items []struct{ Actor string } }
		json.Unmarshal(n.do("GET", "/api/v1/followers?state=accepted", n.admin, "", nil).body, &page)
		return len(page.Items)
	}
	if followers(a) != 1 {
		t.Fatal("A does not list B as a follower")
	}
	if r := b.do("DELETE", "/api/v1/follows?actor="+url.QueryEscape(a.actor()), b.admin, "", nil); r.status != 204 {
		t.Fatalf("unfollow: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the Undo removes B from A's followers", func() bool { return followers(a) == 0 })

	c := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.3"), func(cfg *Config) {
		fedConfig(cfg)
		cfg.Federation.BlockDomains = []string{"127.0.0.2"}
	})
	if r := b.postJSON("/api/v1/follows", b.admin, map[string]string{"target": c.actor()}); r.status != 202 {
		t.Fatalf("follow C: %d %s", r.status, r.body)
	}
	type dead struct {
		Items []struct {
			ID, Inbox  string
			DeadReason string `json:"dead_reason"`
		}
	}
	var d dead
	eventually(t, 10*time.Second, "B keeps the refused Follow as a dead letter", func() bool {
		d = dead{}
		json.Unmarshal(b.do("GET", "/api/v1/deliveries/dead", b.admin, "", nil).body, &d)
		return len(d.Items) == 1
	})
	if !strings.Contains(d.Items[0].DeadReason, "403") || !strings.HasPrefix(d.Items[0].Inbox, c.url) {
		t.Fatalf("dead letter: %+v", d.Items[0])
	}
	if r := b.do("POST", "/api/v1/deliveries/dead/"+d.Items[0].ID+"/replay", b.admin, "", nil); r.status != 202 {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	// Replayed, it is queued under a new id, tried again and refused again.
	first := d.Items[0].ID
	eventually(t, 10*time.Second, "the replayed Follow is tried again", func() bool {
		d = dead{}
		json.Unmarshal(b.do("GET", "/api/v1/deliveries/dead", b.admin, "", nil).body, &d)
		return len(d.Items) == 1 && d.Items[0].ID != first
	})
	b.do("POST", "/api/v1/deliveries/dead/nope/replay", b.admin, "", nil).problem(t, 400, "bad-query")
	b.do("POST", "/api/v1/deliveries/dead/ffffffffffffffff/replay", b.admin, "", nil).problem(t, 404, "not-found")
}

// TestBackfillCancelledIsNotComplete: a backfill whose context ends while
// it pages (a node stopping) reports an error, never a complete backfill
// of what it had written so far (the peer would be marked caught up).
func TestBackfillCancelledIsNotComplete(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	b := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.2"), func(c *Config) { fedConfig(c); c.Testing.Faults = true })
	editor := a.token("editor")
	var objs []any
	for j := range 300 {
		objs = append(objs, interlinkerBody(fmt.Sprintf("bc_%04d", j), fmt.Sprintf("Cancelled tool %d", j), "Strumento", "P1"))
	}
	if r := a.postJSON("/api/v1/import", editor, map[string]any{"objects": objs}); r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if _, err := b.n.live.fed().Actor(context.Background(), a.actor()); err != nil {
		t.Fatal(err)
	}
	// Every outbound request of b now takes 150 ms: the outbox's pages
	// cannot all arrive before the context ends.
	if r := b.do(http.MethodPut, "/api/v1/testing/faults", b.admin, "application/json", []byte(`{"latency":"150ms"}`)); r.status != 200 {
		t.Fatalf("faults: %d %s", r.status, r.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	n, err := b.n.live.fed().Backfill(ctx, a.actor())
	if err == nil {
		t.Fatalf("a cancelled backfill reported success after %d of 300 objects", n)
	}
}
