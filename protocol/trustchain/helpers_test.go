package trustchain

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// The clock of every fixture.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// The test federation: anchors for IT, ES and LV; a municipality under IT
// acting as an intermediate for a PA leaf and a civic group; one leaf
// directly under ES and one under LV.
const (
	anchorIT  = "https://trust.agid.gov.it"
	anchorES  = "https://confianza.administracionelectronica.gob.es"
	anchorLV  = "https://uzticiba.varam.gov.lv"
	muni      = "https://comune.reggioemilia.it"
	leafPA    = "https://farmacie.reggioemilia.it"
	leafCivic = "https://quartiere-rosta.reggioemilia.it"
	leafES    = "https://sede.zaragoza.es"
	leafLV    = "https://portals.riga.lv"
)

// memFetcher serves documents from a map, counting fetches per URL.
type memFetcher struct {
	mu   sync.Mutex
	docs map[string][]byte
	errs map[string]error
	hits map[string]int
	gate chan struct{} // when non-nil, every Fetch waits for it to close
}

func newMemFetcher() *memFetcher {
	return &memFetcher{docs: map[string][]byte{}, errs: map[string]error{}, hits: map[string]int{}}
}

func (m *memFetcher) Fetch(ctx context.Context, u string) ([]byte, error) {
	m.mu.Lock()
	gate := m.gate
	m.hits[u]++
	doc, ok := m.docs[u]
	err := m.errs[u]
	m.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: %w", u, ErrNotFound)
	}
	return doc, nil
}

func (m *memFetcher) set(u string, doc []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[u] = doc
}

func (m *memFetcher) del(u string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs, u)
}

func (m *memFetcher) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, h := range m.hits {
		n += h
	}
	return n
}

// node is one entity of a test federation.
type node struct {
	id         string
	key        ed25519.PrivateKey // federation key
	contentKey ed25519.PrivateKey
	hints      []string
	own        *entity.FederationEntity // what the entity says of itself
	extraKeys  []entity.JWK             // more federation keys in its EC
	contentJWK []entity.JWK             // overrides its content keys
}

// fed is an in-memory federation with a clock.
type fed struct {
	t     testing.TB
	f     *memFetcher
	now   time.Time
	nodes map[string]*node
}

func key(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte("chain test key " + seed))
	return ed25519.NewKeyFromSeed(s[:])
}

