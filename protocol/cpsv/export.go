package cpsv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// Export renders services and organisations as one CPSV-AP 3.2.0 JSON-LD
// document: "@context" is the official context URL followed by an inline
// object declaring the prefixes (cpsv, cv, dct, dcat, skos, locn, org, foaf,
// schema, time, xsd, ..., and ilk for the federation's own terms), and every
// property and type is written as a prefixed name ("cpsv:PublicService",
// "dct:title", "cv:hasCompetentAuthority"), so that a JSON-LD processor that
// cannot fetch the remote context still expands the document to the CPSV-AP
// IRIs. "@graph" lists the services, then the organisations; channels,
// costs, outputs, requirements, evidence and contact points are embedded in
// their service.
//
// Node ids are the entities' IRI fields; an entity without one gets
// {base}/services/{identifier} or {base}/organisations/{key} (base must then
// be an absolute http(s) URL). Parts without an id are blank nodes.
// Language tags become EU language authority IRIs (only the primary subtag
// survives: "pt-BR" is exported as POR), country codes EU country authority
// IRIs, currencies EU currency authority IRIs, and a processing time in weeks
// ("P2W", which xsd:duration lacks) days. Every entity is validated first:
// Export returns the failures as a *protocol.ValidationError whose fields are
// prefixed by "services[i]." or "organisations[i].".
func Export(services []*protocol.PublicService, orgs []*protocol.Organisation, base string) ([]byte, error) {
	ve := &protocol.ValidationError{}
	for i, s := range services {
		prefixErrors(ve, protocol.IndexField("services", i), nilEntity(s == nil, s))
	}
	for i, o := range orgs {
		prefixErrors(ve, protocol.IndexField("organisations", i), nilEntity(o == nil, o))
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	base = strings.TrimRight(base, "/")
	w := &writer{base: base}
	graph := make([]any, 0, len(services)+len(orgs))
	for _, s := range services {
		n, err := w.service(s)
		if err != nil {
			return nil, err
		}
		graph = append(graph, n)
	}
	for _, o := range orgs {
		n, err := w.organisation(o)
		if err != nil {
			return nil, err
		}
		graph = append(graph, n)
	}
	inline := make(map[string]any, len(prefixes))
	for _, p := range prefixes {
		inline[p[0]] = p[1]
	}
	doc := map[string]any{
		"@context": []any{ContextURL, inline},
		"@graph":   graph,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("cpsv: export: encode JSON: %w", err)
	}
	return buf.Bytes(), nil
}

func nilEntity(isNil bool, e protocol.Entity) error {
	if isNil {
		ve := &protocol.ValidationError{}
		ve.Add(protocol.RootField, "required", "is nil")
		return ve
	}
	return e.Validate()
}

func prefixErrors(ve *protocol.ValidationError, prefix string, err error) {
	if err == nil {
		return
	}
	inner, ok := errors.AsType[*protocol.ValidationError](err)
	if !ok {
		ve.Add(prefix, "invalid", "%v", err)
		return
	}
	for _, fe := range inner.Errors {
		ve.Add(prefix+"."+fe.Field, fe.Rule, "%s", fe.Message)
	}
}

// writer builds the JSON of the nodes.
type writer struct {
	base  string
	blank int
}

func (w *writer) mint(kind, key string) (string, error) {
	if !protocol.ValidHTTPURL(w.base) {
		return "", fmt.Errorf("cpsv: export: %s %q has no IRI and the base %q is not an absolute http(s) URL", kind, key, w.base)
	}
	return mintedIRI(w.base, kind, key), nil
}

func mintedIRI(base, kind, key string) string { return base + "/" + kind + "/" + url.PathEscape(key) }

// ForgetMinted clears the IRIs an export from base gave services and
// organisations that had none (base/services/KEY, base/organisations/KEY),
// so that importing a node's own export changes none of its objects.
func ForgetMinted(base string, services []*protocol.PublicService, orgs []*protocol.Organisation) {
	for _, s := range services {
		if s.IRI != "" && s.IRI == mintedIRI(base, "services", s.Identifier) {
			s.IRI = ""
		}
	}
	for _, o := range orgs {
		if o.IRI != "" && o.IRI == mintedIRI(base, "organisations", o.Key) {
			o.IRI = ""
		}
	}
}

func (w *writer) id(iri string) string {
	if iri != "" {
		return iri
	}
	w.blank++
	return "_:b" + strconv.Itoa(w.blank)
}

func (w *writer) service(s *protocol.PublicService) (map[string]any, error) {
	id := s.IRI
	if id == "" {
		var err error
		if id, err = w.mint("services", s.Identifier); err != nil {
			return nil, err
		}
	}
	n := map[string]any{
		"@id":                      id,
		"@type":                    "cpsv:PublicService",
		"dct:identifier":           s.Identifier,
		"dct:title":                langValues(s.Title),
		"dct:description":          langValues(s.Description),
		"cv:hasCompetentAuthority": ref(s.CompetentAuthority),
	}
	put(n, "dcat:keyword", langListValues(s.Keywords))
	put(n, "dct:language", languages(s.Language))
	var spatial []any
	for _, sp := range s.Spatial {
		if len(sp) == 2 {
			sp = protocol.CountryIRI(sp)
		}
		spatial = append(spatial, ref(sp))
	}
	put(n, "dct:spatial", spatial)
	put(n, "cv:thematicArea", refs(s.ThematicArea))
	if s.ProcessingTime != "" {
		n["cv:processingTime"] = duration(s.ProcessingTime)
	}
	put(n, "ilk:coproducedBy", refs(s.CoproducedBy))
	put(n, "ilk:usesInterlinker", refs(s.UsesInterlinkers))
	if s.IsInstanceOf != "" {
		n["ilk:isInstanceOf"] = ref(s.IsInstanceOf)
	}

	var channels []any
	for _, c := range s.Channels {
		cn := map[string]any{"@id": w.id(c.ID), "@type": "cv:Channel", "dct:identifier": c.Identifier}
		if c.Type != "" {
			cn["dct:type"] = ref(c.Type)
		}
		put(cn, "dct:description", langValues(c.Description))
		if c.ProcessingTime != "" {
			cn["cv:processingTime"] = duration(c.ProcessingTime)
		}
		channels = append(channels, cn)
	}
	put(n, "cv:hasChannel", channels)

	var costs []any
	for _, c := range s.Costs {
		cn := map[string]any{"@id": w.id(c.ID), "@type": "cv:Cost", "dct:identifier": c.Identifier}
		put(cn, "dct:description", langValues(c.Description))
		if c.Value != nil {
			cn["cv:hasValue"] = map[string]any{"@value": strconv.FormatFloat(*c.Value, 'g', -1, 64), "@type": "xsd:double"}
		}
		if c.Currency != "" {
			cur := c.Currency
			if len(cur) == 3 {
				cur = protocol.CurrencyAuthority + cur
			}
			cn["cv:currency"] = ref(cur)
		}
		costs = append(costs, cn)
	}
	put(n, "cv:hasCost", costs)

	var outputs []any
	for _, o := range s.Outputs {
		on := map[string]any{"@id": w.id(o.ID), "@type": "cv:Output", "dct:identifier": o.Identifier, "dct:title": langValues(o.Title)}
		put(on, "dct:description", langValues(o.Description))
		put(on, "dct:type", refs(o.Types))
		outputs = append(outputs, on)
	}
	put(n, "cpsv:produces", outputs)

	evidenceID := map[string]string{}
	var evidence []any
	for _, e := range s.Evidence {
		eid := w.id(e.ID)
		evidenceID[e.Identifier] = eid
		en := map[string]any{"@id": eid, "@type": "cv:Evidence", "dct:identifier": e.Identifier, "dct:title": langValues(e.Title)}
		put(en, "dct:description", langValues(e.Description))
		if e.Type != "" {
			en["dct:type"] = ref(e.Type)
		}
		put(en, "dct:language", languages(e.Language))
		put(en, "foaf:page", documents(e.RelatedDocumentation))
		evidence = append(evidence, en)
	}
	put(n, "cpsv:hasInput", evidence)

	var requirements []any
	for _, r := range s.Requirements {
		rn := map[string]any{"@id": w.id(r.ID), "@type": "cv:Requirement", "dct:identifier": r.Identifier, "dct:title": langValues(r.Title)}
		put(rn, "dct:type", refs(r.Types))
		var support []any
		for _, key := range r.SupportingEvidence {
			support = append(support, ref(evidenceID[key]))
		}
		put(rn, "cv:hasSupportingEvidence", support)
		requirements = append(requirements, rn)
	}
	put(n, "cv:holdsRequirement", requirements)

	var contacts []any
	for _, c := range s.ContactPoints {
		cn := map[string]any{"@id": w.id(c.ID), "@type": "cv:ContactPoint"}
		put(cn, "cv:email", plainValues(c.Email))
		put(cn, "cv:telephone", plainValues(c.Telephone))
		put(cn, "cv:contactPage", documents(c.URL))
		if len(c.OpeningHours) > 0 {
			cn["cv:openingHours"] = map[string]any{"@id": w.id(""), "@type": "time:TemporalEntity", "dct:description": langValues(c.OpeningHours)}
		}
		if len(c.SpecialOpeningHours) > 0 {
			cn["cv:specialOpeningHoursSpecification"] = map[string]any{"@id": w.id(""), "@type": "time:TemporalEntity",
				"dct:description": langValues(c.SpecialOpeningHours)}
		}
		contacts = append(contacts, cn)
	}
	put(n, "cv:contactPoint", contacts)
	return n, nil
}

func (w *writer) organisation(o *protocol.Organisation) (map[string]any, error) {
	id := o.IRI
	if id == "" {
		var err error
		if id, err = w.mint("organisations", o.Key); err != nil {
			return nil, err
		}
	}
	typ := "org:Organization"
	if o.OrgKind == protocol.OrgPublicAdministration {
		typ = "cv:PublicOrganisation"
	}
	n := map[string]any{
		"@id":            id,
		"@type":          typ,
		"skos:prefLabel": langValues(o.PrefLabel),
		"dct:spatial":    refs(o.SpatialIRIs()),
		"dct:type":       ref(Namespace + string(o.OrgKind)),
	}
	if o.Key != id { // a key that is the organisation's IRI is read back from the @id
		n["dct:identifier"] = o.Key
	}
	if o.Spatial.Region != "" || o.Spatial.Municipality != "" {
		addr := map[string]any{"@id": w.id(""), "@type": "locn:Address"}
		if o.Spatial.Region != "" {
			addr["locn:adminUnitL2"] = langValue(undeterminedLangTag, o.Spatial.Region)
		}
		if o.Spatial.Municipality != "" {
			addr["locn:postName"] = langValue(undeterminedLangTag, o.Spatial.Municipality)
		}
		n["locn:address"] = addr
	}
	if o.Homepage != "" {
		n["foaf:homepage"] = ref(o.Homepage)
	}
	if o.Email != "" {
		n["foaf:mbox"] = ref("mailto:" + o.Email)
	}
	return n, nil
}

// put sets key when the list is not empty.
func put(n map[string]any, key string, list []any) {
	if len(list) > 0 {
		n[key] = list
	}
}

func ref(iri string) map[string]any { return map[string]any{"@id": iri} }

func refs(iris []string) []any {
	out := make([]any, 0, len(iris))
	for _, iri := range iris {
		out = append(out, ref(iri))
	}
	return out
}

// documents refers to web pages as foaf:Document nodes, the class CPSV-AP
// gives foaf:page and cv:contactPage values.
func documents(iris []string) []any {
	out := make([]any, 0, len(iris))
	for _, iri := range iris {
		out = append(out, map[string]any{"@id": iri, "@type": "foaf:Document"})
	}
	return out
}

// langValues writes a Text as language-tagged literals, sorted by language
// ("und", undetermined, is a language tag too: CPSV-AP's shapes want
// rdf:langString wherever a text is).
func langValues(t protocol.Text) []any {
	out := make([]any, 0, len(t))
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		out = append(out, langValue(lang, t[lang]))
	}
	return out
}

