package trust

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	tests := []struct {
		signer, receiver string
		want             protocol.SignerInfo
	}{
		{ospizio, zaragoza, protocol.SignerInfo{EntityID: ospizio, Name: "Associazione Ospizio", Country: "IT", OrgKind: "citizen_group", Anchor: anchorIT, Path: []string{ospizio, comune, anchorIT}}},
		{comune, ospizio, protocol.SignerInfo{EntityID: comune, Name: "Comune di Reggio Emilia", Country: "IT", OrgKind: "public_administration", Anchor: anchorIT, Path: []string{comune, anchorIT}}},
		{zaragoza, comune, protocol.SignerInfo{EntityID: zaragoza, Name: "Ayuntamiento de Zaragoza", Country: "ES", OrgKind: "public_administration", Anchor: anchorES, Path: []string{zaragoza, anchorES}}},
		{anchorIT, anchorES, protocol.SignerInfo{EntityID: anchorIT, Name: "Agenzia per l'Italia Digitale", Country: "IT", OrgKind: "public_administration", Anchor: anchorIT, Path: []string{anchorIT}}},
	}
	for _, tc := range tests {
		t.Run(tc.signer+" to "+tc.receiver, func(t *testing.T) {
			s, r := f.m[tc.signer], f.m[tc.receiver]
			now := f.clock.Now()
			o := s.object(t, now)
			jws := s.sign(t, o, nil)
			got, err := r.svc.VerifyObject(ctx, jws)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.Kid = s.keys.content().Kid
			v := got.Verification
			if v.Status != protocol.Verified || v.Reason != "" || len(v.Signers) != 1 {
				t.Fatalf("verification = %+v, want verified by one signer", v)
			}
			gotJSON, _ := json.Marshal(v.Signers[0])
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("signer = %s\nwant     %s", gotJSON, wantJSON)
			}
			if !v.Expires.Equal(now.Add(Defaults().ObjectTTL)) || !v.Checked.Equal(now) {
				t.Errorf("expires %v checked %v", v.Expires, v.Checked)
			}
			p := got.Payload
			if p.Iss != s.id || p.Sub != o.IRI || p.Ver != 1 || p.Prev != "" || p.Type != string(protocol.KindOrganisation) ||
				!slices.Equal(p.Cosigners, []string{s.id}) || p.Iat != now.Unix() || len(p.Jti) != 26 {
				t.Errorf("payload = %+v", p)
			}
			stored, e, err := got.Object(jws)
			if err != nil {
				t.Fatal(err)
			}
			if stored.IRI != o.IRI || stored.ID != o.ID || stored.Origin != s.id || stored.Type != protocol.KindOrganisation || stored.Version != 1 ||
				string(stored.Body) != string(o.Body) || string(stored.JWS) != string(jws) || stored.Verification != v ||
				!stored.Created.Equal(now) || !stored.Updated.Equal(now) || stored.Deleted {
				t.Errorf("stored object = %+v", stored.Meta)
			}
			if e == nil || e.Kind() != protocol.KindOrganisation || stored.Key != e.NaturalKey() {
				t.Errorf("entity = %v, key %q", e, stored.Key)
			}
		})
	}
}

