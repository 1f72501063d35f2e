package httpsig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	a, _ := testKeys(t)
	signer := &Signer{KeyID: keyIDA, Key: a}
	tests := []struct {
		name   string
		method string
		url    string
		body   []byte
		want   string // headers="..." the signature must carry
	}{
		{"POST with body", http.MethodPost, inboxURL, testBody, "(request-target) host date digest"},
		{"POST with empty body", http.MethodPost, inboxURL, nil, "(request-target) host date digest"},
		{"GET", http.MethodGet, "https://127.0.0.2:8443/objects/01JX0000000000000000000000", nil, "(request-target) host date"},
		{"GET with query", http.MethodGet, "https://127.0.0.2:8443/actor/outbox?page=2&min_id=0", nil, "(request-target) host date"},
		{"GET escaped path", http.MethodGet, "https://127.0.0.2/objects/a%2Fb?q=x%20y", nil, "(request-target) host date"},
		{"GET default port", http.MethodGet, "https://node.example/actor", nil, "(request-target) host date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if err := signer.SignRequest(req, tt.body, testNow); err != nil {
				t.Fatal(err)
			}
			sig := req.Header.Get("Signature")
			if !strings.Contains(sig, `headers="`+tt.want+`"`) || !strings.Contains(sig, `algorithm="rsa-sha256"`) ||
				!strings.HasPrefix(sig, `keyId="`+keyIDA+`",`) {
				t.Fatalf("Signature = %s", sig)
			}
			if req.Host != req.URL.Host || req.Header.Get("Host") != "" {
				t.Fatalf("Host = %q, header Host = %q", req.Host, req.Header.Get("Host"))
			}
			r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
			got, err := newVerifier(r).Verify(context.Background(), req, tt.body)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.KeyID != keyIDA || got.Owner != actorA || r.calls != 1 {
				t.Fatalf("Verified = %+v after %d resolver calls", got, r.calls)
			}
		})
	}
}

