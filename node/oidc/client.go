package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/protocol"
)

// Errors of a sign-in; each is what a page explains to the person.
var (
	// ErrProvider: the provider cannot be reached or its discovery
	// document is unusable.
	ErrProvider = errors.New("oidc: the identity provider is unavailable")
	// ErrState: the callback names no flow started in this browser, the
	// flow expired or was used already, or its state does not match.
	ErrState = errors.New("oidc: the sign-in was not started here, expired or was already used")
	// ErrDenied: the provider answered the callback with an error
	// (the person cancelled, or the provider refused).
	ErrDenied = errors.New("oidc: the identity provider did not sign the person in")
	// ErrExchange: the provider refused the code (replayed, expired, or the
	// PKCE verifier does not match).
	ErrExchange = errors.New("oidc: the identity provider refused the authorization code")
	// ErrToken: the id_token is missing or invalid (signature, issuer,
	// audience, expiry).
	ErrToken = errors.New("oidc: the id_token is invalid")
	// ErrNonce: the id_token's nonce is not this flow's.
	ErrNonce = errors.New("oidc: the id_token's nonce does not match")
)

// Client is the relying party: it starts and finishes sign-ins. Safe for
// concurrent use.
type Client struct {
	cfg   Config
	log   *slog.Logger
	flows *flows

	mu       sync.Mutex
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	oauth    oauth2.Config
	lastTry  time.Time
	lastErr  error
}

// retryDiscovery is how long a failed discovery is not tried again.
const retryDiscovery = 10 * time.Second

// New returns the relying party; it reaches the provider only at the first
// sign-in.
func New(cfg Config) (*Client, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return &Client{cfg: cfg, log: cfg.Logger.With("component", "oidc"), flows: newFlows(cfg.MaxFlows)}, nil
}

// ProviderName is what the sign-in button names.
func (c *Client) ProviderName() string { return c.cfg.ProviderName }

// FlowLifetime is how long a started sign-in lasts (the flow cookie's
// Max-Age).
func (c *Client) FlowLifetime() time.Duration { return c.cfg.FlowLifetime }

// discover returns the provider, fetching its discovery document once.
func (c *Client) discover(ctx context.Context) (*gooidc.Provider, *gooidc.IDTokenVerifier, oauth2.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, c.verifier, c.oauth, nil
	}
	now := c.cfg.Now()
	if c.lastErr != nil && now.Sub(c.lastTry) < retryDiscovery {
		return nil, nil, oauth2.Config{}, c.lastErr
	}
	c.lastTry = now
	hc := gooidc.ClientContext(ctx, c.cfg.HTTPClient)
	p, err := gooidc.NewProvider(hc, c.cfg.Issuer)
	if err != nil {
		c.lastErr = fmt.Errorf("%w: discovery at %s: %v", ErrProvider, c.cfg.Issuer, err)
		c.log.Warn("identity provider discovery failed", "issuer", c.cfg.Issuer, "error", err)
		return nil, nil, oauth2.Config{}, c.lastErr
	}
	c.provider, c.lastErr = p, nil
	// The key set outlives the request: it fetches with the configured
	// client, not the request's context.
	c.verifier = p.VerifierContext(gooidc.ClientContext(context.Background(), c.cfg.HTTPClient),
		&gooidc.Config{ClientID: c.cfg.ClientID, Now: c.cfg.Now})
	c.oauth = oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret.Reveal(),
		Endpoint: p.Endpoint(), RedirectURL: c.cfg.RedirectURL, Scopes: c.cfg.Scopes}
	c.log.Info("identity provider discovered", "issuer", c.cfg.Issuer)
	return c.provider, c.verifier, c.oauth, nil
}

// Flow is a started sign-in: the page keeps ID in a cookie and sends the
// browser to AuthURL.
type Flow struct {
	ID      string
	AuthURL string
}

