package accounts

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/storage"
)

// The store's Accounts view is the real implementation.
var _ Store = storage.Accounts{}

// fakeStore keeps everything in maps, with the storage's semantics that
// the service relies on: unique usernames, disabling ends sessions,
// sessions only for enabled users.
type fakeStore struct {
	mu       sync.Mutex
	users    map[string]storage.User
	sessions map[string]storage.Session
	audit    []storage.AuditEntry
	touches  int
	writes   int
}

func newFakeStore() *fakeStore {
	return &fakeStore{users: map[string]storage.User{}, sessions: map[string]storage.Session{}}
}

func (f *fakeStore) CreateUser(_ context.Context, u storage.User) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := storage.CheckUsername(u.Username); err != nil {
		return err
	}
	for _, o := range f.users {
		if storage.FoldUsername(o.Username) == storage.FoldUsername(u.Username) {
			return &storage.DuplicateError{Field: "username", Value: u.Username, Owner: o.ID}
		}
		if u.OIDCSubject != "" && o.OIDCIssuer == u.OIDCIssuer && o.OIDCSubject == u.OIDCSubject {
			return &storage.DuplicateError{Field: "oidc_subject", Value: u.OIDCSubject, Owner: o.ID}
		}
	}
	u.Updated = u.Created
	f.users[u.ID] = u
	f.writes++
	return nil
}

func (f *fakeStore) UpdateUser(_ context.Context, id string, change func(*storage.User) error) (storage.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return storage.User{}, fmt.Errorf("fake: user %s: %w", id, storage.ErrNotFound)
	}
	u.PasswordHash = bytes.Clone(u.PasswordHash)
	if err := change(&u); err != nil {
		return storage.User{}, err
	}
	if !storage.ValidUserRole(u.Role) {
		return storage.User{}, &storage.FieldError{Field: "role", Reason: "bad"}
	}
	if u.Disabled {
		f.deleteUserSessions(id, nil)
	}
	f.users[id] = u
	f.writes++
	return u, nil
}

func (f *fakeStore) User(_ context.Context, id string) (storage.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return storage.User{}, fmt.Errorf("fake: user: %w", storage.ErrNotFound)
	}
	return u, nil
}

func (f *fakeStore) UserByUsername(_ context.Context, name string) (storage.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if storage.FoldUsername(u.Username) == storage.FoldUsername(name) {
			return u, nil
		}
	}
	return storage.User{}, fmt.Errorf("fake: user by username: %w", storage.ErrNotFound)
}

func (f *fakeStore) UserByOIDC(_ context.Context, issuer, subject string) (storage.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.OIDCSubject != "" && u.OIDCIssuer == issuer && u.OIDCSubject == subject {
			return u, nil
		}
	}
	return storage.User{}, fmt.Errorf("fake: user by OIDC subject: %w", storage.ErrNotFound)
}

func (f *fakeStore) Users(context.Context) ([]storage.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.User
	for _, u := range f.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b storage.User) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (f *fakeStore) CreateSession(_ context.Context, s storage.Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[s.UserID]
	if !ok {
		return storage.ErrNotFound
	}
	if u.Disabled {
		return storage.ErrUserDisabled
	}
	if _, ok := f.sessions[string(s.ID)]; ok {
		return storage.ErrConflict
	}
	u.LastSignIn = s.Created
	f.users[u.ID] = u
	f.sessions[string(s.ID)] = s
	f.writes++
	return nil
}

func (f *fakeStore) Session(_ context.Context, id []byte) (storage.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[string(id)]
	if !ok {
		return storage.Session{}, fmt.Errorf("fake: session: %w", storage.ErrNotFound)
	}
	return s, nil
}

func (f *fakeStore) UserSessions(_ context.Context, userID string) ([]storage.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.Session
	for _, s := range f.sessions {
		if s.UserID == userID {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b storage.Session) int { return a.Created.Compare(b.Created) })
	return out, nil
}

func (f *fakeStore) TouchSession(_ context.Context, id []byte, seen time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[string(id)]
	if !ok {
		return storage.ErrNotFound
	}
	f.touches++
	f.writes++
	if seen.After(s.LastSeen) {
		s.LastSeen = seen
		f.sessions[string(id)] = s
	}
	return nil
}

func (f *fakeStore) DeleteSession(_ context.Context, id []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sessions[string(id)]; !ok {
		return storage.ErrNotFound
	}
	delete(f.sessions, string(id))
	f.writes++
	return nil
}

func (f *fakeStore) deleteUserSessions(userID string, except []byte) int {
	n := 0
	for k, s := range f.sessions {
		if s.UserID == userID && !bytes.Equal(s.ID, except) {
			delete(f.sessions, k)
			n++
		}
	}
	return n
}

func (f *fakeStore) DeleteUserSessions(_ context.Context, userID string, except []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	return f.deleteUserSessions(userID, except), nil
}

func (f *fakeStore) PruneSessions(_ context.Context, now time.Time, limit int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, s := range f.sessions {
		if n < limit && !s.Expires.After(now) {
			delete(f.sessions, k)
			n++
		}
	}
	return n, nil
}

func (f *fakeStore) AppendAudit(_ context.Context, e storage.AuditEntry, keep int) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e.Seq = uint64(len(f.audit)) + 1
	f.audit = append(f.audit, e)
	return e.Seq, nil
}

func (f *fakeStore) ListAudit(_ context.Context, before uint64, limit int) ([]storage.AuditEntry, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.AuditEntry
	for i := len(f.audit) - 1; i >= 0 && len(out) < limit; i-- {
		if before == 0 || f.audit[i].Seq < before {
			out = append(out, f.audit[i])
		}
	}
	return out, 0, nil
}

func (f *fakeStore) sessionCount(userID string) int {
	ss, _ := f.UserSessions(context.Background(), userID)
	return len(ss)
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// cheap are parameters that make tests fast; the default ones are tested
// once, and by the benchmark.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var testKey = []byte("0123456789abcdef0123456789abcdef")

var epoch = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

type env struct {
	svc   *Service
	store *fakeStore
	clock *clock
	logs  *bytes.Buffer
}

func newEnv(t testing.TB, edit func(*Config)) *env {
	t.Helper()
	e := &env{store: newFakeStore(), clock: &clock{t: epoch}, logs: &bytes.Buffer{}}
	cfg := Config{Hash: cheap, CSRFKey: testKey, Now: e.clock.Now, Logger: newLogger(e.logs)}
	if edit != nil {
		edit(&cfg)
	}
	svc, err := New(e.store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	return e
}

func (e *env) user(t testing.TB, name, password string) User {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), NewUser{Username: name, DisplayName: "User " + name, Role: RoleEditor, Password: password})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func (e *env) signIn(t testing.TB, name, password string) Secret {
	t.Helper()
	sec, _, err := e.svc.Authenticate(context.Background(), name, password, Client{Address: "192.0.2.1", UserAgent: "test"})
	if err != nil {
		t.Fatalf("sign in %s: %v", name, err)
	}
	return sec
}

func randReader() io.Reader { return rand.Reader }
