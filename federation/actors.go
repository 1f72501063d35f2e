package federation

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
)

// actorCache keeps remote actors (and so their keys) for a while. A
// refresh (key rotation) bypasses it, at most once a minute per actor so
// that forged requests cannot make the node hammer a peer.
type actorCache struct {
	s   *Service
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedActor
}

type cachedActor struct {
	actor   *activity.RemoteActor
	key     crypto.PublicKey
	fetched time.Time
}

func newActorCache(s *Service, ttl time.Duration) *actorCache {
	return &actorCache{s: s, ttl: ttl, m: map[string]cachedActor{}}
}

// get returns the actor at iri, fetching it when absent, stale or refresh.
func (c *actorCache) get(ctx context.Context, iri string, refresh bool) (*activity.RemoteActor, crypto.PublicKey, error) {
	now := c.s.now()
	c.mu.Lock()
	ca, ok := c.m[iri]
	c.mu.Unlock()
	if ok && now.Sub(ca.fetched) < c.ttl && (!refresh || now.Sub(ca.fetched) < time.Minute) {
		return ca.actor, ca.key, nil
	}
	if err := c.s.checkRemote(iri); err != nil {
		return nil, nil, err
	}
	raw, err := c.s.fetch(ctx, iri)
	if err != nil {
		return nil, nil, err
	}
	a, err := activity.ParseActor(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("actor %s: %w", iri, err)
	}
	if a.ID != iri {
		return nil, nil, fmt.Errorf("actor %s: the document's id is %s", iri, a.ID)
	}
	if a.KeyOwner != "" && a.KeyOwner != a.ID {
		return nil, nil, fmt.Errorf("actor %s: its key is owned by %s", iri, a.KeyOwner)
	}
	for _, u := range []string{a.Inbox, a.SharedInbox, a.Outbox, a.KeyID} {
		if u != "" && !sameOrigin(u, a.ID) {
			return nil, nil, fmt.Errorf("actor %s: %s is on another origin", iri, u)
		}
	}
	var key crypto.PublicKey
	if a.PublicKeyPEM != "" {
		if key, err = httpsig.ParsePublicKeyPEM(a.PublicKeyPEM); err != nil {
			return nil, nil, fmt.Errorf("actor %s: public key: %w", iri, err)
		}
	}
	c.mu.Lock()
	c.m[iri] = cachedActor{actor: a, key: key, fetched: now}
	c.mu.Unlock()
	return a, key, nil
}

// resolveKey is the httpsig.KeyResolver: the key id's actor document, whose
// publicKey must carry that id.
func (s *Service) resolveKey(ctx context.Context, keyID string, refresh bool) (string, crypto.PublicKey, error) {
	actorIRI, _, _ := strings.Cut(keyID, "#")
	a, key, err := s.actors.get(ctx, actorIRI, refresh)
	if err != nil {
		return "", nil, err
	}
	if key == nil || a.KeyID != keyID {
		return "", nil, fmt.Errorf("actor %s publishes no key %s", actorIRI, keyID)
	}
	return a.ID, key, nil
}

// Actor returns a remote actor (cached).
func (s *Service) Actor(ctx context.Context, iri string) (*activity.RemoteActor, error) {
	a, _, err := s.actors.get(ctx, iri, false)
	return a, err
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
