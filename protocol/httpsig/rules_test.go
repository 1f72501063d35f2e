package httpsig

import (
	"context"
	"crypto"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAlgorithms: the declared algorithm must fit the key the resolver
// returns: ed25519 and hs2019 for an Ed25519 key, rsa-sha256 and hs2019 for
// an RSA key (either may also be left out); the parameter is
// case-insensitive; a mismatch is refused even though the signature bytes
// are good, after one re-fetch of the key.
func TestAlgorithms(t *testing.T) {
	a, _ := testKeys(t)
	edPub, edPriv := mustEd25519(t)
	full := []string{"(request-target)", "host", "date", "digest"}
	tests := []struct {
		name      string
		key       crypto.Signer
		pub       crypto.PublicKey
		algorithm string
		ok        bool
	}{
		{"ed25519 with an Ed25519 key", edPriv, edPub, "ed25519", true},
		{"ED25519 upper case", edPriv, edPub, "ED25519", true},
		{"hs2019 with an Ed25519 key", edPriv, edPub, "hs2019", true},
		{"no algorithm, Ed25519 key", edPriv, edPub, "", true},
		{"rsa-sha256 declared, Ed25519 key", edPriv, edPub, "rsa-sha256", false},
		{"rsa-sha256 with an RSA key", a, &a.PublicKey, "rsa-sha256", true},
		{"RSA-SHA256 upper case", a, &a.PublicKey, "RSA-SHA256", true},
		{"hs2019 with an RSA key", a, &a.PublicKey, "hs2019", true},
		{"ed25519 declared, RSA key", a, &a.PublicKey, "ed25519", false},
		{"rsa-sha512 is not accepted", a, &a.PublicKey, "rsa-sha512", false},
		{"ecdsa-sha256 is not accepted", a, &a.PublicKey, "ecdsa-sha256", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &resolver{keys: []crypto.PublicKey{tt.pub}}
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			rawSig{key: tt.key, keyID: keyIDA, algorithm: tt.algorithm, headers: full}.apply(t, req)
			got, err := newVerifier(r).Verify(context.Background(), req, testBody)
			if tt.ok {
				if err != nil || got.KeyID != keyIDA || got.Owner != actorA {
					t.Fatalf("Verify = %+v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("Verify = %v, want ErrBadSignature", err)
			}
			if !strings.Contains(err.Error(), strings.ToLower(tt.algorithm)) {
				t.Fatalf("error does not name the algorithm %q: %v", tt.algorithm, err)
			}
		})
	}
	// An Ed25519 key of the wrong length is refused, whatever is declared.
	if _, err := algorithmFor("ed25519", edPub[:31]); err == nil {
		t.Fatal("31-byte Ed25519 key accepted")
	}
	if _, err := algorithmFor("", struct{}{}); err == nil {
		t.Fatal("unsupported key type accepted")
	}
}

// TestKeyIDSchemes: the keyId must be an absolute http(s) URL with a host;
// other schemes are refused before any key is fetched. Plain http is
// accepted unless Verifier.RequireHTTPS (a production node); a test
// federation on loopback serves its actors over http.
func TestKeyIDSchemes(t *testing.T) {
	a, _ := testKeys(t)
	full := []string{"(request-target)", "host", "date", "digest"}
	tests := []struct {
		keyID        string
		loose, https bool // accepted without and with RequireHTTPS
	}{
		{keyIDA, true, true},
		{"HTTPS://127.0.0.1:8443/actor#main-key", true, true},
		{"http://127.0.0.1:8443/actor#main-key", true, false},
		{"ftp://127.0.0.1/actor#main-key", false, false},
		{"urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", false, false},
		{"did:web:127.0.0.1#main-key", false, false},
		{"file:///etc/passwd", false, false},
		{"mailto:actor@127.0.0.1", false, false},
		{"//127.0.0.1:8443/actor#main-key", false, false}, // scheme-relative
		{"/actor#main-key", false, false},
		{"https:///actor#main-key", false, false}, // no host
		{"https://127.0.0.1:8443/%zz#main-key", false, false},
	}
	for _, tt := range tests {
		for _, requireHTTPS := range []bool{false, true} {
			want := tt.loose
			if requireHTTPS {
				want = tt.https
			}
			t.Run(tt.keyID+map[bool]string{false: "", true: " RequireHTTPS"}[requireHTTPS], func(t *testing.T) {
				owner, _, _ := strings.Cut(tt.keyID, "#")
				r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}, owner: owner}
				v := newVerifier(r)
				v.RequireHTTPS = requireHTTPS
				req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
				rawSig{key: a, keyID: tt.keyID, algorithm: "rsa-sha256", headers: full}.apply(t, req)
				got, err := v.Verify(context.Background(), req, testBody)
				if want {
					if err != nil || got.KeyID != tt.keyID {
						t.Fatalf("Verify = %+v, %v", got, err)
					}
					return
				}
				if !errors.Is(err, ErrBadSignature) || r.calls != 0 {
					t.Fatalf("Verify = %v after %d key fetches; want ErrBadSignature before any", err, r.calls)
				}
			})
		}
	}
}

