package httpsig

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// KeyBits is the size of the RSA keys GenerateKey makes, and the smallest RSA
// key Verify accepts (Mastodon's keys are 2048 bits).
const KeyBits = 2048

// maxPEM bounds the PEM text ParsePublicKeyPEM and ParsePrivateKeyPEM accept:
// an RSA-8192 public key is under 1.5 KiB.
const maxPEM = 16 << 10

// GenerateKey makes a new RSA-2048 key for an actor.
func GenerateKey() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("httpsig: generating an RSA-%d key: %w", KeyBits, err)
	}
	return k, nil
}

// PublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block, the form
// ActivityPub actors publish in publicKey.publicKeyPem. It returns "" for a
// nil or unusable key.
func PublicKeyPEM(pub *rsa.PublicKey) string {
	if pub == nil || pub.N == nil {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// ParsePublicKeyPEM decodes the first PEM block of s: a PKIX "PUBLIC KEY"
// (RSA or Ed25519) or a PKCS#1 "RSA PUBLIC KEY". Text around the block is
// ignored, as actor documents sometimes carry stray whitespace.
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	if len(s) > maxPEM {
		return nil, fmt.Errorf("httpsig: parsing a public key: PEM text of %d bytes exceeds %d", len(s), maxPEM)
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("httpsig: parsing a public key: no PEM block found")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parsing a PKIX public key: %w", err)
		}
		switch k := k.(type) {
		case *rsa.PublicKey, ed25519.PublicKey:
			return k, nil
		default:
			return nil, fmt.Errorf("httpsig: parsing a PKIX public key: unsupported key type %T", k)
		}
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parsing a PKCS#1 public key: %w", err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("httpsig: parsing a public key: unexpected PEM block type %q", block.Type)
	}
}

// PrivateKeyPEM encodes key as a PKCS#8 "PRIVATE KEY" PEM block, for the
// node's key file.
func PrivateKeyPEM(key *rsa.PrivateKey) (string, error) {
	if key == nil {
		return "", errors.New("httpsig: encoding a private key: nil key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("httpsig: encoding a private key as PKCS#8: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// ParsePrivateKeyPEM decodes an RSA private key from a PKCS#8 "PRIVATE KEY"
// or PKCS#1 "RSA PRIVATE KEY" PEM block.
func ParsePrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	if len(s) > maxPEM {
		return nil, fmt.Errorf("httpsig: parsing a private key: PEM text of %d bytes exceeds %d", len(s), maxPEM)
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("httpsig: parsing a private key: no PEM block found")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parsing a PKCS#8 private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("httpsig: parsing a PKCS#8 private key: %T is not an RSA key", k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parsing a PKCS#1 private key: %w", err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("httpsig: parsing a private key: unexpected PEM block type %q", block.Type)
	}
}
