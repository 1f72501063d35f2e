package node

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the node's own Prometheus registry (no global state).
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	equivocation prometheus.Counter
	deliveries   *prometheus.CounterVec // by outcome (metrics_fed.go)
	backfills    *prometheus.CounterVec // finished backfills by outcome
	inbox        *prometheus.CounterVec // inbox POSTs by outcome and problem type
}

// newMetrics makes the registry; its collectors read the live data layer
// at scrape time, under the gate.
func newMetrics(g *gate, data *live) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "interlink", Name: "http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "interlink", Name: "http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
		equivocation: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "interlink", Name: "trust_equivocations_detected_total",
			Help: "Pieces of evidence, since start, that a signer signed two different versions with one number (GET /api/v1/trust/equivocations).",
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "interlink", Name: "deliveries_total",
			Help: "Delivery attempts by outcome: delivered, retry (failed, tried again later) or dead (given up, kept as a dead letter).",
		}, []string{"outcome"}),
		backfills: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "interlink", Name: "backfills_total", Help: "Finished backfills of followed peers' outboxes by outcome (ok, failed).",
		}, []string{"outcome"}),
		inbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "interlink", Name: "inbox_requests_total",
			Help: "Activities POSTed to the inboxes by outcome (accepted, refused: 4xx, failed: 5xx) and reason (the problem type's name; \"\" when accepted).",
		}, []string{"outcome", "reason"}),
	}
	for _, o := range []string{outcomeDelivered, outcomeRetry, outcomeDead} {
		m.deliveries.WithLabelValues(o)
	}
	for _, o := range []string{"ok", "failed"} {
		m.backfills.WithLabelValues(o)
	}
	m.inbox.WithLabelValues("accepted", "")
	m.reg.MustRegister(m.deliveries, m.backfills, m.inbox)
	m.reg.MustRegister(m.requests, m.latency, m.equivocation,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&stateCollector{gate: g, data: data})
	return m
}

func (m *metrics) observe(route, method string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// inboxRoutes are the routes whose requests count in inbox_requests_total.
var inboxRoutes = map[string]bool{"ap.inbox": true, "ap.shared_inbox": true}

// countInbox counts one inbox request by its status and problem type.
func (m *metrics) countInbox(status int, problem string) {
	outcome := "accepted"
	switch {
	case status >= 500:
		outcome = "failed"
	case status >= 400:
		outcome = "refused"
	}
	if outcome != "accepted" && problem == "" {
		problem = "unknown"
	}
	if outcome == "accepted" {
		problem = ""
	}
	m.inbox.WithLabelValues(outcome, problem).Inc()
}

// countEquivocation counts a new piece of equivocation evidence (the
// federation agent reports it).
func (m *metrics) countEquivocation() { m.equivocation.Inc() }

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// stateCollector reads the node's state at scrape time: objects by type,
// index lag, database size.
type stateCollector struct {
	gate *gate
	data *live
}

var (
	descObjects  = prometheus.NewDesc("interlink_objects", "Live objects by type.", []string{"type"}, nil)
	descIndexLag = prometheus.NewDesc("interlink_index_lag_changes", "Committed changes the search index has not applied yet.", nil, nil)
	descDBSize   = prometheus.NewDesc("interlink_database_size_bytes", "Size of the database file.", nil, nil)
	descReady    = prometheus.NewDesc("interlink_index_ready", "1 when the search index has caught up since start.", nil, nil)
	descEquivoc  = prometheus.NewDesc("interlink_trust_equivocations", "Equivocation evidence kept (two versions with one number, one signer).", nil, nil)
)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descObjects
	ch <- descIndexLag
	ch <- descDBSize
	ch <- descReady
	ch <- descEquivoc
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	c.gate.tryDo(func() { // not while a restore is swapping the database
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		st, ix := c.data.store(), c.data.index()
		if ev, err := st.Equivocations(ctx); err == nil {
			ch <- prometheus.MustNewConstMetric(descEquivoc, prometheus.GaugeValue, float64(len(ev)))
		}
		if counts, err := st.Counts(ctx); err == nil {
			for k, v := range counts {
				ch <- prometheus.MustNewConstMetric(descObjects, prometheus.GaugeValue, float64(v), string(k))
			}
		}
		seq, done := st.Seq(), ix.IndexedSeq()
		lag := 0.0
		if seq > done {
			lag = float64(seq - done)
		}
		ch <- prometheus.MustNewConstMetric(descIndexLag, prometheus.GaugeValue, lag)
		ch <- prometheus.MustNewConstMetric(descDBSize, prometheus.GaugeValue, float64(st.Size()))
		ready := 0.0
		if ix.Ready() {
			ready = 1
		}
		ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, ready)
	})
}
