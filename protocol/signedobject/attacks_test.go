package signedobject

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestVerifyAttacks holds one fixture per attack of trust-threats.md §1, §2,
// §4 and §5 that applies to an object JWS, each with the exact reason.
func TestVerifyAttacks(t *testing.T) {
	a, b, c := newParty(t, entA), newParty(t, entB), newParty(t, entC)
	dir := newDirectory(a, b, c)
	pA := payloadFor(entA)
	rawA := mustJSON(t, pA)
	pAB := payloadFor(entA, entA, entB)
	rawAB := mustJSON(t, pAB)
	str := func(s string) *string { return &s }

	withPayload := func(mod func(*Payload)) []byte {
		p := payloadFor(entA)
		mod(&p)
		return mustJSON(t, p)
	}
	// signedRaw signs raw payload bytes properly by a.
	signedRaw := func(raw []byte) []byte {
		return craft(t, raw, rawSigSpec{protected: hdr(a), key: a.Key})
	}
	hs256 := func() *string {
		prot := b64.EncodeToString([]byte(`{"alg":"HS256","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`))
		m := hmac.New(sha256.New, a.pub)
		m.Write(signingInput(prot, b64.EncodeToString(rawA)))
		return str(b64.EncodeToString(m.Sum(nil)))
	}
	deep := strings.Repeat(`{"x":`, 70) + `1` + strings.Repeat(`}`, 70)
	nine := make([]rawSigSpec, 9)
	for i := range nine {
		nine[i] = rawSigSpec{protected: hdr(a), key: a.Key}
	}
	resolveAny := func(string, string, time.Time) (ed25519.PublicKey, error) { return b.pub, nil }

	tests := []struct {
		name    string
		jws     []byte
		resolve KeyResolver
		now     time.Time
		opts    Options
		want    error
	}{
		// §1 forged origin
		{name: "B signs claiming iss A", jws: mustSign(t, func() Payload { p := payloadFor(entA, entB); return p }(), b), want: ErrForgedOrigin},
		{name: "B signs a sub on A's origin", jws: mustSign(t, func() Payload { p := payloadFor(entB); p.Sub = entA + "/objects/X"; return p }(), b), want: ErrForgedOrigin},
		{name: "sub on a look-alike host", jws: mustSign(t, func() Payload {
			p := payloadFor(entA)
			p.Sub = "https://comune.reggioemilia.example.it.evil.example/objects/X"
			return p
		}(), a), want: ErrForgedOrigin},
		{name: "sub on another port", jws: mustSign(t, func() Payload { p := payloadFor(entA); p.Sub = entA + ":8443/objects/X"; return p }(), a), want: ErrForgedOrigin},
		{name: "sub over http", jws: mustSign(t, func() Payload {
			p := payloadFor(entA)
			p.Sub = "http://comune.reggioemilia.example.it/objects/X"
			return p
		}(), a), want: ErrForgedOrigin},
		{name: "sub with user info naming A", jws: signedRaw(withPayload(func(p *Payload) { p.Sub = entA + "@evil.example/objects/X" })), want: ErrInvalidPayload},
		{name: "A's kid with B's key", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), key: b.Key}), want: ErrBadSignature},
		{name: "B's key and kid under iss A", jws: craft(t, rawA, rawSigSpec{protected: fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"typ":"interlink-object+jws","iss":%q}`, b.kid, entA), key: b.Key}), want: ErrUntrustedKey},
		{name: "resolver key is not the kid's", jws: mustSign(t, pA, a), resolve: resolveAny, want: ErrKid},
		{name: "payload altered after signing", jws: craft(t, withPayload(func(p *Payload) { p.Ver = 2 }), rawSigSpec{protected: hdr(a), signature: str(sigOf(t, mustSign(t, pA, a)))}), want: ErrBadSignature},

		// §4 algorithm and header abuse
		{name: "alg none", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"none","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`}), want: ErrAlgorithm},
		{name: "HS256 keyed with the public key", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"HS256","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, signature: hs256()}), want: ErrAlgorithm},
		{name: "RS256 against an Ed25519 key", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"RS256","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrAlgorithm},
		{name: "ES256", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"ES256","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrAlgorithm},
		{name: "alg in lower case", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"eddsa","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrAlgorithm},
		{name: "alg missing", jws: craft(t, rawA, rawSigSpec{protected: `{"kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrAlgorithm},
		{name: "alg not a string", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":1,"kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrAlgorithm},
		{name: "alg only in the unprotected header", jws: craft(t, rawA, rawSigSpec{protected: `{"kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, header: `{"alg":"EdDSA"}`, key: a.Key}), want: ErrAlgorithm},
		{name: "kid missing", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrKid},
		{name: "kid with a path", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"../../keys/a","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrKid},
		{name: "kid with SQL", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"x' OR '1'='1","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrKid},
		{name: "kid over 128", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + strings.Repeat("k", 129) + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrKid},
		{name: "unknown crit", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","crit":["exp2"],"exp2":1}`, key: a.Key}), want: ErrHeader},
		{name: "b64 false without crit", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","b64":false}`, key: a.Key}), want: ErrHeader},
		{name: "b64 false with crit", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","b64":false,"crit":["b64"]}`, key: a.Key}), want: ErrHeader},
		{name: "jku", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","jku":"http://127.0.0.1/keys"}`, key: a.Key}), want: ErrHeader},
		{name: "x5u", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","x5u":"http://127.0.0.1/cert"}`, key: a.Key}), want: ErrHeader},
		{name: "jwk embedded", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","jwk":{"kty":"OKP","crv":"Ed25519","x":"` + b64.EncodeToString(b.pub) + `"}}`, key: b.Key}), want: ErrHeader},
		{name: "x5c", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","x5c":["MIIB"]}`, key: a.Key}), want: ErrHeader},
		{name: "jku unprotected", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), header: `{"jku":"http://127.0.0.1/keys"}`, key: a.Key}), want: ErrHeader},
		{name: "jwk unprotected", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), header: `{"jwk":{"kty":"OKP"}}`, key: a.Key}), want: ErrHeader},
		{name: "unknown protected member", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `","zip":"DEF"}`, key: a.Key}), want: ErrHeader},
		{name: "statement presented as object", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"entity-statement+jwt","iss":"` + entA + `"}`, key: a.Key}), want: ErrType},
		{name: "typ missing", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","iss":"` + entA + `"}`, key: a.Key}), want: ErrType},
		{name: "unprotected overrides kid", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), header: `{"kid":"` + b.kid + `"}`, key: a.Key}), want: ErrHeader},
		{name: "unprotected overrides typ", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), header: `{"typ":"entity-statement+jwt"}`, key: a.Key}), want: ErrHeader},
		{name: "iss only unprotected", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws"}`, header: `{"iss":"` + entA + `"}`, key: a.Key}), want: ErrHeader},
		{name: "signer missing from header", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","kid":"` + a.kid + `","typ":"interlink-object+jws"}`, key: a.Key}), want: ErrHeader},
		{name: "signature without protected", jws: craft(t, rawA, rawSigSpec{noProtKey: true, header: hdr(a), key: a.Key}), want: ErrHeader},
		{name: "only one of two cosigners valid", jws: craft(t, rawAB, rawSigSpec{protected: hdr(a), key: a.Key}, rawSigSpec{protected: hdr(b), key: c.Key}), want: ErrBadSignature},
		{name: "stripped cosigner signature", jws: craft(t, rawAB, rawSigSpec{protected: hdr(a), key: a.Key}), want: ErrMissingCosigner},
		{name: "duplicate signer", jws: craft(t, rawAB, rawSigSpec{protected: hdr(a), key: a.Key}, rawSigSpec{protected: hdr(a), key: a.Key}), want: ErrDuplicateSigner},
		{name: "signer not in cosigners", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), key: a.Key}, rawSigSpec{protected: hdr(c), key: c.Key}), want: ErrUnknownSigner},
		{name: "flattened serialization", jws: []byte(`{"payload":"` + b64.EncodeToString(rawA) + `","protected":"` + b64.EncodeToString([]byte(hdr(a))) + `","signature":"AA"}`), want: ErrMalformed},
		{name: "compact serialization", jws: []byte(b64.EncodeToString([]byte(hdr(a))) + "." + b64.EncodeToString(rawA) + ".AA"), want: ErrMalformed},
		{name: "short signature", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), signature: str("AAAA")}), want: ErrBadSignature},

		// §2 expiry (replay of a jti is the caller's; CheckSuccessor has its own test)
		{name: "expired", jws: mustSign(t, pA, a), now: t0.Add(25 * time.Hour), want: ErrExpired},
		{name: "at exp exactly", jws: mustSign(t, pA, a), now: time.Unix(pA.Exp, 0), want: ErrExpired},
		{name: "iat beyond skew", jws: mustSign(t, pA, a), now: t0.Add(-61 * time.Second), want: ErrNotYetValid},
		{name: "iat beyond custom skew", jws: mustSign(t, pA, a), now: t0.Add(-11 * time.Second), opts: Options{Skew: 10 * time.Second}, want: ErrNotYetValid},

		// §5 oversized or malformed
		{name: "over 1 MiB", jws: append(mustSign(t, pA, a), make([]byte, DefaultMaxBytes)...), want: ErrTooLarge},
		{name: "over a custom cap", jws: mustSign(t, pA, a), opts: Options{MaxBytes: 100}, want: ErrTooLarge},
		{name: "nine signatures", jws: craft(t, rawA, nine...), want: ErrTooManySignatures},
		{name: "no signatures", jws: []byte(`{"payload":"` + b64.EncodeToString(rawA) + `","signatures":[]}`), want: ErrTooManySignatures},
		{name: "body nested deeper than 64", jws: signedRaw(withPayload(func(p *Payload) { p.Body = []byte(deep) })), want: ErrMalformed},
		{name: "envelope nested deeper than 64", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), header: `{"trust_chain":` + deep + `}`, key: a.Key}), want: ErrMalformed},
		{name: "duplicate key in payload", jws: signedRaw([]byte(strings.Replace(string(rawA), `"ver":1`, `"ver":1,"ver":9`, 1))), want: ErrMalformed},
		{name: "duplicate key in body", jws: signedRaw([]byte(strings.Replace(string(rawA), `{"title":`, `{"title":{},"title":`, 1))), want: ErrMalformed},
		{name: "duplicate key in protected header", jws: craft(t, rawA, rawSigSpec{protected: `{"alg":"EdDSA","alg":"none","kid":"` + a.kid + `","typ":"interlink-object+jws","iss":"` + entA + `"}`, key: a.Key}), want: ErrMalformed},
		{name: "duplicate key in envelope", jws: []byte(strings.Replace(string(mustSign(t, pA, a)), `{"payload":`, `{"payload":"e30","payload":`, 1)), want: ErrMalformed},
		{name: "huge ver", jws: signedRaw([]byte(strings.Replace(string(rawA), `"ver":1`, `"ver":18446744073709551616`, 1))), want: ErrMalformed},
		{name: "huge exp", jws: signedRaw([]byte(strings.Replace(string(rawA), fmt.Sprintf(`"exp":%d`, pA.Exp), `"exp":1e400`, 1))), want: ErrMalformed},
		{name: "invalid UTF-8 in body", jws: signedRaw([]byte(strings.Replace(string(rawA), "Prenotazione", "Prenotazione\xff", 1))), want: ErrMalformed},
		{name: "invalid UTF-8 in envelope", jws: craft(t, rawA, rawSigSpec{protected: hdr(a), header: "{\"note\":\"\xc3\x28\"}", key: a.Key}), want: ErrMalformed},
		{name: "unknown payload member", jws: signedRaw([]byte(strings.Replace(string(rawA), `"ver":1`, `"ver":1,"admin":true`, 1))), want: ErrMalformed},
		{name: "padded base64 payload", jws: []byte(strings.Replace(string(mustSign(t, pA, a)), `","signatures"`, `==","signatures"`, 1)), want: ErrMalformed},
		{name: "line break in base64 payload", jws: []byte(strings.Replace(string(mustSign(t, pA, a)), `{"payload":"ey`, `{"payload":"e\ny`, 1)), want: ErrMalformed},
		{name: "not JSON", jws: []byte("\x1f\x8b\x08\x00"), want: ErrMalformed},
		{name: "payload not an object", jws: signedRaw([]byte(`[1,2]`)), want: ErrMalformed},
		{name: "ver zero", jws: signedRaw(withPayload(func(p *Payload) { p.Ver = 0 })), want: ErrInvalidPayload},
		{name: "body not an object", jws: signedRaw(withPayload(func(p *Payload) { p.Body = []byte(`"x"`) })), want: ErrInvalidPayload},
		{name: "cosigner listed twice", jws: signedRaw(withPayload(func(p *Payload) { p.Cosigners = []string{entA, entA} })), want: ErrInvalidPayload},
		{name: "exp before iat", jws: signedRaw(withPayload(func(p *Payload) { p.Exp = p.Iat })), want: ErrInvalidPayload},
		{name: "prev not a hash", jws: signedRaw(withPayload(func(p *Payload) { p.Prev = "../x" })), want: ErrInvalidPayload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resolve := tc.resolve
			if resolve == nil {
				resolve = dir.resolve
			}
			now := tc.now
			if now.IsZero() {
				now = t0
			}
			v, err := Verify(tc.jws, resolve, now, tc.opts)
			if v != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, %v; want %v", v, err, tc.want)
			}
			if got := reasons(err); len(got) != 1 {
				t.Errorf("error %q wraps %d reasons %v, want exactly one", err, len(got), got)
			}
		})
	}
}

