package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Buckets schema version 5 adds: the accounts of people who use the node in
// a browser (apart from API tokens), their sign-in sessions and the audit
// list of the changes they make (doc.go has the layout).
var (
	// bUsers: user id (ULID) → User (JSON).
	bUsers = []byte("users")
	// bUsernames: FoldUsername(username) → user id (usernames are unique
	// case-insensitively).
	bUsernames = []byte("usernames")
	// bUserOIDC: str(issuer) str(subject) → user id (an OpenID Connect
	// subject signs in one user only).
	bUserOIDC = []byte("user_oidc")
	// bSessions: SHA-256 of the session secret → Session (JSON). The
	// secret itself is never stored.
	bSessions = []byte("sessions")
	// bUserSessions: str(user id) sha256 → "" (a user's sessions, so that
	// "sign out everywhere" is one prefix scan).
	bUserSessions = []byte("user_sessions")
	// bSessionExp: be64(expires, Unix ns) sha256 → "" (the pruning order).
	bSessionExp = []byte("session_exp")
	// bAudit: be64(seq) → AuditEntry (JSON), append-only, pruned oldest
	// first beyond a retention count.
	bAudit = []byte("audit")
)

var schemaV5Buckets = [][]byte{bUsers, bUsernames, bUserOIDC, bSessions, bUserSessions, bSessionExp, bAudit}

// mAuditSeq: meta key of the last audit sequence (absent reads as zero).
var mAuditSeq = []byte("audit.seq")

// migrateV5 adds the account, session and audit buckets.
func migrateV5(tx *bbolt.Tx, _ time.Time) error {
	return createBuckets(tx, schemaV5Buckets)
}

// The roles a user may have (the same names and order as API tokens':
// admin ⊃ editor ⊃ reader).
const (
	UserReader = "reader"
	UserEditor = "editor"
	UserAdmin  = "admin"
)

// Limits of user fields, in bytes.
const (
	MaxUsername     = 64
	MaxDisplayName  = 128
	MaxPasswordHash = 512
	MaxOIDCIssuer   = 2048
	MaxOIDCSubject  = 255
)

// ErrUserDisabled: a session was to be created for a disabled user.
var ErrUserDisabled = errors.New("user is disabled")

// FieldError is a write refused because one field is malformed; it wraps
// ErrInvalidObject. Field is the JSON name of the field.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrInvalidObject, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidObject) hold.
func (e *FieldError) Unwrap() error { return ErrInvalidObject }

// DuplicateError is a write refused because a unique field's value already
// belongs to another record (Owner): a username (case-insensitively), an
// OpenID Connect subject, an id. errors.Is(err, ErrConflict) holds.
type DuplicateError struct {
	Field string // "username", "oidc_subject", "id", "session"
	Value string
	Owner string // the id of the record that holds it
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("storage: %s %q is already used by %s", e.Field, protocol.Clip(e.Value, 80), e.Owner)
}

// Is makes errors.Is(err, ErrConflict) hold.
func (e *DuplicateError) Is(target error) bool { return target == ErrConflict }