func TestUnverifiedPolicy(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	itOnly := []trustchain.Anchor{f.pins()[0]}
	jws := f.m[zaragoza].sign(t, f.m[zaragoza].object(t, f.clock.Now()), nil)
	tests := []struct {
		name       string
		anchors    []trustchain.Anchor
		unverified string
		want       error  // from VerifyObject
		reason     error  // the chain error of an accepted unverified object
		status     string // "" when refused
	}{
		{"no pins, auto accepts", noPins, UnverifiedAuto, nil, trustchain.ErrNotPinned, protocol.Unverified},
		{"no pins, refuse", noPins, UnverifiedRefuse, ErrUnverified, nil, ""},
		{"no pins, accept", noPins, UnverifiedAccept, nil, trustchain.ErrNotPinned, protocol.Unverified},
		{"foreign anchor not pinned, auto refuses", itOnly, UnverifiedAuto, ErrUnverified, nil, ""},
		{"foreign anchor not pinned, accept", itOnly, UnverifiedAccept, nil, trustchain.ErrNotPinned, protocol.Unverified},
		{"foreign anchor pinned, refuse", nil, UnverifiedRefuse, nil, nil, protocol.Verified},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.add(spec{id: "https://lettore" + string(rune('a'+i)) + ".lv.example", role: RoleLeaf, anchors: tc.anchors, unverified: tc.unverified})
			got, err := r.svc.VerifyObject(ctx, jws)
			if tc.want != nil {
				wantErr(t, err, tc.want)
				if tc.anchors != nil && !errors.Is(err, trustchain.ErrNotPinned) {
					t.Errorf("refusal %q does not say why (trustchain.ErrNotPinned)", err)
				}
			} else {
				wantErr(t, err)
				v := got.Verification
				if v.Status != tc.status {
					t.Fatalf("status %s, want %s", v.Status, tc.status)
				}
				if tc.status == protocol.Unverified {
					if !strings.Contains(v.Reason, trustchain.ErrNotPinned.Error()) {
						t.Errorf("reason %q does not say %q", v.Reason, tc.reason)
					}
					// Nobody vouches: no legal identity is shown.
					if s := v.Signers; len(s) != 1 || s[0].EntityID != zaragoza || s[0].Kid == "" || s[0].Name != "" || s[0].Country != "" || s[0].Anchor != "" {
						t.Errorf("unverified signers = %+v", s)
					}
				}
			}
			// Judge never refuses for a missing chain, whatever the policy.
			j, err := r.svc.Judge(ctx, jws, time.Time{})
			if err != nil || j.Verification.Status != map[bool]string{true: protocol.Verified, false: protocol.Unverified}[tc.status == protocol.Verified] {
				t.Fatalf("Judge() = %+v, %v", j, err)
			}
		})
	}
}

// Unverified still means every signature verified: a forged signature is
// refused even when no anchor is pinned.
func TestUnverifiedStillChecksSignatures(t *testing.T) {
	f := newStandardFed(t)
	r := f.add(spec{id: "https://lettore.lv.example", role: RoleLeaf, anchors: noPins, unverified: UnverifiedAccept})
	z := f.m[zaragoza]
	thief := freshKey(t, KeyActive, t0)
	jws := z.signRaw(t, z.payload(t, f.clock.Now()), thief.Private)
	_, err := r.svc.VerifyObject(t.Context(), jws)
	wantErr(t, err, signedobject.ErrUntrustedKey, entity.ErrUnknownKey)
}

func TestVerifyObjectRefuses(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	z, o := f.m[zaragoza], f.m[ospizio]
	now := f.clock.Now()
	tests := []struct {
		name string
		jws  func() []byte
		want []error
	}{
		{"another node's key under a claimed iss", func() []byte {
			return o.signRaw(t, o.payload(t, now), z.keys.content().Private)
		}, []error{signedobject.ErrUntrustedKey, entity.ErrUnknownKey}},
		{"sub on another origin", func() []byte {
			p := o.payload(t, now)
			p.Sub = protocol.NewURIs(zaragoza).Object(o.ids.New(now))
			return o.signRaw(t, p, o.keys.content().Private)
		}, []error{signedobject.ErrForgedOrigin}},
		{"expired", func() []byte {
			p := o.payload(t, now.Add(-30*time.Minute))
			p.Exp = now.Unix()
			return o.signRaw(t, p, o.keys.content().Private)
		}, []error{signedobject.ErrExpired}},
		{"from the future", func() []byte {
			return o.signRaw(t, o.payload(t, now.Add(2*time.Minute)), o.keys.content().Private)
		}, []error{signedobject.ErrNotYetValid}},
		{"an entity configuration presented as an object", func() []byte {
			raw, err := o.svc.EntityConfiguration()
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}, []error{signedobject.ErrMalformed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := z.svc.VerifyObject(ctx, tc.jws())
			wantErr(t, err, tc.want...)
		})
	}
}

