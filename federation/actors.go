package federation

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// actorCacheSize bounds the documents the actor cache keeps (actors and key
// documents): a follower base of thousands of servers fits, a flood of
// forged keyIds evicts only the least recently used.
const actorCacheSize = 4096

// actorCache keeps remote actors and key documents for a while, at most
// actorCacheSize of them (least recently used evicted). A refresh (key
// rotation) bypasses it, at most once a minute per document so that forged
// requests cannot make the node hammer a peer.
type actorCache struct {
	s   *Service
	ttl time.Duration
	m   *lru.Cache[string, cachedDoc]
}

// cachedDoc is one fetched document, by the URL it was fetched from.
type cachedDoc struct {
	doc     *activity.KeyDocument // the document as a key document (nil when it carries no key)
	actor   *activity.RemoteActor // the document as an actor (nil when it is none)
	pubs    map[string]parsedKey  // the key material of doc.Keys, decoded once, by key id
	fetched time.Time
}

// parsedKey is one key's decoded material, or why it could not be decoded.
type parsedKey struct {
	pub crypto.PublicKey
	err error
}

func newActorCache(s *Service, ttl time.Duration, size int) *actorCache {
	m, err := lru.New[string, cachedDoc](size)
	if err != nil {
		panic(err) // size is a positive constant
	}
	return &actorCache{s: s, ttl: ttl, m: m}
}

// fetchDoc returns the document at iri (no fragment), fetching it when
// absent, stale or refresh.
func (c *actorCache) fetchDoc(ctx context.Context, iri string, refresh bool) (cachedDoc, error) {
	now := c.s.now()
	if cd, ok := c.m.Get(iri); ok && now.Sub(cd.fetched) < c.ttl && (!refresh || now.Sub(cd.fetched) < time.Minute) {
		return cd, nil
	}
	if err := c.s.checkRemote(iri); err != nil {
		return cachedDoc{}, err
	}
	raw, err := c.s.fetch(ctx, iri)
	if err != nil {
		return cachedDoc{}, err
	}
	cd := cachedDoc{fetched: now}
	kd, kerr := activity.ParseKeyDocument(raw)
	if kerr == nil {
		cd.doc, cd.actor = kd, kd.Actor
		cd.pubs = make(map[string]parsedKey, len(kd.Keys))
		for _, k := range kd.Keys {
			pub, err := keyMaterial(k)
			cd.pubs[k.ID] = parsedKey{pub, err}
		}
	} else if cd.actor, err = activity.ParseActor(raw); err != nil {
		return cachedDoc{}, fmt.Errorf("document %s: %w", iri, errors.Join(kerr, err))
	}
	if cd.actor != nil {
		if err := checkActor(iri, cd.actor); err != nil {
			cd.actor = nil
			if cd.doc == nil {
				return cachedDoc{}, err
			}
		}
	}
	c.m.Add(iri, cd)
	return cd, nil
}

// checkActor checks an actor fetched from iri: its id is iri, its key's
// owner is itself, and its URLs are on its origin.
func checkActor(iri string, a *activity.RemoteActor) error {
	if a.ID != iri {
		return fmt.Errorf("actor %s: the document's id is %s", iri, a.ID)
	}
	if a.KeyOwner != "" && a.KeyOwner != a.ID {
		return fmt.Errorf("actor %s: its key is owned by %s", iri, a.KeyOwner)
	}
	for _, u := range []string{a.Inbox, a.SharedInbox, a.Outbox, a.KeyID} {
		if u != "" && !sameOrigin(u, a.ID) {
			return fmt.Errorf("actor %s: %s is on another origin", iri, u)
		}
	}
	return nil
}

// get returns the actor at iri, fetching it when absent, stale or refresh.
func (c *actorCache) get(ctx context.Context, iri string, refresh bool) (*activity.RemoteActor, error) {
	cd, err := c.fetchDoc(ctx, iri, refresh)
	if err != nil {
		return nil, err
	}
	if cd.actor == nil {
		return nil, fmt.Errorf("actor %s: the document is not an actor (no inbox, or another id)", iri)
	}
	return cd.actor, nil
}

