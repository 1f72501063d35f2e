package httpsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"strings"
	"testing"
)

func TestParsePublicKeyMultibase(t *testing.T) {
	a, _ := testKeys(t)
	edPub, _ := mustEd25519(t)
	rsaMB := "z" + encodeBase58(append(append([]byte{}, codecRSA...), x509.MarshalPKCS1PublicKey(&a.PublicKey)...))
	tests := []struct {
		name, in string
		want     any // ed25519.PublicKey, *rsa.PublicKey, or nil for an error
		err      string
	}{
		// The did:key specification's Ed25519 example: the multicodec
		// prefix 0xed01 encodes as "z6Mk".
		{"did:key example", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "ed25519", ""},
		{"generated ed25519", PublicKeyMultibase(edPub), edPub, ""},
		{"rsa", rsaMB, &a.PublicKey, ""},
		{"empty", "", nil, "base58btc"},
		{"base64 prefix", "m" + strings.Repeat("A", 40), nil, "base58btc"},
		{"not base58", "z0OIl", nil, "not base58"},
		{"short ed25519", "z" + encodeBase58(append(append([]byte{}, codecEd25519...), 1, 2, 3)), nil, "Ed25519 key of 3 bytes"},
		{"unknown codec", "z" + encodeBase58([]byte{0xe7, 0x01, 1, 2}), nil, "unsupported multicodec"},
		{"bad rsa", "z" + encodeBase58(append(append([]byte{}, codecRSA...), 1, 2, 3)), nil, "RSA"},
		{"too long", "z" + strings.Repeat("2", maxMultibase), nil, "exceed"},
		{"longest accepted length", "z" + strings.Repeat("2", maxMultibase-1), nil, "unsupported multicodec"},
		{"prefix alone", "z" + encodeBase58(codecEd25519), nil, "Ed25519 key of 0 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKeyMultibase(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch w := tt.want.(type) {
			case string:
				if k, ok := got.(ed25519.PublicKey); !ok || len(k) != ed25519.PublicKeySize {
					t.Fatalf("got %T", got)
				}
			case ed25519.PublicKey:
				if !w.Equal(got) {
					t.Fatal("key differs")
				}
			case *rsa.PublicKey:
				if !w.Equal(got) {
					t.Fatal("key differs")
				}
			}
		})
	}
}

func TestBase58RoundTrip(t *testing.T) {
	for _, b := range [][]byte{{}, {0}, {0, 0, 1}, {255, 254}, bytes.Repeat([]byte{7}, 40)} {
		s := encodeBase58(b)
		got, err := decodeBase58(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%x → %q → %x, %v", b, s, got, err)
		}
	}
	// Bitcoin's published vector.
	if s := encodeBase58([]byte("Hello World!")); s != "2NEpo7TZRRrLZSi2U" {
		t.Fatalf("encode = %q", s)
	}
}

// FuzzParsePublicKeyMultibase: arbitrary text never panics, and whatever
// decodes re-encodes to the same bytes.
func FuzzParsePublicKeyMultibase(f *testing.F) {
	f.Add("z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
	f.Add("z11111")
	f.Add("zQ3s")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKeyMultibase(s)
		if err != nil {
			return
		}
		if ed, ok := k.(ed25519.PublicKey); ok && PublicKeyMultibase(ed) != s {
			t.Fatalf("%q decodes to a key that encodes as %q", s, PublicKeyMultibase(ed))
		}
	})
}
