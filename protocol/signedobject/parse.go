package signedobject

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

const (
	// DefaultMaxBytes is the size cap Verify applies when Options.MaxBytes
	// is zero.
	DefaultMaxBytes = 1 << 20
	// MaxSignatures is the most signatures (and cosigners) an object has.
	MaxSignatures = 8
	// MaxKidLen is the longest kid accepted.
	MaxKidLen = 128
)

// message is a parsed JWS whose structure and header rules were checked;
// no signature has been verified.
type message struct {
	payloadB64 string
	payload    []byte
	sigs       []parsedSig
}

type parsedSig struct {
	protectedB64 string
	header       map[string]json.RawMessage // unprotected, as received
	signatureB64 string
	sig          []byte
	kid          string
	signer       string // the protected iss header
	iat          int64  // the protected iat header: when this signature was made (0: the payload's iat)
}

// rawEnvelope is the general JSON serialization as decoded strictly (its
// shape is envelopeShape): any other member, a flattened JWS's
// protected/header/signature or a name in another case, is refused.
type rawEnvelope struct {
	Payload    *string  `json:"payload"`
	Signatures []rawSig `json:"signatures"`
}

type rawSig struct {
	Protected *string                    `json:"protected"`
	Header    map[string]json.RawMessage `json:"header"`
	Signature *string                    `json:"signature"`
}

// bannedHeaders name keys or certificates by reference or by value: a
// receiver must fetch nothing and trust no key the message brings itself.
var bannedHeaders = [...]string{"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256"}

// protectedOnly may appear only in the protected header.
var protectedOnly = [...]string{"alg", "kid", "typ", "iss", "iat", "crit", "b64"}

// parseMessage checks, cheapest first, the size, the strict JSON, the
// envelope and the header rules of every signature.
func parseMessage(jws []byte, maxBytes int) (*message, error) {
	var env rawEnvelope
	if err := decodeEnvelope(jws, &env, maxBytes); err != nil {
		if e, ok := err.(*strictjson.Error); ok && e.Rule == strictjson.TooLarge {
			return nil, fmt.Errorf("signedobject: %w: %d bytes, limit %d", ErrTooLarge, len(jws), maxBytes)
		}
		return nil, fmt.Errorf("signedobject: %w: not a general JSON serialization: %w", ErrMalformed, err)
	}
	if env.Payload == nil || env.Signatures == nil {
		return nil, fmt.Errorf("signedobject: %w: payload and signatures are required", ErrMalformed)
	}
	if n := len(env.Signatures); n == 0 || n > MaxSignatures {
		return nil, fmt.Errorf("signedobject: %w: %d signatures, want 1 to %d", ErrTooManySignatures, n, MaxSignatures)
	}
	payload, err := jose.DecodeB64(*env.Payload)
	if err != nil {
		return nil, fmt.Errorf("signedobject: payload: %w: %w", ErrMalformed, err)
	}
	msg := &message{payloadB64: *env.Payload, payload: payload, sigs: make([]parsedSig, 0, len(env.Signatures))}
	for i, rs := range env.Signatures {
		ps, err := parseSig(rs)
		if err != nil {
			return nil, fmt.Errorf("signedobject: signatures[%d]: %w", i, err)
		}
		for _, o := range msg.sigs {
			if o.signer == ps.signer {
				return nil, fmt.Errorf("signedobject: signatures[%d]: %w: %q", i, ErrDuplicateSigner, ps.signer)
			}
		}
		msg.sigs = append(msg.sigs, ps)
	}
	return msg, nil
}

