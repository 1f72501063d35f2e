package interlinkfmt

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// realFiles returns the contents of the real seed's files matching pattern
// (relative to the seed root), or nothing when the seed is absent: fuzz
// targets then start from their inline seeds only.
func realFiles(tb testing.TB, pattern string) [][]byte {
	tb.Helper()
	dir, err := testenv.DataDir()
	if err != nil {
		return nil // fuzzing still runs on the inline seeds
	}
	names, _ := filepath.Glob(filepath.Join(dir, "interlink-catalogue", filepath.FromSlash(pattern)))
	var out [][]byte
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			out = append(out, b)
		}
	}
	return out
}

func FuzzDecodeInterlinker(f *testing.F) {
	f.Add(uint8(1), []byte(minimalInterlinker))
	f.Add(uint8(0), []byte(`{"id":"s","type":"software","name_translations":{"en":"S"},"description_translations":{"en":"D"},"integration":{"a":[1,{"b":null}]},"is_responsive":true}`))
	f.Add(uint8(2), []byte(`{"id":"x","type":"knowledge","instructions_translations":{"en":"../../x"}}`))
	natures := protocol.Natures()
	for n, nature := range natures {
		for i, b := range realFiles(f, "interlinkers/"+string(nature)+"/*/metadata.json") {
			if i < 4 {
				f.Add(uint8(n), b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, n uint8, raw []byte) {
		nature := natures[int(n)%len(natures)]
		readFile := func(rel string) ([]byte, error) { return []byte("# " + rel + "\n"), nil }
		it, err := DecodeInterlinker(nature, raw, readFile)
		if err != nil {
			return
		}
		if err := it.Validate(); err != nil {
			t.Fatalf("decoded interlinker is invalid: %v", err)
		}
		written := map[string][]byte{}
		out, err := EncodeInterlinker(it, func(lang string) string {
			p := "i/" + instructionsFile(lang)
			written[p] = []byte(it.Instructions[lang])
			return "./" + p
		})
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := DecodeInterlinker(nature, out, func(rel string) ([]byte, error) { return written[rel], nil })
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, it) {
			t.Fatalf("round trip differs:\n got %#v\nwant %#v", back, it)
		}
	})
}

func FuzzDecodeProblemProfiles(f *testing.F) {
	f.Add([]byte(`[{"id":"P_1","name_translations":{"en":"P"},"description_translations":{"en":"D"},"functionality_translations":{"es":"F"}}]`))
	f.Add([]byte(`[]`))
	for _, b := range realFiles(f, "problemprofiles/problemprofiles.json") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ps, err := DecodeProblemProfiles(raw)
		if err != nil {
			return
		}
		out, err := EncodeProblemProfiles(ps)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := DecodeProblemProfiles(out)
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, ps) {
			t.Fatalf("round trip differs:\n got %#v\nwant %#v", back, ps)
		}
	})
}

func FuzzDecodeSchemaMetadata(f *testing.F) {
	f.Add([]byte(`{"id":"s","author":"","licence":"propietary","name_translations":{"en":"S"},"description_translations":{"en":"D"},"tags_translations":{"en":["a"]}}`))
	for _, b := range realFiles(f, "schemas/*/metadata.json") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := DecodeSchemaMetadata(raw)
		if err != nil {
			return
		}
		out, err := EncodeSchemaMetadata(s)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := DecodeSchemaMetadata(out)
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, s) {
			t.Fatalf("round trip differs:\n got %#v\nwant %#v", back, s)
		}
	})
}

func FuzzDecodePhase(f *testing.F) {
	f.Add([]byte(`{"id":"phase-a","name_translations":{"en":"A"},"description_translations":{},"is_part_of_codelivery":true,"prerequisites":[{"item":"phase-b","status":"finished"}],"objectives":[{"id":"o","name_translations":{"en":"O"},"description_translations":{},"problemprofiles":["P"],"prerequisites":[{"item":"x","type":"previous"}],"tasks":[{"id":"t","name_translations":{},"description_translations":{},"problemprofiles":[],"prerequisites":[]}]}]}`))
	for _, b := range realFiles(f, "schemas/*/phases/*.json") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := DecodePhase(raw)
		if err != nil {
			return
		}
		out, err := EncodePhase(p)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := DecodePhase(out)
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, p) {
			t.Fatalf("round trip differs:\n got %#v\nwant %#v", back, p)
		}
		// Ordering and validating never panic on what decodes.
		_, _ = OrderPhases([]protocol.Phase{p, back})
		s := &protocol.CoproductionSchema{Type: protocol.KindCoproductionSchema, Key: "s", Phases: []protocol.Phase{p}}
		_ = s.Validate()
		_ = s.Index()
	})
}
