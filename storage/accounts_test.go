package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

var userIDs protocol.ULIDSource

func newUser(name string) User {
	return User{ID: userIDs.New(testEpoch), Username: name, DisplayName: "User " + name, Role: UserEditor,
		PasswordHash: []byte("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")}
}

func mustCreateUser(t *testing.T, s *Store, u User) User {
	t.Helper()
	if err := s.Accounts().CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", u.Username, err)
	}
	got, err := s.Accounts().User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustVerifyAccounts(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Accounts().VerifyAccounts(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func sessionID(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func TestCreateUserValidation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	cases := []struct {
		name  string
		edit  func(*User)
		field string // "" : accepted
	}{
		{"valid", func(*User) {}, ""},
		{"an e-mail address as username", func(u *User) { u.Username = "Ana.Lopez+zgz@example.org" }, ""},
		{"OIDC only, no password", func(u *User) { u.PasswordHash, u.OIDCIssuer, u.OIDCSubject = nil, "https://id.example", "248289761001" }, ""},
		{"id not a ULID", func(u *User) { u.ID = "user-1" }, "id"},
		{"empty username", func(u *User) { u.Username = "" }, "username"},
		{"long username", func(u *User) { u.Username = strings.Repeat("a", MaxUsername+1) }, "username"},
		{"username with a space", func(u *User) { u.Username = "ana lopez" }, "username"},
		{"non-ASCII username", func(u *User) { u.Username = "аna" }, "username"}, // Cyrillic а
		{"username starting with a dot", func(u *User) { u.Username = ".ana" }, "username"},
		{"display name with a newline", func(u *User) { u.DisplayName = "Ana\nLopez" }, "display_name"},
		{"long display name", func(u *User) { u.DisplayName = strings.Repeat("x", MaxDisplayName+1) }, "display_name"},
		{"unknown role", func(u *User) { u.Role = "root" }, "role"},
		{"empty role", func(u *User) { u.Role = "" }, "role"},
		{"huge password hash", func(u *User) { u.PasswordHash = make([]byte, MaxPasswordHash+1) }, "password_hash"},
		{"OIDC issuer without subject", func(u *User) { u.OIDCIssuer = "https://id.example" }, "oidc_subject"},
		{"OIDC subject without issuer", func(u *User) { u.OIDCSubject = "42" }, "oidc_subject"},
		{"long OIDC subject", func(u *User) {
			u.OIDCIssuer, u.OIDCSubject = "https://id.example", strings.Repeat("4", MaxOIDCSubject+1)
		}, "oidc_subject"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := newUser(fmt.Sprintf("user%d", i))
			c.edit(&u)
			err := s.Accounts().CreateUser(ctx, u)
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, ErrInvalidObject) || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("got %v, want a field error on %s", err, c.field)
			}
			if _, err := s.Accounts().User(ctx, u.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("a refused user was stored: %v", err)
			}
		})
	}
	mustVerifyAccounts(t, s)
}

func TestUserUniqueness(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	ana := newUser("ana")
	ana.OIDCIssuer, ana.OIDCSubject = "https://id.example", "sub-1"
	ana = mustCreateUser(t, s, ana)
	cases := []struct {
		name  string
		user  User
		field string
	}{
		{"same username", newUser("ana"), "username"},
		{"same username in other case", newUser("ANA"), "username"},
		{"same OIDC subject", func() User {
			u := newUser("ana2")
			u.OIDCIssuer, u.OIDCSubject = "https://id.example", "sub-1"
			return u
		}(), "oidc_subject"},
		{"same id", func() User { u := newUser("ana3"); u.ID = ana.ID; return u }(), "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Accounts().CreateUser(ctx, c.user)
			var de *DuplicateError
			if !errors.As(err, &de) || de.Field != c.field || de.Owner != ana.ID || !errors.Is(err, ErrConflict) {
				t.Fatalf("got %v, want a duplicate %s", err, c.field)
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("the error does not name the field: %v", err)
			}
		})
	}
	// The same subject of another issuer is another subject.
	other := newUser("bea")
	other.OIDCIssuer, other.OIDCSubject = "https://other.example", "sub-1"
	mustCreateUser(t, s, other)
	for _, name := range []string{"ana", "Ana", "ANA"} {
		if got, err := s.Accounts().UserByUsername(ctx, name); err != nil || got.ID != ana.ID {
			t.Errorf("by username %q: %v, %v", name, got.ID, err)
		}
	}
	if got, err := s.Accounts().UserByOIDC(ctx, "https://id.example", "sub-1"); err != nil || got.ID != ana.ID {
		t.Errorf("by OIDC: %v, %v", got.ID, err)
	}
	if _, err := s.Accounts().UserByOIDC(ctx, "https://id.example", "sub-2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown subject: %v", err)
	}
	if _, err := s.Accounts().UserByUsername(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown username: %v", err)
	}
	if !ana.Created.Equal(ana.Updated) || ana.Created.IsZero() || ana.Created.Location() != time.UTC {
		t.Errorf("times: created %v updated %v", ana.Created, ana.Updated)
	}
	users, err := s.Accounts().Users(ctx)
	if err != nil || len(users) != 2 || users[0].ID != ana.ID {
		t.Errorf("users %v, %v", users, err)
	}
	mustVerifyAccounts(t, s)
}

