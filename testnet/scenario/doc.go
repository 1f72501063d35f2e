// Package scenario parses and runs testnet scenarios: YAML files of steps
// (publish, co-sign, adopt, follow, revoke, rotate-key, revoke-key, forge,
// forge-until-refused, kill, stop, start, partition, heal, slow, clock-skew,
// sleep, wait-load) and checks (wait-until, assert:
// an object visible and verified on nodes within a time, absent or never
// verified for a time, counts and sets equal everywhere, nothing lost or
// duplicated). A run prints the measurements of the federation
// (publish-to-verified-everywhere p50/p99, convergence after a heal, losses
// after SIGKILL under load) and fails with the step, its line and what was
// wrong on each node. docs/testnet.md describes the format.
package scenario
