package scenario

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"
)

// Report holds a run's measurements.
type Report struct {
	Scenario string
	Nodes    int
	Duration time.Duration

	mu sync.Mutex
	// Samples are publish-to-verified-everywhere latencies.
	Samples []time.Duration
	// Figures are timed checks by name (heal-convergence, ...).
	Figures map[string]time.Duration
	// Losses are the last no-loss evaluations by object sets.
	Losses map[string]Loss
}

// Loss is what a no-loss check found.
type Loss struct {
	Acknowledged int `json:"acknowledged"`
	Lost         int `json:"lost"`
	Duplicated   int `json:"duplicated"`
}

func (r *Report) addSample(d time.Duration) {
	r.mu.Lock()
	r.Samples = append(r.Samples, d)
	r.mu.Unlock()
}

func (r *Report) addFigure(name string, d time.Duration) {
	r.mu.Lock()
	if r.Figures == nil {
		r.Figures = map[string]time.Duration{}
	}
	r.Figures[name] = d
	r.mu.Unlock()
}

func (r *Report) setLoss(sets string, acked, lost, dup int) {
	r.mu.Lock()
	if r.Losses == nil {
		r.Losses = map[string]Loss{}
	}
	r.Losses[sets] = Loss{Acknowledged: acked, Lost: lost, Duplicated: dup}
	r.mu.Unlock()
}

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// Write prints the measurements, one per line.
func (r *Report) Write(w io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(w, "measurements of %s (%d nodes, %s):\n", r.Scenario, r.Nodes, round(r.Duration))
	if len(r.Samples) > 0 {
		fmt.Fprintf(w, "  publish-to-verified-everywhere: p50 %s, p99 %s, max %s (%d samples)\n",
			round(Percentile(r.Samples, 50)), round(Percentile(r.Samples, 99)), round(slices.Max(r.Samples)), len(r.Samples))
	}
	for _, name := range slices.Sorted(maps.Keys(r.Figures)) {
		fmt.Fprintf(w, "  %s: %s\n", name, round(r.Figures[name]))
	}
	for _, name := range slices.Sorted(maps.Keys(r.Losses)) {
		l := r.Losses[name]
		fmt.Fprintf(w, "  objects lost or duplicated (%s): %d lost, %d duplicated of %d acknowledged\n", name, l.Lost, l.Duplicated, l.Acknowledged)
	}
}

// Summary is a report as data (`testnet run --json`); durations in
// milliseconds.
type Summary struct {
	Scenario   string  `json:"scenario"`
	Nodes      int     `json:"nodes"`
	DurationMS float64 `json:"duration_ms"`
	// Publish is publish-to-verified-everywhere, when the run measured it.
	Publish *LatencySummary `json:"publish_to_verified,omitempty"`
	// Figures are timed checks by name (heal-convergence, revocation-propagation, ...).
	Figures map[string]float64 `json:"figures_ms"`
	// Losses are the last no-loss evaluations by object sets.
	Losses map[string]Loss `json:"losses"`
}

// LatencySummary summarises latency samples.
type LatencySummary struct {
	Samples int     `json:"samples"`
	P50MS   float64 `json:"p50_ms"`
	P99MS   float64 `json:"p99_ms"`
	MaxMS   float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Summary is the report as data.
func (r *Report) Summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{Scenario: r.Scenario, Nodes: r.Nodes, DurationMS: ms(r.Duration),
		Figures: map[string]float64{}, Losses: map[string]Loss{}}
	if len(r.Samples) > 0 {
		s.Publish = &LatencySummary{Samples: len(r.Samples), P50MS: ms(Percentile(r.Samples, 50)),
			P99MS: ms(Percentile(r.Samples, 99)), MaxMS: ms(slices.Max(r.Samples))}
	}
	for k, v := range r.Figures {
		s.Figures[k] = ms(v)
	}
	maps.Copy(s.Losses, r.Losses)
	return s
}
