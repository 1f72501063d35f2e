package sim

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/federation/transport"
	"github.com/interlink-project/interlink-node/federation/trust"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/storage"
)

// DeliveryRun is one origin publishing one activity to Followers shared
// inboxes, each on its own host, through the node's delivery workers and
// its durable queue. Every inbox answers 202 after RTT plus Service (the
// receiver's time to verify and store it durably) plus a uniform
// [0, Jitter).
type DeliveryRun struct {
	Followers int
	Workers   int // federation.delivery_workers (default: the node's default)
	RTT       time.Duration
	Service   time.Duration
	Jitter    time.Duration
	BodyBytes int    // the activity's size (default 3,000 bytes: a signed interlinker)
	Dir       string // where the origin's database lives (a temporary directory)
	Timeout   time.Duration
}

// DeliveryResult is what MeasureDelivery measured.
type DeliveryResult struct {
	Followers, Workers int
	// All is the time from the enqueue until every inbox had received the
	// activity; Drained until the queue held nothing pending.
	All, Drained time.Duration
	Rate         float64 // deliveries per second over All
	// MaxInFlight is the most requests in flight at once; Depth the
	// pending deliveries sampled every 100 ms from the enqueue.
	MaxInFlight int
	Depth       []int
	// CPU is the process's CPU time from the enqueue until drained, and
	// CPUPer that over Followers: signing, the queue's durable commits,
	// the simulated inboxes' little work.
	CPU, CPUPer time.Duration
}

func (r DeliveryResult) String() string {
	return fmt.Sprintf("%d followers, %d workers: all received in %s (%.0f deliveries/s), queue drained in %s, "+
		"%d in flight at most, CPU %s (%s a delivery), depth %v", r.Followers, r.Workers,
		r.All.Round(time.Millisecond), r.Rate, r.Drained.Round(time.Millisecond), r.MaxInFlight,
		r.CPU.Round(time.Millisecond), r.CPUPer.Round(time.Microsecond), depthSummary(r.Depth))
}

// depthSummary shows the queue depth once a second (every tenth sample).
func depthSummary(d []int) string {
	var parts []string
	for i := 0; i < len(d); i += 10 {
		parts = append(parts, fmt.Sprint(d[i]))
	}
	return "[" + strings.Join(parts, " ") + "] (once a second)"
}

// inboxes is the simulated network of shared inboxes: an
// http.RoundTripper under the node's transport (its signing, per-host
// limits and timeouts are the node's own).
type inboxes struct {
	run      DeliveryRun
	mu       sync.Mutex
	got      map[string]time.Time // host → first arrival
	inflight atomic.Int64
	maxIn    atomic.Int64
	all      chan struct{}
	once     sync.Once
}

