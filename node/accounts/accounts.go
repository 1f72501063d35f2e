package accounts

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// UserStore keeps users (the store's Accounts view implements it).
type UserStore interface {
	CreateUser(ctx context.Context, u storage.User) error
	// UpdateUser runs change inside the write (a compare-and-set is
	// possible); disabling a user deletes its sessions in the same write.
	UpdateUser(ctx context.Context, id string, change func(*storage.User) error) (storage.User, error)
	User(ctx context.Context, id string) (storage.User, error)
	UserByUsername(ctx context.Context, name string) (storage.User, error)
	UserByOIDC(ctx context.Context, issuer, subject string) (storage.User, error)
	Users(ctx context.Context) ([]storage.User, error)
}

// SessionStore keeps sessions by the SHA-256 of their secret
// (the store's Accounts view implements it).
type SessionStore interface {
	// CreateSession also records the user's last sign-in; it refuses a
	// disabled user (storage.ErrUserDisabled).
	CreateSession(ctx context.Context, s storage.Session) error
	Session(ctx context.Context, id []byte) (storage.Session, error)
	UserSessions(ctx context.Context, userID string) ([]storage.Session, error)
	TouchSession(ctx context.Context, id []byte, seen time.Time) error
	DeleteSession(ctx context.Context, id []byte) error
	DeleteUserSessions(ctx context.Context, userID string, except []byte) (int, error)
	PruneSessions(ctx context.Context, now time.Time, limit int) (int, error)
}

// AuditStore keeps the audit list (the store's Accounts view implements it).
type AuditStore interface {
	AppendAudit(ctx context.Context, e storage.AuditEntry, keep int) (uint64, error)
	ListAudit(ctx context.Context, before uint64, limit int) ([]storage.AuditEntry, uint64, error)
}

// Store is all the storage the service uses.
type Store interface {
	UserStore
	SessionStore
	AuditStore
}

// Errors of the storage a page may test for, under this package's names.
var (
	// ErrNotFound: no such user.
	ErrNotFound = storage.ErrNotFound
	// ErrConflict: a username or OIDC subject is taken (a *DuplicateError).
	ErrConflict = storage.ErrConflict
	// ErrInvalid: a malformed field (a *FieldError naming it).
	ErrInvalid = storage.ErrInvalidObject
)

type (
	// FieldError names the malformed field of a user (Field: "username",
	// "display_name", "role", ...).
	FieldError = storage.FieldError
	// DuplicateError names the unique field whose value is taken.
	DuplicateError = storage.DuplicateError
	// AuditEntry is one entry of the audit list.
	AuditEntry = storage.AuditEntry
)

// Role is what a user may do: admin ⊃ editor ⊃ reader, as API tokens.
type Role string

// The roles.
const (
	RoleReader Role = storage.UserReader
	RoleEditor Role = storage.UserEditor
	RoleAdmin  Role = storage.UserAdmin
)

func (r Role) rank() int {
	switch r {
	case RoleReader:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Allows reports whether r includes need (an unknown role allows nothing).
func (r Role) Allows(need Role) bool { return r.rank() > 0 && r.rank() >= need.rank() }

// ParseRole checks a role name (case-insensitively).
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.rank() == 0 {
		return "", &FieldError{Field: "role", Reason: fmt.Sprintf("%q is not one of reader, editor, admin", protocol.Clip(s, 40))}
	}
	return r, nil
}

// User is a person's account as pages see it: never its password hash.
type User struct {
	ID          string
	Username    string
	DisplayName string
	Role        Role
	Disabled    bool
	HasPassword bool // false: the user signs in with OpenID Connect only
	OIDCIssuer  string
	OIDCSubject string
	Created     time.Time
	Updated     time.Time
	LastSignIn  time.Time // zero: never
}

func toUser(u storage.User) User {
	return User{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: Role(u.Role), Disabled: u.Disabled,
		HasPassword: len(u.PasswordHash) > 0, OIDCIssuer: u.OIDCIssuer, OIDCSubject: u.OIDCSubject,
		Created: u.Created, Updated: u.Updated, LastSignIn: u.LastSignIn}
}

// LogValue logs who the user is.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", u.ID), slog.String("username", u.Username), slog.String("role", string(u.Role)))
}

// NewUser is what CreateUser needs. Password may be empty only when an
// OpenID Connect subject (issuer and subject) is given. Printing or logging
// a NewUser never shows the password.
type NewUser struct {
	Username    string
	DisplayName string
	Role        Role
	Password    string
	OIDCIssuer  string
	OIDCSubject string
}

// String shows the new user without its password.
func (n NewUser) String() string {
	return fmt.Sprintf("new user %q (role %s, password %s)", n.Username, n.Role, redactedIf(n.Password != ""))
}

