package trustchain

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// Chain is a resolved trust chain. It is shared between callers (the
// resolver caches it): treat it as read-only.
type Chain struct {
	EntityID  string
	Config    *entity.Parsed   // the leaf's EC, verified with the keys its superior lists
	Links     []*entity.Parsed // subordinate statements: Links[0] about the leaf by its superior ... the last by the anchor
	Anchor    string           // the pinned anchor it ends at
	Path      []string         // entity ids, leaf .. anchor
	Expires   time.Time        // earliest exp of every document used
	Identity  Identity         // from the immediate superior's statement, never the leaf's own EC
	RevokedAt time.Time        // zero unless a statement of the chain carries interlink_revoked_at
	Fetched   time.Time        // when the resolver fetched it: it is resolved again after Config.MaxAge

	keys map[string]contentKey // the leaf's content keys by kid, decoded once
}

// Identity is an organisation's legal identity as its superior states it.
type Identity struct {
	Name, Country, OrgKind, Role string
}

type contentKey struct {
	jwk entity.JWK
	pub ed25519.PublicKey
}

// ContentKeyAt returns the leaf's content key kid (from its EC's
// metadata.interlink_node.content_keys) as valid for a signature made (as
// its signer asserts) at signed and first seen by this node at seen (zero:
// unknown). It refuses an unknown kid (entity.ErrUnknownKey), a key not
// yet valid or retired (entity.ErrNotYetValid, entity.ErrKeyRetired), a
// revoked key (entity.ErrKeyRevoked), and a chain revoked (ErrRevoked). Retirement
// and not-before are judged at signed: a retired key keeps verifying what it
// signed before. Revocation, of the key or of the signer, is judged at the
// later of the two: a signer's iat is its own word, so a version first seen
// after a revocation is refused however early it claims to have been signed
// (docs/trust.md, "Revocation").
func (c *Chain) ContentKeyAt(kid string, signed, seen time.Time) (ed25519.PublicKey, error) {
	at := revocationTime(signed, seen)
	if !c.RevokedAt.IsZero() && !at.Before(c.RevokedAt) {
		return nil, fmt.Errorf("trustchain: %s: content key %q signed at %s, first seen %s: %w at %s", c.EntityID, kid,
			stamp(signed), stamp(seen), ErrRevoked, c.RevokedAt.UTC().Format(time.RFC3339))
	}
	if c.keys == nil {
		return ContentKeyAt(c.Config, kid, signed, seen)
	}
	k, ok := c.keys[kid]
	if !ok {
		return nil, fmt.Errorf("trustchain: %s: content key %q: %w", c.EntityID, kid, ErrUnknownContentKey)
	}
	if err := keyValid(k.jwk, signed, seen); err != nil {
		return nil, fmt.Errorf("trustchain: %s: %w", c.EntityID, err)
	}
	return k.pub, nil
}

// ContentKeyAt is Chain.ContentKeyAt for an EC checked only against its
// own keys (Resolver.SelfSigned): signatures valid, identity not vouched
// for.
func ContentKeyAt(ec *entity.Parsed, kid string, signed, seen time.Time) (ed25519.PublicKey, error) {
	if ec == nil {
		return nil, fmt.Errorf("trustchain: content key %q: no entity configuration", kid)
	}
	sub := ec.Statement.Sub
	var keys []entity.JWK
	if in := ec.Statement.InterlinkNode(); in != nil {
		keys = in.ContentKeys
	}
	k, ok := entity.FindKey(keys, kid)
	if !ok {
		return nil, fmt.Errorf("trustchain: %s: content key %q: %w", sub, kid, ErrUnknownContentKey)
	}
	pub, err := k.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("trustchain: %s: %w", sub, err)
	}
	if err := keyValid(k, signed, seen); err != nil {
		return nil, fmt.Errorf("trustchain: %s: %w", sub, err)
	}
	return pub, nil
}

// keyValid judges a key's revocation at the later of signed and seen, and
// its retirement and not-before at signed.
func keyValid(k entity.JWK, signed, seen time.Time) error {
	if at := revocationTime(signed, seen); at.After(signed) && k.RevokedAt > 0 {
		if err := k.ValidAt(at); errors.Is(err, entity.ErrKeyRevoked) {
			return err
		}
	}
	return k.ValidAt(signed)
}

// revocationTime is the moment a revocation is judged at: the later of the
// asserted signing time and the first sighting.
func revocationTime(signed, seen time.Time) time.Time {
	if seen.After(signed) {
		return seen
	}
	return signed
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// decodeKeys decodes the content keys of c.Config once, for ContentKey.
func (c *Chain) decodeKeys() error {
	c.keys = map[string]contentKey{}
	in := c.Config.Statement.InterlinkNode()
	if in == nil {
		return nil
	}
	for _, k := range in.ContentKeys {
		pub, err := k.PublicKey()
		if err != nil {
			return fmt.Errorf("trustchain: %s: content key: %w", c.EntityID, err)
		}
		c.keys[k.Kid] = contentKey{jwk: k, pub: pub}
	}
	return nil
}

// identityOf reads an Identity from a statement's federation_entity.
func identityOf(st *entity.Statement) Identity {
	fe := st.FederationEntity()
	if fe == nil {
		return Identity{}
	}
	return Identity{Name: fe.OrganizationName, Country: fe.Country, OrgKind: fe.OrgKind, Role: fe.Role}
}
