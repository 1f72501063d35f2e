package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

type xValue struct {
	Name string
	V    float64
}

type point struct {
	X    xValue
	Y    float64
	Runs int // 0: not measured
}

type line struct {
	Label, Bench, Unit string
	Points             []point
}

type target struct {
	Label string
	V     float64
}

type chart struct {
	Title, Desc, XLabel, YLabel string
	X                           []xValue
	Lines                       []line
	Targets                     []target
}

// Geometry of the drawing, in SVG units.
const (
	width, height               = 720, 420
	left, right, top, bottom    = 80, 190, 50, 60
	plotW, plotH                = width - left - right, height - top - bottom
	legendX                     = width - right + 20
	fontFamily                  = "system-ui, sans-serif"
	axisColour, gridColour, ink = "#444", "#ddd", "#111"
)

// palette: colours that stay apart for the common colour-vision
// deficiencies (Okabe-Ito), each with its own dash and marker, so that no
// line is told from another by colour alone.
var palette = []struct{ colour, dash, marker string }{
	{"#0072B2", "", "circle"},
	{"#D55E00", "6 3", "square"},
	{"#009E73", "2 3", "triangle"},
	{"#CC79A7", "8 3 2 3", "diamond"},
	{"#E69F00", "4 4", "circle"},
	{"#56B4E9", "1 2", "square"},
}

// xPos places x on the logarithmic axis.
func (c *chart) xPos(x float64) float64 {
	lo, hi := math.Log10(c.X[0].V), math.Log10(c.X[len(c.X)-1].V)
	if hi == lo {
		return left + plotW/2
	}
	// A margin of a tenth of the span on each side keeps the end points
	// off the axes.
	span := hi - lo
	lo, hi = lo-span/10, hi+span/10
	return left + (math.Log10(x)-lo)/(hi-lo)*plotW
}

