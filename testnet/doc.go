// Package testnet runs a whole federation of interlink nodes on one machine:
// real `interlink serve` processes of the same binary on 127.0.0.x hosts,
// enrolled with their trust anchors, joined to one gossip pool, following
// each other and seeded with data (Up), and the faults an operator rehearses
// before a rollout: stopping and killing nodes, partitions, latency and clock
// skew (see federation/faults). Its state lives in DIR/testnet.json; every
// process it starts is found again by pid and checked to be its own (its
// command line names DIR) before it is signalled.
//
// The scenario runner lives in testnet/scenario; docs/testnet.md describes
// the manifest, the scenarios and how faults work.
package testnet
