package trust

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// Key states.
const (
	KeyActive  = "active"  // signs now
	KeyNext    = "next"    // a federation key published for the superior to list, not signing yet
	KeyRetired = "retired" // rotated out: what it signed before RetiredAt still verifies
	KeyRevoked = "revoked" // compromised: nothing it signed at or after RevokedAt verifies
)

// Key is one of the node's Ed25519 keys with its history.
type Key struct {
	Kid       string
	Private   ed25519.PrivateKey
	State     string
	Created   time.Time
	RetiredAt time.Time
	RevokedAt time.Time
	Reason    string
}

// KeySet is a snapshot of the node's trust keys.
type KeySet struct {
	Content    []Key
	Federation []Key
}

// active returns the active key of list.
func active(list []Key, kind string) (Key, error) {
	for _, k := range list {
		if k.State == KeyActive {
			return k, nil
		}
	}
	return Key{}, fmt.Errorf("trust: no active %s key", kind)
}

// jwk is k's public JWK with its history.
func (k Key) jwk() (entity.JWK, error) {
	j, err := entity.NewJWK(k.Private.Public().(ed25519.PublicKey))
	if err != nil {
		return entity.JWK{}, err
	}
	j.NotBefore = k.Created.Unix()
	if !k.RetiredAt.IsZero() {
		j.RetiredAt = k.RetiredAt.Unix()
	}
	if !k.RevokedAt.IsZero() {
		j.RevokedAt = k.RevokedAt.Unix()
		j.Reason = k.Reason
	}
	return j, nil
}

// jwks converts the keys of list that keep returns true for.
func jwks(list []Key, keep func(Key) bool) ([]entity.JWK, error) {
	var out []entity.JWK
	for _, k := range list {
		if !keep(k) {
			continue
		}
		j, err := k.jwk()
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// fingerprint identifies a key set's public state (to know when the cached
// entity configuration is stale).
func (ks KeySet) fingerprint() string {
	s := ""
	for _, list := range [][]Key{ks.Content, ks.Federation} {
		for _, k := range list {
			s += k.Kid + ":" + k.State + ";"
		}
		s += "|"
	}
	return s
}

// Kids returns the kids of list in order, with their states.
func Kids(list []Key, states ...string) []string {
	var out []string
	for _, k := range list {
		for _, st := range states {
			if k.State == st {
				out = append(out, k.Kid)
				break
			}
		}
	}
	return out
}
