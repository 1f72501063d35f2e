package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestShippedScenarios: every file in configs/scenarios (the pilot
// federation's) and configs/scale (a synthetic federation's) parses.
func TestShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("../../configs/scenarios/*.yaml")
	scale, _ := filepath.Glob("../../configs/scale/*.yaml")
	files = append(files, scale...)
	if err != nil || len(files) < 5 {
		t.Fatalf("want the five pilot scenarios and more, found %v (%v)", files, err)
	}
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(s.Steps) == 0 || s.Name == "" {
			t.Fatalf("%s: empty", f)
		}
	}
}

func TestParse(t *testing.T) {
	s, err := Parse([]byte(`
name: demo
nodes: [a, b]
timeout: 1m
steps:
  - publish: {node: a, kind: service, as: svc, count: 3, measure: true}
  - publish: {nodes: all, kind: interlinker, as: load, count: 10, concurrency: 2, background: true}
  - publish: {node: b, as: inline, draft: true, object: {type: PublicService, identifier: "x-${run}"}}
  - co-sign: {node: a, draft: inline}
  - adopt: {node: b, object: svc, as: adoption}
  - follow: {node: a, target: b}
  - kill: a
  - stop: {node: b}
  - start: a
  - partition: "a, b / c"
  - partition: [[a], [b, c]]
  - heal: {}
  - heal:
  - slow: {node: a, latency: 200ms}
  - clock-skew: {node: a, skew: "+10m"}
  - revoke: {anchor: a, node: b}
  - sleep: 1s
  - wait-load: load
  - wait-until: {converged: {on: all}, timeout: 10s, measure: heal-convergence}
  - assert: {visible: {object: svc, on: {all-but: [b]}, verified: true, signers: 1}, within: 5s}
  - assert: {absent: {objects: [svc, load], on: [a, b]}, for: 2s}
  - assert: {not-verified: {object: svc, on: a}}
  - assert: {no-loss: {object: load}}
  - assert: {adoptions: {object: svc, on: [a]}}
  - assert: {counts-equal: {}}
  - assert: {running: {on: all}}
  - assert: {chain: {node: a, status: verified}}
  - wait-until: {members: {on: {all-but: [a]}, gone: a}, timeout: 10s}
  - wait-until: {members: {}, timeout: 10s, measure: gossip-join, from: start}
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Timeout != time.Minute || len(s.Steps) != 29 {
		t.Fatalf("timeout %s, %d steps", s.Timeout, len(s.Steps))
	}
	p := s.Steps[0].Publish
	if p.Count != 3 || p.Concurrency != 1 || !p.Measure || p.Timeout != time.Minute || p.Nodes.Names[0] != "a" {
		t.Fatalf("publish %+v", p)
	}
	if !s.Steps[1].Publish.Nodes.All {
		t.Fatal("nodes: all")
	}
	if g := s.Steps[9].Partition; len(g) != 2 || len(g[0]) != 2 || g[1][0] != "c" {
		t.Fatalf("partition %v", g)
	}
	if c := s.Steps[19].Check; !c.Visible.On.All || c.Visible.On.Except[0] != "b" || c.Within != 5*time.Second {
		t.Fatalf("check %+v", c.Visible)
	}
	if c := s.Steps[21].Check; c.Within != 10*time.Second {
		t.Fatalf("default within %s", c.Within)
	}
	if s.Steps[23].Check.Adoptions.Min != 1 {
		t.Fatal("adoptions min defaults to 1")
	}
	if m := s.Steps[27].Check.Members; m == nil || m.Gone.Names[0] != "a" || m.On.Except[0] != "a" || !m.Alive.IsZero() {
		t.Fatalf("members gone %+v", m)
	}
	if c := s.Steps[28].Check; c.Members == nil || c.From != fromStart || c.Measure != "gossip-join" {
		t.Fatalf("members alive %+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	head := "name: x\nsteps:\n"
	tests := []struct{ name, yaml, want string }{
		{"empty", ``, "empty file"},
		{"no name", "steps: [{heal: {}}]", "name is required"},
		{"no steps", "name: x\n", "at least one step"},
		{"unknown top key", "name: x\nsetps: []\n", "setps"},
		{"unknown action", head + "  - explode: a\n", `unknown action "explode"`},
		{"two actions", head + "  - {kill: a, start: a}\n", "exactly one action"},
		{"unknown field", head + "  - publish: {node: a, kind: service, as: s, colour: red}\n", "colour"},
		{"bad kind", head + "  - publish: {node: a, kind: car, as: s}\n", "kind"},
		{"node and nodes", head + "  - publish: {node: a, nodes: [b], kind: service, as: s}\n", "exclude"},
		{"measure in background", head + "  - publish: {node: a, kind: service, as: s, measure: true, background: true}\n", "measure"},
		{"bad node name", head + "  - kill: A_B\n", "not a node name"},
		{"heal with args", head + "  - heal: now\n", "no arguments"},
		{"bad sleep", head + "  - sleep: soon\n", "sleep"},
		{"bad skew", head + "  - clock-skew: {node: a, skew: ten}\n", "signed duration"},
		{"two conditions", head + "  - assert: {converged: {}, running: {}}\n", "exactly one condition"},
		{"no condition", head + "  - assert: {within: 1s}\n", "exactly one condition"},
		{"assert with timeout", head + "  - assert: {running: {}, timeout: 1s}\n", "within"},
		{"wait-until with for", head + "  - wait-until: {running: {}, for: 1s}\n", "timeout"},
		{"unknown set", head + "  - assert: {visible: {object: nothing}}\n", "not published"},
		{"wait-load of no load", head + "  - publish: {node: a, kind: service, as: s}\n  - wait-load: s\n", "no earlier background"},
		{"members alive and gone", head + "  - assert: {members: {alive: a, gone: b}}\n", "alive or gone, not both"},
		{"members bad set", head + "  - assert: {members: {on: {some: [a]}}}\n", "some"},
		{"from start without start", head + "  - wait-until: {members: {}, timeout: 5s, measure: j, from: start}\n", "no earlier start step"},
		{"bad from", head + "  - wait-until: {members: {}, timeout: 5s, measure: j, from: dawn}\n", "not check, heal, revoke-key or start"},
		{"bad chain status", head + "  - assert: {chain: {node: a, status: fine}}\n", "chain.status"},
		{"partition empty group", head + "  - partition: \"a / \"\n", "empty group"},
		{"huge count", head + "  - publish: {node: a, kind: service, as: s, count: 1000000}\n", "count"},
		{"negative duration", head + "  - sleep: -1s\n", "not within"},
		{"bad node set", head + "  - publish: {node: a, kind: service, as: s}\n  - assert: {visible: {object: s, on: {some: [a]}}}\n", "some"},
		{"delete of no set", head + "  - delete: s\n", "not published"},
		{"delete with a mapping", head + "  - delete: {object: s}\n", "name of a published set"},
		{"reinstate without anchor", head + "  - reinstate: {node: a}\n", `"" is not a node name`},
		{"reinstate unknown field", head + "  - reinstate: {anchor: a, node: b, reason: x}\n", "reason"},
		{"rotate-key without node", head + "  - rotate-key: {}\n", `"" is not a node name`},
		{"rotate-key with reason", head + "  - rotate-key: {node: a, reason: x}\n", "reason"},
		{"rotate-key bad node", head + "  - rotate-key: A\n", `"A" is not a node name`},
		{"revoke-key before rotate-key", head + "  - revoke-key: {node: a}\n", "no earlier rotate-key on a"},
		{"revoke-key of another node", head + "  - rotate-key: {node: b}\n  - revoke-key: {node: a}\n", "no earlier rotate-key on a"},
		{"revoke-key long reason", head + "  - rotate-key: {node: a}\n  - revoke-key: {node: a, reason: " + strings.Repeat("x", 513) + "}\n", "512 bytes"},
		{"revoke-key unknown field", head + "  - rotate-key: {node: a}\n  - revoke-key: {node: a, kid: k}\n", "kid"},
		{"forge without key", head + "  - rotate-key: {node: a}\n  - forge: {node: a, as: f}\n", `key "" is not retired`},
		{"forge bad key", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: stolen, as: f}\n", `key "stolen" is not retired`},
		{"forge active before-retirement", head + "  - forge: {node: a, key: active, as: f, iat: before-retirement}\n", "iat before-retirement needs key retired or revoked"},
		{"forge-until-refused active without revoke", head + "  - forge-until-refused: {node: a, key: active, as: f}\n", "no earlier revoke of a"},
		{"forge-until-refused active after another's revoke", head + "  - revoke: {anchor: b, node: c}\n  - forge-until-refused: {node: a, key: active, as: f}\n", "no earlier revoke of a"},
		{"forge without as", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired}\n", "as:"},
		{"forge retired before rotate-key", head + "  - forge: {node: a, key: retired, as: f}\n", "no earlier rotate-key on a"},
		{"forge revoked before revoke-key", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: revoked, as: f}\n", "no earlier revoke-key on a"},
		{"forge bad iat", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired, as: f, iat: yesterday}\n", `iat "yesterday"`},
		{"forge bad expect", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired, as: f, expect: ignored}\n", `expect "ignored"`},
		{"forge to itself", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired, as: f, on: [a, b]}\n", "a is the node whose key is forged"},
		{"forge with timeout", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired, as: f, timeout: 5s}\n", "belong to forge-until-refused"},
		{"forge with measure", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired, as: f, measure: m}\n", "belong to forge-until-refused"},
		{"forge with every", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired, as: f, every: 1s}\n", "belong to forge-until-refused"},
		{"forge-until-refused too often", head + "  - rotate-key: {node: a}\n  - forge-until-refused: {node: a, key: retired, as: f, every: 1ms}\n", "every: 1ms is not within"},
		{"forge-until-refused with expect", head + "  - rotate-key: {node: a}\n  - forge-until-refused: {node: a, key: retired, as: f, expect: refused}\n", "takes no expect"},
		{"forge-until-refused huge timeout", head + "  - rotate-key: {node: a}\n  - forge-until-refused: {node: a, key: retired, as: f, timeout: 2h}\n", "timeout: 2h0m0s is not within"},
		{"forge-until-refused bad measure", head + "  - rotate-key: {node: a}\n  - forge-until-refused: {node: a, key: retired, as: f, measure: Bad Name}\n", "measure:"},
		{"forge unknown field", head + "  - rotate-key: {node: a}\n  - forge: {node: a, key: retired, as: f, kid: k}\n", "kid"},
		{"from without measure", head + "  - assert: {running: {}, from: heal}\n", "give measure"},
		{"bad from", head + "  - assert: {running: {}, measure: m, from: dawn}\n", `from "dawn"`},
		{"from revoke-key without one", head + "  - assert: {running: {}, measure: m, from: revoke-key}\n", "no earlier revoke-key step"},
		{"process doing two things", head + "  - process: {node: a, process: p, tasks: 2, updates: 1}\n", "does one thing"},
		{"process doing nothing", head + "  - process: {node: a, process: p}\n", "does one thing"},
		{"process without a node", head + "  - process: {process: p, tasks: 1}\n", "is not a node name"},
		{"process measure without changes", head + "  - process: {node: a, process: p, accept: true, measure: [b]}\n", "only with tasks or updates"},
		{"process unknown field", head + "  - process: {node: a, process: p, tasks: 1, stories: 2}\n", "stories"},
		{"process too many tasks", head + "  - process: {node: a, process: p, tasks: 5000}\n", "0 to 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseKeySteps(t *testing.T) {
	s, err := Parse([]byte(`
name: keys
steps:
  - rotate-key: x
  - forge: {node: x, key: retired, as: old}
  - revoke-key: {node: x}
  - forge-until-refused: {node: x, key: revoked, as: late, iat: before-retirement, measure: key-revocation-refused, every: 20ms}
  - forge: {node: x, key: revoked, as: later, on: {all-but: [y]}, expect: refused}
  - rotate-key: {node: x}
  - revoke-key: {node: x, reason: stolen laptop}
  - wait-until: {not-verified: {objects: [old, late, later]}, timeout: 30s, measure: rejudged, from: revoke-key}
  - wait-until: {converged: {}, timeout: 5s, measure: heal-convergence}
  - assert: {running: {}, measure: plain}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		step int
		ok   func(Step) bool
	}{
		{0, func(st Step) bool { return st.Action == "rotate-key" && st.RotateKey.Node == "x" }},
		{1, func(st Step) bool {
			f := st.Forge
			return st.Action == "forge" && f.Key == forgeRetired && f.As == "old" && f.Iat == iatNow && f.Expect == "" &&
				f.Timeout == 0 && f.On.IsZero()
		}},
		{2, func(st Step) bool {
			return st.RevokeKey.Node == "x" && st.RevokeKey.Reason == "revoked by a testnet scenario"
		}},
		{3, func(st Step) bool {
			f := st.Forge
			return st.Action == "forge-until-refused" && f.Key == forgeRevoked && f.Iat == iatBeforeRetirement &&
				f.Timeout == defaultRefusalTimeout && f.Measure == "key-revocation-refused" && f.Every == 20*time.Millisecond
		}},
		{4, func(st Step) bool {
			f := st.Forge
			return f.Expect == expectRefused && f.On.All && len(f.On.Except) == 1 && f.On.Except[0] == "y"
		}},
		{5, func(st Step) bool { return st.RotateKey.Node == "x" }},
		{6, func(st Step) bool { return st.RevokeKey.Reason == "stolen laptop" }},
		{7, func(st Step) bool { return st.Check.From == fromRevokeKey && len(st.Check.NotVerified.Objects) == 3 }},
		{8, func(st Step) bool { return st.Check.From == fromHeal }},
		{9, func(st Step) bool { return st.Check.From == fromCheck }},
	}
	if len(s.Steps) != len(tests) {
		t.Fatalf("%d steps, want %d", len(s.Steps), len(tests))
	}
	for _, tt := range tests {
		if st := s.Steps[tt.step]; !tt.ok(st) {
			t.Errorf("step %d (%s) parsed as %+v / forge %+v", tt.step+1, st.Action, st, st.Forge)
		}
	}
	for i, want := range []string{"rotate-key x", "forge old with x's retired content key (iat now)", "revoke-key x",
		"forge-until-refused late with x's revoked content key (iat before-retirement)"} {
		if got := describe(s.Steps[i]); got != want {
			t.Errorf("describe(step %d) = %q, want %q", i+1, got, want)
		}
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		v                 verdict
		accepted, refused bool
		str               string
	}{
		{verdict{status: 202}, true, false, "202"},
		{verdict{status: 403, problem: "key-revoked"}, false, true, "403 key-revoked"},
		{verdict{status: 422, detail: "bad"}, false, true, "422 bad"},
		{verdict{status: 429, problem: "rate-limited"}, false, false, "429 rate-limited"},
		{verdict{status: 503, problem: "unverified-signer"}, false, false, "503 unverified-signer"},
	}
	for _, tt := range tests {
		if tt.v.accepted() != tt.accepted || tt.v.refused() != tt.refused || tt.v.String() != tt.str {
			t.Errorf("%+v: accepted %v refused %v %q, want %v %v %q", tt.v, tt.v.accepted(), tt.v.refused(), tt.v.String(),
				tt.accepted, tt.refused, tt.str)
		}
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(5, 1, 4, 2, 3), 50, 3 * time.Millisecond},
		{ms(5, 1, 4, 2, 3), 99, 5 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 50, 5 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Percentile(tt.in, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.in, tt.p, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../../configs/scenarios/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("name: x\nsteps:\n  - partition: [[a], [b]]\n  - heal:\n"))
	f.Add([]byte("name: x\nsteps:\n  - start: a\n  - wait-until: {members: {on: all, gone: [a]}, timeout: 1s, measure: j, from: start}\n"))
	f.Add([]byte("name: x\nsteps:\n  - assert: {running: {on: {all-but: [a]}}}\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := Parse(raw)
		if err != nil {
			return
		}
		// Whatever parses is runnable: one action per step, a positive timeout.
		if s.Timeout <= 0 || len(s.Steps) == 0 {
			t.Fatalf("accepted a scenario with timeout %s and %d steps", s.Timeout, len(s.Steps))
		}
		for _, st := range s.Steps {
			if st.Action == "" {
				t.Fatal("a step without action")
			}
			if st.Check != nil && st.Check.Within == 0 && st.Check.Timeout == 0 && st.Check.For == 0 {
				t.Fatal("a check without a time")
			}
		}
	})
}

// Summary is the report as data (testnet run --json), in milliseconds.
func TestReportSummary(t *testing.T) {
	r := &Report{Scenario: "s", Nodes: 3, Duration: 2500 * time.Millisecond}
	empty := r.Summary()
	if empty.Publish != nil || empty.Figures == nil || empty.Losses == nil || empty.DurationMS != 2500 {
		t.Fatalf("summary without measurements: %+v", empty)
	}
	for _, d := range []time.Duration{30, 10, 20} {
		r.addSample(d * time.Millisecond)
	}
	r.addFigure("revocation-propagation", 5050*time.Millisecond)
	r.setLoss("load", 150, 0, 1)
	s := r.Summary()
	if s.Publish == nil || s.Publish.Samples != 3 || s.Publish.P50MS != 20 || s.Publish.P99MS != 30 || s.Publish.MaxMS != 30 ||
		s.Figures["revocation-propagation"] != 5050 || s.Losses["load"] != (Loss{Acknowledged: 150, Duplicated: 1}) {
		t.Fatalf("summary %+v (publish %+v)", s, s.Publish)
	}
}

func TestPollEvery(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{{1, 10 * time.Millisecond}, {8, 10 * time.Millisecond}, {9, 11250 * time.Microsecond}, {64, 80 * time.Millisecond}} {
		if got := pollEvery(tt.n); got != tt.want {
			t.Errorf("pollEvery(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}