func TestPrevLinksVersions(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	o, z := f.m[ospizio], f.m[zaragoza]
	v1 := o.object(t, f.clock.Now())
	jws1 := o.sign(t, v1, nil)
	f.clock.Advance(time.Hour)
	v2 := v1
	v2.Version, v2.Body = 2, orgBody(t, "Ospizio rinnovato")
	jws2 := o.sign(t, v2, jws1)

	r1, err := z.svc.VerifyObject(ctx, jws1)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := z.svc.VerifyObject(ctx, jws2)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Payload.Prev != "" {
		t.Errorf("version 1 has prev %q", r1.Payload.Prev)
	}
	if r2.Payload.Prev != signedobject.PayloadHash(r1.Raw) {
		t.Fatalf("prev %q, want the hash of version 1's payload %q", r2.Payload.Prev, signedobject.PayloadHash(r1.Raw))
	}
	if err := signedobject.CheckSuccessor(r1.Raw, r1.Payload, r2.Payload); err != nil {
		t.Fatal(err)
	}
	// Version 3 linked to version 1 is not version 2's successor.
	v3 := v2
	v3.Version = 3
	r3, err := z.svc.VerifyObject(ctx, o.sign(t, v3, jws1))
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, signedobject.CheckSuccessor(r2.Raw, r2.Payload, r3.Payload), signedobject.ErrRollback)

	if _, err := o.svc.SignVersion(v2, []byte(`{"payload":"not a jws"}`), nil); !errors.Is(err, signedobject.ErrMalformed) {
		t.Fatalf("SignVersion with a broken previous JWS = %v, want signedobject.ErrMalformed", err)
	}
}

func TestTombstoneRoundTrip(t *testing.T) {
	f := newStandardFed(t)
	o, z := f.m[ospizio], f.m[zaragoza]
	v1 := o.object(t, f.clock.Now())
	jws1 := o.sign(t, v1, nil)
	f.clock.Advance(time.Hour)
	gone := v1
	gone.Version, gone.Deleted, gone.Body = 2, true, nil
	jws := o.sign(t, gone, jws1)
	r, err := z.svc.VerifyObject(t.Context(), jws)
	if err != nil {
		t.Fatal(err)
	}
	if r.Payload.Type != signedobject.TombstoneType || string(r.Payload.Body) != `{"deleted":true,"former_type":"Organisation"}` {
		t.Fatalf("tombstone payload type %q body %s", r.Payload.Type, r.Payload.Body)
	}
	stored, e, err := r.Object(jws)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.Deleted || stored.Type != protocol.KindOrganisation || stored.Body != nil || e != nil || stored.Version != 2 ||
		!stored.Created.Equal(f.clock.Now()) {
		t.Fatalf("stored tombstone = %+v body %s entity %v", stored.Meta, stored.Body, e)
	}
}

func TestReceivedObjectRefuses(t *testing.T) {
	f := newStandardFed(t)
	o, z := f.m[ospizio], f.m[zaragoza]
	now := f.clock.Now()
	tests := []struct {
		name   string
		mutate func(p *signedobject.Payload)
		msg    string
	}{
		{"body of another kind", func(p *signedobject.Payload) { p.Type = string(protocol.KindInterlinker) }, "the body is a Organisation, the payload says Interlinker"},
		{"not a catalogue kind", func(p *signedobject.Payload) { p.Type = "Widget" }, `type "Widget" is not a catalogue kind`},
		{"invalid body", func(p *signedobject.Payload) { p.Body = json.RawMessage(`{"type":"Organisation","key":"x"}`) }, "body:"},
		{"tombstone not deleted", func(p *signedobject.Payload) {
			p.Type, p.Body = signedobject.TombstoneType, json.RawMessage(`{"deleted":false,"former_type":"Organisation"}`)
		}, "a tombstone's body must be"},
		{"tombstone of no kind", func(p *signedobject.Payload) {
			p.Type, p.Body = signedobject.TombstoneType, json.RawMessage(`{"deleted":true,"former_type":"Widget"}`)
		}, "a tombstone's body must be"},
		{"sub not an object IRI", func(p *signedobject.Payload) { p.Sub = ospizio + "/actor" }, "is not an object IRI of " + ospizio},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := o.payload(t, now)
			tc.mutate(&p)
			jws := o.signRaw(t, p, o.keys.content().Private)
			r, err := z.svc.VerifyObject(t.Context(), jws)
			if err != nil {
				t.Fatalf("the signature layer refused what the object layer must: %v", err)
			}
			if _, _, err := r.Object(jws); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Object() = %v, want %q", err, tc.msg)
			}
		})
	}
}

