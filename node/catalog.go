package node

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/accept"
	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/protocol/dcat"
)

// catalogPerPage is the number of entries of a /catalog page.
const catalogPerPage = 100

// catalogAPI serves the harvestable DCAT-AP catalogue at /catalog
// (?page=N, from 1; also /api/v1/export/dcat), in JSON-LD, Turtle or
// RDF/XML by Accept.
type catalogAPI struct {
	web
	cat     func() *catalogue.Service
	uris    protocol.URIs
	name    string
	summary string
}

func (h catalogAPI) routes(ap apRoutes, api apiRoutes) {
	ap.handle(http.MethodGet, "/catalog", "catalog", h.handleCatalog)
	api.handle(http.MethodGet, "/export/dcat", "export.dcat", h.handleCatalog) // the same, for the CLI
}

var pageParam = param{name: "page", check: func(s string) *paramError {
	if n, err := strconv.Atoi(s); err != nil || n < 1 {
		return &paramError{rule: "min", msg: "page is a number from 1"}
	}
	return nil
}}

func (h catalogAPI) handleCatalog(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	q, err := parseQuery(r, pageParam)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	page := 1
	if s := q.get("page"); s != "" {
		page, _ = strconv.Atoi(s)
	}
	mt, ok := accept.Negotiate(r.Header.Get("Accept"), cpsvOffers...)
	if !ok {
		h.writeProblem(w, r, notAcceptable(r, cpsvOffers...))
		return
	}
	base := h.uris.Base()
	c := dcat.Catalog{IRI: base + "/catalog", Homepage: base + "/", Publisher: h.uris.Actor(), PublisherName: h.name,
		Title: protocol.Text{"en": "Catalogue of " + h.name}, Language: []string{"en"},
		Description: protocol.Text{"en": "The interlinkers (ADMS-AP assets) and public services (CPSV-AP) that " + h.name + " publishes."}}
	if h.summary != "" {
		c.Description = protocol.Text{"en": h.summary}
	}
	pageURL := func(n int) string { return base + "/catalog?page=" + strconv.Itoa(n) }
	doc, err := h.cat().DCATPage(r.Context(), c, page, catalogPerPage, pageURL, cpsv.FormatFor(mt))
	if errors.Is(err, catalogue.ErrNoSuchPage) {
		h.writeProblem(w, r, fieldError(http.StatusNotFound, "not-found", "No such page", "page", "max", "%v", err))
		return
	}
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	ct := mt
	if mt != cpsv.FormatJSONLD.MediaType() {
		ct += "; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}
