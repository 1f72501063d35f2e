// Package faults injects network and clock faults into one node for test
// federations (`interlink testnet`): partitions, latency and clock skew.
//
// A Set holds the faults in force as an atomic snapshot; every consumer reads
// it on each use, so a change applies to the next request, packet or clock
// reading without locks. The consumers are:
//
//   - WrapRoundTripper: the node's outbound HTTP client. A request to a
//     blocked host fails like a refused connection; latency is slept before
//     the request is sent.
//   - WrapGossip: the memberlist transport. Packets to a blocked address are
//     dropped (as a lossy network does) and streams to it are refused;
//     latency is slept before each packet and dial.
//   - Clock: the node's clock, shifted by the skew.
//
// Blocking is outbound only. A partition between groups A and B is made by
// blocking B on every node of A and A on every node of B, which is what
// `testnet partition` does: no request, packet or stream then crosses in
// either direction, and no inbound filter has to guess who sent what.
//
// A node installs a Set only when its configuration says testing.faults:
// true; production nodes have none.
package faults
