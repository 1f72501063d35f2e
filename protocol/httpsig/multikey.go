package httpsig

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
)

// maxMultibase bounds the publicKeyMultibase text ParsePublicKeyMultibase
// accepts: an RSA-8192 key in base58 is about 1.5 KiB.
const maxMultibase = 4 << 10

// Multicodec prefixes (unsigned varints) of the public key types FEP-521a
// Multikeys use: ed25519-pub (0xed) and rsa-pub (0x1205, a PKCS#1 DER key).
var (
	codecEd25519 = []byte{0xed, 0x01}
	codecRSA     = []byte{0x85, 0x24}
)

// ParsePublicKeyMultibase decodes a Multikey's publicKeyMultibase (FEP-521a,
// W3C Controlled Identifiers): "z" (base58btc) followed by a multicodec
// prefix and the key, Ed25519 (0xed01, 32 bytes) or RSA (0x1205, PKCS#1 DER).
func ParsePublicKeyMultibase(s string) (crypto.PublicKey, error) {
	if len(s) > maxMultibase {
		return nil, fmt.Errorf("httpsig: parsing a multibase key: %d bytes exceed %d", len(s), maxMultibase)
	}
	if s == "" || s[0] != 'z' {
		return nil, errors.New("httpsig: parsing a multibase key: not base58btc (it must start with 'z')")
	}
	raw, err := decodeBase58(s[1:])
	if err != nil {
		return nil, fmt.Errorf("httpsig: parsing a multibase key: %w", err)
	}
	switch {
	case hasPrefix(raw, codecEd25519):
		k := raw[len(codecEd25519):]
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("httpsig: parsing a multibase key: Ed25519 key of %d bytes", len(k))
		}
		return ed25519.PublicKey(k), nil
	case hasPrefix(raw, codecRSA):
		k, err := x509.ParsePKCS1PublicKey(raw[len(codecRSA):])
		if err != nil {
			return nil, fmt.Errorf("httpsig: parsing a multibase RSA key: %w", err)
		}
		return k, nil
	}
	return nil, errors.New("httpsig: parsing a multibase key: unsupported multicodec (Ed25519 and RSA are accepted)")
}

// PublicKeyMultibase encodes an Ed25519 public key as publicKeyMultibase.
func PublicKeyMultibase(pub ed25519.PublicKey) string {
	return "z" + encodeBase58(append(append([]byte{}, codecEd25519...), pub...))
}

func hasPrefix(b, p []byte) bool { return len(b) >= len(p) && string(b[:len(p)]) == string(p) }

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// decodeBase58 decodes Bitcoin's base58 alphabet; leading '1's are zero
// bytes. O(n²), for the short strings keys are.
func decodeBase58(s string) ([]byte, error) {
	var idx [256]int8
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(base58Alphabet); i++ {
		idx[base58Alphabet[i]] = int8(i)
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// Big-endian base-256 digits of the number, grown as needed.
	var num []byte
	for i := zeros; i < len(s); i++ {
		d := idx[s[i]]
		if d < 0 {
			return nil, fmt.Errorf("byte %d (%q) is not base58", i, s[i])
		}
		carry := int(d)
		for j := len(num) - 1; j >= 0; j-- {
			carry += int(num[j]) * 58
			num[j] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			num = append([]byte{byte(carry)}, num...)
			carry >>= 8
		}
	}
	return append(make([]byte, zeros), num...), nil
}

// encodeBase58 is decodeBase58's inverse.
func encodeBase58(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	var digits []byte // little-endian base-58 digits
	for _, c := range b[zeros:] {
		carry := int(c)
		for j := range digits {
			carry += int(digits[j]) << 8
			digits[j] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits = append(digits, byte(carry%58))
			carry /= 58
		}
	}
	out := make([]byte, 0, zeros+len(digits))
	for range zeros {
		out = append(out, '1')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		out = append(out, base58Alphabet[digits[i]])
	}
	return string(out)
}
