package node

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gofedsig "github.com/go-fed/httpsig"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// The fixtures of deployed servers (federation/testdata/servers/FAMILY):
// the documents each serves, how it signs, and what it requires of ours.
var serverFamilies = []string{"mastodon", "gotosocial", "akkoma", "misskey"}

func serversDir() string { return filepath.Join("..", "federation", "testdata", "servers") }

// signingProfile is a family's signing.json: its keyId form, the
// algorithm name it sends and the headers it signs.
type signingProfile struct {
	KeyID     string   `json:"keyId"`
	Algorithm string   `json:"algorithm"`
	Post      []string `json:"post"`
	Get       []string `json:"get"`
	Actor     string   `json:"actor"` // the actor's path
}

// fixtureServer plays one server family on its own loopback host: it
// serves the family's documents (GETs of the actor and key signed, as
// authorized-fetch servers require; WebFinger and NodeInfo open), verifies
// and records what is POSTed to its inboxes, and signs the way the family
// signs.
type fixtureServer struct {
	t       *testing.T
	family  string
	base    string
	key     *rsa.PrivateKey
	profile signingProfile
	docs    map[string][]byte // by path
	verify  *httpsig.Verifier
	srv     *httptest.Server

	mu       sync.Mutex
	gets     map[string]int // signed GETs that verified, by path
	received [][]byte       // verified inbox POSTs
	refused  []string       // why GETs or POSTs were refused
}

func (f *fixtureServer) fill(raw []byte, extra map[string]string) []byte {
	u, _ := url.Parse(f.base)
	pem, _ := json.Marshal(httpsig.PublicKeyPEM(&f.key.PublicKey))
	r := []string{"{base}", f.base, "{host}", u.Host, "{pem}", string(pem[1 : len(pem)-1])}
	for k, v := range extra {
		r = append(r, k, v)
	}
	return []byte(strings.NewReplacer(r...).Replace(string(raw)))
}

func (f *fixtureServer) read(name string) []byte {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(serversDir(), f.family, name))
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func newFixtureServer(t *testing.T, family, host string) *fixtureServer {
	t.Helper()
	key, err := httpsig.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixtureServer{t: t, family: family, base: "http://" + ln.Addr().String(), key: key, docs: map[string][]byte{}, gets: map[string]int{}}
	if err := json.Unmarshal(f.read("signing.json"), &f.profile); err != nil {
		t.Fatal(err)
	}
	f.docs[f.profile.Actor] = f.fill(f.read("actor.json"), nil)
	if keyPath, ok := strings.CutPrefix(string(f.fill([]byte(f.profile.KeyID), nil)), f.base); ok && !strings.Contains(keyPath, "#") {
		f.docs[keyPath] = f.fill(f.read("key.json"), nil) // a key at a URL of its own
	}
	f.docs["/.well-known/webfinger"] = f.fill(f.read("webfinger.json"), nil)
	links := f.fill(f.read("nodeinfo-links.json"), nil)
	f.docs["/.well-known/nodeinfo"] = links
	var nl struct{ Links []struct{ Href string } }
	if err := json.Unmarshal(links, &nl); err != nil {
		t.Fatal(err)
	}
	for _, l := range nl.Links {
		f.docs[strings.TrimPrefix(l.Href, f.base)] = f.fill(f.read("nodeinfo.json"), nil)
	}
	f.verify = &httpsig.Verifier{Hosts: []string{ln.Addr().String()}, Resolve: nodeKeyResolver}
	f.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(f.serve)}}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// nodeKeyResolver fetches a node's actor (which nodes serve unsigned) and
// returns the key the keyId names, as a fixture server checks signatures.
func nodeKeyResolver(ctx context.Context, keyID string, _ bool) (string, crypto.PublicKey, error) {
	doc, _, _ := strings.Cut(keyID, "#")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, doc, nil)
	req.Header.Set("Accept", activity.ContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a, err := activity.ParseActor(raw)
	if err != nil {
		return "", nil, err
	}
	if a.KeyID != keyID {
		return "", nil, fmt.Errorf("no key %s", keyID)
	}
	pub, err := httpsig.ParsePublicKeyPEM(a.PublicKeyPEM)
	return a.ID, pub, err
}

