// Package accounts is the application layer of people's accounts on the
// node, apart from API tokens: users and their roles, passwords, sign-in
// with its limits, server-side sessions, CSRF tokens and the audit list of
// the changes people make. The web pages (and later OpenID Connect
// sign-in and the CLI) are thin faces over a Service; the storage it needs
// is declared here (Store: UserStore, SessionStore, AuditStore), and
// the store's Accounts view (storage.Accounts) implements it.
//
// # Passwords
//
// Passwords are hashed with argon2id (DefaultParams: m=32 MiB, t=2, p=1,
// 16-byte salt, 32-byte key; 44-67 ms a hash on the reference machine)
// and stored in the PHC string format
// $argon2id$v=19$m=32768,t=2,p=1$<salt>$<key>. Keys are compared in
// constant time. A sign-in that finds a hash made with weaker parameters
// than Config.Hash remakes it (unless the password changed meanwhile), so
// raising the parameters upgrades every active user. Config.MaxHashes
// bounds the hashes computed at once (each takes m of memory). The policy
// (CheckPassword) is length only: at least 12 characters, at most 1024
// bytes, valid UTF-8, not the username; a *PolicyError names the rule
// broken. Neither a password nor a session secret appears in any error or
// log line, and types that hold one (Secret, NewUser, Config) redact it in
// String, GoString, LogValue (and Secret in MarshalText).
//
// # Signing in and its limits
//
// Authenticate checks a username and password and starts a session. An
// unknown username is checked against a dummy hash and answered with the
// same ErrInvalidCredentials as a wrong password, so neither the answer
// nor its timing says which usernames exist. Before any hash is computed,
// two limits apply, both in memory (they restart with the node) and
// bounded (Config.MaxTracked entries each, least recently used forgotten):
// per username, known or not (5 failures within 15 min lock it for 5 min,
// doubling per consecutive lock up to 1 h), and per client address (an
// IPv4 address or an IPv6 /64: a bucket of 20 failures refilled one per
// 30 s). A refused attempt is a *RetryError (errors.Is ErrTooManyAttempts)
// whose RetryAfter is the page's Retry-After. A disabled user's right
// password is ErrDisabled; disabling a user ends its sessions in the same
// storage write, and a session of a disabled user is refused.
//
// # Sessions
//
// A session's secret is 32 random bytes, base64url (Secret); only its
// SHA-256 is stored, so the database signs nobody in. Lookup refuses a
// session past its absolute lifetime (Config.SessionLifetime, 12 h) or
// idle longer than Config.IdleTimeout (30 min), deleting it; it writes the
// last-seen time only when it is older than Config.TouchInterval (1 min),
// not on every request. SignOut ends one session, SignOutEverywhere all of
// a user's in one write, SetPassword all but the caller's own. The node's
// timer calls PruneSessions (bounded per call) to delete expired sessions.
//
// # CSRF
//
// A signed-in form carries CSRFToken(secret): HMAC-SHA256 of the session
// secret under the node's key (Config.CSRFKey), stable for the session.
// A form shown before sign-in (the login form) is bound to a pre-session
// cookie: NewPreSession makes its value and AnonymousCSRFToken the form's
// token (a signed double-submit token). Checks are constant-time.
//
// # What the pages do with this (the contract)
//
//   - Cookies: the session secret (Secret.Reveal) in "__Host-session":
//     Path=/, Secure, HttpOnly, SameSite=Lax, no Domain, Max-Age of the
//     lifetime. The pre-session value in "__Host-presession": Path=/,
//     Secure, HttpOnly, SameSite=Strict, short Max-Age. (Browsers accept
//     Secure cookies from http://localhost, so a test federation on
//     loopback works; any other plain-http origin does not get them.)
//   - Every request: the client's address (the peer, or the header of a
//     trusted proxy: the page layer decides which) and user agent go into
//     the context with WithClient; the session cookie, if any, goes to
//     Lookup; ErrNoSession, ErrSessionExpired and ErrDisabled clear the
//     cookie (and say why on the sign-in page).
//   - The login page: GET sets a fresh pre-session cookie when there is
//     none and renders AnonymousCSRFToken(cookie) in a hidden field; POST
//     checks CheckAnonymousCSRF(cookie, field) first, then Authenticate.
//     On success it sets the session cookie (a new secret on every
//     sign-in: no session fixation), deletes the pre-session cookie and
//     redirects (303) to a local path only. A *RetryError is 429 with
//     Retry-After; ErrInvalidCredentials a generic message.
//   - Every state-changing request (POST, PUT, PATCH, DELETE) of a signed-
//     in page: CheckCSRF(secret, the form field or an X-CSRF-Token header)
//     before anything else (403 on ErrCSRF), plus net/http's
//     CrossOriginProtection (Sec-Fetch-Site / Origin) as defence in depth;
//     GET requests change nothing.
//   - Roles: User.Role.Allows(RoleEditor) and so on, as API tokens.
//   - Audit: after every change made through a page, Audit(ctx, user,
//     action, target, detail) (the Action* constants for account changes);
//     ListAudit pages newest first with a cursor.
//   - Sign-out is a POST with the CSRF token (never a GET link).
//   - The node's timer calls PruneSessions (every few minutes).
package accounts