// TestValidHeaderName: signed header names are RFC 9110 tokens, or one of
// the three pseudo-headers; anything else (a comma that would split the
// name in go-fed's reading, quotes, colons, non-ASCII) is refused, and so is
// a Signature whose "headers" lists one.
func TestValidHeaderName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"date", true},
		{"content-type", true},
		{"x-custom_1.v2", true},
		{"!#$%&'*+-.^_`|~", true},
		{"(request-target)", true},
		{"(created)", true},
		{"(expires)", true},
		{"", false},
		{"x,y", false},
		{",", false},
		{"date,", false},
		{"host:", false},
		{`x"y`, false},
		{"a b", false},
		{"a\tb", false},
		{"(request-target", false},
		{"(foo)", false},
		{"()", false},
		{"x/y", false},
		{"x;y", false},
		{"x=y", false},
		{"x@y", false},
		{"[x]", false},
		{"{x}", false},
		{"x\\y", false},
		{"x?y", false},
		{"dätum", false},
		{"x\x00", false},
		{"x\x7f", false},
	}
	for _, tt := range tests {
		if got := validHeaderName(tt.name); got != tt.ok {
			t.Errorf("validHeaderName(%q) = %t, want %t", tt.name, got, tt.ok)
		}
		if tt.name == "" || strings.ContainsAny(tt.name, " \t\"") {
			continue // not expressible as one name in a quoted list
		}
		_, err := parseSignature(`keyId="k",headers="` + tt.name + `",signature="Zm9v"`)
		if (err == nil) != tt.ok {
			t.Errorf("headers naming %q: parseSignature error %v, want ok=%t", tt.name, err, tt.ok)
		}
	}
}

// TestExpires: an (expires) parameter in the past is refused, one in the
// future (or exactly now) accepted; "(expires)" signed without the
// parameter is refused. The verifier's clock is the real one, which go-fed
// also checks a signed expires against.
func TestExpires(t *testing.T) {
	a, _ := testKeys(t)
	now := time.Now().Truncate(time.Second)
	headers := []string{"(request-target)", "host", "date", "digest", "(expires)"}
	tests := []struct {
		name    string
		expires int64 // 0: no parameter
		headers []string
		want    error
	}{
		{"in an hour", now.Add(time.Hour).Unix(), headers, nil},
		{"exactly now", now.Unix(), headers, nil},
		{"a second ago", now.Add(-time.Second).Unix(), headers, ErrDateWindow},
		{"a minute ago", now.Add(-time.Minute).Unix(), headers, ErrDateWindow},
		{"signed but absent", 0, headers, ErrBadSignature},
		{"expired, present but not signed", now.Add(-time.Minute).Unix(), headers[:4], ErrDateWindow},
		{"future, present but not signed", now.Add(time.Hour).Unix(), headers[:4], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
			v := &Verifier{Resolve: r.resolve, Now: func() time.Time { return now }}
			req := newReq(t, http.MethodPost, inboxURL, testBody, now)
			rawSig{key: a, keyID: keyIDA, algorithm: "hs2019", headers: tt.headers, expires: tt.expires}.apply(t, req)
			_, err := v.Verify(context.Background(), req, testBody)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if tt.want != nil && r.calls != 0 {
				t.Fatalf("key fetched %d times for a refused time", r.calls)
			}
		})
	}
}

