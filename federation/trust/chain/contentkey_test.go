package chain

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust/entity"
)

// TestContentKey: content keys as a receiver asks for them, at the time an
// object was signed (its iat): rotation keeps old signatures valid, a
// compromised key refuses what is dated at or after its revocation, and a
// revoked co-signer stays valid for what it signed before.
func TestContentKey(t *testing.T) {
	current, old, stolen := key("content now"), key("content old"), key("content stolen")
	oldJWK := jwk(t, old)
	oldJWK.RetiredAt = t0.Add(-24 * time.Hour).Unix()
	stolenJWK := jwk(t, stolen)
	stolenJWK.RevokedAt = t0.Add(-12 * time.Hour).Unix()
	stolenJWK.Reason = "keyCompromise"
	newJWK := jwk(t, key("content next"))
	newJWK.NotBefore = t0.Add(time.Hour).Unix()
	revokedAt := t0.Add(-time.Hour)

	f := newFed(t)
	f.nodes[leafPA].contentJWK = []entity.JWK{jwk(t, current), oldJWK, stolenJWK, newJWK}
	f.publish(leafPA)
	// The civic group co-signs services; its municipality revoked it an
	// hour ago.
	f.enroll(muni, leafCivic, func(s *entity.Statement) {
		s.Constraints = muniConstraints()
		s.RevokedAt, s.RevokedReason = revokedAt.Unix(), "association dissolved"
	})
	r := f.resolver(anchorIT)
	pa, err := r.Resolve(context.Background(), leafPA)
	if err != nil {
		t.Fatal(err)
	}
	civic, err := r.Resolve(context.Background(), leafCivic)
	if err != nil {
		t.Fatal(err)
	}
	if !civic.RevokedAt.Equal(revokedAt) {
		t.Fatalf("RevokedAt %s", civic.RevokedAt)
	}
	civicKid := kidOf(f.nodes[leafCivic].contentKey)

	tests := []struct {
		name string
		c    *Chain
		kid  string
		at   time.Time
		want []error
		pub  ed25519.PrivateKey
	}{
		{name: "current key", c: pa, kid: kidOf(current), at: t0, pub: current},
		{name: "rotated key, object signed while current", c: pa, kid: kidOf(old), at: t0.Add(-48 * time.Hour), pub: old},
		{name: "rotated key used after retirement", c: pa, kid: kidOf(old), at: t0, want: []error{entity.ErrKeyRetired}},
		{name: "compromised key, object signed before", c: pa, kid: kidOf(stolen), at: t0.Add(-13 * time.Hour), pub: stolen},
		{name: "compromised key at revocation", c: pa, kid: kidOf(stolen), at: t0.Add(-12 * time.Hour), want: []error{entity.ErrKeyRevoked}},
		{name: "compromised key after revocation", c: pa, kid: kidOf(stolen), at: t0, want: []error{entity.ErrKeyRevoked}},
		{name: "key before its nbf", c: pa, kid: newJWK.Kid, at: t0, want: []error{entity.ErrNotYetValid}},
		{name: "key removed from the EC", c: pa, kid: kidOf(key("content removed")), at: t0, want: []error{entity.ErrUnknownKey}},
		{name: "federation key is not a content key", c: pa, kid: kidOf(f.nodes[leafPA].key), at: t0, want: []error{entity.ErrUnknownKey}},
		{name: "revoked co-signer, signed before", c: civic, kid: civicKid, at: revokedAt.Add(-time.Second), pub: f.nodes[leafCivic].contentKey},
		{name: "revoked co-signer, signed at revocation", c: civic, kid: civicKid, at: revokedAt, want: []error{ErrRevoked}},
		{name: "revoked co-signer, signed after", c: civic, kid: civicKid, at: t0, want: []error{ErrRevoked}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pub, err := tc.c.ContentKey(tc.kid, tc.at)
			wantReasons(t, err, tc.want...)
			if err == nil && !pub.Equal(tc.pub.Public()) {
				t.Fatal("wrong key")
			}
			// The self-signed path gives the same answers, revocation aside.
			if tc.c.RevokedAt.IsZero() {
				pub2, err2 := ContentKey(tc.c.Config, tc.kid, tc.at)
				wantReasons(t, err2, tc.want...)
				if err2 == nil && !pub2.Equal(pub) {
					t.Fatal("ContentKey and Chain.ContentKey differ")
				}
			}
		})
	}
}
