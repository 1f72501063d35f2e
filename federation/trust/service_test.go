package trust

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

func TestEntityConfigurationClaims(t *testing.T) {
	f := newStandardFed(t)
	now := f.clock.Now()
	tests := []struct {
		id        string
		role      string
		hints     []string
		endpoints bool
	}{
		{anchorIT, RoleAnchor, nil, true},
		{comune, RoleIntermediate, []string{anchorIT}, true},
		{ospizio, RoleLeaf, []string{comune}, false},
		{zaragoza, RoleLeaf, []string{anchorES}, false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			m := f.m[tc.id]
			raw, err := m.svc.EntityConfiguration()
			if err != nil {
				t.Fatal(err)
			}
			h := protectedHeader(t, raw)
			if h["typ"] != entity.Type || h["alg"] != "EdDSA" || h["kid"] != m.keys.federation().Kid {
				t.Errorf("header = %v, want typ %s, alg EdDSA, kid of the active federation key", h, entity.Type)
			}
			ec := parseEC(t, raw, now)
			st := ec.Statement
			if st.Iss != tc.id || st.Sub != tc.id {
				t.Errorf("iss %q sub %q, want both %q", st.Iss, st.Sub, tc.id)
			}
			if st.Iat != now.Unix() || st.Exp != now.Add(testTTL).Unix() {
				t.Errorf("iat %d exp %d, want %d and %d", st.Iat, st.Exp, now.Unix(), now.Add(testTTL).Unix())
			}
			if !slices.Equal(st.AuthorityHints, tc.hints) {
				t.Errorf("authority_hints = %v, want %v", st.AuthorityHints, tc.hints)
			}
			fe := st.FederationEntity()
			if fe == nil || fe.Role != tc.role {
				t.Fatalf("federation_entity = %+v, want role %s", fe, tc.role)
			}
			if fe.HistoricalKeysEndpoint != tc.id+entity.HistoricalKeysPath {
				t.Errorf("historical keys endpoint = %q", fe.HistoricalKeysEndpoint)
			}
			gotEndpoints := [3]string{fe.FetchEndpoint, fe.ListEndpoint, fe.DenylistEndpoint}
			want := [3]string{}
			if tc.endpoints {
				want = [3]string{tc.id + entity.FetchPath, tc.id + entity.ListPath, tc.id + entity.DenylistPath}
			}
			if gotEndpoints != want {
				t.Errorf("endpoints = %v, want %v", gotEndpoints, want)
			}
			in := st.InterlinkNode()
			if in == nil || in.Actor != tc.id+"/actor" || in.SoftwareVersion != "test" {
				t.Fatalf("interlink_node = %+v", in)
			}
			if got, want := kidsOf(in.ContentKeys), []string{m.keys.content().Kid}; !slices.Equal(got, want) {
				t.Errorf("content keys %v, want %v", got, want)
			}
		})
	}
}

// The jwks lists the active and next federation keys, never retired ones;
// content keys keep their history.
func TestEntityConfigurationKeyHistory(t *testing.T) {
	f := newFed(t)
	m := f.add(spec{id: zaragoza, role: RoleLeaf, hints: []string{anchorES}})
	first := m.keys.content()
	f.clock.Advance(time.Minute)
	second := m.keys.rotateContent()
	f.clock.Advance(time.Minute)
	m.keys.revokeContent(first.Kid, "laptop stolen")
	fed0 := m.keys.federation()
	fed1 := m.keys.nextFederation()
	m.svc.KeysChanged()

	raw, err := m.svc.EntityConfiguration()
	if err != nil {
		t.Fatal(err)
	}
	st := parseEC(t, raw, f.clock.Now()).Statement
	if got, want := kidsOf(st.Keys()), []string{fed0.Kid, fed1.Kid}; !slices.Equal(got, want) {
		t.Fatalf("jwks = %v, want active and next %v", got, want)
	}
	ck := st.InterlinkNode().ContentKeys
	if got, want := kidsOf(ck), []string{first.Kid, second.Kid}; !slices.Equal(got, want) {
		t.Fatalf("content keys = %v, want %v", got, want)
	}
	if ck[0].RetiredAt != t0.Add(time.Minute).Unix() || ck[0].RevokedAt != t0.Add(2*time.Minute).Unix() || ck[0].Reason != "laptop stolen" {
		t.Errorf("first content key = %+v, want retired_at, revoked_at and the reason", ck[0])
	}
	if ck[1].RetiredAt != 0 || ck[1].RevokedAt != 0 || ck[1].NotBefore != t0.Add(time.Minute).Unix() {
		t.Errorf("second content key = %+v, want nbf only", ck[1])
	}

	// Promoted: the new key signs and the old one leaves the jwks.
	f.clock.Advance(time.Minute)
	m.keys.promoteFederation()
	m.svc.KeysChanged()
	raw, err = m.svc.EntityConfiguration()
	if err != nil {
		t.Fatal(err)
	}
	st = parseEC(t, raw, f.clock.Now()).Statement
	if got := kidsOf(st.Keys()); !slices.Equal(got, []string{fed1.Kid}) {
		t.Fatalf("jwks after promotion = %v, want %v", got, []string{fed1.Kid})
	}
	if h := protectedHeader(t, raw); h["kid"] != fed1.Kid {
		t.Fatalf("signed by %v, want the promoted key %s", h["kid"], fed1.Kid)
	}
}

