package node

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// Issue 10, finding 5: a delivery captured on one node and replayed to
// another within the Date window is refused: the signed host must be this
// node's public host.
func TestInboxRefusesRequestSignedForAnotherHost(t *testing.T) {
	a := startFed(t, "127.0.0.46")
	b := startFed(t, "127.0.0.47")
	peer := newFakePeer(t, "127.0.0.48")
	body := createFrom(t, peer.url, peer.url, 1, "Create", peer)

	// Signed for b's inbox, then sent to a with b's Host header.
	req, _ := http.NewRequest("POST", b.n.uris.SharedInbox(), bytes.NewReader(body))
	req.Header.Set("Content-Type", activity.ContentType)
	if err := (&httpsig.Signer{KeyID: peer.actor + "#main-key", Key: peer.key}).SignRequest(req, body, time.Now()); err != nil {
		t.Fatal(err)
	}
	au, _ := url.Parse(a.n.uris.SharedInbox())
	req.URL.Host = au.Host // the connection goes to a; Host still names b
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}.problem(t, 401, "wrong-host")

	// The same delivery signed for a is taken.
	if r := peer.post(t, a.n.uris.SharedInbox(), body, time.Now(), nil); r.status != 202 {
		t.Fatalf("signed for this node: %d %s", r.status, r.body)
	}
}

// Outside a test federation (federation.allow_private_networks off) an
// HTTP signature's key must be an https URL: a plain-http keyId is refused
// before anything is fetched.
func TestInboxRefusesPlainHTTPKeyOutsideTestFederations(t *testing.T) {
	a := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.56"), func(c *Config) {
		fedConfig(c)
		c.Federation.AllowPrivateNetworks = false
	})
	peer := newFakePeer(t, "127.0.0.57")
	r := peer.post(t, a.n.uris.SharedInbox(), createFrom(t, peer.url, peer.url, 1, "Create", peer), time.Now(), nil)
	r.problem(t, 401, "bad-signature")
	if !strings.Contains(string(r.body), "https") {
		t.Fatalf("the refusal does not say why: %s", r.body)
	}
}
