package httpsig

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	gofedsig "github.com/go-fed/httpsig"

	"github.com/interlink-project/interlink-node/protocol"
)

// Sentinel errors of Verify. Every error Verify returns wraps exactly one of
// them; an inbox maps each to its own problem type (ErrUnsigned to 401).
var (
	ErrUnsigned        = errors.New("request has no HTTP signature")
	ErrBadSignature    = errors.New("HTTP signature is malformed or does not verify")
	ErrDigestMismatch  = errors.New("digest does not match the body")
	ErrDigestNotSigned = errors.New("digest is not covered by the signature")
	ErrDateWindow      = errors.New("request time is outside the accepted window")
	ErrMissingHeaders  = errors.New("required headers are missing or not signed")
	ErrKeyFetch        = errors.New("signing key could not be fetched")
	// ErrKeyOwner: the key's owner (or controller) is not on the key's
	// origin, or does not list the key. A KeyResolver returns an error
	// wrapping it for the second case.
	ErrKeyOwner     = errors.New("signing key's owner is not on the key's origin or does not name the key")
	ErrBodyTooLarge = errors.New("request body exceeds the limit")
	ErrWrongHost    = errors.New("request is signed for another host")
)

// Defaults of Verifier.
const (
	DefaultWindow  = time.Hour
	DefaultMaxBody = 1 << 20
	// createdSkew is how far in the future a signature's "created" may lie
	// (clock skew between honest servers); go-fed applies the same 10 s.
	createdSkew = 10 * time.Second
)

// KeyResolver returns the owner (the actor IRI) and public key of the key
// keyID, fetching the key document (through the safe transport) or reading a
// cache. refresh=true must bypass every cache: Verify asks for it once when a
// signature fails with the known key, to follow key rotation. Callers should
// rate-limit refreshes per key or host, since a forged request can trigger
// one.
type KeyResolver func(ctx context.Context, keyID string, refresh bool) (owner string, pub crypto.PublicKey, err error)

// Verifier verifies incoming signed requests. Its zero values take the
// defaults: Now = time.Now, Window = DefaultWindow, MaxBody = DefaultMaxBody.
// A Verifier is safe for concurrent use.
type Verifier struct {
	Resolve KeyResolver
	// Now is the clock of every window check. (go-fed additionally refuses
	// a signed "(created)" more than 10 s ahead of the real clock.)
	Now func() time.Time
	// Window bounds |now - Date| (both directions) and now - created.
	Window time.Duration
	// MaxBody is the largest body Verify accepts, in bytes.
	MaxBody int64
	// Hosts are this node's public hosts, as a Host header names them
	// ("node.example", "127.0.0.2:8443"). When not empty, the request's
	// Host (which the signature covers) must be one of them, compared
	// case-insensitively with a default port (80, 443) ignored, so that a
	// request signed for another node cannot be replayed to this one
	// (ErrWrongHost). Empty: no check.
	Hosts []string
	// RequireHTTPS refuses a keyId that is not an https URL
	// (ErrBadSignature). Off, plain http keyIds are accepted as well, as
	// test federations on loopback (federation.allow_private_networks)
	// serve their actors over http.
	RequireHTTPS bool
}

// Verified is the outcome of a successful verification.
type Verified struct {
	KeyID string // the keyId of the signature
	Owner string // the actor that owns the key, as the resolver reported
}