func (c *Client) random() (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(c.cfg.Rand, b[:]); err != nil {
		return "", fmt.Errorf("oidc: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Start begins a sign-in that returns to next (a local path) when done.
func (c *Client) Start(ctx context.Context, next string) (Flow, error) {
	_, _, oc, err := c.discover(ctx)
	if err != nil {
		return Flow{}, err
	}
	f := &flow{next: next, expires: c.cfg.Now().Add(c.cfg.FlowLifetime)}
	for _, p := range []*string{&f.id, &f.state, &f.nonce} {
		if *p, err = c.random(); err != nil {
			return Flow{}, err
		}
	}
	if f.verifier, err = c.random(); err != nil { // 43 characters: RFC 7636 allows 43-128
		return Flow{}, err
	}
	if dropped := c.flows.put(f, c.cfg.Now()); dropped > 0 {
		c.log.Warn("too many sign-ins in progress: the oldest were dropped", "dropped", dropped, "max", c.cfg.MaxFlows)
	}
	u := oc.AuthCodeURL(f.state, gooidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier))
	return Flow{ID: f.id, AuthURL: u}, nil
}

// Result is a finished sign-in: who the provider vouched for, and the
// local path to return to. With ErrUnmapped, Identity has the verified
// Issuer and Subject only (no role).
type Result struct {
	Identity accounts.ExternalIdentity
	Next     string
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// Finish completes the sign-in of flowID (the cookie) with the callback's
// query (state, code, or error). The flow is used up whatever happens.
func (c *Client) Finish(ctx context.Context, flowID string, q url.Values) (Result, error) {
	f, ok := c.flows.take(flowID, c.cfg.Now())
	if !ok || !equal(q.Get("state"), f.state) {
		return Result{}, ErrState
	}
	res := Result{Next: f.next}
	if e := q.Get("error"); e != "" {
		return res, fmt.Errorf("%w: %s", ErrDenied, protocol.Clip(e, 64))
	}
	code := q.Get("code")
	if code == "" {
		return res, fmt.Errorf("%w: the callback carries no code", ErrDenied)
	}
	p, verifier, oc, err := c.discover(ctx)
	if err != nil {
		return res, err
	}
	hctx := gooidc.ClientContext(ctx, c.cfg.HTTPClient)
	tok, err := oc.Exchange(hctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return res, fmt.Errorf("%w: %s %s", ErrExchange, protocol.Clip(re.ErrorCode, 64), protocol.Clip(re.ErrorDescription, 200))
		}
		return res, fmt.Errorf("%w: the token request failed", ErrProvider)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return res, fmt.Errorf("%w: the token response has no id_token", ErrToken)
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return res, fmt.Errorf("%w: %v", ErrToken, err)
	}
	if !equal(idt.Nonce, f.nonce) {
		return res, ErrNonce
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return res, fmt.Errorf("%w: at_hash: %v", ErrToken, err)
		}
	}
	var rawClaims json.RawMessage
	if err := idt.Claims(&rawClaims); err != nil {
		return res, fmt.Errorf("%w: %v", ErrToken, err)
	}
	claims, err := ParseClaims(rawClaims)
	if err != nil {
		return res, fmt.Errorf("%w: %v", ErrToken, err)
	}
	c.userInfo(hctx, p, tok, idt.Subject, claims)
	res.Identity = accounts.ExternalIdentity{Issuer: idt.Issuer, Subject: idt.Subject}
	role, err := c.cfg.Roles.Role(claims)
	if err != nil {
		c.log.Info("sign-in refused: no role maps", "issuer", idt.Issuer, "subject", protocol.Clip(idt.Subject, 80),
			"claim", c.cfg.Roles.Claim, "values", len(claims.Values(c.cfg.Roles.Claim)))
		return res, err // with the verified issuer and subject: their account's sessions end
	}
	username := claims.String(c.cfg.UsernameClaim)
	if username == "" {
		username = idt.Subject
	}
	display := claims.String(c.cfg.DisplayNameClaim)
	if display == "" {
		display = username
	}
	res.Identity = accounts.ExternalIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Username: username,
		DisplayName: display, Role: role}
	return res, nil
}

// userInfo completes claims with the userinfo endpoint's (providers often
// put groups and profile claims there only); its subject must be the
// id_token's. A failure is logged: the id_token's claims stand.
func (c *Client) userInfo(ctx context.Context, p *gooidc.Provider, tok *oauth2.Token, subject string, claims Claims) {
	if p.UserInfoEndpoint() == "" || tok.AccessToken == "" {
		return
	}
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		c.log.Warn("userinfo request failed; the id_token's claims are used alone", "error", err)
		return
	}
	if ui.Subject != subject {
		c.log.Warn("userinfo names another subject than the id_token; ignored")
		return
	}
	var raw json.RawMessage
	if err := ui.Claims(&raw); err != nil {
		return
	}
	more, err := ParseClaims(raw)
	if err != nil {
		c.log.Warn("userinfo claims unreadable; ignored", "error", err)
		return
	}
	claims.merge(more)
}
