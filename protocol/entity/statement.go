package entity

import (
	"fmt"
	"net/url"
	"strings"
)

const (
	// Type is the typ of entity configurations and subordinate statements.
	Type = "entity-statement+jwt"
	// ListType is the typ of the historical-keys and denylist documents.
	ListType = "interlink-keys+jwt"
	// MaxBytes is the size cap of one statement or list.
	MaxBytes = 64 << 10
	// MaxAuthorityHints is the most authority_hints an entity
	// configuration may carry.
	MaxAuthorityHints = 4
	// MaxFederationKeys is the most keys in a statement's jwks.
	MaxFederationKeys = 16
	// MaxContentKeys is the most content keys (current and historical) an
	// entity configuration may list.
	MaxContentKeys = 64
	// MaxNamingEntries is the most entries in each of permitted and
	// excluded.
	MaxNamingEntries = 64

	maxEntityIDLen = 2048
	maxTextLen     = 512
)

// Statement is the claims set of an entity configuration (Iss == Sub) or of
// a subordinate statement (Iss is the superior of Sub).
type Statement struct {
	Iss            string       `json:"iss"`
	Sub            string       `json:"sub"`
	Iat            int64        `json:"iat"`
	Exp            int64        `json:"exp"`
	JWKS           *JWKS        `json:"jwks,omitempty"`            // federation keys of Sub
	AuthorityHints []string     `json:"authority_hints,omitempty"` // only in entity configurations
	Metadata       *Metadata    `json:"metadata,omitempty"`
	Constraints    *Constraints `json:"constraints,omitempty"`
	RevokedAt      int64        `json:"interlink_revoked_at,omitempty"` // set by a superior on a revoked subordinate
	RevokedReason  string       `json:"interlink_revoked_reason,omitempty"`
}

// Metadata holds the entity types this package knows; others are ignored.
type Metadata struct {
	FederationEntity *FederationEntity `json:"federation_entity,omitempty"`
	InterlinkNode    *InterlinkNode    `json:"interlink_node,omitempty"`
}

// FederationEntity describes an organisation and its federation endpoints.
// In a subordinate statement it is the superior's word on the legal
// identity of the subject; in an entity configuration, the entity's own.
type FederationEntity struct {
	OrganizationName       string `json:"organization_name,omitempty"`
	Country                string `json:"country,omitempty"`  // ISO 3166-1 alpha-2, upper case
	OrgKind                string `json:"org_kind,omitempty"` // see OrgKinds
	Role                   string `json:"role,omitempty"`     // see Roles
	FetchEndpoint          string `json:"federation_fetch_endpoint,omitempty"`
	ListEndpoint           string `json:"federation_list_endpoint,omitempty"`
	HistoricalKeysEndpoint string `json:"federation_historical_keys_endpoint,omitempty"`
	DenylistEndpoint       string `json:"interlink_denylist_endpoint,omitempty"`
}

// InterlinkNode describes a node of the catalogue federation.
type InterlinkNode struct {
	Actor           string `json:"actor,omitempty"`        // ActivityPub actor IRI
	ContentKeys     []JWK  `json:"content_keys,omitempty"` // keys that sign catalogue objects, current and historical
	SoftwareVersion string `json:"software_version,omitempty"`
}

// Constraints limit the chain below the superior that states them.
type Constraints struct {
	MaxPathLength     *int               `json:"max_path_length,omitempty"`
	NamingConstraints *NamingConstraints `json:"naming_constraints,omitempty"`
}

// OrgKinds are the values of FederationEntity.OrgKind.
var OrgKinds = []string{"public_administration", "citizen_group", "non_profit", "for_profit"}

// Roles are the values of FederationEntity.Role.
var Roles = []string{"leaf", "intermediate", "anchor"}

// IsConfiguration reports whether st is an entity configuration (iss == sub).
func (st *Statement) IsConfiguration() bool { return st.Iss == st.Sub }

// Keys returns the keys of st.JWKS (nil when absent).
func (st *Statement) Keys() []JWK {
	if st.JWKS == nil {
		return nil
	}
	return st.JWKS.Keys
}

// FederationEntity returns st's metadata.federation_entity, or nil.
func (st *Statement) FederationEntity() *FederationEntity {
	if st.Metadata == nil {
		return nil
	}
	return st.Metadata.FederationEntity
}

// InterlinkNode returns st's metadata.interlink_node, or nil.
func (st *Statement) InterlinkNode() *InterlinkNode {
	if st.Metadata == nil {
		return nil
	}
	return st.Metadata.InterlinkNode
}

// Validate checks the claims (not the signature or the clock); its errors
// wrap ErrInvalidClaims.
func (st *Statement) Validate() error {
	if err := st.validate(); err != nil {
		return fmt.Errorf("entity: statement by %s about %s: %w: %s", st.Iss, st.Sub, ErrInvalidClaims, err)
	}
	return nil
}

