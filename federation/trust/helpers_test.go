package trust

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
	"github.com/interlink-project/interlink-node/storage"
)

// t0 is the start of every test federation's clock (whole seconds: the
// trust layer counts in seconds).
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// The standard test federation: an Italian anchor, a municipality acting as
// an intermediate under it for a civic group, a Spanish anchor with a leaf.
const (
	anchorIT = "https://anchor.it.example"
	anchorES = "https://anchor.es.example"
	comune   = "https://comune.re.example"
	ospizio  = "https://ospizio.re.example"
	zaragoza = "https://zaragoza.es.example"
)

// testTTL is the statement TTL of the test federation (shorter than the
// default so that tests can step past it without passing object expiry).
const testTTL = 2 * time.Hour

// clock is the injectable clock every member of a federation shares.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// keyRing holds a member's keys the way the node's key ring does: rotation
// retires, revocation marks compromised, federation keys go through next.
type keyRing struct {
	t   testing.TB
	now func() time.Time
	mu  sync.Mutex
	ks  KeySet
}

func newKeyRing(t testing.TB, now func() time.Time) *keyRing {
	r := &keyRing{t: t, now: now}
	created := now().Add(-time.Hour)
	r.ks.Content = []Key{freshKey(t, KeyActive, created)}
	r.ks.Federation = []Key{freshKey(t, KeyActive, created)}
	return r
}

func freshKey(t testing.TB, state string, created time.Time) Key {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := entity.Thumbprint(priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return Key{Kid: kid, Private: priv, State: state, Created: created}
}

// Keys is the Deps.Keys snapshot (copied: the service never sees a later
// mutation through it).
func (r *keyRing) Keys() KeySet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return KeySet{Content: slices.Clone(r.ks.Content), Federation: slices.Clone(r.ks.Federation)}
}

func (r *keyRing) content() Key {
	k, err := active(r.Keys().Content, "content")
	if err != nil {
		r.t.Fatal(err)
	}
	return k
}

func (r *keyRing) federation() Key {
	k, err := active(r.Keys().Federation, "federation")
	if err != nil {
		r.t.Fatal(err)
	}
	return k
}

// rotateContent retires the active content key now and returns the new one.
func (r *keyRing) rotateContent() Key {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for i := range r.ks.Content {
		if r.ks.Content[i].State == KeyActive {
			r.ks.Content[i].State, r.ks.Content[i].RetiredAt = KeyRetired, now
		}
	}
	k := freshKey(r.t, KeyActive, now)
	r.ks.Content = append(r.ks.Content, k)
	return k
}

// revokeContent marks the content key kid compromised from now.
func (r *keyRing) revokeContent(kid, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.ks.Content {
		if r.ks.Content[i].Kid == kid {
			r.ks.Content[i].State, r.ks.Content[i].RevokedAt, r.ks.Content[i].Reason = KeyRevoked, r.now(), reason
			return
		}
	}
	r.t.Fatalf("no content key %s", kid)
}

// nextFederation publishes a new federation key in state next.
func (r *keyRing) nextFederation() Key {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := freshKey(r.t, KeyNext, r.now())
	r.ks.Federation = append(r.ks.Federation, k)
	return k
}

// promoteFederation makes the next federation key active and retires the
// current one.
func (r *keyRing) promoteFederation() {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := slices.IndexFunc(r.ks.Federation, func(k Key) bool { return k.State == KeyNext })
	if next < 0 {
		r.t.Fatal("no next federation key")
	}
	for i := range r.ks.Federation {
		if r.ks.Federation[i].State == KeyActive {
			r.ks.Federation[i].State, r.ks.Federation[i].RetiredAt = KeyRetired, r.now()
		}
	}
	r.ks.Federation[next].State = KeyActive
}

// router is the federation's network: it routes the trust endpoints of
// each member's entity id to its Service, counting fetches per URL.
type router struct {
	mu   sync.Mutex
	svcs map[string]*Service
	hits map[string]int
}

func (n *router) Fetch(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("router: %s: %w", raw, err)
	}
	n.mu.Lock()
	n.hits[raw]++
	svc := n.svcs[u.Scheme+"://"+u.Host]
	n.mu.Unlock()
	if svc == nil {
		return nil, fmt.Errorf("router: %s: no such host", raw)
	}
	switch u.Path {
	case entity.WellKnownPath:
		return svc.EntityConfiguration()
	case entity.FetchPath:
		out, err := svc.SubordinateStatement(ctx, u.Query().Get("sub"))
		if errors.Is(err, ErrNotSubordinate) {
			return nil, fmt.Errorf("router: %s: %w: %w", raw, trustchain.ErrNotFound, err)
		}
		return out, err
	}
	return nil, fmt.Errorf("router: %s: %w", raw, trustchain.ErrNotFound)
}

