package signedobject

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// The clock of every fixture.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	entA = "https://comune.reggioemilia.example.it"
	entB = "https://zaragoza.example.es"
	entC = "https://varam.example.lv"
)

// party is a signer with deterministic keys (from its name).
type party struct {
	Signer
	pub ed25519.PublicKey
	kid string
}

func newParty(t testing.TB, entity string) party {
	t.Helper()
	seed := sha256.Sum256([]byte("jwsobj test key " + entity))
	key := ed25519.NewKeyFromSeed(seed[:])
	s := Signer{EntityID: entity, Key: key}
	kid, err := s.KeyID()
	if err != nil {
		t.Fatal(err)
	}
	return party{Signer: s, pub: key.Public().(ed25519.PublicKey), kid: kid}
}

// directory is a KeyResolver over known parties.
type directory map[string]party

func newDirectory(ps ...party) directory {
	d := directory{}
	for _, p := range ps {
		d[p.EntityID] = p
	}
	return d
}

var errNoKey = errors.New("test directory: no such key")

func (d directory) resolve(entity, kid string, _ time.Time) (ed25519.PublicKey, error) {
	p, ok := d[entity]
	if !ok || p.kid != kid {
		return nil, fmt.Errorf("%w: %s %s", errNoKey, entity, kid)
	}
	return p.pub, nil
}

// payloadFor is a valid payload issued by iss at t0, valid one day.
func payloadFor(iss string, cosigners ...string) Payload {
	if len(cosigners) == 0 {
		cosigners = []string{iss}
	}
	return Payload{
		Iss:       iss,
		Sub:       iss + "/objects/01JNRX3ZQ8M6T7V9W2Y4B5C6D7",
		Iat:       t0.Unix(),
		Exp:       t0.Add(24 * time.Hour).Unix(),
		Jti:       "01JNRX3ZQ8M6T7V9W2Y4B5C6D8",
		Ver:       1,
		Type:      "PublicService",
		Cosigners: cosigners,
		Body:      json.RawMessage(`{"title":{"en":"Waste collection booking","es":"Reserva de recogida de residuos","it":"Prenotazione ritiro rifiuti","lv":"Atkritumu izvešanas pieteikšana"}}`),
	}
}

// rawSigSpec describes one hand-made signature for craft.
type rawSigSpec struct {
	protected string             // raw protected header JSON ("" leaves the member out)
	header    string             // raw unprotected header JSON ("" leaves it out)
	key       ed25519.PrivateKey // signs; nil leaves signature empty
	signature *string            // overrides the signature value
	noProtKey bool               // omit "protected" entirely
}

// craft builds a general-serialization JWS by hand, for attacks Sign would
// never produce.
func craft(t testing.TB, payload []byte, sigs ...rawSigSpec) []byte {
	t.Helper()
	pb := b64.EncodeToString(payload)
	out := `{"payload":"` + pb + `","signatures":[`
	for i, s := range sigs {
		if i > 0 {
			out += ","
		}
		prot := b64.EncodeToString([]byte(s.protected))
		sig := ""
		if s.key != nil {
			sig = b64.EncodeToString(ed25519.Sign(s.key, signingInput(prot, pb)))
		}
		if s.signature != nil {
			sig = *s.signature
		}
		out += "{"
		if !s.noProtKey {
			out += `"protected":"` + prot + `",`
		}
		if s.header != "" {
			out += `"header":` + s.header + `,`
		}
		out += `"signature":"` + sig + `"}`
	}
	return []byte(out + "]}")
}

// hdr is the protected header Sign writes for p, as raw JSON.
func hdr(p party) string {
	return fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"typ":"interlink-object+jws","iss":%q}`, p.kid, p.EntityID)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSign(t testing.TB, p Payload, signers ...party) []byte {
	t.Helper()
	ss := make([]Signer, len(signers))
	for i, s := range signers {
		ss[i] = s.Signer
	}
	jws, err := Sign(p, ss...)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

// sentinels lists every reason Verify may give.
var sentinels = []error{
	ErrTooLarge, ErrMalformed, ErrAlgorithm, ErrHeader, ErrType, ErrKid,
	ErrTooManySignatures, ErrDuplicateSigner, ErrInvalidPayload, ErrUnknownSigner,
	ErrMissingCosigner, ErrUntrustedKey, ErrBadSignature, ErrExpired, ErrNotYetValid,
	ErrForgedOrigin,
}

// reasons returns the sentinels err wraps.
func reasons(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}
