package catalogue

import (
	"net/url"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
)

// cosigners returns the entity ids that must sign a version of e made by
// self: self, then the node of every organisation e names as co-producer.
// A public service names them in coproduced_by (federation.Cosigners); a
// story names its participants, who co-sign it as they co-sign the
// service their finished process produced.
func cosigners(self string, e protocol.Entity) []string {
	st, ok := e.(*protocol.Story)
	if !ok {
		return federation.Cosigners(self, e)
	}
	out := []string{self}
	for _, iri := range st.Coproducers() {
		if o := originOf(iri); o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// originOf is the lower-cased scheme://host[:port] of an IRI, as
// federation compares co-signers; "" when it has no host.
func originOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}