// fetches counts the fetches of URLs that start with prefix.
func (n *router) fetches(prefix string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	total := 0
	for u, h := range n.hits {
		if strings.HasPrefix(u, prefix) {
			total += h
		}
	}
	return total
}

// member is one node of a test federation.
type member struct {
	id    string
	svc   *Service
	keys  *keyRing
	store *storage.Store
	ids   *protocol.ULIDSource
}

// fed is an in-memory federation with one clock.
type fed struct {
	t     testing.TB
	clock *clock
	net   *router
	m     map[string]*member
}

// spec describes a member to add.
type spec struct {
	id       string
	role     string
	hints    []string
	identity Identity
	// anchors overrides the pins (nil: pin anchorIT and anchorES; use
	// noPins for none).
	anchors    []trustchain.Anchor
	unverified string
}

// noPins pins no anchor.
var noPins = []trustchain.Anchor{}

// newFed starts an empty federation at t0 with the two anchors.
func newFed(t testing.TB) *fed {
	t.Helper()
	f := &fed{t: t, clock: &clock{t: t0}, net: &router{svcs: map[string]*Service{}, hits: map[string]int{}}, m: map[string]*member{}}
	// The anchors' keys must exist before anyone pins them.
	for _, id := range []string{anchorIT, anchorES} {
		f.m[id] = &member{id: id, keys: newKeyRing(t, f.clock.Now)}
	}
	f.add(spec{id: anchorIT, role: RoleAnchor, identity: Identity{Name: "Agenzia per l'Italia Digitale", Country: "IT", OrgKind: "public_administration"}})
	f.add(spec{id: anchorES, role: RoleAnchor, identity: Identity{Name: "Secretaría General de Administración Digital", Country: "ES", OrgKind: "public_administration"}})
	return f
}

// newStandardFed is newFed plus the municipality (an intermediate under
// anchorIT, constrained to .re.example, max_path_length 1), its civic group
// and a Spanish leaf, all enrolled.
func newStandardFed(t testing.TB) *fed {
	t.Helper()
	f := newFed(t)
	f.add(spec{id: comune, role: RoleIntermediate, hints: []string{anchorIT}, identity: Identity{Name: "Comune di Reggio Emilia (self)", Country: "IT", OrgKind: "public_administration"}})
	f.add(spec{id: ospizio, role: RoleLeaf, hints: []string{comune}, identity: Identity{Name: "Ospizio (self-declared)", Country: "IT", OrgKind: "citizen_group"}})
	f.add(spec{id: zaragoza, role: RoleLeaf, hints: []string{anchorES}, identity: Identity{Name: "Zaragoza", Country: "ES", OrgKind: "public_administration"}})
	one := 1
	f.enrol(anchorIT, Enrolment{EntityID: comune, Name: "Comune di Reggio Emilia", Country: "IT", OrgKind: "public_administration",
		Role: RoleIntermediate, MaxPathLength: &one, Permitted: []string{".re.example"}})
	f.enrol(comune, Enrolment{EntityID: ospizio, Name: "Associazione Ospizio", Country: "IT", OrgKind: "citizen_group"})
	f.enrol(anchorES, Enrolment{EntityID: zaragoza, Name: "Ayuntamiento de Zaragoza", Country: "ES", OrgKind: "public_administration"})
	return f
}

// pins pins both anchors by their current federation keys.
func (f *fed) pins() []trustchain.Anchor {
	var out []trustchain.Anchor
	for _, id := range []string{anchorIT, anchorES} {
		out = append(out, trustchain.Anchor{EntityID: id, Kids: Kids(f.m[id].keys.Keys().Federation, KeyActive, KeyNext)})
	}
	return out
}

func (f *fed) config(s spec) Config {
	cfg := Defaults()
	cfg.Role = s.role
	cfg.AuthorityHints = s.hints
	cfg.StatementTTL = testTTL
	cfg.Anchors = s.anchors
	if cfg.Anchors == nil {
		cfg.Anchors = f.pins()
	}
	if s.unverified != "" {
		cfg.Unverified = s.unverified
	}
	return cfg
}

// add builds a member's Service on its own store and routes to it.
func (f *fed) add(s spec) *member {
	t := f.t
	t.Helper()
	return f.addWith(s, f.config(s))
}

