package trust

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// settingRole is the stored role (`interlink anchor init`), which wins over
// Config.Role.
const settingRole = "trust.role"

// Identity is what the node says of itself in its entity configuration.
// Receivers never take it as fact: legal names and countries come from the
// superior's statement.
type Identity struct {
	Name, Country, OrgKind string
}

// Deps are what a Service is built from.
type Deps struct {
	Self     string // the node's entity id: its public URL
	Actor    string // its ActivityPub actor IRI
	Identity Identity
	Keys     func() KeySet
	Settings Settings           // the role; *storage.Store in the node
	Registry Registry           // the subordinates; the store's Authority view
	Fetcher  trustchain.Fetcher // the SSRF-guarded outbound client
	Now      func() time.Time
	Logger   *slog.Logger
	Version  string
	IDs      *protocol.ULIDSource
}

// Settings keeps the role an administrator set (`interlink anchor init`).
// *storage.Store implements it.
type Settings interface {
	GetSetting(ctx context.Context, name string) ([]byte, error)
	PutSetting(ctx context.Context, name string, v []byte) error
}

// Registry keeps, in anchor or intermediate role, the subordinates this
// node enrolled. storage.Authority implements it.
type Registry interface {
	Subordinate(ctx context.Context, entityID string) (storage.Subordinate, error)
	Subordinates(ctx context.Context) ([]storage.Subordinate, error)
	PutSubordinate(ctx context.Context, sub storage.Subordinate) error
}

// Service is the node's trust layer.
type Service struct {
	cfg      Config
	d        Deps
	resolver *trustchain.Resolver

	mu          sync.Mutex
	role        string
	ec          cachedEC
	revocations map[string]int64 // "authority subject" -> revoked_at seen in its denylist

	rejudging sync.Mutex                    // one Rejudge pass at a time
	keyStates map[string]map[string]keyMemo // signer -> kid -> what the last Rejudge pass knew of the key (under rejudging)
}

type cachedEC struct {
	raw     []byte
	fresh   time.Time // regenerate after this
	keys    string    // KeySet.fingerprint at signing
	role    string
	expires time.Time
}

// New builds the trust layer. cfg must be validated.
func New(ctx context.Context, cfg Config, d Deps) (*Service, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.IDs == nil {
		d.IDs = &protocol.ULIDSource{}
	}
	if err := checkEntityID(d.Self); err != nil {
		return nil, fmt.Errorf("trust: entity id: %w", err)
	}
	s := &Service{cfg: cfg, d: d, role: cfg.Role}
	if d.Settings != nil {
		v, err := d.Settings.GetSetting(ctx, settingRole)
		switch {
		case err == nil && len(v) > 0:
			s.role = string(v)
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return nil, fmt.Errorf("trust: read role: %w", err)
		}
	}
	r, err := trustchain.New(trustchain.Config{Anchors: cfg.Anchors, Fetcher: localFetcher{s}, Now: d.Now, Skew: cfg.ClockSkew, MaxAge: cfg.ReverifyInterval})
	if err != nil {
		return nil, fmt.Errorf("trust: anchors: %w", err)
	}
	s.resolver = r
	return s, nil
}

// Config returns the trust configuration.
func (s *Service) Config() Config { return s.cfg }

// Self returns the node's entity id.
func (s *Service) Self() string { return s.d.Self }

// Resolver returns the chain resolver (cached chains, pinned anchors).
func (s *Service) Resolver() *trustchain.Resolver { return s.resolver }

// Role returns the node's current role.
func (s *Service) Role() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.role
}

// SetRole stores a new role (anchor init): the entity configuration is
// re-signed at its next request.
func (s *Service) SetRole(ctx context.Context, role string) error {
	switch role {
	case RoleLeaf, RoleIntermediate, RoleAnchor:
	default:
		return fmt.Errorf("%w: role %q is not one of leaf, intermediate, anchor", ErrRequest, role)
	}
	if err := s.d.Settings.PutSetting(ctx, settingRole, []byte(role)); err != nil {
		return fmt.Errorf("trust: set role: %w", err)
	}
	s.mu.Lock()
	s.role, s.ec = role, cachedEC{}
	s.mu.Unlock()
	s.resolver.Invalidate(s.d.Self)
	return nil
}

// KeysChanged drops the cached entity configuration after a rotation.
func (s *Service) KeysChanged() {
	s.mu.Lock()
	s.ec = cachedEC{}
	s.mu.Unlock()
	s.resolver.Invalidate(s.d.Self)
}

// isAuthority reports whether the node issues subordinate statements.
func isAuthority(role string) bool { return role == RoleAnchor || role == RoleIntermediate }

