// Package jose holds the few JOSE primitives the trust packages share:
// strict unpadded base64url, RFC 7638 thumbprints of Ed25519 keys, the
// token charset of kids, and reading JSON header members. Pure.
package jose

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// B64 is unpadded base64url that refuses non-zero trailing bits, so that
// each byte string has exactly one encoding.
var B64 = base64.RawURLEncoding.Strict()

// TokenChars reports whether s holds only [A-Za-z0-9_-] (the base64url
// alphabet: Go's decoder would skip CR and LF, making encodings malleable).
func TokenChars[S string | []byte](s S) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// DecodeB64 decodes unpadded base64url strictly: only the alphabet (no
// padding, no line breaks) and zero trailing bits.
func DecodeB64[S string | []byte](s S) ([]byte, error) {
	if !TokenChars(s) {
		return nil, fmt.Errorf("not unpadded base64url")
	}
	out := make([]byte, B64.DecodedLen(len(s)))
	n, err := B64.Decode(out, []byte(s))
	if err != nil {
		return nil, fmt.Errorf("not unpadded base64url: %w", err)
	}
	return out[:n], nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a 32-byte Ed25519
// public key, base64url: the hash of its canonical JWK (required members in
// lexicographic order, no white space). jwx computes the same (tested in
// signedobject).
func Thumbprint(pub []byte) string {
	const pre, post = `{"crv":"Ed25519","kty":"OKP","x":"`, `"}`
	var buf [len(pre) + 43 + len(post)]byte
	n := copy(buf[:], pre)
	B64.Encode(buf[n:], pub)
	n += 43
	copy(buf[n:], post)
	sum := sha256.Sum256(buf[:])
	return B64.EncodeToString(sum[:])
}

// StringMember returns hdr[name] when it is a JSON string.
func StringMember(hdr map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := hdr[name]
	if !ok || len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// ShowMember renders hdr[name] for an error message, shortened.
func ShowMember(hdr map[string]json.RawMessage, name string) string {
	raw, ok := hdr[name]
	if !ok {
		return "missing"
	}
	return Shorten(string(raw))
}

// Shorten cuts s to 64 bytes for an error message.
func Shorten(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
