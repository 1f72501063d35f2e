package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// runOutput is three runs of two sizes, with logs and a 1M size missing.
const runOutput = `goos: linux
goarch: amd64
BenchmarkSearchScale/10k-2   1000  4911829 ns/op  2.0 cpu-ms/query  51.87 matches/query  1.0 p50-ms  60.5 p99-ms
    bench_scale_test.go:55: a log line
BenchmarkSearchScale/100k-2  1000  4911829 ns/op  3.0 p50-ms  20 p99-ms
BenchmarkSearchScale/10k-2   1000  4911829 ns/op  3.0 p50-ms  50.5 p99-ms
BenchmarkSearchScale/100k-2  1000  4911829 ns/op  5.0 p50-ms  30 p99-ms
BenchmarkSearchScale/10k-2   2026/12/07 14:31:15 INFO a log line that splits the result
    1000  4911829 ns/op  2.0 p50-ms  40.5 p99-ms
BenchmarkSearchScale/100k-2  1000  4911829 ns/op  4.0 p50-ms  25 p99-ms
2026/12/07 14:31:15 INFO created empty search index
BenchmarkSearchScale building the corpus
PASS
ok  	github.com/interlink-project/interlink-node/storage/search	5.671s
`

func TestParseMedians(t *testing.T) {
	rs := results{}
	if err := rs.parse(strings.NewReader(runOutput), "out"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, unit string
		want       float64
		runs       int
	}{
		{"BenchmarkSearchScale/10k", "p99-ms", 50.5, 3},
		{"BenchmarkSearchScale/100k", "p50-ms", 4, 3},
		{"BenchmarkSearchScale/10k", "matches/query", 51.87, 1},
		{"BenchmarkSearchScale/1M", "p99-ms", 0, 0},
	} {
		got, n := rs.median(tc.name, tc.unit)
		if got != tc.want || n != tc.runs {
			t.Errorf("median(%s, %s) = %v over %d runs, want %v over %d", tc.name, tc.unit, got, n, tc.want, tc.runs)
		}
	}
	// An even number of runs takes the mean of the middle two.
	rs2 := results{}
	_ = rs2.parse(strings.NewReader("BenchmarkX-2 1 1 ns/op 1 a\nBenchmarkX-2 1 1 ns/op 4 a\n"), "x")
	if got, _ := rs2.median("BenchmarkX", "a"); got != 2.5 {
		t.Errorf("median of 1 and 4 = %v, want 2.5", got)
	}
	for _, bad := range []string{"BenchmarkX-2 1 abc ns/op\n", "BenchmarkX-2 1 NaN ns/op\n", "BenchmarkX-2 1 +Inf ns/op\n"} {
		if err := (results{}).parse(strings.NewReader(bad), "bad"); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// TestRunWritesAccessibleSVG runs the command over two files and checks
// the SVG: well-formed, titled and described with every value, a log x
// axis, a line per series, the missing size said and not drawn.
func TestRunWritesAccessibleSVG(t *testing.T) {
	dir := t.TempDir()
	lines := strings.SplitAfter(runOutput, "\n")
	in1, in2 := filepath.Join(dir, "1.txt"), filepath.Join(dir, "2.txt")
	if err := os.WriteFile(in1, []byte(strings.Join(lines[:6], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in2, []byte(strings.Join(lines[6:], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "search.svg")
	var table bytes.Buffer
	err := run([]string{"-o", out, "-title", "Search with facets", "-ylabel", "ms",
		"-series", "p50=BenchmarkSearchScale/{x}:p50-ms", "-series", "p99=BenchmarkSearchScale/{x}:p99-ms",
		"-target", "p99 target=20", in1, in2}, nil, &table)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Role    string   `xml:"role,attr"`
		Title   string   `xml:"title"`
		Desc    string   `xml:"desc"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("the SVG is not well-formed XML: %v", err)
	}
	if doc.Role != "img" || doc.Title != "Search with facets" {
		t.Errorf("role %q, title %q", doc.Role, doc.Title)
	}
	for _, want := range []string{"p50: 10k 2, 100k 4, 1M not measured", "p99: 10k 50.5, 100k 25, 1M not measured", "p99 target: 20", "log scale"} {
		if !strings.Contains(doc.Desc, want) {
			t.Errorf("desc %q lacks %q", doc.Desc, want)
		}
	}
	var drawn [][]float64
	for _, m := range regexp.MustCompile(`<polyline points="([^"]*)"`).FindAllStringSubmatch(string(svg), -1) {
		var xs []float64
		for _, p := range strings.Fields(m[1]) {
			x, _, _ := strings.Cut(p, ",")
			f, _ := strconv.ParseFloat(x, 64)
			xs = append(xs, f)
		}
		drawn = append(drawn, xs)
	}
	if len(drawn) != 2 {
		t.Fatalf("%d lines drawn, want 2", len(drawn))
	}
	// On the log axis 10k → 100k is as long as 100k → 1M would be: the two
	// drawn points are a third of the decades' span apart (with the margins).
	c := chart{X: []xValue{{"10k", 1e4}, {"100k", 1e5}, {"1M", 1e6}}}
	if d := drawn[0][1] - drawn[0][0]; d < c.xPos(1e5)-c.xPos(1e4)-0.2 || d > c.xPos(1e6)-c.xPos(1e5)+0.2 {
		t.Errorf("10k and 100k are %.1f apart on the x axis, want %.1f", d, c.xPos(1e5)-c.xPos(1e4))
	}
	if !regexp.MustCompile(`\| p99 \| 50\.5 \(3\) \| 25 \(3\) \| – \|`).MatchString(table.String()) {
		t.Errorf("table:\n%s", table.String())
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-title", "t", "-series", "a=B:u"},                                    // no -o
		{"-o", "x.svg", "-title", "t", "-series", "nolabel"},                   // bad series
		{"-o", "x.svg", "-title", "t", "-series", "a=B:u", "-x", "1M=1,10k=0"}, // bad xs
		{"-o", "x.svg", "-title", "t", "-series", "a=B:u", "-target", "t"},     // bad target
	} {
		if err := run(args, strings.NewReader(""), io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

// FuzzParse: any input parses or is refused with an error, never a panic,
// and every kept value is a number.
func FuzzParse(f *testing.F) {
	f.Add(runOutput)
	f.Add("BenchmarkX-2 1 1 ns/op 2 a 3\n")
	f.Add("BenchmarkX-2 log\n  5 1 ns/op 2 a\n")
	f.Add("BenchmarkX-2 1 NaN ns/op\n")
	f.Fuzz(func(t *testing.T, in string) {
		rs := results{}
		if err := rs.parse(strings.NewReader(in), "fuzz"); err != nil {
			return
		}
		for name, units := range rs {
			for unit := range units {
				if v, n := rs.median(name, unit); n == 0 || v != v {
					t.Fatalf("%s %s: median %v over %d runs", name, unit, v, n)
				}
			}
		}
	})
}
