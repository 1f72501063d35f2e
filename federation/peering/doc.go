// Package peering is the gossip agent: it acts on the membership of the
// federation's gossip pool (federation/gossip). Gossip carries hints only;
// the agent checks each new (or changed) member over HTTP and JWS through a
// Checker (TrustChecker: the member's entity configuration and its trust
// chain, resolved by the trust layer), follows the verified ones under the
// discovery policy follow-trusted, and pauses the deliveries to members that
// go down and resumes them when they come back (federation.Service's
// PauseHost and ResumeHost). It reaches the node's current federation agent
// through a function the node gives it (a restore replaces the agent), and
// shows what it learnt in Members (GET /api/v1/members).
package peering
