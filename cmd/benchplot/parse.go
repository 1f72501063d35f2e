package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results are the values of each benchmark's metrics, one per run, by
// benchmark name (the -GOMAXPROCS suffix dropped) and unit.
type results map[string]map[string][]float64

// procSuffix is the -N go test appends to a benchmark's name.
var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads go test -bench output and adds every result line's metrics
// to rs. Lines that are not results (logs, PASS, ok) are skipped; a result
// line with a malformed value is an error that names the line.
func (rs results) parse(r io.Reader, source string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	pending := "" // a benchmark's name whose results a log line pushed to a later line
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && strings.HasPrefix(f[0], "Benchmark") {
			if len(f) < 2 || !isCount(f[1]) {
				pending = f[0] // "BenchmarkX-2 <log output>": its results follow on their own line
				continue
			}
			pending = ""
		} else if pending != "" && len(f) >= 3 && isCount(f[0]) {
			f = append([]string{pending}, f...)
			pending = ""
		} else {
			continue
		}
		if len(f) < 4 {
			continue
		}
		if len(f)%2 != 0 {
			return fmt.Errorf("%s:%d: odd number of value/unit fields", source, n)
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		if rs[name] == nil {
			rs[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
				err = errors.New("not a finite number")
			}
			if err != nil {
				return fmt.Errorf("%s:%d: value %q of %s: %w", source, n, f[i], f[i+1], err)
			}
			rs[name][f[i+1]] = append(rs[name][f[i+1]], v)
		}
	}
	return sc.Err()
}

func isCount(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// median is the median of the runs of name's unit, and how many runs
// there were (0: none).
func (rs results) median(name, unit string) (float64, int) {
	vs := slices.Sorted(slices.Values(rs[name][unit]))
	switch n := len(vs); {
	case n == 0:
		return 0, 0
	case n%2 == 1:
		return vs[n/2], n
	default:
		return (vs[n/2-1] + vs[n/2]) / 2, n
	}
}
