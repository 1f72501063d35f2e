package node

import (
	"errors"
	"net/http"

	"github.com/interlink-project/interlink-node/federation/faults"
	"github.com/interlink-project/interlink-node/protocol"
)

// faultsAPI serves the fault-injection endpoint of test federations
// (docs/testnet.md). It answers 404 unless testing.faults is on.
type faultsAPI struct {
	web
	faults *faults.Set // nil: off
}

func (h faultsAPI) routes(api apiRoutes) {
	api.handle(http.MethodGet, "/testing/faults", "testing.faults.get", h.require(RoleAdmin, h.handleFaultsGet))
	api.handle(http.MethodPut, "/testing/faults", "testing.faults.put", h.require(RoleAdmin, h.handleFaultsPut))
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

func faultsDisabled() error {
	return errorf(http.StatusNotFound, "testing-disabled", "Fault injection is off",
		"this node was not started with testing.faults: true (only test federations enable it)")
}

func (h faultsAPI) handleFaultsGet(w http.ResponseWriter, r *http.Request) {
	if h.faults == nil {
		h.writeProblem(w, r, faultsDisabled())
		return
	}
	writeJSON(w, http.StatusOK, h.faults.Get().Spec())
}

// handleFaultsPut replaces every fault at once: PUT {"partition": [...],
// "latency": "200ms", "clock_skew": "+10m"}; {} heals.
func (h faultsAPI) handleFaultsPut(w http.ResponseWriter, r *http.Request) {
	if h.faults == nil {
		h.writeProblem(w, r, faultsDisabled())
		return
	}
	raw, err := h.readJSON(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
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
		h.writeProblem(w, r, err)
		return
	}
	h.faults.Replace(f)
	h.log.WarnContext(r.Context(), "testing faults replaced", "partition", f.Partition, "latency", f.Latency,
		"clock_skew", f.ClockSkew, "request_id", requestID(r.Context()))
	writeJSON(w, http.StatusOK, f.Spec())
}