// User is a person's account on the node. PasswordHash is opaque here (the
// application's encoded hash); it is empty for a user who signs in with
// OpenID Connect only. OIDCIssuer and OIDCSubject are both set or both empty.
type User struct {
	ID           string    `json:"id"` // ULID
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name,omitempty"`
	Role         string    `json:"role"` // reader, editor or admin
	Disabled     bool      `json:"disabled,omitempty"`
	PasswordHash []byte    `json:"password_hash,omitempty"`
	OIDCIssuer   string    `json:"oidc_issuer,omitempty"`
	OIDCSubject  string    `json:"oidc_subject,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
	LastSignIn   time.Time `json:"last_sign_in,omitzero"`
}

// String names the user without its password hash.
func (u User) String() string { return fmt.Sprintf("user %s (%s)", u.ID, u.Username) }

// LogValue logs the user without its password hash.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", u.ID), slog.String("username", u.Username),
		slog.String("role", u.Role), slog.Bool("disabled", u.Disabled))
}

// FoldUsername is the key under which a username is unique: usernames are
// ASCII (see CheckUsername), so folding is lower-casing.
func FoldUsername(s string) string { return strings.ToLower(s) }

// CheckUsername reports why s is not a valid username: 1 to MaxUsername
// ASCII letters, digits and . _ - @ +, starting with a letter or digit (an
// e-mail address fits; look-alike Unicode names cannot be made).
func CheckUsername(s string) error {
	if s == "" || len(s) > MaxUsername {
		return &FieldError{Field: "username", Reason: fmt.Sprintf("must have 1 to %d characters", MaxUsername)}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum {
			return &FieldError{Field: "username", Reason: "must start with a letter or a digit"}
		}
		if !alnum && !strings.ContainsRune("._-@+", rune(c)) {
			return &FieldError{Field: "username", Reason: "may contain only ASCII letters, digits and . _ - @ +"}
		}
	}
	return nil
}

// ValidUserRole reports whether r is reader, editor or admin.
func ValidUserRole(r string) bool { return r == UserReader || r == UserEditor || r == UserAdmin }

func checkUser(u *User) error {
	if !protocol.ValidULID(u.ID) {
		return &FieldError{Field: "id", Reason: "is not a ULID"}
	}
	if err := CheckUsername(u.Username); err != nil {
		return err
	}
	switch {
	case len(u.DisplayName) > MaxDisplayName || !printable(u.DisplayName):
		return &FieldError{Field: "display_name", Reason: fmt.Sprintf("must be printable and at most %d bytes", MaxDisplayName)}
	case !ValidUserRole(u.Role):
		return &FieldError{Field: "role", Reason: fmt.Sprintf("%q is not one of reader, editor, admin", protocol.Clip(u.Role, 40))}
	case len(u.PasswordHash) > MaxPasswordHash:
		return &FieldError{Field: "password_hash", Reason: fmt.Sprintf("is longer than %d bytes", MaxPasswordHash)}
	case (u.OIDCIssuer == "") != (u.OIDCSubject == ""):
		return &FieldError{Field: "oidc_subject", Reason: "issuer and subject must be both set or both empty"}
	case len(u.OIDCIssuer) > MaxOIDCIssuer || !printable(u.OIDCIssuer):
		return &FieldError{Field: "oidc_issuer", Reason: fmt.Sprintf("must be printable and at most %d bytes", MaxOIDCIssuer)}
	case len(u.OIDCSubject) > MaxOIDCSubject || !printable(u.OIDCSubject):
		return &FieldError{Field: "oidc_subject", Reason: fmt.Sprintf("must be printable and at most %d bytes", MaxOIDCSubject)}
	}
	return nil
}

func oidcKey(issuer, subject string) []byte {
	return appendStr(appendStr(nil, issuer), subject)
}

func userSessionPrefix(userID string) []byte { return appendStr(nil, userID) }

// CreateUser stores a new user, durably. A zero Created is set to the
// store's clock; Updated is set to Created. An id, username (compared
// case-insensitively) or OpenID Connect subject already held by another
// user is refused with a *DuplicateError (ErrConflict); a malformed field
// with a *FieldError (ErrInvalidObject).
func (acc Accounts) CreateUser(ctx context.Context, u User) error {
	s := acc.s
	if err := checkUser(&u); err != nil {
		return fmt.Errorf("storage: create user: %w", err)
	}
	if u.Created.IsZero() {
		u.Created = s.now()
	}
	u.Created = u.Created.UTC()
	u.Updated, u.LastSignIn = u.Created, u.LastSignIn.UTC()
	val, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("storage: create user %s: %w", u.ID, err)
	}
	_, err = s.submit(ctx, "create user "+u.ID, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		if ov.get(bUsers, []byte(u.ID)) != nil {
			return 0, &DuplicateError{Field: "id", Value: u.ID, Owner: u.ID}
		}
		uk := []byte(FoldUsername(u.Username))
		if owner := ov.get(bUsernames, uk); owner != nil {
			return 0, &DuplicateError{Field: "username", Value: u.Username, Owner: string(owner)}
		}
		if u.OIDCSubject != "" {
			ok := oidcKey(u.OIDCIssuer, u.OIDCSubject)
			if owner := ov.get(bUserOIDC, ok); owner != nil {
				return 0, &DuplicateError{Field: "oidc_subject", Value: u.OIDCIssuer + " " + u.OIDCSubject, Owner: string(owner)}
			}
			ov.put(bUserOIDC, ok, []byte(u.ID))
		}
		ov.put(bUsers, []byte(u.ID), val)
		ov.put(bUsernames, uk, []byte(u.ID))
		return 0, ov.flush()
	})
	return err
}

// UpdateUser changes a user, durably: change gets the stored user and
// edits it in place, inside the committer's transaction, so that a
// read-modify-write (a password upgrade that must not overwrite a password
// set meanwhile) is atomic. change may run more than once (a batch can be
// retried): it must depend only on its argument. An error from change is
// returned as it is and nothing is written. ID and Created cannot change;
// Updated is set to the store's clock. Indexes follow a new username or
// OpenID Connect subject (a *DuplicateError when another user holds it).
// A user who is disabled by the change (or was) loses every session in the
// same transaction. ErrNotFound when there is no such user.
func (acc Accounts) UpdateUser(ctx context.Context, id string, change func(*User) error) (User, error) {
	s := acc.s
	var out User
	what := "update user " + id
	_, err := s.submit(ctx, what, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		old, err := getUser(ov, id)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		u := old
		u.PasswordHash = bytes.Clone(old.PasswordHash)
		if err := change(&u); err != nil {
			return 0, err
		}
		u.ID, u.Created = old.ID, old.Created
		if err := checkUser(&u); err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		u.Updated, u.LastSignIn = s.now().UTC(), u.LastSignIn.UTC()
		if ok, nk := FoldUsername(old.Username), FoldUsername(u.Username); ok != nk {
			if owner := ov.get(bUsernames, []byte(nk)); owner != nil {
				return 0, &DuplicateError{Field: "username", Value: u.Username, Owner: string(owner)}
			}
			ov.del(bUsernames, []byte(ok))
			ov.put(bUsernames, []byte(nk), []byte(id))
		}
		if old.OIDCIssuer != u.OIDCIssuer || old.OIDCSubject != u.OIDCSubject {
			if u.OIDCSubject != "" {
				nk := oidcKey(u.OIDCIssuer, u.OIDCSubject)
				if owner := ov.get(bUserOIDC, nk); owner != nil && string(owner) != id {
					return 0, &DuplicateError{Field: "oidc_subject", Value: u.OIDCIssuer + " " + u.OIDCSubject, Owner: string(owner)}
				}
				ov.put(bUserOIDC, nk, []byte(id))
			}
			if old.OIDCSubject != "" {
				ov.del(bUserOIDC, oidcKey(old.OIDCIssuer, old.OIDCSubject))
			}
		}
		if u.Disabled {
			if _, err := deleteUserSessions(ov, id, nil); err != nil {
				return 0, fmt.Errorf("storage: %s: %w", what, err)
			}
		}
		val, err := json.Marshal(u)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		ov.put(bUsers, []byte(id), val)
		out = u
		return 0, ov.flush()
	})
	if err != nil {
		return User{}, err
	}
	return out, nil
}

// DeleteUser removes a user, its index entries and its sessions, durably;
// ErrNotFound when there is none. Audit entries keep its id and username.
func (acc Accounts) DeleteUser(ctx context.Context, id string) error {
	s := acc.s
	what := "delete user " + id
	_, err := s.submit(ctx, what, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		u, err := getUser(ov, id)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		if _, err := deleteUserSessions(ov, id, nil); err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		if uk := []byte(FoldUsername(u.Username)); string(ov.get(bUsernames, uk)) == id {
			ov.del(bUsernames, uk)
		}
		if u.OIDCSubject != "" {
			if ok := oidcKey(u.OIDCIssuer, u.OIDCSubject); string(ov.get(bUserOIDC, ok)) == id {
				ov.del(bUserOIDC, ok)
			}
		}
		ov.del(bUsers, []byte(id))
		return 0, ov.flush()
	})
	return err
}

// getUser reads a user through an overlay; ErrNotFound.
func getUser(ov *overlay, id string) (User, error) {
	raw := ov.get(bUsers, []byte(id))
	if raw == nil {
		return User{}, fmt.Errorf("user %s: %w", protocol.Clip(id, 40), ErrNotFound)
	}
	var u User
	if err := json.Unmarshal(raw, &u); err != nil {
		return User{}, fmt.Errorf("user %s: %w: %v", id, errCorrupt, err)
	}
	return u, nil
}

func readUser(tx *bbolt.Tx, id []byte) (User, error) {
	raw := tx.Bucket(bUsers).Get(id)
	if raw == nil {
		return User{}, fmt.Errorf("user %s: %w", protocol.Clip(string(id), 40), ErrNotFound)
	}
	var u User
	if err := json.Unmarshal(raw, &u); err != nil {
		return User{}, fmt.Errorf("user %s: %w: %v", id, errCorrupt, err)
	}
	return u, nil
}

// User returns the user id; ErrNotFound.
func (acc Accounts) User(ctx context.Context, id string) (User, error) {
	s := acc.s
	var u User
	err := s.view(ctx, "get user", func(tx *bbolt.Tx) error {
		var err error
		u, err = readUser(tx, []byte(id))
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("storage: %w", err)
	}
	return u, nil
}

// UserByUsername returns the user whose username equals name
// case-insensitively; ErrNotFound.
func (acc Accounts) UserByUsername(ctx context.Context, name string) (User, error) {
	return acc.userBy(ctx, "user by username", bUsernames, []byte(FoldUsername(name)))
}

// UserByOIDC returns the user the OpenID Connect subject (issuer, subject)
// signs in; ErrNotFound.
func (acc Accounts) UserByOIDC(ctx context.Context, issuer, subject string) (User, error) {
	return acc.userBy(ctx, "user by OIDC subject", bUserOIDC, oidcKey(issuer, subject))
}

func (acc Accounts) userBy(ctx context.Context, what string, index, key []byte) (User, error) {
	s := acc.s
	var u User
	err := s.view(ctx, what, func(tx *bbolt.Tx) error {
		id := tx.Bucket(index).Get(key)
		if id == nil {
			return fmt.Errorf("storage: %s: %w", what, ErrNotFound)
		}
		var err error
		if u, err = readUser(tx, id); err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		return nil
	})
	return u, err
}

// Users lists every user, by id (creation order).
func (acc Accounts) Users(ctx context.Context) ([]User, error) {
	s := acc.s
	var out []User
	err := listJSON(s, ctx, "list users", bUsers, &out)
	return out, err
}

// VerifyAccounts checks the account buckets' invariants in one read
// transaction: every index entry points at a user that holds it and every
// user is indexed; every session belongs to an existing, enabled user and
// is indexed by user and expiry, and no index entry is left without its
// session; audit keys do not pass the audit sequence. It returns every
// violation found (errors.Join), or nil.
func (acc Accounts) VerifyAccounts(ctx context.Context) error {
	s := acc.s
	var problems []error
	err := s.view(ctx, "verify accounts", func(tx *bbolt.Tx) error {
		problems = verifyAccountsTx(tx)
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("storage: verify accounts: %d problems: %w", len(problems), errors.Join(problems...))
	}
	return nil
}

func verifyAccountsTx(tx *bbolt.Tx) []error {
	var problems []error
	report := func(format string, args ...any) {
		if len(problems) < 100 {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	for _, name := range schemaV5Buckets {
		if tx.Bucket(name) == nil {
			return []error{fmt.Errorf("bucket %s is missing", name)}
		}
	}
	users := map[string]User{}
	_ = tx.Bucket(bUsers).ForEach(func(k, v []byte) error {
		var u User
		if err := json.Unmarshal(v, &u); err != nil {
			report("user %s: %v", k, err)
			return nil
		}
		if u.ID != string(k) {
			report("user %s: record says id %s", k, u.ID)
		}
		if err := checkUser(&u); err != nil {
			report("user %s: %v", k, err)
		}
		users[string(k)] = u
		if owner := tx.Bucket(bUsernames).Get([]byte(FoldUsername(u.Username))); string(owner) != u.ID {
			report("user %s: username %q is indexed to %q", k, u.Username, owner)
		}
		if u.OIDCSubject != "" {
			if owner := tx.Bucket(bUserOIDC).Get(oidcKey(u.OIDCIssuer, u.OIDCSubject)); string(owner) != u.ID {
				report("user %s: OIDC subject is indexed to %q", k, owner)
			}
		}
		return nil
	})
	_ = tx.Bucket(bUsernames).ForEach(func(k, v []byte) error {
		if u, ok := users[string(v)]; !ok || FoldUsername(u.Username) != string(k) {
			report("username index %q → %s: no such user holds it", k, v)
		}
		return nil
	})
	_ = tx.Bucket(bUserOIDC).ForEach(func(k, v []byte) error {
		if u, ok := users[string(v)]; !ok || u.OIDCSubject == "" || !bytes.Equal(oidcKey(u.OIDCIssuer, u.OIDCSubject), k) {
			report("OIDC index %q → %s: no such user holds it", k, v)
		}
		return nil
	})
	sessions := map[string]Session{}
	_ = tx.Bucket(bSessions).ForEach(func(k, v []byte) error {
		var ss Session
		if err := json.Unmarshal(v, &ss); err != nil {
			report("session %x: %v", k, err)
			return nil
		}
		if !bytes.Equal(ss.ID, k) {
			report("session %x: record says id %x", k, ss.ID)
		}
		sessions[string(k)] = ss
		if u, ok := users[ss.UserID]; !ok || u.Disabled {
			report("session %x: user %s is missing or disabled", k, ss.UserID)
		}
		if tx.Bucket(bUserSessions).Get(append(userSessionPrefix(ss.UserID), k...)) == nil {
			report("session %x: not indexed by user", k)
		}
		if tx.Bucket(bSessionExp).Get(sessionExpKey(&ss)) == nil {
			report("session %x: not indexed by expiry", k)
		}
		return nil
	})
	n := 0
	_ = tx.Bucket(bUserSessions).ForEach(func(k, _ []byte) error {
		n++
		if len(k) < 32 {
			report("user session index key %x is too short", k)
			return nil
		}
		ss, ok := sessions[string(k[len(k)-32:])]
		if !ok || !bytes.Equal(userSessionPrefix(ss.UserID), k[:len(k)-32]) {
			report("user session index key %x: no such session of that user", k)
		}
		return nil
	})
	m := 0
	_ = tx.Bucket(bSessionExp).ForEach(func(k, _ []byte) error {
		m++
		if len(k) != 8+32 {
			report("session expiry key %x has the wrong length", k)
			return nil
		}
		ss, ok := sessions[string(k[8:])]
		if !ok || !bytes.Equal(be64(nanos(ss.Expires)), k[:8]) {
			report("session expiry key %x: no such session expiring then", k)
		}
		return nil
	})
	if n != len(sessions) || m != len(sessions) {
		report("%d sessions, %d user index entries, %d expiry index entries", len(sessions), n, m)
	}
	seq := counterTx(tx, mAuditSeq)
	if k, _ := tx.Bucket(bAudit).Cursor().Last(); k != nil && (len(k) != 8 || binary.BigEndian.Uint64(k) > seq) {
		report("audit key %x passes the audit sequence %d", k, seq)
	}
	return problems
}

// sortSessions orders sessions by creation, oldest first.
func sortSessions(ss []Session) {
	slices.SortFunc(ss, func(a, b Session) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return bytes.Compare(a.ID, b.ID)
	})
}
