package node

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation/sigs"
	"github.com/interlink-project/interlink-node/protocol/activity"
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
	if err := (&sigs.Signer{KeyID: peer.actor + "#main-key", Key: peer.key}).SignRequest(req, body, time.Now()); err != nil {
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
