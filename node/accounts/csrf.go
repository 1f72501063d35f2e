package accounts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// ErrCSRF: a form's CSRF token is missing or does not belong to the
// session (or pre-session) that sent it. A page answers 403.
var ErrCSRF = errors.New("accounts: the form's CSRF token is missing or wrong")

// Domain separation of the two kinds of token, so that one never passes
// for the other.
const (
	csrfSessionLabel = "interlink csrf v1 session\x00"
	csrfAnonLabel    = "interlink csrf v1 pre-session\x00"
)

var b64 = base64.RawURLEncoding.Strict()

func (s *Service) csrfMAC(label, value string) []byte {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(label))
	m.Write([]byte(value))
	return m.Sum(nil)
}

func (s *Service) checkMAC(label, value, token string) error {
	got, err := b64.DecodeString(token)
	if err != nil || len(got) != sha256.Size || !hmac.Equal(got, s.csrfMAC(label, value)) {
		return ErrCSRF
	}
	return nil
}

// CSRFToken is the CSRF token of a signed-in session: HMAC-SHA256 of the
// session secret under the node's key, base64url. It is the same for the
// whole session (pages put it in every form) and tells nothing about the
// secret.
func (s *Service) CSRFToken(secret Secret) string {
	return b64.EncodeToString(s.csrfMAC(csrfSessionLabel, string(secret)))
}

// CheckCSRF checks a form's token against the session that sent it, in
// constant time; ErrCSRF when it is missing or another session's.
func (s *Service) CheckCSRF(secret Secret, token string) error {
	if !secret.wellFormed() {
		return ErrCSRF
	}
	return s.checkMAC(csrfSessionLabel, string(secret), token)
}

// NewPreSession returns a fresh pre-session value: 32 random bytes,
// base64url, for the cookie a page sets before anyone signed in (the login
// form), to which the form's token is bound.
func (s *Service) NewPreSession() (string, error) {
	sec, err := newSecret(s.cfg.Rand)
	return string(sec), err
}

// AnonymousCSRFToken is the token of a form shown before sign-in, bound to
// the pre-session cookie value (a signed double-submit token): an attacker
// who cannot read or set that cookie cannot make a matching token, and one
// who can set a cookie still cannot compute the token without the node's
// key. ErrCSRF when preSession is not a value NewPreSession made.
func (s *Service) AnonymousCSRFToken(preSession string) (string, error) {
	if !Secret(preSession).wellFormed() {
		return "", ErrCSRF
	}
	return b64.EncodeToString(s.csrfMAC(csrfAnonLabel, preSession)), nil
}

// CheckAnonymousCSRF checks the token of a form posted before sign-in
// against the pre-session cookie sent with it, in constant time.
func (s *Service) CheckAnonymousCSRF(preSession, token string) error {
	if !Secret(preSession).wellFormed() {
		return ErrCSRF
	}
	return s.checkMAC(csrfAnonLabel, preSession, token)
}
