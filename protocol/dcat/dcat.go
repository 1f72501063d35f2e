// Package dcat renders the node's catalogue as a DCAT-AP catalogue that EU
// harvesters (data.europa.eu, Joinup, national portals, CKAN's DCAT
// harvester) read: a dcat:Catalog whose software and knowledge interlinkers
// are ADMS-AP assets (adms:Asset, a dcat:Dataset) and whose public services
// are CPSV-AP 3.2.0 cpsv:PublicService resources (protocol/cpsv renders
// them), each with a dcat:CatalogRecord, one page at a time with Hydra
// paging as CKAN's DCAT extension writes it (hydra:PagedCollection with
// firstPage, nextPage, previousPage, lastPage, itemsPerPage, totalItems)
// and as Hydra now names it (hydra:PartialCollectionView with first, next,
// previous, last).
//
// Page returns JSON-LD (inline prefixes only: no remote context);
// cpsv.Dataset and cpsv.Serialize turn it into Turtle or RDF/XML.
package dcat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/cpsv"
	"github.com/interlink-project/interlink-node/protocol/rdf"
)

// Namespaces beyond CPSV-AP's that the catalogue uses.
const (
	NSHydra = "http://www.w3.org/ns/hydra/core#"
	NSSPDX  = "http://spdx.org/licenses/"
)

// Catalog describes the catalogue itself.
type Catalog struct {
	IRI           string        // the catalogue's IRI, e.g. {base}/catalog
	Title         protocol.Text // dct:title
	Description   protocol.Text // dct:description
	Homepage      string        // foaf:homepage
	Publisher     string        // the publishing agent's IRI (the node's actor)
	PublisherName string        // its foaf:name
	Modified      time.Time     // the newest change of any entry (dct:modified)
	Language      []string      // BCP 47 tags of the catalogue's metadata
}

// Entry is one catalogued object: its envelope and its entity (an
// *protocol.Interlinker or *protocol.PublicService).
type Entry struct {
	Meta   protocol.Meta
	Entity protocol.Entity
}

// Paging places a page in the whole catalogue.
type Paging struct {
	Page, PerPage, Total int
	// URL returns the address of page n.
	URL func(n int) string
}

