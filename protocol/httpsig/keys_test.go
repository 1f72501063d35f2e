package httpsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestPublicKeyPEM(t *testing.T) {
	a, _ := testKeys(t)
	edPub, _ := mustEd25519(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	edDER, _ := x509.MarshalPKIXPublicKey(edPub)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	pkix := PublicKeyPEM(&a.PublicKey)
	if !strings.HasPrefix(pkix, "-----BEGIN PUBLIC KEY-----\n") || !strings.HasSuffix(pkix, "-----END PUBLIC KEY-----\n") {
		t.Fatalf("PublicKeyPEM = %q", pkix)
	}
	tests := []struct {
		name string
		in   string
		want any // *rsa.PublicKey, ed25519.PublicKey, or nil for an error
	}{
		{"PKIX RSA", pkix, &a.PublicKey},
		{"PKIX RSA with CRLF and blanks", "\n  " + strings.ReplaceAll(pkix, "\n", "\r\n") + "\n", &a.PublicKey},
		{"PKCS#1 RSA", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&a.PublicKey)), &a.PublicKey},
		{"PKIX Ed25519", pemOf("PUBLIC KEY", edDER), edPub},
		{"PKIX ECDSA is unsupported", pemOf("PUBLIC KEY", ecDER), nil},
		{"certificate", pemOf("CERTIFICATE", []byte{1, 2, 3}), nil},
		{"garbage DER", pemOf("PUBLIC KEY", []byte{1, 2, 3}), nil},
		{"no PEM", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", nil},
		{"empty", "", nil},
		{"oversized", strings.Repeat("A", maxPEM+1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKeyPEM(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("ParsePublicKeyPEM = %T, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq, ok := got.(interface{ Equal(crypto.PublicKey) bool })
			if !ok {
				t.Fatalf("key %T has no Equal", got)
			}
			if !eq.Equal(tt.want) {
				t.Fatalf("ParsePublicKeyPEM returned another key")
			}
		})
	}
	if PublicKeyPEM(nil) != "" || PublicKeyPEM(&rsa.PublicKey{}) != "" {
		t.Fatal("PublicKeyPEM of an unusable key is not empty")
	}
}

func TestPrivateKeyPEM(t *testing.T) {
	a, _ := testKeys(t)
	s, err := PrivateKeyPEM(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKeyPEM(s)
	if err != nil || !back.Equal(a) {
		t.Fatalf("PKCS#8 round trip: %v", err)
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(a)}))
	if back, err = ParsePrivateKeyPEM(pkcs1); err != nil || !back.Equal(a) {
		t.Fatalf("PKCS#1: %v", err)
	}
	_, edPriv := mustEd25519(t)
	edDER, _ := x509.MarshalPKCS8PrivateKey(edPriv)
	for name, in := range map[string]string{
		"Ed25519":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER})),
		"public":     PublicKeyPEM(&a.PublicKey),
		"no PEM":     "x",
		"bad DER":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0}})),
		"bad PKCS#1": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{0}})),
	} {
		if _, err := ParsePrivateKeyPEM(in); err == nil {
			t.Errorf("%s: ParsePrivateKeyPEM succeeded", name)
		}
	}
	if _, err := PrivateKeyPEM(nil); err == nil {
		t.Error("PrivateKeyPEM(nil) succeeded")
	}
}

func TestGenerateKey(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA key generation takes ~100 ms")
	}
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if k.N.BitLen() != KeyBits {
		t.Fatalf("key of %d bits", k.N.BitLen())
	}
}

// TestPEMSizeLimit: PEM text of exactly maxPEM bytes (a key padded with the
// blank lines and stray text actor documents carry) is read; one byte more
// is refused before it is decoded.
func TestPEMSizeLimit(t *testing.T) {
	a, _ := testKeys(t)
	priv, err := PrivateKeyPEM(a)
	if err != nil {
		t.Fatal(err)
	}
	pad := func(s string, n int) string { return s + strings.Repeat("\n", n-len(s)) }
	parsePub := func(s string) error { _, err := ParsePublicKeyPEM(s); return err }
	parsePriv := func(s string) error { _, err := ParsePrivateKeyPEM(s); return err }
	tests := []struct {
		name  string
		parse func(string) error
		in    string
		ok    bool
	}{
		{"public, maxPEM-1 bytes", parsePub, pad(PublicKeyPEM(&a.PublicKey), maxPEM-1), true},
		{"public, maxPEM bytes", parsePub, pad(PublicKeyPEM(&a.PublicKey), maxPEM), true},
		{"public, maxPEM+1 bytes", parsePub, pad(PublicKeyPEM(&a.PublicKey), maxPEM+1), false},
		{"private, maxPEM bytes", parsePriv, pad(priv, maxPEM), true},
		{"private, maxPEM+1 bytes", parsePriv, pad(priv, maxPEM+1), false},
		{"private, trailing text, maxPEM bytes", parsePriv, priv + strings.Repeat("x", maxPEM-len(priv)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("%d bytes: %v, want ok=%t", len(tt.in), err, tt.ok)
			}
			if !tt.ok && !strings.Contains(err.Error(), "exceeds") {
				t.Fatalf("%d bytes refused for another reason: %v", len(tt.in), err)
			}
		})
	}
}
