package node

import (
	"crypto/ed25519"
	"fmt"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"

	"bytes"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// fakePeer is a remote actor served on its own loopback host, whose key
// the tests sign with.
type fakePeer struct {
	url, actor string
	key        *rsa.PrivateKey
	srv        *httptest.Server
	// fedKey signs its entity configuration, contentKey its objects.
	fedKey, contentKey ed25519.PrivateKey
	// versions are the object versions it serves at {iri}?version=N (a
	// follower fills a gap in its history from them), by "path?version=N";
	// fetches counts those requests.
	versions sync.Map
	fetches  atomic.Int64
}

func newFakePeer(t *testing.T, host string) *fakePeer { return newFakePeerB(t, host) }

func newFakePeerB(t testing.TB, host string) *fakePeer {
	t.Helper()
	key, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePeer{key: key}
	_, p.fedKey, _ = ed25519.GenerateKey(nil)
	_, p.contentKey, _ = ed25519.GenerateKey(nil)
	p.url = "http://" + ln.Addr().String()
	uris := protocol.NewURIs(p.url)
	p.actor = uris.Actor()
	doc, err := activity.Actor(uris, activity.ActorParams{PreferredUsername: "peer", Name: "Peer", OrgKind: "public_administration",
		PublicKeyPEM: httpsig.PublicKeyPEM(&key.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	fedJWK, _ := entity.NewJWK(p.fedKey.Public().(ed25519.PublicKey))
	contentJWK, _ := entity.NewJWK(p.contentKey.Public().(ed25519.PublicKey))
	ec, err := entity.Sign(entity.Statement{Iss: p.url, Sub: p.url, Iat: time.Now().Add(-time.Minute).Unix(), Exp: time.Now().Add(24 * time.Hour).Unix(),
		JWKS:     &entity.JWKS{Keys: []entity.JWK{fedJWK}},
		Metadata: &entity.Metadata{InterlinkNode: &entity.InterlinkNode{Actor: p.actor, ContentKeys: []entity.JWK{contentJWK}}}}, p.fedKey)
	if err != nil {
		t.Fatal(err)
	}
	p.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/actor":
			w.Header().Set("Content-Type", activity.ContentType)
			w.Write(doc)
			return
		case entity.WellKnownPath:
			w.Header().Set("Content-Type", entity.MediaTypeStatement)
			w.Write(ec)
			return
		}
		if r.Method == http.MethodGet && r.URL.Query().Has("version") {
			p.fetches.Add(1)
			if doc, ok := p.versions.Load(r.URL.Path + "?version=" + r.URL.Query().Get("version")); ok {
				w.Header().Set("Content-Type", activity.ContentType)
				w.Write(doc.([]byte))
				return
			}
			w.WriteHeader(http.StatusNotFound)
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
	if err := (&httpsig.Signer{KeyID: p.actor + "#main-key", Key: p.key}).SignRequest(req, body, at); err != nil {
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

// createFrom builds a Create{Page} by the peer at peerBase for an object
// whose IRI and origin are on objectBase, its JWS signed by signer (nil:
// unsigned) as the entity signerBase.
func createFrom(t testing.TB, peerBase, objectBase string, version uint64, typ string, signer ...*fakePeer) []byte {
	t.Helper()
	var ids protocol.ULIDSource
	now := time.Now().UTC()
	id := ids.New(now)
	body, _ := json.Marshal(interlinkerBody("remote_"+id, "Remote tool", "Strumento remoto"))
	ou := protocol.NewURIs(objectBase)
	obj := protocol.Object{Meta: protocol.Meta{IRI: ou.Object(id), ID: id, Type: protocol.KindInterlinker, Version: version,
		Origin: ou.Base(), Key: "remote_" + id, Created: now, Updated: now}, Body: body}
	if len(signer) > 0 && signer[0] != nil {
		obj.JWS = signer[0].sign(t, obj)
	}
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

// sign makes the JWS of obj as the peer's node would (iss: the peer).
func (p *fakePeer) sign(t testing.TB, obj protocol.Object) []byte {
	t.Helper()
	now := time.Now()
	jws, err := signedobject.Sign(signedobject.Payload{Iss: p.url, Sub: obj.IRI, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(),
		Jti: obj.ID + "-" + fmt.Sprint(obj.Version), Ver: obj.Version, Type: string(obj.Type), Cosigners: []string{p.url}, Body: obj.Body},
		signedobject.Signer{EntityID: p.url, Key: p.contentKey})
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

// foreignCreate is a Create sent and signed by peer whose object lives on
// other's origin.
func foreignCreate(t *testing.T, peer, other *fakePeer) []byte {
	return asSentBy(t, createFrom(t, other.url, other.url, 1, "Create", peer), other.url, peer)
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

	good := createFrom(t, peer.url, peer.url, 1, "Create", peer)
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
		{"object on another origin", foreignCreate(t, peer, other), now, nil, peer, 403, "jws-forged-origin"},
		{"object without its jws", createFrom(t, peer.url, peer.url, 1, "Create"), now, nil, peer, 422, "unsigned-object"},
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
	hijacked := protocol.Object{Meta: protocol.Meta{IRI: m.IRI, ID: m.ID,
		Type: m.Type, Version: 2, Origin: m.Origin, Key: "mine", Created: m.Created, Updated: now}, Body: body}
	hijacked.JWS = peer.sign(t, hijacked)
	hijack, err := activity.Update(a.n.uris, ids.New(now), hijacked)
	if err != nil {
		t.Fatal(err)
	}
	hijack = asSentBy(t, hijack, a.n.PublicURL(), peer)
	peer.post(t, inbox, hijack, now, nil).problem(t, 403, "jws-forged-origin")
	// The same change relayed by the peer with a JWS A never made, claiming
	// A as its issuer: A's key did not sign it.
	forged := hijacked
	forged.JWS = forgeAs(t, a.n.PublicURL(), hijacked, peer.contentKey)
	hijack, _ = activity.Update(a.n.uris, ids.New(now), forged)
	peer.post(t, inbox, asSentBy(t, hijack, a.n.PublicURL(), peer), now, nil).problem(t, 403, "jws-untrusted-key")
	// A relay: the peer delivers an object the other peer made and signed.
	// It is judged by its JWS alone, stored once, with other as its origin.
	relayed := asSentBy(t, createFrom(t, other.url, other.url, 1, "Create", other), other.url, peer)
	if r := peer.post(t, inbox, relayed, now, nil); r.status != 202 {
		t.Fatalf("a relayed object signed by its origin: %d %s", r.status, r.body)
	}
	if st, obj := a.object(m.IRI); st != 200 || obj["version"] != 1.0 {
		t.Fatalf("the hijack changed the object: %v", obj)
	}
	// Only the valid Create, the relayed one and A's own were stored.
	if c := a.get("/api/v1/status").json(t)["counts"].(map[string]any); c["Interlinker"] != 3.0 {
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

// forgeAs signs obj's payload claiming iss but with key (not iss's).
func forgeAs(t *testing.T, iss string, obj protocol.Object, key ed25519.PrivateKey) []byte {
	t.Helper()
	now := time.Now()
	jws, err := signedobject.Sign(signedobject.Payload{Iss: iss, Sub: obj.IRI, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(),
		Jti: "forged", Ver: obj.Version, Type: string(obj.Type), Cosigners: []string{iss}, Body: obj.Body},
		signedobject.Signer{EntityID: iss, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

// A relayed object whose signer is on a blocked host is refused before any
// of its documents is fetched.
func TestRelayedObjectFromBlockedSigner(t *testing.T) {
	a := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.BlockDomains = []string{"127.0.0.5"}
	})
	peer := newFakePeer(t, "127.0.0.4")
	blocked := newFakePeer(t, "127.0.0.5")
	relayed := asSentBy(t, createFrom(t, blocked.url, blocked.url, 1, "Create", blocked), blocked.url, peer)
	peer.post(t, a.n.uris.SharedInbox(), relayed, time.Now(), nil).problem(t, 403, "blocked")
}
