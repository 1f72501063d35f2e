// Package sim measures the federation beyond what one machine can run as
// real processes, with the project's own code over a simulated network:
//
//   - gossip: N gossip pools (federation/gossip, so memberlist and this
//     node's delegate, leave intents and anti-entropy) in one process, each
//     over an in-memory transport (Network, a memberlist.NodeAwareTransport)
//     with one-way latency, jitter, packet loss and per-node accounting of
//     bytes and packets in and out. It measures convergence after a join,
//     failure detection and traffic per node (gossip.go).
//   - delivery: one origin publishing to N followers' shared inboxes through
//     the node's own delivery workers (federation.Service) over its durable
//     queue (storage), with an in-memory HTTP round tripper that answers
//     after a simulated round trip and receiver time (delivery.go).
//
// Everything runs in real time: a simulated second is a second of the
// machine's clock, so the results hold as long as the process has the CPU
// it needs (each run reports the CPU it used). The model, its assumptions
// and the results are in docs/scale.md; the small versions run in
// `go test ./testnet/sim`, the large ones behind -sim.scale.
package sim
