package cpsv

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// Import reads a CPSV-AP JSON-LD document: every cpsv:PublicService node
// becomes a PublicService, and every cv:PublicOrganisation node, every node
// with an organisation kind of the ilk namespace, and every competent
// authority the document describes with a preferred label an Organisation,
// in document order. Contexts may be the official CPSV-AP 3.2.0 context URL
// (resolved from the embedded terms, never fetched), inline objects, or
// arrays of both; properties may be compact terms of the official context,
// prefixed names or full IRIs; values single or in arrays; nodes embedded or
// referenced by @id.
//
// Mapping rules: text without a language goes under "und"; dct:language
// authority IRIs become BCP 47 tags ("ENG" gives "en") and EU country
// authority IRIs in dct:spatial become alpha-2 codes, other IRIs are kept;
// an organisation's key is its dct:identifier, else its @id; a public
// organisation without an ilk kind is a public administration. References
// to nodes the document does not describe (channels, costs, ...) are
// skipped; only the first competent authority is kept.
//
// Errors: a wrapped *json.SyntaxError (or io.ErrUnexpectedEOF) when doc is
// not JSON; otherwise a *protocol.ValidationError naming every failure:
// JSON-LD structure ("@graph" and the like, rule "jsonld"), unsupported
// features (remote contexts other than CPSV-AP's, @reverse, ...: rule
// "unsupported"), values of the wrong kind ("services[0].identifier", rule
// "type" or "max_count"), and what each entity's Validate reports, prefixed
// by "services[i]." or "organisations[i].". Every returned entity passes
// Validate.
func Import(doc []byte) ([]*protocol.PublicService, []*protocol.Organisation, error) {
	g, err := expandDocument(doc)
	return importGraph(g, err)
}

// ImportTurtle reads a CPSV-AP document written in Turtle, with the rules
// of Import. A malformed document is a *protocol.ValidationError whose field
// names the line and column ("turtle (line 3, column 7)", rule "syntax").
func ImportTurtle(doc []byte) ([]*protocol.PublicService, []*protocol.Organisation, error) {
	g, err := readTurtle(doc)
	return importGraph(g, err)
}

func importGraph(g *graph, err error) ([]*protocol.PublicService, []*protocol.Organisation, error) {
	if err != nil {
		if le, ok := errors.AsType[*ldError](err); ok {
			rule := "jsonld"
			switch {
			case errors.Is(err, errUnsupported):
				rule = "unsupported"
			case strings.HasPrefix(le.Path, "turtle"):
				rule = "syntax"
			}
			ve := &protocol.ValidationError{}
			ve.Add(le.Path, rule, "%v", le.Err)
			return nil, nil, ve
		}
		return nil, nil, err
	}
	r := &reader{g: g, ve: &protocol.ValidationError{}}
	var services []*protocol.PublicService
	authorities := map[string]bool{}
	for _, id := range g.Order {
		n := g.Nodes[id]
		if !slices.Contains(n.Types, iriPublicService) {
			continue
		}
		f := protocol.IndexField("services", len(services))
		s := r.service(f, n)
		services = append(services, s)
		for _, v := range n.Props[iriHasCompetentAuth] {
			authorities[v.Ref] = true
		}
	}
	// Organisations: public organisations, nodes with an ilk kind, and the
	// competent authorities the document describes. Other org:Organization
	// nodes (a channel's owner, a co-producer of unknown kind) are left out.
	var orgs []*protocol.Organisation
	for _, id := range g.Order {
		n := g.Nodes[id]
		if !slices.Contains(n.Types, iriPublicOrganisation) && orgKind(n) == "" &&
			!(authorities[id] && len(n.Props[iriPrefLabel]) > 0) {
			continue
		}
		f := protocol.IndexField("organisations", len(orgs))
		orgs = append(orgs, r.organisation(f, n, authorities[id]))
	}
	if len(services) == 0 && len(orgs) == 0 && len(r.ve.Errors) == 0 {
		r.ve.Add("@graph", "required", "holds no cpsv:PublicService and no cv:PublicOrganisation")
	}
	for i, s := range services {
		r.validated(protocol.IndexField("services", i), s.Validate(), serviceProps)
	}
	for i, o := range orgs {
		r.validated(protocol.IndexField("organisations", i), o.Validate(), orgProps)
	}
	if err := r.ve.Err(); err != nil {
		return nil, nil, err
	}
	return services, orgs, nil
}

