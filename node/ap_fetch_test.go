package node

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// signedGet GETs u with Accept: ActivityStreams, signed by p when p is not
// nil (at the time at); mutate may spoil the request after signing.
func signedGet(t *testing.T, u string, p *fakePeer, at time.Time, accept string, mutate func(*http.Request)) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", accept)
	if p != nil {
		if err := (&httpsig.Signer{KeyID: p.actor + "#main-key", Key: p.key}).SignRequest(req, nil, at); err != nil {
			t.Fatal(err)
		}
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
	_, _ = buf.ReadFrom(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}
}

// TestAuthorizedFetch: with federation.authorized_fetch on, every
// ActivityPub document but the actor and discovery needs a valid
// signature; off, signed and unsigned GETs are answered alike, even when
// the signature cannot be checked.
func TestAuthorizedFetch(t *testing.T) {
	secure := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.AuthorizedFetch = true
	})
	open := startFed(t, "127.0.0.2")
	peer := newFakePeer(t, "127.0.0.3")
	// A peer whose actor cannot be fetched (its server is gone): its
	// signature cannot be verified.
	gone := newFakePeer(t, "127.0.0.4")
	gone.srv.Close()

	var objects = map[*testNode]string{}
	for _, tn := range []*testNode{secure, open} {
		r := tn.postJSON("/api/v1/objects", tn.token("editor"), interlinkerBody("af_guide", "Fetch guide", "Guida", "P1"))
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		objects[tn] = r.json(t)["iri"].(string)
	}
	now := time.Now()
	spoilDate := func(r *http.Request) { r.Header.Set("Date", now.Add(-time.Minute).UTC().Format(http.TimeFormat)) }
	as := activity.ContentType
	tests := []struct {
		name    string
		node    *testNode
		path    string // "" for the node's object
		signer  *fakePeer
		accept  string
		mutate  func(*http.Request)
		status  int
		problem string
	}{
		{"actor unsigned", secure, "/actor", nil, as, nil, 200, ""},
		{"webfinger unsigned", secure, "/.well-known/webfinger?resource=acct:catalogue@" + secure.n.uris.Base()[len("http://"):], nil, "application/jrd+json", nil, 200, ""},
		{"nodeinfo unsigned", secure, "/nodeinfo/2.1", nil, "application/json", nil, 200, ""},
		{"entity configuration unsigned", secure, "/.well-known/openid-federation", nil, "*/*", nil, 200, ""},
		{"outbox unsigned", secure, "/actor/outbox", nil, as, nil, 401, "unsigned"},
		{"outbox page unsigned", secure, "/actor/outbox?page=true", nil, as, nil, 401, "unsigned"},
		{"followers unsigned", secure, "/actor/followers", nil, as, nil, 401, "unsigned"},
		{"following unsigned", secure, "/actor/following", nil, as, nil, 401, "unsigned"},
		{"object unsigned", secure, "", nil, as, nil, 401, "unsigned"},
		{"object page for a browser", secure, "", nil, "text/html", nil, 200, ""},
		{"outbox signed", secure, "/actor/outbox?page=true", peer, as, nil, 200, ""},
		{"followers signed", secure, "/actor/followers", peer, as, nil, 200, ""},
		{"object signed", secure, "", peer, as, nil, 200, ""},
		{"object signed, date altered", secure, "", peer, as, spoilDate, 401, "bad-signature"},
		{"object signed by an unreachable key", secure, "", gone, as, nil, 401, "key-unavailable"},
		{"open: outbox unsigned", open, "/actor/outbox?page=true", nil, as, nil, 200, ""},
		{"open: object unsigned", open, "", nil, as, nil, 200, ""},
		{"open: object signed", open, "", peer, as, nil, 200, ""},
		{"open: object signed by an unreachable key", open, "", gone, as, nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.node.url + tt.path
			if tt.path == "" {
				u = objects[tt.node]
			}
			r := signedGet(t, u, tt.signer, now, tt.accept, tt.mutate)
			if tt.problem != "" {
				r.problem(t, tt.status, tt.problem)
				if r.header.Get("WWW-Authenticate") == "" {
					t.Fatal("a 401 without WWW-Authenticate")
				}
				return
			}
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
	// A signer on a blocked host is refused (403) before its key is fetched.
	blocking := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.6"), func(c *Config) {
		fedConfig(c)
		c.Federation.AuthorizedFetch = true
		c.Federation.BlockDomains = []string{"127.0.0.3"}
	})
	signedGet(t, blocking.url+"/actor/outbox", peer, now, as, nil).problem(t, 403, "blocked")
	if r := signedGet(t, blocking.url+"/actor/outbox", nil, now, as, nil); r.status != 401 {
		t.Fatalf("unsigned: %d", r.status)
	}
	// The open node's answers do not depend on the signature.
	unsigned := signedGet(t, objects[open], nil, now, as, nil)
	signed := signedGet(t, objects[open], gone, now, as, nil)
	if !bytes.Equal(unsigned.body, signed.body) {
		t.Fatal("a signed GET got another answer than an unsigned one")
	}
}
