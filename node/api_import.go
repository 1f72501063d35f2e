package node

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/protocol/publiccode"
)

// importAPI serves imports (through the catalogue's upsert by natural key)
// and the CPSV-AP export.
type importAPI struct {
	web
	cat func() *catalogue.Service
}

func (h importAPI) routes(api apiRoutes) {
	api.handle(http.MethodPost, "/import", "import", h.require(RoleEditor, h.handleImport))
	api.handle(http.MethodPost, "/import/cpsv", "import.cpsv", h.require(RoleEditor, h.handleImportCPSV))
	api.handle(http.MethodPost, "/import/publiccode", "import.publiccode", h.require(RoleEditor, h.handleImportPubliccode))
	api.handle(http.MethodGet, "/export/cpsv", "export.cpsv", h.handleExportCPSV)
}

// handleImport upserts a batch of entities: {"objects": [entity, ...]}.
func (h importAPI) handleImport(w http.ResponseWriter, r *http.Request) {
	raw, err := h.readJSON(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	var req struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := protocol.DecodeStrict(raw, &req); err != nil {
		h.writeProblem(w, r, err) // a validation problem naming each field: send {"objects": [entity, ...]}
		return
	}
	if len(req.Objects) == 0 {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "The import is invalid", "objects", "required", "send at least one object"))
		return
	}
	if len(req.Objects) > catalogue.MaxImportBatch {
		h.writeProblem(w, r, fieldError(http.StatusUnprocessableEntity, "validation", "Too many objects", "objects", "max_items",
			"%d objects in one import; send at most %d per request", len(req.Objects), catalogue.MaxImportBatch))
		return
	}
	entities := make([]protocol.Entity, 0, len(req.Objects))
	var all protocol.ValidationError
	for i, o := range req.Objects {
		e, err := protocol.DecodeEntity(o)
		if err != nil {
			prefixErrors(&all, fmt.Sprintf("objects[%d]", i), err)
			continue
		}
		entities = append(entities, e)
	}
	if err := all.Err(); err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.writeImport(w, r, entities)
}

// prefixErrors adds err's field errors to all under prefix.
func prefixErrors(all *protocol.ValidationError, prefix string, err error) {
	if ve, ok := err.(*protocol.ValidationError); ok {
		for _, fe := range ve.Errors {
			field := prefix
			if fe.Field != "" {
				field += "." + fe.Field
			}
			all.Add(field, fe.Rule, "%s", fe.Message)
		}
		return
	}
	all.Add(prefix, "invalid", "%v", err)
}

func (h importAPI) writeImport(w http.ResponseWriter, r *http.Request, entities []protocol.Entity) {
	res, err := h.cat().Import(r.Context(), entities)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Created > 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, res)
}

// handleImportCPSV imports the PublicServices and PublicOrganisations of a
// CPSV-AP 3.2.0 JSON-LD document.
func (h importAPI) handleImportCPSV(w http.ResponseWriter, r *http.Request) {
	raw, err := h.readJSON(w, r)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	services, orgs, err := cpsv.Import(raw)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	entities := make([]protocol.Entity, 0, len(services)+len(orgs))
	for _, o := range orgs {
		entities = append(entities, o)
	}
	for _, s := range services {
		entities = append(entities, s)
	}
	h.writeImport(w, r, entities)
}

// handleImportPubliccode imports a publiccode.yml document as a software interlinker.
func (h importAPI) handleImportPubliccode(w http.ResponseWriter, r *http.Request) {
	switch mt := mediaType(r.Header.Get("Content-Type")); {
	case mt == "" || strings.Contains(mt, "yaml") || mt == "text/plain":
	default:
		h.writeProblem(w, r, errorf(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"Content-Type %q is not accepted here: send application/yaml", mt))
		return
	}
	raw, err := readBody(w, r, h.bodyLimit)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	il, err := publiccode.Import(raw)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	h.writeImport(w, r, []protocol.Entity{il})
}

// handleExportCPSV writes every live PublicService and Organisation as CPSV-AP JSON-LD.
func (h importAPI) handleExportCPSV(w http.ResponseWriter, r *http.Request) {
	doc, err := h.cat().ExportCPSV(r.Context())
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}
