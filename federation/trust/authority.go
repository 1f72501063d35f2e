package trust

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/storage"
)

var (
	// ErrRequest: an administrator's request is not acceptable (the
	// message says what to change).
	ErrRequest = errors.New("trust request refused")
	// ErrNotAuthority: the node is neither an anchor nor an intermediate.
	ErrNotAuthority = errors.New("this node is not a trust anchor or intermediate")
	// ErrNotSubordinate: the entity is not enrolled here.
	ErrNotSubordinate = errors.New("not a subordinate of this node")
)

// Enrolment is an anchor's (or intermediate's) decision to vouch for an
// entity: the legal identity it states and, for an intermediate, the
// constraints below it.
type Enrolment struct {
	EntityID      string   `json:"entity_id"`
	Name          string   `json:"name"`
	Country       string   `json:"country"`
	OrgKind       string   `json:"org_kind"`
	Role          string   `json:"role"`            // leaf (default) or intermediate
	MaxPathLength *int     `json:"max_path_length"` // intermediates: how many intermediates may follow below
	Permitted     []string `json:"permitted"`       // intermediates: naming constraints
	Excluded      []string `json:"excluded"`
	// Kids, when given, are the federation key thumbprints the entity's
	// operator communicated out of band: enrolment fails unless the
	// entity configuration lists exactly these keys.
	Kids []string `json:"kids"`
}

// Enroll records ent as a subordinate, with the federation keys of its
// current entity configuration (fetched and self-verified). Enrolling an
// enrolled entity again refreshes its keys and identity (after a federation
// key rotation) and lifts a revocation.
func (s *Service) Enroll(ctx context.Context, e Enrolment) (storage.Subordinate, error) {
	if !isAuthority(s.Role()) {
		return storage.Subordinate{}, fmt.Errorf("%w (role %s): run `interlink anchor init` first", ErrNotAuthority, s.Role())
	}
	if e.Role == "" {
		e.Role = RoleLeaf
	}
	if err := e.validate(s.d.Self); err != nil {
		return storage.Subordinate{}, err
	}
	raw, err := s.d.Fetcher.Fetch(ctx, e.EntityID+entity.WellKnownPath)
	if err != nil {
		return storage.Subordinate{}, fmt.Errorf("%w: fetch the entity configuration of %s: %w", ErrRequest, e.EntityID, err)
	}
	ec, err := entity.Parse(raw)
	if err != nil {
		return storage.Subordinate{}, fmt.Errorf("%w: entity configuration of %s: %w", ErrRequest, e.EntityID, err)
	}
	if err := ec.VerifySelf(s.d.Now(), s.cfg.ClockSkew); err != nil {
		return storage.Subordinate{}, fmt.Errorf("%w: entity configuration of %s: %w", ErrRequest, e.EntityID, err)
	}
	if ec.Statement.Sub != e.EntityID {
		return storage.Subordinate{}, fmt.Errorf("%w: %s serves the entity configuration of %s", ErrRequest, e.EntityID, ec.Statement.Sub)
	}
	if !slices.Contains(ec.Statement.AuthorityHints, s.d.Self) {
		return storage.Subordinate{}, fmt.Errorf("%w: %s does not name this node (%s) in its authority_hints: add it to trust.authority_hints in that node's configuration and restart it, then enrol again",
			ErrRequest, e.EntityID, s.d.Self)
	}
	keys := ec.Statement.Keys()
	if len(e.Kids) > 0 {
		var got []string
		for _, k := range keys {
			got = append(got, k.Kid)
		}
		if !sameSet(got, e.Kids) {
			return storage.Subordinate{}, fmt.Errorf("%w: %s publishes the federation keys %v, not the %v you were given: confirm with its operator before enrolling", ErrRequest, e.EntityID, got, e.Kids)
		}
	}
	jwksRaw, err := json.Marshal(entity.JWKS{Keys: keys})
	if err != nil {
		return storage.Subordinate{}, fmt.Errorf("trust: enrol %s: %w", e.EntityID, err)
	}
	now := s.d.Now().UTC()
	sub := storage.Subordinate{EntityID: e.EntityID, Name: e.Name, Country: strings.ToUpper(e.Country), OrgKind: e.OrgKind, Role: e.Role,
		JWKS: jwksRaw, MaxPathLength: e.MaxPathLength, Permitted: e.Permitted, Excluded: e.Excluded, Enrolled: now, Updated: now}
	if old, err := s.d.Registry.Subordinate(ctx, e.EntityID); err == nil {
		sub.Enrolled = old.Enrolled
	}
	if err := s.d.Registry.PutSubordinate(ctx, sub); err != nil {
		return storage.Subordinate{}, fmt.Errorf("trust: enrol %s: %w", e.EntityID, err)
	}
	s.resolver.Invalidate(e.EntityID)
	return sub, nil
}