func langListValues(t protocol.TextList) []any {
	var out []any
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		for _, v := range t[lang] {
			out = append(out, langValue(lang, v))
		}
	}
	return out
}

func langValue(lang, v string) map[string]any {
	return map[string]any{"@language": lang, "@value": v}
}

func plainValues(vals []string) []any {
	out := make([]any, 0, len(vals))
	for _, v := range vals {
		out = append(out, map[string]any{"@value": v})
	}
	return out
}

// languages writes BCP 47 tags as EU language authority IRIs; IRIs stay as
// they are; a tag without an entry is written as a plain literal.
func languages(list []string) []any {
	var out []any
	for _, l := range list {
		switch {
		case protocol.LanguageFromIRI(l) != "" || (!protocol.ValidBCP47(l) && protocol.ValidIRI(l)):
			out = append(out, ref(l))
		case protocol.LanguageIRI(l) != "":
			out = append(out, ref(protocol.LanguageIRI(l)))
		default:
			out = append(out, map[string]any{"@value": l})
		}
	}
	return out
}

// duration writes an xsd:duration literal; whole weeks become days.
func duration(d string) map[string]any {
	if w, ok := strings.CutSuffix(strings.TrimPrefix(d, "P"), "W"); ok && strings.HasPrefix(d, "P") {
		if n, err := strconv.ParseUint(w, 10, 32); err == nil {
			d = "P" + strconv.FormatUint(n*7, 10) + "D"
		}
	}
	return map[string]any{"@value": d, "@type": "xsd:duration"}
}
