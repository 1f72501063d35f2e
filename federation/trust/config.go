package trust

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// Roles a node plays in the federation's trust hierarchy.
const (
	RoleLeaf         = "leaf"         // an organisation's node
	RoleIntermediate = "intermediate" // vouches for subordinates, under a superior (e.g. a municipality for its civic groups)
	RoleAnchor       = "anchor"       // a trust anchor (e.g. a national digital agency)
)

// Unverified-object policies.
const (
	UnverifiedAuto   = "auto"   // refuse when at least one anchor is pinned, accept otherwise
	UnverifiedAccept = "accept" // store objects without a trusted chain, marked unverified
	UnverifiedRefuse = "refuse" // refuse every object whose signers lack a trusted chain
)

// Config is the trust section of the node's configuration.
type Config struct {
	// Role is this node's role when no administrator has set one with
	// `interlink anchor init` (a stored setting that wins).
	Role string `yaml:"role"`
	// AuthorityHints are the superiors (anchor or intermediate entity ids)
	// that vouch for this node, at most 4.
	AuthorityHints []string `yaml:"authority_hints"`
	// Anchors are the pinned trust anchors: the node's own country's and
	// the foreign ones it recognises. A pin is an entity id and the
	// thumbprints of its federation keys; an anchor's self-published keys
	// are never trusted without one.
	Anchors []trustchain.Anchor `yaml:"anchors"`
	// Unverified decides about received objects whose signatures verify
	// but whose signers have no chain to a pinned anchor: auto, accept or
	// refuse.
	Unverified string `yaml:"unverified"`
	// StatementTTL is the lifetime of the entity configuration and of the
	// subordinate statements this node issues (at most 24 h).
	StatementTTL time.Duration `yaml:"statement_ttl"`
	// ObjectTTL is how long a signed object version is valid; the node
	// re-signs its objects ResignBefore their expiry.
	ObjectTTL    time.Duration `yaml:"object_ttl"`
	ResignBefore time.Duration `yaml:"resign_before"`
	// ClockSkew is how far in the future an iat may lie.
	ClockSkew time.Duration `yaml:"clock_skew"`
	// ReverifyInterval is how often the node polls its authorities'
	// denylists and judges again the stored objects of signers whose chain
	// changed (revoked, or enrolled since).
	ReverifyInterval time.Duration `yaml:"reverify_interval"`
}

// Defaults are the trust defaults.
func Defaults() Config {
	return Config{
		Role:         RoleLeaf,
		Unverified:   UnverifiedAuto,
		StatementTTL: 24 * time.Hour,
		ObjectTTL:    365 * 24 * time.Hour,
		ResignBefore: 30 * 24 * time.Hour,
		ClockSkew:    time.Minute,

		ReverifyInterval: time.Minute,
	}
}

// Validate checks the section; errors name the key (trust.…).
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("trust.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch c.Role {
	case RoleLeaf, RoleIntermediate, RoleAnchor:
	default:
		bad("role", "%q is not one of leaf, intermediate, anchor", c.Role)
	}
	switch c.Unverified {
	case UnverifiedAuto, UnverifiedAccept, UnverifiedRefuse:
	default:
		bad("unverified", "%q is not one of auto, accept, refuse", c.Unverified)
	}
	if len(c.AuthorityHints) > 4 {
		bad("authority_hints", "%d hints; at most 4", len(c.AuthorityHints))
	}
	for i, h := range c.AuthorityHints {
		if err := checkEntityID(h); err != nil {
			bad(fmt.Sprintf("authority_hints[%d]", i), "%v", err)
		}
	}
	for i, a := range c.Anchors {
		if err := checkEntityID(a.EntityID); err != nil {
			bad(fmt.Sprintf("anchors[%d].entity_id", i), "%v", err)
		}
		for _, b := range c.Anchors[:i] {
			if b.EntityID == a.EntityID {
				bad(fmt.Sprintf("anchors[%d].entity_id", i), "%s is pinned twice; list each anchor once with all its kids", a.EntityID)
			}
		}
		if len(a.Kids) == 0 {
			bad(fmt.Sprintf("anchors[%d].kids", i), "pin at least one key thumbprint (GET /api/v1/trust on the anchor shows them)")
		}
		for j, k := range a.Kids {
			if !kidChars(k) {
				bad(fmt.Sprintf("anchors[%d].kids[%d]", i, j), "%q is not a key thumbprint (base64url, 43 characters)", k)
			}
		}
	}
	if c.StatementTTL < time.Minute || c.StatementTTL > 24*time.Hour {
		bad("statement_ttl", "%s must be between 1m and 24h", c.StatementTTL)
	}
	if c.ObjectTTL < time.Hour {
		bad("object_ttl", "%s must be at least 1h", c.ObjectTTL)
	}
	if c.ResignBefore <= 0 || c.ResignBefore >= c.ObjectTTL {
		bad("resign_before", "%s must be positive and shorter than object_ttl %s", c.ResignBefore, c.ObjectTTL)
	}
	if c.ReverifyInterval < time.Second {
		bad("reverify_interval", "%s must be at least 1s", c.ReverifyInterval)
	}
	if c.ClockSkew < 0 || c.ClockSkew > time.Hour {
		bad("clock_skew", "%s must be between 0 and 1h", c.ClockSkew)
	}
	return errors.Join(errs...)
}

// checkEntityID accepts an entity id (entity.CheckEntityID) written
// without a trailing slash, so that it compares equal to the iss of what
// it signs.
func checkEntityID(s string) error {
	if err := entity.CheckEntityID(s); err != nil {
		return err
	}
	if strings.HasSuffix(s, "/") {
		return fmt.Errorf("%q must not end with a slash", s)
	}
	return nil
}

func kidChars(s string) bool { return len(s) > 0 && len(s) <= 128 && jose.TokenChars(s) }
