package trust

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/entity"
)

// issuerJWK is the public JWK of m's active federation key.
func issuerJWK(t testing.TB, m *member) entity.JWK {
	t.Helper()
	j, err := entity.NewJWK(m.keys.federation().Private.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestEnrollRefuses(t *testing.T) {
	f := newStandardFed(t)
	civic := f.add(spec{id: "https://quartiere.re.example", role: RoleLeaf, hints: []string{comune}})
	good := func() Enrolment {
		return Enrolment{EntityID: civic.id, Name: "Quartiere Rosta", Country: "IT", OrgKind: "citizen_group"}
	}
	two := 2
	nine := 9
	tests := []struct {
		name      string
		authority string
		e         func() Enrolment
		want      error
		msg       []string
		noFetch   bool // refused before fetching anything
	}{
		{"a leaf is no authority", zaragoza, good, ErrNotAuthority, []string{"interlink anchor init"}, true},
		{"not named in authority_hints", anchorIT, good, ErrRequest,
			[]string{"does not name this node (" + anchorIT + ") in its authority_hints", "add it to trust.authority_hints", "enrol again"}, false},
		{"kids differ", comune, func() Enrolment { e := good(); e.Kids = []string{goodKid}; return e }, ErrRequest,
			[]string{"not the [" + goodKid + "] you were given", "confirm with its operator"}, false},
		{"kids a subset", comune, func() Enrolment {
			e := good()
			e.Kids = append(Kids(civic.keys.Keys().Federation, KeyActive), goodKid)
			return e
		}, ErrRequest, []string{"confirm with its operator"}, false},
		{"country three letters", comune, func() Enrolment { e := good(); e.Country = "ITA"; return e }, ErrRequest, []string{`country: "ITA"`}, true},
		{"country digits", comune, func() Enrolment { e := good(); e.Country = "I1"; return e }, ErrRequest, []string{"country:"}, true},
		{"country mixed case", comune, func() Enrolment { e := good(); e.Country = "It"; return e }, ErrRequest, []string{"country:"}, true},
		{"org kind", comune, func() Enrolment { e := good(); e.OrgKind = "government"; return e }, ErrRequest, []string{`org_kind: "government"`, "citizen_group"}, true},
		{"role anchor", comune, func() Enrolment { e := good(); e.Role = RoleAnchor; return e }, ErrRequest, []string{`role: "anchor" is not leaf or intermediate`}, true},
		{"constraints on a leaf", comune, func() Enrolment { e := good(); e.MaxPathLength = &two; return e }, ErrRequest, []string{"constraints apply to intermediates only"}, true},
		{"naming on a leaf", comune, func() Enrolment { e := good(); e.Permitted = []string{".re.example"}; return e }, ErrRequest, []string{"intermediates only"}, true},
		{"path length out of range", comune, func() Enrolment {
			e := good()
			e.Role, e.MaxPathLength = RoleIntermediate, &nine
			return e
		}, ErrRequest, []string{"max_path_length: must be between 0 and 8"}, true},
		{"bad naming entry", comune, func() Enrolment {
			e := good()
			e.Role, e.Permitted = RoleIntermediate, []string{"https://x.example/"}
			return e
		}, ErrRequest, []string{"permitted/excluded:"}, true},
		{"no name", comune, func() Enrolment { e := good(); e.Name = "  "; return e }, ErrRequest, []string{"name: the legal name is required"}, true},
		{"itself", comune, func() Enrolment { e := good(); e.EntityID = comune; return e }, ErrRequest, []string{"cannot enrol itself"}, true},
		{"entity id", comune, func() Enrolment { e := good(); e.EntityID = "https://x.example/?q"; return e }, ErrRequest, []string{"entity_id:"}, true},
		{"several errors", comune, func() Enrolment { e := good(); e.Country, e.OrgKind = "", ""; return e }, ErrRequest, []string{"country:", "org_kind:"}, true},
		{"unreachable", comune, func() Enrolment { e := good(); e.EntityID = "https://assente.re.example"; return e }, ErrRequest,
			[]string{"fetch the entity configuration of https://assente.re.example"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.net.fetches("")
			_, err := f.m[tc.authority].svc.Enroll(t.Context(), tc.e())
			if !errors.Is(err, tc.want) {
				t.Fatalf("Enroll() = %v, want %v", err, tc.want)
			}
			for _, m := range tc.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("Enroll() = %q, want it to say %q", err, m)
				}
			}
			if fetched := f.net.fetches("") - before; tc.noFetch && fetched != 0 {
				t.Errorf("%d fetches for a request refused on its face", fetched)
			}
			if _, err := f.m[tc.authority].store.Authority().Subordinate(t.Context(), tc.e().EntityID); err == nil {
				t.Errorf("a refused enrolment was recorded")
			}
		})
	}
}