// Verify checks req's HTTP signature against body, the exact bytes of the
// request body (nil or empty when there is none). See the package
// documentation for the rules and their order. On success the caller must
// still check that Verified.Owner is the actor of the activity.
func (v *Verifier) Verify(ctx context.Context, req *http.Request, body []byte) (*Verified, error) {
	maxBody := v.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	if int64(len(body)) > maxBody {
		return nil, fmt.Errorf("httpsig: %w: %d bytes, limit %d", ErrBodyTooLarge, len(body), maxBody)
	}
	raw, err := signatureHeader(req.Header)
	if err != nil {
		return nil, err
	}
	p, err := parseSignature(raw)
	if err != nil {
		return nil, fmt.Errorf("httpsig: %w: parsing the Signature header: %w", ErrBadSignature, err)
	}
	host := req.Host
	if host == "" && req.URL != nil {
		host = req.URL.Host
	}
	if err := checkSignedHeaders(req, host, p, body); err != nil {
		return nil, err
	}
	if err := v.checkHost(host); err != nil {
		return nil, err
	}
	if err := v.checkTime(req, p); err != nil {
		return nil, err
	}
	switch p.algorithm {
	case "", algRSASHA256, "hs2019", "ed25519":
	default:
		return nil, fmt.Errorf("httpsig: %w: unsupported algorithm %q (accepted: rsa-sha256, hs2019, ed25519)", ErrBadSignature, p.algorithm)
	}
	keyURL, err := url.Parse(p.keyID)
	if err != nil || (keyURL.Scheme != "https" && keyURL.Scheme != "http") || keyURL.Host == "" {
		return nil, fmt.Errorf("httpsig: %w: keyId %q is not an absolute http(s) URL", ErrBadSignature, clip(p.keyID))
	}
	if v.RequireHTTPS && keyURL.Scheme != "https" {
		return nil, fmt.Errorf("httpsig: %w: keyId %q is not https", ErrBadSignature, clip(p.keyID))
	}
	if v.Resolve == nil {
		return nil, fmt.Errorf("httpsig: %w: verifier has no key resolver", ErrKeyFetch)
	}

	owner, pub, err := v.resolve(ctx, keyURL, p.keyID, false)
	if err != nil {
		return nil, err
	}
	targets := requestTargets(req)
	firstErr := verifyWith(req, host, p, pub, targets)
	if firstErr == nil {
		return &Verified{KeyID: p.keyID, Owner: owner}, nil
	}
	// The key may have been rotated since it was cached: re-fetch it once.
	owner2, pub2, err := v.resolve(ctx, keyURL, p.keyID, true)
	if err != nil {
		return nil, fmt.Errorf("httpsig: %w: %w with the known key, and re-fetching it failed: %v", ErrBadSignature, firstErr, err)
	}
	if sameKey(pub, pub2) {
		return nil, fmt.Errorf("httpsig: %w: %w (key %s, unchanged after a re-fetch)", ErrBadSignature, firstErr, p.keyID)
	}
	if err := verifyWith(req, host, p, pub2, targets); err != nil {
		return nil, fmt.Errorf("httpsig: %w: %w (key %s, also after a re-fetch)", ErrBadSignature, err, p.keyID)
	}
	return &Verified{KeyID: p.keyID, Owner: owner2}, nil
}

// signatureHeader returns the one signature header value: the Signature
// header, or an "Authorization: Signature ..." header.
func signatureHeader(h http.Header) (string, error) {
	sigs := h.Values("Signature")
	var auth string
	for _, a := range h.Values("Authorization") {
		if len(a) > 10 && strings.EqualFold(a[:10], "Signature ") {
			if auth != "" {
				return "", fmt.Errorf("httpsig: %w: several Authorization: Signature headers", ErrBadSignature)
			}
			auth = a[10:]
		}
	}
	switch {
	case len(sigs) == 0 && auth == "":
		return "", fmt.Errorf("httpsig: %w: no Signature header", ErrUnsigned)
	case len(sigs) > 1 || (len(sigs) == 1 && auth != ""):
		return "", fmt.Errorf("httpsig: %w: several signatures on one request", ErrBadSignature)
	case len(sigs) == 1:
		return sigs[0], nil
	}
	return auth, nil
}

// checkSignedHeaders enforces the headers that must be signed and present,
// and checks the Digest against the body.
func checkSignedHeaders(req *http.Request, host string, p *sigParams, body []byte) error {
	var missing []string
	for _, h := range []string{hdrRequestTarget, hdrHost} {
		if !p.signs(h) {
			missing = append(missing, h)
		}
	}
	if !p.signs(hdrDate) && !p.signs(hdrCreated) {
		missing = append(missing, hdrDate)
	}
	if len(missing) > 0 {
		return fmt.Errorf("httpsig: %w: %s not signed (signed: %q)", ErrMissingHeaders, strings.Join(missing, ", "), strings.Join(p.headers, " "))
	}
	for _, h := range p.headers {
		switch h {
		case hdrRequestTarget:
		case hdrCreated, hdrExpires:
			if (h == hdrCreated && !p.hasCreated) || (h == hdrExpires && !p.hasExpires) {
				return fmt.Errorf("httpsig: %w: %s is signed but its parameter is absent", ErrBadSignature, h)
			}
		case hdrHost:
			if host == "" {
				return fmt.Errorf("httpsig: %w: signed header host is absent", ErrMissingHeaders)
			}
		default:
			if len(req.Header.Values(h)) == 0 {
				return fmt.Errorf("httpsig: %w: signed header %s is absent", ErrMissingHeaders, h)
			}
		}
	}
	digests := req.Header.Values("Digest")
	needDigest := len(body) > 0 || methodCarriesBody(req.Method)
	if needDigest && !p.signs(hdrDigest) {
		if len(digests) > 0 {
			return fmt.Errorf("httpsig: %w: %s request with a Digest header the signature does not cover", ErrDigestNotSigned, req.Method)
		}
		return fmt.Errorf("httpsig: %w: %s request with a body but no Digest header", ErrMissingHeaders, req.Method)
	}
	if p.signs(hdrDigest) || needDigest {
		return checkDigest(digests, body)
	}
	return nil
}