func TestUpdateUser(t *testing.T) {
	ctx := context.Background()
	now := testEpoch
	s := openTest(t, Options{NoSync: true, Now: func() time.Time { return now }})
	ana := mustCreateUser(t, s, newUser("ana"))
	bea := newUser("bea")
	bea.OIDCIssuer, bea.OIDCSubject = "https://id.example", "bea"
	bea = mustCreateUser(t, s, bea)
	errNo := errors.New("changed my mind")
	cases := []struct {
		name   string
		id     string
		change func(*User) error
		want   error  // nil: accepted
		field  string // of a FieldError or DuplicateError
		check  func(t *testing.T, u User)
	}{
		{"rename", ana.ID, func(u *User) error { u.Username = "ana.lopez"; return nil }, nil, "", func(t *testing.T, u User) {
			if _, err := s.Accounts().UserByUsername(ctx, "ana"); !errors.Is(err, ErrNotFound) {
				t.Errorf("the old name still finds the user: %v", err)
			}
			if got, err := s.Accounts().UserByUsername(ctx, "ANA.LOPEZ"); err != nil || got.ID != ana.ID {
				t.Errorf("the new name: %v, %v", got.ID, err)
			}
		}},
		{"change the case of one's own name", ana.ID, func(u *User) error { u.Username = "Ana.Lopez"; return nil }, nil, "", func(t *testing.T, u User) {
			if u.Username != "Ana.Lopez" {
				t.Errorf("username %q", u.Username)
			}
		}},
		{"rename to a taken name", ana.ID, func(u *User) error { u.Username = "BEA"; return nil }, ErrConflict, "username", nil},
		{"take another's OIDC subject", ana.ID, func(u *User) error { u.OIDCIssuer, u.OIDCSubject = "https://id.example", "bea"; return nil }, ErrConflict, "oidc_subject", nil},
		{"move one's OIDC subject", bea.ID, func(u *User) error { u.OIDCSubject = "bea-2"; return nil }, nil, "", func(t *testing.T, u User) {
			if _, err := s.Accounts().UserByOIDC(ctx, "https://id.example", "bea"); !errors.Is(err, ErrNotFound) {
				t.Errorf("the old subject: %v", err)
			}
			if got, err := s.Accounts().UserByOIDC(ctx, "https://id.example", "bea-2"); err != nil || got.ID != bea.ID {
				t.Errorf("the new subject: %v", err)
			}
		}},
		{"an invalid role", ana.ID, func(u *User) error { u.Role = "owner"; return nil }, ErrInvalidObject, "role", nil},
		{"the change fails", ana.ID, func(u *User) error { u.Role = UserAdmin; return errNo }, errNo, "", nil},
		{"id and created cannot change", ana.ID, func(u *User) error {
			u.ID, u.Created, u.Role = "01ARZ3NDEKTSV4RRFFQ69G5FAV", time.Time{}, UserAdmin
			return nil
		}, nil, "", func(t *testing.T, u User) {
			if u.ID != ana.ID || !u.Created.Equal(ana.Created) || u.Role != UserAdmin || !u.Updated.Equal(now) {
				t.Errorf("got %+v", u)
			}
		}},
		{"no such user", userIDs.New(testEpoch), func(*User) error { return nil }, ErrNotFound, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now = now.Add(time.Minute)
			before, _ := s.Accounts().User(ctx, c.id)
			got, err := s.Accounts().UpdateUser(ctx, c.id, c.change)
			if c.want != nil {
				if !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
				var fe *FieldError
				var de *DuplicateError
				if c.field != "" && !(errors.As(err, &fe) && fe.Field == c.field || errors.As(err, &de) && de.Field == c.field) {
					t.Errorf("the error does not name %s: %v", c.field, err)
				}
				after, _ := s.Accounts().User(ctx, c.id)
				if fmt.Sprint(after) != fmt.Sprint(before) || !after.Updated.Equal(before.Updated) || after.Role != before.Role {
					t.Errorf("a refused change was written: %+v", after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if stored, _ := s.Accounts().User(ctx, c.id); stored.Username != got.Username || stored.Role != got.Role || !stored.Updated.Equal(got.Updated) {
				t.Errorf("returned %+v, stored %+v", got, stored)
			}
			if c.check != nil {
				c.check(t, got)
			}
		})
	}
	mustVerifyAccounts(t, s)
}

func TestDeleteUser(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	u := newUser("ana")
	u.OIDCIssuer, u.OIDCSubject = "https://id.example", "ana"
	u = mustCreateUser(t, s, u)
	mustCreateSession(t, s, u.ID, "s1")
	if err := s.Accounts().DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Accounts().DeleteUser(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := s.Accounts().Session(ctx, sessionID("s1")); !errors.Is(err, ErrNotFound) {
		t.Errorf("the session survived its user: %v", err)
	}
	// The name and the subject are free again.
	again := newUser("ANA")
	again.OIDCIssuer, again.OIDCSubject = "https://id.example", "ana"
	mustCreateUser(t, s, again)
	mustVerifyAccounts(t, s)
}

func TestUserRedaction(t *testing.T) {
	u := newUser("ana")
	u.PasswordHash = []byte("$argon2id$v=19$m=1,t=1,p=1$SECRETSALT$SECRETHASH")
	var sb strings.Builder
	for _, s := range []string{fmt.Sprint(u), fmt.Sprintf("%v %s", u, u), u.LogValue().String()} {
		sb.WriteString(s)
	}
	if strings.Contains(sb.String(), "SECRET") {
		t.Errorf("the password hash is printed: %s", sb.String())
	}
}

// The accounts survive a restart (every acknowledged write is durable).
func TestAccountsDurable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	u := mustCreateUser(t, s, newUser("ana"))
	mustCreateSession(t, s, u.ID, "secret")
	if _, err := s.Accounts().AppendAudit(ctx, AuditEntry{UserID: u.ID, Username: u.Username, Action: "user.create", Target: u.ID}, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	if got, err := s.Accounts().UserByUsername(ctx, "ana"); err != nil || got.ID != u.ID {
		t.Errorf("user: %v", err)
	}
	if ss, err := s.Accounts().Session(ctx, sessionID("secret")); err != nil || ss.UserID != u.ID {
		t.Errorf("session: %v", err)
	}
	if es, _, err := s.Accounts().ListAudit(ctx, 0, 0); err != nil || len(es) != 1 || es[0].Seq != 1 {
		t.Errorf("audit: %v, %v", es, err)
	}
	mustVerifyAccounts(t, s)
	mustVerify(t, s)
}

// A schema-4 database gains the account buckets; its data stays.
func TestMigrateSchemaV4ToV5(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	v4, err := open(path, Options{NoSync: true}, openConfig{migrations: migrations()[:4]})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture()
	o := f.object(t, profile("kept"))
	mustApply(t, v4, create(o))
	if err := v4.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOK(t, s)
	if _, err := s.Get(ctx, o.IRI); err != nil {
		t.Errorf("data lost: %v", err)
	}
	_ = s.db.View(func(tx *bbolt.Tx) error {
		v, _ := schemaVersion(tx)
		if v != uint64(len(migrations())) { // every later migration runs too
			t.Errorf("schema %d", v)
		}
		for _, b := range schemaV5Buckets {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		return nil
	})
	mustCreateUser(t, s, newUser("ana"))
	mustVerifyAccounts(t, s)
	mustVerify(t, s)
}

// Verify (and so CheckBackup) checks the account buckets too: a username
// index entry that points at nobody is reported.
func TestVerifyCoversAccounts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	mustCreateUser(t, s, newUser("ana"))
	if err := s.Verify(ctx); err != nil {
		t.Fatalf("a sound database: %v", err)
	}
	if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bUsernames).Put([]byte("ghost"), []byte("nobody")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(ctx); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Fatalf("Verify after a stray username index entry: %v, want it named", err)
	}
}
