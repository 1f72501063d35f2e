// Package gossip runs the federation's gossip pool: a hashicorp/memberlist
// cluster through which interlink nodes find each other and notice failed
// peers.
//
// Gossip carries hints only (DESIGN.md §4): a member's name (its public URL),
// its advertised address and at most 512 bytes of metadata (entity id,
// entity-configuration hash, role, country, software version). Every fact a
// hint points at is checked over HTTP and JWS by the caller. All gossip is
// encrypted with the federation's AES-256 keyring; a member holding another
// key cannot join.
//
// memberlist's defaults converge slowly at 32-64 members (its
// infect-and-die gossip leaves a long tail until the next push/pull). Start
// tunes memberlist per profile (more retransmits, faster gossip, shorter
// push/pull interval, faster probes) and supplements it with extra push/pull
// exchanges with random members whenever membership changes, so that a
// 64-member pool converges within a few seconds and a killed member is marked
// dead everywhere within 8 s on the local and lan profiles.
//
// memberlist does not say whether a member that went away left or died: a
// member that leaves first gossips a leave intent, as HashiCorp Serf does,
// and the others classify the departure by it (intent.go).
package gossip