func TestEnrollRecords(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	civic := f.add(spec{id: "https://quartiere.re.example", role: RoleLeaf, hints: []string{comune}})
	fedKid := civic.keys.federation().Kid
	sub, err := f.m[comune].svc.Enroll(ctx, Enrolment{EntityID: civic.id, Name: "Quartiere Rosta", Country: "it", OrgKind: "citizen_group", Kids: []string{fedKid}})
	if err != nil {
		t.Fatal(err)
	}
	var keys entity.JWKS
	if err := json.Unmarshal(sub.JWKS, &keys); err != nil {
		t.Fatal(err)
	}
	if sub.Country != "IT" || sub.Role != RoleLeaf || !sub.Enrolled.Equal(t0) || !slices.Equal(kidsOf(keys.Keys), []string{fedKid}) {
		t.Fatalf("recorded %+v with keys %v", sub, kidsOf(keys.Keys))
	}

	// Re-enrolment after a federation key rotation: the new key is
	// recorded, the enrolment date kept, a revocation lifted.
	f.clock.Advance(time.Hour)
	if _, err := f.m[comune].svc.Revoke(ctx, civic.id, "paused"); err != nil {
		t.Fatal(err)
	}
	next := civic.keys.nextFederation()
	civic.svc.KeysChanged()
	f.clock.Advance(time.Hour)
	again, err := f.m[comune].svc.Enroll(ctx, Enrolment{EntityID: civic.id, Name: "Quartiere Rosta APS", Country: "IT", OrgKind: "non_profit", Kids: []string{next.Kid, fedKid}})
	if err != nil {
		t.Fatal(err)
	}
	keys = entity.JWKS{}
	if err := json.Unmarshal(again.JWKS, &keys); err != nil {
		t.Fatal(err)
	}
	switch {
	case !again.Enrolled.Equal(t0):
		t.Errorf("Enrolled = %v, want the first enrolment %v", again.Enrolled, t0)
	case !again.Updated.Equal(t0.Add(2 * time.Hour)):
		t.Errorf("Updated = %v", again.Updated)
	case !again.RevokedAt.IsZero() || again.Reason != "":
		t.Errorf("re-enrolment kept the revocation: %+v", again)
	case again.Name != "Quartiere Rosta APS" || again.OrgKind != "non_profit":
		t.Errorf("identity not refreshed: %+v", again)
	case !slices.Equal(kidsOf(keys.Keys), []string{fedKid, next.Kid}):
		t.Errorf("keys = %v, want %v", kidsOf(keys.Keys), []string{fedKid, next.Kid})
	}
	list, err := f.m[comune].svc.SubordinateList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(list, civic.id) {
		t.Errorf("list %v lacks the re-enrolled %s", list, civic.id)
	}
}