func (f *fixtureServer) refuse(w http.ResponseWriter, format string, args ...any) {
	f.mu.Lock()
	f.refused = append(f.refused, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	http.Error(w, fmt.Sprintf(format, args...), http.StatusUnauthorized)
}

func (f *fixtureServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	open := strings.HasPrefix(r.URL.Path, "/.well-known/") || strings.HasPrefix(r.URL.Path, "/nodeinfo/")
	if !open {
		if _, err := f.verify.Verify(r.Context(), r, body); err != nil {
			f.refuse(w, "%s %s: %v", r.Method, r.URL.Path, err)
			return
		}
	}
	if r.Method == http.MethodGet && !open {
		f.mu.Lock()
		f.gets[r.URL.Path]++
		f.mu.Unlock()
	}
	if r.Method == http.MethodPost {
		f.mu.Lock()
		f.received = append(f.received, body)
		f.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	doc, ok := f.docs[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/.well-known/webfinger"):
		w.Header().Set("Content-Type", activity.JRDContentType)
	case open:
		w.Header().Set("Content-Type", "application/json")
	default:
		w.Header().Set("Content-Type", activity.ContentType)
	}
	_, _ = w.Write(doc)
}

// actor is the fixture's actor IRI.
func (f *fixtureServer) actor() string { return f.base + f.profile.Actor }

// sign signs req the way the family does: its header list, its
// algorithm name, its keyId form.
func (f *fixtureServer) sign(req *http.Request, body []byte, now time.Time) {
	f.t.Helper()
	headers := f.profile.Get
	if req.Method == http.MethodPost {
		headers = f.profile.Post
		req.Header.Set("Content-Length", fmt.Sprint(len(body)))
	} else {
		body = nil
	}
	req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	req.Header.Set("Host", req.URL.Host)
	s, _, err := gofedsig.NewSigner([]gofedsig.Algorithm{gofedsig.RSA_SHA256}, gofedsig.DigestSha256, headers, gofedsig.Signature, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := s.SignRequest(f.key, string(f.fill([]byte(f.profile.KeyID), nil)), req, body); err != nil {
		f.t.Fatal(err)
	}
	req.Header.Del("Host")
	sig := strings.Replace(req.Header.Get("Signature"), `algorithm="hs2019"`, `algorithm="`+f.profile.Algorithm+`"`, 1)
	req.Header.Set("Signature", sig)
}

// get fetches u from a node as the family does (signed, Accept of
// ActivityStreams) and returns the body, failing on any status but 200.
func (f *fixtureServer) get(u, accept string, signed bool) []byte {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", accept)
	if signed {
		f.sign(req, nil, time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("%s: GET %s: %d %s", f.family, u, resp.StatusCode, raw)
	}
	return raw
}

// TestFollowFromDeployedServers: a Follow from each server family, signed
// as that family signs, with its key published as that family publishes it
// (GoToSocial's separate key document included), is accepted by a node in
// authorized-fetch mode, and the node's Accept reaches the family's inbox
// signed; the family's server requires signed GETs of its actor and key,
// so the node must sign them.
func TestFollowFromDeployedServers(t *testing.T) {
	tn := startNodeWith(t, t.TempDir(), freeAddr(t, "127.0.0.1"), func(c *Config) {
		fedConfig(c)
		c.Federation.AuthorizedFetch = true
	})
	for i, family := range serverFamilies {
		t.Run(family, func(t *testing.T) {
			f := newFixtureServer(t, family, fmt.Sprintf("127.0.0.%d", 5+i))
			followID := fmt.Sprintf("f%d%d", time.Now().UnixNano(), i)
			body := f.fill(f.read("follow.json"), map[string]string{"{target}": tn.actor(), "{id}": followID})
			var follow struct{ ID string }
			if err := json.Unmarshal(body, &follow); err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPost, tn.n.uris.SharedInbox(), bytes.NewReader(body))
			req.Header.Set("Content-Type", activity.ContentType)
			req.Header.Set("Accept", activity.ContentType)
			f.sign(req, body, time.Now())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("Follow answered %d: %s (the fixture refused: %v)", resp.StatusCode, msg, f.refused)
			}
			eventually(t, 10*time.Second, "the Accept reaches "+family, func() bool {
				f.mu.Lock()
				defer f.mu.Unlock()
				for _, b := range f.received {
					a, err := activity.ParseActivity(b)
					if err == nil && a.Type == "Accept" && a.Actor == tn.actor() && a.ObjectID() == follow.ID {
						return true
					}
				}
				return false
			})
			// The node fetched the actor, and the key where it has a URL
			// of its own, with signed GETs.
			f.mu.Lock()
			for path := range f.docs {
				if !strings.HasPrefix(path, "/.well-known/") && !strings.HasPrefix(path, "/nodeinfo/") && f.gets[path] == 0 {
					t.Errorf("the node never fetched %s", path)
				}
			}
			f.mu.Unlock()
			if r := tn.do("GET", "/api/v1/followers", tn.admin, "", nil); !bytes.Contains(r.body, []byte(f.actor())) {
				t.Fatalf("%s is not among the followers: %s", f.actor(), r.body)
			}
		})
	}
}
