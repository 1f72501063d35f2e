package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Errors of Do and DoSigned; each is errors.Is-able through the wrapping,
// and the messages name the host or IP concerned.
var (
	ErrForbiddenAddress = errors.New("destination address is forbidden")
	ErrTooLarge         = errors.New("response body exceeds the size limit")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrScheme           = errors.New("URL scheme not allowed")
	ErrTimeout          = errors.New("request timed out")

	errNoHost = errors.New("URL has no host")
)

// Defaults of Options.
const (
	DefaultConnectTimeout   = 5 * time.Second
	DefaultReadTimeout      = 10 * time.Second
	DefaultTotalTimeout     = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	DefaultMaxRedirects     = 3
	DefaultMaxConnsPerHost  = 4
	DefaultUserAgent        = "interlink-node"
	maxResponseHeaderBytes  = 64 << 10
)

// Options configure a Client. Zero values take the defaults above.
type Options struct {
	// AllowPrivateNetworks lifts the guard for loopback, private, link-local
	// and CGNAT addresses (federation.allow_private_networks; test
	// federations on loopback set it). Off by default.
	AllowPrivateNetworks bool
	ConnectTimeout       time.Duration // TCP connect (each address tried)
	ReadTimeout          time.Duration // from request sent to response headers
	TotalTimeout         time.Duration // whole exchange: redirects and body included
	MaxResponseBytes     int64         // body cap, after gzip decoding
	// MaxRedirects is the number of redirect hops followed; negative
	// refuses every redirect.
	MaxRedirects int
	// UserAgent is sent when the request has none.
	UserAgent string
	// MaxConnsPerHost bounds the requests in flight to one host (scheme,
	// host and port), over HTTP/1.1 and HTTP/2 alike, and the connections
	// kept to it. A request waits for a slot within its TotalTimeout.
	MaxConnsPerHost int
	// WrapRoundTripper, when set, wraps the network transport under the
	// host limits and signing (test federations: fault injection).
	WrapRoundTripper func(http.RoundTripper) http.RoundTripper
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ConnectTimeout, DefaultConnectTimeout)
	def(&o.ReadTimeout, DefaultReadTimeout)
	def(&o.TotalTimeout, DefaultTotalTimeout)
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.MaxConnsPerHost <= 0 {
		o.MaxConnsPerHost = DefaultMaxConnsPerHost
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	return o
}

// SignFunc signs one hop of a request just before it is sent: it may set
// headers (Date, Digest, Signature) and req.Host. body is the exact body of
// that hop, nil when it has none (a 303 turns a POST into a body-less GET).
type SignFunc func(req *http.Request, body []byte) error

// Response is a fully read response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte   // at most Options.MaxResponseBytes, gzip decoded
	URL    *url.URL // the final URL, after redirects
}

// Client is the safe outbound HTTP client. It is safe for concurrent use;
// make one per node and share it.
type Client struct {
	opts      Options
	transport *http.Transport
	base      http.RoundTripper // transport, wrapped by Options.WrapRoundTripper
	limiter   *hostLimiter
}

// testHooks are seams for this package's tests only.
type testHooks struct {
	exempt    func(netip.AddrPort) bool
	tlsConfig *tls.Config
}

// New returns a Client with opts (zero fields take the defaults).
func New(opts Options) *Client { return newClient(opts, testHooks{}) }

func newClient(opts Options, hooks testHooks) *Client {
	opts = opts.withDefaults()
	g := guard{allowPrivate: opts.AllowPrivateNetworks, exempt: hooks.exempt}
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second, Control: g.control}
	tlsConf := hooks.tlsConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	t := &http.Transport{
		Proxy: nil, // a proxy would connect on our behalf, past the guard
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil && errors.Is(err, ErrForbiddenAddress) {
				return nil, fmt.Errorf("connecting to %s: %w", addr, err)
			}
			return conn, err
		},
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    opts.ConnectTimeout,
		ResponseHeaderTimeout:  opts.ReadTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxConnsPerHost:        opts.MaxConnsPerHost,
		MaxIdleConnsPerHost:    opts.MaxConnsPerHost,
		MaxIdleConns:           256,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		ForceAttemptHTTP2:      true,
	}
	var base http.RoundTripper = t
	if opts.WrapRoundTripper != nil {
		base = opts.WrapRoundTripper(t)
	}
	return &Client{opts: opts, transport: t, base: base, limiter: newHostLimiter(opts.MaxConnsPerHost)}
}

