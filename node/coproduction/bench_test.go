package coproduction

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/storage"
)

// keySigner signs as one organisation with a key of its own (the trust
// layer's SignVersion, without the key ring).
type keySigner struct {
	id  string
	key ed25519.PrivateKey
	ids protocol.ULIDSource
}

func (k *keySigner) SignVersion(obj protocol.Object, _ []byte, _ []string) ([]byte, error) {
	now := time.Now()
	return signedobject.Sign(signedobject.Payload{Iss: k.id, Sub: obj.IRI, Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(),
		Jti: k.ids.New(now), Ver: obj.Version, Type: string(obj.Type), Cosigners: []string{k.id}, Body: obj.Body},
		signedobject.Signer{EntityID: k.id, Key: k.key})
}

func keyVerifier(signers ...*keySigner) cp.Verifier {
	keys := map[string]ed25519.PublicKey{}
	for _, s := range signers {
		keys[s.id] = s.key.Public().(ed25519.PublicKey)
	}
	return func(_ context.Context, jws []byte) (*signedobject.Verified, error) {
		return signedobject.Verify(jws, func(ent, _ string, _ time.Time) (ed25519.PublicKey, error) {
			if k, ok := keys[ent]; ok {
				return k, nil
			}
			return nil, errors.New("unknown signer")
		}, time.Now(), signedobject.Options{})
	}
}

// quiet is a transport that reaches nobody.
type quiet struct{}

func (quiet) Kick() {}
func (quiet) PostGroup(context.Context, string, []byte) (int, []byte, error) {
	return 0, nil, errors.New("unreachable")
}
func (quiet) FetchGroup(context.Context, string) ([]byte, error) {
	return nil, errors.New("unreachable")
}
func (quiet) ResolveActor(_ context.Context, t string) (string, error) { return t, nil }

func newSigner(tb testing.TB, id string) *keySigner {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return &keySigner{id: id, key: k}
}

// benchHost is a host node's co-production service over a real, durable
// store, with a process of tasks tasks.
func benchHost(tb testing.TB, tasks int) (*Service, string, *storage.Store, *keySigner) {
	st, err := storage.Open(filepath.Join(tb.TempDir(), "db"), storage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	sg := newSigner(tb, "https://re.example")
	s := New(Deps{Store: st.Processes(), Queue: st.Queue(), Objects: st, Signer: sg, Verify: keyVerifier(sg), Transport: quiet{},
		URIs: protocol.NewURIs(sg.id)})
	var objs []*cp.Objective
	for o := range tasks/50 + 1 {
		ob := &cp.Objective{Key: fmt.Sprintf("o%d", o), Name: "Objective", Tasks: []*cp.Task{}}
		for t := range min(50, tasks-o*50) {
			ob.Tasks = append(ob.Tasks, &cp.Task{Key: fmt.Sprintf("t%d", o*50+t), Name: "A task of the process"})
		}
		objs = append(objs, ob)
	}
	ctx := context.Background()
	res, err := s.Create(ctx, CreateInput{Name: "Bench", Governance: cp.GovernmentPlusCitizen}, "")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Propose(ctx, res.Process, cp.Change{Op: cp.OpAddPhase, Data: mustJSON(cp.Phase{Key: "p", Name: "Phase"})}); err != nil {
		tb.Fatal(err)
	}
	for _, ob := range objs {
		ts := ob.Tasks
		ob.Tasks = nil
		if _, err := s.Propose(ctx, res.Process, cp.Change{Op: cp.OpAddObjective, Item: "p", Data: mustJSON(ob)}); err != nil {
			tb.Fatal(err)
		}
		for _, t := range ts {
			if _, err := s.Propose(ctx, res.Process, cp.Change{Op: cp.OpAddTask, Item: ob.Key, Data: mustJSON(t)}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return s, res.Process, st, sg
}

// BenchmarkHostApply is one change applied by the host of a process of 500
// tasks: signed, verified, ordered, folded, and stored durably with the
// state after it. p99-ms is the 99th percentile of the iterations.
func BenchmarkHostApply(b *testing.B) {
	s, iri, _, _ := benchHost(b, 500)
	ctx := context.Background()
	var took []time.Duration
	i := 0
	c0 := cpuTime()
	for b.Loop() {
		i++
		t0 := time.Now()
		if _, err := s.Propose(ctx, iri, cp.Change{Op: cp.OpUpdateTask, Item: fmt.Sprintf("t%d", i%500),
			Data: mustJSON(map[string]any{"progress": i % 100})}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
	}
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkCatchUp is a new participant catching up with a process of 500
// tasks and 5,000 signed changes: every entry and change verified, folded,
// and stored (in pages of HistoryLimit, as fetched).
func BenchmarkCatchUp(b *testing.B) {
	host, iri, hst, hsg := benchHost(b, 500)
	ctx := context.Background()
	for i := 0; ; i++ {
		rec, err := hst.Processes().Process(ctx, iri)
		if err != nil {
			b.Fatal(err)
		}
		if rec.Seq >= 5000 {
			break
		}
		if _, err := host.Propose(ctx, iri, cp.Change{Op: cp.OpUpdateTask, Item: fmt.Sprintf("t%d", i%500),
			Data: mustJSON(map[string]any{"progress": i % 100})}); err != nil {
			b.Fatal(err)
		}
	}
	entries, _, err := hst.Processes().History(ctx, iri, 0, 6000)
	if err != nil {
		b.Fatal(err)
	}
	pages := [][]json.RawMessage{}
	for i := 0; i < len(entries); i += HistoryLimit {
		var page []json.RawMessage
		for _, e := range entries[i:min(i+HistoryLimit, len(entries))] {
			page = append(page, e)
		}
		pages = append(pages, page)
	}
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		st, err := storage.Open(filepath.Join(b.TempDir(), "db"), storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		me := newSigner(b, "https://zgz.example")
		s := New(Deps{Store: st.Processes(), Queue: st.Queue(), Objects: st, Signer: me, Verify: keyVerifier(hsg, me), Transport: quiet{},
			URIs: protocol.NewURIs(me.id)})
		if err := st.Processes().PutProcess(ctx, storage.ProcessRecord{IRI: iri, Host: hsg.id, Inbox: iri + "/inbox", Local: storage.LocalInvited}, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0 := cpuTime()
		for _, page := range pages {
			if err := s.ingest(ctx, iri, page); err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime() - c0
		b.StopTimer()
		rec, _ := st.Processes().Process(ctx, iri)
		if rec.Seq != uint64(len(entries)) {
			b.Fatalf("caught up to %d of %d", rec.Seq, len(entries))
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(entries)), "changes")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the CPU time (user and system) the process has used: on a
// shared, loaded machine it says what a run costs where wall time cannot.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
