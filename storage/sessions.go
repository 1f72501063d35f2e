package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"go.etcd.io/bbolt"
)

// Session is a person's sign-in session as the node keeps it. ID is the
// SHA-256 of the session secret (the cookie value): the secret itself is
// never stored, so a copy of the database signs nobody in.
type Session struct {
	ID        []byte    `json:"id"` // SHA-256 of the secret
	UserID    string    `json:"user_id"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
	Expires   time.Time `json:"expires"` // absolute: the session ends then, however active
	UserAgent string    `json:"user_agent,omitempty"`
	Address   string    `json:"address,omitempty"`
}

// Limits of sessions.
const (
	// MaxUserAgent and MaxAddress clip what a session records of its client.
	MaxUserAgent = 256
	MaxAddress   = 128
	// MaxUserSessions bounds a user's sessions: a new one beyond it ends
	// the user's oldest.
	MaxUserSessions = 100
)

// clipText makes client-supplied text storable: valid UTF-8 without control
// characters, at most max bytes.
func clipText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return cleanText(s, max)
}

func sessionExpKey(ss *Session) []byte { return append(be64(nanos(ss.Expires)), ss.ID...) }

func userSessionKey(userID string, id []byte) []byte {
	return append(userSessionPrefix(userID), id...)
}

func checkSessionID(id []byte) error {
	if len(id) != sha256.Size {
		return &FieldError{Field: "id", Reason: fmt.Sprintf("has %d bytes, a SHA-256 hash has %d", len(id), sha256.Size)}
	}
	return nil
}

// CreateSession stores a new session of an existing, enabled user and
// records the sign-in (the user's LastSignIn becomes the session's
// Created), durably. A zero Created is set to the store's clock, a zero
// LastSeen to Created; the user agent and address are clipped. A user
// who already has MaxUserSessions sessions loses the oldest. ErrNotFound
// when the user does not exist, ErrUserDisabled when it is disabled, a
// *DuplicateError when the id is taken, a *FieldError for a malformed
// field.
func (acc Accounts) CreateSession(ctx context.Context, ss Session) error {
	s := acc.s
	if err := checkSessionID(ss.ID); err != nil {
		return fmt.Errorf("storage: create session: %w", err)
	}
	if ss.Created.IsZero() {
		ss.Created = s.now()
	}
	if ss.LastSeen.IsZero() {
		ss.LastSeen = ss.Created
	}
	ss.ID = bytes.Clone(ss.ID)
	ss.Created, ss.LastSeen, ss.Expires = ss.Created.UTC(), ss.LastSeen.UTC(), ss.Expires.UTC()
	ss.UserAgent, ss.Address = clipText(ss.UserAgent, MaxUserAgent), clipText(ss.Address, MaxAddress)
	if !ss.Expires.After(ss.Created) {
		return fmt.Errorf("storage: create session: %w", &FieldError{Field: "expires", Reason: "is not after created"})
	}
	val, err := json.Marshal(ss)
	if err != nil {
		return fmt.Errorf("storage: create session: %w", err)
	}
	what := "create session of user " + ss.UserID
	_, err = s.submit(ctx, what, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		u, err := getUser(ov, ss.UserID)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		if u.Disabled {
			return 0, fmt.Errorf("storage: %s: %w", what, ErrUserDisabled)
		}
		if ov.get(bSessions, ss.ID) != nil {
			return 0, &DuplicateError{Field: "session", Value: "(a session id)", Owner: ss.UserID}
		}
		held, err := userSessions(tx, ss.UserID)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		if extra := len(held) - MaxUserSessions + 1; extra > 0 {
			sortSessions(held)
			for i := range held[:extra] {
				delSession(ov, &held[i])
			}
		}
		u.LastSignIn = ss.Created
		uv, err := json.Marshal(u)
		if err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		ov.put(bUsers, []byte(u.ID), uv)
		ov.put(bSessions, ss.ID, val)
		ov.put(bUserSessions, userSessionKey(ss.UserID, ss.ID), nil)
		ov.put(bSessionExp, sessionExpKey(&ss), nil)
		return 0, ov.flush()
	})
	return err
}

// delSession deletes a session and its index entries through ov.
func delSession(ov *overlay, ss *Session) {
	ov.del(bSessions, ss.ID)
	ov.del(bUserSessions, userSessionKey(ss.UserID, ss.ID))
	ov.del(bSessionExp, sessionExpKey(ss))
}

func decodeSession(id, raw []byte) (Session, error) {
	var ss Session
	if err := json.Unmarshal(raw, &ss); err != nil {
		return Session{}, fmt.Errorf("session %x: %w: %v", id, errCorrupt, err)
	}
	if !bytes.Equal(ss.ID, id) {
		return Session{}, fmt.Errorf("session %x: %w: the record says id %x", id, errCorrupt, ss.ID)
	}
	return ss, nil
}

// userSessions reads a user's sessions as committed in tx.
func userSessions(tx *bbolt.Tx, userID string) ([]Session, error) {
	prefix := userSessionPrefix(userID)
	sessions := tx.Bucket(bSessions)
	var out []Session
	c := tx.Bucket(bUserSessions).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id := k[len(prefix):]
		raw := sessions.Get(id)
		if raw == nil {
			return nil, fmt.Errorf("session %x of user %s: %w: indexed but missing", id, userID, errCorrupt)
		}
		ss, err := decodeSession(id, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, nil
}

// deleteUserSessions deletes the user's committed sessions except the one
// whose id is except (nil: none spared) through ov; it returns how many.
func deleteUserSessions(ov *overlay, userID string, except []byte) (int, error) {
	held, err := userSessions(ov.tx, userID)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range held {
		if except != nil && bytes.Equal(held[i].ID, except) {
			continue
		}
		delSession(ov, &held[i])
		n++
	}
	return n, nil
}

// Session returns the session whose id (the SHA-256 of its secret) is id;
// ErrNotFound. It does not check expiry: that is the caller's policy.
func (acc Accounts) Session(ctx context.Context, id []byte) (Session, error) {
	s := acc.s
	var ss Session
	err := s.view(ctx, "get session", func(tx *bbolt.Tx) error {
		raw := tx.Bucket(bSessions).Get(id)
		if raw == nil {
			return fmt.Errorf("storage: get session: %w", ErrNotFound)
		}
		var err error
		if ss, err = decodeSession(id, raw); err != nil {
			return fmt.Errorf("storage: get session: %w", err)
		}
		return nil
	})
	return ss, err
}

// UserSessions lists a user's sessions, oldest first.
func (acc Accounts) UserSessions(ctx context.Context, userID string) ([]Session, error) {
	s := acc.s
	var out []Session
	err := s.view(ctx, "list sessions of user "+userID, func(tx *bbolt.Tx) error {
		var err error
		if out, err = userSessions(tx, userID); err != nil {
			return fmt.Errorf("storage: list sessions of user %s: %w", userID, err)
		}
		return nil
	})
	sortSessions(out)
	return out, err
}

// TouchSession records that the session was used at seen (it only moves
// LastSeen forward), durably; ErrNotFound when the session is gone. Callers
// touch a session at most every so often, not on every request.
func (acc Accounts) TouchSession(ctx context.Context, id []byte, seen time.Time) error {
	s := acc.s
	seen = seen.UTC()
	_, err := s.submit(ctx, "touch session", 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		raw := ov.get(bSessions, id)
		if raw == nil {
			return 0, fmt.Errorf("storage: touch session: %w", ErrNotFound)
		}
		ss, err := decodeSession(id, raw)
		if err != nil {
			return 0, fmt.Errorf("storage: touch session: %w", err)
		}
		if !seen.After(ss.LastSeen) {
			return 0, nil
		}
		ss.LastSeen = seen
		val, err := json.Marshal(ss)
		if err != nil {
			return 0, fmt.Errorf("storage: touch session: %w", err)
		}
		ov.put(bSessions, ss.ID, val)
		return 0, ov.flush()
	})
	return err
}

// DeleteSession ends one session, durably; ErrNotFound when there is none.
func (acc Accounts) DeleteSession(ctx context.Context, id []byte) error {
	s := acc.s
	_, err := s.submit(ctx, "delete session", 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		raw := ov.get(bSessions, id)
		if raw == nil {
			return 0, fmt.Errorf("storage: delete session: %w", ErrNotFound)
		}
		ss, err := decodeSession(id, raw)
		if err != nil {
			return 0, fmt.Errorf("storage: delete session: %w", err)
		}
		delSession(ov, &ss)
		return 0, ov.flush()
	})
	return err
}

// DeleteUserSessions ends every session of a user in one transaction,
// except the one whose id is except (nil: all), durably, and returns how
// many it ended ("sign out everywhere", a password change).
func (acc Accounts) DeleteUserSessions(ctx context.Context, userID string, except []byte) (int, error) {
	s := acc.s
	var n int
	what := "delete sessions of user " + userID
	_, err := s.submit(ctx, what, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		var err error
		if n, err = deleteUserSessions(ov, userID, except); err != nil {
			return 0, fmt.Errorf("storage: %s: %w", what, err)
		}
		return 0, ov.flush()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// DefaultPruneSessions is how many sessions PruneSessions deletes per call
// when limit is not positive.
const DefaultPruneSessions = 1000

// PruneSessions deletes at most limit sessions whose absolute expiry is at
// or before now, the earliest first, durably, and returns how many it
// deleted: the node's timer calls it (again soon when it returned limit).
// Sessions that only went idle stay until they expire or are looked up.
func (acc Accounts) PruneSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	s := acc.s
	if limit <= 0 {
		limit = DefaultPruneSessions
	}
	cutoff := nanos(now)
	var n int
	_, err := s.submit(ctx, "prune sessions", 1, func(tx *bbolt.Tx) (uint64, error) {
		n = 0
		ov := newOverlay(tx)
		sessions := tx.Bucket(bSessions)
		c := tx.Bucket(bSessionExp).Cursor()
		for k, _ := c.First(); k != nil && n < limit; k, _ = c.Next() {
			if len(k) != 8+sha256.Size {
				return 0, fmt.Errorf("storage: prune sessions: expiry key %x: %w", k, errCorrupt)
			}
			if binary.BigEndian.Uint64(k) > cutoff {
				break
			}
			id := bytes.Clone(k[8:])
			if raw := sessions.Get(id); raw != nil {
				ss, err := decodeSession(id, raw)
				if err != nil {
					return 0, fmt.Errorf("storage: prune sessions: %w", err)
				}
				delSession(ov, &ss)
			}
			ov.del(bSessionExp, bytes.Clone(k))
			n++
		}
		return 0, ov.flush()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
