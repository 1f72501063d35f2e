package node

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation/sigs"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
)

// fakePeer is a remote actor served on its own loopback host, whose key
// the tests sign with.
type fakePeer struct {
	url, actor string
	key        *rsa.PrivateKey
	srv        *httptest.Server
}

func newFakePeer(t *testing.T, host string) *fakePeer { return newFakePeerB(t, host) }

func newFakePeerB(t testing.TB, host string) *fakePeer {
	t.Helper()
	key, err := sigs.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePeer{key: key}
	p.url = "http://" + ln.Addr().String()
	uris := protocol.NewURIs(p.url)
	p.actor = uris.Actor()
	doc, err := activity.Actor(uris, activity.ActorParams{PreferredUsername: "peer", Name: "Peer", OrgKind: "public_administration",
		PublicKeyPEM: sigs.PublicKeyPEM(&key.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	p.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/actor" {
			w.Header().Set("Content-Type", activity.ContentType)
			w.Write(doc)
			return
		}
		w.WriteHeader(http.StatusAccepted) // its inbox takes anything
	})}}
	p.srv.Start()
	t.Cleanup(p.srv.Close)
	return p
}

// post sends body to inbox signed by the peer; mutate may spoil the request after signing.
func (p *fakePeer) post(t *testing.T, inbox string, body []byte, at time.Time, mutate func(*http.Request)) response {
	t.Helper()
	req, _ := http.NewRequest("POST", inbox, bytes.NewReader(body))
	req.Header.Set("Content-Type", activity.ContentType)
	if err := (&sigs.Signer{KeyID: p.actor + "#main-key", Key: p.key}).SignRequest(req, body, at); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}
}

// createFrom builds a Create{Page} by the peer for an object whose IRI and
// origin are on objectBase.
func createFrom(t testing.TB, peerBase, objectBase string, version uint64, typ string) []byte {
	t.Helper()
	var ids protocol.ULIDSource
	now := time.Now().UTC()
	id := ids.New(now)
	body, _ := json.Marshal(interlinkerBody("remote_"+id, "Remote tool", "Strumento remoto"))
	ou := protocol.NewURIs(objectBase)
	obj := protocol.Object{Meta: protocol.Meta{IRI: ou.Object(id), ID: id, Type: protocol.KindInterlinker, Version: version,
		Origin: ou.Base(), Key: "remote_" + id, Created: now, Updated: now}, Body: body}
	pu := protocol.NewURIs(peerBase)
	build := activity.Create
	if typ == "Update" {
		build = activity.Update
	}
	raw, err := build(pu, ids.New(now), obj)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// foreignCreate is a Create sent by peer whose object lives on other's origin.
func foreignCreate(t *testing.T, peer, other *fakePeer) []byte {
	return asSentBy(t, createFrom(t, other.url, other.url, 1, "Create"), other.url, peer)
}

// asSentBy rewrites an activity built on origin from to be the peer's (id and actor).
func asSentBy(t *testing.T, raw []byte, from string, peer *fakePeer) []byte {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["actor"] = peer.actor
	m["id"] = strings.Replace(m["id"].(string), from, peer.url, 1)
	out, _ := json.Marshal(m)
	return out
}

func TestInboxRefusals(t *testing.T) {
	a := startFed(t, "127.0.0.1")
	peer := newFakePeer(t, "127.0.0.4")
	other := newFakePeer(t, "127.0.0.5")
	inbox := a.n.uris.SharedInbox()
	now := time.Now()

	good := createFrom(t, peer.url, peer.url, 1, "Create")
	if r := peer.post(t, inbox, good, now, nil); r.status != 202 {
		t.Fatalf("a valid signed Create: %d %s", r.status, r.body)
	}
	// The same activity again: acknowledged, applied once.
	if r := peer.post(t, inbox, good, now, nil); r.status != 202 {
		t.Fatalf("a repeated Create: %d %s", r.status, r.body)
	}

	unsigned, _ := http.Post(inbox, activity.ContentType, bytes.NewReader(good))
	unsigned.Body.Close()
	if unsigned.StatusCode != 401 {
		t.Fatalf("unsigned POST: %d", unsigned.StatusCode)
	}

	tests := []struct {
		name    string
		body    []byte
		at      time.Time
		mutate  func(*http.Request)
		signer  *fakePeer
		status  int
		problem string
	}{
		{"unsigned", good, now, func(r *http.Request) { r.Header.Del("Signature") }, peer, 401, "unsigned"},
		{"digest does not match", good, now, func(r *http.Request) {
			r.Body = nopCloser(bytes.NewReader(bytes.Replace(good, []byte("Remote tool"), []byte("Evil tool!!"), 1)))
		}, peer, 401, "digest-mismatch"},
		{"stale date", good, now.Add(-3 * time.Hour), nil, peer, 401, "stale-date"},
		{"key owned by another actor", good, now, nil, other, 401, "key-not-actor"},
		{"object on another origin", foreignCreate(t, peer, other), now, nil, peer, 403, "foreign-origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.signer.post(t, inbox, tt.body, tt.at, tt.mutate)
			r.problem(t, tt.status, tt.problem)
		})
	}

	// An Update of an object the actor does not own: A's own object, updated by the peer.
	editor := a.token("editor")
	own := a.postJSON("/api/v1/objects", editor, interlinkerBody("mine", "Mine", "Mio")).json(t)
	var m protocol.Meta
	b, _ := json.Marshal(own)
	json.Unmarshal(b, &m)
	body, _ := json.Marshal(interlinkerBody("mine", "Hijacked", "Dirottato"))
	var ids protocol.ULIDSource
	hijack, err := activity.Update(a.n.uris, ids.New(now), protocol.Object{Meta: protocol.Meta{IRI: m.IRI, ID: m.ID,
		Type: m.Type, Version: 2, Origin: m.Origin, Key: "mine", Created: m.Created, Updated: now}, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	hijack = asSentBy(t, hijack, a.n.PublicURL(), peer)
	peer.post(t, inbox, hijack, now, nil).problem(t, 403, "not-owner")
	if st, obj := a.object(m.IRI); st != 200 || obj["version"] != 1.0 {
		t.Fatalf("the hijack changed the object: %v", obj)
	}
	// Only the one valid Create was stored.
	if c := a.get("/api/v1/status").json(t)["counts"].(map[string]any); c["Interlinker"] != 2.0 {
		t.Fatalf("counts after the refusals: %v", c)
	}
	if !strings.Contains(string(a.get("/metrics").body), `route="ap.shared_inbox"`) {
		t.Fatal("inbox requests are not in the metrics")
	}
}

func TestSSRFGuardRefusesLoopbackWhenPrivateNetworksAreOff(t *testing.T) {
	target := startFed(t, "127.0.0.2")
	a := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.AllowPrivateNetworks = false
	})
	r := a.postJSON("/api/v1/follows", a.admin, map[string]string{"target": target.actor()})
	p := r.problem(t, 502, "follow-failed")
	if !strings.Contains(fmt.Sprint(p["detail"]), "forbidden") && !strings.Contains(fmt.Sprint(p["detail"]), "refus") {
		t.Fatalf("the refusal does not say the address is forbidden: %v", p["detail"])
	}
}
