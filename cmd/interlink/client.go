package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
)

// Timeouts of the HTTP client. Ordinary calls are bounded as a whole by
// callTimeout; streaming calls (backup, restore, export) are bounded by the
// transport's connect and header timeouts and by the user's patience (^C).
const (
	dialTimeout        = 5 * time.Second
	tlsTimeout         = 10 * time.Second
	callTimeout        = 60 * time.Second
	maxErrorBody       = 1 << 20  // bytes of an error answer read
	maxJSONAnswer      = 64 << 20 // bytes of a JSON answer read into memory
	apiPrefix          = "/api/v1"
	mediaJSON          = "application/json"
	mediaProblem       = "application/problem+json"
	mediaOctetStream   = "application/octet-stream"
	mediaYAML          = "application/yaml"
	mediaJSONLD        = "application/ld+json"
	unknownLength      = -1
	connectionAdvice   = "(set --server or " + envServer + ")"
	serveNotRunningFmt = "cannot reach the node at %s: is `interlink serve` running? " + connectionAdvice
)

// client talks to a running node over its HTTP API.
type client struct {
	s  *settings
	hc *http.Client
}

func newHTTPClient(s *settings) *client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   tlsTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	return &client{s: s, hc: &http.Client{Transport: tr}}
}

// close releases the client's idle connections.
func (c *client) close() { c.hc.CloseIdleConnections() }

// request describes one API call.
type request struct {
	method        string
	path          string // under /api/v1, starting with "/", segments escaped
	query         url.Values
	body          io.Reader
	contentType   string
	contentLength int64 // unknownLength when not known
	accept        string
	// expectContinue asks the node to accept the request before the body
	// is sent (large uploads that the node may refuse, e.g. for the token).
	expectContinue bool
}

// url returns the absolute URL of path (escaped, as url.PathEscape makes
// its segments) under the API prefix.
func (c *client) url(path string, query url.Values) string {
	u := *c.s.server
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		unescaped = path
	}
	u.RawPath = u.EscapedPath() + apiPrefix + path
	u.Path = u.Path + apiPrefix + unescaped
	u.RawQuery = query.Encode()
	return u.String()
}

// open sends r and returns the response of a successful (2xx) call; the
// caller closes its body. A failed call returns an error that wraps an
// *api.Problem, or an error
// that says how to reach the node.
func (c *client) open(ctx context.Context, r request) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, c.url(r.path, r.query), r.body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s%s: %w", r.method, apiPrefix, r.path, err)
	}
	if r.body != nil {
		req.ContentLength = r.contentLength
		if r.contentLength == unknownLength {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", r.contentType)
		if r.expectContinue {
			req.Header.Set("Expect", "100-continue")
		}
	}
	accept := r.accept
	if accept == "" {
		accept = mediaJSON
	}
	req.Header.Set("Accept", accept+", "+mediaProblem)
	req.Header.Set("User-Agent", userAgent())
	if c.s.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.s.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, c.answerError(r, resp)
}

// call sends r with a time limit and decodes a JSON answer into out (which
// may be nil, or a *[]byte to get the raw body).
func (c *client) call(ctx context.Context, r request, out any) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	resp, err := c.open(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONAnswer+1))
	if err != nil {
		return fmt.Errorf("read the answer of %s %s%s: %w", r.method, apiPrefix, r.path, c.transportError(ctx, err))
	}
	if len(body) > maxJSONAnswer {
		return fmt.Errorf("the answer of %s %s%s is larger than %d MiB", r.method, apiPrefix, r.path, maxJSONAnswer>>20)
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = body
		return nil
	default:
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("decode the answer of %s %s%s: %w (is %s an interlink node?)",
				r.method, apiPrefix, r.path, err, c.s.server)
		}
		return nil
	}
}

// callJSON sends in as a JSON body and decodes the answer into out.
func (c *client) callJSON(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode the body of %s %s%s: %w", method, apiPrefix, path, err)
	}
	return c.call(ctx, request{method: method, path: path, body: bytes.NewReader(body),
		contentType: mediaJSON, contentLength: int64(len(body))}, out)
}