// parseSig applies the header rules to one signature.
func parseSig(rs rawSig) (parsedSig, error) {
	if rs.Protected == nil || *rs.Protected == "" {
		return parsedSig{}, fmt.Errorf("%w: no protected header", ErrHeader)
	}
	if rs.Signature == nil {
		return parsedSig{}, fmt.Errorf("%w: no signature member", ErrMalformed)
	}
	hdrJSON, err := jose.DecodeB64(*rs.Protected)
	if err != nil {
		return parsedSig{}, fmt.Errorf("protected header: %w: %w", ErrMalformed, err)
	}
	prot, err := decodeHeader(hdrJSON)
	if err != nil {
		return parsedSig{}, fmt.Errorf("protected header: %w: %w", ErrMalformed, err)
	}
	if prot == nil {
		return parsedSig{}, fmt.Errorf("%w: protected header is null", ErrHeader)
	}
	if alg, ok := jose.StringMember(prot, "alg"); !ok || alg != "EdDSA" {
		return parsedSig{}, fmt.Errorf("%w: alg %s, want \"EdDSA\"", ErrAlgorithm, jose.ShowMember(prot, "alg"))
	}
	for _, name := range bannedHeaders {
		if _, ok := prot[name]; ok {
			return parsedSig{}, fmt.Errorf("%w: %q in the protected header (keys are never taken from the message)", ErrHeader, name)
		}
		if _, ok := rs.Header[name]; ok {
			return parsedSig{}, fmt.Errorf("%w: %q in the unprotected header (keys are never taken from the message)", ErrHeader, name)
		}
	}
	for name := range rs.Header {
		if _, ok := prot[name]; ok {
			return parsedSig{}, fmt.Errorf("%w: unprotected header repeats protected member %q", ErrHeader, name)
		}
	}
	for _, name := range protectedOnly {
		if _, ok := rs.Header[name]; ok {
			return parsedSig{}, fmt.Errorf("%w: %q must be in the protected header", ErrHeader, name)
		}
	}
	if _, ok := prot["crit"]; ok {
		return parsedSig{}, fmt.Errorf("%w: crit %s names extensions this node does not implement", ErrHeader, jose.ShowMember(prot, "crit"))
	}
	for name, v := range prot {
		switch name {
		case "alg", "kid", "typ", "iss":
		case "iat":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n <= 0 {
				return parsedSig{}, fmt.Errorf("%w: iat %s must be a positive integer (Unix seconds)", ErrHeader, jose.ShowMember(prot, "iat"))
			}
		case "b64":
			if string(v) != "true" {
				return parsedSig{}, fmt.Errorf("%w: b64 %s (unencoded payloads are refused)", ErrHeader, v)
			}
		default:
			return parsedSig{}, fmt.Errorf("%w: unsupported protected header member %q", ErrHeader, name)
		}
	}
	kid, ok := jose.StringMember(prot, "kid")
	if !ok || kid == "" || len(kid) > MaxKidLen || !jose.TokenChars(kid) {
		return parsedSig{}, fmt.Errorf("%w: kid %s must be 1 to %d characters of [A-Za-z0-9_-]", ErrKid, jose.ShowMember(prot, "kid"), MaxKidLen)
	}
	if typ, ok := jose.StringMember(prot, "typ"); !ok || !isOurType(typ) {
		return parsedSig{}, fmt.Errorf("%w: typ %s, want %q", ErrType, jose.ShowMember(prot, "typ"), Type)
	}
	signer, ok := jose.StringMember(prot, "iss")
	if !ok || signer == "" {
		return parsedSig{}, fmt.Errorf("%w: protected iss (the signer's entity id) is missing", ErrHeader)
	}
	sig, err := jose.DecodeB64(*rs.Signature)
	if err != nil {
		return parsedSig{}, fmt.Errorf("signature: %w: %w", ErrMalformed, err)
	}
	var iat int64
	if v, ok := prot["iat"]; ok {
		iat, _ = strconv.ParseInt(string(v), 10, 64) // checked above
	}
	return parsedSig{
		iat:          iat,
		protectedB64: *rs.Protected,
		header:       rs.Header,
		signatureB64: *rs.Signature,
		sig:          sig,
		kid:          kid,
		signer:       signer,
	}, nil
}

// isOurType compares typ with Type as RFC 7515 §4.1.9 allows: case
// insensitively, with or without the "application/" prefix.
func isOurType(typ string) bool {
	if len(typ) > len("application/") && strings.EqualFold(typ[:len("application/")], "application/") {
		typ = typ[len("application/"):]
	}
	return strings.EqualFold(typ, Type)
}