// TestOverHTTP signs on a real client and verifies in a real handler on
// loopback, so that Host (kept out of the server's header map), the raw
// request URI and re-signing of a request all meet the network.
func TestOverHTTP(t *testing.T) {
	a, _ := testKeys(t)
	r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
	v := &Verifier{Resolve: r.resolve} // real clock
	var got []error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		_, err := v.Verify(req.Context(), req, body)
		got = append(got, err)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	signer := &Signer{KeyID: keyIDA, Key: a}
	for _, path := range []string{"/actor/inbox", "/objects/a%2Fb?page=1&x=%C3%A9"} {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			var body []byte
			if method == http.MethodPost {
				body = testBody
			}
			req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			// A stale signature from a previous hop must be replaced, not kept.
			req.Header.Set("Signature", `keyId="x",signature="AAAA"`)
			req.Header.Set("Digest", "SHA-256=stale")
			if err := signer.SignRequest(req, body, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	if len(got) != 4 {
		t.Fatalf("%d requests reached the server", len(got))
	}
	for i, err := range got {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
}

// TestInterop verifies signatures made the way other servers make them, with
// an implementation independent of go-fed.
func TestInterop(t *testing.T) {
	a, _ := testKeys(t)
	edPub, edPriv := mustEd25519(t)
	created := testNow.Add(-time.Minute).Unix()
	tests := []struct {
		name   string
		method string
		url    string
		body   []byte
		sig    rawSig
		pub    crypto.PublicKey
	}{
		{"Mastodon POST", http.MethodPost, inboxURL, testBody,
			rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date", "digest"}}, &a.PublicKey},
		{"Mastodon GET leaves the query out", http.MethodGet, "https://127.0.0.2:8443/actor/outbox?page=true", nil,
			rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date"}, target: "/actor/outbox"}, &a.PublicKey},
		{"GET with the query signed", http.MethodGet, "https://127.0.0.2:8443/actor/outbox?page=true", nil,
			rawSig{key: a, keyID: keyIDA, algorithm: "hs2019", headers: []string{"(request-target)", "host", "date"}}, &a.PublicKey},
		{"hs2019 RSA, extra signed header", http.MethodPost, inboxURL, testBody,
			rawSig{key: a, keyID: keyIDA, algorithm: "hs2019", headers: []string{"(request-target)", "host", "date", "digest", "content-type"}}, &a.PublicKey},
		{"no algorithm parameter", http.MethodPost, inboxURL, testBody,
			rawSig{key: a, keyID: keyIDA, headers: []string{"(request-target)", "host", "date", "digest"}}, &a.PublicKey},
		{"hs2019 with (created) instead of date", http.MethodPost, inboxURL, testBody,
			rawSig{key: a, keyID: keyIDA, algorithm: "hs2019", created: created, headers: []string{"(request-target)", "(created)", "host", "digest"}}, &a.PublicKey},
		{"hs2019 Ed25519 key", http.MethodPost, inboxURL, testBody,
			rawSig{key: edPriv, keyID: keyIDA, algorithm: "hs2019", headers: []string{"(request-target)", "host", "date", "digest"}}, edPub},
		{"decoded path (go-fed signer)", http.MethodGet, "https://127.0.0.2:8443/objects/a%2Fb", nil,
			rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date"}, target: "/objects/a/b"}, &a.PublicKey},
		{"decoded path with the query (go-fed signer)", http.MethodGet, "https://127.0.0.2:8443/objects/a%2Fb?page=true", nil,
			rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date"}, target: "/objects/a/b?page=true"}, &a.PublicKey},
		{"decoded path, query left out", http.MethodGet, "https://127.0.0.2:8443/objects/a%2Fb?page=true", nil,
			rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date"}, target: "/objects/a/b"}, &a.PublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newReq(t, tt.method, tt.url, tt.body, testNow)
			req.Header.Set("Content-Type", "application/activity+json")
			tt.sig.apply(t, req)
			r := &resolver{keys: []crypto.PublicKey{tt.pub}}
			if _, err := newVerifier(r).Verify(context.Background(), req, tt.body); err != nil {
				t.Fatalf("Verify: %v\nSignature: %s", err, req.Header.Get("Signature"))
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	a, b := testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _ := mustEd25519(t)
	full := []string{"(request-target)", "host", "date", "digest"}
	raw := func(headers ...string) rawSig {
		return rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: headers}
	}
	tests := []struct {
		name   string
		req    func(t *testing.T) *http.Request
		body   []byte             // what the server received; testBody when nil
		keys   []crypto.PublicKey // resolver answers; key A when nil
		owner  string
		resErr error
		want   error
		calls  int // expected resolver calls
	}{
		{name: "unsigned", want: ErrUnsigned, req: func(t *testing.T) *http.Request {
			return newReq(t, http.MethodPost, inboxURL, testBody, testNow)
		}},
		{name: "tampered body", want: ErrDigestMismatch, body: []byte(`{"type":"Delete"}`), req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
		{name: "digest header rewritten to match tampered body", want: ErrBadSignature, calls: 2, body: []byte(`{}`), req: func(t *testing.T) *http.Request {
			req := signedPost(t, a, testNow)
			req.Header.Set("Digest", "SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=") // sha256("{}")
			return req
		}},
		{name: "digest present but not signed", want: ErrDigestNotSigned, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			raw("(request-target)", "host", "date").apply(t, req)
			return req
		}},
		{name: "POST body without digest", want: ErrMissingHeaders, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, nil, testNow)
			raw("(request-target)", "host", "date").apply(t, req)
			return req
		}},
		{name: "digest SHA-512 only", want: ErrDigestMismatch, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			req.Header.Set("Digest", "SHA-512=z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")
			raw(full...).apply(t, req)
			return req
		}},
		{name: "only date signed", want: ErrMissingHeaders, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			raw("date", "digest").apply(t, req)
			return req
		}},
		{name: "host not signed", want: ErrMissingHeaders, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			raw("(request-target)", "date", "digest").apply(t, req)
			return req
		}},
		{name: "signed header absent", want: ErrMissingHeaders, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			raw("(request-target)", "host", "date", "digest", "content-type").apply(t, req)
			req.Header.Del("Content-Type")
			return req
		}},
		{name: "stale Date", want: ErrDateWindow, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow.Add(-DefaultWindow-time.Second))
		}},
		{name: "future Date", want: ErrDateWindow, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow.Add(DefaultWindow+time.Second))
		}},
		{name: "malformed Date", want: ErrDateWindow, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			req.Header.Set("Date", "yesterday")
			raw(full...).apply(t, req)
			return req
		}},
		{name: "created in the future", want: ErrDateWindow, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			s := raw("(request-target)", "(created)", "host", "digest")
			s.created = testNow.Add(time.Minute).Unix()
			s.apply(t, req)
			return req
		}},
		{name: "expired", want: ErrDateWindow, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			s := raw("(request-target)", "host", "date", "digest", "(expires)")
			s.expires = testNow.Add(-time.Minute).Unix()
			s.apply(t, req)
			return req
		}},
		{name: "wrong key, also after a re-fetch", want: ErrBadSignature, keys: []crypto.PublicKey{&b.PublicKey}, calls: 2, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
		{name: "re-fetch fails", want: ErrBadSignature, keys: []crypto.PublicKey{&b.PublicKey}, calls: 2, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
		{name: "request target mismatch", want: ErrBadSignature, calls: 2, req: func(t *testing.T) *http.Request {
			req := signedPost(t, a, testNow)
			req.URL.Path = "/inbox"
			return req
		}},
		{name: "host mismatch", want: ErrBadSignature, calls: 2, req: func(t *testing.T) *http.Request {
			req := signedPost(t, a, testNow)
			req.Host = "127.0.0.3:8443"
			return req
		}},
		{name: "method mismatch", want: ErrBadSignature, calls: 2, req: func(t *testing.T) *http.Request {
			req := signedPost(t, a, testNow)
			req.Method = http.MethodPut
			return req
		}},
		{name: "key fetch fails", want: ErrKeyFetch, resErr: errors.New("410 Gone"), calls: 1, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
		{name: "key's owner does not name it", want: ErrKeyOwner, resErr: fmt.Errorf("%w: the owner does not list it", ErrKeyOwner), calls: 1, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
		{name: "key owned by another origin", want: ErrKeyOwner, owner: "https://127.0.0.1:9443/actor", calls: 1, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
		{name: "RSA-1024 key", want: ErrBadSignature, keys: []crypto.PublicKey{&small.PublicKey}, calls: 2, req: func(t *testing.T) *http.Request {
			return signedPost(t, small, testNow)
		}},
		{name: "rsa-sha256 declared, Ed25519 key", want: ErrBadSignature, keys: []crypto.PublicKey{edPub}, calls: 2, req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
		{name: "hmac algorithm", want: ErrBadSignature, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			s := raw(full...)
			s.algorithm = "hmac-sha256"
			s.apply(t, req)
			return req
		}},
		{name: "two Signature headers", want: ErrBadSignature, req: func(t *testing.T) *http.Request {
			req := signedPost(t, a, testNow)
			req.Header.Add("Signature", req.Header.Get("Signature"))
			return req
		}},
		{name: "duplicate parameter", want: ErrBadSignature, req: func(t *testing.T) *http.Request {
			req := signedPost(t, a, testNow)
			req.Header.Set("Signature", req.Header.Get("Signature")+`,headers="date"`)
			return req
		}},
		{name: "spaces after commas hide nothing", want: ErrBadSignature, calls: 2, req: func(t *testing.T) *http.Request {
			// go-fed would read ` headers` as an unknown parameter and fall
			// back to "date": the canonical form keeps the parsed list.
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			raw("date").apply(t, req)
			sig := strings.Replace(req.Header.Get("Signature"), `headers="date"`, `headers="(request-target) host date digest"`, 1)
			req.Header.Set("Signature", strings.ReplaceAll(sig, `",`, `", `))
			return req
		}},
		{name: "keyId not a URL", want: ErrBadSignature, req: func(t *testing.T) *http.Request {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			s := raw(full...)
			s.keyID = "file:///etc/passwd"
			s.apply(t, req)
			return req
		}},
		{name: "body over the cap", want: ErrBodyTooLarge, body: make([]byte, DefaultMaxBody+1), req: func(t *testing.T) *http.Request {
			return signedPost(t, a, testNow)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := tt.keys
			if keys == nil {
				keys = []crypto.PublicKey{&a.PublicKey}
			}
			r := &resolver{keys: keys, owner: tt.owner, err: tt.resErr}
			if tt.name == "re-fetch fails" {
				r.keys = []crypto.PublicKey{&b.PublicKey, nil}
			}
			body := tt.body
			if body == nil {
				body = testBody
			}
			got, err := newVerifier(r).Verify(context.Background(), tt.req(t), body)
			t.Log(err)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %+v, %v; want %v", got, err, tt.want)
			}
			for _, other := range []error{ErrUnsigned, ErrBadSignature, ErrDigestMismatch, ErrDigestNotSigned,
				ErrDateWindow, ErrMissingHeaders, ErrKeyFetch, ErrKeyOwner, ErrBodyTooLarge, ErrWrongHost} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("error %v also matches %v", err, other)
				}
			}
			if r.calls != tt.calls {
				t.Errorf("resolver called %d times, want %d", r.calls, tt.calls)
			}
		})
	}
}

