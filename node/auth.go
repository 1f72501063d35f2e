package node

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// Role is what a token or a person may do: admin ⊃ editor ⊃ reader, one
// vocabulary for API tokens and accounts (accounts.Role).
type Role = accounts.Role

// The roles.
const (
	RoleNone   Role = ""
	RoleReader      = accounts.RoleReader
	RoleEditor      = accounts.RoleEditor
	RoleAdmin       = accounts.RoleAdmin
)

// tokenPrefix makes tokens recognisable (secret scanners, logs).
const tokenPrefix = "itk_"

// newTokenSecret returns a fresh bearer token and its SHA-256 hash: only the
// hash is ever stored.
func newTokenSecret() (string, []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("node: crypto/rand failed: %v", err))
	}
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return tok, hashToken(tok)
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// createToken stores a new token of role in st and returns its secret.
// maxTokenLifetime bounds a token's expires_in.
const maxTokenLifetime = 10 * 365 * 24 * time.Hour

func createToken(ctx context.Context, st *storage.Store, ids *protocol.ULIDSource, now time.Time, role Role, name string, expires time.Time) (storage.Token, string, error) {
	secret, hash := newTokenSecret()
	t := storage.Token{ID: ids.New(now), Name: name, Role: string(role), Hash: hash, Created: now.UTC(), Expires: expires}
	if err := st.Tokens().Put(ctx, t); err != nil {
		return storage.Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

type principalKey struct{}

// Principal is the authenticated caller of a request.
type Principal struct {
	TokenID string
	Name    string
	Role    Role
}

func principal(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// authenticate resolves the bearer token, if any. A request without a token
// is anonymous; a request with a wrong token is refused (401), even on public
// routes, so that a client never silently runs with less than it thinks.
func (m middleware) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, tok, _ := strings.Cut(h, " ")
		if h == "" || strings.EqualFold(scheme, "Signature") {
			// Anonymous, or an HTTP signature in the Authorization header
			// (some ActivityPub servers send it there): the inbox checks it.
			next.ServeHTTP(w, r)
			return
		}
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			m.writeProblem(w, r, errorf(http.StatusUnauthorized, "unauthorized", "Authentication failed",
				"the Authorization header must be \"Bearer <token>\""))
			return
		}
		hash := hashToken(strings.TrimSpace(tok))
		t, err := m.store().Tokens().ByHash(r.Context(), hash)
		if err != nil || subtle.ConstantTimeCompare(t.Hash, hash) != 1 {
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				m.writeProblem(w, r, err)
				return
			}
			m.writeProblem(w, r, errorf(http.StatusUnauthorized, "unauthorized", "Authentication failed",
				"the token is unknown or revoked: create one with `interlink token create`"))
			return
		}
		now := m.now()
		if !t.Expires.IsZero() && !now.Before(t.Expires) {
			m.writeProblem(w, r, errorf(http.StatusUnauthorized, "token-expired", "The token expired",
				"the token %q expired at %s: ask an administrator for a new one (`interlink token create --expires`)", t.Name, t.Expires.UTC().Format(time.RFC3339)))
			return
		}
		if m.used.due(t.ID, now) {
			if err := m.store().Tokens().Touch(r.Context(), t.ID, now.Truncate(time.Minute)); err != nil && !errors.Is(err, storage.ErrNotFound) {
				m.log.WarnContext(r.Context(), "recording a token's last use", "token", t.ID, "err", err)
			}
		}
		ctx := context.WithValue(r.Context(), principalKey{}, Principal{TokenID: t.ID, Name: t.Name, Role: Role(t.Role)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withArticle is "a reader", "an editor", "an admin".
func withArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// require wraps h so that only callers with at least role reach it.
func (h web) require(role Role, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principal(r.Context())
		if p.Role == RoleNone {
			h.writeProblem(w, r, errorf(http.StatusUnauthorized, "unauthorized", "Authentication required",
				"this endpoint needs %s token: pass \"Authorization: Bearer <token>\"", withArticle(string(role))))
			return
		}
		if !p.Role.Allows(role) {
			h.writeProblem(w, r, errorf(http.StatusForbidden, "forbidden", "Not allowed",
				"this endpoint needs the %s role; the token %q has %s", role, p.Name, p.Role))
			return
		}
		next(w, r)
	}
}

// tokenUse throttles the writes of tokens' last use to one a minute per
// token (a request's authentication never waits for more than that).
type tokenUse struct {
	mu   sync.Mutex
	last map[string]time.Time // token id -> the minute last written
}

// due reports whether id's last use should be written now, and notes it.
func (u *tokenUse) due(id string, now time.Time) bool {
	minute := now.Truncate(time.Minute)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.last == nil {
		u.last = map[string]time.Time{}
	}
	if !minute.After(u.last[id]) {
		return false
	}
	if len(u.last) > 10_000 { // tokens are few; a flood of ids cannot grow it
		clear(u.last)
	}
	u.last[id] = minute
	return true
}
