package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// Errors of signing in and of sessions.
var (
	// ErrInvalidCredentials: the username or the password is wrong (which
	// one is not said).
	ErrInvalidCredentials = errors.New("accounts: the username or password is wrong")
	// ErrDisabled: the account is disabled (said only after the right
	// password, so it reveals nothing to someone guessing).
	ErrDisabled = errors.New("accounts: the account is disabled")
	// ErrNoSession: the cookie names no session (signed out, never signed
	// in, or malformed).
	ErrNoSession = errors.New("accounts: no such session")
	// ErrSessionExpired: the session reached its absolute lifetime or was
	// idle too long; it is gone.
	ErrSessionExpired = errors.New("accounts: the session has expired")
)

// Secret is a session's secret, the value of the session cookie: 32 random
// bytes in base64url. Only its SHA-256 is stored. Printing, formatting,
// logging or marshalling a Secret shows "[redacted]"; Reveal gives the
// value, for the Set-Cookie header only.
type Secret string

const secretLen = 32

// String hides the secret.
func (Secret) String() string { return redacted }

// GoString hides the secret (for %#v).
func (Secret) GoString() string { return "accounts.Secret(" + redacted + ")" }

// LogValue hides the secret.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText hides the secret from encoders (JSON, ...).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the secret itself: for the Set-Cookie header, nothing else.
func (s Secret) Reveal() string { return string(s) }

// id is the stored id of a session: the SHA-256 of its secret.
func (s Secret) id() []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// wellFormed reports whether s looks like a secret this package made, so
// that a garbage cookie costs no storage read.
func (s Secret) wellFormed() bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(string(s))
	return err == nil && len(b) == secretLen
}

func newSecret(rand io.Reader) (Secret, error) {
	var b [secretLen]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("accounts: make a session secret: %w", err)
	}
	return Secret(base64.RawURLEncoding.EncodeToString(b[:])), nil
}

// Client is what a sign-in records of the browser: its address (as the
// page layer determined it: the peer, or a trusted proxy's header) and user
// agent. Both are clipped before they are stored.
type Client struct {
	Address   string
	UserAgent string
}

type clientKey struct{}

// WithClient returns ctx carrying the client of a request: Audit records
// its address. Pages set it once, in a middleware.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the client WithClient put in ctx (zero if none).
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// Session is a signed-in session as pages see it (never its secret).
type Session struct {
	// ID names the session in pages ("your sessions": end this one): the
	// hex SHA-256 of its secret, which signs nobody in.
	ID        string
	User      User
	Created   time.Time
	LastSeen  time.Time // as last written: up to Config.TouchInterval old
	Expires   time.Time // absolute
	UserAgent string
	Address   string
}

func (s *Service) toSession(ss storage.Session, u User) Session {
	return Session{ID: hex.EncodeToString(ss.ID), User: u, Created: ss.Created, LastSeen: ss.LastSeen,
		Expires: ss.Expires, UserAgent: ss.UserAgent, Address: ss.Address}
}

// SessionLifetime is a session's absolute lifetime (Config.SessionLifetime):
// the session cookie's Max-Age.
func (s *Service) SessionLifetime() time.Duration { return s.cfg.SessionLifetime }