// sigOf returns the first signature value of a JWS made by Sign.
func sigOf(t testing.TB, jws []byte) string {
	t.Helper()
	m, err := parseMessage(jws, DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	return m.sigs[0].signatureB64
}

func TestVerifySkewBoundaries(t *testing.T) {
	a := newParty(t, entA)
	jws := mustSign(t, payloadFor(entA), a)
	for _, now := range []time.Time{t0.Add(-60 * time.Second), t0, time.Unix(payloadFor(entA).Exp-1, 0)} {
		if _, err := Verify(jws, newDirectory(a).resolve, now, Options{}); err != nil {
			t.Errorf("at %s: %v", now, err)
		}
	}
}

func TestUntrustedKeyKeepsResolverError(t *testing.T) {
	a := newParty(t, entA)
	_, err := Verify(mustSign(t, payloadFor(entA), a), newDirectory().resolve, t0, Options{})
	if !errors.Is(err, ErrUntrustedKey) || !errors.Is(err, errNoKey) {
		t.Fatalf("err = %v, want ErrUntrustedKey wrapping the resolver's error", err)
	}
}

func TestCheckSuccessor(t *testing.T) {
	p1 := payloadFor(entA)
	raw1 := []byte(`{"any":"bytes of version 1"}`)
	next := func(mod func(*Payload)) Payload {
		p := payloadFor(entA)
		p.Ver, p.Prev, p.Jti = 2, PayloadHash(raw1), "01JNRX3ZQ8M6T7V9W2Y4B5C6D9"
		if mod != nil {
			mod(&p)
		}
		return p
	}
	tests := []struct {
		name string
		next Payload
		ok   bool
	}{
		{"newer version with the right prev", next(nil), true},
		{"same version again", next(func(p *Payload) { p.Ver = 1 }), false},
		{"older version after a newer one", next(func(p *Payload) { p.Ver = 0 }), false},
		{"prev does not match", next(func(p *Payload) { p.Prev = PayloadHash([]byte("other")) }), false},
		{"prev missing", next(func(p *Payload) { p.Prev = "" }), false},
		{"another object", next(func(p *Payload) { p.Sub = entA + "/objects/OTHER" }), false},
		{"another issuer", next(func(p *Payload) { p.Iss = entB }), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSuccessor(raw1, p1, tc.next)
			if tc.ok && err != nil || !tc.ok && !errors.Is(err, ErrRollback) {
				t.Fatalf("CheckSuccessor = %v, ok want %v", err, tc.ok)
			}
		})
	}
}
