package node

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/oidc"
	webui "github.com/interlink-project/interlink-node/node/web"
)

// OIDCConfig is sign-in with the organisation's identity provider over
// OpenID Connect (node/oidc; docs/deployment.md). Off while Issuer is
// empty. The node's callback, to register at the provider, is
// PUBLIC_URL/login/oidc/callback.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (https; plain http only on a
	// loopback address, for tests).
	Issuer string `yaml:"issuer"`
	// ProviderName is what the sign-in page's button says ("Sign in with
	// ..."); default the issuer's host.
	ProviderName string `yaml:"provider_name"`
	ClientID     string `yaml:"client_id"`
	// ClientSecret is best set in the environment
	// (INTERLINK_OIDC_CLIENT_SECRET), or read from ClientSecretFile (its
	// trailing newline dropped); at most one of the two. Neither: a public
	// client (PKCE alone), for providers that allow it.
	ClientSecret     string `yaml:"client_secret"`
	ClientSecretFile string `yaml:"client_secret_file"`
	// Scopes requested (default openid, profile, email; openid is always
	// added). Add the scope that makes the provider send RoleClaim, if
	// it needs one (e.g. groups).
	Scopes []string `yaml:"scopes"`
	// RoleClaim names the claim with the person's groups or roles
	// (groups, roles, realm_access.roles for Keycloak's realm roles);
	// Roles maps its values to the node's roles, the highest winning.
	RoleClaim string    `yaml:"role_claim"`
	Roles     OIDCRoles `yaml:"roles"`
	// DefaultRole is the role of a person none of whose values maps:
	// reader, editor or admin; empty: such a person is refused.
	DefaultRole string `yaml:"default_role"`
	// UsernameClaim gives the username made at the first sign-in
	// (default preferred_username; the subject when absent);
	// DisplayNameClaim the display name kept up to date (default name).
	UsernameClaim    string `yaml:"username_claim"`
	DisplayNameClaim string `yaml:"display_name_claim"`

	// secret is the client secret Validate resolved.
	secret oidc.ClientSecret
}

// OIDCRoles are the RoleClaim values that give each role.
type OIDCRoles struct {
	Admin  []string `yaml:"admin"`
	Editor []string `yaml:"editor"`
	Reader []string `yaml:"reader"`
}

// String shows the section without the client secret.
func (c OIDCConfig) String() string {
	return fmt.Sprintf("oidc{issuer %q, client_id %q, client_secret [redacted], role_claim %q}", c.Issuer, c.ClientID, c.RoleClaim)
}

// GoString is String (for %#v).
func (c OIDCConfig) GoString() string { return c.String() }

// LogValue logs the section without the client secret.
func (c OIDCConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("issuer", c.Issuer), slog.String("client_id", c.ClientID),
		slog.String("client_secret", "[redacted]"), slog.String("role_claim", c.RoleClaim))
}

// callbackPath is where the provider sends the browser back.
const callbackPath = "/login/oidc/callback"

// validate checks the section (once, in Config.Validate) and reads the
// client secret file.
func (c *OIDCConfig) validate(bad func(key, format string, args ...any)) {
	if c.Issuer == "" {
		if c.ClientID != "" || c.ClientSecret != "" || c.ClientSecretFile != "" || c.RoleClaim != "" {
			bad("oidc.issuer", "is empty (sign-in with an identity provider off) while other oidc settings are set")
		}
		return
	}
	if err := oidc.CheckIssuer(c.Issuer); err != nil {
		bad("oidc.issuer", "%v", err)
	}
	if strings.TrimSpace(c.ClientID) == "" {
		bad("oidc.client_id", "is required with oidc.issuer (the client id registered at the provider)")
	}
	switch {
	case c.ClientSecret != "" && c.ClientSecretFile != "":
		bad("oidc.client_secret", "is set together with oidc.client_secret_file: set one")
	case c.ClientSecretFile != "":
		b, err := os.ReadFile(c.ClientSecretFile)
		switch s := strings.TrimRight(string(b), "\r\n"); {
		case err != nil:
			bad("oidc.client_secret_file", "%v", err)
		case strings.TrimSpace(s) == "":
			bad("oidc.client_secret_file", "%s is empty", c.ClientSecretFile)
		default:
			c.secret = oidc.ClientSecret(s)
		}
	default:
		c.secret = oidc.ClientSecret(c.ClientSecret)
	}
	if c.DefaultRole != "" {
		r, err := accounts.ParseRole(c.DefaultRole)
		if err != nil {
			bad("oidc.default_role", "%q is not one of reader, editor, admin (or empty: refuse)", c.DefaultRole)
		}
		c.DefaultRole = string(r)
	}
	mapped := len(c.Roles.Admin)+len(c.Roles.Editor)+len(c.Roles.Reader) > 0
	switch {
	case c.RoleClaim == "" && mapped:
		bad("oidc.role_claim", "is empty while oidc.roles are set: name the claim they are values of (e.g. groups)")
	case c.RoleClaim != "" && !mapped:
		bad("oidc.roles", "map no value of oidc.role_claim %q to a role: set oidc.roles.admin, editor or reader", c.RoleClaim)
	case c.RoleClaim == "" && c.DefaultRole == "":
		bad("oidc.role_claim", "and oidc.default_role are both empty: nobody could sign in")
	}
}

// relyingParty is the node/oidc configuration of the section.
func (c *OIDCConfig) relyingParty(publicURL string, log *slog.Logger, now func() time.Time) oidc.Config {
	return oidc.Config{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.secret, RedirectURL: publicURL + callbackPath,
		Scopes: c.Scopes, ProviderName: c.ProviderName, UsernameClaim: c.UsernameClaim, DisplayNameClaim: c.DisplayNameClaim,
		Roles: oidc.RoleMapping{Claim: c.RoleClaim, Admin: c.Roles.Admin, Editor: c.Roles.Editor, Reader: c.Roles.Reader,
			Default: accounts.Role(c.DefaultRole)},
		HTTPClient: &http.Client{Timeout: 15 * time.Second}, Logger: log, Now: now}
}

// oidcSignIn is the pages' sign-in with the identity provider; nil when
// oidc.issuer is not set.
func (n *Node) oidcSignIn() webui.OIDCSignIn {
	if n.cfg.OIDC.Issuer == "" {
		return nil
	}
	rp, err := oidc.New(n.cfg.OIDC.relyingParty(n.cfg.PublicURL, n.log, n.now))
	if err != nil {
		panic(err) // Validate checked the same configuration
	}
	n.log.Info("sign-in with an identity provider", "oidc", n.cfg.OIDC)
	return rp
}