func (e *Enrolment) validate(self string) error {
	var errs []string
	if err := checkEntityID(e.EntityID); err != nil {
		errs = append(errs, "entity_id: "+err.Error())
	} else if e.EntityID == self {
		errs = append(errs, "entity_id: a node cannot enrol itself")
	}
	if strings.TrimSpace(e.Name) == "" || len(e.Name) > 512 {
		errs = append(errs, "name: the legal name is required (at most 512 bytes)")
	}
	if len(e.Country) != 2 || strings.ToUpper(e.Country) != e.Country && strings.ToLower(e.Country) != e.Country || !isLetters(e.Country) {
		errs = append(errs, fmt.Sprintf("country: %q is not an ISO 3166-1 alpha-2 code", e.Country))
	}
	if !slices.Contains(entity.OrgKinds, e.OrgKind) {
		errs = append(errs, fmt.Sprintf("org_kind: %q is not one of %s", e.OrgKind, strings.Join(entity.OrgKinds, ", ")))
	}
	switch e.Role {
	case RoleLeaf:
		if e.MaxPathLength != nil || len(e.Permitted) > 0 || len(e.Excluded) > 0 {
			errs = append(errs, "max_path_length, permitted, excluded: constraints apply to intermediates only")
		}
	case RoleIntermediate:
		if e.MaxPathLength != nil && (*e.MaxPathLength < 0 || *e.MaxPathLength > 8) {
			errs = append(errs, "max_path_length: must be between 0 and 8")
		}
		c := &entity.Constraints{MaxPathLength: e.MaxPathLength}
		if len(e.Permitted) > 0 || len(e.Excluded) > 0 {
			c.NamingConstraints = &entity.NamingConstraints{Permitted: e.Permitted, Excluded: e.Excluded}
		}
		if err := validConstraints(self, e.EntityID, c); err != nil {
			errs = append(errs, "permitted/excluded: "+err.Error())
		}
	default:
		errs = append(errs, fmt.Sprintf("role: %q is not leaf or intermediate", e.Role))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrRequest, strings.Join(errs, "; "))
	}
	return nil
}

// validConstraints checks constraints as a statement carrying them would
// be checked (with a placeholder key).
func validConstraints(self, sub string, c *entity.Constraints) error {
	j, err := entity.NewJWK(make(ed25519.PublicKey, ed25519.PublicKeySize))
	if err != nil {
		return err
	}
	st := entity.Statement{Iss: self, Sub: sub, Iat: 1, Exp: 2, JWKS: &entity.JWKS{Keys: []entity.JWK{j}}, Constraints: c}
	return st.Validate()
}

func isLetters(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// Revoke marks a subordinate revoked from now. Its statement keeps being
// served, saying when it was revoked, so that receivers still judge what it
// signed before; the denylist lists it.
func (s *Service) Revoke(ctx context.Context, entityID, reason string) (storage.Subordinate, error) {
	if !isAuthority(s.Role()) {
		return storage.Subordinate{}, fmt.Errorf("%w (role %s)", ErrNotAuthority, s.Role())
	}
	sub, err := s.d.Registry.Subordinate(ctx, entityID)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Subordinate{}, fmt.Errorf("%w: %s (see `interlink anchor list`)", ErrNotSubordinate, entityID)
	}
	if err != nil {
		return storage.Subordinate{}, fmt.Errorf("trust: revoke %s: %w", entityID, err)
	}
	if len(reason) > 512 {
		return storage.Subordinate{}, fmt.Errorf("%w: reason: at most 512 bytes", ErrRequest)
	}
	if !sub.RevokedAt.IsZero() {
		return storage.Subordinate{}, fmt.Errorf("%w: %s was already revoked at %s", ErrRequest, entityID, sub.RevokedAt.Format(time.RFC3339))
	}
	now := s.d.Now().UTC()
	sub.RevokedAt, sub.Reason, sub.Updated = now, reason, now
	if err := s.d.Registry.PutSubordinate(ctx, sub); err != nil {
		return storage.Subordinate{}, fmt.Errorf("trust: revoke %s: %w", entityID, err)
	}
	s.resolver.Invalidate(entityID)
	return sub, nil
}

// Subordinates lists the enrolled entities.
func (s *Service) Subordinates(ctx context.Context) ([]storage.Subordinate, error) {
	return s.d.Registry.Subordinates(ctx)
}

