package entity

import (
	"testing"
	"time"
)

// BenchmarkSignStatement signs a subordinate statement (an anchor's
// reissue cost): go test -run '^$' -bench 'Statement' -cpu 1 ./protocol/entity/
func BenchmarkSignStatement(b *testing.B) {
	leafKey, anchorKey := testKey("leaf"), testKey("anchor")
	st := subordinate(b, leafKey)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(st, anchorKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerifyStatement parses and verifies the same statement.
func BenchmarkParseVerifyStatement(b *testing.B) {
	leafKey, anchorKey := testKey("leaf"), testKey("anchor")
	raw := mustSign(b, subordinate(b, leafKey), anchorKey)
	keys := []JWK{mustJWK(b, anchorKey)}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Verify(keys, t0, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseStatement parses the same statement without verifying its
// signature: the parsing share of BenchmarkParseVerifyStatement.
func BenchmarkParseStatement(b *testing.B) {
	leafKey, anchorKey := testKey("leaf"), testKey("anchor")
	raw := mustSign(b, subordinate(b, leafKey), anchorKey)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
