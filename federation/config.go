package federation

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Follow policies.
const (
	PolicyOpen    = "open"    // accept every follow that passes the domain lists
	PolicyTrusted = "trusted" // accept follows from nodes the trust layer vouches for
	PolicyManual  = "manual"  // hold follows for an administrator to approve or reject
)

// Config is the federation section of the node's configuration.
type Config struct {
	// FollowPolicy decides incoming follows: open, trusted or manual.
	// Default manual: a public administration decides which peers it
	// pushes to (every object stays publicly readable either way).
	FollowPolicy string `yaml:"follow_policy"`
	// AllowDomains, when not empty, is the only set of hosts the node
	// federates with (allowlist mode). Entries are host names; "*.gov.it"
	// matches every subdomain of gov.it (not gov.it itself).
	AllowDomains []string `yaml:"allow_domains"`
	// BlockDomains are hosts the node never federates with.
	BlockDomains []string `yaml:"block_domains"`
	// AllowPrivateNetworks lets outbound requests reach loopback, link-local
	// and private addresses. Off by default (SSRF guard); test federations
	// on one machine turn it on.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// PreferredUsername is the actor's user name (acct:NAME@host).
	PreferredUsername string `yaml:"username"`
	// DeliveryWorkers is how many deliveries run at once.
	DeliveryWorkers int `yaml:"delivery_workers"`
	// HostConcurrency bounds concurrent requests to one host.
	HostConcurrency int `yaml:"host_concurrency"`
	// MaxDeliveryAge is how long an activity is retried before it goes to
	// the dead-letter list.
	MaxDeliveryAge time.Duration `yaml:"max_delivery_age"`
	// RetryBase and RetryMax bound the exponential backoff.
	RetryBase time.Duration `yaml:"retry_base"`
	RetryMax  time.Duration `yaml:"retry_max"`
	// BreakerFailures consecutive failures open a host's circuit for
	// BreakerCooldown.
	BreakerFailures int           `yaml:"breaker_failures"`
	BreakerCooldown time.Duration `yaml:"breaker_cooldown"`
	// DateWindow is the accepted skew of a signed request's Date.
	DateWindow time.Duration `yaml:"date_window"`
	// InboxRate and InboxBurst bound the POSTs one network address may
	// make to the inboxes: a sustained rate per second and a burst (a
	// flood is answered 429 with Retry-After before anything is parsed or
	// verified). InboxRate 0 turns the limit off.
	InboxRate  int `yaml:"inbox_rate"`
	InboxBurst int `yaml:"inbox_burst"`
	// AuthorizedFetch requires a valid HTTP signature, by a signer the
	// domain lists allow, on every GET of an ActivityPub document but the
	// actor (its key is a fragment of it) and discovery (WebFinger,
	// NodeInfo, the OpenID Federation documents): Mastodon's
	// AUTHORIZED_FETCH. Off, signed and unsigned GETs are answered alike
	// (the catalogue is public).
	AuthorizedFetch bool `yaml:"authorized_fetch"`
}

// Defaults are the federation defaults.
func Defaults() Config {
	return Config{
		FollowPolicy:      PolicyManual,
		PreferredUsername: "catalogue",
		DeliveryWorkers:   8,
		HostConcurrency:   4,
		MaxDeliveryAge:    48 * time.Hour,
		RetryBase:         2 * time.Second,
		RetryMax:          time.Hour,
		BreakerFailures:   5,
		BreakerCooldown:   time.Minute,
		DateWindow:        time.Hour,
		InboxRate:         200,
		InboxBurst:        2000,
	}
}

// Validate checks the configuration; errors name the setting.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("setting federation.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch c.FollowPolicy {
	case PolicyOpen, PolicyTrusted, PolicyManual:
	default:
		bad("follow_policy", "%q is not one of open, trusted, manual", c.FollowPolicy)
	}
	for i, d := range c.AllowDomains {
		if !validDomainPattern(d) {
			bad("allow_domains", "entry %d (%q) is not a host name or *.domain", i, d)
		}
	}
	for i, d := range c.BlockDomains {
		if !validDomainPattern(d) {
			bad("block_domains", "entry %d (%q) is not a host name or *.domain", i, d)
		}
	}
	if c.PreferredUsername == "" || strings.ContainsAny(c.PreferredUsername, "@:/ ") {
		bad("username", "%q must be a non-empty name without @, :, / or spaces", c.PreferredUsername)
	}
	if c.DeliveryWorkers < 1 || c.DeliveryWorkers > 256 {
		bad("delivery_workers", "must be 1-256")
	}
	if c.HostConcurrency < 1 {
		bad("host_concurrency", "must be at least 1")
	}
	if c.MaxDeliveryAge < time.Minute {
		bad("max_delivery_age", "must be at least 1m")
	}
	if c.RetryBase <= 0 || c.RetryMax < c.RetryBase {
		bad("retry_base", "must be positive and at most retry_max")
	}
	if c.BreakerFailures < 1 || c.BreakerCooldown <= 0 {
		bad("breaker_failures", "breaker_failures and breaker_cooldown must be positive")
	}
	if c.DateWindow < time.Minute {
		bad("date_window", "must be at least 1m")
	}
	if c.InboxRate < 0 || c.InboxRate > 0 && c.InboxBurst < 1 {
		bad("inbox_rate", "inbox_rate must be 0 (off) or positive, with inbox_burst at least 1")
	}
	return errors.Join(errs...)
}

func validDomainPattern(d string) bool {
	d = strings.TrimPrefix(d, "*.")
	if d == "" || len(d) > 253 || d != strings.ToLower(d) || strings.HasSuffix(d, ".") {
		return false
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == ':') {
			return false
		}
	}
	return true
}

// hostAllowed applies the allow and block lists to a host name (no port),
// compared in lower case without a trailing dot.
func (c *Config) hostAllowed(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	match := func(pattern string) bool {
		if rest, ok := strings.CutPrefix(pattern, "*."); ok {
			return strings.HasSuffix(host, "."+rest)
		}
		return host == pattern
	}
	for _, b := range c.BlockDomains {
		if match(b) {
			return false
		}
	}
	if len(c.AllowDomains) == 0 {
		return true
	}
	for _, a := range c.AllowDomains {
		if match(a) {
			return true
		}
	}
	return false
}
