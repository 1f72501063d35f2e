package storage

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustCreateSession(t testing.TB, s *Store, userID, secret string) Session {
	t.Helper()
	ss := Session{ID: sessionID(secret), UserID: userID, Created: testEpoch, Expires: testEpoch.Add(12 * time.Hour)}
	if err := s.Accounts().CreateSession(context.Background(), ss); err != nil {
		t.Fatalf("create session: %v", err)
	}
	got, err := s.Accounts().Session(context.Background(), ss.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCreateSession(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	ana := mustCreateUser(t, s, newUser("ana"))
	off := newUser("off")
	off.Disabled = true
	off = mustCreateUser(t, s, off)
	mustCreateSession(t, s, ana.ID, "taken")
	ok := func(edit func(*Session)) Session {
		ss := Session{ID: sessionID(t.Name()), UserID: ana.ID, Created: testEpoch, Expires: testEpoch.Add(time.Hour)}
		edit(&ss)
		return ss
	}
	cases := []struct {
		name    string
		session Session
		want    error
		field   string
	}{
		{"valid", ok(func(*Session) {}), nil, ""},
		{"the id is not a SHA-256", ok(func(ss *Session) { ss.ID = []byte("secret") }), ErrInvalidObject, "id"},
		{"expires before created", ok(func(ss *Session) { ss.Expires = ss.Created }), ErrInvalidObject, "expires"},
		{"unknown user", ok(func(ss *Session) { ss.UserID = userIDs.New(testEpoch) }), ErrNotFound, ""},
		{"disabled user", ok(func(ss *Session) { ss.UserID = off.ID }), ErrUserDisabled, ""},
		{"the id is taken", ok(func(ss *Session) { ss.ID = sessionID("taken") }), ErrConflict, "session"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Accounts().CreateSession(ctx, c.session)
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.Accounts().Session(ctx, c.session.ID)
				if err != nil || got.UserID != ana.ID || !got.LastSeen.Equal(testEpoch) || !got.Expires.Equal(c.session.Expires) {
					t.Errorf("stored %+v, %v", got, err)
				}
				if u, _ := s.Accounts().User(ctx, ana.ID); !u.LastSignIn.Equal(testEpoch) {
					t.Errorf("last sign-in %v", u.LastSignIn)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if c.field != "" && !strings.Contains(err.Error(), c.field) {
				t.Errorf("the error does not name %s: %v", c.field, err)
			}
		})
	}
	// The client's text is clipped and cleaned, not refused.
	ss := ok(func(ss *Session) {
		ss.ID = sessionID("clipped")
		ss.UserAgent = "Mozilla/5.0\r\nX-Evil: 1 " + strings.Repeat("é", MaxUserAgent)
		ss.Address = "203.0.113.9\x00"
	})
	if err := s.Accounts().CreateSession(ctx, ss); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Accounts().Session(ctx, ss.ID)
	if len(got.UserAgent) > MaxUserAgent || strings.ContainsAny(got.UserAgent, "\r\n") || !strings.HasPrefix(got.UserAgent, "Mozilla/5.0") || got.Address != "203.0.113.9 " {
		t.Errorf("user agent %q (%d bytes), address %q", got.UserAgent, len(got.UserAgent), got.Address)
	}
	mustVerifyAccounts(t, s)
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	ana := mustCreateUser(t, s, newUser("ana"))
	bea := mustCreateUser(t, s, newUser("bea"))
	for _, secret := range []string{"a1", "a2", "a3"} {
		mustCreateSession(t, s, ana.ID, secret)
	}
	mustCreateSession(t, s, bea.ID, "b1")

	// Touch moves last-seen forward only.
	id := sessionID("a1")
	for _, c := range []struct {
		seen, want time.Time
	}{
		{testEpoch.Add(time.Minute), testEpoch.Add(time.Minute)},
		{testEpoch.Add(30 * time.Second), testEpoch.Add(time.Minute)},
		{testEpoch.Add(2 * time.Minute), testEpoch.Add(2 * time.Minute)},
	} {
		if err := s.Accounts().TouchSession(ctx, id, c.seen); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Accounts().Session(ctx, id); !got.LastSeen.Equal(c.want) {
			t.Errorf("touched at %v: last seen %v, want %v", c.seen, got.LastSeen, c.want)
		}
	}
	if err := s.Accounts().TouchSession(ctx, sessionID("nope"), testEpoch); !errors.Is(err, ErrNotFound) {
		t.Errorf("touch of an unknown session: %v", err)
	}

	// Sign out of one session.
	if err := s.Accounts().DeleteSession(ctx, sessionID("a3")); err != nil {
		t.Fatal(err)
	}
	if err := s.Accounts().DeleteSession(ctx, sessionID("a3")); !errors.Is(err, ErrNotFound) {
		t.Errorf("second sign-out: %v", err)
	}
	if got, err := s.Accounts().UserSessions(ctx, ana.ID); err != nil || len(got) != 2 {
		t.Errorf("sessions after a sign-out: %d, %v", len(got), err)
	}

	// Sign out everywhere else, then everywhere.
	n, err := s.Accounts().DeleteUserSessions(ctx, ana.ID, sessionID("a2"))
	if err != nil || n != 1 {
		t.Errorf("sign out elsewhere: %d, %v", n, err)
	}
	if got, _ := s.Accounts().UserSessions(ctx, ana.ID); len(got) != 1 || !bytes.Equal(got[0].ID, sessionID("a2")) {
		t.Errorf("kept %v", got)
	}
	if n, err := s.Accounts().DeleteUserSessions(ctx, ana.ID, nil); err != nil || n != 1 {
		t.Errorf("sign out everywhere: %d, %v", n, err)
	}
	if got, _ := s.Accounts().UserSessions(ctx, bea.ID); len(got) != 1 {
		t.Errorf("another user's sessions were touched: %v", got)
	}

	// Disabling a user ends its sessions in the same write.
	mustCreateSession(t, s, ana.ID, "a4")
	if _, err := s.Accounts().UpdateUser(ctx, ana.ID, func(u *User) error { u.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accounts().Session(ctx, sessionID("a4")); !errors.Is(err, ErrNotFound) {
		t.Errorf("a disabled user keeps a session: %v", err)
	}
	mustVerifyAccounts(t, s)
}

func TestUserSessionCap(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	ana := mustCreateUser(t, s, newUser("ana"))
	for i := range MaxUserSessions + 3 {
		ss := Session{ID: sessionID(string(rune('A' + i))), UserID: ana.ID, Created: testEpoch.Add(time.Duration(i) * time.Second), Expires: testEpoch.Add(time.Hour)}
		if err := s.Accounts().CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Accounts().UserSessions(ctx, ana.ID)
	if err != nil || len(got) != MaxUserSessions {
		t.Fatalf("%d sessions, %v", len(got), err)
	}
	if !got[0].Created.Equal(testEpoch.Add(3 * time.Second)) {
		t.Errorf("the oldest kept was created at %v: the oldest should have ended", got[0].Created)
	}
	mustVerifyAccounts(t, s)
}

func TestPruneSessions(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	ana := mustCreateUser(t, s, newUser("ana"))
	for i := range 5 {
		ss := Session{ID: sessionID(string(rune('a' + i))), UserID: ana.ID, Created: testEpoch,
			Expires: testEpoch.Add(time.Duration(i+1) * time.Hour)}
		if err := s.Accounts().CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		now       time.Time
		limit     int
		pruned    int
		remaining int
		earliest  time.Time // the earliest expiry that remains
	}{
		{testEpoch, 10, 0, 5, testEpoch.Add(time.Hour)},
		{testEpoch.Add(time.Hour), 10, 1, 4, testEpoch.Add(2 * time.Hour)},    // expiring at now counts as expired
		{testEpoch.Add(4 * time.Hour), 2, 2, 2, testEpoch.Add(4 * time.Hour)}, // bounded: one expired is left
		{testEpoch.Add(4 * time.Hour), 2, 1, 1, testEpoch.Add(5 * time.Hour)},
		{testEpoch.Add(48 * time.Hour), 0, 1, 0, time.Time{}},
	}
	for i, c := range cases {
		n, err := s.Accounts().PruneSessions(ctx, c.now, c.limit)
		if err != nil || n != c.pruned {
			t.Errorf("%d: pruned %d, %v; want %d", i, n, err, c.pruned)
		}
		got, _ := s.Accounts().UserSessions(ctx, ana.ID)
		if len(got) != c.remaining {
			t.Errorf("%d: %d remain, want %d", i, len(got), c.remaining)
		}
		for _, ss := range got {
			if ss.Expires.Before(c.earliest) {
				t.Errorf("%d: a session expiring at %v remains, the earliest should be %v", i, ss.Expires, c.earliest)
			}
		}
		mustVerifyAccounts(t, s)
	}
}