// The CPSV-AP properties of entity fields, for error messages.
var (
	serviceProps = map[string]string{"identifier": "dct:identifier", "title": "dct:title", "description": "dct:description",
		"competent_authority": "cv:hasCompetentAuthority", "keywords": "dcat:keyword", "language": "dct:language",
		"spatial": "dct:spatial", "thematic_area": "cv:thematicArea", "processing_time": "cv:processingTime"}
	orgProps = map[string]string{"key": "dct:identifier or @id", "pref_label": "skos:prefLabel",
		"spatial.country": "dct:spatial", "kind": "dct:type", "homepage": "foaf:homepage", "email": "foaf:mbox"}
)

// validated adds the failures of an entity's Validate under prefix.
func (r *reader) validated(prefix string, err error, props map[string]string) {
	if err == nil {
		return
	}
	ve, ok := errors.AsType[*protocol.ValidationError](err)
	if !ok {
		r.ve.Add(prefix, "invalid", "%v", err)
		return
	}
	for _, fe := range ve.Errors {
		msg := fe.Message
		field, _, _ := strings.Cut(fe.Field, "[")
		if p, ok := props[field]; ok {
			msg += " (" + p + ")"
		} else if field, _, _ := strings.Cut(fe.Field, "."); props[field] != "" {
			msg += " (" + props[field] + ")"
		}
		r.ve.Add(prefix+"."+fe.Field, fe.Rule, "%s", msg)
	}
}

// reader maps expanded nodes to entities, collecting failures.
type reader struct {
	g  *graph
	ve *protocol.ValidationError
}