// addWith is add with an explicit configuration.
func (f *fed) addWith(s spec, cfg Config) *member {
	t := f.t
	t.Helper()
	if s.role == "" {
		s.role = cfg.Role
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("%s: %v", s.id, err)
	}
	m := f.m[s.id]
	if m == nil {
		m = &member{id: s.id, keys: newKeyRing(t, f.clock.Now)}
		f.m[s.id] = m
	}
	st, err := storage.Open(filepath.Join(t.TempDir(), "node.db"), storage.Options{NoSync: true, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	m.store, m.ids = st, &protocol.ULIDSource{}
	svc, err := New(context.Background(), cfg, Deps{
		Self: s.id, Actor: s.id + "/actor", Identity: s.identity, Keys: m.keys.Keys, Settings: st, Registry: st.Authority(),
		Fetcher: f.net, Now: f.clock.Now, Version: "test", IDs: m.ids,
	})
	if err != nil {
		t.Fatalf("%s: %v", s.id, err)
	}
	m.svc = svc
	f.net.mu.Lock()
	f.net.svcs[s.id] = svc
	f.net.mu.Unlock()
	return m
}

// enrol has authority enrol e, failing the test on error.
func (f *fed) enrol(authority string, e Enrolment) storage.Subordinate {
	f.t.Helper()
	sub, err := f.m[authority].svc.Enroll(context.Background(), e)
	if err != nil {
		f.t.Fatalf("%s enrols %s: %v", authority, e.EntityID, err)
	}
	return sub
}

// object is version 1 of a new Organisation object of m, made at now.
func (m *member) object(t testing.TB, now time.Time) protocol.Object {
	t.Helper()
	id := m.ids.New(now)
	return protocol.Object{
		Meta: protocol.Meta{IRI: protocol.NewURIs(m.id).Object(id), ID: id, Type: protocol.KindOrganisation, Version: 1, Origin: m.id, Created: now, Updated: now},
		Body: orgBody(t, "Associazione "+strings.TrimPrefix(m.id, "https://")),
	}
}

// orgBody is the canonical JSON of a valid Organisation named name.
func orgBody(t testing.TB, name string) json.RawMessage {
	t.Helper()
	o := &protocol.Organisation{Type: protocol.KindOrganisation, Key: "org-" + strings.ReplaceAll(name, " ", "-"),
		PrefLabel: protocol.Text{"it": name}, Spatial: protocol.OrganisationSpatial{Country: "IT"}, OrgKind: protocol.OrgPublicAdministration}
	raw, err := protocol.EncodeEntity(o)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// sign is m.svc.SignVersion failing the test on error.
func (m *member) sign(t testing.TB, o protocol.Object, prev []byte, cosigners ...string) []byte {
	t.Helper()
	jws, err := m.svc.SignVersion(o, prev, cosigners)
	if err != nil {
		t.Fatalf("%s signs %s: %v", m.id, o.IRI, err)
	}
	return jws
}

// signRaw signs p directly with key as m: what a holder of that key (the
// node, or a thief) can make.
func (m *member) signRaw(t testing.TB, p signedobject.Payload, key ed25519.PrivateKey) []byte {
	t.Helper()
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: m.id, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

// payload is a valid single-signer payload of m at now.
func (m *member) payload(t testing.TB, now time.Time) signedobject.Payload {
	t.Helper()
	id := m.ids.New(now)
	return signedobject.Payload{Iss: m.id, Sub: protocol.NewURIs(m.id).Object(id), Iat: now.Unix(), Exp: now.Add(24 * time.Hour).Unix(),
		Jti: m.ids.New(now), Ver: 1, Type: string(protocol.KindOrganisation), Body: orgBody(t, "Raw"), Cosigners: []string{m.id}}
}

// parseEC parses and self-verifies an entity configuration.
func parseEC(t testing.TB, raw []byte, now time.Time) *entity.Parsed {
	t.Helper()
	p, err := entity.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.VerifySelf(now, time.Minute); err != nil {
		t.Fatal(err)
	}
	return p
}

// protectedHeader decodes the protected header of a compact JWS.
func protectedHeader(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	part, _, ok := strings.Cut(string(raw), ".")
	if !ok {
		t.Fatalf("not a compact JWS: %.40q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func kidsOf(keys []entity.JWK) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.Kid)
	}
	return out
}

// wantErr fails unless err wraps every sentinel of want (nil: err must be nil).
func wantErr(t testing.TB, err error, want ...error) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Fatalf("error %q does not wrap %q", err, w)
		}
	}
}