// TestDateWindowExact pins the window edges to the second, in both
// directions, for the default and a configured window: a Date exactly one
// window away is accepted, one second more is refused. created may lie up to
// createdSkew (10 s) ahead and up to one window behind.
func TestDateWindowExact(t *testing.T) {
	a, _ := testKeys(t)
	type tc struct {
		name   string
		window time.Duration
		date   time.Duration // Date - now
		ok     bool
	}
	var tests []tc
	for _, w := range []time.Duration{0, 5 * time.Minute} {
		eff := w
		if eff == 0 {
			eff = DefaultWindow
		}
		tests = append(tests,
			tc{"behind, at the edge", w, -eff, true},
			tc{"behind, a second past", w, -eff - time.Second, false},
			tc{"ahead, at the edge", w, eff, true},
			tc{"ahead, a second past", w, eff + time.Second, false},
			tc{"now", w, 0, true},
		)
	}
	for _, tt := range tests {
		t.Run(tt.window.String()+" "+tt.name, func(t *testing.T) {
			r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
			v := newVerifier(r)
			v.Window = tt.window
			_, err := v.Verify(context.Background(), signedPost(t, a, testNow.Add(tt.date)), testBody)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrDateWindow)) {
				t.Fatalf("Verify = %v, want ok=%t", err, tt.ok)
			}
			if err != nil && r.calls != 0 {
				t.Fatalf("key fetched %d times for a stale request", r.calls)
			}
		})
	}
	createdTests := []struct {
		name    string
		window  time.Duration
		created time.Duration // created - now
		ok      bool
	}{
		{"created now", 0, 0, true},
		{"created at the skew", 0, createdSkew, true},
		{"created a second past the skew", 0, createdSkew + time.Second, false},
		{"created a minute ahead", 0, time.Minute, false},
		{"created one window ago", 0, -DefaultWindow, true},
		{"created a second more", 0, -DefaultWindow - time.Second, false},
		{"created 5 min ago, 5 min window", 5 * time.Minute, -5 * time.Minute, true},
		{"created 5 min 1 s ago, 5 min window", 5 * time.Minute, -5*time.Minute - time.Second, false},
	}
	for _, tt := range createdTests {
		t.Run(tt.name, func(t *testing.T) {
			r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
			v := newVerifier(r)
			v.Window = tt.window
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			req.Header.Del("Date")
			rawSig{key: a, keyID: keyIDA, algorithm: "hs2019", created: testNow.Add(tt.created).Unix(),
				headers: []string{"(request-target)", "(created)", "host", "digest"}}.apply(t, req)
			_, err := v.Verify(context.Background(), req, testBody)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrDateWindow)) {
				t.Fatalf("Verify = %v, want ok=%t", err, tt.ok)
			}
		})
	}
}

// TestDateHeaders: Date must be there once, in HTTP date form, when signed;
// an unsigned Date is not judged.
func TestDateHeaders(t *testing.T) {
	a, _ := testKeys(t)
	tests := []struct {
		name string
		edit func(*http.Request)
		want error
	}{
		{"two Date headers", func(r *http.Request) { r.Header.Add("Date", r.Header.Get("Date")) }, ErrDateWindow},
		{"RFC 850 form", func(r *http.Request) { r.Header.Set("Date", testNow.Format(time.RFC850)) }, nil},
		{"not a date", func(r *http.Request) { r.Header.Set("Date", "2025-06-01T12:00:00Z") }, ErrDateWindow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newReq(t, http.MethodPost, inboxURL, testBody, testNow)
			tt.edit(req)
			rawSig{key: a, keyID: keyIDA, algorithm: "rsa-sha256", headers: []string{"(request-target)", "host", "date", "digest"}}.apply(t, req)
			_, err := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}}).Verify(context.Background(), req, testBody)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	// (created) instead of date: a stale, unsigned Date is not judged.
	req := newReq(t, http.MethodPost, inboxURL, testBody, testNow.Add(-24*time.Hour))
	rawSig{key: a, keyID: keyIDA, algorithm: "hs2019", created: testNow.Unix(),
		headers: []string{"(request-target)", "(created)", "host", "digest"}}.apply(t, req)
	if _, err := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}}).Verify(context.Background(), req, testBody); err != nil {
		t.Fatalf("unsigned stale Date judged: %v", err)
	}
}

// TestBodyCap: a body of exactly MaxBody bytes is verified, one byte more is
// refused before anything else; 0 or less takes DefaultMaxBody.
func TestBodyCap(t *testing.T) {
	a, _ := testKeys(t)
	n := int64(len(testBody))
	for _, tt := range []struct {
		max int64
		ok  bool
	}{{n, true}, {n - 1, false}, {0, true}, {-1, true}} {
		r := &resolver{keys: []crypto.PublicKey{&a.PublicKey}}
		v := newVerifier(r)
		v.MaxBody = tt.max
		_, err := v.Verify(context.Background(), signedPost(t, a, testNow), testBody)
		if tt.ok != (err == nil) || (err != nil && (!errors.Is(err, ErrBodyTooLarge) || r.calls != 0)) {
			t.Errorf("MaxBody %d, body %d: %v after %d key fetches", tt.max, n, err, r.calls)
		}
	}
}
