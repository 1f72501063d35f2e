package node

import (
	"os"
	"runtime/debug"
)

// ApplyRuntime sets the process-wide runtime settings of cfg (the garbage
// collector's target) unless the operator set GOGC, and returns a function
// that restores the previous value. serve calls it once at start; the
// benchmarks call it so that they measure the node as serve runs it.
func ApplyRuntime(cfg Config) (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set || cfg.GCPercent == 0 {
		return func() {}
	}
	prev := debug.SetGCPercent(cfg.GCPercent)
	return func() { debug.SetGCPercent(prev) }
}