// EntityConfiguration returns the node's self-signed entity configuration
// (a compact JWS, typ entity-statement+jwt). It is re-signed when half its
// lifetime has passed, or when the keys or the role changed.
func (s *Service) EntityConfiguration() ([]byte, error) {
	ks := s.d.Keys()
	now := s.d.Now()
	fp := ks.fingerprint()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ec.raw != nil && now.Before(s.ec.fresh) && s.ec.keys == fp && s.ec.role == s.role {
		return s.ec.raw, nil
	}
	fed, err := active(ks.Federation, "federation")
	if err != nil {
		return nil, err
	}
	st, err := s.configuration(ks, now)
	if err != nil {
		return nil, err
	}
	raw, err := entity.Sign(st, fed.Private)
	if err != nil {
		return nil, fmt.Errorf("trust: sign entity configuration: %w", err)
	}
	exp := time.Unix(st.Exp, 0)
	s.ec = cachedEC{raw: raw, fresh: now.Add(s.cfg.StatementTTL / 2), keys: fp, role: s.role, expires: exp}
	return raw, nil
}

// configuration builds the claims of the entity configuration.
func (s *Service) configuration(ks KeySet, now time.Time) (entity.Statement, error) {
	fedKeys, err := jwks(ks.Federation, func(k Key) bool { return k.State == KeyActive || k.State == KeyNext })
	if err != nil {
		return entity.Statement{}, err
	}
	contentKeys, err := jwks(ks.Content, func(Key) bool { return true })
	if err != nil {
		return entity.Statement{}, err
	}
	if len(contentKeys) > entity.MaxContentKeys {
		contentKeys = contentKeys[len(contentKeys)-entity.MaxContentKeys:]
	}
	fe := &entity.FederationEntity{
		OrganizationName:       s.d.Identity.Name,
		Country:                s.d.Identity.Country,
		OrgKind:                s.d.Identity.OrgKind,
		Role:                   s.role,
		HistoricalKeysEndpoint: s.d.Self + entity.HistoricalKeysPath,
	}
	if isAuthority(s.role) {
		fe.FetchEndpoint = s.d.Self + entity.FetchPath
		fe.ListEndpoint = s.d.Self + entity.ListPath
		fe.DenylistEndpoint = s.d.Self + entity.DenylistPath
	}
	st := entity.Statement{
		Iss: s.d.Self, Sub: s.d.Self,
		Iat: now.Unix(), Exp: now.Add(s.cfg.StatementTTL).Unix(),
		JWKS:     &entity.JWKS{Keys: fedKeys},
		Metadata: &entity.Metadata{FederationEntity: fe, InterlinkNode: &entity.InterlinkNode{Actor: s.d.Actor, ContentKeys: contentKeys, SoftwareVersion: s.d.Version}},
	}
	if s.role != RoleAnchor {
		st.AuthorityHints = s.cfg.AuthorityHints
	}
	return st, nil
}

// ConfigurationHash is the base64url SHA-256 of the current entity
// configuration: the hint gossip carries so that peers notice a change.
func (s *Service) ConfigurationHash() string {
	raw, err := s.EntityConfiguration()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])[:22]
}

// localFetcher serves the node's own documents without a network round
// trip and sends everything else to the outbound client.
type localFetcher struct{ s *Service }

func (f localFetcher) Fetch(ctx context.Context, raw string) ([]byte, error) {
	s := f.s
	if strings.HasPrefix(raw, s.d.Self+"/") {
		u, err := url.Parse(raw)
		if err == nil {
			switch strings.TrimPrefix(raw[:len(raw)-len(queryOf(u))], s.d.Self) {
			case entity.WellKnownPath:
				return s.EntityConfiguration()
			case entity.FetchPath:
				st, err := s.SubordinateStatement(ctx, u.Query().Get("sub"))
				if errors.Is(err, ErrNotSubordinate) {
					return nil, fmt.Errorf("%w: %w", trustchain.ErrNotFound, err)
				}
				return st, err
			}
		}
	}
	if s.d.Fetcher == nil {
		return nil, fmt.Errorf("trust: fetch %s: no outbound client", raw)
	}
	return s.d.Fetcher.Fetch(ctx, raw)
}

// queryOf returns "?query" of u as it appears in its string form, or "".
func queryOf(u *url.URL) string {
	if u.RawQuery == "" && !u.ForceQuery {
		return ""
	}
	return "?" + u.RawQuery
}

// SelfStatus reports whether the node's own chain resolves to a pinned
// anchor: the chain, or why not. It resolves afresh (an operator asking
// wants to see a revocation or a new enrolment at once).
func (s *Service) SelfStatus(ctx context.Context) (*trustchain.Chain, error) {
	s.resolver.Invalidate(s.d.Self)
	return s.resolver.Resolve(ctx, s.d.Self)
}