func (st *Statement) validate() error {
	if err := CheckEntityID(st.Iss); err != nil {
		return fmt.Errorf("iss: %v", err)
	}
	if err := CheckEntityID(st.Sub); err != nil {
		return fmt.Errorf("sub: %v", err)
	}
	if st.Iat <= 0 || st.Exp <= st.Iat {
		return fmt.Errorf("exp %d must be after iat %d > 0", st.Exp, st.Iat)
	}
	if st.JWKS == nil || len(st.JWKS.Keys) == 0 {
		return fmt.Errorf("jwks must list the federation keys of sub")
	}
	if err := validKeys(st.JWKS.Keys, MaxFederationKeys); err != nil {
		return fmt.Errorf("jwks: %v", err)
	}
	if len(st.AuthorityHints) > 0 && !st.IsConfiguration() {
		return fmt.Errorf("authority_hints appear only in entity configurations")
	}
	if len(st.AuthorityHints) > MaxAuthorityHints {
		return fmt.Errorf("%d authority_hints, at most %d", len(st.AuthorityHints), MaxAuthorityHints)
	}
	for i, h := range st.AuthorityHints {
		if err := CheckEntityID(h); err != nil {
			return fmt.Errorf("authority_hints[%d]: %v", i, err)
		}
		if h == st.Sub {
			return fmt.Errorf("authority_hints[%d] names the entity itself", i)
		}
		for _, o := range st.AuthorityHints[:i] {
			if o == h {
				return fmt.Errorf("authority_hints[%d]: %q listed twice", i, h)
			}
		}
	}
	if st.RevokedAt < 0 || st.RevokedReason != "" && st.RevokedAt == 0 || len(st.RevokedReason) > maxTextLen {
		return fmt.Errorf("interlink_revoked_at must be a time > 0 when a reason (at most %d bytes) is given", maxTextLen)
	}
	if st.RevokedAt > 0 && st.IsConfiguration() {
		return fmt.Errorf("interlink_revoked_at appears only in subordinate statements")
	}
	if err := st.Metadata.validate(); err != nil {
		return fmt.Errorf("metadata: %v", err)
	}
	if err := st.Constraints.validate(); err != nil {
		return fmt.Errorf("constraints: %v", err)
	}
	return nil
}

func (m *Metadata) validate() error {
	if m == nil {
		return nil
	}
	if fe := m.FederationEntity; fe != nil {
		if len(fe.OrganizationName) > maxTextLen {
			return fmt.Errorf("federation_entity.organization_name is longer than %d bytes", maxTextLen)
		}
		if fe.Country != "" && !isCountry(fe.Country) {
			return fmt.Errorf("federation_entity.country %q is not an upper-case ISO 3166-1 alpha-2 code", fe.Country)
		}
		if fe.OrgKind != "" && !oneOf(fe.OrgKind, OrgKinds) {
			return fmt.Errorf("federation_entity.org_kind %q is not one of %s", fe.OrgKind, strings.Join(OrgKinds, ", "))
		}
		if fe.Role != "" && !oneOf(fe.Role, Roles) {
			return fmt.Errorf("federation_entity.role %q is not one of %s", fe.Role, strings.Join(Roles, ", "))
		}
		for _, ep := range [...]struct{ name, url string }{
			{"federation_fetch_endpoint", fe.FetchEndpoint},
			{"federation_list_endpoint", fe.ListEndpoint},
			{"federation_historical_keys_endpoint", fe.HistoricalKeysEndpoint},
			{"interlink_denylist_endpoint", fe.DenylistEndpoint},
		} {
			if ep.url == "" {
				continue
			}
			if err := checkEndpoint(ep.url); err != nil {
				return fmt.Errorf("federation_entity.%s: %v", ep.name, err)
			}
		}
	}
	if in := m.InterlinkNode; in != nil {
		if in.Actor != "" {
			if err := checkEndpoint(in.Actor); err != nil {
				return fmt.Errorf("interlink_node.actor: %v", err)
			}
		}
		if len(in.SoftwareVersion) > 64 {
			return fmt.Errorf("interlink_node.software_version is longer than 64 bytes")
		}
		if err := validKeys(in.ContentKeys, MaxContentKeys); err != nil {
			return fmt.Errorf("interlink_node.content_keys: %v", err)
		}
	}
	return nil
}

func (c *Constraints) validate() error {
	if c == nil {
		return nil
	}
	if c.MaxPathLength != nil && (*c.MaxPathLength < 0 || *c.MaxPathLength > 64) {
		return fmt.Errorf("max_path_length %d is not 0 to 64", *c.MaxPathLength)
	}
	if nc := c.NamingConstraints; nc != nil {
		for _, l := range [...]struct {
			name string
			list []string
		}{{"permitted", nc.Permitted}, {"excluded", nc.Excluded}} {
			if len(l.list) > MaxNamingEntries {
				return fmt.Errorf("naming_constraints.%s has %d entries, at most %d", l.name, len(l.list), MaxNamingEntries)
			}
			for i, e := range l.list {
				if err := checkNamingEntry(e); err != nil {
					return fmt.Errorf("naming_constraints.%s[%d]: %v", l.name, i, err)
				}
			}
		}
	}
	return nil
}

// CheckEntityID reports whether s is an entity id: an absolute http(s) URL
// with a host, no user info, query or fragment, of at most 2048 bytes.
func CheckEntityID(s string) error {
	u, err := parseURL(s)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("%q has a query", s)
	}
	return nil
}

// checkEndpoint accepts an entity id that may also carry a query.
func checkEndpoint(s string) error {
	_, err := parseURL(s)
	return err
}

func parseURL(s string) (*url.URL, error) {
	if s == "" || len(s) > maxEntityIDLen {
		return nil, fmt.Errorf("must be a URL of 1 to %d bytes", maxEntityIDLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", s)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" || u.User != nil ||
		u.Fragment != "" || strings.Contains(s, "#") || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL with a host and no user info or fragment", s)
	}
	return u, nil
}

func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Well-known paths a node serves (OpenID Federation 1.0 §9 and §8).
const (
	WellKnownPath      = "/.well-known/openid-federation"
	FetchPath          = "/federation/fetch"
	ListPath           = "/federation/list"
	HistoricalKeysPath = "/federation/historical-keys"
	DenylistPath       = "/federation/denylist"
	// MediaTypeStatement is the media type of entity statements.
	MediaTypeStatement = "application/entity-statement+jwt"
	// MediaTypeList is the media type of historical keys and denylists.
	MediaTypeList = "application/jwk-set+jwt"
)