func (ib *inboxes) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	if r.Header.Get("Signature") == "" && r.Header.Get("Signature-Input") == "" {
		return nil, errors.New("sim: an unsigned delivery")
	}
	n := ib.inflight.Add(1)
	defer ib.inflight.Add(-1)
	for {
		m := ib.maxIn.Load()
		if n <= m || ib.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	d := ib.run.RTT + ib.run.Service
	if ib.run.Jitter > 0 {
		d += rand.N(ib.run.Jitter)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return nil, r.Context().Err()
	case <-t.C:
	}
	ib.mu.Lock()
	if _, ok := ib.got[r.URL.Host]; !ok {
		ib.got[r.URL.Host] = time.Now()
		if len(ib.got) == ib.run.Followers {
			ib.once.Do(func() { close(ib.all) })
		}
	}
	ib.mu.Unlock()
	return &http.Response{StatusCode: http.StatusAccepted, Status: "202 Accepted", Proto: "HTTP/1.1", ProtoMajor: 1,
		ProtoMinor: 1, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// MeasureDelivery opens a durable store in run.Dir, starts the federation
// agent over it with the simulated inboxes, enqueues one activity to every
// follower's shared inbox as publishing does, and measures until every
// inbox has it and the queue is empty.
func MeasureDelivery(ctx context.Context, run DeliveryRun) (res DeliveryResult, err error) {
	if run.Followers < 1 {
		return res, errors.New("sim: at least one follower")
	}
	if run.BodyBytes <= 0 {
		run.BodyBytes = 3000
	}
	if run.Timeout <= 0 {
		run.Timeout = 5 * time.Minute
	}
	cfg := federation.Defaults()
	if run.Workers > 0 {
		cfg.DeliveryWorkers = run.Workers
	}
	cfg.AllowPrivateNetworks = true
	res.Followers, res.Workers = run.Followers, cfg.DeliveryWorkers

	st, err := storage.Open(filepath.Join(run.Dir, "origin.db"), storage.Options{})
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	ib := &inboxes{run: run, got: map[string]time.Time{}, all: make(chan struct{})}
	uris := protocol.NewURIs("https://origin.example.eu")
	client := federation.NewClient(cfg, uris, "sim", func(http.RoundTripper) http.RoundTripper { return ib })
	svc, err := newAgent(ctx, cfg, st, uris, client)
	if err != nil {
		return res, err
	}
	svc.Start()
	defer func() { err = errors.Join(err, svc.Close()) }()

	inboxList := make([]string, run.Followers)
	for i := range inboxList {
		inboxList[i] = fmt.Sprintf("https://follower-%04d.example.eu/inbox", i)
	}
	act := storage.Activity{IRI: uris.Activity("sim-create-1"), Type: "Create", Actor: uris.Actor(),
		ObjectIRI: "https://origin.example.eu/objects/sim-1", Published: time.Now(), Body: activityBody(uris, run.BodyBytes)}

	ctx, cancel := context.WithTimeout(ctx, run.Timeout)
	defer cancel()
	cpu0, start := cpuTime(), time.Now()
	if err := st.Queue().Enqueue(ctx, act, inboxList); err != nil {
		return res, err
	}
	svc.Kick()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	all := ib.all
	for {
		pending, err := queueDepth(ctx, st)
		if err != nil {
			return res, err
		}
		res.Depth = append(res.Depth, pending)
		if all == nil && pending == 0 {
			res.Drained = time.Since(start)
			break
		}
		select {
		case <-all:
			res.All = time.Since(start)
			all = nil
		case <-tick.C:
		case <-ctx.Done():
			ib.mu.Lock()
			got := len(ib.got)
			ib.mu.Unlock()
			return res, fmt.Errorf("sim: %d of %d inboxes reached, %d pending after %s: %w", got, run.Followers, pending, run.Timeout, ctx.Err())
		}
	}
	res.CPU = cpuTime() - cpu0
	res.CPUPer = res.CPU / time.Duration(run.Followers)
	res.Rate = float64(run.Followers) / res.All.Seconds()
	res.MaxInFlight = int(ib.maxIn.Load())
	return res, nil
}

// queueDepth is the number of pending deliveries over every host.
func queueDepth(ctx context.Context, st *storage.Store) (int, error) {
	qs, err := st.Queue().QueueStats(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, h := range qs {
		n += h.Pending
	}
	return n, nil
}

// newAgent builds the origin's federation agent over st, with a trust
// layer holding fresh keys (delivery signs with the HTTP key only).
func newAgent(ctx context.Context, cfg federation.Config, st *storage.Store, uris protocol.URIs, client *transport.Client) (*federation.Service, error) {
	key, err := httpsig.GenerateKey()
	if err != nil {
		return nil, err
	}
	_, content, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	_, fedKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	keys := trust.KeySet{Content: []trust.Key{{Kid: "content", Private: content, State: trust.KeyActive}},
		Federation: []trust.Key{{Kid: "federation", Private: fedKey, State: trust.KeyActive}}}
	tr, err := trust.New(ctx, trust.Defaults(), trust.Deps{Self: uris.Base(), Actor: uris.Actor(),
		Keys: func() trust.KeySet { return keys }, Settings: st, Registry: st.Authority(),
		Fetcher: federation.TrustFetcher(cfg, uris, client)})
	if err != nil {
		return nil, err
	}
	return federation.New(cfg, federation.Deps{Objects: st, Queue: st.Queue(), Follows: st.Follows(),
		Cosigning: st.Cosigning(), URIs: uris, HTTPKey: key, Version: "sim", Client: client, Trust: tr})
}

// activityBody is a Create of about size bytes.
func activityBody(uris protocol.URIs, size int) []byte {
	head := `{"@context":"https://www.w3.org/ns/activitystreams","type":"Create","id":"` + uris.Activity("sim-create-1") +
		`","actor":"` + uris.Actor() + `","object":{"type":"Document","content":"`
	tail := `"}}`
	pad := max(size-len(head)-len(tail), 0)
	return []byte(head + strings.Repeat("x", pad) + tail)
}