func TestEntityConfigurationCache(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, f *fed, m *member)
		same   bool
	}{
		{"cached a second later", func(t *testing.T, f *fed, m *member) { f.clock.Advance(time.Second) }, true},
		{"cached until half the ttl", func(t *testing.T, f *fed, m *member) { f.clock.Advance(testTTL/2 - time.Second) }, true},
		{"re-signed at half the ttl", func(t *testing.T, f *fed, m *member) { f.clock.Advance(testTTL / 2) }, false},
		{"re-signed after KeysChanged", func(t *testing.T, f *fed, m *member) { f.clock.Advance(time.Second); m.svc.KeysChanged() }, false},
		{"re-signed when the key set changed", func(t *testing.T, f *fed, m *member) { f.clock.Advance(time.Second); m.keys.rotateContent() }, false},
		{"re-signed after SetRole", func(t *testing.T, f *fed, m *member) {
			if err := m.svc.SetRole(t.Context(), RoleIntermediate); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFed(t)
			m := f.add(spec{id: zaragoza, role: RoleLeaf, hints: []string{anchorES}})
			before, err := m.svc.EntityConfiguration()
			if err != nil {
				t.Fatal(err)
			}
			tc.change(t, f, m)
			after, err := m.svc.EntityConfiguration()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(before, after) != tc.same {
				t.Fatalf("same bytes = %v, want %v", bytes.Equal(before, after), tc.same)
			}
			// Whatever was served is valid now.
			parseEC(t, after, f.clock.Now())
		})
	}
}

func TestSetRole(t *testing.T) {
	f := newFed(t)
	m := f.add(spec{id: comune, role: RoleLeaf, hints: []string{anchorIT}})
	ctx := t.Context()
	if err := m.svc.SetRole(ctx, "root"); !errors.Is(err, ErrRequest) {
		t.Fatalf("SetRole(root) = %v, want ErrRequest", err)
	}
	if _, err := m.svc.SubordinateList(ctx); !errors.Is(err, ErrNotAuthority) {
		t.Fatalf("a leaf's SubordinateList() = %v, want ErrNotAuthority", err)
	}
	if err := m.svc.SetRole(ctx, RoleIntermediate); err != nil {
		t.Fatal(err)
	}
	raw, err := m.svc.EntityConfiguration()
	if err != nil {
		t.Fatal(err)
	}
	fe := parseEC(t, raw, f.clock.Now()).Statement.FederationEntity()
	if fe.Role != RoleIntermediate || fe.FetchEndpoint != comune+entity.FetchPath {
		t.Fatalf("after SetRole: %+v", fe)
	}
	// An anchor names no superior, whatever the configuration says.
	if err := m.svc.SetRole(ctx, RoleAnchor); err != nil {
		t.Fatal(err)
	}
	raw, err = m.svc.EntityConfiguration()
	if err != nil {
		t.Fatal(err)
	}
	st := parseEC(t, raw, f.clock.Now()).Statement
	if len(st.AuthorityHints) != 0 || st.FederationEntity().Role != RoleAnchor || st.FederationEntity().ListEndpoint != comune+entity.ListPath {
		t.Fatalf("as anchor: hints %v, %+v", st.AuthorityHints, st.FederationEntity())
	}
	// The stored role wins over the configuration at the next start.
	cfg := m.svc.Config()
	again, err := New(ctx, cfg, Deps{Self: comune, Keys: m.keys.Keys, Settings: m.store, Registry: m.store.Authority(), Fetcher: f.net, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Role != RoleLeaf || again.Role() != RoleAnchor {
		t.Fatalf("config role %s, restarted role %s: want leaf and the stored anchor", cfg.Role, again.Role())
	}
}

func TestConfigurationHash(t *testing.T) {
	f := newFed(t)
	m := f.add(spec{id: zaragoza, role: RoleLeaf, hints: []string{anchorES}})
	h1 := m.svc.ConfigurationHash()
	if len(h1) != 22 || h1 != m.svc.ConfigurationHash() {
		t.Fatalf("hash %q: want 22 characters, stable", h1)
	}
	f.clock.Advance(time.Second)
	m.keys.rotateContent()
	if h2 := m.svc.ConfigurationHash(); h2 == h1 {
		t.Fatal("the hash did not change with the keys")
	}
}

func TestSelfStatus(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	tests := []struct {
		id   string
		path []string
	}{
		{anchorIT, []string{anchorIT}},
		{comune, []string{comune, anchorIT}},
		{ospizio, []string{ospizio, comune, anchorIT}},
		{zaragoza, []string{zaragoza, anchorES}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			ch, err := f.m[tc.id].svc.SelfStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ch.Path, tc.path) {
				t.Fatalf("path = %v, want %v", ch.Path, tc.path)
			}
		})
	}
	// SelfStatus resolves afresh: a revocation shows at once.
	if _, err := f.m[comune].svc.Revoke(ctx, ospizio, "dissolved"); err != nil {
		t.Fatal(err)
	}
	ch, err := f.m[ospizio].svc.SelfStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.RevokedAt.Equal(f.clock.Now()) {
		t.Fatalf("RevokedAt = %v, want %v", ch.RevokedAt, f.clock.Now())
	}
	// A node whose superior never enrolled it has no chain.
	lone := f.add(spec{id: "https://nuovo.re.example", role: RoleLeaf, hints: []string{comune}})
	if _, err := lone.svc.SelfStatus(ctx); !errors.Is(err, trustchain.ErrNoPath) {
		t.Fatalf("SelfStatus of an unenrolled node = %v, want trustchain.ErrNoPath", err)
	}
}