// Pages is the number of pages (at least 1).
func (p Paging) Pages() int {
	if p.PerPage <= 0 || p.Total == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// Prefixes are the prefixes of the catalogue's documents.
func Prefixes() []rdf.Prefix {
	return append(cpsv.Prefixes(), rdf.Prefix{Name: "hydra", IRI: NSHydra})
}

// Page renders one page of the catalogue as JSON-LD: the catalogue node,
// the page's entries and their records, the organisations the page's
// services name as competent authority (orgs, when described), and the
// paging node. base mints IRIs of parts without one (see cpsv.Export).
func Page(c Catalog, entries []Entry, orgs []*protocol.Organisation, p Paging, base string) ([]byte, error) {
	if !protocol.ValidHTTPURL(c.IRI) || p.URL == nil {
		return nil, fmt.Errorf("dcat: the catalogue needs an http(s) IRI and page URLs")
	}
	cat := map[string]any{
		"@id":   c.IRI,
		"@type": "dcat:Catalog",
	}
	put(cat, "dct:title", langValues(c.Title))
	put(cat, "dct:description", langValues(c.Description))
	if c.Homepage != "" {
		cat["foaf:homepage"] = map[string]any{"@id": c.Homepage, "@type": "foaf:Document"}
	}
	graph := []any{cat}
	if c.Publisher != "" {
		cat["dct:publisher"] = ref(c.Publisher)
		// foaf:name for DCAT-AP; dct:identifier and dct:title for CPSV-AP's
		// Agent shape.
		agent := map[string]any{"@id": c.Publisher, "@type": "foaf:Agent", "dct:identifier": c.Publisher}
		if c.PublisherName != "" {
			agent["foaf:name"] = c.PublisherName
			agent["dct:title"] = langValue("und", c.PublisherName)
		}
		graph = append(graph, agent)
	}
	if !c.Modified.IsZero() {
		cat["dct:modified"] = dateTime(c.Modified)
	}
	put(cat, "dct:language", languages(c.Language))

	var datasets, resources, records []any
	var services []*protocol.PublicService
	for _, e := range entries {
		topic := e.Meta.IRI
		switch v := e.Entity.(type) {
		case *protocol.Interlinker:
			datasets = append(datasets, ref(topic))
			graph = append(graph, asset(e.Meta, v, c.Publisher))
		case *protocol.PublicService:
			// A service keeps the IRI its CPSV-AP description gave it.
			s := *v
			if s.IRI == "" {
				s.IRI = e.Meta.IRI
			}
			topic = s.IRI
			resources = append(resources, ref(topic))
			services = append(services, &s)
		default:
			return nil, fmt.Errorf("dcat: %s is a %T, not an interlinker or a public service", e.Meta.IRI, e.Entity)
		}
		recID := e.Meta.IRI + "#record"
		records = append(records, ref(recID))
		rec := map[string]any{"@id": recID, "@type": "dcat:CatalogRecord", "foaf:primaryTopic": ref(topic),
			"dct:modified": dateTime(e.Meta.Updated)}
		if !e.Meta.Created.IsZero() {
			rec["dct:issued"] = dateTime(e.Meta.Created)
		}
		graph = append(graph, rec)
	}
	put(cat, "dcat:dataset", datasets)
	put(cat, "dcat:resource", resources)
	put(cat, "dcat:record", records)

	if len(services) > 0 {
		nodes, err := cpsvNodes(services, referencedOrgs(services, orgs), base)
		if err != nil {
			return nil, err
		}
		graph = append(graph, nodes...)
	}

	view := p.URL(p.Page)
	cat["hydra:view"] = ref(view)
	pageNode := map[string]any{
		"@id":                view,
		"@type":              []any{"hydra:PagedCollection", "hydra:PartialCollectionView"},
		"hydra:totalItems":   integer(p.Total),
		"hydra:itemsPerPage": integer(p.PerPage),
		"hydra:firstPage":    p.URL(1),
		"hydra:lastPage":     p.URL(p.Pages()),
		"hydra:first":        ref(p.URL(1)),
		"hydra:last":         ref(p.URL(p.Pages())),
	}
	if p.Page > 1 {
		pageNode["hydra:previousPage"] = p.URL(p.Page - 1)
		pageNode["hydra:previous"] = ref(p.URL(p.Page - 1))
	}
	if p.Page < p.Pages() {
		pageNode["hydra:nextPage"] = p.URL(p.Page + 1)
		pageNode["hydra:next"] = ref(p.URL(p.Page + 1))
	}
	graph = append(graph, pageNode)

	inline := map[string]any{}
	for _, pr := range Prefixes() {
		inline[pr.Name] = pr.IRI
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"@context": inline, "@graph": graph}); err != nil {
		return nil, fmt.Errorf("dcat: encode JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// asset renders an interlinker as an ADMS-AP asset.
func asset(m protocol.Meta, it *protocol.Interlinker, publisher string) map[string]any {
	n := map[string]any{
		"@id":            m.IRI,
		"@type":          []any{"adms:Asset", "dcat:Dataset"},
		"dct:identifier": it.Key,
		"dct:modified":   dateTime(m.Updated),
		"ilk:nature":     string(it.Nature),
	}
	put(n, "dct:title", langValues(it.Name))
	put(n, "dct:description", langValues(it.Description))
	if !m.Created.IsZero() {
		n["dct:issued"] = dateTime(m.Created)
	}
	var kw []any
	for _, lang := range slices.Sorted(maps.Keys(it.Tags)) {
		for _, t := range it.Tags[lang] {
			kw = append(kw, langValue(lang, t))
		}
	}
	put(n, "dcat:keyword", kw)
	put(n, "dct:language", languages(it.Languages))
	if publisher != "" && m.Origin != "" && strings.HasPrefix(m.IRI, m.Origin) {
		n["dct:publisher"] = ref(publisher)
	}
	var pages []any
	seen := map[string]bool{}
	for _, lang := range slices.Sorted(maps.Keys(it.URI)) {
		if u := it.URI[lang]; protocol.ValidHTTPURL(u) && !seen[u] {
			seen[u] = true
			pages = append(pages, map[string]any{"@id": u, "@type": "foaf:Document"})
		}
	}
	put(n, "dcat:landingPage", pages)
	licence := licenceIRI(it.SPDXLicence)
	if licence != "" {
		n["dct:license"] = map[string]any{"@id": licence, "@type": "dct:LicenseDocument"}
	}
	if pc := it.PublicCode; pc != nil && protocol.ValidHTTPURL(pc.URL) {
		dist := map[string]any{"@id": m.IRI + "#repository", "@type": "dcat:Distribution",
			"dcat:accessURL": ref(pc.URL), "dct:title": langValue("en", "Source code repository")}
		if licence != "" {
			dist["dct:license"] = map[string]any{"@id": licence, "@type": "dct:LicenseDocument"}
		}
		n["dcat:distribution"] = dist
	}
	return n
}

// licenceIRI is the SPDX licence page of a single SPDX identifier ("" for
// an expression or none).
func licenceIRI(spdx string) string {
	spdx = strings.TrimSpace(spdx)
	if spdx == "" || strings.ContainsAny(spdx, " ()") {
		return ""
	}
	for _, c := range spdx {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '+') {
			return ""
		}
	}
	return NSSPDX + spdx
}

// referencedOrgs keeps the organisations a service names as competent
// authority.
func referencedOrgs(services []*protocol.PublicService, orgs []*protocol.Organisation) []*protocol.Organisation {
	want := map[string]bool{}
	for _, s := range services {
		want[s.CompetentAuthority] = true
	}
	var out []*protocol.Organisation
	for _, o := range orgs {
		if o != nil && want[o.IRI] {
			out = append(out, o)
			delete(want, o.IRI)
		}
	}
	return out
}

// cpsvNodes renders services and organisations with the CPSV-AP export and
// returns its graph's nodes.
func cpsvNodes(services []*protocol.PublicService, orgs []*protocol.Organisation, base string) ([]any, error) {
	doc, err := cpsv.Export(services, orgs, base)
	if err != nil {
		return nil, fmt.Errorf("dcat: render the public services: %w", err)
	}
	var parsed struct {
		Graph []any `json:"@graph"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		return nil, fmt.Errorf("dcat: read the CPSV-AP export: %w", err)
	}
	return parsed.Graph, nil
}

func put(n map[string]any, key string, list []any) {
	if len(list) > 0 {
		n[key] = list
	}
}

func ref(iri string) map[string]any { return map[string]any{"@id": iri} }

func langValue(lang, v string) map[string]any { return map[string]any{"@language": lang, "@value": v} }

func langValues(t protocol.Text) []any {
	out := make([]any, 0, len(t))
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		if t[lang] != "" {
			out = append(out, langValue(lang, t[lang]))
		}
	}
	return out
}

func languages(tags []string) []any {
	var out []any
	for _, l := range tags {
		if iri := protocol.LanguageIRI(l); iri != "" {
			out = append(out, ref(iri))
		}
	}
	return out
}

func dateTime(t time.Time) map[string]any {
	return map[string]any{"@value": t.UTC().Format(time.RFC3339), "@type": "xsd:dateTime"}
}

func integer(n int) map[string]any {
	return map[string]any{"@value": strconv.Itoa(n), "@type": "xsd:integer"}
}
