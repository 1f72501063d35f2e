package trust

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// benchObject is a ~2 KB single-signer object of the civic group (a three-
// level chain: ospizio, comune, anchorIT), and the receiver that verifies
// it (zaragoza, pinning both anchors).
func benchObject(b *testing.B) (*fed, *member, []byte) {
	f := newStandardFed(b)
	o := f.m[ospizio]
	obj := o.object(b, f.clock.Now())
	org := &protocol.Organisation{Type: protocol.KindOrganisation, Key: "ospizio-re",
		PrefLabel: protocol.Text{
			"it": "Associazione Ospizio " + strings.Repeat("per la co-produzione di servizi pubblici di quartiere ", 5),
			"en": "Ospizio association " + strings.Repeat("for the co-production of neighbourhood public services ", 5),
			"es": "Asociación Ospizio " + strings.Repeat("para la coproducción de servicios públicos de barrio ", 4),
		},
		Spatial: protocol.OrganisationSpatial{Country: "IT", Region: "Emilia-Romagna", Municipality: "Reggio Emilia"},
		OrgKind: protocol.OrgCitizenGroup, Homepage: "https://ospizio.re.example/chi-siamo", Email: "info@ospizio.re.example"}
	body, err := protocol.EncodeEntity(org)
	if err != nil {
		b.Fatal(err)
	}
	obj.Body = body
	jws := o.sign(b, obj, nil)
	if n := len(jws); n < 1800 || n > 2400 {
		b.Fatalf("object is %d bytes, want about 2 KB", n)
	}
	return f, f.m[zaragoza], jws
}

// BenchmarkVerifyObject verifies a leaf's ~2 KB single-signer object
// through Service.VerifyObject with a warm chain cache: strict parse,
// header rules, the cached chain's content key, one Ed25519 verification
// and the verification record. Compare with BenchmarkRawEd25519Verify in
// the same run:
//
//	go test -run '^$' -bench . -cpu 1 -count 3 ./federation/trust/
func BenchmarkVerifyObject(b *testing.B) {
	_, r, jws := benchObject(b)
	ctx := context.Background()
	if v, err := r.svc.VerifyObject(ctx, jws); err != nil || v.Verification.Status != protocol.Verified {
		b.Fatalf("warm-up: %+v, %v", v, err)
	}
	b.SetBytes(int64(len(jws)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.svc.VerifyObject(ctx, jws); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawEd25519Verify is the floor: ed25519.Verify over the signing
// input of BenchmarkVerifyObject's object.
func BenchmarkRawEd25519Verify(b *testing.B) {
	f, _, jws := benchObject(b)
	var env struct {
		Payload    string `json:"payload"`
		Signatures []struct {
			Protected string `json:"protected"`
			Signature string `json:"signature"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(jws, &env); err != nil || len(env.Signatures) != 1 {
		b.Fatalf("jws: %v, %d signatures", err, len(env.Signatures))
	}
	sig, err := base64.RawURLEncoding.DecodeString(env.Signatures[0].Signature)
	if err != nil {
		b.Fatal(err)
	}
	in := []byte(env.Signatures[0].Protected + "." + env.Payload)
	pub := f.m[ospizio].keys.content().Private.Public().(ed25519.PublicKey)
	if !ed25519.Verify(pub, in, sig) {
		b.Fatal("raw verify failed")
	}
	b.SetBytes(int64(len(jws)))
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, in, sig) {
			b.Fatal("raw verify failed")
		}
	}
}