// GoString is String (for %#v).
func (n NewUser) GoString() string { return n.String() }

// LogValue logs the new user without its password.
func (n NewUser) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", n.Username), slog.String("role", string(n.Role)),
		slog.String("password", redactedIf(n.Password != "")))
}

const redacted = "[redacted]"

func redactedIf(set bool) string {
	if set {
		return redacted
	}
	return "(none)"
}

// Config tunes a Service; zero fields take the defaults below. CSRFKey is
// required.
type Config struct {
	// SessionLifetime is a session's absolute lifetime (default 12 h);
	// IdleTimeout ends a session unused that long (default 30 min);
	// TouchInterval is how stale a session's last-seen time may get before
	// a lookup writes it (default 1 min: not one write per request).
	SessionLifetime time.Duration
	IdleTimeout     time.Duration
	TouchInterval   time.Duration

	// Hash are the parameters of new password hashes (default
	// DefaultParams); a sign-in remakes a weaker stored hash with them.
	// MaxHashes bounds the hashes computed at once, each of which takes
	// Hash.Memory (default 2); further sign-ins wait their turn.
	Hash      Params
	MaxHashes int

	// Per username (known or not): MaxFailures failures (default 5) within
	// FailureWindow (default 15 min) lock it for Lockout (default 5 min),
	// doubling with every lock that follows another, up to MaxLockout
	// (default 1 h).
	MaxFailures   int
	FailureWindow time.Duration
	Lockout       time.Duration
	MaxLockout    time.Duration

	// Per client address (an IPv4 address or an IPv6 /64): AddressBurst
	// failures (default 20), then one more every AddressRefill (default
	// 30 s); an address out of tries may not try until then.
	AddressBurst  int
	AddressRefill time.Duration

	// MaxTracked bounds the usernames and the addresses the limits
	// remember (default 10,000 each; the least recently used is forgotten).
	MaxTracked int

	// AuditRetention is how many audit entries are kept (default
	// storage.DefaultAuditRetention).
	AuditRetention int

	// CSRFKey is the node's key for CSRF tokens (at least 32 random bytes,
	// kept secret and stable across restarts, so that open forms survive
	// one).
	CSRFKey []byte

	Now    func() time.Time // default time.Now
	Rand   io.Reader        // default crypto/rand.Reader
	Logger *slog.Logger     // default: discard
}

// LogValue logs the configuration without the CSRF key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.Duration("session_lifetime", c.SessionLifetime), slog.Duration("idle_timeout", c.IdleTimeout),
		slog.Any("hash", c.Hash), slog.Int("max_failures", c.MaxFailures), slog.String("csrf_key", redacted))
}

// String shows the configuration without the CSRF key.
func (c Config) String() string { return c.LogValue().String() }

// GoString is String (for %#v).
func (c Config) GoString() string { return c.String() }

// Defaults of Config.
const (
	DefaultSessionLifetime = 12 * time.Hour
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultTouchInterval   = time.Minute
	DefaultMaxHashes       = 2
	DefaultMaxFailures     = 5
	DefaultFailureWindow   = 15 * time.Minute
	DefaultLockout         = 5 * time.Minute
	DefaultMaxLockout      = time.Hour
	DefaultAddressBurst    = 20
	DefaultAddressRefill   = 30 * time.Second
	DefaultMaxTracked      = 10000
	// MinCSRFKey is the shortest Config.CSRFKey accepted.
	MinCSRFKey = 32
	// pruneBatch bounds the sessions one PruneSessions call deletes.
	pruneBatch = 1000
)

