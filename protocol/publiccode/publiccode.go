// Package publiccode reads publiccode.yml files (the metadata standard for
// public-sector software, every release from 0.2 to 0.7 and later 0.x) into
// software interlinkers, and writes a software interlinker back as a
// publiccode.yml 0.7 document (Export).
//
// The standard: https://github.com/publiccodeyml/publiccode.yml (CC0-1.0).
// The version key may be "0" (the newest 0.x), "0.N" or "0.N.P"; a minor
// version newer than 0.7 imports with a warning (ImportWithWarnings), read
// with the rules of 0.7, as the standard promises that minor versions only
// add keys or make them optional. The keys of 0.5 (organisation, fundedBy)
// and 0.7 (supports) are kept; keys the standard adds later are ignored;
// country-specific sections ("it", "IT", ...), deprecated by 0.7, are kept
// verbatim.
package publiccode

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
	"go.yaml.in/yaml/v3"
)

// MaxDocumentBytes bounds a publiccode.yml document.
const MaxDocumentBytes = 1 << 20

// The enumerations of publiccode.yml 0.x.
var (
	developmentStatuses = []string{"concept", "development", "beta", "stable", "obsolete"}
	softwareTypes       = []string{"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
		"standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
	maintenanceTypes = []string{"internal", "contract", "community", "none"}
)

// Import maps a publiccode.yml document to an external-software interlinker
// (nature "externalsoftware": the software lives outside the node; a caller
// that hosts it may set NatureSoftware on the result, which stays valid).
//
//   - Key: a slug of the repository URL's host and path ("example.com/italia/
//     medusa.git" gives "example_com_italia_medusa"), the identity the
//     standard gives the software.
//   - Name: name, or description.<lang>.localisedName, per description language.
//   - Description: longDescription (shortDescription when there is none);
//     OverviewText: shortDescription.
//   - Tags: the features of each language, then the categories.
//   - SPDXLicence: legal.license; LicenceCategory derived from it (see
//     LicenceCategory), empty when unknown.
//   - Languages: localisation.availableLanguages; SupportsInternationalization:
//     localisation.localisationReady.
//   - URI: landingURL, else url, per description language.
//   - PublicCode: the rest worth keeping (see protocol.PublicCodeInfo).
//
// Mandatory keys follow the document's publiccodeYmlVersion: publiccodeYmlVersion,
// name, url, platforms, developmentStatus, softwareType, description with at
// least one language, description.<lang>.shortDescription in each language,
// longDescription and features in at least one, legal.license,
// maintenance.type, maintenance.contacts when the type is internal or
// community, maintenance.contractors when it is contract,
// localisation.localisationReady and localisation.availableLanguages; before
// 0.4 also releaseDate and categories (the 0.4 examples dropped them).
//
// Errors: a *SyntaxError with the line when the YAML is malformed; otherwise
// a *protocol.ValidationError naming every failure by its publiccode.yml key
// path ("legal.license", "description.en.features"), with the line in the
// message.
func Import(doc []byte) (*protocol.Interlinker, error) {
	it, _, err := ImportWithWarnings(doc)
	return it, err
}

// Warning is something an import accepted but that its author should know:
// a version newer than this importer, a deprecated key, a common mistake
// read leniently. Field is the publiccode.yml key path.
type Warning struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (w Warning) String() string { return w.Field + ": " + w.Message }

// ImportWithWarnings is Import, and also returns the warnings of an accepted
// document (nil when there are none).
func ImportWithWarnings(doc []byte) (*protocol.Interlinker, []Warning, error) {
	if len(doc) > MaxDocumentBytes {
		ve := &protocol.ValidationError{Kind: protocol.KindInterlinker}
		ve.Add(protocol.RootField, "max_length", "the document is larger than %d bytes", MaxDocumentBytes)
		return nil, nil, ve
	}
	root, err := parseYAML(doc)
	if err != nil {
		return nil, nil, err
	}
	r := &reader{ve: &protocol.ValidationError{Kind: protocol.KindInterlinker}}
	top := r.mapping(protocol.RootField, root)
	if top == nil && root != nil && !isNull(root) {
		return nil, nil, r.ve // the document is a list or a scalar
	}
	it := r.document(top)
	if err := r.ve.Err(); err != nil {
		return nil, nil, err
	}
	// The mapping above guarantees a valid interlinker; check it all the same.
	e := &protocol.ValidationError{Kind: protocol.KindInterlinker}
	if err := it.Validate(); err != nil {
		if inner, ok := errors.AsType[*protocol.ValidationError](err); ok {
			e.Errors = append(e.Errors, inner.Errors...)
		} else {
			return nil, nil, fmt.Errorf("publiccode: validate the interlinker: %w", err)
		}
	}
	it.PublicCode.ValidateInto(e, "publiccode")
	if err := e.Err(); err != nil {
		return nil, nil, err
	}
	return it, r.warnings, nil
}

// NewestMinor is the newest 0.x release of the standard this package knows
// (0.7.0; there was no 0.6).
const NewestMinor = 7

// version is a publiccodeYmlVersion: 0, 0.minor or 0.minor.patch.
type version struct {
	major, minor int
	majorOnly    bool // "0": the newest release of major 0
}

func parseVersion(s string) (version, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 1 || len(parts) > 3 {
		return version{}, false
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (len(p) > 1 && p[0] == '0') {
			return version{}, false
		}
		v[i] = n
	}
	return version{major: v[0], minor: v[1], majorOnly: len(parts) == 1}, true
}

func (r *reader) document(top *ymap) *protocol.Interlinker {
	line := top.lineOr(1)
	pc := &protocol.PublicCodeInfo{}
	it := &protocol.Interlinker{Type: protocol.KindInterlinker, Nature: protocol.NatureExternalSoftware, PublicCode: pc}

	pc.Version = r.str("publiccodeYmlVersion", top.get("publiccodeYmlVersion"))
	v := version{major: 0, minor: 4} // the rules of 0.4 when the version is missing or unreadable
	if r.required("publiccodeYmlVersion", top.get("publiccodeYmlVersion"), line) && pc.Version != "" {
		parsed, ok := parseVersion(pc.Version)
		switch {
		case !ok:
			r.ve.Add("publiccodeYmlVersion", "format", "%q is not a version such as \"0.7\"", truncate(pc.Version))
		case parsed.major != 0 || (parsed.minor < 2 && !parsed.majorOnly):
			r.ve.Add("publiccodeYmlVersion", "unsupported", "version %q is not supported: this importer reads 0.2 to 0.x", truncate(pc.Version))
		case parsed.majorOnly:
			v = version{minor: NewestMinor} // "0" follows the newest 0.x release
		case parsed.minor > NewestMinor:
			r.warn("publiccodeYmlVersion", "version %s is newer than the newest this node knows (0.%d): read with the rules of 0.%d; keys added since are ignored",
				truncate(pc.Version), NewestMinor, NewestMinor)
			v = parsed
		default:
			v = parsed
		}
	}
	older := v.minor < 4 // 0.2 and 0.3 required releaseDate and categories

	name := r.str("name", top.get("name"))
	r.required("name", top.get("name"), line)
	pc.URL = r.str("url", top.get("url"))
	if r.required("url", top.get("url"), line) {
		r.httpURL("url", pc.URL)
	}
	pc.LandingURL = r.str("landingURL", top.get("landingURL"))
	r.httpURL("landingURL", pc.LandingURL)
	pc.IsBasedOn = r.strList("isBasedOn", top.get("isBasedOn"), true)
	pc.ApplicationSuite = r.str("applicationSuite", top.get("applicationSuite"))
	pc.SoftwareVersion = r.str("softwareVersion", top.get("softwareVersion"))
	pc.ReleaseDate = r.str("releaseDate", top.get("releaseDate"))
	if older {
		r.required("releaseDate", top.get("releaseDate"), line)
	}
	pc.Logo = r.str("logo", top.get("logo"))
	r.organisation(top, pc)
	pc.FundedBy = r.fundedBy(top)
	pc.Supports = r.supports(top)

	pc.Platforms = r.strList("platforms", top.get("platforms"), true)
	if r.required("platforms", top.get("platforms"), line) && len(pc.Platforms) == 0 {
		r.ve.Add("platforms", "required", "lists no platform")
	}
	pc.Categories = r.strList("categories", top.get("categories"), false)
	if older && r.required("categories", top.get("categories"), line) && len(pc.Categories) == 0 {
		r.ve.Add("categories", "required", "lists no category")
	}
	pc.UsedBy = r.strList("usedBy", top.get("usedBy"), false)
	pc.Roadmap = r.str("roadmap", top.get("roadmap"))
	r.httpURL("roadmap", pc.Roadmap)
	pc.DevelopmentStatus = r.enum("developmentStatus", top.get("developmentStatus"), line, developmentStatuses)
	pc.SoftwareType = r.enum("softwareType", top.get("softwareType"), line, softwareTypes)
	if aud := r.mapping("intendedAudience", top.get("intendedAudience")); aud != nil {
		pc.IntendedAudience = &protocol.PublicCodeAudience{
			Scope:                r.strList("intendedAudience.scope", aud.get("scope"), false),
			Countries:            r.countries("intendedAudience.countries", aud.get("countries")),
			UnsupportedCountries: r.countries("intendedAudience.unsupportedCountries", aud.get("unsupportedCountries")),
		}
	}

	r.description(top, it, name, line)

	legal := r.mapping("legal", top.get("legal"))
	r.required("legal", top.get("legal"), line)
	if legal != nil {
		it.SPDXLicence = strings.TrimSpace(r.str("legal.license", legal.get("license")))
		if r.required("legal.license", legal.get("license"), legal.line) && it.SPDXLicence != "" {
			cat, err := LicenceCategory(it.SPDXLicence)
			if err != nil {
				r.ve.Add("legal.license", "spdx", "%q is not an SPDX expression: %v", truncate(it.SPDXLicence), err)
			}
			it.LicenceCategory = cat
		}
		pc.MainCopyrightOwner = r.str("legal.mainCopyrightOwner", legal.get("mainCopyrightOwner"))
		pc.RepoOwner = r.str("legal.repoOwner", legal.get("repoOwner"))
	}

	r.maintenance(top, pc, line)

	loc := r.mapping("localisation", top.get("localisation"))
	r.required("localisation", top.get("localisation"), line)
	if loc != nil {
		if ready, ok := r.boolean("localisation.localisationReady", loc.get("localisationReady")); ok {
			pc.LocalisationReady = ready
			it.SupportsInternationalization = &ready
		}
		r.required("localisation.localisationReady", loc.get("localisationReady"), loc.line)
		langs := r.strList("localisation.availableLanguages", loc.get("availableLanguages"), false)
		if r.required("localisation.availableLanguages", loc.get("availableLanguages"), loc.line) && len(langs) == 0 {
			r.ve.Add("localisation.availableLanguages", "required", "lists no language")
		}
		for i, l := range langs {
			if !protocol.ValidBCP47(l) {
				r.ve.Add(protocol.IndexField("localisation.availableLanguages", i), "bcp47", "%q is not a BCP 47 language tag", truncate(l))
			} else if !slices.Contains(it.Languages, l) {
				it.Languages = append(it.Languages, l)
			}
		}
		if len(it.Languages) > 0 {
			pc.AvailableLanguages = slices.Clone(it.Languages)
		}
	}

	pc.DependsOn = r.dependsOn(top)
	pc.CountrySections = r.countrySections(top)
	if len(pc.CountrySections) > 0 && v.minor >= 7 {
		r.warn(slices.Sorted(maps.Keys(pc.CountrySections))[0], "country-specific sections are deprecated since 0.7 (use supports and organisation); the section is kept as written")
	}
	if v.minor >= 4 {
		r.deprecated(top, legal, desc(top))
	}

	it.Key = keyFor(pc.URL, name)
	uri := pc.LandingURL
	if uri == "" {
		uri = pc.URL
	}
	if uri != "" && protocol.ValidHTTPURL(uri) {
		it.URI = protocol.Text{}
		for lang := range it.Name {
			it.URI[lang] = uri
		}
	}
	return it
}

// description reads the description section into names, descriptions,
// overview texts and tags.
func (r *reader) description(top *ymap, it *protocol.Interlinker, name string, line int) {
	pc := it.PublicCode
	desc := r.mapping("description", top.get("description"))
	if !r.required("description", top.get("description"), line) {
		return
	}
	if desc == nil || len(desc.order) == 0 {
		if desc != nil {
			r.ve.Add("description", "required", "has no language (line %d)", desc.line)
		}
		return
	}
	it.Name, it.Description, it.OverviewText = protocol.Text{}, protocol.Text{}, protocol.Text{}
	var longMissing, featuresMissing []string
	for _, lang := range desc.order {
		f := protocol.MapField("description", lang)
		if !protocol.ValidBCP47(lang) {
			r.ve.Add(f, "bcp47", "%q is not a BCP 47 language tag", truncate(lang))
			continue
		}
		d := r.mapping(f, desc.get(lang))
		if d == nil {
			r.required(f, desc.get(lang), desc.line)
			continue
		}
		localised := strings.TrimSpace(r.str(f+".localisedName", d.get("localisedName")))
		if localised == "" {
			localised = strings.TrimSpace(name)
		}
		if localised != "" {
			it.Name[lang] = localised
		}
		short := strings.TrimSpace(r.str(f+".shortDescription", d.get("shortDescription")))
		if r.required(f+".shortDescription", d.get("shortDescription"), d.line) && short == "" {
			r.ve.Add(f+".shortDescription", "required", "is empty")
		}
		long := strings.TrimSpace(r.str(f+".longDescription", d.get("longDescription")))
		if long == "" {
			longMissing = append(longMissing, f+".longDescription")
			long = short
		}
		if len(long) > protocol.MaxDescriptionRunes {
			r.ve.Add(f+".longDescription", "max_length", "is longer than %d characters", protocol.MaxDescriptionRunes)
		}
		if short != "" {
			it.OverviewText[lang] = short
		}
		if long != "" {
			it.Description[lang] = long
		}
		features := r.strList(f+".features", d.get("features"), false)
		if len(features) == 0 {
			featuresMissing = append(featuresMissing, f+".features")
		}
		tags := make([]string, 0, len(features)+len(pc.Categories))
		for _, ft := range append(features, pc.Categories...) {
			ft = strings.Join(strings.Fields(ft), " ") // single line
			if ft != "" && !slices.Contains(tags, ft) {
				tags = append(tags, ft)
			}
		}
		if len(tags) > 0 {
			if it.Tags == nil {
				it.Tags = protocol.TextList{}
			}
			it.Tags[lang] = tags
		}
		if doc := strings.TrimSpace(r.str(f+".documentation", d.get("documentation"))); doc != "" && r.httpURL(f+".documentation", doc) {
			if pc.Documentation == nil {
				pc.Documentation = protocol.Text{}
			}
			pc.Documentation[lang] = doc
		}
		if doc := strings.TrimSpace(r.str(f+".apiDocumentation", d.get("apiDocumentation"))); doc != "" && r.httpURL(f+".apiDocumentation", doc) {
			if pc.APIDocumentation == nil {
				pc.APIDocumentation = protocol.Text{}
			}
			pc.APIDocumentation[lang] = doc
		}
	}
	// longDescription and features are mandatory in at least one language.
	if len(longMissing) == len(desc.order) {
		for _, f := range longMissing {
			r.ve.Add(f, "required", "is required in at least one language")
		}
	}
	if len(featuresMissing) == len(desc.order) {
		for _, f := range featuresMissing {
			r.ve.Add(f, "required", "is required in at least one language")
		}
	}
}

func (r *reader) maintenance(top *ymap, pc *protocol.PublicCodeInfo, line int) {
	m := r.mapping("maintenance", top.get("maintenance"))
	r.required("maintenance", top.get("maintenance"), line)
	if m == nil {
		return
	}
	pc.Maintenance.Type = r.enum("maintenance.type", m.get("type"), m.line, maintenanceTypes)
	if n := m.get("contractors"); !isNull(n) {
		for i, c := range r.list("maintenance.contractors", n) {
			f := protocol.IndexField("maintenance.contractors", i)
			cm := r.mapping(f, c)
			if cm == nil {
				r.required(f, c, m.line)
				continue
			}
			ct := protocol.PublicCodeContractor{Name: r.str(f+".name", cm.get("name")), Email: r.str(f+".email", cm.get("email")),
				Website: r.str(f+".website", cm.get("website")), Until: r.str(f+".until", cm.get("until"))}
			r.required(f+".name", cm.get("name"), cm.line)
			r.required(f+".until", cm.get("until"), cm.line)
			r.httpURL(f+".website", ct.Website)
			pc.Maintenance.Contractors = append(pc.Maintenance.Contractors, ct)
		}
	}
	if n := m.get("contacts"); !isNull(n) {
		for i, c := range r.list("maintenance.contacts", n) {
			f := protocol.IndexField("maintenance.contacts", i)
			cm := r.mapping(f, c)
			if cm == nil {
				r.required(f, c, m.line)
				continue
			}
			r.required(f+".name", cm.get("name"), cm.line)
			pc.Maintenance.Contacts = append(pc.Maintenance.Contacts, protocol.PublicCodeContact{Name: r.str(f+".name", cm.get("name")),
				Email: r.str(f+".email", cm.get("email")), Affiliation: r.str(f+".affiliation", cm.get("affiliation")),
				Phone: r.str(f+".phone", cm.get("phone"))})
		}
	}
	switch pc.Maintenance.Type {
	case "internal", "community":
		if len(pc.Maintenance.Contacts) == 0 {
			r.ve.Add("maintenance.contacts", "required", "is required when maintenance.type is %s (line %d)", pc.Maintenance.Type, m.line)
		}
	case "contract":
		if len(pc.Maintenance.Contractors) == 0 {
			r.ve.Add("maintenance.contractors", "required", "is required when maintenance.type is contract (line %d)", m.line)
		}
	}
}

func (r *reader) dependsOn(top *ymap) *protocol.PublicCodeDependsOn {
	d := r.mapping("dependsOn", top.get("dependsOn"))
	if d == nil {
		return nil
	}
	out := &protocol.PublicCodeDependsOn{}
	read := func(key string) []protocol.PublicCodeDependency {
		var deps []protocol.PublicCodeDependency
		for i, n := range r.list("dependsOn."+key, d.get(key)) {
			f := protocol.IndexField("dependsOn."+key, i)
			m := r.mapping(f, n)
			if m == nil {
				continue
			}
			r.required(f+".name", m.get("name"), m.line)
			dep := protocol.PublicCodeDependency{Name: r.str(f+".name", m.get("name")), VersionMin: r.str(f+".versionMin", m.get("versionMin")),
				VersionMax: r.str(f+".versionMax", m.get("versionMax")), Version: r.str(f+".version", m.get("version"))}
			dep.Optional, _ = r.boolean(f+".optional", m.get("optional"))
			deps = append(deps, dep)
		}
		return deps
	}
	out.Open, out.Proprietary, out.Hardware = read("open"), read("proprietary"), read("hardware")
	if len(out.Open)+len(out.Proprietary)+len(out.Hardware) == 0 {
		return nil
	}
	return out
}

// countrySections keeps the top-level two-letter keys holding a mapping.
func (r *reader) countrySections(top *ymap) map[string]json.RawMessage {
	if top == nil {
		return nil
	}
	var out map[string]json.RawMessage
	for _, key := range top.order {
		n := top.get(key)
		if len(key) != 2 || !isLetters(key) || n == nil || n.Kind != yaml.MappingNode {
			continue
		}
		budget := maxConverted
		v, err := toJSON(n, &budget)
		if err != nil {
			r.ve.Add(key, "type", "the country section cannot be kept: %v", err)
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			r.ve.Add(key, "type", "the country section cannot be kept: %v", err)
			continue
		}
		if len(raw) > protocol.MaxCountrySectionBytes {
			r.ve.Add(key, "max_length", "the country section is larger than %d bytes", protocol.MaxCountrySectionBytes)
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[key] = raw
	}
	return out
}

// list reads a YAML sequence.
func (r *reader) list(path string, n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.ve.Add(path, "type", "must be a list, not %s (line %d)", kindName(n), n.Line)
		return nil
	}
	return n.Content
}

// enum reads a mandatory enumerated string.
func (r *reader) enum(path string, n *yaml.Node, parentLine int, allowed []string) string {
	s := r.str(path, n)
	if !r.required(path, n, parentLine) {
		return ""
	}
	if !slices.Contains(allowed, s) {
		r.ve.Add(path, "enum", "%q is not one of %s (line %d)", truncate(s), strings.Join(allowed, ", "), resolve(n).Line)
		return ""
	}
	return s
}

// httpURL checks an optional absolute http(s) URL.
func (r *reader) httpURL(path, s string) bool {
	if s == "" {
		return true
	}
	if !protocol.ValidHTTPURL(s) {
		r.ve.Add(path, "url", "%q is not an absolute http or https URL", truncate(s))
		return false
	}
	return true
}

// countries reads ISO 3166-1 alpha-2 codes, as the standard writes them (lower case).
func (r *reader) countries(path string, n *yaml.Node) []string {
	list := r.strList(path, n, false)
	for i, c := range list {
		if !protocol.ValidCountryCode(strings.ToUpper(c)) {
			r.ve.Add(protocol.IndexField(path, i), "iso3166", "%q is not an ISO 3166-1 alpha-2 code", truncate(c))
		}
	}
	return list
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// keyFor makes the interlinker key: a slug of the repository URL's host and
// path, else of the name. Slugs longer than protocol.MaxKeyLength are cut
// and end with a hash of what they stand for.
func keyFor(repo, name string) string {
	source := ""
	if u, err := url.Parse(strings.TrimSpace(repo)); err == nil && u.Host != "" {
		source = u.Hostname() + "/" + strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
	}
	if slug(source) == "" {
		source = name
	}
	s := slug(source)
	if len(s) > protocol.MaxKeyLength {
		sum := sha256.Sum256([]byte(source))
		s = strings.TrimRight(s[:protocol.MaxKeyLength-9], "_") + "_" + hex.EncodeToString(sum[:4])
	}
	return s
}

// slug lower-cases s and turns every run of characters other than ASCII
// letters, digits and '-' into one '_'.
func slug(s string) string {
	var b strings.Builder
	pending := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' {
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			b.WriteRune(c)
			continue
		}
		pending = true
	}
	return b.String()
}