// resolveKey is the httpsig.KeyResolver, for every form deployed servers
// publish keys in (docs/interop.md):
//   - a fragment of the actor ("{actor}#main-key", Mastodon, Akkoma,
//     Misskey, interlink nodes): the actor embeds the key;
//   - a key document of its own ("{actor}/main-key", GoToSocial: a stub
//     with the actor's id and the publicKey, no inbox; or a document that
//     is the key, with owner or controller);
//   - a key in an array of keys, or an FEP-521a Multikey in
//     assertionMethod (controller, publicKeyMultibase).
//
// The document at the keyId (without its fragment) must carry a key with
// exactly that id. Its owner (or controller) must be on the key's origin
// (an actor that embeds the key without naming an owner owns it); when the
// owner is not the document itself, the owner is fetched as an actor and
// must list the key id, and carry the same key material if it embeds it.
// The owner is what the signature speaks for.
func (s *Service) resolveKey(ctx context.Context, keyID string, refresh bool) (string, crypto.PublicKey, error) {
	docIRI, _, _ := strings.Cut(keyID, "#")
	cd, err := s.actors.fetchDoc(ctx, docIRI, refresh)
	if err != nil {
		return "", nil, err
	}
	if cd.doc == nil {
		return "", nil, fmt.Errorf("%s publishes no key", docIRI)
	}
	k, ok := cd.doc.Key(keyID)
	if !ok {
		return "", nil, fmt.Errorf("%s publishes no key %s", docIRI, keyID)
	}
	owner := k.Owner
	if owner == "" && cd.actor != nil {
		owner = cd.actor.ID
	}
	if owner == "" {
		return "", nil, fmt.Errorf("%w: key %s names no owner or controller", httpsig.ErrKeyOwner, keyID)
	}
	if !sameOrigin(owner, keyID) {
		return "", nil, fmt.Errorf("%w: key %s is owned by %s, on another origin", httpsig.ErrKeyOwner, keyID, owner)
	}
	pk := cd.pubs[k.ID]
	if pk.err != nil {
		return "", nil, fmt.Errorf("key %s: %w", keyID, pk.err)
	}
	if cd.actor != nil && cd.actor.ID == owner {
		return owner, pk.pub, nil // the actor embeds its own key
	}
	ocd, err := s.actors.fetchDoc(ctx, owner, refresh)
	if err == nil && ocd.actor == nil {
		err = fmt.Errorf("actor %s: the document is not an actor (no inbox, or another id)", owner)
	}
	if err != nil {
		return "", nil, fmt.Errorf("owner of key %s: %w", keyID, err)
	}
	if !ocd.actor.NamesKey(keyID) {
		return "", nil, fmt.Errorf("%w: %s, the owner of key %s, does not list it", httpsig.ErrKeyOwner, owner, keyID)
	}
	if apk, ok := ocd.pubs[keyID]; ok && (apk.err != nil || !httpsigSameKey(apk.pub, pk.pub)) {
		return "", nil, fmt.Errorf("%w: %s and its key document %s disagree on the key", httpsig.ErrKeyOwner, owner, docIRI)
	}
	return owner, pk.pub, nil
}

// keyMaterial decodes a key's PEM or multibase material.
func keyMaterial(k activity.PublicKey) (crypto.PublicKey, error) {
	if k.PEM != "" {
		return httpsig.ParsePublicKeyPEM(k.PEM)
	}
	return httpsig.ParsePublicKeyMultibase(k.Multibase)
}

func httpsigSameKey(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

// Actor returns a remote actor (cached).
func (s *Service) Actor(ctx context.Context, iri string) (*activity.RemoteActor, error) {
	return s.actors.get(ctx, iri, false)
}

// ErrBlocked is returned for hosts the domain lists exclude.
var ErrBlocked = errors.New("federation: the host is blocked by the domain lists")

// checkRemote refuses URLs that are not absolute http(s), that point at
// this node, or whose host the domain lists exclude.
func (s *Service) checkRemote(iri string) error { return checkRemote(s.cfg, s.uris, iri) }

func checkRemote(cfg Config, self protocol.URIs, iri string) error {
	u, err := url.Parse(iri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("federation: %q is not an absolute http(s) URL", iri)
	}
	if sameOrigin(iri, self.Base()) {
		return fmt.Errorf("federation: %s is this node", iri)
	}
	if !cfg.hostAllowed(u.Hostname()) {
		return fmt.Errorf("%w: %s", ErrBlocked, u.Hostname())
	}
	return nil
}

// sameOrigin compares scheme, host and port of two URLs (never by substring).
func sameOrigin(a, b string) bool { return protocol.SameOriginURL(a, b) }

// originOf is scheme://host[:port] of a URL.
func originOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// hostOf is host:port of a URL, the port defaulted from the scheme (the
// key storage keeps delivery state under: protocol.HostKey); "" when it has
// none.
func hostOf(iri string) string {
	h, _ := protocol.HostKey(iri)
	return h
}