func (c *Config) defaults() {
	setDur := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	setInt := func(n *int, def int) {
		if *n <= 0 {
			*n = def
		}
	}
	setDur(&c.SessionLifetime, DefaultSessionLifetime)
	setDur(&c.IdleTimeout, DefaultIdleTimeout)
	setDur(&c.TouchInterval, DefaultTouchInterval)
	setDur(&c.FailureWindow, DefaultFailureWindow)
	setDur(&c.Lockout, DefaultLockout)
	setDur(&c.MaxLockout, DefaultMaxLockout)
	setDur(&c.AddressRefill, DefaultAddressRefill)
	setInt(&c.MaxHashes, DefaultMaxHashes)
	setInt(&c.MaxFailures, DefaultMaxFailures)
	setInt(&c.AddressBurst, DefaultAddressBurst)
	setInt(&c.MaxTracked, DefaultMaxTracked)
	if c.Hash == (Params{}) {
		c.Hash = DefaultParams
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
}

// Service is the accounts application layer: users, passwords, sign-in
// with its limits, sessions, CSRF tokens and the audit list. Safe for
// concurrent use.
type Service struct {
	store     Store
	cfg       Config
	log       *slog.Logger
	ids       protocol.ULIDSource
	csrfKey   []byte
	dummy     string        // the hash an unknown user's password is checked against
	hashes    chan struct{} // a slot per hash that may run
	accounts  *accountLimiter
	addresses *addressLimiter
}

// New returns the service over store.
func New(store Store, cfg Config) (*Service, error) {
	cfg.defaults()
	if len(cfg.CSRFKey) < MinCSRFKey {
		return nil, fmt.Errorf("accounts: the CSRF key has %d bytes, at least %d are needed", len(cfg.CSRFKey), MinCSRFKey)
	}
	if err := cfg.Hash.check(); err != nil {
		return nil, fmt.Errorf("accounts: hash parameters: %w", err)
	}
	if cfg.IdleTimeout > cfg.SessionLifetime {
		cfg.IdleTimeout = cfg.SessionLifetime
	}
	s := &Service{
		store:   store,
		cfg:     cfg,
		log:     cfg.Logger.With("component", "accounts"),
		csrfKey: bytes.Clone(cfg.CSRFKey),
		hashes:  make(chan struct{}, cfg.MaxHashes),
		accounts: &accountLimiter{max: cfg.MaxFailures, window: cfg.FailureWindow, base: cfg.Lockout,
			capped: max(cfg.MaxLockout, cfg.Lockout), m: newEntries[accountState](cfg.MaxTracked)},
		addresses: &addressLimiter{burst: float64(cfg.AddressBurst), refill: cfg.AddressRefill, m: newEntries[bucket](cfg.MaxTracked)},
	}
	s.cfg.CSRFKey = nil // kept once, in csrfKey
	// The dummy is a hash in form only: a random salt and a random key with
	// the current parameters. Checking a password against it costs one
	// real hash, as for a known user, and never matches; making it costs
	// nothing (a node starts and restores without hashing anything).
	salt, key := make([]byte, cfg.Hash.SaltLen), make([]byte, cfg.Hash.KeyLen)
	if _, err := io.ReadFull(cfg.Rand, salt); err != nil {
		return nil, fmt.Errorf("accounts: random: %w", err)
	}
	if _, err := io.ReadFull(cfg.Rand, key); err != nil {
		return nil, fmt.Errorf("accounts: random: %w", err)
	}
	s.dummy = encodeHash(cfg.Hash, salt, key)
	return s, nil
}

// hash hashes a password, waiting for a hashing slot.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return hashPassword(s.cfg.Hash, password, s.cfg.Rand)
}

// verify checks a password against an encoded hash, waiting for a slot.
func (s *Service) verify(ctx context.Context, encoded, password string) (bool, Params, error) {
	if err := s.acquire(ctx); err != nil {
		return false, Params{}, err
	}
	defer s.release()
	return verifyPassword(encoded, password)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashes <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("accounts: waiting to hash a password: %w", ctx.Err())
	}
}

func (s *Service) release() { <-s.hashes }

// CreateUser makes a user. The username must be valid
// (storage.CheckUsername) and free (case-insensitively), the password meet
// the policy (CheckPassword; a *PolicyError names the rule), and the role
// be one of the three. Errors never contain the password.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (User, error) {
	if err := storage.CheckUsername(n.Username); err != nil {
		return User{}, fmt.Errorf("accounts: create user: %w", err)
	}
	role, err := ParseRole(string(n.Role))
	if err != nil {
		return User{}, fmt.Errorf("accounts: create user %s: %w", n.Username, err)
	}
	u := storage.User{Username: n.Username, DisplayName: strings.TrimSpace(n.DisplayName), Role: string(role),
		OIDCIssuer: n.OIDCIssuer, OIDCSubject: n.OIDCSubject}
	switch {
	case n.Password != "":
		if err := CheckPassword(n.Password, n.Username); err != nil {
			return User{}, fmt.Errorf("accounts: create user %s: %w", n.Username, err)
		}
		h, err := s.hash(ctx, n.Password)
		if err != nil {
			return User{}, fmt.Errorf("accounts: create user %s: %w", n.Username, err)
		}
		u.PasswordHash = []byte(h)
	case n.OIDCSubject == "":
		return User{}, fmt.Errorf("accounts: create user %s: %w", n.Username,
			&PolicyError{Rule: RuleRequired, Message: "is required unless the user signs in with OpenID Connect"})
	}
	now := s.cfg.Now().UTC()
	u.ID, u.Created = s.ids.New(now), now
	if err := s.store.CreateUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("accounts: create user %s: %w", n.Username, err)
	}
	u.Updated = now
	return toUser(u), nil
}

