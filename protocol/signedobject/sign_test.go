package signedobject

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"slices"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

func TestRoundTripMultilingual(t *testing.T) {
	a := newParty(t, entA)
	p := payloadFor(entA)
	p.Ver, p.Prev = 3, PayloadHash([]byte("v2"))
	p.Body = json.RawMessage(`{"title":{"en":"Citizen participation survey","es":"Encuesta de participación ciudadana","it":"Questionario sulla partecipazione civica — è così","lv":"Iedzīvotāju līdzdalības aptauja: ķēniņš, ģimene, ūdens"}}`)
	jwsBytes := mustSign(t, p, a)
	want, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(jwsBytes, newDirectory(a).resolve, t0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(v.Raw, want) {
		t.Errorf("Raw = %s\nwant the signed bytes %s", v.Raw, want)
	}
	if !bytes.Equal(v.Payload.Body, p.Body) || v.Payload.Sub != p.Sub || v.Payload.Ver != 3 || v.Payload.Prev != p.Prev || !slices.Equal(v.Signers, []string{entA}) {
		t.Errorf("payload %+v, signers %v", v.Payload, v.Signers)
	}
	var body struct{ Title map[string]string }
	if err := json.Unmarshal(v.Payload.Body, &body); err != nil || body.Title["lv"] != "Iedzīvotāju līdzdalības aptauja: ķēniņš, ģimene, ūdens" {
		t.Errorf("body = %+v, %v", body, err)
	}
}

func TestCoSigning(t *testing.T) {
	a, b, c := newParty(t, entA), newParty(t, entB), newParty(t, entC)
	dir := newDirectory(a, b, c)
	for _, parties := range [][]party{{a, b}, {a, b, c}} {
		ids := make([]string, len(parties))
		for i, p := range parties {
			ids[i] = p.EntityID
		}
		p := payloadFor(entA, ids...)
		t.Run(string(rune('0'+len(parties)))+" parties", func(t *testing.T) {
			// The origin signs; each co-producer adds its signature.
			doc := mustSign(t, p, a)
			for i, q := range parties[1:] {
				if _, err := Verify(doc, dir.resolve, t0, Options{}); !errors.Is(err, ErrMissingCosigner) {
					t.Fatalf("with %d of %d signatures: %v, want ErrMissingCosigner", i+1, len(parties), err)
				}
				next, err := AddSignature(doc, q.Signer)
				if err != nil {
					t.Fatal(err)
				}
				doc = next
			}
			v, err := Verify(doc, dir.resolve, t0, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(v.Signers, ids) {
				t.Errorf("signers %v, want %v", v.Signers, ids)
			}
			// All at once gives the same payload bytes.
			all := mustSign(t, p, parties...)
			v2, err := Verify(all, dir.resolve, t0, Options{})
			if err != nil || !bytes.Equal(v2.Raw, v.Raw) {
				t.Fatalf("Sign with all: %v, same raw %v", err, err == nil && bytes.Equal(v2.Raw, v.Raw))
			}
			// Each signature on its own verifies with jwx (interoperability),
			// and jwx's Verify accepts the document when any one key is given:
			// the reason Verify checks every signature itself.
			for _, q := range parties {
				got, err := jws.Verify(doc, jws.WithKey(jwa.EdDSA(), q.pub))
				if err != nil || !bytes.Equal(got, v.Raw) {
					t.Errorf("jwx verify with %s: %v", q.EntityID, err)
				}
			}
			// Stripping the last signature is refused.
			m, err := parseMessage(doc, DefaultMaxBytes)
			if err != nil {
				t.Fatal(err)
			}
			stripped := envelope{Payload: m.payloadB64}
			for _, s := range m.sigs[:len(m.sigs)-1] {
				stripped.Signatures = append(stripped.Signatures, signature{Protected: s.protectedB64, Signature: s.signatureB64})
			}
			if _, err := Verify(mustJSON(t, stripped), dir.resolve, t0, Options{}); !errors.Is(err, ErrMissingCosigner) {
				t.Errorf("stripped: %v, want ErrMissingCosigner", err)
			}
			// A forged last signature is refused although jwx accepts the
			// document with the first signer's key.
			forged := stripped
			forged.Signatures = append(slices.Clone(stripped.Signatures), signature{Protected: m.sigs[len(m.sigs)-1].protectedB64, Signature: b64.EncodeToString(make([]byte, ed25519.SignatureSize))})
			fb := mustJSON(t, forged)
			if _, err := jws.Verify(fb, jws.WithKey(jwa.EdDSA(), a.pub)); err != nil {
				t.Errorf("jwx refused the document with one valid signature (%v): the premise changed", err)
			}
			if _, err := Verify(fb, dir.resolve, t0, Options{}); !errors.Is(err, ErrBadSignature) {
				t.Errorf("forged cosigner: %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestSignRefusals(t *testing.T) {
	a, b, c := newParty(t, entA), newParty(t, entB), newParty(t, entC)
	pAB := payloadFor(entA, entA, entB)
	if _, err := Sign(pAB, a.Signer, c.Signer); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("signer not listed: %v", err)
	}
	if _, err := Sign(pAB, a.Signer, a.Signer); !errors.Is(err, ErrDuplicateSigner) {
		t.Errorf("duplicate signer: %v", err)
	}
	if _, err := Sign(pAB); err == nil {
		t.Error("no signers: accepted")
	}
	bad := pAB
	bad.Ver = 0
	if _, err := Sign(bad, a.Signer); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("invalid payload: %v", err)
	}
	if _, err := Sign(pAB, Signer{EntityID: entA, Key: ed25519.PrivateKey{1, 2}}); err == nil {
		t.Error("short key: accepted")
	}
	doc := mustSign(t, pAB, a)
	if _, err := AddSignature(doc, a.Signer); !errors.Is(err, ErrDuplicateSigner) {
		t.Errorf("add twice: %v", err)
	}
	if _, err := AddSignature(doc, c.Signer); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("add unlisted: %v", err)
	}
	if _, err := AddSignature([]byte(`{"payload":"e30"}`), b.Signer); !errors.Is(err, ErrMalformed) {
		t.Errorf("add to malformed: %v", err)
	}
}

func TestThumbprintMatchesJWX(t *testing.T) {
	for i := range 20 {
		p := newParty(t, entA+"/"+string(rune('a'+i)))
		want, err := Thumbprint(p.pub)
		if err != nil {
			t.Fatal(err)
		}
		if got := jose.Thumbprint(p.pub); got != want || p.kid != want {
			t.Fatalf("thumbprint %s, jwx %s, kid %s", got, want, p.kid)
		}
	}
	// RFC 8037 appendix A.3.
	pub, _ := b64.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	if got := jose.Thumbprint(pub); got != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Errorf("RFC 8037 thumbprint = %s", got)
	}
}

// signingInputSink keeps signingInput's result on the heap, as on the verify
// path.
var signingInputSink []byte

// TestSigningInputAllocatesOnce: the signing input is built in one buffer
// of its exact size (it is built once per signature on the verify path).
func TestSigningInputAllocatesOnce(t *testing.T) {
	tests := []struct {
		name, prot, payload string
	}{
		{"payload longer than the header", "eyJhbGciOiJFZERTQSJ9", b64.EncodeToString(mustJSON(t, payloadFor(entA)))},
		{"header longer than the payload", b64.EncodeToString([]byte(hdr(newParty(t, entA)))), "e30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.prot + "." + tc.payload
			if got := string(signingInput(tc.prot, tc.payload)); got != want {
				t.Fatalf("signingInput = %q, want %q", got, want)
			}
			if n := testing.AllocsPerRun(20, func() { signingInputSink = signingInput(tc.prot, tc.payload) }); n != 1 {
				t.Errorf("signingInput allocates %v times, want 1", n)
			}
		})
	}
}
