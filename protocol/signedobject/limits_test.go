package signedobject

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Each limit of the package is held on both sides of its boundary: the
// largest accepted value and the smallest refused one.

// sized returns an entity URL on entA's origin of exactly n bytes.
func sized(t testing.TB, n int) string {
	t.Helper()
	prefix := entA + "/objects/"
	if n < len(prefix) {
		t.Fatalf("sized(%d): shorter than %q", n, prefix)
	}
	return prefix + strings.Repeat("x", n-len(prefix))
}

// eightParties are MaxSignatures distinct signers, entA first.
func eightParties(t testing.TB) []party {
	t.Helper()
	ps := []party{newParty(t, entA), newParty(t, entB), newParty(t, entC)}
	for i := len(ps); i < MaxSignatures; i++ {
		ps = append(ps, newParty(t, fmt.Sprintf("https://node%d.example.org", i)))
	}
	return ps
}

func ids(ps []party) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.EntityID
	}
	return out
}

func TestPayloadLimitBoundaries(t *testing.T) {
	ninth := "https://node8.example.org"
	tests := []struct {
		name string
		mod  func(*Payload)
		ok   bool
	}{
		{"jti of 1 byte", func(p *Payload) { p.Jti = "j" }, true},
		{"jti of maxJtiLen bytes", func(p *Payload) { p.Jti = strings.Repeat("j", maxJtiLen) }, true},
		{"jti of maxJtiLen+1 bytes", func(p *Payload) { p.Jti = strings.Repeat("j", maxJtiLen+1) }, false},
		{"jti empty", func(p *Payload) { p.Jti = "" }, false},
		{"type of 1 character", func(p *Payload) { p.Type = "T" }, true},
		{"type of maxTypeLen characters", func(p *Payload) { p.Type = strings.Repeat("T", maxTypeLen) }, true},
		{"type of maxTypeLen+1 characters", func(p *Payload) { p.Type = strings.Repeat("T", maxTypeLen+1) }, false},
		{"MaxSignatures cosigners", func(p *Payload) { p.Cosigners = ids(eightParties(t)) }, true},
		{"MaxSignatures+1 cosigners", func(p *Payload) { p.Cosigners = append(ids(eightParties(t)), ninth) }, false},
		{"sub of maxEntityIDLen bytes", func(p *Payload) { p.Sub = sized(t, maxEntityIDLen) }, true},
		{"sub of maxEntityIDLen+1 bytes", func(p *Payload) { p.Sub = sized(t, maxEntityIDLen+1) }, false},
		{"cosigner of maxEntityIDLen bytes", func(p *Payload) { p.Cosigners = []string{entA, sized(t, maxEntityIDLen)} }, true},
		{"cosigner of maxEntityIDLen+1 bytes", func(p *Payload) { p.Cosigners = []string{entA, sized(t, maxEntityIDLen+1)} }, false},
		{"exp one second after iat", func(p *Payload) { p.Exp = p.Iat + 1 }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := payloadFor(entA)
			tc.mod(&p)
			_, err := decodePayload(mustJSON(t, p))
			if tc.ok && err != nil || !tc.ok && !errors.Is(err, ErrInvalidPayload) {
				t.Fatalf("decodePayload = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// Equivalent mutant: parse.go:188:14 CONDITIONALS_BOUNDARY — with >= a typ
// of exactly len("application/") bytes ("application/" itself, in any case)
// has its prefix stripped to "" instead of being compared whole; neither ""
// nor "application/" equals Type, so both refuse it with ErrType (the "typ
// only the prefix" case below).

// TestHeaderBoundaries: kid length, the iat header's range and the typ
// forms RFC 7515 §4.1.9 allows, through Inspect (every header rule, no key).
func TestHeaderBoundaries(t *testing.T) {
	a := newParty(t, entA)
	raw := mustJSON(t, payloadFor(entA))
	header := func(kid, typ, extra string) string {
		return fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"typ":%q,"iss":%q%s}`, kid, typ, entA, extra)
	}
	tests := []struct {
		name string
		prot string
		want error // nil: accepted
	}{
		{"kid of 1 character", header("k", Type, ""), nil},
		{"kid of MaxKidLen characters", header(strings.Repeat("k", MaxKidLen), Type, ""), nil},
		{"kid of MaxKidLen+1 characters", header(strings.Repeat("k", MaxKidLen+1), Type, ""), ErrKid},
		{"kid empty", header("", Type, ""), ErrKid},
		{"iat 1", header(a.kid, Type, `,"iat":1`), nil},
		{"iat 0", header(a.kid, Type, `,"iat":0`), ErrHeader},
		{"iat -1", header(a.kid, Type, `,"iat":-1`), ErrHeader},
		{"iat as a string", header(a.kid, Type, `,"iat":"1"`), ErrHeader},
		{"typ with the application/ prefix", header(a.kid, "application/"+Type, ""), nil},
		{"typ with the prefix in another case", header(a.kid, "Application/Interlink-Object+JWS", ""), nil},
		{"typ in upper case", header(a.kid, strings.ToUpper(Type), ""), nil},
		{"typ only the prefix", header(a.kid, "application/", ""), ErrType},
		{"typ shorter than the prefix", header(a.kid, "x", ""), ErrType},
		{"typ empty", header(a.kid, "", ""), ErrType},
		{"typ with another prefix", header(a.kid, "text/"+Type, ""), ErrType},
		{"typ of another kind with the prefix", header(a.kid, "application/entity-statement+jwt", ""), ErrType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Inspect(craft(t, raw, rawSigSpec{protected: tc.prot, key: a.Key}))
			if tc.want == nil {
				if err != nil || len(in.Sigs) != 1 || in.Sigs[0].Signer != entA {
					t.Fatalf("Inspect = %+v, %v; want accepted", in, err)
				}
				return
			}
			if in != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Inspect = %+v, %v; want %v", in, err, tc.want)
			}
		})
	}
	// A kid of MaxKidLen characters passes the header rules and is then
	// only a key the resolver does not know.
	doc := craft(t, raw, rawSigSpec{protected: header(strings.Repeat("k", MaxKidLen), Type, ""), key: a.Key})
	if _, err := Verify(doc, newDirectory(a).resolve, t0, Options{}); !errors.Is(err, ErrUntrustedKey) {
		t.Errorf("Verify with a kid of %d characters = %v, want ErrUntrustedKey", MaxKidLen, err)
	}
	// A typ with the prefix verifies as well.
	doc = craft(t, raw, rawSigSpec{protected: header(a.kid, "application/"+Type, ""), key: a.Key})
	if _, err := Verify(doc, newDirectory(a).resolve, t0, Options{}); err != nil {
		t.Errorf("Verify with typ application/%s = %v", Type, err)
	}
}

func TestMaxBytesBoundary(t *testing.T) {
	a := newParty(t, entA)
	doc := mustSign(t, payloadFor(entA), a)
	dir := newDirectory(a)
	pad := func(n int) []byte { // doc followed by space to n bytes
		return append(append([]byte{}, doc...), strings.Repeat(" ", n-len(doc))...)
	}
	tests := []struct {
		name string
		jws  []byte
		max  int
		want error
	}{
		{"exactly MaxBytes", doc, len(doc), nil},
		{"one byte over MaxBytes", doc, len(doc) - 1, ErrTooLarge},
		{"exactly DefaultMaxBytes", pad(DefaultMaxBytes), 0, nil},
		{"one byte over DefaultMaxBytes", pad(DefaultMaxBytes + 1), 0, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.jws, dir.resolve, t0, Options{MaxBytes: tc.max})
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if tc.max == 0 {
				_, err := Inspect(tc.jws)
				if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
					t.Fatalf("Inspect = %v, want %v", err, tc.want)
				}
			}
		})
	}
}

// TestSignatureCountBoundaries: MaxSignatures signatures are accepted by
// Verify, AddSignature and Merge, one more by none.
func TestSignatureCountBoundaries(t *testing.T) {
	ps := eightParties(t)
	dir := newDirectory(ps...)
	p := payloadFor(entA, ids(ps)...)
	raw := mustJSON(t, p)
	outsider := newParty(t, "https://outsider.example.org")
	// full has MaxSignatures signatures although its last cosigner has not
	// signed: an outsider signed instead (never verified by AddSignature
	// or Merge).
	var specs []rawSigSpec
	for _, q := range ps[:MaxSignatures-1] {
		specs = append(specs, rawSigSpec{protected: hdr(q), key: q.Key})
	}
	full := craft(t, raw, append(specs, rawSigSpec{protected: hdr(outsider), key: outsider.Key})...)
	last := ps[MaxSignatures-1]
	tests := []struct {
		name   string
		build  func() ([]byte, error)
		want   error // nil: built, and it has wantN signatures
		wantN  int
		verify bool // the result verifies in full
	}{
		{"Sign with MaxSignatures signers", func() ([]byte, error) { return Sign(p, signersOf(ps)...) }, nil, MaxSignatures, true},
		{"AddSignature as the MaxSignatures-th", func() ([]byte, error) {
			return AddSignature(mustSign(t, p, ps[:MaxSignatures-1]...), last.Signer)
		}, nil, MaxSignatures, true},
		{"AddSignature beyond MaxSignatures", func() ([]byte, error) { return AddSignature(full, last.Signer) }, ErrTooManySignatures, 0, false},
		{"Merge of 1 and MaxSignatures-1 signatures", func() ([]byte, error) {
			return Merge(mustSign(t, p, ps[0]), mustSign(t, p, ps[1:]...))
		}, nil, MaxSignatures, true},
		{"Merge of MaxSignatures-1 and 1 signatures", func() ([]byte, error) {
			return Merge(mustSign(t, p, ps[:MaxSignatures-1]...), mustSign(t, p, last))
		}, nil, MaxSignatures, true},
		{"Merge of 2 and 1 signatures", func() ([]byte, error) {
			return Merge(mustSign(t, p, ps[0], ps[1]), mustSign(t, p, ps[2]))
		}, nil, 3, false},
		{"Merge beyond MaxSignatures", func() ([]byte, error) { return Merge(full, mustSign(t, p, last)) }, ErrTooManySignatures, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := tc.build()
			if tc.want != nil {
				if doc != nil || !errors.Is(err, tc.want) {
					t.Fatalf("got %d bytes, %v; want %v", len(doc), err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			in, err := Inspect(doc)
			if err != nil || len(in.Sigs) != tc.wantN {
				t.Fatalf("Inspect = %+v, %v; want %d signatures", in, err, tc.wantN)
			}
			if tc.verify {
				v, err := Verify(doc, dir.resolve, t0, Options{})
				if err != nil || len(v.Signers) != MaxSignatures {
					t.Fatalf("Verify = %+v, %v", v, err)
				}
			}
		})
	}
}

func signersOf(ps []party) []Signer {
	out := make([]Signer, len(ps))
	for i, p := range ps {
		out[i] = p.Signer
	}
	return out
}

// TestCountersignatureAtPayloadIat: a countersignature may be made in the
// very second of the payload's iat, not one second before.
func TestCountersignatureAtPayloadIat(t *testing.T) {
	a, b := newParty(t, entA), newParty(t, entB)
	draft := mustSign(t, payloadFor(entA, entA, entB), a)
	tests := []struct {
		name string
		at   time.Time
		want error
	}{
		{"at the payload's iat", t0, nil},
		{"one second after", t0.Add(time.Second), nil},
		{"one second before", t0.Add(-time.Second), ErrInvalidPayload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := b.Signer
			s.At = tc.at
			doc, err := AddSignature(draft, s)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Verify(doc, newDirectory(a, b).resolve, t0, Options{})
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}