// Options returns the options in force, defaults filled in.
func (c *Client) Options() Options { return c.opts }

// CloseIdleConnections closes the kept-alive connections not in use.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// Do sends req unsigned. See DoSigned.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	return c.DoSigned(ctx, req, nil)
}

// DoSigned sends req, following up to MaxRedirects redirects, and reads the
// whole response body (up to MaxResponseBytes). When sign is not nil it is
// called for every hop just before that hop is sent. Any HTTP status is a
// Response, not an error: errors are transport failures — ErrScheme,
// ErrForbiddenAddress, ErrTooManyRedirects, ErrTooLarge, ErrTimeout, the
// caller's cancellation, network and signing errors. req is not modified;
// its body is read and closed.
func (c *Client) DoSigned(ctx context.Context, req *http.Request, sign SignFunc) (*Response, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("transport: request without URL")
	}
	where := req.Method + " " + req.URL.Redacted()
	if req.Method == "" {
		where = "GET " + req.URL.Redacted()
	}
	if err := checkURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("transport: %s: %w", where, err)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("transport: %s: reading the request body: %w", where, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.TotalTimeout)
	defer cancel()
	r := req.Clone(ctx)
	r.Body, r.GetBody, r.ContentLength = nil, nil, 0
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", c.opts.UserAgent)
	}
	hc := &http.Client{
		Transport:     &limitedRoundTripper{base: c.base, limiter: c.limiter, sign: sign, body: body},
		CheckRedirect: c.checkRedirect,
	}
	resp, err := hc.Do(r)
	if err != nil {
		return nil, fmt.Errorf("transport: %s: %w", where, markTimeout(quietURL(err)))
	}
	defer resp.Body.Close()
	limit := c.opts.MaxResponseBytes
	final := resp.Request.URL
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("transport: %s: %w: %s announces %d bytes, limit %d", where, ErrTooLarge, final.Host, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("transport: %s: reading the response from %s: %w", where, final.Host, markTimeout(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("transport: %s: %w: %s sent more than %d bytes", where, ErrTooLarge, final.Host, limit)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, URL: final}, nil
}

// checkRedirect re-checks each hop: count, scheme, no downgrade. The
// address is re-checked by the guard when the hop is dialled.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if c.opts.MaxRedirects < 0 || len(via) > c.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d, the last to %s", ErrTooManyRedirects, max(c.opts.MaxRedirects, 0), req.URL.Redacted())
	}
	if err := checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	if prev := via[len(via)-1].URL; strings.EqualFold(prev.Scheme, "https") && strings.EqualFold(req.URL.Scheme, "http") {
		return fmt.Errorf("%w: redirect from https://%s down to http://%s", ErrScheme, prev.Host, req.URL.Host)
	}
	return nil
}

// checkURL accepts absolute http and https URLs with a host.
func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return fmt.Errorf("%w: %q in %s (only http and https)", ErrScheme, u.Scheme, u.Redacted())
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: %s", errNoHost, u.Redacted())
	}
	return nil
}

// markTimeout marks timeouts with ErrTimeout; other errors pass unchanged.
func markTimeout(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// urlQuiet is a *url.Error that prints only its cause: the transport's own
// message names the method and URL already ("transport: GET https://…: "),
// and net/http's would repeat them (`Get "https://…": `). Errors.As and
// errors.Is still reach the *url.Error and what it wraps.
type urlQuiet struct{ ue *url.Error }

func (q urlQuiet) Error() string { return q.ue.Err.Error() }
func (q urlQuiet) Unwrap() error { return q.ue }

// Timeout keeps the net.Error view of the *url.Error.
func (q urlQuiet) Timeout() bool { return q.ue.Timeout() }

func quietURL(err error) error {
	if ue, ok := err.(*url.Error); ok && ue.Err != nil {
		return urlQuiet{ue}
	}
	return err
}
