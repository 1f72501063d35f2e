package accounts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/storage"
)

// Actions a sign-in through an identity provider records (Audit's action).
const (
	// ActionExternalCreate: the first sign-in of a person through the
	// identity provider made their account (an external account: no
	// password).
	ActionExternalCreate = "user.create_external"
	// ActionExternalRole: a sign-in through the identity provider changed
	// the account's role (the claims map to another role now).
	ActionExternalRole = "user.role_external"
	// ActionExternalRefused: the provider's claims no longer give the
	// account a role; its sessions were ended.
	ActionExternalRefused = "user.refused_external"
)

// ErrExternalIdentity: the identity provider's answer cannot make an
// account (no issuer or subject, or no role).
var ErrExternalIdentity = errors.New("accounts: the identity provider's answer names no usable identity")

// ExternalIdentity is a person as their organisation's identity provider
// vouched for them (OpenID Connect: the verified id_token's issuer and
// subject, the claims mapped to a username, display name and role).
type ExternalIdentity struct {
	Issuer      string
	Subject     string
	Username    string // wished for: made valid and unique at the first sign-in
	DisplayName string
	Role        Role
}

// SignInExternal signs in the person an identity provider vouched for and
// starts a session, as Authenticate does for a password. The account is
// found by (issuer, subject); at the first sign-in it is created as an
// external account (no password), with id.Username made valid and unique
// (a taken name gets a -2, -3, ... suffix: an identity provider's user never
// takes over a local account of the same name). At every sign-in the role
// and display name follow the provider's claims (a role change is audited).
// A disabled account is refused (ErrDisabled) and not changed.
func (s *Service) SignInExternal(ctx context.Context, id ExternalIdentity, client Client) (Secret, User, error) {
	role, err := ParseRole(string(id.Role))
	if err != nil || id.Issuer == "" || id.Subject == "" ||
		len(id.Issuer) > storage.MaxOIDCIssuer || len(id.Subject) > storage.MaxOIDCSubject {
		return "", User{}, ErrExternalIdentity
	}
	display := cleanDisplayName(id.DisplayName)
	u, err := s.store.UserByOIDC(ctx, id.Issuer, id.Subject)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		u, err = s.createExternal(ctx, id, role, display)
		if err != nil {
			return "", User{}, err
		}
	case err != nil:
		return "", User{}, fmt.Errorf("accounts: external sign-in: %w", err)
	default:
		if u.Disabled {
			return "", User{}, ErrDisabled
		}
		if u, err = s.followClaims(ctx, u, role, display); err != nil {
			return "", User{}, err
		}
	}
	secret, err := s.startSession(ctx, u, client)
	if err != nil {
		return "", User{}, err
	}
	u.LastSignIn = s.cfg.Now().UTC()
	return secret, toUser(u), nil
}

// RefuseExternal is a sign-in the provider vouched for but whose claims
// give no role any more: when the subject has an account, every session of
// it ends (in one write) and the refusal is audited, so that losing a
// group at the provider ends the access the group gave at the next
// sign-in, not when the sessions expire. It returns how many sessions
// ended; no account is not an error.
func (s *Service) RefuseExternal(ctx context.Context, issuer, subject string) (int, error) {
	if issuer == "" || subject == "" {
		return 0, nil
	}
	u, err := s.store.UserByOIDC(ctx, issuer, subject)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("accounts: refuse external sign-in: %w", err)
	}
	n, err := s.store.DeleteUserSessions(ctx, u.ID, nil)
	if err != nil {
		return 0, fmt.Errorf("accounts: refuse external sign-in of %s: %w", u.Username, err)
	}
	if aerr := s.Audit(ctx, toUser(u), ActionExternalRefused, u.ID,
		fmt.Sprintf("no role from the claims; %d sessions ended", n)); aerr != nil {
		s.log.Warn("audit of a refused external sign-in failed", "user", toUser(u), "error", aerr)
	}
	return n, nil
}

