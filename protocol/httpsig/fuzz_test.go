package httpsig

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzVerifySignatureHeader feeds arbitrary Signature, Digest and Date
// values to Verify: it must never panic, must always return one of the
// sentinel errors, and can only succeed for a header that really signs the
// request (never, for a mutated one).
func FuzzVerifySignatureHeader(f *testing.F) {
	a, _ := testKeys(f)
	valid := signedPost(f, a, testNow)
	f.Add(valid.Header.Get("Signature"), valid.Header.Get("Digest"), valid.Header.Get("Date"))
	f.Add(`keyId="https://mastodon.example/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"`, "SHA-256=x", "Sun, 01 Jun 2025 12:00:00 GMT")
	f.Add(`keyId="https://gts.example/users/bob/main-key",algorithm="hs2019",created=1748779200,expires=1748779500,headers="(request-target) (created) host digest",signature="Zm9v"`, "sha-256=abc,SHA-512=def", "")
	f.Add(`keyId="k", headers = "date" ,signature="Zm9v", x=y`, "", "Mon, 02 Jan 2006 15:04:05 GMT")
	f.Add(`keyId="a,b",signature="=",headers="(request-target) (request-target)"`, "=", "x")
	f.Add(`keyId="\"",signature="`, "SHA-256", "")
	f.Add(strings.Repeat(`a="b",`, 2000), "", "")
	// Truncated headers: cut inside a value, after a bare name, after '='.
	vs := valid.Header.Get("Signature")
	f.Add(vs[:len(vs)/2], valid.Header.Get("Digest"), valid.Header.Get("Date"))
	f.Add(vs[:len(vs)-1], valid.Header.Get("Digest"), valid.Header.Get("Date"))
	f.Add(vs[:strings.Index(vs, "=")], "", "")
	f.Add(vs[:strings.Index(vs, "=")+1], "", "")
	f.Add(`keyId="k",signature`, "", "")
	f.Add(`keyId="k",signature="Zm9v",created`, "", "")
	v := &Verifier{
		Resolve: func(context.Context, string, bool) (string, crypto.PublicKey, error) {
			return "https://127.0.0.1:8443/actor", &a.PublicKey, nil
		},
		Now: func() time.Time { return testNow },
	}
	f.Fuzz(func(t *testing.T, sig, digest, date string) {
		req := valid.Clone(context.Background())
		req.Header.Set("Signature", sig)
		req.Header.Set("Digest", digest)
		req.Header.Set("Date", date)
		_, err := v.Verify(context.Background(), req, testBody)
		if err == nil {
			// Only other spellings of the valid signature may pass: the same
			// signature bytes over the same Date.
			p, perr := parseSignature(sig)
			if perr != nil {
				t.Fatalf("unparseable header verified: %q", sig)
			}
			want, _ := parseSignature(valid.Header.Get("Signature"))
			if p.sigB64 != want.sigB64 || strings.TrimSpace(date) != valid.Header.Get("Date") {
				t.Fatalf("forged header verified: %q (Date %q)", sig, date)
			}
			return
		}
		for _, s := range []error{ErrUnsigned, ErrBadSignature, ErrDigestMismatch, ErrDigestNotSigned,
			ErrDateWindow, ErrMissingHeaders, ErrKeyFetch, ErrKeyOwner, ErrBodyTooLarge, ErrWrongHost} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error without a sentinel: %v", err)
	})
}

// FuzzParsePublicKeyPEM: publicKeyPem comes from remote actor documents.
func FuzzParsePublicKeyPEM(f *testing.F) {
	a, _ := testKeys(f)
	f.Add(PublicKeyPEM(&a.PublicKey))
	f.Add(strings.ReplaceAll(PublicKeyPEM(&a.PublicKey), "\n", "\r\n"))
	f.Add("-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n")
	f.Add("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----")
	if raw, err := os.ReadFile(filepath.Join("testdata", "key-b.pem")); err == nil {
		f.Add(string(raw))
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKeyPEM(s)
		if err != nil {
			if k != nil {
				t.Fatal("key and error")
			}
			return
		}
		switch k := k.(type) {
		case *rsa.PublicKey:
			if k.N == nil {
				t.Fatal("RSA key without modulus")
			}
		case ed25519.PublicKey:
		default:
			t.Fatalf("unexpected key type %T", k)
		}
	})
}
