package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/accept"
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
	api.handle(http.MethodGet, "/objects/{id}/publiccode.yml", "export.publiccode", h.handleExportPubliccode)
	api.handle(http.MethodGet, "/object/publiccode.yml", "export.publiccode_iri", h.handleExportPubliccode)
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

// importAnswer is an import's result and what the document's reader
// warned about (an accepted document of a newer version, a deprecated key).
type importAnswer struct {
	catalogue.ImportResult
	Warnings []publiccode.Warning `json:"warnings,omitempty"`
}

func (h importAPI) writeImport(w http.ResponseWriter, r *http.Request, entities []protocol.Entity, warnings ...publiccode.Warning) {
	res, err := h.cat().Import(r.Context(), entities)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Created > 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, importAnswer{ImportResult: res, Warnings: warnings})
}

// handleImportCPSV imports the PublicServices and PublicOrganisations of a
// CPSV-AP 3.2.0 document: JSON-LD, or Turtle when the Content-Type says so.
func (h importAPI) handleImportCPSV(w http.ResponseWriter, r *http.Request) {
	var services []*protocol.PublicService
	var orgs []*protocol.Organisation
	var err error
	switch mt := mediaType(r.Header.Get("Content-Type")); cpsv.FormatFor(mt) {
	case cpsv.FormatTurtle:
		var raw []byte
		if raw, err = readBody(w, r, h.bodyLimit); err != nil {
			h.writeProblem(w, r, err)
			return
		}
		services, orgs, err = cpsv.ImportTurtle(raw)
	case cpsv.FormatRDFXML:
		h.writeProblem(w, r, errorf(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
			"RDF/XML is exported, not imported: send application/ld+json or text/turtle"))
		return
	default:
		var raw []byte
		if raw, err = h.readJSON(w, r); err != nil {
			h.writeProblem(w, r, err)
			return
		}
		services, orgs, err = cpsv.Import(raw)
	}
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	cpsv.ForgetMinted(h.uris.Base(), services, orgs) // this node's own export imports as no change
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
	il, warnings, err := publiccode.ImportWithWarnings(raw)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	for _, wn := range warnings {
		h.log.InfoContext(r.Context(), "publiccode.yml import warning", "field", wn.Field, "warning", wn.Message)
	}
	h.writeImport(w, r, []protocol.Entity{il}, warnings...)
}

// handleExportPubliccode writes a software interlinker as publiccode.yml:
// /objects/{id}/publiccode.yml, or /object/publiccode.yml?iri=IRI.
func (h importAPI) handleExportPubliccode(w http.ResponseWriter, r *http.Request) {
	ref := mux.Vars(r)["id"]
	if ref == "" {
		q, err := parseQuery(r, param{name: "iri"})
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		if ref = q.get("iri"); ref == "" {
			h.writeProblem(w, r, fieldError(http.StatusBadRequest, "bad-query", "Missing parameter", "iri", "required", "pass ?iri=<object IRI>"))
			return
		}
	}
	doc, err := h.cat().ExportPubliccode(r.Context(), ref)
	switch {
	case errors.Is(err, publiccode.ErrNotSoftware):
		h.writeProblem(w, r, errorf(http.StatusUnprocessableEntity, "not-software", "Not a software interlinker", "%v", err))
		return
	case errors.Is(err, publiccode.ErrCannotExport):
		h.writeProblem(w, r, errorf(http.StatusUnprocessableEntity, "cannot-export", "Cannot be written as publiccode.yml", "%v", err))
		return
	case err != nil:
		h.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}

// cpsvOffers are the media types of the CPSV-AP export, JSON-LD first.
var cpsvOffers = []string{cpsv.FormatJSONLD.MediaType(), cpsv.FormatTurtle.MediaType(), cpsv.FormatRDFXML.MediaType()}

// handleExportCPSV writes every live PublicService and Organisation as
// CPSV-AP: JSON-LD, Turtle or RDF/XML by Accept (406 for anything else).
func (h importAPI) handleExportCPSV(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	mt, ok := accept.Negotiate(r.Header.Get("Accept"), cpsvOffers...)
	if !ok {
		h.writeProblem(w, r, notAcceptable(r, cpsvOffers...))
		return
	}
	format := cpsv.FormatFor(mt)
	doc, err := h.cat().ExportCPSVAs(r.Context(), format)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	ct := mt
	if format != cpsv.FormatJSONLD {
		ct += "; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}