// A received version's dates come from its signed payload only: created
// and updated are its iat (federation.checkHistory then takes created from
// the history the receiver holds); the unsigned wrapper's are a rendering.
func TestReceivedObjectDatesFromThePayload(t *testing.T) {
	f := newStandardFed(t)
	o, z := f.m[ospizio], f.m[zaragoza]
	obj := o.object(t, f.clock.Now().Add(-48*time.Hour)) // the envelope says two days ago
	jws := o.sign(t, obj, nil)
	r, err := z.svc.VerifyObject(t.Context(), jws)
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := r.Object(jws)
	if err != nil {
		t.Fatal(err)
	}
	iat := time.Unix(r.Payload.Iat, 0).UTC()
	if !stored.Created.Equal(iat) || !stored.Updated.Equal(iat) || stored.Created.Equal(obj.Created) {
		t.Fatalf("created %v, updated %v, want the iat %v", stored.Created, stored.Updated, iat)
	}
}

func TestLocalVerification(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	o := f.m[ospizio]
	jws := o.sign(t, o.object(t, f.clock.Now()), nil)
	v := o.svc.localVerification(ctx, jws)
	if v.Status != protocol.Verified || v.Reason != "" || len(v.Signers) != 1 {
		t.Fatalf("verification = %+v", v)
	}
	s := v.Signers[0]
	if s.EntityID != ospizio || s.Kid != o.keys.content().Kid || s.Name != "Associazione Ospizio" || s.Anchor != anchorIT ||
		!slices.Equal(s.Path, []string{ospizio, comune, anchorIT}) || !v.Expires.Equal(f.clock.Now().Add(Defaults().ObjectTTL)) {
		t.Fatalf("signer = %+v expires %v", s, v.Expires)
	}

	// SignLocal makes the same record without parsing what it signed.
	signed, rec, err := o.svc.SignLocal(ctx, o.object(t, f.clock.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again := o.svc.localVerification(ctx, signed); !reflect.DeepEqual(rec, again) {
		t.Fatalf("SignLocal's record %+v, from the JWS %+v", rec, again)
	}

	tests := []struct {
		name   string
		m      func() *member
		jws    func(m *member) []byte
		reason string
	}{
		{"not enrolled", func() *member {
			return f.add(spec{id: "https://nuovo.re.example", role: RoleLeaf, hints: []string{comune}})
		}, func(m *member) []byte { return m.sign(t, m.object(t, f.clock.Now()), nil) }, trustchain.ErrNoPath.Error()},
		{"no anchor pinned", func() *member {
			return f.add(spec{id: "https://isolato.lv.example", role: RoleLeaf, anchors: noPins})
		}, func(m *member) []byte { return m.sign(t, m.object(t, f.clock.Now()), nil) }, trustchain.ErrNotPinned.Error()},
		{"not a JWS", func() *member { return o }, func(*member) []byte { return []byte("{}") }, signedobject.ErrMalformed.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m()
			v := m.svc.localVerification(ctx, tc.jws(m))
			if v.Status != protocol.Unverified || !strings.Contains(v.Reason, tc.reason) || !v.Checked.Equal(f.clock.Now()) {
				t.Fatalf("verification = %+v, want unverified because %q", v, tc.reason)
			}
		})
	}
}

// A receiver uses a cached chain for at most trust.reverify_interval
// (however long its statements are valid), then resolves it afresh: a
// revocation is learnt within that bound. What was signed before the
// revocation and held since stays valid; a version first seen after it is
// refused, whatever its iat (issue 10: a revoked node backdating iat).
func TestChainMaxAgeAndRevocation(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	o, z := f.m[ospizio], f.m[zaragoza]
	maxAge := z.svc.Config().ReverifyInterval
	if maxAge >= testTTL {
		t.Fatalf("the test needs reverify_interval (%s) below the statements' ttl (%s)", maxAge, testTTL)
	}
	seenBefore := f.clock.Now()
	before := o.sign(t, o.object(t, f.clock.Now()), nil)
	if _, err := z.svc.VerifyObject(ctx, before); err != nil {
		t.Fatal(err)
	}
	fetched := f.net.fetches("")
	f.clock.Advance(maxAge / 4)
	if _, err := z.svc.VerifyObject(ctx, before); err != nil {
		t.Fatal(err)
	}
	if n := f.net.fetches(""); n != fetched {
		t.Fatalf("%d fetches with a warm cache", n-fetched)
	}

	// The municipality revokes the civic group; the receiver's cached
	// chain does not know yet (within the bound).
	f.clock.Advance(maxAge / 4)
	revokedAt := f.clock.Now()
	if _, err := f.m[comune].svc.Revoke(ctx, ospizio, "dissolved"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	after := o.sign(t, o.object(t, f.clock.Now()), nil)
	backdated := o.sign(t, o.object(t, revokedAt.Add(-26*time.Second)), nil)
	if _, err := z.svc.VerifyObject(ctx, after); err != nil {
		t.Fatalf("cached chain: %v", err)
	}

	// Past the maximum age (long before the statements expire) the chain
	// is fetched afresh.
	f.clock.Advance(maxAge / 2)
	urls := []string{ospizio + entity.WellKnownPath, comune + entity.FetchPath}
	counts := make([]int, len(urls))
	for i, u := range urls {
		counts[i] = f.net.fetches(u)
	}
	ch, err := z.svc.Resolver().Resolve(ctx, ospizio)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range urls {
		if f.net.fetches(u) == counts[i] {
			t.Errorf("%s not fetched again after reverify_interval", u)
		}
	}
	if !ch.RevokedAt.Equal(revokedAt) {
		t.Fatalf("refreshed chain: revoked %v, want %v", ch.RevokedAt, revokedAt)
	}
	tests := []struct {
		name string
		jws  []byte
		seen time.Time // zero: now
		want error
	}{
		{"signed before, held since before the revocation", before, seenBefore, nil},
		{"signed before, first seen after the revocation", before, time.Time{}, trustchain.ErrRevoked},
		{"signed after the revocation", after, time.Time{}, trustchain.ErrRevoked},
		{"signed after, seen while the receiver held the old chain", after, revokedAt.Add(time.Second), trustchain.ErrRevoked},
		{"backdated 26 s before the revocation", backdated, time.Time{}, trustchain.ErrRevoked},
		{"signed now", o.sign(t, o.object(t, f.clock.Now()), nil), time.Time{}, trustchain.ErrRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r *trustchain.Received
			var err error
			if tc.seen.IsZero() {
				r, err = z.svc.VerifyObject(ctx, tc.jws)
			} else {
				r, err = z.svc.Judge(ctx, tc.jws, tc.seen)
			}
			wantErr(t, err, errs(tc.want)...)
			if err == nil && (r.Verification.Status != protocol.Verified || !r.Verification.Checked.Equal(f.clock.Now())) {
				t.Fatalf("verification = %+v", r.Verification)
			}
		})
	}
}

// A receiver that cached a signer's chain learns of the signer's content
// key revocation within trust.reverify_interval: the stolen key's fresh
// signatures are refused from then on (issue 10: they verified for 24 h).
func TestKeyRevocationReachesWarmReceivers(t *testing.T) {
	f := newStandardFed(t)
	ctx := t.Context()
	o, z := f.m[ospizio], f.m[zaragoza]
	keyA := o.keys.content()
	if _, err := z.svc.VerifyObject(ctx, o.sign(t, o.object(t, f.clock.Now()), nil)); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	o.keys.rotateContent()
	o.keys.revokeContent(keyA.Kid, "laptop stolen")
	o.svc.KeysChanged()
	f.clock.Advance(time.Second)
	stolen := func() []byte { return o.signRaw(t, o.payload(t, f.clock.Now()), keyA.Private) }
	// Within the bound the receiver may still hold the old configuration.
	if _, err := z.svc.VerifyObject(ctx, stolen()); err != nil {
		t.Logf("refused at once: %v", err)
	}
	f.clock.Advance(z.svc.Config().ReverifyInterval)
	_, err := z.svc.VerifyObject(ctx, stolen())
	wantErr(t, err, signedobject.ErrUntrustedKey, entity.ErrKeyRevoked)
}
