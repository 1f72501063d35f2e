package oidc

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
)

// ClientSecret is the client secret the node authenticates to the
// provider with. Printing, formatting, logging or marshalling it shows
// "[redacted]"; Reveal gives the value, for the token request only.
type ClientSecret string

const redacted = "[redacted]"

// String hides the secret.
func (ClientSecret) String() string { return redacted }

// GoString hides the secret (for %#v).
func (ClientSecret) GoString() string { return "oidc.ClientSecret(" + redacted + ")" }

// LogValue hides the secret.
func (ClientSecret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText hides the secret from encoders (JSON, YAML, ...).
func (ClientSecret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the secret itself.
func (s ClientSecret) Reveal() string { return string(s) }

// RoleMapping maps the values of one claim to a role.
type RoleMapping struct {
	// Claim names the claim that carries groups or roles ("groups",
	// "roles", "realm_access.roles"); empty: every person gets Default.
	Claim string
	// Admin, Editor and Reader are the claim values that give each role;
	// the highest role any value gives wins.
	Admin, Editor, Reader []string
	// Default is the role of a person none of whose values maps; empty:
	// such a person is refused (ErrUnmapped).
	Default accounts.Role
}

// Config configures the relying party. Issuer, ClientID and RedirectURL are
// required; the other fields have defaults.
type Config struct {
	// Issuer is the provider's issuer URL: https, or http on a loopback
	// address (tests).
	Issuer       string
	ClientID     string
	ClientSecret ClientSecret
	// RedirectURL is the node's callback, registered at the provider
	// (PUBLIC_URL/login/oidc/callback).
	RedirectURL string
	// Scopes requested; openid is always requested (default openid,
	// profile, email).
	Scopes []string
	// ProviderName is what the sign-in button names (default: the
	// issuer's host).
	ProviderName string
	Roles        RoleMapping
	// UsernameClaim gives the wished-for username (default
	// preferred_username; the subject when absent); DisplayNameClaim the
	// display name (default name).
	UsernameClaim    string
	DisplayNameClaim string

	// FlowLifetime is how long a started sign-in may take at the provider
	// (default 10 min); MaxFlows bounds the flows kept at once (default
	// 10,000; the oldest is dropped).
	FlowLifetime time.Duration
	MaxFlows     int

	HTTPClient *http.Client     // talks to the provider; default: 15 s timeout
	Now        func() time.Time // default time.Now
	Rand       io.Reader        // default crypto/rand.Reader
	Logger     *slog.Logger     // default: discard
}

// LogValue logs the configuration without the client secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("issuer", c.Issuer), slog.String("client_id", c.ClientID),
		slog.String("client_secret", redacted), slog.String("redirect_url", c.RedirectURL),
		slog.Any("scopes", c.Scopes), slog.String("role_claim", c.Roles.Claim))
}

// String shows the configuration without the client secret.
func (c Config) String() string { return c.LogValue().String() }

// GoString is String (for %#v).
func (c Config) GoString() string { return c.String() }

// Defaults of Config.
const (
	DefaultFlowLifetime     = 10 * time.Minute
	DefaultMaxFlows         = 10000
	DefaultUsernameClaim    = "preferred_username"
	DefaultDisplayNameClaim = "name"
)

// DefaultScopes are requested when Config.Scopes is empty.
var DefaultScopes = []string{"openid", "profile", "email"}

// CheckIssuer reports why issuer cannot be a provider's issuer URL: it
// must be an absolute https URL without query or fragment, or http on a
// loopback address (127.0.0.0/8, ::1: a provider started by a test).
func CheckIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", issuer)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q must be an absolute URL without user, query or fragment", issuer)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http":
		ip := net.ParseIP(u.Hostname())
		if ip != nil && ip.IsLoopback() {
			return nil
		}
		return fmt.Errorf("%q must use https (plain http only on a loopback address, for tests)", issuer)
	}
	return fmt.Errorf("%q must use https", issuer)
}

// check fills the defaults and checks the fields.
func (c *Config) check() error {
	var errs []error
	if err := CheckIssuer(c.Issuer); err != nil {
		errs = append(errs, fmt.Errorf("issuer: %w", err))
	}
	if strings.TrimSpace(c.ClientID) == "" {
		errs = append(errs, errors.New("client_id: is required"))
	}
	if u, err := url.Parse(c.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("redirect URL %q: is not an absolute http(s) URL", c.RedirectURL))
	}
	if c.Roles.Default != "" {
		if _, err := accounts.ParseRole(string(c.Roles.Default)); err != nil {
			errs = append(errs, fmt.Errorf("default role: %w", err))
		}
	}
	if c.Roles.Claim == "" && c.Roles.Default == "" {
		errs = append(errs, errors.New("roles: no role claim and no default role: nobody could sign in"))
	}
	if len(c.Scopes) == 0 {
		c.Scopes = slices.Clone(DefaultScopes)
	} else if !slices.Contains(c.Scopes, "openid") {
		c.Scopes = append([]string{"openid"}, c.Scopes...)
	}
	if c.UsernameClaim == "" {
		c.UsernameClaim = DefaultUsernameClaim
	}
	if c.DisplayNameClaim == "" {
		c.DisplayNameClaim = DefaultDisplayNameClaim
	}
	if c.ProviderName == "" {
		if u, err := url.Parse(c.Issuer); err == nil {
			c.ProviderName = u.Hostname()
		}
	}
	if c.FlowLifetime <= 0 {
		c.FlowLifetime = DefaultFlowLifetime
	}
	if c.MaxFlows <= 0 {
		c.MaxFlows = DefaultMaxFlows
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return errors.Join(errs...)
}
