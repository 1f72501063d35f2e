package protocol_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// realSeed reads the real INTERLINK seed from ../shared/data beside the
// repository, or returns nil when it is absent.
func realSeed(tb testing.TB) *interlinkfmt.Seed {
	tb.Helper()
	data, err := testenv.DataDir()
	if err != nil {
		return nil
	}
	s, err := interlinkfmt.ReadSeed(os.DirFS(filepath.Join(data, "interlink-catalogue")))
	if err != nil {
		tb.Fatalf("reading the real seed: %v", err)
	}
	return s
}

// TestRealSeedEntitiesRoundTrip sends every entity of the real seed through
// EncodeEntity and DecodeEntity.
func TestRealSeedEntitiesRoundTrip(t *testing.T) {
	s := realSeed(t)
	if s == nil {
		t.Skip("the real INTERLINK seed (../shared/data/interlink-catalogue beside the repository) is absent")
	}
	var all []protocol.Entity
	for _, it := range s.Interlinkers {
		all = append(all, it)
	}
	for _, p := range s.ProblemProfiles {
		all = append(all, p)
	}
	for _, sc := range s.Schemas {
		all = append(all, sc)
	}
	for _, e := range all {
		raw, err := protocol.EncodeEntity(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := protocol.DecodeEntity(raw)
		if err != nil {
			t.Fatalf("%s %s: %v", e.Kind(), e.NaturalKey(), err)
		}
		again, err := protocol.EncodeEntity(back)
		if err != nil || string(again) != string(raw) {
			t.Fatalf("%s %s: canonical JSON changed after a round trip (%v)", e.Kind(), e.NaturalKey(), err)
		}
	}
}

func FuzzDecodeEntity(f *testing.F) {
	for _, s := range []string{
		`{"type":"Interlinker","key":"k","nature":"software","name":{"en":"n","lv":"ā"},"description":{"en":"d"},"integration":{"a":1}}`,
		`{"type":"ProblemProfile","key":"P_1","name":{"es":"n"},"description":{"it":"d"}}`,
		`{"type":"CoproductionSchema","key":"s","name":{"en":"n"},"description":{"en":"d"},"phases":[{"key":"p","name":{"en":"n"},"prerequisites":[{"item":"p"}]}]}`,
		`{"type":"Adoption","object":"https://a.example/objects/1","organisation":"Org","since":"2024-02-29"}`,
		`{"type":"Rating","object":"https://a.example/objects/1","organisation":"https://b.example/","value":3}`,
		`{"type":"Story","key":"story-1","title":{"en":"t"},"summary":{"it":"s"},"process":"https://a.example/processes/1","participants":[{"organisation":"https://a.example","role":"initiator","contributions":[{"person":"anna","changes":2,"kinds":{"create":1,"invite":1}}]}],"governance":"citizen-to-citizen"}`,
		`{"type":"PublicService"}`,
		`{"type":"Organisation"}`,
		`{"type":"Rating","type":"Rating"}`,
		`[[[[[[[[]]]]]]]]`,
	} {
		f.Add([]byte(s))
	}
	if s := realSeed(f); s != nil {
		for i, it := range s.Interlinkers {
			if i%8 == 0 {
				raw, _ := protocol.EncodeEntity(it)
				f.Add(raw)
			}
		}
		raw, _ := protocol.EncodeEntity(s.ProblemProfiles[0])
		f.Add(raw)
		for _, sc := range s.Schemas {
			raw, _ := protocol.EncodeEntity(sc)
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := protocol.DecodeEntity(raw)
		if err != nil {
			var ve *protocol.ValidationError
			switch {
			case errors.As(err, &ve):
				if len(ve.Errors) == 0 {
					t.Fatal("a validation error without failures")
				}
				for _, fe := range ve.Errors {
					if fe.Field == "" || fe.Rule == "" || fe.Message == "" {
						t.Fatalf("incomplete failure %+v", fe)
					}
				}
			case errors.Is(err, protocol.ErrMalformedJSON):
				if json.Valid(raw) {
					t.Fatalf("valid JSON refused as malformed: %v", err)
				}
			default:
				t.Fatalf("unexpected error %T: %v", err, err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("decoded entity is invalid: %v", err)
		}
		_ = e.Index()
		canon, err := protocol.EncodeEntity(e)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := protocol.DecodeEntity(canon)
		if err != nil {
			t.Fatalf("canonical JSON %s does not decode: %v", canon, err)
		}
		again, err := protocol.EncodeEntity(back)
		if err != nil || string(again) != string(canon) {
			t.Fatalf("canonical JSON is not stable:\n%s\n%s", canon, again)
		}
	})
}