func (r *reader) service(f string, n *node) *protocol.PublicService {
	s := &protocol.PublicService{Type: protocol.KindPublicService, IRI: nodeIRI(n)}
	s.Identifier = r.literal(f+".identifier", n, iriIdentifier)
	s.Title = r.text(f+".title", n, iriTitle, " / ")
	s.Description = r.text(f+".description", n, iriDescription, "\n\n")
	if auth := r.refs(f+".competent_authority", n, iriHasCompetentAuth); len(auth) > 0 {
		s.CompetentAuthority = auth[0]
	} else if vals := n.Props[iriHasCompetentAuth]; len(vals) > 0 && vals[0].IsBlank {
		r.ve.Add(f+".competent_authority", "iri", "the competent authority is a blank node: give it an @id (cv:hasCompetentAuthority)")
	}
	s.Keywords = r.textList(f+".keywords", n, iriKeyword)
	s.Language = languageTags(r.refsOrLiterals(f+".language", n, iriLanguage))
	var spatial uniqueList
	for _, sp := range r.refsOrLiterals(f+".spatial", n, iriSpatial) {
		if c := protocol.CountryFromSpatial(sp); c != "" && (len(sp) == 2 || isCountryAuthority(sp)) {
			sp = c
		}
		spatial.add(sp)
	}
	s.Spatial = spatial.items
	s.ThematicArea = r.refs(f+".thematic_area", n, iriThematicArea)
	s.ProcessingTime = r.literal(f+".processing_time", n, iriProcessingTime)
	s.CoproducedBy = r.refs(f+".coproduced_by", n, iriCoproducedBy)
	s.UsesInterlinkers = r.refs(f+".uses_interlinkers", n, iriUsesInterlinker)
	if inst := r.refs(f+".is_instance_of", n, iriIsInstanceOf); len(inst) > 0 {
		s.IsInstanceOf = inst[0]
	}

	for i, c := range r.described(n, iriHasChannel) {
		cf := protocol.IndexField(f+".channels", i)
		ch := protocol.ServiceChannel{ID: nodeIRI(c), Identifier: r.literal(cf+".identifier", c, iriIdentifier),
			Description: r.text(cf+".description", c, iriDescription, "\n\n"), ProcessingTime: r.literal(cf+".processing_time", c, iriProcessingTime)}
		if t := r.refs(cf+".type", c, iriType); len(t) > 0 {
			ch.Type = t[0]
		}
		s.Channels = append(s.Channels, ch)
	}
	for i, c := range r.described(n, iriHasCost) {
		cf := protocol.IndexField(f+".costs", i)
		cost := protocol.ServiceCost{ID: nodeIRI(c), Identifier: r.literal(cf+".identifier", c, iriIdentifier),
			Description: r.text(cf+".description", c, iriDescription, "\n\n")}
		if v := r.literal(cf+".value", c, iriHasValue); v != "" {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				r.ve.Add(cf+".value", "type", "%q is not a number (cv:hasValue)", protocol.Clip(v, 64))
			} else {
				cost.Value = &x
			}
		}
		if cur := r.refsOrLiterals(cf+".currency", c, iriCurrency); len(cur) > 0 {
			cost.Currency = cur[0]
			if code, ok := strings.CutPrefix(cur[0], protocol.CurrencyAuthority); ok && len(code) == 3 {
				cost.Currency = code
			}
		}
		s.Costs = append(s.Costs, cost)
	}
	for i, o := range r.described(n, iriProduces) {
		of := protocol.IndexField(f+".outputs", i)
		s.Outputs = append(s.Outputs, protocol.ServiceOutput{ID: nodeIRI(o), Identifier: r.literal(of+".identifier", o, iriIdentifier),
			Title: r.text(of+".title", o, iriTitle, " / "), Description: r.text(of+".description", o, iriDescription, "\n\n"),
			Types: r.refs(of+".types", o, iriType)})
	}
	// Evidence: the service's own inputs, then what its requirements name.
	evidence := r.described(n, iriHasInput)
	requirements := r.described(n, iriHoldsRequirement)
	known := map[*node]bool{}
	for _, e := range evidence {
		known[e] = true
	}
	for _, q := range requirements {
		for _, e := range r.described(q, iriSupportingEvidence) {
			if !known[e] {
				known[e] = true
				evidence = append(evidence, e)
			}
		}
	}
	evidenceKey := map[string]string{}
	for i, e := range evidence {
		ef := protocol.IndexField(f+".evidence", i)
		ev := protocol.ServiceEvidence{ID: nodeIRI(e), Identifier: r.literal(ef+".identifier", e, iriIdentifier),
			Title: r.text(ef+".title", e, iriTitle, " / "), Description: r.text(ef+".description", e, iriDescription, "\n\n"),
			RelatedDocumentation: r.refsOrLiterals(ef+".related_documentation", e, iriPage)}
		if t := r.refs(ef+".type", e, iriType); len(t) > 0 {
			ev.Type = t[0]
		}
		ev.Language = languageTags(r.refsOrLiterals(ef+".language", e, iriLanguage))
		evidenceKey[e.ID] = ev.Identifier
		s.Evidence = append(s.Evidence, ev)
	}
	for i, q := range requirements {
		qf := protocol.IndexField(f+".requirements", i)
		req := protocol.ServiceRequirement{ID: nodeIRI(q), Identifier: r.literal(qf+".identifier", q, iriIdentifier),
			Title: r.text(qf+".title", q, iriTitle, " / "), Types: r.refs(qf+".types", q, iriType)}
		var support uniqueList
		for _, e := range r.described(q, iriSupportingEvidence) {
			support.add(evidenceKey[e.ID])
		}
		req.SupportingEvidence = support.items
		s.Requirements = append(s.Requirements, req)
	}
	for i, c := range r.described(n, iriContactPoint) {
		cf := protocol.IndexField(f+".contact_points", i)
		cp := protocol.ContactPoint{ID: nodeIRI(c),
			Telephone: r.refsOrLiterals(cf+".telephone", c, iriTelephone),
			URL:       r.refsOrLiterals(cf+".url", c, iriContactPage)}
		var email uniqueList
		for _, m := range r.refsOrLiterals(cf+".email", c, iriEmail) {
			email.add(strings.TrimPrefix(m, "mailto:"))
		}
		cp.Email = email.items
		cp.OpeningHours = r.hours(cf+".opening_hours", c, iriOpeningHours)
		cp.SpecialOpeningHours = r.hours(cf+".special_opening_hours", c, iriSpecialOpeningHours)
		s.ContactPoints = append(s.ContactPoints, cp)
	}
	return s
}