// User returns a user; ErrNotFound.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	u, err := s.store.User(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("accounts: %w", err)
	}
	return toUser(u), nil
}

// UserByUsername returns the user of a username (case-insensitively);
// ErrNotFound.
func (s *Service) UserByUsername(ctx context.Context, name string) (User, error) {
	u, err := s.store.UserByUsername(ctx, name)
	if err != nil {
		return User{}, fmt.Errorf("accounts: %w", err)
	}
	return toUser(u), nil
}

// List returns every user, in creation order.
func (s *Service) List(ctx context.Context) ([]User, error) {
	us, err := s.store.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: list users: %w", err)
	}
	out := make([]User, len(us))
	for i, u := range us {
		out[i] = toUser(u)
	}
	return out, nil
}

// SetPassword gives a user a new password (checked against the policy)
// and ends the user's sessions except keep (the session of the person
// changing their own password; "" ends them all). An administrator
// resetting someone's password passes "".
func (s *Service) SetPassword(ctx context.Context, userID, password string, keep Secret) error {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return fmt.Errorf("accounts: set password: %w", err)
	}
	if err := CheckPassword(password, u.Username); err != nil {
		return fmt.Errorf("accounts: set password of %s: %w", u.Username, err)
	}
	h, err := s.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("accounts: set password of %s: %w", u.Username, err)
	}
	if _, err := s.store.UpdateUser(ctx, userID, func(u *storage.User) error {
		u.PasswordHash = []byte(h)
		return nil
	}); err != nil {
		return fmt.Errorf("accounts: set password of %s: %w", u.Username, err)
	}
	var except []byte
	if keep != "" {
		except = keep.id()
	}
	if _, err := s.store.DeleteUserSessions(ctx, userID, except); err != nil {
		return fmt.Errorf("accounts: set password of %s: end the other sessions: %w", u.Username, err)
	}
	return nil
}

// ChangePassword is a person changing their own password: current must be
// right (a wrong one counts as a failed sign-in of the account, and a
// locked account is refused with a *RetryError), then as SetPassword.
func (s *Service) ChangePassword(ctx context.Context, userID, current, password string, keep Secret) error {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	key := accountKey(u.Username)
	now := s.cfg.Now()
	if err := s.accounts.check(key, now); err != nil {
		return err
	}
	ok := false
	if len(u.PasswordHash) > 0 && len(current) <= MaxPasswordBytes {
		var verr error
		ok, _, verr = s.verify(ctx, string(u.PasswordHash), current)
		if verr != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("accounts: change password of %s: %w", u.Username, verr)
			}
			s.log.Error("stored password hash is unreadable", "user", toUser(u), "error", verr)
		}
	}
	if !ok {
		if until := s.accounts.fail(key, now); !until.IsZero() {
			s.log.Warn("account locked after failed password checks", "user", toUser(u), "until", until)
		}
		return fmt.Errorf("accounts: change password of %s: the current password is wrong: %w", u.Username, ErrInvalidCredentials)
	}
	return s.SetPassword(ctx, userID, password, keep)
}

// Disable stops a user from signing in and ends every session of theirs
// in the same write.
func (s *Service) Disable(ctx context.Context, userID string) error {
	return s.update(ctx, "disable", userID, func(u *storage.User) error { u.Disabled = true; return nil })
}

// Enable lets a disabled user sign in again.
func (s *Service) Enable(ctx context.Context, userID string) error {
	return s.update(ctx, "enable", userID, func(u *storage.User) error { u.Disabled = false; return nil })
}

// SetRole changes a user's role.
func (s *Service) SetRole(ctx context.Context, userID string, role Role) error {
	r, err := ParseRole(string(role))
	if err != nil {
		return fmt.Errorf("accounts: set role: %w", err)
	}
	return s.update(ctx, "set role of", userID, func(u *storage.User) error { u.Role = string(r); return nil })
}

// SetDisplayName changes a user's display name.
func (s *Service) SetDisplayName(ctx context.Context, userID, name string) error {
	name = strings.TrimSpace(name)
	return s.update(ctx, "set display name of", userID, func(u *storage.User) error { u.DisplayName = name; return nil })
}

func (s *Service) update(ctx context.Context, what, userID string, change func(*storage.User) error) error {
	if _, err := s.store.UpdateUser(ctx, userID, change); err != nil {
		return fmt.Errorf("accounts: %s user %s: %w", what, userID, err)
	}
	return nil
}

// accountKey is the unit the account limiter counts: the folded username,
// clipped (unknown usernames are counted too, so their length is bounded).
func accountKey(username string) string {
	k := storage.FoldUsername(username)
	if len(k) > storage.MaxUsername+1 {
		k = k[:storage.MaxUsername+1]
	}
	return k
}
