package node

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

// The Grafana dashboard and the Prometheus alert rules in deploy/ name only
// metrics the node exports: read from a running node's /metrics, or, for a
// metric without a sample at the moment (a per-peer gauge with no peer
// yet), described by its registry.

var metricName = regexp.MustCompile(`\binterlink_[a-z0-9_]+\b`)

// exportedMetrics are the names in a node's /metrics and its registry's
// descriptions.
func exportedMetrics(t *testing.T, tn *testNode) (scraped, described map[string]bool) {
	t.Helper()
	scraped, described = map[string]bool{}, map[string]bool{}
	for _, name := range metricName.FindAllString(string(tn.get("/metrics").body), -1) {
		scraped[name] = true
	}
	ch := make(chan *prometheus.Desc, 1024)
	go func() { tn.n.metrics.reg.Describe(ch); close(ch) }()
	fq := regexp.MustCompile(`fqName: "([a-z0-9_:]+)"`)
	for d := range ch {
		if m := fq.FindStringSubmatch(d.String()); m != nil {
			described[m[1]] = true
		}
	}
	return scraped, described
}

// baseName strips the series suffixes of histograms and summaries.
func baseName(name string, known map[string]bool) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if b, ok := strings.CutSuffix(name, suffix); ok && known[b] {
			return b
		}
	}
	return name
}

func TestMonitoringFilesNameExportedMetrics(t *testing.T) {
	tn := startNode(t, t.TempDir(), "127.0.0.1")
	scraped, described := exportedMetrics(t, tn)
	for _, always := range []string{"interlink_deliveries_total", "interlink_inbox_requests_total", "interlink_trust_own_chain",
		"interlink_delivery_queue_stuck", "interlink_index_lag_changes", "interlink_trust_signers", "interlink_backfills_running"} {
		if !scraped[always] {
			t.Errorf("/metrics lacks %s", always)
		}
	}
	check := func(file, expr string) {
		t.Helper()
		if strings.Count(expr, "(") != strings.Count(expr, ")") || strings.Count(expr, "{") != strings.Count(expr, "}") {
			t.Errorf("%s: unbalanced expression %q", file, expr)
		}
		names := metricName.FindAllString(expr, -1)
		if len(names) == 0 {
			t.Errorf("%s: %q names no interlink metric", file, expr)
		}
		for _, n := range names {
			b := baseName(n, described)
			if !scraped[n] && !described[b] {
				t.Errorf("%s uses %s, which the node does not export", file, n)
			}
		}
	}

	raw, err := os.ReadFile(filepath.Join("..", "deploy", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Title  string `json:"title"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	exprs := 0
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs++
			check("grafana-dashboard.json", tg.Expr)
		}
	}
	if dash.UID == "" || dash.Title == "" || exprs < 15 {
		t.Fatalf("dashboard: uid %q, title %q, %d queries", dash.UID, dash.Title, exprs)
	}

	raw, err = os.ReadFile(filepath.Join("..", "deploy", "prometheus-alerts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("prometheus-alerts.yaml: %v", err)
	}
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s lacks a severity or a summary", r.Alert)
			}
			check("prometheus-alerts.yaml", r.Expr)
		}
	}
	// The alerts the operators' brief asks for.
	for _, want := range []string{"InterlinkDeliveryQueueStuck", "InterlinkDeadLettersGrowing", "InterlinkOwnTrustChainUnverified",
		"InterlinkSignaturesExpireSoon", "InterlinkSearchIndexLagging", "InterlinkGossipMembersFailed", "InterlinkInboxRefusalSpike"} {
		if !alerts[want] {
			t.Errorf("prometheus-alerts.yaml lacks %s", want)
		}
	}
}