// TestKeyRotation: the cached key is the old one; the re-fetch returns the
// new one, and the request is accepted after exactly two resolver calls.
func TestKeyRotation(t *testing.T) {
	a, b := testKeys(t)
	r := &resolver{keys: []crypto.PublicKey{&b.PublicKey, &a.PublicKey}}
	got, err := newVerifier(r).Verify(context.Background(), signedPost(t, a, testNow), testBody)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Owner != actorA || r.calls != 2 || r.refreshes != 1 {
		t.Fatalf("Verified %+v after %d calls (%d refreshes)", got, r.calls, r.refreshes)
	}
}

func TestDateWindowEdges(t *testing.T) {
	a, _ := testKeys(t)
	for _, tt := range []struct {
		name   string
		window time.Duration
		skew   time.Duration
		ok     bool
	}{
		{"default window, 59 min old", 0, -59 * time.Minute, true},
		{"default window, 59 min ahead", 0, 59 * time.Minute, true},
		{"5 min window, 6 min old", 5 * time.Minute, -6 * time.Minute, false},
		{"5 min window, 4 min ahead", 5 * time.Minute, 4 * time.Minute, true},
		{"5 min window, 6 min ahead", 5 * time.Minute, 6 * time.Minute, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}})
			v.Window = tt.window
			_, err := v.Verify(context.Background(), signedPost(t, a, testNow.Add(tt.skew)), testBody)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrDateWindow)) {
				t.Fatalf("Verify = %v, want ok=%t", err, tt.ok)
			}
		})
	}
}

