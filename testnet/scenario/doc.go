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
//
// Inside, a runner (run.go) runs the steps in order, does the process and
// fault steps itself, and hands the others to small parts that hold only
// the state and clients they need: publisher (publish, delete:
// actions.go), trustSteps (co-sign, adopt, follow, revoke, reinstate:
// truststeps.go), keySteps (rotate-key, revoke-key: keysteps.go), forgery
// (forge, forge-until-refused, and the retraction of accepted forgeries
// after the run: forgesteps.go, retract.go, forger.go), deliverer (signed
// posts to shared inboxes: delivery.go) and checks (wait-until, assert:
// checks.go). They share the federation's state (fleet, re-read after
// every step), the named sets of published objects (catalog), the output
// and the report.
package scenario
