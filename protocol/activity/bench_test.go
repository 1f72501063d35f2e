package activity

import "testing"

// BenchmarkParseActivityCreate measures what the inbox pays per Create of
// a four-language interlinker (about 4 KB).
func BenchmarkParseActivityCreate(b *testing.B) {
	raw, err := Create(testURIs(), ulidActivity, stored(b, ulidObject, participatoryCanvas(), 1, t0, t0))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseActivity(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreate measures rendering a Create (publishing and backfill).
func BenchmarkCreate(b *testing.B) {
	u := testURIs()
	obj := stored(b, ulidObject, participatoryCanvas(), 1, t0, t0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Create(u, ulidActivity, obj); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSignedCreate is the receivers' fast path for the same kind
// of document, signed (compare with BenchmarkParseActivityCreate).
func BenchmarkParseSignedCreate(b *testing.B) {
	raw := signedDocs(b)[0]
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := ParseSigned(raw); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