// SubordinateStatement issues a fresh statement about sub (the fetch
// endpoint), signed with the active federation key.
func (s *Service) SubordinateStatement(ctx context.Context, sub string) ([]byte, error) {
	if !isAuthority(s.Role()) {
		return nil, fmt.Errorf("%w (role %s)", ErrNotAuthority, s.Role())
	}
	rec, err := s.d.Registry.Subordinate(ctx, sub)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotSubordinate, sub)
	}
	if err != nil {
		return nil, fmt.Errorf("trust: statement about %s: %w", sub, err)
	}
	var keys entity.JWKS
	if err := json.Unmarshal(rec.JWKS, &keys); err != nil {
		return nil, fmt.Errorf("trust: statement about %s: stored keys: %w", sub, err)
	}
	fed, err := active(s.d.Keys().Federation, "federation")
	if err != nil {
		return nil, err
	}
	now := s.d.Now()
	st := entity.Statement{Iss: s.d.Self, Sub: sub, Iat: now.Unix(), Exp: now.Add(s.cfg.StatementTTL).Unix(), JWKS: &keys,
		Metadata: &entity.Metadata{FederationEntity: &entity.FederationEntity{OrganizationName: rec.Name, Country: rec.Country, OrgKind: rec.OrgKind, Role: rec.Role}}}
	if rec.Role == RoleIntermediate && (rec.MaxPathLength != nil || len(rec.Permitted) > 0 || len(rec.Excluded) > 0) {
		st.Constraints = &entity.Constraints{MaxPathLength: rec.MaxPathLength}
		if len(rec.Permitted) > 0 || len(rec.Excluded) > 0 {
			st.Constraints.NamingConstraints = &entity.NamingConstraints{Permitted: rec.Permitted, Excluded: rec.Excluded}
		}
	}
	if !rec.RevokedAt.IsZero() {
		st.RevokedAt, st.RevokedReason = rec.RevokedAt.Unix(), rec.Reason
	}
	out, err := entity.Sign(st, fed.Private)
	if err != nil {
		return nil, fmt.Errorf("trust: statement about %s: %w", sub, err)
	}
	return out, nil
}

// SubordinateList is the list endpoint: the entity ids this node vouches
// for (revoked ones excluded).
func (s *Service) SubordinateList(ctx context.Context) ([]string, error) {
	if !isAuthority(s.Role()) {
		return nil, fmt.Errorf("%w (role %s)", ErrNotAuthority, s.Role())
	}
	subs, err := s.d.Registry.Subordinates(ctx)
	if err != nil {
		return nil, fmt.Errorf("trust: list subordinates: %w", err)
	}
	out := []string{}
	for _, sub := range subs {
		if sub.RevokedAt.IsZero() {
			out = append(out, sub.EntityID)
		}
	}
	return out, nil
}

// Denylist is the signed list of revoked subordinates.
func (s *Service) Denylist(ctx context.Context) ([]byte, error) {
	if !isAuthority(s.Role()) {
		return nil, fmt.Errorf("%w (role %s)", ErrNotAuthority, s.Role())
	}
	subs, err := s.d.Registry.Subordinates(ctx)
	if err != nil {
		return nil, fmt.Errorf("trust: denylist: %w", err)
	}
	now := s.d.Now()
	l := entity.List{Iss: s.d.Self, Iat: now.Unix(), Exp: now.Add(s.cfg.StatementTTL).Unix()}
	for _, sub := range subs {
		if !sub.RevokedAt.IsZero() {
			l.Revoked = append(l.Revoked, entity.Revocation{Sub: sub.EntityID, RevokedAt: sub.RevokedAt.Unix(), Reason: sub.Reason})
		}
	}
	return s.signList(l)
}

// HistoricalKeys is the signed list of the node's federation keys that were
// rotated out or revoked.
func (s *Service) HistoricalKeys() ([]byte, error) {
	now := s.d.Now()
	keys, err := jwks(s.d.Keys().Federation, func(k Key) bool { return k.State == KeyRetired || k.State == KeyRevoked })
	if err != nil {
		return nil, err
	}
	return s.signList(entity.List{Iss: s.d.Self, Iat: now.Unix(), Exp: now.Add(s.cfg.StatementTTL).Unix(), Keys: keys})
}

func (s *Service) signList(l entity.List) ([]byte, error) {
	fed, err := active(s.d.Keys().Federation, "federation")
	if err != nil {
		return nil, err
	}
	out, err := entity.SignList(l, fed.Private)
	if err != nil {
		return nil, fmt.Errorf("trust: sign list: %w", err)
	}
	return out, nil
}
