//go:build race

package main

// raceEnabled reports whether the race detector is on (timings are slower).
const raceEnabled = true
