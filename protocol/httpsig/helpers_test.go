package httpsig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fixed inputs of the tests.
var (
	testNow   = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	actorA    = "https://127.0.0.1:8443/actor"
	keyIDA    = actorA + "#main-key"
	inboxURL  = "https://127.0.0.2:8443/actor/inbox"
	testBody  = []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://127.0.0.1:8443/activities/01JX0000000000000000000000","type":"Create","actor":"https://127.0.0.1:8443/actor"}`)
	keyOnce   sync.Once
	keyA      *rsa.PrivateKey
	keyB      *rsa.PrivateKey
	keyLoadEr error
)

// testKeys loads the two generated test keys from testdata.
func testKeys(tb testing.TB) (a, b *rsa.PrivateKey) {
	tb.Helper()
	keyOnce.Do(func() {
		load := func(name string) *rsa.PrivateKey {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				keyLoadEr = err
				return nil
			}
			k, err := ParsePrivateKeyPEM(string(raw))
			if err != nil {
				keyLoadEr = err
			}
			return k
		}
		keyA, keyB = load("key-a.pem"), load("key-b.pem")
	})
	if keyLoadEr != nil {
		tb.Fatalf("loading test keys: %v", keyLoadEr)
	}
	return keyA, keyB
}

// resolver is a KeyResolver stub: it answers from keys (first call) and
// refreshed (refresh=true calls, falling back to keys), and counts calls.
type resolver struct {
	mu        sync.Mutex
	owner     string
	keys      []crypto.PublicKey // answer of the n-th call (last one repeats)
	err       error
	calls     int
	refreshes int
}

func (r *resolver) resolve(_ context.Context, keyID string, refresh bool) (string, crypto.PublicKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if refresh {
		r.refreshes++
	}
	if r.err != nil {
		return "", nil, r.err
	}
	owner := r.owner
	if owner == "" {
		owner, _, _ = strings.Cut(keyID, "#")
	}
	i := min(r.calls-1, len(r.keys)-1)
	return owner, r.keys[i], nil
}

func newVerifier(r *resolver) *Verifier {
	return &Verifier{Resolve: r.resolve, Now: func() time.Time { return testNow }}
}

// signedPost returns a POST of testBody to inboxURL signed by key at t.
func signedPost(tb testing.TB, key *rsa.PrivateKey, t time.Time) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, inboxURL, bytes.NewReader(testBody))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := (&Signer{KeyID: keyIDA, Key: key}).SignRequest(req, testBody, t); err != nil {
		tb.Fatalf("SignRequest: %v", err)
	}
	return req
}

// rawSig is an independent implementation of draft-cavage signing, written
// from the draft and Mastodon's documentation rather than with go-fed, to
// produce signatures as other servers do (and malformed ones).
type rawSig struct {
	key       crypto.Signer
	keyID     string
	algorithm string // "" leaves the parameter out
	headers   []string
	target    string // (request-target) path and query; "" = req.URL.RequestURI()
	created   int64
	expires   int64
}

func (s rawSig) apply(tb testing.TB, req *http.Request) {
	tb.Helper()
	target := s.target
	if target == "" {
		target = req.URL.RequestURI()
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	var lines []string
	for _, h := range s.headers {
		switch h {
		case "(request-target)":
			lines = append(lines, "(request-target): "+strings.ToLower(req.Method)+" "+target)
		case "(created)":
			lines = append(lines, fmt.Sprintf("(created): %d", s.created))
		case "(expires)":
			lines = append(lines, fmt.Sprintf("(expires): %d", s.expires))
		case "host":
			lines = append(lines, "host: "+host)
		default:
			lines = append(lines, h+": "+strings.Join(req.Header.Values(h), ", "))
		}
	}
	msg := []byte(strings.Join(lines, "\n"))
	var sig []byte
	var err error
	switch k := s.key.(type) {
	case *rsa.PrivateKey:
		sum := sha256.Sum256(msg)
		sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, msg)
	default:
		err = errors.New("unsupported key")
	}
	if err != nil {
		tb.Fatal(err)
	}
	params := []string{`keyId="` + s.keyID + `"`}
	if s.algorithm != "" {
		params = append(params, `algorithm="`+s.algorithm+`"`)
	}
	if s.created != 0 {
		params = append(params, fmt.Sprintf("created=%d", s.created))
	}
	if s.expires != 0 {
		params = append(params, fmt.Sprintf("expires=%d", s.expires))
	}
	params = append(params, `headers="`+strings.Join(s.headers, " ")+`"`,
		`signature="`+base64.StdEncoding.EncodeToString(sig)+`"`)
	req.Header.Set("Signature", strings.Join(params, ","))
}

// newReq builds a request with Date (at t) and, when body is non-nil, a
// SHA-256 Digest, as a Mastodon-like sender would.
func newReq(tb testing.TB, method, target string, body []byte, t time.Time) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Date", t.UTC().Format(http.TimeFormat))
	if body != nil {
		sum := sha256.Sum256(body)
		req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	}
	return req
}

func mustEd25519(tb testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return pub, priv
}
