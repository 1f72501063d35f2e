package entity

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// TestParseAttacks holds one fixture per header, algorithm and input attack
// of trust-threats.md §4 and §5 that applies to a statement, with the exact
// reason Parse gives.
func TestParseAttacks(t *testing.T) {
	key := testKey("leaf")
	kid := jose.Thumbprint(key.Public().(ed25519.PublicKey))
	claims := mustJSON(t, config(t, key))
	hdrWith := func(members string) string {
		return `{"alg":"EdDSA","kid":"` + kid + `","typ":"entity-statement+jwt"` + members + `}`
	}
	signed := func(hdr string) []byte { return craft(hdr, claims, key) }
	withClaims := func(raw string) []byte { return craft(stdHeader(key, Type), []byte(raw), key) }
	modified := func(mod func(*Statement)) []byte {
		st := config(t, key)
		mod(&st)
		return craft(stdHeader(key, Type), mustJSON(t, st), key)
	}
	hs256 := func() []byte {
		hdr := b64.EncodeToString([]byte(`{"alg":"HS256","kid":"` + kid + `","typ":"entity-statement+jwt"}`))
		in := hdr + "." + b64.EncodeToString(claims)
		m := hmac.New(sha256.New, key.Public().(ed25519.PublicKey))
		m.Write([]byte(in))
		return []byte(in + "." + b64.EncodeToString(m.Sum(nil)))
	}
	claimsStr := string(claims)
	deep := strings.Repeat(`{"x":`, 70) + `1` + strings.Repeat(`}`, 70)
	object, err := signedobject.Sign(signedobject.Payload{
		Iss: leafRE, Sub: leafRE + "/objects/01JNRX3ZQ8M6T7V9W2Y4B5C6D7", Iat: t0.Unix(), Exp: t0.Add(time.Hour).Unix(),
		Jti: "j1", Ver: 1, Type: "PublicService", Cosigners: []string{leafRE}, Body: []byte(`{}`),
	}, signedobject.Signer{EntityID: leafRE, Key: key})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		// §4 algorithm and header abuse
		{"alg none", craft(`{"alg":"none","kid":"`+kid+`","typ":"entity-statement+jwt"}`, claims, nil), ErrAlgorithm},
		{"HS256 keyed with the public key", hs256(), ErrAlgorithm},
		{"RS256 against an Ed25519 key", signed(`{"alg":"RS256","kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrAlgorithm},
		{"ES256", signed(`{"alg":"ES256","kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrAlgorithm},
		{"alg in lower case", signed(`{"alg":"eddsa","kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrAlgorithm},
		{"alg Ed25519 (RFC 9864 name)", signed(`{"alg":"Ed25519","kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrAlgorithm},
		{"alg missing", signed(`{"kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrAlgorithm},
		{"alg not a string", signed(`{"alg":["EdDSA"],"kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrAlgorithm},
		{"kid missing", signed(`{"alg":"EdDSA","typ":"entity-statement+jwt"}`), ErrKid},
		{"kid empty", signed(`{"alg":"EdDSA","kid":"","typ":"entity-statement+jwt"}`), ErrKid},
		{"kid with a path", signed(`{"alg":"EdDSA","kid":"../../etc/passwd","typ":"entity-statement+jwt"}`), ErrKid},
		{"kid with SQL", signed(`{"alg":"EdDSA","kid":"x' OR '1'='1","typ":"entity-statement+jwt"}`), ErrKid},
		{"kid too long", signed(`{"alg":"EdDSA","kid":"` + strings.Repeat("a", 129) + `","typ":"entity-statement+jwt"}`), ErrKid},
		{"kid not a string", signed(`{"alg":"EdDSA","kid":7,"typ":"entity-statement+jwt"}`), ErrKid},
		{"crit", signed(hdrWith(`,"crit":["exp"],"exp":1`)), ErrHeader},
		{"b64 false without crit", signed(hdrWith(`,"b64":false`)), ErrHeader},
		{"jku", signed(hdrWith(`,"jku":"https://evil.example/jwks"`)), ErrHeader},
		{"x5u", signed(hdrWith(`,"x5u":"https://evil.example/cert"`)), ErrHeader},
		{"jwk", signed(hdrWith(`,"jwk":{"kty":"OKP","crv":"Ed25519","x":"` + b64.EncodeToString(key.Public().(ed25519.PublicKey)) + `"}`)), ErrHeader},
		{"x5c", signed(hdrWith(`,"x5c":["MIIB"]`)), ErrHeader},
		{"x5t", signed(hdrWith(`,"x5t":"abc"`)), ErrHeader},
		{"unknown header member", signed(hdrWith(`,"iss":"` + leafRE + `"`)), ErrHeader},
		{"typ missing", signed(`{"alg":"EdDSA","kid":"` + kid + `"}`), ErrType},
		{"typ of an object JWS", signed(stdHeader(key, signedobject.Type)), ErrType},
		{"typ of a key list", signed(stdHeader(key, ListType)), ErrType},
		{"typ plain JWT", signed(stdHeader(key, "JWT")), ErrType},
		{"an object JWS in general JSON", object, ErrMalformed},
		{"duplicate header keys", signed(`{"alg":"EdDSA","alg":"none","kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrMalformed},
		{"header case variant", signed(`{"ALG":"none","alg":"EdDSA","kid":"` + kid + `","typ":"entity-statement+jwt"}`), ErrHeader},
		{"header not an object", signed(`["EdDSA"]`), ErrMalformed},
		{"header null", signed(`null`), ErrMalformed},

		// §5 oversized or malformed input
		{"over 64 KiB", withClaims(`{"x":"` + strings.Repeat("a", MaxBytes) + `"}`), ErrTooLarge},
		{"two parts", []byte("eyJhbGciOiJFZERTQSJ9.e30"), ErrMalformed},
		{"four parts", append(signed(stdHeader(key, Type)), ".x"...), ErrMalformed},
		{"empty", nil, ErrMalformed},
		{"padded base64", []byte(strings.Replace(string(signed(stdHeader(key, Type))), ".", "=.", 1)), ErrMalformed},
		{"line break in base64", []byte(strings.Replace(string(signed(stdHeader(key, Type))), ".", "\n.", 1)), ErrMalformed},
		{"duplicate claim keys", withClaims(strings.Replace(claimsStr, `{"iss":`, `{"iss":"https://evil.example","iss":`, 1)), ErrMalformed},
		{"duplicate keys in metadata", withClaims(strings.Replace(claimsStr, `"federation_entity":{`, `"federation_entity":{"role":"anchor",`, 1)), ErrMalformed},
		{"nesting deeper than 64", withClaims(strings.Replace(claimsStr, `{"iss":`, `{"extra":`+deep+`,"iss":`, 1)), ErrMalformed},
		{"invalid UTF-8", withClaims(strings.Replace(claimsStr, "Comune", "Com\xffune", 1)), ErrMalformed},
		{"huge number", withClaims(strings.Replace(claimsStr, `"iat":`, `"iat":1e400,"x":`, 1)), ErrMalformed},
		{"fractional iat", withClaims(strings.Replace(claimsStr, `"iat":`, `"iat":1.5,"x":`, 1)), ErrMalformed},
		{"iss a number", withClaims(strings.Replace(claimsStr, `"iss":"`+leafRE+`"`, `"iss":7`, 1)), ErrMalformed},
		{"claims an array", withClaims(`[1]`), ErrMalformed},
		{"claims null", withClaims(`null`), ErrMalformed},
		{"trailing data", withClaims(claimsStr + `{}`), ErrMalformed},
		{"claims not JSON", withClaims(`{"iss":`), ErrMalformed},

		// claims
		{"upper-case ISS only is not iss", withClaims(strings.Replace(claimsStr, `"iss":`, `"ISS":`, 1)), ErrInvalidClaims},
		{"5 authority hints", modified(func(s *Statement) {
			s.AuthorityHints = []string{"https://a1.example", "https://a2.example", "https://a3.example", "https://a4.example", "https://a5.example"}
		}), ErrInvalidClaims},
		{"repeated authority hint", modified(func(s *Statement) { s.AuthorityHints = []string{anchorIT, anchorIT} }), ErrInvalidClaims},
		{"authority hint to itself", modified(func(s *Statement) { s.AuthorityHints = []string{leafRE} }), ErrInvalidClaims},
		{"authority hint not http(s)", modified(func(s *Statement) { s.AuthorityHints = []string{"file:///etc/passwd"} }), ErrInvalidClaims},
		{"authority hints in a subordinate statement", modified(func(s *Statement) { s.Iss = anchorIT }), ErrInvalidClaims},
		{"iss gopher", modified(func(s *Statement) { s.Iss = "gopher://x.example" }), ErrInvalidClaims},
		{"sub with user info", modified(func(s *Statement) { s.Sub = "https://anchor.example.it@evil.example" }), ErrInvalidClaims},
		{"sub with a query", modified(func(s *Statement) { s.Sub = leafRE + "?a=b" }), ErrInvalidClaims},
		{"sub with a fragment", modified(func(s *Statement) { s.Sub = leafRE + "#a" }), ErrInvalidClaims},
		{"exp before iat", modified(func(s *Statement) { s.Exp = s.Iat }), ErrInvalidClaims},
		{"no jwks", modified(func(s *Statement) { s.JWKS = nil }), ErrInvalidClaims},
		{"jwks kid not the thumbprint", modified(func(s *Statement) { s.JWKS.Keys[0].Kid = "abc" }), ErrInvalidClaims},
		{"jwks RSA key", modified(func(s *Statement) { s.JWKS.Keys[0].Kty = "RSA" }), ErrInvalidClaims},
		{"jwks key twice", modified(func(s *Statement) { s.JWKS.Keys = append(s.JWKS.Keys, s.JWKS.Keys[0]) }), ErrInvalidClaims},
		{"revoked_at in an entity configuration", modified(func(s *Statement) { s.RevokedAt = t0.Unix() }), ErrInvalidClaims},
		{"country in lower case", modified(func(s *Statement) { s.Metadata.FederationEntity.Country = "it" }), ErrInvalidClaims},
		{"unknown org_kind", modified(func(s *Statement) { s.Metadata.FederationEntity.OrgKind = "government" }), ErrInvalidClaims},
		{"fetch endpoint file URL", modified(func(s *Statement) { s.Metadata.FederationEntity.FetchEndpoint = "file:///etc/passwd" }), ErrInvalidClaims},
		{"content key with a bad kid", modified(func(s *Statement) { s.Metadata.InterlinkNode.ContentKeys[0].Kid = "x" }), ErrInvalidClaims},
		{"naming entry in upper case", modified(func(s *Statement) {
			s.Constraints = &Constraints{NamingConstraints: &NamingConstraints{Permitted: []string{".GOV.IT"}}}
		}), ErrInvalidClaims},
		{"naming entry with a trailing dot", modified(func(s *Statement) {
			s.Constraints = &Constraints{NamingConstraints: &NamingConstraints{Excluded: []string{"bad.gov.it."}}}
		}), ErrInvalidClaims},
		{"negative max_path_length", modified(func(s *Statement) { m := -1; s.Constraints = &Constraints{MaxPathLength: &m} }), ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.raw)
			if p != nil && err != nil {
				t.Fatal("a result with an error")
			}
			wantReason(t, err, tc.want)
		})
	}
}

// TestParseAccepts covers what strict parsing must still let through.
func TestParseAccepts(t *testing.T) {
	key := testKey("leaf")
	claims := string(mustJSON(t, config(t, key)))
	tests := []struct {
		name   string
		claims string
		hdr    string
		check  func(*testing.T, *Parsed)
	}{
		{name: "as signed", claims: claims},
		{name: "unknown claims ignored", claims: strings.Replace(claims, `{"iss":`, `{"trust_marks":[{"id":"x"}],"metadata_policy":{},"iss":`, 1)},
		{name: "unknown metadata ignored", claims: strings.Replace(claims, `"metadata":{`, `"metadata":{"openid_provider":{"issuer":"x"},`, 1)},
		{name: "case variant of a claim ignored", claims: strings.Replace(claims, `{"iss":`, `{"ISS":"https://evil.example","iss":`, 1), check: func(t *testing.T, p *Parsed) {
			if p.Statement.Iss != leafRE {
				t.Fatalf("iss %q", p.Statement.Iss)
			}
		}},
		{name: "case variant in metadata ignored", claims: strings.Replace(claims, `"federation_entity":{`, `"federation_entity":{"ROLE":"anchor",`, 1), check: func(t *testing.T, p *Parsed) {
			if p.Statement.Metadata.FederationEntity.Role != "leaf" {
				t.Fatalf("role %q", p.Statement.Metadata.FederationEntity.Role)
			}
		}},
		{name: "typ with the application/ prefix", claims: claims, hdr: stdHeader(key, "application/"+Type)},
		{name: "null optional claims", claims: strings.Replace(claims, `{"iss":`, `{"constraints":null,"iss":`, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := tc.hdr
			if hdr == "" {
				hdr = stdHeader(key, Type)
			}
			raw := craft(hdr, []byte(tc.claims), key)
			p, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.VerifySelf(t0, time.Minute); err != nil {
				t.Fatal(err)
			}
			if string(p.Raw) != string(raw) {
				t.Fatal("Raw is not the input")
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

// TestVerify checks signature, key lookup and the clock.
func TestVerify(t *testing.T) {
	leafKey, anchorKey, other := testKey("leaf"), testKey("anchor"), testKey("other")
	ec := mustSign(t, config(t, leafKey), leafKey)
	stmt := mustSign(t, subordinate(t, leafKey), anchorKey)
	tampered := func() []byte {
		st := subordinate(t, other) // lists another key for the leaf
		good := mustSign(t, subordinate(t, leafKey), anchorKey)
		forged := craft(stdHeader(anchorKey, Type), mustJSON(t, st), nil)
		return append(forged, good[strings.LastIndexByte(string(good), '.')+1:]...)
	}
	badKid := mustJWK(t, anchorKey)
	badKid.X = mustJWK(t, other).X // kid of anchorKey, key of other
	exp := t0.Add(24 * time.Hour)
	tests := []struct {
		name string
		raw  []byte
		keys []JWK
		self bool
		now  time.Time
		want error
	}{
		{name: "subordinate statement", raw: stmt, keys: []JWK{mustJWK(t, anchorKey)}, now: t0},
		{name: "among several keys", raw: stmt, keys: []JWK{mustJWK(t, other), mustJWK(t, anchorKey)}, now: t0},
		{name: "self-signed configuration", raw: ec, self: true, now: t0},
		{name: "unknown key", raw: stmt, keys: []JWK{mustJWK(t, other)}, now: t0, want: ErrUnknownKey},
		{name: "no keys", raw: stmt, now: t0, want: ErrUnknownKey},
		{name: "kid of one key, x of another", raw: stmt, keys: []JWK{badKid}, now: t0, want: ErrKid},
		{name: "claims altered after signing", raw: tampered(), keys: []JWK{mustJWK(t, anchorKey)}, now: t0, want: ErrBadSignature},
		{name: "signed by another key under the right kid", raw: craft(stdHeader(anchorKey, Type), mustJSON(t, subordinate(t, leafKey)), other), keys: []JWK{mustJWK(t, anchorKey)}, now: t0, want: ErrBadSignature},
		{name: "empty signature", raw: craft(stdHeader(anchorKey, Type), mustJSON(t, subordinate(t, leafKey)), nil), keys: []JWK{mustJWK(t, anchorKey)}, now: t0, want: ErrBadSignature},
		{name: "one second before exp", raw: stmt, keys: []JWK{mustJWK(t, anchorKey)}, now: exp.Add(-time.Second)},
		{name: "at exp", raw: stmt, keys: []JWK{mustJWK(t, anchorKey)}, now: exp, want: ErrExpired},
		{name: "expired configuration", raw: ec, self: true, now: exp.Add(time.Hour), want: ErrExpired},
		{name: "iat within skew", raw: stmt, keys: []JWK{mustJWK(t, anchorKey)}, now: t0.Add(-time.Minute)},
		{name: "iat beyond skew", raw: stmt, keys: []JWK{mustJWK(t, anchorKey)}, now: t0.Add(-time.Minute - time.Second), want: ErrNotYetValid},
		{name: "VerifySelf on a subordinate statement", raw: stmt, self: true, now: t0, want: ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if tc.self {
				err = p.VerifySelf(tc.now, time.Minute)
			} else {
				err = p.Verify(tc.keys, tc.now, time.Minute)
			}
			wantReason(t, err, tc.want)
		})
	}
}
