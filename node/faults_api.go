package node

import (
	"errors"
	"net/http"

	"github.com/interlink-project/interlink-node/federation/faults"
	"github.com/interlink-project/interlink-node/protocol"
)

// testingRoutes registers the fault-injection endpoint of test federations
// (docs/testnet.md). It answers 404 unless testing.faults is on.
func (n *Node) testingRoutes(api apiRoutes) {
	api.handle(http.MethodGet, "/testing/faults", "testing.faults.get", n.require(RoleAdmin, n.handleFaultsGet))
	api.handle(http.MethodPut, "/testing/faults", "testing.faults.put", n.require(RoleAdmin, n.handleFaultsPut))
}

// wrapTransport is the outbound HTTP transport wrapper of the faults, or
// nil without them.
func (n *Node) wrapTransport() func(http.RoundTripper) http.RoundTripper {
	if n.faults == nil {
		return nil
	}
	return n.faults.WrapRoundTripper
}

// Faults is the node's fault set when testing.faults is on, else nil. The
// gossip wiring installs Faults().WrapGossip as gossip.Config.WrapTransport.
func (n *Node) Faults() *faults.Set { return n.faults }

func (n *Node) faultsDisabled() error {
	return errorf(http.StatusNotFound, "testing-disabled", "Fault injection is off",
		"this node was not started with testing.faults: true (only test federations enable it)")
}

func (n *Node) handleFaultsGet(w http.ResponseWriter, r *http.Request) {
	if n.faults == nil {
		n.writeProblem(w, r, n.faultsDisabled())
		return
	}
	writeJSON(w, http.StatusOK, n.faults.Get().Spec())
}

// handleFaultsPut replaces every fault at once: PUT {"partition": [...],
// "latency": "200ms", "clock_skew": "+10m"}; {} heals.
func (n *Node) handleFaultsPut(w http.ResponseWriter, r *http.Request) {
	if n.faults == nil {
		n.writeProblem(w, r, n.faultsDisabled())
		return
	}
	raw, err := readJSONBody(w, r, int64(n.cfg.API.BodyLimit))
	if err != nil {
		n.writeProblem(w, r, err)
		return
	}
	f, err := faults.Decode(raw)
	if err != nil {
		var fe *faults.FieldError
		if errors.As(err, &fe) {
			field := fe.Field
			if field == "" {
				field = "body"
			}
			err = &apiError{status: http.StatusUnprocessableEntity, name: "validation", title: "The faults are invalid",
				detail: fe.Error(), errs: []protocol.FieldError{{Field: field, Rule: fe.Rule, Message: fe.Message}}}
		}
		n.writeProblem(w, r, err)
		return
	}
	n.faults.Replace(f)
	n.log.WarnContext(r.Context(), "testing faults replaced", "partition", f.Partition, "latency", f.Latency,
		"clock_skew", f.ClockSkew, "request_id", requestID(r.Context()))
	writeJSON(w, http.StatusOK, f.Spec())
}
