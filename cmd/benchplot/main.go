// Command benchplot draws scaling curves from go test -bench output: it
// reads the output of one or more runs (files, or standard input), takes
// the median of each benchmark metric over the runs, and writes an SVG
// line chart with a logarithmic x axis (the corpus size: 10k, 100k, 1M
// objects) and one line per series, with a title, a description that
// lists every plotted value, axis labels and a legend, so that the chart
// reads without sight too. It also prints the medians as a Markdown table.
//
//	benchplot -o docs/benchmarks/search.svg -title "Search with facets" -ylabel ms \
//	    -series 'p50=BenchmarkSearchScale/{x}:p50-ms' \
//	    -series 'p99=BenchmarkSearchScale/{x}:p99-ms' \
//	    -target 'p99 target=20' out1.txt out2.txt out3.txt
//
// A series is "label=benchmark:unit", where {x} in the benchmark name
// takes each x value's name in turn (-x, by default 10k=10000,
// 100k=100000,1M=1000000); any benchmark and unit of the output can be
// drawn, so that the integrator's ingest benchmark is one more series.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchplot:", err)
		os.Exit(2)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchplot", flag.ContinueOnError)
	var series, targets listFlag
	out := fs.String("o", "", "the SVG file to write (required)")
	title := fs.String("title", "", "the chart's title (required)")
	desc := fs.String("desc", "", "what the chart shows, before the list of its values")
	ylabel := fs.String("ylabel", "", "the y axis label (the unit)")
	xlabel := fs.String("xlabel", "objects in the catalogue (log scale)", "the x axis label")
	xs := fs.String("x", "10k=10000,100k=100000,1M=1000000", "the x values: name=number, comma-separated")
	fs.Var(&series, "series", "label=benchmark:unit (repeatable; {x} in the benchmark stands for each x name)")
	fs.Var(&targets, "target", "label=value: a horizontal target line (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *title == "" || len(series) == 0 {
		return errors.New("-o, -title and at least one -series are required")
	}
	c := chart{Title: *title, Desc: *desc, XLabel: *xlabel, YLabel: *ylabel}
	var err error
	if c.X, err = parseXs(*xs); err != nil {
		return err
	}
	rs := results{}
	if fs.NArg() == 0 {
		if err := rs.parse(stdin, "stdin"); err != nil {
			return err
		}
	}
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = rs.parse(f, path)
		f.Close()
		if err != nil {
			return err
		}
	}
	for _, s := range series {
		line, err := c.series(rs, s)
		if err != nil {
			return err
		}
		c.Lines = append(c.Lines, line)
	}
	for _, t := range targets {
		label, v, ok := strings.Cut(t, "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil {
			return fmt.Errorf("-target %q: want label=number", t)
		}
		c.Targets = append(c.Targets, target{label, f})
	}
	svg, err := c.svg()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, svg, 0o644); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, c.table())
	return err
}

// parseXs reads "10k=10000,100k=100000".
func parseXs(s string) ([]xValue, error) {
	var out []xValue
	for part := range strings.SplitSeq(s, ",") {
		name, num, ok := strings.Cut(strings.TrimSpace(part), "=")
		v, err := strconv.ParseFloat(num, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("-x %q: want name=positive number, comma-separated", s)
		}
		if len(out) > 0 && v <= out[len(out)-1].V {
			return nil, fmt.Errorf("-x %q: values must increase", s)
		}
		out = append(out, xValue{name, v})
	}
	return out, nil
}

// series reads "label=benchmark:unit" and takes its medians from rs.
func (c *chart) series(rs results, spec string) (line, error) {
	label, rest, ok := strings.Cut(spec, "=")
	i := strings.LastIndex(rest, ":")
	if !ok || i < 0 || label == "" {
		return line{}, fmt.Errorf("-series %q: want label=benchmark:unit", spec)
	}
	l := line{Label: label, Bench: rest[:i], Unit: rest[i+1:]}
	for _, x := range c.X {
		name := strings.ReplaceAll(l.Bench, "{x}", x.Name)
		v, n := rs.median(name, l.Unit)
		l.Points = append(l.Points, point{X: x, Y: v, Runs: n})
	}
	return l, nil
}
