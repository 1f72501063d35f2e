// Package oidc signs people in with their organisation's identity provider
// over OpenID Connect (the relying party: github.com/coreos/go-oidc/v3 and
// golang.org/x/oauth2). Public administrations sign their staff in through
// such providers, and national eID gateways speak OpenID Connect.
//
// The flow is the authorization code flow with PKCE (S256), a state and a
// nonce:
//
//   - Start makes a flow: random state, nonce and PKCE verifier, kept on the
//     server (in memory, at most Config.MaxFlows, each for
//     Config.FlowLifetime) under a random flow id that the page puts in a
//     cookie; it returns the provider's authorization URL.
//   - Finish takes the callback: the flow named by the cookie is taken
//     (used once, whatever happens next), the state compared in constant
//     time, the code exchanged with the PKCE verifier and the client
//     secret, the id_token verified (signature by the provider's JWKS,
//     issuer, audience, expiry; go-oidc) and its nonce compared; the
//     claims (the id_token's, completed by the userinfo endpoint's for the
//     same subject) are mapped to a username, a display name and a role.
//
// The provider's discovery document is fetched at the first sign-in, not
// at start (a node starts while its provider is down); a failed fetch is
// tried again at the next sign-in, at most once every ten seconds.
//
// The role mapping (RoleMapping) reads one claim (a string or an array of
// strings; a dotted path such as realm_access.roles reaches into nested
// objects when no claim has the whole name) and gives the highest role
// any of its values maps to; when none maps, Default, or ErrUnmapped when
// Default is empty. The account it signs in (node/accounts.SignInExternal)
// is created at the first sign-in and follows the mapping at every
// sign-in after.
//
// Neither the client secret, nor a code, token, state, nonce or verifier
// appears in a log line or an error: ClientSecret redacts itself, and the
// errors name what failed, not the values.
package oidc