// checkDigest recomputes the SHA-256 of body and compares it with every
// SHA-256 entry of the Digest header (RFC 3230: "SHA-256=base64", the
// algorithm case-insensitive, several entries comma-separated). Entries of
// other algorithms are ignored, but at least one SHA-256 entry is required.
func checkDigest(values []string, body []byte) error {
	sum := sha256.Sum256(body)
	want := base64.StdEncoding.EncodeToString(sum[:])
	found := false
	var algs []string
	for _, v := range values {
		for _, entry := range strings.Split(v, ",") {
			alg, val, ok := strings.Cut(strings.TrimSpace(entry), "=")
			if !ok {
				return fmt.Errorf("httpsig: %w: malformed Digest entry %q", ErrDigestMismatch, clip(entry))
			}
			if !strings.EqualFold(alg, "SHA-256") {
				algs = append(algs, clip(alg))
				continue
			}
			if val != want {
				return fmt.Errorf("httpsig: %w: Digest SHA-256=%s, body has SHA-256=%s", ErrDigestMismatch, clip(val), want)
			}
			found = true
		}
	}
	if !found {
		if len(algs) == 0 {
			return fmt.Errorf("httpsig: %w: Digest header is signed but absent", ErrMissingHeaders)
		}
		return fmt.Errorf("httpsig: %w: Digest uses %s; only SHA-256 is accepted", ErrDigestMismatch, strings.Join(algs, ", "))
	}
	return nil
}

// checkHost refuses a request whose (signed) Host is none of v.Hosts.
func (v *Verifier) checkHost(host string) error {
	if len(v.Hosts) == 0 {
		return nil
	}
	got := normalHost(host)
	for _, h := range v.Hosts {
		if normalHost(h) == got {
			return nil
		}
	}
	return fmt.Errorf("httpsig: %w: the request is for host %q, this node is %q", ErrWrongHost, clip(host), v.Hosts)
}

// normalHost lower-cases a Host value and drops a default port (80, 443).
func normalHost(h string) string {
	h = strings.ToLower(h)
	if name, port, err := net.SplitHostPort(h); err == nil && (port == "80" || port == "443") {
		if strings.Contains(name, ":") {
			return "[" + name + "]"
		}
		return name
	}
	return h
}

// checkTime applies the window to Date, created and expires.
func (v *Verifier) checkTime(req *http.Request, p *sigParams) error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	window := v.Window
	if window <= 0 {
		window = DefaultWindow
	}
	if p.signs(hdrDate) {
		dates := req.Header.Values("Date")
		if len(dates) != 1 {
			return fmt.Errorf("httpsig: %w: %d Date headers", ErrDateWindow, len(dates))
		}
		d, err := http.ParseTime(dates[0])
		if err != nil {
			return fmt.Errorf("httpsig: %w: malformed Date %q", ErrDateWindow, clip(dates[0]))
		}
		if now.Sub(d) > window {
			return fmt.Errorf("httpsig: %w: Date %s is more than %s before now (%s)", ErrDateWindow, dates[0], window, now.UTC().Format(http.TimeFormat))
		}
		if d.Sub(now) > window {
			return fmt.Errorf("httpsig: %w: Date %s is more than %s after now (%s)", ErrDateWindow, dates[0], window, now.UTC().Format(http.TimeFormat))
		}
	}
	if p.hasCreated {
		c := time.Unix(p.created, 0)
		if c.Sub(now) > createdSkew {
			return fmt.Errorf("httpsig: %w: created %d is in the future (now %d)", ErrDateWindow, p.created, now.Unix())
		}
		if now.Sub(c) > window {
			return fmt.Errorf("httpsig: %w: created %d is more than %s before now (%d)", ErrDateWindow, p.created, window, now.Unix())
		}
	}
	if p.hasExpires && now.After(time.Unix(p.expires, 0)) {
		return fmt.Errorf("httpsig: %w: signature expired at %d (now %d)", ErrDateWindow, p.expires, now.Unix())
	}
	return nil
}

