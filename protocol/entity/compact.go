package entity

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// compact is a compact JWS whose header rules were checked; its signature
// has not been verified.
type compact struct {
	kid          string
	claims       []byte // the decoded payload
	signingInput []byte // ASCII(protected) '.' ASCII(payload), a slice of the input
	sig          []byte

	// verified is the key the signature last verified with: checking the
	// same signature with the same key again (an EC checked with its own
	// keys, then with those its superior lists) skips the Ed25519 work.
	verified atomic.Pointer[ed25519.PublicKey]
}

// header is the protected header this package writes, in this order.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// bannedHeaders name keys or certificates by reference or by value, or
// change how the JWS is processed: refused by name, fetching nothing.
var bannedHeaders = [...]string{"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256", "crit", "b64"}

// parseCompact checks, cheapest first, the size, the three parts and the
// header rules (alg EdDSA, a kid, typ wantTyp, nothing else).
func parseCompact(raw []byte, wantTyp string) (*compact, error) {
	if len(raw) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), MaxBytes)
	}
	first := bytes.IndexByte(raw, '.')
	last := bytes.LastIndexByte(raw, '.')
	if first < 0 || first == last || bytes.IndexByte(raw[first+1:last], '.') >= 0 {
		return nil, fmt.Errorf("%w: not a compact JWS of three parts", ErrMalformed)
	}
	hdrB64, payB64, sigB64 := raw[:first], raw[first+1:last], raw[last+1:]
	hdrJSON, err := jose.DecodeB64(hdrB64)
	if err != nil {
		return nil, fmt.Errorf("%w: protected header: %v", ErrMalformed, err)
	}
	var hdr map[string]json.RawMessage
	if err := strictjson.Decode(hdrJSON, &hdr, strictOptions); err != nil {
		return nil, fmt.Errorf("%w: protected header: %v", ErrMalformed, err)
	}
	if hdr == nil {
		return nil, fmt.Errorf("%w: protected header is not a JSON object", ErrMalformed)
	}
	if alg, ok := jose.StringMember(hdr, "alg"); !ok || alg != "EdDSA" {
		return nil, fmt.Errorf("%w: alg %s, want \"EdDSA\"", ErrAlgorithm, jose.ShowMember(hdr, "alg"))
	}
	for _, name := range bannedHeaders {
		if _, ok := hdr[name]; ok {
			return nil, fmt.Errorf("%w: %q in the protected header (keys are never taken from a statement, and no extension is understood)", ErrHeader, name)
		}
	}
	for name := range hdr {
		if name != "alg" && name != "kid" && name != "typ" {
			return nil, fmt.Errorf("%w: unsupported protected header member %q", ErrHeader, jose.Shorten(name))
		}
	}
	kid, ok := jose.StringMember(hdr, "kid")
	if !ok || kid == "" || len(kid) > MaxKidLen || !jose.TokenChars(kid) {
		return nil, fmt.Errorf("%w: kid %s must be 1 to %d characters of [A-Za-z0-9_-]", ErrKid, jose.ShowMember(hdr, "kid"), MaxKidLen)
	}
	if typ, ok := jose.StringMember(hdr, "typ"); !ok || !isType(typ, wantTyp) {
		return nil, fmt.Errorf("%w: typ %s, want %q", ErrType, jose.ShowMember(hdr, "typ"), wantTyp)
	}
	claims, err := jose.DecodeB64(payB64)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	sig, err := jose.DecodeB64(sigB64)
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrMalformed, err)
	}
	return &compact{kid: kid, claims: claims, signingInput: raw[:last:last], sig: sig}, nil
}

// strictOptions are the limits of the strict JSON decoder for headers and
// claims (whose size MaxBytes already caps): nesting at most
// strictjson.DefaultMaxDepth, as protocol.MaxJSONDepth; members no field
// names are skipped (OpenID Federation lets statements carry claims and
// metadata a reader does not know).
var strictOptions = strictjson.Options{MaxDepth: strictjson.DefaultMaxDepth, IgnoreUnknown: true}