// transportError explains a failure to talk to the node at all.
func (c *client) transportError(ctx context.Context, err error) error {
	if cerr := context.Cause(ctx); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			return fmt.Errorf("the node at %s did not answer within %s: %w", c.s.server, callTimeout, err)
		}
		return fmt.Errorf("interrupted: %w", cerr)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf(serveNotRunningFmt, c.s.server)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot reach the node at %s: cannot resolve %q %s", c.s.server, dnsErr.Name, connectionAdvice)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Errorf("cannot reach the node at %s: it does not answer (%v): is `interlink serve` running? %s",
			c.s.server, err, connectionAdvice)
	}
	return fmt.Errorf("cannot reach the node at %s: %w %s", c.s.server, err, connectionAdvice)
}

// hintedError is a problem answer with what the CLI tells the user to do
// about it; errors.As finds the *api.Problem underneath.
type hintedError struct {
	hint    string
	problem *api.Problem
}

// Error is one line: the hint, then the problem's title, HTTP status and
// detail.
func (e *hintedError) Error() string { return e.hint + ": " + e.problem.Error() }

func (e *hintedError) Unwrap() error { return e.problem }

// answerError turns a non-2xx answer into an *api.Problem (built from the
// status and the text of an answer that is not a problem), wrapped with a
// hint when the CLI knows what to do about it.
func (c *client) answerError(r request, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	p := &api.Problem{}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	decoded := false
	if mt == mediaProblem || mt == mediaJSON {
		decoded = json.Unmarshal(body, p) == nil && (p.Title != "" || p.Detail != "" || p.Type != "")
	}
	if !decoded {
		p = &api.Problem{Title: http.StatusText(resp.StatusCode)}
		if text := strings.TrimSpace(string(body)); text != "" {
			if len(text) > 300 {
				text = text[:300] + "…"
			}
			p.Detail = text
		}
	}
	p.Status = resp.StatusCode
	if p.Instance == "" {
		p.Instance = apiPrefix + r.path
	}
	hint := ""
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		switch {
		case c.s.token != "" && c.s.tokenSource != "" && c.s.tokenSource != c.s.credPath:
			hint = fmt.Sprintf("the node refused the token from %s: check it, or pass another with --token", c.s.tokenSource)
		case c.s.token != "":
			hint = "the node refused the token: pass --token or check " + c.s.credPath
		case c.s.credErr != nil:
			hint = fmt.Sprintf("the node asks for a token and %v: pass --token or check %s", c.s.credErr, c.s.credPath)
		default:
			hint = "the node asks for a token and none was found: pass --token or check " + c.s.credPath
		}
	case http.StatusForbidden:
		hint = "the token's role may not do this: pass --token with a token of the role it needs"
	case http.StatusNotFound:
		if p.Name() == "" && !decoded {
			hint = fmt.Sprintf("%s does not serve %s%s: is it an interlink node? %s", c.s.server, apiPrefix, r.path, connectionAdvice)
		}
	case http.StatusRequestEntityTooLarge:
		hint = "the node refuses a body this large: raise its api.body_limit setting"
	case http.StatusServiceUnavailable:
		if p.Name() == "not-ready" {
			hint = "the node is starting or rebuilding its index: try again in a moment"
		}
	}
	if hint != "" {
		return &hintedError{hint: hint, problem: p}
	}
	return p
}

// formatError renders err for people: the message, then each invalid field
// and the request id of a problem answer.
func formatError(err error) string {
	var b strings.Builder
	b.WriteString("Error: ")
	b.WriteString(err.Error())
	var p *api.Problem
	if errors.As(err, &p) {
		for _, fe := range p.Errors {
			fmt.Fprintf(&b, "\n  - %s [%s]: %s", fe.Field, fe.Rule, fe.Message)
		}
		if p.RequestID != "" {
			fmt.Fprintf(&b, "\n  request id: %s", p.RequestID)
		}
	}
	return b.String()
}
