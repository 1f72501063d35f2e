package entity

import (
	"testing"
	"time"
)

func TestJWKValidAt(t *testing.T) {
	base := mustJWK(t, testKey("content"))
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	with := func(mod func(*JWK)) JWK { k := base; mod(&k); return k }
	tests := []struct {
		name string
		key  JWK
		at   time.Time
		want error
	}{
		{"plain key", base, t0, nil},
		// Absent times are 0, not the epoch: a key without nbf is valid
		// even at a (bogus) time before 1970, as an object's iat may be.
		{"plain key before 1970", base, time.Unix(-1, 0), nil},
		{"before nbf", with(func(k *JWK) { k.NotBefore = t0.Unix() }), at(-time.Second), ErrNotYetValid},
		{"at nbf", with(func(k *JWK) { k.NotBefore = t0.Unix() }), t0, nil},
		{"signed before retirement", with(func(k *JWK) { k.RetiredAt = t0.Unix() }), at(-time.Second), nil},
		{"used in the second of its retirement", with(func(k *JWK) { k.RetiredAt = t0.Unix() }), t0, nil},
		{"used a second after retirement", with(func(k *JWK) { k.RetiredAt = t0.Unix() }), at(time.Second), ErrKeyRetired},
		{"used after retirement", with(func(k *JWK) { k.RetiredAt = t0.Unix() }), at(time.Hour), ErrKeyRetired},
		{"signed before compromise", with(func(k *JWK) { k.RevokedAt = t0.Unix() }), at(-time.Second), nil},
		{"used at compromise", with(func(k *JWK) { k.RevokedAt = t0.Unix() }), t0, ErrKeyRevoked},
		{"used after compromise", with(func(k *JWK) { k.RevokedAt = t0.Unix() }), at(time.Hour), ErrKeyRevoked},
		{"retired then revoked: revocation wins", with(func(k *JWK) {
			k.RetiredAt, k.RevokedAt = t0.Add(-time.Hour).Unix(), t0.Unix()
		}), at(time.Hour), ErrKeyRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantReason(t, tc.key.ValidAt(tc.at), tc.want)
		})
	}
}

func TestJWKPublicKey(t *testing.T) {
	base := mustJWK(t, testKey("content"))
	with := func(mod func(*JWK)) JWK { k := base; mod(&k); return k }
	tests := []struct {
		name string
		key  JWK
		want error
	}{
		{"valid", base, nil},
		{"use sig", with(func(k *JWK) { k.Use = "sig" }), nil},
		{"use enc", with(func(k *JWK) { k.Use = "enc" }), ErrInvalidClaims},
		{"kty RSA", with(func(k *JWK) { k.Kty = "RSA" }), ErrInvalidClaims},
		{"crv X25519", with(func(k *JWK) { k.Crv = "X25519" }), ErrInvalidClaims},
		{"x short", with(func(k *JWK) { k.X = k.X[:42] }), ErrInvalidClaims},
		{"x padded", with(func(k *JWK) { k.X = k.X[:42] + "=" }), ErrInvalidClaims},
		{"x with non-zero trailing bits", with(func(k *JWK) {
			last := k.X[42]
			k.X = k.X[:42] + string(rune(last^1))
		}), ErrInvalidClaims},
		{"kid of another key", with(func(k *JWK) { k.Kid = mustJWK(t, testKey("other")).Kid }), ErrKid},
		{"kid upper-cased", with(func(k *JWK) { k.Kid = "A" + k.Kid[1:] }), ErrKid},
		{"negative revoked_at", with(func(k *JWK) { k.RevokedAt = -1 }), ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.key.PublicKey()
			wantReason(t, err, tc.want)
		})
	}
}