// IdleExpires is when the session ends if it is not used before.
func (s *Service) IdleExpires(ss Session) time.Time {
	return minTime(ss.LastSeen.Add(s.cfg.IdleTimeout), ss.Expires)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Authenticate signs a person in with a username and password and starts
// a session: it returns the session's secret (the cookie value) and the
// user. Before any password is checked, an address or username with too
// many recent failures is refused with a *RetryError (ErrTooManyAttempts).
// A wrong password, an unknown username and a user without a password all
// return ErrInvalidCredentials after the same work (an unknown username
// is checked against a dummy hash), so neither the answer nor its time
// tells whether the username exists; each counts as a failure of the
// username and of the address. The right password of a disabled user
// returns ErrDisabled. A stored hash made with weaker parameters than
// Config.Hash is remade. Errors never contain the password.
func (s *Service) Authenticate(ctx context.Context, username, password string, client Client) (Secret, User, error) {
	now := s.cfg.Now()
	akey, ukey := addressKey(client.Address), accountKey(username)
	if err := s.addresses.check(akey, now); err != nil {
		return "", User{}, err
	}
	if err := s.accounts.check(ukey, now); err != nil {
		return "", User{}, err
	}
	var u storage.User
	found := false
	if storage.CheckUsername(username) == nil {
		var err error
		switch u, err = s.store.UserByUsername(ctx, username); {
		case err == nil:
			found = true
		case !errors.Is(err, storage.ErrNotFound):
			return "", User{}, fmt.Errorf("accounts: sign in: %w", err)
		}
	}
	encoded := s.dummy
	if found && len(u.PasswordHash) > 0 {
		encoded = string(u.PasswordHash)
	}
	ok := false
	var params Params
	if len(password) <= MaxPasswordBytes {
		var err error
		ok, params, err = s.verify(ctx, encoded, password)
		if err != nil {
			if ctx.Err() != nil {
				return "", User{}, fmt.Errorf("accounts: sign in: %w", err)
			}
			s.log.Error("stored password hash is unreadable", "user", toUser(u), "error", err)
			ok = false
		}
	}
	if !found || len(u.PasswordHash) == 0 || !ok {
		s.failed(ukey, akey, username, client.Address, now)
		return "", User{}, ErrInvalidCredentials
	}
	if u.Disabled {
		return "", User{}, ErrDisabled
	}
	s.accounts.reset(ukey)
	if params.weakerThan(s.cfg.Hash) {
		s.upgrade(ctx, u, password)
	}
	secret, err := newSecret(s.cfg.Rand)
	if err != nil {
		return "", User{}, err
	}
	now = now.UTC()
	ss := storage.Session{ID: secret.id(), UserID: u.ID, Created: now, LastSeen: now,
		Expires: now.Add(s.cfg.SessionLifetime), UserAgent: client.UserAgent, Address: client.Address}
	if err := s.store.CreateSession(ctx, ss); err != nil {
		if errors.Is(err, storage.ErrUserDisabled) {
			return "", User{}, ErrDisabled
		}
		return "", User{}, fmt.Errorf("accounts: sign in %s: %w", u.Username, err)
	}
	u.LastSignIn = now
	return secret, toUser(u), nil
}

// failed counts a failed sign-in and logs the locks it starts.
func (s *Service) failed(ukey, akey, username, address string, now time.Time) {
	if until := s.accounts.fail(ukey, now); !until.IsZero() {
		s.log.Warn("sign-in locked for a username after repeated failures", "username", protocol.Clip(username, 80),
			"address", protocol.Clip(address, 80), "until", until)
	}
	if s.addresses.fail(akey, now) {
		s.log.Warn("sign-in attempts from an address exhausted", "address", akey)
	}
}

// upgrade remakes u's password hash with the current parameters, unless
// the password changed meanwhile. A failure is logged: the sign-in goes on.
func (s *Service) upgrade(ctx context.Context, u storage.User, password string) {
	h, err := s.hash(ctx, password)
	if err != nil {
		s.log.Warn("password hash upgrade failed", "user", toUser(u), "error", err)
		return
	}
	old := string(u.PasswordHash)
	errChanged := errors.New("the password changed meanwhile")
	_, err = s.store.UpdateUser(ctx, u.ID, func(cur *storage.User) error {
		if string(cur.PasswordHash) != old {
			return errChanged
		}
		cur.PasswordHash = []byte(h)
		return nil
	})
	if err != nil && !errors.Is(err, errChanged) {
		s.log.Warn("password hash upgrade failed", "user", toUser(u), "error", err)
		return
	}
	if err == nil {
		s.log.Info("password hash upgraded to the current parameters", "user", toUser(u))
	}
}

// Lookup returns the session of a secret (the cookie value) and its user.
// A session past its absolute expiry or idle longer than IdleTimeout is
// deleted and refused (ErrSessionExpired); an unknown or malformed secret
// is ErrNoSession; a session of a disabled user ends all of that user's
// sessions (ErrDisabled). The session's last-seen time is written only
// when it is older than TouchInterval, not on every request.
func (s *Service) Lookup(ctx context.Context, secret Secret) (Session, error) {
	if !secret.wellFormed() {
		return Session{}, ErrNoSession
	}
	id := secret.id()
	ss, err := s.store.Session(ctx, id)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return Session{}, ErrNoSession
		}
		return Session{}, fmt.Errorf("accounts: look up session: %w", err)
	}
	now := s.cfg.Now()
	if !now.Before(ss.Expires) || now.Sub(ss.LastSeen) >= s.cfg.IdleTimeout {
		if err := s.store.DeleteSession(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
			s.log.Warn("delete an expired session", "error", err)
		}
		return Session{}, ErrSessionExpired
	}
	su, err := s.store.User(ctx, ss.UserID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		_ = s.store.DeleteSession(ctx, id)
		return Session{}, ErrNoSession
	case err != nil:
		return Session{}, fmt.Errorf("accounts: look up session: %w", err)
	case su.Disabled:
		if _, err := s.store.DeleteUserSessions(ctx, su.ID, nil); err != nil {
			s.log.Warn("end the sessions of a disabled user", "user", toUser(su), "error", err)
		}
		return Session{}, ErrDisabled
	}
	if now.Sub(ss.LastSeen) >= s.cfg.TouchInterval {
		switch err := s.store.TouchSession(ctx, id, now); {
		case errors.Is(err, storage.ErrNotFound):
			return Session{}, ErrNoSession // signed out meanwhile
		case err != nil:
			s.log.Warn("record a session's last use", "user", toUser(su), "error", err)
		default:
			ss.LastSeen = now.UTC()
		}
	}
	return s.toSession(ss, toUser(su)), nil
}