func (r *reader) organisation(f string, n *node, authority bool) *protocol.Organisation {
	o := &protocol.Organisation{Type: protocol.KindOrganisation, IRI: nodeIRI(n)}
	o.Key = r.literal(f+".key", n, iriIdentifier)
	if o.Key == "" {
		o.Key = o.IRI
	}
	o.PrefLabel = r.text(f+".pref_label", n, iriPrefLabel, " / ")
	if len(o.PrefLabel) == 0 {
		o.PrefLabel = r.text(f+".pref_label", n, iriFoafName, " / ")
	}
	if len(o.PrefLabel) == 0 {
		o.PrefLabel = r.text(f+".pref_label", n, iriTitle, " / ")
	}
	o.SetSpatialIRIs(r.refsOrLiterals(f+".spatial", n, iriSpatial))
	for _, a := range r.described(n, iriAddress) {
		if o.Spatial.Region == "" {
			o.Spatial.Region = firstText(r.text(f+".spatial.region", a, iriAdminUnitL2, " / "))
		}
		if o.Spatial.Municipality == "" {
			o.Spatial.Municipality = firstText(r.text(f+".spatial.municipality", a, iriPostName, " / "))
		}
	}
	o.OrgKind = orgKind(n)
	if o.OrgKind == "" && (slices.Contains(n.Types, iriPublicOrganisation) || authority) {
		o.OrgKind = protocol.OrgPublicAdministration
	}
	if h := r.refsOrLiterals(f+".homepage", n, iriHomepage); len(h) > 0 {
		o.Homepage = h[0]
	}
	if m := r.refsOrLiterals(f+".email", n, iriMbox); len(m) > 0 {
		o.Email = strings.TrimPrefix(m[0], "mailto:")
	} else if m := r.refsOrLiterals(f+".email", n, iriEmail); len(m) > 0 {
		o.Email = strings.TrimPrefix(m[0], "mailto:")
	}
	return o
}

// orgKind is the first ilk organisation kind among the node's dct:type values.
func orgKind(n *node) protocol.OrganisationKind {
	for _, v := range n.Props[iriType] {
		if k, ok := strings.CutPrefix(v.Ref, Namespace); ok && slices.Contains(protocol.OrganisationKinds(), protocol.OrganisationKind(k)) {
			return protocol.OrganisationKind(k)
		}
	}
	return ""
}

// hours reads the descriptions of the temporal entities under prop (or
// literal descriptions), joined with "; " per language.
func (r *reader) hours(f string, n *node, prop string) protocol.Text {
	parts := map[string][]string{}
	var langs []string
	add := func(lang, s string) {
		if _, ok := parts[lang]; !ok {
			langs = append(langs, lang)
		}
		parts[lang] = append(parts[lang], s)
	}
	for _, v := range n.Props[prop] {
		switch {
		case v.Lit != nil:
			add(langOf(v.Lit), v.Lit.Value)
		case v.Ref != "":
			if t := r.g.Nodes[v.Ref]; t != nil {
				desc := r.text(f, t, iriDescription, "; ")
				for _, l := range slices.Sorted(maps.Keys(desc)) {
					add(l, desc[l])
				}
			}
		}
	}
	if len(parts) == 0 {
		return nil
	}
	out := make(protocol.Text, len(parts))
	for _, l := range langs {
		out[l] = strings.Join(parts[l], "; ")
	}
	return out
}

// literal returns the single literal value of prop, or "".
func (r *reader) literal(f string, n *node, prop string) string {
	vals := n.Props[prop]
	if len(vals) == 0 {
		return ""
	}
	if len(vals) > 1 {
		r.ve.Add(f, "max_count", "has %d values of %s, at most one is allowed", len(vals), compact(prop))
	}
	if vals[0].Lit == nil {
		r.ve.Add(f, "type", "%s must be a literal, not a node or a list", compact(prop))
		return ""
	}
	return vals[0].Lit.Value
}

// text reads language-tagged literals into a Text; values of one language
// are joined with sep.
func (r *reader) text(f string, n *node, prop, sep string) protocol.Text {
	parts := map[string][]string{}
	for _, v := range n.Props[prop] {
		if v.Lit == nil {
			r.ve.Add(f, "type", "%s must be a literal, not a node or a list", compact(prop))
			continue
		}
		lang := langOf(v.Lit)
		parts[lang] = append(parts[lang], v.Lit.Value)
	}
	if len(parts) == 0 {
		return nil
	}
	t := make(protocol.Text, len(parts))
	for lang, p := range parts {
		t[lang] = strings.Join(p, sep)
	}
	return t
}