// resolve asks the resolver for the key and checks its owner's origin.
func (v *Verifier) resolve(ctx context.Context, keyURL *url.URL, keyID string, refresh bool) (string, crypto.PublicKey, error) {
	owner, pub, err := v.Resolve(ctx, keyID, refresh)
	if errors.Is(err, ErrKeyOwner) {
		// The key was found, but its owner does not vouch for it.
		return "", nil, fmt.Errorf("httpsig: key %s: %w", keyID, err)
	}
	if err != nil {
		return "", nil, fmt.Errorf("httpsig: %w: key %s (refresh=%t): %w", ErrKeyFetch, keyID, refresh, err)
	}
	if pub == nil {
		return "", nil, fmt.Errorf("httpsig: %w: key %s (refresh=%t): resolver returned no key", ErrKeyFetch, keyID, refresh)
	}
	ou, err := url.Parse(owner)
	if err != nil || owner == "" || !protocol.SameOrigin(keyURL, ou) {
		return "", nil, fmt.Errorf("httpsig: %w: key %s is owned by %q", ErrKeyOwner, keyID, owner)
	}
	return owner, pub, nil
}

// target is one candidate (request-target): escaped path and raw query.
type target struct{ path, query string }

// requestTargets lists the request targets a signer may have signed: the one
// on the wire, the same without its query string (Mastodon signs the path
// only), and the decoded-path variants (go-fed signers sign URL.Path).
func requestTargets(req *http.Request) []target {
	raw := req.RequestURI
	if !strings.HasPrefix(raw, "/") && req.URL != nil {
		raw = req.URL.RequestURI()
	}
	path, query, _ := strings.Cut(raw, "?")
	if path == "" {
		path = "/"
	}
	out := []target{{path, query}}
	if query != "" {
		out = append(out, target{path, ""})
	}
	if req.URL != nil && req.URL.Path != "" && req.URL.Path != path {
		out = append(out, target{req.URL.Path, query})
		if query != "" {
			out = append(out, target{req.URL.Path, ""})
		}
	}
	return out
}

// verifyWith checks the signature with pub against each candidate target.
func verifyWith(req *http.Request, host string, p *sigParams, pub crypto.PublicKey, targets []target) error {
	alg, err := algorithmFor(p.algorithm, pub)
	if err != nil {
		return err
	}
	h := req.Header.Clone()
	if !p.signs("authorization") {
		h.Del("Authorization")
	}
	h.Set("Signature", p.canonical())
	h.Set("Host", host)
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	var last error
	for _, t := range targets {
		r := &http.Request{Method: method, URL: &url.URL{Path: t.path, RawQuery: t.query}, Header: h, Host: host}
		gv, err := gofedsig.NewVerifier(r)
		if err != nil {
			return fmt.Errorf("go-fed refused the signature: %w", err)
		}
		if last = gv.Verify(pub, alg); last == nil {
			return nil
		}
	}
	return fmt.Errorf("signature does not verify with %s key for any of %d request targets: %w", alg, len(targets), last)
}

// algorithmFor picks the go-fed algorithm from the key type, checking that
// the declared algorithm (if any) fits it. hs2019 means "what the key says":
// RSA is RSASSA-PKCS1-v1_5 with SHA-256, as Mastodon does.
func algorithmFor(declared string, pub crypto.PublicKey) (gofedsig.Algorithm, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N == nil || k.N.BitLen() < KeyBits {
			return "", fmt.Errorf("RSA key of %d bits is below the %d-bit minimum", bitLen(k), KeyBits)
		}
		if declared == "" || declared == algRSASHA256 || declared == "hs2019" {
			return gofedsig.RSA_SHA256, nil
		}
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("Ed25519 key of %d bytes", len(k))
		}
		if declared == "" || declared == "ed25519" || declared == "hs2019" {
			return gofedsig.ED25519, nil
		}
	default:
		return "", fmt.Errorf("unsupported key type %T", pub)
	}
	return "", fmt.Errorf("algorithm %q does not fit a %T key", declared, pub)
}

func bitLen(k *rsa.PublicKey) int {
	if k.N == nil {
		return 0
	}
	return k.N.BitLen()
}

func sameKey(a, b crypto.PublicKey) bool {
	if eq, ok := a.(interface{ Equal(crypto.PublicKey) bool }); ok {
		return eq.Equal(b)
	}
	return false
}

// ClaimedKeyID returns the keyId that the request's signature header names,
// parsed as Verify parses it but checking nothing else: a claim, for
// decisions made before verification (the inbox's rate limit buckets by
// the claimed signer's host). Unsigned or malformed: an error.
func ClaimedKeyID(h http.Header) (string, error) {
	v, err := signatureHeader(h)
	if err != nil {
		return "", err
	}
	p, err := parseSignature(v)
	if err != nil {
		return "", fmt.Errorf("httpsig: %w: %v", ErrBadSignature, err)
	}
	return p.keyID, nil
}
