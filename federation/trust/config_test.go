package trust

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

const goodKid = "pZr3Hq1xR8mK2vT9bN4cD7fG0jL5sW6yA1eI3oU8kQz" // 43 characters of base64url

func TestDefaultsValidate(t *testing.T) {
	cfg := Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Defaults() does not validate: %v", err)
	}
	if cfg.Role != RoleLeaf || cfg.Unverified != UnverifiedAuto || cfg.StatementTTL != 24*time.Hour {
		t.Fatalf("Defaults() = %+v", cfg)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; nil: valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"anchor with pins", func(c *Config) {
			c.Role = RoleAnchor
			c.Anchors = []trustchain.Anchor{{EntityID: "https://anchor.it.example", Kids: []string{goodKid}}}
		}, nil},
		{"intermediate with four hints", func(c *Config) {
			c.Role = RoleIntermediate
			c.AuthorityHints = []string{"https://a.example", "https://b.example", "http://c.example:8080", "https://d.example/fed"}
		}, nil},
		{"bounds inclusive", func(c *Config) {
			c.StatementTTL, c.ObjectTTL, c.ResignBefore, c.ClockSkew = time.Minute, time.Hour, time.Hour-time.Second, time.Hour
		}, nil},
		{"zero skew", func(c *Config) { c.ClockSkew = 0 }, nil},
		{"role", func(c *Config) { c.Role = "root" }, []string{"trust.role:", `"root"`}},
		{"empty role", func(c *Config) { c.Role = "" }, []string{"trust.role:"}},
		{"unverified", func(c *Config) { c.Unverified = "maybe" }, []string{"trust.unverified:", "auto, accept, refuse"}},
		{"five hints", func(c *Config) {
			c.AuthorityHints = []string{"https://a.example", "https://b.example", "https://c.example", "https://d.example", "https://e.example"}
		}, []string{"trust.authority_hints:", "at most 4"}},
		{"hint trailing slash", func(c *Config) { c.AuthorityHints = []string{"https://a.example/"} }, []string{"trust.authority_hints[0]:", "slash"}},
		{"hint with query", func(c *Config) { c.AuthorityHints = []string{"https://a.example", "https://b.example?x=1"} }, []string{"trust.authority_hints[1]:"}},
		{"hint with user", func(c *Config) { c.AuthorityHints = []string{"https://me@a.example"} }, []string{"trust.authority_hints[0]:"}},
		{"hint scheme", func(c *Config) { c.AuthorityHints = []string{"ftp://a.example"} }, []string{"trust.authority_hints[0]:", "http(s)"}},
		{"hint relative", func(c *Config) { c.AuthorityHints = []string{"a.example"} }, []string{"trust.authority_hints[0]:"}},
		{"anchor entity id", func(c *Config) {
			c.Anchors = []trustchain.Anchor{{EntityID: "https://anchor.it.example#x", Kids: []string{goodKid}}}
		}, []string{"trust.anchors[0].entity_id:"}},
		{"anchor without kids", func(c *Config) {
			c.Anchors = []trustchain.Anchor{{EntityID: "https://anchor.it.example", Kids: []string{goodKid}}, {EntityID: "https://anchor.es.example"}}
		}, []string{"trust.anchors[1].kids:", "GET /api/v1/trust"}},
		{"anchor kid characters", func(c *Config) {
			c.Anchors = []trustchain.Anchor{{EntityID: "https://anchor.it.example", Kids: []string{goodKid, "../etc/passwd"}}}
		}, []string{"trust.anchors[0].kids[1]:", "thumbprint"}},
		{"anchor kid too long", func(c *Config) {
			c.Anchors = []trustchain.Anchor{{EntityID: "https://anchor.it.example", Kids: []string{strings.Repeat("a", 129)}}}
		}, []string{"trust.anchors[0].kids[0]:"}},
		{"statement ttl short", func(c *Config) { c.StatementTTL = 59 * time.Second }, []string{"trust.statement_ttl:"}},
		{"statement ttl long", func(c *Config) { c.StatementTTL = 25 * time.Hour }, []string{"trust.statement_ttl:", "between 1m and 24h"}},
		{"object ttl", func(c *Config) { c.ObjectTTL = 59 * time.Minute }, []string{"trust.object_ttl:"}},
		{"resign before zero", func(c *Config) { c.ResignBefore = 0 }, []string{"trust.resign_before:"}},
		{"resign before ttl", func(c *Config) { c.ResignBefore = c.ObjectTTL }, []string{"trust.resign_before:", "shorter than object_ttl"}},
		{"skew negative", func(c *Config) { c.ClockSkew = -time.Second }, []string{"trust.clock_skew:"}},
		{"skew long", func(c *Config) { c.ClockSkew = time.Hour + time.Second }, []string{"trust.clock_skew:"}},
		{"every error at once", func(c *Config) {
			c.Role, c.Unverified, c.StatementTTL, c.ClockSkew = "x", "y", 0, -1
		}, []string{"trust.role:", "trust.unverified:", "trust.statement_ttl:", "trust.clock_skew:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			tc.mutate(&cfg)
			err := cfg.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error naming %v", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
			// Every line names its key.
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "trust.") {
					t.Errorf("error line %q does not start with its key", line)
				}
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		self string
		cfg  func() Config
		want string
	}{
		{"self with a trailing slash", "https://node.example/", Defaults, "entity id"},
		{"self not a URL", "node.example", Defaults, "entity id"},
		{"anchor pinned twice", "https://node.example", func() Config {
			c := Defaults()
			c.Anchors = []trustchain.Anchor{{EntityID: anchorIT, Kids: []string{goodKid}}, {EntityID: anchorIT, Kids: []string{goodKid}}}
			return c
		}, "anchors[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg()
			_, err := New(context.Background(), cfg, Deps{Self: tc.self, Keys: func() KeySet { return KeySet{} }, Fetcher: &router{}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
