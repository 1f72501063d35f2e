package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/interlink-project/interlink-node/protocol"
)

// Token is an API token as the node keeps it: only the SHA-256 hash of the
// secret is stored.
type Token struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Hash    []byte    `json:"hash"` // SHA-256 of the secret
	Created time.Time `json:"created"`
	// Expires is when the token stops working (zero: never).
	Expires time.Time `json:"expires,omitzero"`
	// LastUsed is when it last authenticated a request, to the minute
	// (zero: never); written by Touch.
	LastUsed time.Time `json:"last_used,omitzero"`
}

const (
	maxTokenField = 256
	maxSettingKey = 256
)

func checkToken(t *Token) error {
	switch {
	case t.ID == "" || len(t.ID) > maxIDLen || !printable(t.ID):
		return fmt.Errorf("id %q is empty, longer than %d bytes or not printable", protocol.Clip(t.ID, 40), maxIDLen)
	case len(t.Name) > maxTokenField || !printable(t.Name):
		return fmt.Errorf("name is longer than %d bytes or not printable", maxTokenField)
	case t.Role == "" || len(t.Role) > maxTokenField || !printable(t.Role):
		return fmt.Errorf("role %q is empty, too long or not printable", protocol.Clip(t.Role, 40))
	case len(t.Hash) != sha256.Size:
		return fmt.Errorf("hash has %d bytes, a SHA-256 hash has %d", len(t.Hash), sha256.Size)
	}
	return nil
}

// Put stores a token (replacing the one with the same ID), durably. A
// hash already held by another token is refused (ErrConflict). A zero
// Created is set to the store's clock.
func (tk Tokens) Put(ctx context.Context, t Token) error {
	s := tk.s
	if err := checkToken(&t); err != nil {
		return fmt.Errorf("storage: put token: %w: %w", ErrInvalidObject, err)
	}
	if t.Created.IsZero() {
		t.Created = s.now()
	}
	t.Created = t.Created.UTC()
	val, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("storage: put token %s: %w", t.ID, err)
	}
	_, err = s.submit(ctx, "put token "+t.ID, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		if owner := ov.get(bTokenHash, t.Hash); owner != nil && string(owner) != t.ID {
			return 0, fmt.Errorf("storage: put token %s: %w: its hash already belongs to token %s", t.ID, ErrConflict, owner)
		}
		if old := ov.get(bTokens, []byte(t.ID)); old != nil {
			var ot Token
			if err := json.Unmarshal(old, &ot); err != nil {
				return 0, fmt.Errorf("storage: put token %s: read the previous token: %w", t.ID, err)
			}
			if !bytes.Equal(ot.Hash, t.Hash) {
				ov.del(bTokenHash, ot.Hash)
			}
		}
		ov.put(bTokens, []byte(t.ID), val)
		ov.put(bTokenHash, t.Hash, []byte(t.ID))
		return 0, ov.flush()
	})
	return err
}

// ByHash returns the token whose secret hashes to hash; ErrNotFound.
func (tk Tokens) ByHash(ctx context.Context, hash []byte) (Token, error) {
	s := tk.s
	var t Token
	err := s.view(ctx, "token by hash", func(tx *bbolt.Tx) error {
		id := tx.Bucket(bTokenHash).Get(hash)
		if id == nil {
			return fmt.Errorf("storage: token by hash: %w", ErrNotFound)
		}
		v := tx.Bucket(bTokens).Get(id)
		if v == nil {
			return fmt.Errorf("storage: token %s (by hash): %w", id, ErrNotFound)
		}
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("storage: token %s: %w", id, err)
		}
		return nil
	})
	return t, err
}

// List lists every token, by ID.
func (tk Tokens) List(ctx context.Context) ([]Token, error) {
	s := tk.s
	var out []Token
	err := s.view(ctx, "tokens", func(tx *bbolt.Tx) error {
		return tx.Bucket(bTokens).ForEach(func(k, v []byte) error {
			var t Token
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("storage: token %s: %w", k, err)
			}
			out = append(out, t)
			return nil
		})
	})
	return out, err
}

// Touch records that token id authenticated a request at at, durably
// (callers throttle it: the node writes at most once a minute per token).
// A token deleted meanwhile is ErrNotFound.
func (tk Tokens) Touch(ctx context.Context, id string, at time.Time) error {
	s := tk.s
	_, err := s.submit(ctx, "touch token "+id, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		old := ov.get(bTokens, []byte(id))
		if old == nil {
			return 0, fmt.Errorf("storage: touch token %s: %w", id, ErrNotFound)
		}
		var t Token
		if err := json.Unmarshal(old, &t); err != nil {
			return 0, fmt.Errorf("storage: touch token %s: %w", id, err)
		}
		if !at.After(t.LastUsed) {
			return 0, nil
		}
		t.LastUsed = at.UTC()
		val, err := json.Marshal(t)
		if err != nil {
			return 0, fmt.Errorf("storage: touch token %s: %w", id, err)
		}
		ov.put(bTokens, []byte(id), val)
		return 0, ov.flush()
	})
	return err
}

// Delete revokes a token, durably; ErrNotFound when there is none.
func (tk Tokens) Delete(ctx context.Context, id string) error {
	s := tk.s
	_, err := s.submit(ctx, "delete token "+id, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		old := ov.get(bTokens, []byte(id))
		if old == nil {
			return 0, fmt.Errorf("storage: delete token %s: %w", id, ErrNotFound)
		}
		var ot Token
		if err := json.Unmarshal(old, &ot); err != nil {
			return 0, fmt.Errorf("storage: delete token %s: %w", id, err)
		}
		ov.del(bTokens, []byte(id))
		if string(ov.get(bTokenHash, ot.Hash)) == id {
			ov.del(bTokenHash, ot.Hash)
		}
		return 0, ov.flush()
	})
	return err
}

// GetSetting returns a node setting; ErrNotFound when it was never set.
func (s *Store) GetSetting(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, "get setting "+name, func(tx *bbolt.Tx) error {
		v := tx.Bucket(bSettings).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("storage: setting %q: %w", name, ErrNotFound)
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// PutSetting stores a node setting durably.
func (s *Store) PutSetting(ctx context.Context, name string, v []byte) error {
	if name == "" || len(name) > maxSettingKey || !printable(name) {
		return fmt.Errorf("storage: put setting %q: %w: the name is empty, longer than %d bytes or not printable", protocol.Clip(name, 40), ErrInvalidObject, maxSettingKey)
	}
	val := bytes.Clone(v)
	if val == nil {
		val = []byte{}
	}
	_, err := s.submit(ctx, "put setting "+name, 1, func(tx *bbolt.Tx) (uint64, error) {
		ov := newOverlay(tx)
		ov.put(bSettings, []byte(name), val)
		return 0, ov.flush()
	})
	return err
}
