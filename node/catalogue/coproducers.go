package catalogue

import (
	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
)

// cosigners returns the entity ids that must sign a version of e made by
// self: self, then the node of every organisation e names as co-producer
// (a public service's coproduced_by, a story's participants), as receivers
// check them (federation.Cosigners).
func cosigners(self string, e protocol.Entity) []string { return federation.Cosigners(self, e) }
