package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports how far long work (import, backup, restore) has gone: a
// bar on a terminal, plain lines otherwise (logs, CI, pipes).
type progress interface {
	// Add records n more units done.
	Add(n int64)
	// Finish reports the end of the work.
	Finish()
}

// progressUnit is what a progress counts.
type progressUnit int

const (
	unitObjects progressUnit = iota // objects: "imported 200/201 objects"
	unitBytes                       // bytes: "backed up 1.0 MiB/2.0 MiB"
)

// lineInterval is the least time between two plain progress lines of bytes.
const lineInterval = time.Second

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress returns a progress for total units (unknownLength when not
// known) written to w; verb is the past participle that describes the work
// ("imported", "backed up").
func newProgress(w io.Writer, tty bool, total int64, unit progressUnit, verb string) progress {
	if tty {
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(verb),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionSetSpinnerChangeInterval(0), // no background goroutine
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		}
		if unit == unitBytes {
			opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionUseIECUnits(true))
		} else {
			opts = append(opts, progressbar.OptionSetItsString("objects"))
		}
		return &barProgress{bar: progressbar.NewOptions64(total, opts...)}
	}
	return &lineProgress{w: w, total: total, unit: unit, verb: verb}
}

// barProgress draws a progress bar.
type barProgress struct{ bar *progressbar.ProgressBar }

func (p *barProgress) Add(n int64) { _ = p.bar.Add64(n) }
func (p *barProgress) Finish()     { _ = p.bar.Finish() }

// lineProgress writes plain lines: one per Add for objects (each Add is a
// batch), at most one a second for bytes, and a last one on Finish.
type lineProgress struct {
	mu       sync.Mutex
	w        io.Writer
	total    int64
	unit     progressUnit
	verb     string
	done     int64
	last     time.Time
	printed  int64 // done at the last line
	finished bool
}

func (p *lineProgress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.unit == unitObjects || time.Since(p.last) >= lineInterval {
		p.line()
	}
}

func (p *lineProgress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	if p.printed != p.done || p.last.IsZero() {
		p.line()
	}
}

func (p *lineProgress) line() {
	p.last = time.Now()
	p.printed = p.done
	switch {
	case p.unit == unitObjects && p.total >= 0:
		fmt.Fprintf(p.w, "%s %d/%d objects\n", p.verb, p.done, p.total)
	case p.unit == unitObjects:
		fmt.Fprintf(p.w, "%s %d objects\n", p.verb, p.done)
	case p.total >= 0:
		fmt.Fprintf(p.w, "%s %s/%s\n", p.verb, formatBytes(p.done), formatBytes(p.total))
	default:
		fmt.Fprintf(p.w, "%s %s\n", p.verb, formatBytes(p.done))
	}
}

// formatBytes renders n in IEC units ("512 B", "1.5 MiB").
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// counter adds to p the bytes that pass through a progressReader or a
// progressWriter.
type counter struct{ p progress }

// count adds the n bytes of a Read or Write to the progress and passes its
// result on.
func (c counter) count(n int, err error) (int, error) {
	if n > 0 {
		c.p.Add(int64(n))
	}
	return n, err
}

// progressReader counts the bytes read through it.
type progressReader struct {
	r io.Reader
	counter
}

func (r *progressReader) Read(b []byte) (int, error) { return r.count(r.r.Read(b)) }

// progressWriter counts the bytes written through it.
type progressWriter struct {
	w io.Writer
	counter
}

func (w *progressWriter) Write(b []byte) (int, error) { return w.count(w.w.Write(b)) }