func TestRevoke(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	tests := []struct {
		name      string
		authority string
		sub       string
		reason    string
		want      error
		msg       string
	}{
		{"by a leaf", zaragoza, ospizio, "", ErrNotAuthority, "role leaf"},
		{"not enrolled", comune, zaragoza, "", ErrNotSubordinate, "interlink anchor list"},
		{"reason too long", comune, ospizio, strings.Repeat("x", 513), ErrRequest, "reason"},
		{"revoked", comune, ospizio, "dissolved", nil, ""},
		{"twice", comune, ospizio, "again", ErrRequest, "already revoked at " + t0.Format(time.RFC3339)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := f.m[tc.authority].svc.Revoke(ctx, tc.sub, tc.reason)
			if tc.want == nil {
				if err != nil || !sub.RevokedAt.Equal(t0) || sub.Reason != tc.reason {
					t.Fatalf("Revoke() = %+v, %v", sub, err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Revoke() = %v, want %v saying %q", err, tc.want, tc.msg)
			}
		})
	}
}

func TestSubordinateStatement(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	one := 1
	tests := []struct {
		authority, sub string
		identity       [4]string // name, country, kind, role
		constraints    *entity.Constraints
	}{
		{anchorIT, comune, [4]string{"Comune di Reggio Emilia", "IT", "public_administration", RoleIntermediate},
			&entity.Constraints{MaxPathLength: &one, NamingConstraints: &entity.NamingConstraints{Permitted: []string{".re.example"}}}},
		{comune, ospizio, [4]string{"Associazione Ospizio", "IT", "citizen_group", RoleLeaf}, nil},
		{anchorES, zaragoza, [4]string{"Ayuntamiento de Zaragoza", "ES", "public_administration", RoleLeaf}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.sub, func(t *testing.T) {
			iss := f.m[tc.authority]
			raw, err := iss.svc.SubordinateStatement(ctx, tc.sub)
			if err != nil {
				t.Fatal(err)
			}
			p, err := entity.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Verify([]entity.JWK{issuerJWK(t, iss)}, f.clock.Now(), time.Minute); err != nil {
				t.Fatalf("not signed by the issuer's federation key: %v", err)
			}
			st := p.Statement
			if st.Iss != tc.authority || st.Sub != tc.sub || st.Exp != t0.Add(testTTL).Unix() {
				t.Errorf("iss %s sub %s exp %d", st.Iss, st.Sub, st.Exp)
			}
			fe := st.FederationEntity()
			if got := [4]string{fe.OrganizationName, fe.Country, fe.OrgKind, fe.Role}; got != tc.identity {
				t.Errorf("identity = %v, want %v", got, tc.identity)
			}
			if got, want := kidsOf(st.Keys()), Kids(f.m[tc.sub].keys.Keys().Federation, KeyActive); !slices.Equal(got, want) {
				t.Errorf("jwks = %v, want the subject's federation keys %v", got, want)
			}
			gotC, _ := json.Marshal(st.Constraints)
			wantC, _ := json.Marshal(tc.constraints)
			if string(gotC) != string(wantC) {
				t.Errorf("constraints = %s, want %s", gotC, wantC)
			}
			if st.RevokedAt != 0 || len(st.AuthorityHints) != 0 {
				t.Errorf("revoked_at %d, authority_hints %v: want neither", st.RevokedAt, st.AuthorityHints)
			}
		})
	}

	// Revoked: still served, saying when and why.
	f.clock.Advance(time.Minute)
	if _, err := f.m[comune].svc.Revoke(ctx, ospizio, "dissolved"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	raw, err := f.m[comune].svc.SubordinateStatement(ctx, ospizio)
	if err != nil {
		t.Fatal(err)
	}
	p, err := entity.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Statement.RevokedAt != t0.Add(time.Minute).Unix() || p.Statement.RevokedReason != "dissolved" || p.Statement.Iat != t0.Add(2*time.Minute).Unix() {
		t.Fatalf("revoked statement: revoked_at %d reason %q iat %d", p.Statement.RevokedAt, p.Statement.RevokedReason, p.Statement.Iat)
	}

	if _, err := f.m[anchorIT].svc.SubordinateStatement(ctx, zaragoza); !errors.Is(err, ErrNotSubordinate) {
		t.Errorf("statement about a stranger: %v, want ErrNotSubordinate", err)
	}
	if _, err := f.m[ospizio].svc.SubordinateStatement(ctx, zaragoza); !errors.Is(err, ErrNotAuthority) {
		t.Errorf("statement by a leaf: %v, want ErrNotAuthority", err)
	}
}

func TestSubordinateListAndDenylist(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	extra := f.add(spec{id: "https://quartiere.re.example", role: RoleLeaf, hints: []string{comune}})
	f.enrol(comune, Enrolment{EntityID: extra.id, Name: "Quartiere", Country: "IT", OrgKind: "citizen_group"})
	co := f.m[comune]

	denylist := func() *entity.ParsedList {
		t.Helper()
		raw, err := co.svc.Denylist(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h := protectedHeader(t, raw); h["typ"] != entity.ListType {
			t.Fatalf("denylist typ %v, want %s", h["typ"], entity.ListType)
		}
		l, err := entity.ParseList(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Verify([]entity.JWK{issuerJWK(t, co)}, f.clock.Now(), time.Minute); err != nil {
			t.Fatalf("denylist not signed by %s: %v", comune, err)
		}
		if l.List.Iss != comune {
			t.Fatalf("denylist iss %s", l.List.Iss)
		}
		return l
	}

	list, err := co.svc.SubordinateList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{ospizio, extra.id}; !slices.Equal(list, want) {
		t.Fatalf("list = %v, want %v", list, want)
	}
	if l := denylist(); len(l.List.Revoked) != 0 {
		t.Fatalf("denylist before any revocation: %+v", l.List.Revoked)
	}

	f.clock.Advance(time.Minute)
	if _, err := co.svc.Revoke(ctx, ospizio, "dissolved"); err != nil {
		t.Fatal(err)
	}
	list, err = co.svc.SubordinateList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{extra.id}; !slices.Equal(list, want) {
		t.Fatalf("list after revocation = %v, want %v", list, want)
	}
	subs, err := co.svc.Subordinates(ctx)
	if err != nil || len(subs) != 2 {
		t.Fatalf("Subordinates() = %d records, %v: want both, the revoked one included", len(subs), err)
	}
	l := denylist()
	r, ok := l.List.Revocation(ospizio)
	if !ok || r.RevokedAt != t0.Add(time.Minute).Unix() || r.Reason != "dissolved" || len(l.List.Revoked) != 1 {
		t.Fatalf("denylist = %+v", l.List.Revoked)
	}
	// Signed by the issuer, not by anyone: another key fails.
	if err := l.Verify([]entity.JWK{issuerJWK(t, f.m[anchorIT])}, f.clock.Now(), time.Minute); !errors.Is(err, entity.ErrUnknownKey) {
		t.Fatalf("denylist verified with another issuer's key: %v", err)
	}
	if _, err := f.m[ospizio].svc.Denylist(ctx); !errors.Is(err, ErrNotAuthority) {
		t.Fatalf("a leaf's denylist: %v", err)
	}
}

func TestHistoricalKeys(t *testing.T) {
	f := newStandardFed(t)
	m := f.m[zaragoza]
	parse := func() *entity.ParsedList {
		t.Helper()
		raw, err := m.svc.HistoricalKeys()
		if err != nil {
			t.Fatal(err)
		}
		l, err := entity.ParseList(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Verify([]entity.JWK{issuerJWK(t, m)}, f.clock.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		return l
	}
	if l := parse(); len(l.List.Keys) != 0 {
		t.Fatalf("historical keys before any rotation: %v", kidsOf(l.List.Keys))
	}
	old := m.keys.federation()
	m.keys.nextFederation()
	if l := parse(); len(l.List.Keys) != 0 {
		t.Fatalf("a next key is not historical: %v", kidsOf(l.List.Keys))
	}
	f.clock.Advance(time.Minute)
	m.keys.promoteFederation()
	m.svc.KeysChanged()
	l := parse() // verified with the promoted key
	if len(l.List.Keys) != 1 || l.List.Keys[0].Kid != old.Kid || l.List.Keys[0].RetiredAt != t0.Add(time.Minute).Unix() {
		t.Fatalf("historical keys = %+v, want %s retired at %d", l.List.Keys, old.Kid, t0.Add(time.Minute).Unix())
	}
}
