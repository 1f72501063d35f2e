package protocol

import "testing"

// BenchmarkDecodeEntity decodes and validates a four-language interlinker
// (what every received, imported or indexed object costs):
// go test -run '^$' -bench 'Decode' -cpu 1 ./protocol/
func BenchmarkDecodeEntity(b *testing.B) {
	raw, err := EncodeEntity(validInterlinker())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEntity(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeStrict decodes the same document with DecodeStrict alone
// (no validation), as the INTERLINK importers do.
func BenchmarkDecodeStrict(b *testing.B) {
	raw, err := EncodeEntity(validInterlinker())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var it Interlinker
		if err := DecodeStrict(raw, &it); err != nil {
			b.Fatal(err)
		}
	}
}