// decodeClaims decodes the claims data, a JSON object, into v (a pointer to
// a struct) with strictjson: one value, valid UTF-8, no duplicate keys, no
// deeper nesting than allowed, values of the fields' JSON types; members
// fill the fields whose JSON names they match exactly, at every depth
// (encoding/json alone would also fill a field from a member named in
// another case, "ISS" for "iss", which would let two readers of the same
// bytes disagree); the others are skipped.
func decodeClaims(data []byte, v any) error {
	if err := strictjson.Decode(data, v, strictOptions); err != nil {
		return claimsError(err)
	}
	if strictjson.IsNull(data) {
		return errors.New("claims are not a JSON object")
	}
	return nil
}

// scalarArrays names the arrays of each scalar JSON type.
var scalarArrays = map[string]string{
	"string": "strings", "boolean": "booleans", "number in range": "numbers",
	"integer in range": "integers", "non-negative integer in range": "integers",
}

// claimsError words a strictjson failure as this package always has: a
// string or number of the wrong type inside an array of them is the
// array's failure ("constraints.naming_constraints.permitted: must be a
// JSON array of strings"); anything else is strictjson's own words
// ("jwks.keys[0]: must be a JSON object, not number").
func claimsError(err error) error {
	var e *strictjson.Error
	if !errors.As(err, &e) || e.Rule != strictjson.WrongType || !strings.HasSuffix(e.Path, "]") {
		return err
	}
	elems, scalar := scalarArrays[e.Want]
	if !scalar {
		return err
	}
	array := e.Path[:strings.LastIndexByte(e.Path, '[')]
	return fmt.Errorf("%s: must be a JSON array of %s (%w)", array, elems, e)
}

// verify checks c's signature with the key of keys whose kid is c.kid.
func (c *compact) verify(keys []JWK) error {
	k, ok := FindKey(keys, c.kid)
	if !ok {
		return fmt.Errorf("%w: kid %q is not among the %d keys given", ErrUnknownKey, c.kid, len(keys))
	}
	pub, err := k.PublicKey()
	if err != nil {
		return err
	}
	if v := c.verified.Load(); v != nil && v.Equal(pub) {
		return nil
	}
	if len(c.sig) != ed25519.SignatureSize || !ed25519.Verify(pub, c.signingInput, c.sig) {
		return fmt.Errorf("%w: kid %q", ErrBadSignature, c.kid)
	}
	c.verified.Store(&pub)
	return nil
}

// signCompact serialises claims and signs them with key under typ.
func signCompact(claims any, typ string, key ed25519.PrivateKey) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: private key has %d bytes, want %d", ErrInvalidClaims, len(key), ed25519.PrivateKeySize)
	}
	hdr, err := json.Marshal(header{Alg: "EdDSA", Kid: jose.Thumbprint(key.Public().(ed25519.PublicKey)), Typ: typ})
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	pay, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("encode claims: %w", err)
	}
	hl, pl := b64.EncodedLen(len(hdr)), b64.EncodedLen(len(pay))
	out := make([]byte, hl+1+pl, hl+1+pl+1+b64.EncodedLen(ed25519.SignatureSize))
	b64.Encode(out, hdr)
	out[hl] = '.'
	b64.Encode(out[hl+1:], pay)
	sig := ed25519.Sign(key, out)
	out = append(out, '.')
	out = b64.AppendEncode(out, sig)
	if len(out) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(out), MaxBytes)
	}
	return out, nil
}

// isType compares typ with want as RFC 7515 §4.1.9 allows: case
// insensitively, with or without the "application/" prefix.
func isType(typ, want string) bool {
	const app = "application/"
	if len(typ) > len(app) && strings.EqualFold(typ[:len(app)], app) {
		typ = typ[len(app):]
	}
	return strings.EqualFold(typ, want)
}