func TestDigestForms(t *testing.T) {
	a, _ := testKeys(t)
	good := "SHA-256=" + strings.TrimPrefix(signedPost(t, a, testNow).Header.Get("Digest"), "SHA-256=")
	for _, tt := range []struct {
		digest string
		want   error
	}{
		{good, nil},
		{strings.Replace(good, "SHA-256", "sha-256", 1), nil},
		{"SHA-512=abc, " + good, nil},
		{good + ",SHA-256=AAAA", ErrDigestMismatch},
		{"MD5=abc", ErrDigestMismatch},
		{"garbage", ErrDigestMismatch},
	} {
		t.Run(tt.digest, func(t *testing.T) {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			req.Header.Set("Digest", tt.digest)
			rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date", "digest"}}.apply(t, req)
			_, err := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}}).Verify(context.Background(), req, testBody)
			if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignRequestErrors(t *testing.T) {
	a, _ := testKeys(t)
	req := httptest.NewRequest(http.MethodGet, "/no-host", nil)
	req.Host = ""
	for _, tt := range []struct {
		name string
		s    *Signer
		req  *http.Request
	}{
		{"nil signer", nil, req},
		{"no key", &Signer{KeyID: keyIDA}, req},
		{"no key id", &Signer{Key: a}, req},
		{"no host", &Signer{KeyID: keyIDA, Key: a}, req},
		{"no URL", &Signer{KeyID: keyIDA, Key: a}, &http.Request{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.SignRequest(tt.req, nil, testNow); err == nil {
				t.Fatal("SignRequest succeeded")
			}
		})
	}
}

// TestAuthorizationScheme accepts the draft's "Authorization: Signature"
// form too.
func TestAuthorizationScheme(t *testing.T) {
	a, _ := testKeys(t)
	req := signedPost(t, a, testNow)
	req.Header.Set("Authorization", "Signature "+req.Header.Get("Signature"))
	req.Header.Del("Signature")
	if _, err := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}}).Verify(context.Background(), req, testBody); err != nil {
		t.Fatal(err)
	}
	// A Bearer token beside a Signature header is not a second signature.
	req = signedPost(t, a, testNow)
	req.Header.Set("Authorization", "Bearer abc")
	if _, err := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}}).Verify(context.Background(), req, testBody); err != nil {
		t.Fatal(err)
	}
}

