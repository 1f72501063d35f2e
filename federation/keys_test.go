package federation

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// docServer serves JSON documents by path, {base} replaced by its URL, and
// counts the GETs of each path; unsigned GETs get 401, as authorized-fetch
// servers answer.
type docServer struct {
	*httptest.Server
	mu   sync.Mutex
	docs map[string]string
	hits map[string]int
}

func newDocServer(t *testing.T, docs map[string]string) *docServer {
	t.Helper()
	d := &docServer{docs: docs, hits: map[string]int{}}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Signature") == "" {
			http.Error(w, "unsigned", http.StatusUnauthorized)
			return
		}
		d.mu.Lock()
		doc, ok := d.docs[r.URL.Path]
		d.hits[r.URL.Path]++
		d.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write([]byte(strings.ReplaceAll(doc, "{base}", d.URL)))
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *docServer) count(path string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits[path]
}

func jsonPEM(pub *rsa.PublicKey) string {
	return strings.ReplaceAll(httpsig.PublicKeyPEM(pub), "\n", `\n`)
}

func TestResolveKeyForms(t *testing.T) {
	k1, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, _ := ed25519.GenerateKey(nil)
	pem1, pem2, mb := jsonPEM(&k1.PublicKey), jsonPEM(&k2.PublicKey), httpsig.PublicKeyMultibase(edPub)
	actor := func(extra string) string {
		return `{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],"id":"{base}/users/alice","type":"Person",` +
			`"preferredUsername":"alice","inbox":"{base}/users/alice/inbox"` + extra + `}`
	}
	tests := []struct {
		name  string
		docs  map[string]string
		keyID string // appended to the server's URL
		want  crypto.PublicKey
		err   error  // a sentinel the error wraps; nil: any error when msg is set
		msg   string // the error contains it; "" for success
	}{
		{name: "mastodon fragment", keyID: "/users/alice#main-key", want: &k1.PublicKey, docs: map[string]string{
			"/users/alice": actor(`,"publicKey":{"id":"{base}/users/alice#main-key","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"}`)}},
		{name: "gotosocial stub", keyID: "/users/alice/main-key", want: &k1.PublicKey, docs: map[string]string{
			"/users/alice/main-key": `{"@context":["https://w3id.org/security/v1","https://www.w3.org/ns/activitystreams"],"id":"{base}/users/alice","preferredUsername":"alice",` +
				`"publicKey":{"id":"{base}/users/alice/main-key","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"},"type":"Person"}`,
			"/users/alice": actor(`,"publicKey":{"id":"{base}/users/alice/main-key","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"}`)}},
		{name: "key document named by reference", keyID: "/keys/1", want: &k1.PublicKey, docs: map[string]string{
			"/keys/1":      `{"id":"{base}/keys/1","type":"CryptographicKey","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"}`,
			"/users/alice": actor(`,"publicKey":["{base}/keys/1"]`)}},
		{name: "key array", keyID: "/users/alice#second", want: &k2.PublicKey, docs: map[string]string{
			"/users/alice": actor(`,"publicKey":[{"id":"{base}/users/alice#main-key","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"},` +
				`{"id":"{base}/users/alice#second","owner":"{base}/users/alice","publicKeyPem":"` + pem2 + `"}]`)}},
		{name: "multikey", keyID: "/users/alice#ed25519-key", want: edPub, docs: map[string]string{
			"/users/alice": actor(`,"assertionMethod":[{"id":"{base}/users/alice#ed25519-key","type":"Multikey","controller":"{base}/users/alice","publicKeyMultibase":"` + mb + `"}]`)}},
		{name: "multikey document", keyID: "/users/alice/keys/ed", want: edPub, docs: map[string]string{
			"/users/alice/keys/ed": `{"id":"{base}/users/alice/keys/ed","type":"Multikey","controller":"{base}/users/alice","publicKeyMultibase":"` + mb + `"}`,
			"/users/alice":         actor(`,"assertionMethod":["{base}/users/alice/keys/ed"]`)}},
		{name: "stub whose owner does not list the key", keyID: "/users/alice/main-key", err: httpsig.ErrKeyOwner, msg: "does not list it", docs: map[string]string{
			"/users/alice/main-key": `{"id":"{base}/users/alice","type":"Person","publicKey":{"id":"{base}/users/alice/main-key","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"}}`,
			"/users/alice":          actor(`,"publicKey":{"id":"{base}/users/alice#other","owner":"{base}/users/alice","publicKeyPem":"` + pem2 + `"}`)}},
		{name: "owner on another origin", keyID: "/keys/1", err: httpsig.ErrKeyOwner, msg: "another origin", docs: map[string]string{
			"/keys/1": `{"id":"{base}/keys/1","owner":"https://elsewhere.example/users/alice","publicKeyPem":"` + pem1 + `"}`}},
		{name: "owner and key document disagree", keyID: "/users/alice/main-key", err: httpsig.ErrKeyOwner, msg: "disagree", docs: map[string]string{
			"/users/alice/main-key": `{"id":"{base}/users/alice","type":"Person","publicKey":{"id":"{base}/users/alice/main-key","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"}}`,
			"/users/alice":          actor(`,"publicKey":{"id":"{base}/users/alice/main-key","owner":"{base}/users/alice","publicKeyPem":"` + pem2 + `"}`)}},
		{name: "key document without owner", keyID: "/keys/1", err: httpsig.ErrKeyOwner, msg: "no owner", docs: map[string]string{
			"/keys/1": `{"id":"{base}/keys/1","publicKeyPem":"` + pem1 + `"}`}},
		{name: "owner is no actor", keyID: "/keys/1", msg: "not an actor", docs: map[string]string{
			"/keys/1":      `{"id":"{base}/keys/1","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"}`,
			"/users/alice": `{"id":"{base}/users/alice","type":"Person","publicKey":["{base}/keys/1"]}`}},
		{name: "document without that key", keyID: "/users/alice#main-key", msg: "publishes no key", docs: map[string]string{
			"/users/alice": actor(`,"publicKey":{"id":"{base}/users/alice#other","owner":"{base}/users/alice","publicKeyPem":"` + pem1 + `"}`)}},
		{name: "actor claims another's key", keyID: "/users/alice#main-key", err: httpsig.ErrKeyOwner, msg: "does not list", docs: map[string]string{
			"/users/alice": actor(`,"publicKey":{"id":"{base}/users/alice#main-key","owner":"{base}/users/bob","publicKeyPem":"` + pem1 + `"}`),
			"/users/bob":   strings.ReplaceAll(actor(``), "alice", "bob")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := newTestService(t, Defaults())
			srv := newDocServer(t, tt.docs)
			owner, pub, err := s.resolveKey(context.Background(), srv.URL+tt.keyID, false)
			if tt.msg != "" {
				if err == nil || !strings.Contains(err.Error(), tt.msg) || (tt.err != nil && !errors.Is(err, tt.err)) {
					t.Fatalf("err = %v, want %q (%v)", err, tt.msg, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if owner != srv.URL+"/users/alice" {
				t.Fatalf("owner = %s", owner)
			}
			if !httpsigSameKey(tt.want, pub) {
				t.Fatalf("key %T differs", pub)
			}
		})
	}
}

// The inbox maps a key whose owner does not vouch for it to key-owner.
func TestKeyOwnerProblem(t *testing.T) {
	err := sigProblem(errors.Join(httpsig.ErrKeyOwner, errors.New("x does not list it")))
	if err.Problem != "key-owner" || err.Status != http.StatusUnauthorized {
		t.Fatalf("%+v", err)
	}
}

// The actor cache keeps at most its size, evicting the least recently used.
func TestActorCacheBounded(t *testing.T) {
	s, _, _ := newTestService(t, Defaults())
	k, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	for _, n := range []string{"a", "b", "c"} {
		docs["/users/"+n] = `{"id":"{base}/users/` + n + `","type":"Person","inbox":"{base}/users/` + n + `/inbox",` +
			`"publicKey":{"id":"{base}/users/` + n + `#main-key","owner":"{base}/users/` + n + `","publicKeyPem":"` + jsonPEM(&k.PublicKey) + `"}}`
	}
	srv := newDocServer(t, docs)
	s.actors = newActorCache(s, time.Hour, 2)
	ctx := context.Background()
	for _, n := range []string{"a", "b", "a", "c"} { // c evicts b, the least recently used
		if _, err := s.Actor(ctx, srv.URL+"/users/"+n); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.actors.m.Len(); got != 2 {
		t.Fatalf("cache holds %d documents, want 2", got)
	}
	for _, n := range []string{"a", "c", "b"} {
		if _, err := s.Actor(ctx, srv.URL+"/users/"+n); err != nil {
			t.Fatal(err)
		}
	}
	if a, b, c := srv.count("/users/a"), srv.count("/users/b"), srv.count("/users/c"); a != 1 || b != 2 || c != 1 {
		t.Fatalf("fetches a=%d b=%d c=%d, want 1, 2 (evicted, fetched again), 1", a, b, c)
	}
}
