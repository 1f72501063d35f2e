package httpsig

import (
	"context"
	"crypto"
	"testing"
)

// BenchmarkVerifyPOST measures Verify of a signed POST (Digest over a small
// activity, one RSA-2048 verification, key from a cache-like resolver).
func BenchmarkVerifyPOST(b *testing.B) {
	a, _ := testKeys(b)
	req := signedPost(b, a, testNow)
	v := newVerifier(&resolver{keys: []crypto.PublicKey{&a.PublicKey}})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(ctx, req, testBody); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkSign measures SignRequest of a POST (one RSA-2048 signature).
func BenchmarkSign(b *testing.B) {
	a, _ := testKeys(b)
	b.ReportAllocs()
	for b.Loop() {
		signedPost(b, a, testNow)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
}