// SignOut ends the session of secret; signing out of a session that is
// gone is not an error.
func (s *Service) SignOut(ctx context.Context, secret Secret) error {
	if !secret.wellFormed() {
		return nil
	}
	if err := s.store.DeleteSession(ctx, secret.id()); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("accounts: sign out: %w", err)
	}
	return nil
}

// SignOutEverywhere ends every session of a user in one write and returns
// how many it ended.
func (s *Service) SignOutEverywhere(ctx context.Context, userID string) (int, error) {
	n, err := s.store.DeleteUserSessions(ctx, userID, nil)
	if err != nil {
		return 0, fmt.Errorf("accounts: sign out everywhere: %w", err)
	}
	return n, nil
}

// Sessions lists a user's sessions, oldest first (expired ones that were
// not pruned yet included: see Expires and IdleExpires).
func (s *Service) Sessions(ctx context.Context, userID string) ([]Session, error) {
	su, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("accounts: sessions: %w", err)
	}
	ss, err := s.store.UserSessions(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("accounts: sessions: %w", err)
	}
	out := make([]Session, len(ss))
	for i := range ss {
		out[i] = s.toSession(ss[i], toUser(su))
	}
	return out, nil
}

// EndSession ends one of a user's sessions by its Session.ID (a page's
// "sign out that device"); ErrNoSession when the user has no such session.
func (s *Service) EndSession(ctx context.Context, userID, sessionID string) error {
	id, err := hex.DecodeString(sessionID)
	if err != nil || len(id) != sha256.Size {
		return ErrNoSession
	}
	ss, err := s.store.Session(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return ErrNoSession
	case err != nil:
		return fmt.Errorf("accounts: end session: %w", err)
	case ss.UserID != userID:
		return ErrNoSession
	}
	if err := s.store.DeleteSession(ctx, id); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return ErrNoSession
		}
		return fmt.Errorf("accounts: end session: %w", err)
	}
	return nil
}

// PruneSessions deletes sessions past their absolute expiry, at most a
// thousand per call, and returns how many: the node's timer calls it (and
// calls again soon when it returned a full batch).
func (s *Service) PruneSessions(ctx context.Context) (int, error) {
	n, err := s.store.PruneSessions(ctx, s.cfg.Now(), pruneBatch)
	if err != nil {
		return 0, fmt.Errorf("accounts: prune sessions: %w", err)
	}
	return n, nil
}
