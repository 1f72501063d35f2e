package httpsig

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gofedsig "github.com/go-fed/httpsig"
)

// Signer signs outgoing requests as one actor. KeyID is the actor's key id,
// "{actor}#main-key" (protocol.URIs.KeyID), and Key its RSA private key. A
// Signer is safe for concurrent use.
type Signer struct {
	KeyID string
	Key   *rsa.PrivateKey
}

// Names of the signed headers, as they appear in the Signature's "headers".
const (
	hdrRequestTarget = gofedsig.RequestTarget // "(request-target)"
	hdrCreated       = "(created)"
	hdrExpires       = "(expires)"
	hdrHost          = "host"
	hdrDate          = "date"
	hdrDigest        = "digest"
)

// algRSASHA256 is the algorithm parameter Mastodon documents and sends.
const algRSASHA256 = "rsa-sha256"

// SignRequest signs req at time now: it sets Date (RFC 1123, GMT), Digest
// (SHA-256 of body) when the request carries a body or is a POST, PUT or
// PATCH, and Signature over "(request-target) host date [digest]" with
// algorithm="rsa-sha256". Any Signature or Digest header already present (a
// previous hop's, for instance) is replaced. body must be the exact bytes
// that will be sent. The signed host is req.Host, or req.URL.Host when that
// is empty (it includes the port when the URL has one), and req.Host is set
// to it so that the Host line on the wire is the one signed. The request
// target is the escaped path and query exactly as they go on the wire.
func (s *Signer) SignRequest(req *http.Request, body []byte, now time.Time) error {
	if s == nil || s.Key == nil || s.KeyID == "" {
		return errors.New("httpsig: signing a request: signer has no key or key id")
	}
	if req == nil || req.URL == nil {
		return errors.New("httpsig: signing a request: request has no URL")
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if host == "" {
		return fmt.Errorf("httpsig: signing %s %s: request has no host", req.Method, req.URL.Redacted())
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Host = host
	req.Header.Del("Signature")
	req.Header.Del("Digest")
	req.Header.Set("Date", now.UTC().Format(http.TimeFormat))

	headers := []string{hdrRequestTarget, hdrHost, hdrDate}
	if len(body) > 0 || methodCarriesBody(req.Method) {
		headers = append(headers, hdrDigest)
		if body == nil {
			body = []byte{} // go-fed adds a Digest only for a non-nil body
		}
	} else {
		body = nil
	}
	signer, _, err := gofedsig.NewSigner([]gofedsig.Algorithm{gofedsig.RSA_SHA256}, gofedsig.DigestSha256,
		headers, gofedsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("httpsig: signing %s %s: creating the go-fed signer: %w", req.Method, req.URL.Redacted(), err)
	}
	// go-fed reads the target from URL.Path, which is the decoded path: hand it
	// the escaped form that actually goes on the wire, and the Host, which the
	// Go client keeps outside the header map, as a header for the duration.
	path, query := wireTarget(req.URL)
	target := &http.Request{Method: req.Method, URL: &url.URL{Path: path, RawQuery: query}, Header: req.Header}
	req.Header.Set("Host", host)
	err = signer.SignRequest(s.Key, s.KeyID, target, body)
	req.Header.Del("Host")
	if err != nil {
		return fmt.Errorf("httpsig: signing %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	sig := req.Header.Get("Signature")
	const goFedAlg = `algorithm="hs2019"`
	if !strings.Contains(sig, goFedAlg) {
		return fmt.Errorf("httpsig: signing %s %s: unexpected go-fed Signature header %q", req.Method, req.URL.Redacted(), sig)
	}
	req.Header.Set("Signature", strings.Replace(sig, goFedAlg, `algorithm="`+algRSASHA256+`"`, 1))
	return nil
}

// methodCarriesBody reports whether requests of this method are expected to
// carry a body, and so a signed Digest even when the body is empty (Mastodon
// requires a signed Digest on every POST).
func methodCarriesBody(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// wireTarget returns the escaped path ("/" when empty) and the raw query of
// u, as a Go client writes them in the request line.
func wireTarget(u *url.URL) (path, query string) {
	path, query, _ = strings.Cut(u.RequestURI(), "?")
	if path == "" {
		path = "/"
	}
	return path, query
}