func jwk(t testing.TB, k ed25519.PrivateKey) entity.JWK {
	t.Helper()
	j, err := entity.NewJWK(k.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func kidOf(k ed25519.PrivateKey) string {
	tp, err := entity.Thumbprint(k.Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}
	return tp
}

func wellKnown(id string) string {
	return strings.TrimRight(id, "/") + "/.well-known/openid-federation"
}

func fetchURL(sup, sub string) string { return sup + "/fetch?sub=" + url.QueryEscape(sub) }

// newFed builds the standard federation at t0, every document valid 24 h.
func newFed(t testing.TB) *fed {
	t.Helper()
	f := &fed{t: t, f: newMemFetcher(), now: t0, nodes: map[string]*node{}}
	for _, a := range []struct{ id, cc string }{{anchorIT, "IT"}, {anchorES, "ES"}, {anchorLV, "LV"}} {
		f.add(a.id, &entity.FederationEntity{OrganizationName: "Anchor " + a.cc, Country: a.cc, OrgKind: "public_administration", Role: "anchor"})
	}
	f.add(muni, &entity.FederationEntity{OrganizationName: "Comune di Reggio Emilia", Country: "IT", Role: "intermediate"}, anchorIT)
	f.add(leafPA, &entity.FederationEntity{OrganizationName: "Farmacie Comunali Riunite"}, muni)
	f.add(leafCivic, &entity.FederationEntity{OrganizationName: "Quartiere Rosta"}, muni)
	f.add(leafES, &entity.FederationEntity{OrganizationName: "Ayuntamiento de Zaragoza"}, anchorES)
	f.add(leafLV, &entity.FederationEntity{OrganizationName: "Rīgas valstspilsētas pašvaldība"}, anchorLV)

	two := 2
	f.enroll(anchorIT, muni, func(s *entity.Statement) {
		s.Metadata.FederationEntity = &entity.FederationEntity{OrganizationName: "Comune di Reggio Emilia", Country: "IT", OrgKind: "public_administration", Role: "intermediate"}
		s.Constraints = &entity.Constraints{MaxPathLength: &two, NamingConstraints: &entity.NamingConstraints{Permitted: []string{".it"}}}
	})
	f.enroll(muni, leafPA, func(s *entity.Statement) {
		s.Metadata.FederationEntity = &entity.FederationEntity{OrganizationName: "Farmacie Comunali Riunite", Country: "IT", OrgKind: "public_administration", Role: "leaf"}
		s.Constraints = muniConstraints()
	})
	f.enroll(muni, leafCivic, func(s *entity.Statement) {
		s.Metadata.FederationEntity = &entity.FederationEntity{OrganizationName: "Associazione Quartiere Rosta", Country: "IT", OrgKind: "citizen_group", Role: "leaf"}
		s.Constraints = muniConstraints()
	})
	f.enroll(anchorES, leafES, func(s *entity.Statement) {
		s.Metadata.FederationEntity = &entity.FederationEntity{OrganizationName: "Ayuntamiento de Zaragoza", Country: "ES", OrgKind: "public_administration", Role: "leaf"}
	})
	f.enroll(anchorLV, leafLV, func(s *entity.Statement) {
		s.Metadata.FederationEntity = &entity.FederationEntity{OrganizationName: "Rīgas valstspilsētas pašvaldība", Country: "LV", OrgKind: "public_administration", Role: "leaf"}
	})
	return f
}

// muniConstraints: the municipality vouches only for hosts under
// reggioemilia.it, none of them under evil.reggioemilia.it, and none of its
// subordinates may vouch for anyone (max_path_length 0).
func muniConstraints() *entity.Constraints {
	zero := 0
	return &entity.Constraints{MaxPathLength: &zero, NamingConstraints: &entity.NamingConstraints{
		Permitted: []string{".reggioemilia.it"}, Excluded: []string{".evil.reggioemilia.it", "evil.reggioemilia.it"},
	}}
}

// add creates an entity with keys derived from its id and publishes its EC.
func (f *fed) add(id string, own *entity.FederationEntity, hints ...string) *node {
	n := &node{id: id, key: key("fed " + id), contentKey: key("content " + id), hints: hints, own: own}
	f.nodes[id] = n
	f.publish(id)
	return n
}

// ec is the EC of id as it stands, before signing.
func (f *fed) ec(id string) entity.Statement {
	n := f.nodes[id]
	own := *n.own
	own.FetchEndpoint = id + "/fetch"
	content := n.contentJWK
	if content == nil {
		content = []entity.JWK{jwk(f.t, n.contentKey)}
	}
	return entity.Statement{
		Iss: id, Sub: id, Iat: f.now.Unix(), Exp: f.now.Add(24 * time.Hour).Unix(),
		JWKS:           &entity.JWKS{Keys: append([]entity.JWK{jwk(f.t, n.key)}, n.extraKeys...)},
		AuthorityHints: n.hints,
		Metadata: &entity.Metadata{
			FederationEntity: &own,
			InterlinkNode:    &entity.InterlinkNode{Actor: id + "/actor", ContentKeys: content},
		},
	}
}

// publish signs and serves id's EC, modified by mods, with its key.
func (f *fed) publish(id string, mods ...func(*entity.Statement)) {
	st := f.ec(id)
	for _, m := range mods {
		m(&st)
	}
	f.f.set(wellKnown(id), f.sign(st, f.nodes[id].key))
}

// enroll signs and serves sup's statement about sub (listing sub's
// federation key), modified by mods.
func (f *fed) enroll(sup, sub string, mods ...func(*entity.Statement)) {
	f.f.set(fetchURL(sup, sub), f.sign(f.statement(sup, sub, mods...), f.nodes[sup].key))
}

// statement is sup's statement about sub as enroll signs it.
func (f *fed) statement(sup, sub string, mods ...func(*entity.Statement)) entity.Statement {
	st := entity.Statement{
		Iss: sup, Sub: sub, Iat: f.now.Unix(), Exp: f.now.Add(24 * time.Hour).Unix(),
		JWKS:     &entity.JWKS{Keys: []entity.JWK{jwk(f.t, f.nodes[sub].key)}},
		Metadata: &entity.Metadata{},
	}
	for _, m := range mods {
		m(&st)
	}
	return st
}

func (f *fed) sign(st entity.Statement, k ed25519.PrivateKey) []byte {
	f.t.Helper()
	raw, err := entity.Sign(st, k)
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

// signRaw signs arbitrary claims JSON as a statement, for documents
// entity.Sign refuses to make.
func signRaw(claims []byte, k ed25519.PrivateKey, hdr string) []byte {
	if hdr == "" {
		hdr = `{"alg":"EdDSA","kid":"` + kidOf(k) + `","typ":"entity-statement+jwt"}`
	}
	b64 := base64.RawURLEncoding.EncodeToString
	in := b64([]byte(hdr)) + "." + b64(claims)
	return []byte(in + "." + b64(ed25519.Sign(k, []byte(in))))
}

// withClaims re-signs st after editing its JSON form as a map.
func withClaims(t testing.TB, st entity.Statement, k ed25519.PrivateKey, edit func(map[string]any)) []byte {
	t.Helper()
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	raw, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return signRaw(raw, k, "")
}

// resolver pins the given anchors with their federation keys.
func (f *fed) resolver(anchors ...string) *Resolver {
	f.t.Helper()
	return f.resolverWith(nil, anchors...)
}

// resolverWith is resolver with the Config changed by mod (may be nil).
func (f *fed) resolverWith(mod func(*Config), anchors ...string) *Resolver {
	f.t.Helper()
	var pins []Anchor
	for _, a := range anchors {
		pins = append(pins, Anchor{EntityID: a, Kids: []string{kidOf(key("fed " + a))}}) // the key it was created with
	}
	cfg := Config{Anchors: pins, Fetcher: f.f, Now: func() time.Time { return f.now }}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// chainSentinels and entitySentinels list every reason a test may expect.
var chainSentinels = []error{
	ErrNotPinned, ErrNoPath, ErrAuthorityHint, ErrKeyNotListed, ErrConstraint, ErrHintLoop,
	ErrTooLong, ErrTooLarge, ErrExpired, ErrRevoked, ErrFetch, ErrNotFound,
	entity.ErrTooLarge, entity.ErrMalformed, entity.ErrAlgorithm, entity.ErrHeader, entity.ErrType,
	entity.ErrKid, entity.ErrUnknownKey, entity.ErrBadSignature, entity.ErrExpired, entity.ErrNotYetValid,
	entity.ErrInvalidClaims, entity.ErrNamingConstraint, entity.ErrKeyRetired, entity.ErrKeyRevoked,
}

// wantReasons fails unless err wraps exactly the sentinels want.
func wantReasons(t *testing.T, err error, want ...error) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("accepted, want %v", want)
	}
	var got []error
	for _, s := range chainSentinels {
		if errors.Is(err, s) {
			got = append(got, s)
		}
	}
	same := len(got) == len(want)
	for _, w := range want {
		same = same && slices.Contains(got, w)
	}
	if !same {
		t.Fatalf("error %q\nwraps %v, want %v", err, got, want)
	}
}
