package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// kilobyteProfile is a problem profile whose canonical JSON is about 1 KB.
func kilobyteProfile(i int) *protocol.ProblemProfile {
	p := profile(fmt.Sprintf("bench-%d", i))
	p.Description = protocol.Text{"en": strings.Repeat("A reusable co-production enabler. ", 28)}
	return p
}

// BenchmarkApply measures durable (fsynced) creates from concurrent writers:
// every Apply returns only after its group commit reached the disk.
func BenchmarkApply(b *testing.B) {
	if n := len(body(b, kilobyteProfile(0))); n < 900 || n > 1200 {
		b.Fatalf("body is %d bytes, want about 1 KB", n)
	}
	for _, writers := range []int{1, 32, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := openTest(b, Options{})
			f := newFixture()
			objs := make([]protocol.Object, b.N)
			for i := range objs {
				objs[i] = f.object(b, kilobyteProfile(i))
			}
			ctx := context.Background()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range writers {
				wg.Go(func() {
					for {
						i := next.Add(1) - 1
						if i >= int64(len(objs)) {
							return
						}
						if _, err := s.Apply(ctx, create(objs[i])); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			if st := s.Stats(); st.Commits > 0 {
				b.ReportMetric(float64(st.Requests)/float64(st.Commits), "writes/commit")
			}
		})
	}
}

// fill stores n interlinkers of varied attributes (not durably: setup only).
func fill(b *testing.B, s *Store, n int) []protocol.Object {
	f := newFixture()
	langs := [][]string{{"en"}, {"en", "it"}, {"es"}, {"lv", "en"}}
	natures := protocol.Natures()
	var objs []protocol.Object
	var ops []WriteOp
	for i := range n {
		e := interlinker(fmt.Sprintf("il-%d", i), natures[i%4], langs[i%len(langs)], []string{fmt.Sprintf("ORG_PROBLEM_%d", i%9)}, nil, "permissive")
		o := f.object(b, e)
		objs = append(objs, o)
		ops = append(ops, create(o))
		if len(ops) == 500 {
			mustApply(b, s, ops...)
			ops = ops[:0]
		}
	}
	if len(ops) > 0 {
		mustApply(b, s, ops...)
	}
	return objs
}

func BenchmarkGet(b *testing.B) {
	s := openTest(b, Options{NoSync: true})
	objs := fill(b, s, 10000)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.Get(ctx, objs[i%len(objs)].IRI); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

// BenchmarkList pages through 10,000 objects with an AND of two filters
// (one of them an OR) that matches about a quarter of them.
func BenchmarkList(b *testing.B) {
	s := openTest(b, Options{NoSync: true})
	fill(b, s, 10000)
	ctx := context.Background()
	opts := ListOptions{Filters: map[string][]string{"nature": {"knowledge", "software"}, "language": {"en"}}, Limit: 50}
	cursor := ""
	for b.Loop() {
		opts.After = cursor
		items, next, err := s.List(ctx, opts)
		if err != nil || len(items) == 0 {
			b.Fatalf("List: %d items, %v", len(items), err)
		}
		cursor = next // wraps around to the first page at the end
	}
}

// BenchmarkRecordCodec compares the binary version record with encoding/json
// of the same protocol.Object (the alternative the design allowed).
func BenchmarkRecordCodec(b *testing.B) {
	o := newFixture().object(b, kilobyteProfile(1))
	bin := encodeRecord(&o)
	js, err := json.Marshal(o)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("binary/encode", func(b *testing.B) {
		for b.Loop() {
			_ = encodeRecord(&o)
		}
		b.ReportMetric(float64(len(bin)), "bytes")
	})
	b.Run("binary/decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeRecord(bin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json/encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(o); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(js)), "bytes")
	})
	b.Run("json/decode", func(b *testing.B) {
		for b.Loop() {
			var x protocol.Object
			if err := json.Unmarshal(js, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkForEachSigned is one walk over 100,000 signed objects (each with
// an ~800-byte JWS and a verification record): every current record
// ("full"), and the verdicts that a re-judging pass (federation/trust
// rejudge.go) and the signer metrics read ("verdicts").
func BenchmarkForEachSigned(b *testing.B) {
	s := openTest(b, Options{NoSync: true})
	f := newFixture()
	jws := []byte(`{"payload":"` + strings.Repeat("e", 700) + `","signatures":[{"protected":"eyJ9","signature":"` + strings.Repeat("s", 86) + `"}]}`)
	ver := &protocol.Verification{Status: protocol.Verified, Signers: []protocol.SignerInfo{{EntityID: "https://comune.re.it", Name: "Comune", Country: "IT", Anchor: "https://agid.gov.it"}}}
	var ops []WriteOp
	for i := range 100_000 {
		o := f.object(b, interlinker(fmt.Sprintf("il-%d", i), protocol.NatureKnowledge, []string{"en"}, nil, nil, "permissive"))
		o.JWS, o.Verification = jws, ver
		ops = append(ops, create(o))
		if len(ops) == 1000 {
			mustApply(b, s, ops...)
			ops = ops[:0]
		}
	}
	ctx := context.Background()
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := s.ForEach(ctx, func(o protocol.Object) error {
				if o.Verification != nil {
					n++
				}
				return nil
			}); err != nil || n != 100_000 {
				b.Fatalf("walk: %d, %v", n, err)
			}
		}
	})
	b.Run("verdicts", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := s.ForEachVerdict(ctx, func(Verdict) error { n++; return nil }); err != nil || n != 100_000 {
				b.Fatalf("walk: %d, %v", n, err)
			}
		}
	})
}