// createExternal makes the account of a first external sign-in; a
// concurrent first sign-in of the same subject is found instead.
func (s *Service) createExternal(ctx context.Context, id ExternalIdentity, role Role, display string) (storage.User, error) {
	base := usernameFrom(id.Username)
	if base == "" {
		base = usernameFrom(id.Subject)
	}
	if base == "" {
		base = "user"
	}
	for i := 1; i <= 20; i++ {
		name := base
		if i > 1 {
			suffix := "-" + strconv.Itoa(i)
			name = clipASCII(base, storage.MaxUsername-len(suffix)) + suffix
		}
		now := s.cfg.Now().UTC()
		u := storage.User{ID: s.ids.New(now), Username: name, DisplayName: display, Role: string(role),
			OIDCIssuer: id.Issuer, OIDCSubject: id.Subject, Created: now}
		err := s.store.CreateUser(ctx, u)
		var dup *DuplicateError
		switch {
		case err == nil:
			u.Updated = now
			if aerr := s.Audit(ctx, toUser(u), ActionExternalCreate, u.ID,
				fmt.Sprintf("role %s, issuer %s", role, id.Issuer)); aerr != nil {
				s.log.Warn("audit of an external account failed", "user", toUser(u), "error", aerr)
			}
			s.log.Info("external account created at its first sign-in", "user", toUser(u), "issuer", id.Issuer)
			return u, nil
		case errors.As(err, &dup) && dup.Field == "username":
			continue
		case errors.As(err, &dup) && dup.Field == "oidc_subject":
			// Signed in twice at once: the other sign-in made it.
			found, ferr := s.store.UserByOIDC(ctx, id.Issuer, id.Subject)
			if ferr != nil {
				return storage.User{}, fmt.Errorf("accounts: external sign-in: %w", ferr)
			}
			if found.Disabled {
				return storage.User{}, ErrDisabled
			}
			return found, nil
		default:
			return storage.User{}, fmt.Errorf("accounts: external sign-in: create %s: %w", name, err)
		}
	}
	return storage.User{}, fmt.Errorf("accounts: external sign-in: usernames %s to %s-20 are all taken: %w", base, base, ErrConflict)
}

// followClaims brings an existing account's role and display name in line
// with the provider's claims, in one compare-and-set write that leaves a
// disabled account alone.
func (s *Service) followClaims(ctx context.Context, u storage.User, role Role, display string) (storage.User, error) {
	if u.Role == string(role) && (display == "" || u.DisplayName == display) {
		return u, nil
	}
	old := u.Role
	updated, err := s.store.UpdateUser(ctx, u.ID, func(cur *storage.User) error {
		if cur.Disabled {
			return ErrDisabled
		}
		cur.Role = string(role)
		if display != "" {
			cur.DisplayName = display
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrDisabled):
		return storage.User{}, ErrDisabled
	case err != nil:
		return storage.User{}, fmt.Errorf("accounts: external sign-in: update %s: %w", u.Username, err)
	}
	if old != updated.Role {
		if aerr := s.Audit(ctx, toUser(updated), ActionExternalRole, updated.ID, fmt.Sprintf("%s → %s", old, updated.Role)); aerr != nil {
			s.log.Warn("audit of a role change failed", "user", toUser(updated), "error", aerr)
		}
		s.log.Info("role follows the identity provider's claims", "user", toUser(updated), "was", old)
	}
	return updated, nil
}

// startSession makes a session for u (as Authenticate's last step).
func (s *Service) startSession(ctx context.Context, u storage.User, client Client) (Secret, error) {
	secret, err := newSecret(s.cfg.Rand)
	if err != nil {
		return "", err
	}
	now := s.cfg.Now().UTC()
	ss := storage.Session{ID: secret.id(), UserID: u.ID, Created: now, LastSeen: now,
		Expires: now.Add(s.cfg.SessionLifetime), UserAgent: client.UserAgent, Address: client.Address}
	if err := s.store.CreateSession(ctx, ss); err != nil {
		if errors.Is(err, storage.ErrUserDisabled) {
			return "", ErrDisabled
		}
		return "", fmt.Errorf("accounts: sign in %s: %w", u.Username, err)
	}
	return secret, nil
}

// usernameFrom makes a valid username (storage.CheckUsername) out of a
// provider's claim: disallowed characters become '-', leading ones that
// are not letters or digits are dropped, and it is clipped; "" when
// nothing is left.
func usernameFrom(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case b.Len() == 0:
			// drop: a username starts with a letter or digit
		case r < utf8.RuneSelf && strings.ContainsRune("._-@+", r):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
		if b.Len() >= storage.MaxUsername {
			break
		}
	}
	out := clipASCII(b.String(), storage.MaxUsername)
	if storage.CheckUsername(out) != nil {
		return ""
	}
	return out
}

func clipASCII(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// cleanDisplayName drops control characters and clips to the stored limit.
func cleanDisplayName(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	for len(s) > storage.MaxDisplayName {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
