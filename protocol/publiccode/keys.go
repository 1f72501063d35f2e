package publiccode

import (
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	"go.yaml.in/yaml/v3"
)

// The keys of publiccode.yml 0.5 (organisation, fundedBy) and 0.7
// (supports), and the organisation URI key proposed beside them.

// organisation reads the organisation section (0.5: uri and name) and the
// top-level organizationUri / organisationUri keys.
func (r *reader) organisation(top *ymap, pc *protocol.PublicCodeInfo) {
	switch n := top.get("organisation"); {
	case isNull(n):
	case n.Kind == yaml.ScalarNode:
		// A name written where the section belongs, as some files do.
		pc.OrganisationName = strings.TrimSpace(n.Value)
		r.warn("organisation", "is a section with uri and name since 0.5, not a string: read as organisation.name")
	default:
		if org := r.mapping("organisation", n); org != nil {
			pc.OrganisationName = strings.TrimSpace(r.str("organisation.name", org.get("name")))
			pc.OrganisationURI = strings.TrimSpace(r.str("organisation.uri", org.get("uri")))
			r.uri("organisation.uri", pc.OrganisationURI)
			if pc.OrganisationURI == "" {
				r.warn("organisation.uri", "is missing: the organisation is known by its name only")
			}
		}
	}
	for _, key := range []string{"organisationUri", "organizationUri"} {
		if uri := strings.TrimSpace(r.str(key, top.get(key))); uri != "" && pc.OrganisationURI == "" {
			pc.OrganisationURI = uri
			r.uri(key, uri)
		}
	}
}

// fundedBy reads the fundedBy list (0.5): organisations with a uri and a name.
func (r *reader) fundedBy(top *ymap) []protocol.PublicCodeOrganisation {
	var out []protocol.PublicCodeOrganisation
	for i, n := range r.list("fundedBy", top.get("fundedBy")) {
		f := protocol.IndexField("fundedBy", i)
		m := r.mapping(f, n)
		if m == nil {
			r.required(f, n, top.line)
			continue
		}
		o := protocol.PublicCodeOrganisation{Name: strings.TrimSpace(r.str(f+".name", m.get("name"))),
			URI: strings.TrimSpace(r.str(f+".uri", m.get("uri")))}
		if u := strings.TrimSpace(r.str(f+".url", m.get("url"))); u != "" && o.URI == "" {
			o.URI = u
			r.warn(f+".url", "the key is uri (an identifier), not url: read as uri")
		}
		r.uri(f+".uri", o.URI)
		if o.Name == "" && o.URI == "" {
			r.ve.Add(f, "required", "names no organisation: give uri, name or both (line %d)", m.line)
			continue
		}
		out = append(out, o)
	}
	return out
}

// supports reads the supports list (0.7): standards, regulations or
// platforms the software complies with, each an "alias:<name>" of the
// standard's list or a URI.
func (r *reader) supports(top *ymap) []protocol.PublicCodeSupport {
	var out []protocol.PublicCodeSupport
	for i, n := range r.list("supports", top.get("supports")) {
		f := protocol.IndexField("supports", i)
		var id string
		if n := resolve(n); n != nil && n.Kind == yaml.ScalarNode && !isNull(n) {
			id = strings.TrimSpace(n.Value)
			r.warn(f, "each entry is a mapping with an id, not a string: read as id")
		} else {
			m := r.mapping(f, n)
			if m == nil {
				r.required(f, n, top.line)
				continue
			}
			id = strings.TrimSpace(r.str(f+".id", m.get("id")))
			if !r.required(f+".id", m.get("id"), m.line) {
				continue
			}
		}
		if !validSupportID(id) {
			r.ve.Add(f+".id", "format", "%q is neither alias:<name> nor an absolute URI", truncate(id))
			continue
		}
		out = append(out, protocol.PublicCodeSupport{ID: id})
	}
	return out
}

// validSupportID accepts "alias:<name>" (letters, digits, '-', '_', '.')
// and absolute URIs.
func validSupportID(id string) bool {
	if name, ok := strings.CutPrefix(id, "alias:"); ok {
		if name == "" || len(name) > 64 {
			return false
		}
		for _, c := range name {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return false
			}
		}
		return true
	}
	return protocol.ValidIRI(id)
}

// uri checks an optional absolute URI (http(s), urn, ...).
func (r *reader) uri(path, s string) {
	if s != "" && !protocol.ValidIRI(s) {
		r.ve.Add(path, "uri", "%q is not an absolute URI", truncate(s))
	}
}

// deprecated warns about the keys the standard deprecated before 0.4, which
// this importer ignores: monochromeLogo, inputTypes, outputTypes,
// legal.authorsFile and description.<lang>.genericName.
func (r *reader) deprecated(top, legal, description *ymap) {
	for _, key := range []string{"monochromeLogo", "inputTypes", "outputTypes"} {
		if top.get(key) != nil {
			r.warn(key, "is deprecated by the standard and ignored")
		}
	}
	if legal.get("authorsFile") != nil {
		r.warn("legal.authorsFile", "is deprecated by the standard and ignored")
	}
	if description == nil {
		return
	}
	for _, lang := range description.order {
		if d, ok := description.keys[lang]; ok {
			if n := resolve(d); n != nil && n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if k := resolve(n.Content[i]); k != nil && k.Value == "genericName" {
						r.warn(protocol.MapField("description", lang)+".genericName", "is deprecated by the standard and ignored")
					}
				}
			}
		}
	}
}

// desc is the description section as a mapping, without recording errors
// (the description reader records them).
func desc(top *ymap) *ymap {
	n := top.get("description")
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	m := &ymap{line: n.Line, keys: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode {
			if _, dup := m.keys[k.Value]; !dup {
				m.keys[k.Value] = n.Content[i+1]
				m.order = append(m.order, k.Value)
			}
		}
	}
	return m
}