// textList reads language-tagged literals into a TextList.
func (r *reader) textList(f string, n *node, prop string) protocol.TextList {
	var t protocol.TextList
	for _, v := range n.Props[prop] {
		if v.Lit == nil {
			r.ve.Add(f, "type", "%s must be a literal, not a node or a list", compact(prop))
			continue
		}
		if t == nil {
			t = protocol.TextList{}
		}
		lang := langOf(v.Lit)
		t[lang] = append(t[lang], v.Lit.Value)
	}
	return t
}

// refs returns the IRIs prop refers to (blank nodes left out); string
// literals that are absolute IRIs count too.
func (r *reader) refs(f string, n *node, prop string) []string {
	var out uniqueList
	for _, v := range flattenLists(n.Props[prop]) {
		switch {
		case v.Ref != "" && !v.IsBlank:
			out.add(v.Ref)
		case v.Lit != nil && protocol.ValidIRI(v.Lit.Value):
			out.add(v.Lit.Value)
		case v.Lit != nil:
			r.ve.Add(f, "type", "%s must refer to a resource by IRI, not hold the literal %q", compact(prop), protocol.Clip(v.Lit.Value, 64))
		}
	}
	return out.items
}

// refsOrLiterals returns the IRIs and literal values of prop, in order.
func (r *reader) refsOrLiterals(f string, n *node, prop string) []string {
	var out uniqueList
	for _, v := range flattenLists(n.Props[prop]) {
		switch {
		case v.Ref != "" && !v.IsBlank:
			out.add(v.Ref)
		case v.Lit != nil:
			out.add(strings.TrimSpace(v.Lit.Value))
		}
	}
	return out.items
}

// uniqueList keeps the first occurrence of each non-empty string.
type uniqueList struct {
	items []string
	seen  map[string]bool
}

func (u *uniqueList) add(s string) {
	if s == "" || u.seen[s] {
		return
	}
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	u.seen[s] = true
	u.items = append(u.items, s)
}

// described returns the nodes prop refers to that the document describes
// (that have a type or a property), in order.
func (r *reader) described(n *node, prop string) []*node {
	var out []*node
	seen := map[*node]bool{}
	for _, v := range flattenLists(n.Props[prop]) {
		if t := r.g.Nodes[v.Ref]; v.Ref != "" && t != nil && (len(t.Types) > 0 || len(t.Props) > 0) && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func flattenLists(vals []value) []value {
	var out []value
	for _, v := range vals {
		if v.IsList {
			out = append(out, flattenLists(v.List)...)
			continue
		}
		out = append(out, v)
	}
	return out
}

func langOf(l *literal) string {
	if l.Lang == "" {
		return undeterminedLangTag
	}
	return l.Lang
}

func nodeIRI(n *node) string {
	if strings.HasPrefix(n.ID, "_:") {
		return ""
	}
	return n.ID
}

func firstText(t protocol.Text) string {
	for _, l := range slices.Sorted(maps.Keys(t)) {
		if t[l] != "" {
			return t[l]
		}
	}
	return ""
}

// languageTags turns EU language authority IRIs into BCP 47 tags.
func languageTags(values []string) []string {
	var out uniqueList
	for _, l := range values {
		if tag := protocol.LanguageFromIRI(l); tag != "" {
			l = tag
		}
		out.add(l)
	}
	return out.items
}

func isCountryAuthority(iri string) bool {
	return strings.HasPrefix(iri, protocol.CountryAuthority) ||
		strings.HasPrefix(iri, "https"+strings.TrimPrefix(protocol.CountryAuthority, "http"))
}

// compact writes an IRI with the prefixes Export declares, for messages.
func compact(iri string) string {
	for _, p := range prefixes {
		if local, ok := strings.CutPrefix(iri, p[1]); ok && local != "" {
			return p[0] + ":" + local
		}
	}
	return fmt.Sprintf("<%s>", iri)
}
