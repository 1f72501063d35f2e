package federation

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/jose"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// The errors below are made by the code that makes them in the node: the
// object's by signedobject.Verify, a statement's by entity.Parse and
// Verify, a key's by entity.JWK.ValidAt. What only the trust layers add
// around them (trustchain's walk, trust.VerifyObject's "unverified") is
// wrapped here with their own format strings (protocol/trustchain/walk.go
// fail, federation/trust/objects.go verifyObject).

var tpNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	tpSigner = "https://comune.example.it"
	tpAnchor = "https://anchor.example.it"
)

func tpKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func tpJWK(t *testing.T, key ed25519.PrivateKey) entity.JWK {
	t.Helper()
	k, err := entity.NewJWK(key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tpStatementErr is the error entity gives for the anchor's statement
// about the signer: "badsig" (its signature altered), "expired",
// "early" (not yet valid) or "malformed".
func tpStatementErr(t *testing.T, fault string) error {
	t.Helper()
	anchorKey := tpKey("anchor")
	st := entity.Statement{Iss: tpAnchor, Sub: tpSigner, Iat: tpNow.Unix(), Exp: tpNow.Add(24 * time.Hour).Unix(),
		JWKS: &entity.JWKS{Keys: []entity.JWK{tpJWK(t, tpKey("signer-federation"))}}}
	raw, err := entity.Sign(st, anchorKey)
	if err != nil {
		t.Fatal(err)
	}
	now := tpNow.Add(time.Minute)
	switch fault {
	case "badsig":
		sig := raw[strings.LastIndexByte(string(raw), '.')+1:]
		if sig[0] == 'A' { // another base64url letter: other first bits
			sig[0] = 'B'
		} else {
			sig[0] = 'A'
		}
	case "expired":
		now = tpNow.Add(25 * time.Hour)
	case "early":
		now = tpNow.Add(-time.Hour)
	case "malformed":
		raw = []byte("e30") // one part, not three
	}
	p, err := entity.Parse(raw)
	if err != nil {
		return err
	}
	if err := p.Verify([]entity.JWK{tpJWK(t, anchorKey)}, now, time.Minute); err != nil {
		return err
	}
	t.Fatalf("statement fault %q: no error", fault)
	return nil
}

// tpKeyErr is the error of a content key used after its retirement or
// revocation.
func tpKeyErr(t *testing.T, revoked bool) error {
	k := tpJWK(t, tpKey("signer-content"))
	if revoked {
		k.RevokedAt = tpNow.Add(-time.Hour).Unix()
	} else {
		k.RetiredAt = tpNow.Add(-time.Hour).Unix()
	}
	err := k.ValidAt(tpNow)
	if err == nil {
		t.Fatal("a retired or revoked key is valid")
	}
	return err
}

// tpChainErr wraps a statement's error as trustchain's walk does (fail:
// "trustchain: <leaf>: <link>: <reason>: <cause>").
func tpChainErr(reason, cause error) error {
	if reason == nil {
		return fmt.Errorf("trustchain: %s: statement by %s: %w", tpSigner, tpAnchor, cause)
	}
	return fmt.Errorf("trustchain: %s: statement by %s: %w: %w", tpSigner, tpAnchor, reason, cause)
}

// tpObject is a signed object by tpSigner, valid an hour from tpNow, and
// the resolver that knows its key.
func tpObject(t *testing.T) ([]byte, signedobject.KeyResolver) {
	t.Helper()
	key := tpKey("signer-content")
	p := signedobject.Payload{Iss: tpSigner, Sub: tpSigner + "/objects/01JQ0000000000000000000000", Iat: tpNow.Unix(),
		Exp: tpNow.Add(time.Hour).Unix(), Jti: "01JQ0000000000000000000001", Ver: 1, Type: "Interlinker",
		Cosigners: []string{tpSigner}, Body: json.RawMessage(`{"type":"Interlinker"}`)}
	jws, err := signedobject.Sign(p, signedobject.Signer{EntityID: tpSigner, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(ed25519.PublicKey)
	return jws, func(string, string, time.Time) (ed25519.PublicKey, error) { return pub, nil }
}

// tpVerify is signedobject.Verify's error for jws at now with resolve.
func tpVerify(t *testing.T, jws []byte, resolve signedobject.KeyResolver, now time.Time) error {
	t.Helper()
	_, err := signedobject.Verify(jws, resolve, now, signedobject.Options{})
	if err == nil {
		t.Fatal("the object verified")
	}
	return err
}

// untrusted is Verify's error for an object whose signer's key the
// resolver refuses with chainErr.
func untrusted(t *testing.T, chainErr error) error {
	jws, _ := tpObject(t)
	return tpVerify(t, jws, func(string, string, time.Time) (ed25519.PublicKey, error) { return nil, chainErr }, tpNow)
}

// unverified is the trust layer's refusal of a verified object whose
// signer has no chain (federation/trust/objects.go).
func unverified(chainErr error) error {
	return fmt.Errorf("trust: %s/objects/01JQ: %w: %w", tpSigner, trust.ErrUnverified, chainErr)
}

// TestTrustProblemFaultOwner: the object's own faults and its signer's
// chain's have one vocabulary (an expired statement and an expired object
// both wrap jose.ErrExpired), yet the inbox names whose fault it is: a
// chain's fault is the untrusted key (or the unverified signer), not the
// object's signature or expiry; a revocation names itself.
func TestTrustProblemFaultOwner(t *testing.T) {
	jws, resolve := tpObject(t)
	badSig := func() []byte {
		var env map[string]any
		if err := json.Unmarshal(jws, &env); err != nil {
			t.Fatal(err)
		}
		sig := env["signatures"].([]any)[0].(map[string]any)
		b, _ := base64.RawURLEncoding.DecodeString(sig["signature"].(string))
		b[0] ^= 1
		sig["signature"] = base64.RawURLEncoding.EncodeToString(b)
		out, _ := json.Marshal(env)
		return out
	}()
	tests := []struct {
		name   string
		err    error
		status int
		want   string
	}{
		// The object's own faults.
		{"object signature", tpVerify(t, badSig, resolve, tpNow), http.StatusForbidden, "jws-bad-signature"},
		{"object expired", tpVerify(t, jws, resolve, tpNow.Add(2*time.Hour)), http.StatusForbidden, "jws-expired"},
		{"object not yet valid", tpVerify(t, jws, resolve, tpNow.Add(-time.Hour)), http.StatusForbidden, "jws-not-yet-valid"},
		{"object malformed", tpVerify(t, []byte(`{"payload":"e30"}`), resolve, tpNow), http.StatusBadRequest, "jws-malformed"},
		{"object too large", tpVerify(t, []byte(`{"payload":"`+strings.Repeat("A", signedobject.DefaultMaxBytes)+`"}`), resolve, tpNow), http.StatusRequestEntityTooLarge, "jws-too-large"},
		// The signer's chain's faults, wrapped in ErrUntrustedKey by Verify.
		{"statement signature", untrusted(t, tpChainErr(nil, tpStatementErr(t, "badsig"))), http.StatusForbidden, "jws-untrusted-key"},
		{"statement expired", untrusted(t, tpChainErr(trustchain.ErrExpired, tpStatementErr(t, "expired"))), http.StatusForbidden, "jws-untrusted-key"},
		{"statement not yet valid", untrusted(t, tpChainErr(nil, tpStatementErr(t, "early"))), http.StatusForbidden, "jws-untrusted-key"},
		{"statement malformed", untrusted(t, tpChainErr(nil, tpStatementErr(t, "malformed"))), http.StatusForbidden, "jws-untrusted-key"},
		{"no chain and no configuration", untrusted(t, fmt.Errorf("no trust chain (%w) and no valid entity configuration: %w",
			tpChainErr(nil, tpStatementErr(t, "badsig")), tpStatementErr(t, "expired"))), http.StatusForbidden, "jws-untrusted-key"},
		// Revocations win over the untrusted key, whatever else the chain says.
		{"key revoked", untrusted(t, tpKeyErr(t, true)), http.StatusForbidden, "key-revoked"},
		{"key retired", untrusted(t, tpKeyErr(t, false)), http.StatusForbidden, "key-retired"},
		{"signer revoked", untrusted(t, tpChainErr(trustchain.ErrRevoked, tpStatementErr(t, "expired"))), http.StatusForbidden, "signer-revoked"},
		// Verified, but the signer has no chain: the trust layer's refusal.
		{"unverified, statement expired", unverified(tpChainErr(trustchain.ErrExpired, tpStatementErr(t, "expired"))), http.StatusServiceUnavailable, "unverified-signer"},
		{"unverified, statement signature", unverified(tpChainErr(nil, tpStatementErr(t, "badsig"))), http.StatusServiceUnavailable, "unverified-signer"},
		{"unverified, statement malformed", unverified(tpChainErr(nil, tpStatementErr(t, "malformed"))), http.StatusServiceUnavailable, "unverified-signer"},
		{"unverified, signer revoked", unverified(tpChainErr(trustchain.ErrRevoked, tpStatementErr(t, "badsig"))), http.StatusForbidden, "signer-revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := trustProblem(tt.err)
			if p.Status != tt.status || p.Problem != tt.want {
				t.Fatalf("error %q\ngot %d %s, want %d %s", tt.err, p.Status, p.Problem, tt.status, tt.want)
			}
			if (tt.want == "unverified-signer") != (p.RetryAfter > 0) {
				t.Fatalf("%s: retry after %v", tt.want, p.RetryAfter)
			}
		})
	}
	// The cases above hold only because the chain's reasons and the
	// object's are one vocabulary: an expired statement is jose.ErrExpired.
	if err := tpStatementErr(t, "expired"); !errors.Is(err, jose.ErrExpired) || !errors.Is(err, signedobject.ErrExpired) {
		t.Fatalf("an expired statement's error %q is not the shared jose.ErrExpired", err)
	}
}
