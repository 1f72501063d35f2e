//go:build race

package sim

// raceEnabled: the race detector slows every member down several times, so
// the small gossip test runs slowed down (GossipConfig.TimeScale).
const raceEnabled = true