// yMax is the top of the y axis: a round number above every value and
// target.
func (c *chart) yMax() float64 {
	m := 0.0
	for _, l := range c.Lines {
		for _, p := range l.Points {
			if p.Runs > 0 {
				m = math.Max(m, p.Y)
			}
		}
	}
	for _, t := range c.Targets {
		m = math.Max(m, t.V)
	}
	if m <= 0 {
		return 1
	}
	step := niceStep(m * 1.1 / 5)
	return math.Ceil(m*1.1/step) * step
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func (c *chart) yPos(y, ymax float64) float64 { return top + plotH - y/ymax*plotH }

func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// svg renders the chart.
func (c *chart) svg() ([]byte, error) {
	if len(c.X) == 0 {
		return nil, fmt.Errorf("no x values")
	}
	var b bytes.Buffer
	esc := html.EscapeString
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	ymax := c.yMax()
	w(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="chart-title chart-desc" font-family="%s">`+"\n",
		width, height, width, height, fontFamily)
	w("<title id=\"chart-title\">%s</title>\n<desc id=\"chart-desc\">%s</desc>\n", esc(c.Title), esc(c.description()))
	w(`<rect width="%d" height="%d" fill="#fff"/>`+"\n", width, height)
	w(`<text x="%d" y="28" font-size="17" font-weight="bold" fill="%s">%s</text>`+"\n", left, ink, esc(c.Title))
	// y grid and ticks
	step := niceStep(ymax / 5)
	w(`<g aria-hidden="true" font-size="12" fill="%s">`+"\n", ink)
	for y := 0.0; y <= ymax+step/2; y += step {
		py := c.yPos(y, ymax)
		w(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>`+"\n", left, left+plotW, py, py, gridColour)
		w(`<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-8, py, num(y))
	}
	for _, x := range c.X {
		px := c.xPos(x.V)
		w(`<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s"/>`+"\n", px, px, top, top+plotH, gridColour)
		w(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", px, top+plotH+18, esc(x.Name))
	}
	w("</g>\n")
	w(`<g aria-hidden="true" stroke="%s"><line x1="%d" x2="%d" y1="%d" y2="%d"/><line x1="%d" x2="%d" y1="%d" y2="%d"/></g>`+"\n",
		axisColour, left, left+plotW, top+plotH, top+plotH, left, left, top, top+plotH)
	w(`<text x="%d" y="%d" font-size="13" text-anchor="middle" fill="%s">%s</text>`+"\n", left+plotW/2, height-14, ink, esc(c.XLabel))
	w(`<text transform="translate(22 %d) rotate(-90)" font-size="13" text-anchor="middle" fill="%s">%s</text>`+"\n", top+plotH/2, ink, esc(c.YLabel))
	for _, t := range c.Targets {
		py := c.yPos(t.V, ymax)
		w(`<g aria-hidden="true"><line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#B00" stroke-width="1.5" stroke-dasharray="10 4"/>`, left, left+plotW, py, py)
		w(`<text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="#B00">%s</text></g>`+"\n", left+plotW-4, py-5, esc(t.Label))
	}
	for i, l := range c.Lines {
		st := palette[i%len(palette)]
		var pts []string
		for _, p := range l.Points {
			if p.Runs > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", c.xPos(p.X.V), c.yPos(p.Y, ymax)))
			}
		}
		w(`<g aria-hidden="true" stroke="%s" fill="%s">`, st.colour, st.colour)
		if len(pts) > 1 {
			w(`<polyline points="%s" fill="none" stroke-width="2.5" stroke-dasharray="%s"/>`, strings.Join(pts, " "), st.dash)
		}
		for _, p := range pts {
			x, y, _ := strings.Cut(p, ",")
			w("%s", marker(st.marker, x, y))
		}
		ly := top + 10 + i*24
		w(`<line x1="%d" x2="%d" y1="%d" y2="%d" stroke-width="2.5" stroke-dasharray="%s"/>`, legendX, legendX+28, ly, ly, st.dash)
		w("%s", marker(st.marker, strconv.Itoa(legendX+14), strconv.Itoa(ly)))
		w(`<text x="%d" y="%d" font-size="12" stroke="none" fill="%s" dominant-baseline="middle">%s</text></g>`+"\n", legendX+36, ly, ink, esc(l.Label))
	}
	w("</svg>\n")
	return b.Bytes(), nil
}

func marker(kind, x, y string) string {
	fx, _ := strconv.ParseFloat(x, 64)
	fy, _ := strconv.ParseFloat(y, 64)
	switch kind {
	case "square":
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="8" height="8"/>`, fx-4, fy-4)
	case "triangle":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f"/>`, fx, fy-5, fx-5, fy+4, fx+5, fy+4)
	case "diamond":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f"/>`, fx, fy-5, fx+5, fy, fx, fy+5, fx-5, fy)
	default:
		return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="4"/>`, fx, fy)
	}
}

// description is the chart's text alternative: what it shows and every
// value it plots (and which were not measured).
func (c *chart) description() string {
	var b strings.Builder
	if c.Desc != "" {
		b.WriteString(strings.TrimSuffix(c.Desc, ".") + ". ")
	}
	fmt.Fprintf(&b, "X axis: %s; y axis: %s.", c.XLabel, c.YLabel)
	for _, l := range c.Lines {
		fmt.Fprintf(&b, " %s:", l.Label)
		for i, p := range l.Points {
			sep := ","
			if i == 0 {
				sep = ""
			}
			if p.Runs == 0 {
				fmt.Fprintf(&b, "%s %s not measured", sep, p.X.Name)
			} else {
				fmt.Fprintf(&b, "%s %s %s", sep, p.X.Name, num(p.Y))
			}
		}
		b.WriteString(".")
	}
	for _, t := range c.Targets {
		fmt.Fprintf(&b, " %s: %s.", t.Label, num(t.V))
	}
	return b.String()
}

// table is the medians as a Markdown table, a row per series.
func (c *chart) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s; medians, runs in brackets)\n\n| series |", c.Title, c.YLabel)
	for _, x := range c.X {
		fmt.Fprintf(&b, " %s |", x.Name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(c.X)) + "\n")
	for _, l := range c.Lines {
		fmt.Fprintf(&b, "| %s |", l.Label)
		for _, p := range l.Points {
			if p.Runs == 0 {
				b.WriteString(" – |")
			} else {
				fmt.Fprintf(&b, " %s (%d) |", num(p.Y), p.Runs)
			}
		}
		b.WriteString("\n")
	}
	return b.String() + "\n"
}
