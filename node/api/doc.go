// Package api holds the JSON wire types of the node's HTTP API under
// /api/v1 (docs/api.md): the request bodies clients send and the views the
// node answers, and the RFC 9457 problem document every error answer is.
//
// The node (package node) marshals these types and the clients (the CLI in
// cmd/interlink, the test-federation runner in testnet) decode them, so that
// the two sides cannot drift apart, the way Consul's and Nomad's api
// packages serve their servers and clients. Field order follows the node's
// answers, whose JSON tests pin byte for byte.
//
// The package depends on protocol (shared value types) and the standard
// library only: never on node, federation, storage or cmd. Converting a
// stored record into its view is the node's business.
package api