// TestSignRequestHeaderMap: SignRequest makes the header map of a request
// built without one, and keeps the caller's other headers, replacing only a
// previous Signature and Digest.
func TestSignRequestHeaderMap(t *testing.T) {
	a, _ := testKeys(t)
	u, err := url.Parse(inboxURL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		header http.Header
		keep   map[string]string // headers that must survive signing
	}{
		{"no header map", nil, nil},
		{"empty header map", http.Header{}, nil},
		{"caller's headers kept", http.Header{
			"Content-Type": {"application/activity+json"},
			"Accept":       {"application/ld+json"},
			"Signature":    {`keyId="old",signature="b2xk"`},
			"Digest":       {"SHA-256=b2xk"},
		}, map[string]string{"Content-Type": "application/activity+json", "Accept": "application/ld+json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &http.Request{Method: http.MethodPost, URL: u, Header: tt.header, Body: io.NopCloser(bytes.NewReader(testBody))}
			if err := (&Signer{KeyID: keyIDA, Key: a}).SignRequest(req, testBody, testNow); err != nil {
				t.Fatalf("SignRequest: %v", err)
			}
			for h, v := range tt.keep {
				if got := req.Header.Values(h); len(got) != 1 || got[0] != v {
					t.Errorf("%s = %q after signing, want %q", h, got, v)
				}
			}
			if n := len(req.Header.Values("Signature")); n != 1 || strings.Contains(req.Header.Get("Signature"), "old") {
				t.Fatalf("Signature after signing: %q", req.Header.Values("Signature"))
			}
			if _, err := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}}).Verify(context.Background(), req, testBody); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

// TestVerifyHostFromURL: the signed host is the request's Host, or its URL's
// host when Host is empty (a request built by hand); with neither, the
// signed host header is absent.
func TestVerifyHostFromURL(t *testing.T) {
	a, _ := testKeys(t)
	tests := []struct {
		name  string
		edit  func(*http.Request)
		want  error
		hosts []string
	}{
		{"Host set", func(*http.Request) {}, nil, nil},
		{"Host empty, URL has the host", func(r *http.Request) { r.Host = "" }, nil, nil},
		{"Host empty, URL host is this node", func(r *http.Request) { r.Host = "" }, nil, []string{"127.0.0.2:8443"}},
		{"Host empty, URL host is another node", func(r *http.Request) { r.Host = "" }, ErrWrongHost, []string{"127.0.0.3:8443"}},
		{"neither", func(r *http.Request) { r.Host, r.URL.Host = "", "" }, ErrMissingHeaders, nil},
		{"no URL, no Host", func(r *http.Request) { r.Host, r.URL, r.RequestURI = "", nil, "/actor/inbox" }, ErrMissingHeaders, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedPost(t, a, testNow)
			tt.edit(req)
			v := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}})
			v.Hosts = tt.hosts
			got, err := v.Verify(context.Background(), req, testBody)
			if tt.want == nil {
				if err != nil || got.Owner != actorA {
					t.Fatalf("Verify = %+v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestRSAKeySize: an RSA key under KeyBits is refused, and the error gives
// its size.
func TestRSAKeySize(t *testing.T) {
	a, _ := testKeys(t)
	bits := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n-1) }
	tests := []struct {
		name string
		pub  *rsa.PublicKey
		want string // "" = accepted
	}{
		{"2048 bits", &a.PublicKey, ""},
		{"2047 bits", &rsa.PublicKey{N: bits(2047), E: 65537}, "RSA key of 2047 bits is below the 2048-bit minimum"},
		{"1024 bits", &rsa.PublicKey{N: bits(1024), E: 65537}, "RSA key of 1024 bits is below the 2048-bit minimum"},
		{"no modulus", &rsa.PublicKey{E: 65537}, "RSA key of 0 bits is below the 2048-bit minimum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := algorithmFor("rsa-sha256", tt.pub)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("algorithmFor = %v, want %q", err, tt.want)
			}
		})
	}
	// End to end: a request signed with a real 1024-bit key.
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
	rawSig{key: small, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date", "digest"}}.apply(t, req)
	_, err = newVerifier(&resolver{keys: []crypto.PublicKey{&small.PublicKey}}).Verify(context.Background(), req, testBody)
	if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "1024 bits") {
		t.Fatalf("Verify with a 1024-bit key = %v, want ErrBadSignature naming its size", err)
	}
}
