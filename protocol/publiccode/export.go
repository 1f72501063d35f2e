package publiccode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/protocol"
	"go.yaml.in/yaml/v3"
)

// ExportVersion is the publiccodeYmlVersion Export writes.
const ExportVersion = "0.7"

// ErrNotSoftware is returned by Export for an interlinker that is not
// software (knowledge assets have no publiccode.yml).
var ErrNotSoftware = errors.New("publiccode: only software interlinkers have a publiccode.yml")

// ErrCannotExport is returned by Export for a software interlinker that
// lacks what publiccode.yml makes mandatory (a URL, an SPDX licence).
var ErrCannotExport = errors.New("publiccode: cannot export")

// Export writes a software interlinker as a publiccode.yml 0.7 document that
// Import reads back to the same key, names, descriptions, overview texts,
// tags, SPDX licence, languages, URI and publiccode block (the version
// excepted: the document is written in the shape of 0.7).
//
//   - url: the publiccode block's repository URL, else the interlinker's URI
//     (the first by language); an interlinker with neither cannot be exported.
//   - name: the name shared by every language, else the English one, else
//     the first by language; description.<lang>.localisedName where a
//     language's name differs.
//   - description.<lang>: shortDescription from the overview text (else the
//     description cut to 150 characters), longDescription from the
//     description, features from the tags that are not categories (the
//     short description when no language has one: features are mandatory).
//   - legal.license: the SPDX licence (required: an interlinker with only an
//     INTERLINK licence category cannot be exported).
//   - platforms, developmentStatus, softwareType, maintenance.type: the
//     block's values, else "web", "stable", "standalone/web" and "none" for
//     a native interlinker that never had a publiccode.yml.
//
// Country sections are written back as they were kept.
func Export(it *protocol.Interlinker) ([]byte, error) {
	if it == nil {
		return nil, errors.New("publiccode: export: no interlinker")
	}
	if it.Nature != protocol.NatureSoftware && it.Nature != protocol.NatureExternalSoftware {
		return nil, fmt.Errorf("%w: %q is %s", ErrNotSoftware, it.Key, it.Nature)
	}
	pc := it.PublicCode
	if pc == nil {
		pc = &protocol.PublicCodeInfo{}
	}
	langs := slices.Sorted(maps.Keys(it.Description))
	url := pc.URL
	if url == "" {
		url = firstOf(it.URI)
	}
	if url == "" {
		return nil, fmt.Errorf("%w %q: the interlinker has no repository URL (publiccode.url) and no URI", ErrCannotExport, it.Key)
	}
	if it.SPDXLicence == "" {
		return nil, fmt.Errorf("%w %q: the interlinker has no SPDX licence (legal.license is mandatory)", ErrCannotExport, it.Key)
	}
	name := commonName(it.Name)

	m := &mapping{}
	m.str("publiccodeYmlVersion", ExportVersion)
	m.str("name", name)
	m.opt("applicationSuite", pc.ApplicationSuite)
	m.str("url", url)
	landing := pc.LandingURL // Import makes the URI of landingURL, else of url
	if u := firstOf(it.URI); landing == "" && u != url {
		landing = u
	}
	m.opt("landingURL", landing)
	m.list("isBasedOn", pc.IsBasedOn)
	m.opt("softwareVersion", pc.SoftwareVersion)
	m.opt("releaseDate", pc.ReleaseDate)
	m.opt("logo", pc.Logo)
	if pc.OrganisationURI != "" || pc.OrganisationName != "" {
		org := &mapping{}
		org.opt("uri", pc.OrganisationURI)
		org.opt("name", pc.OrganisationName)
		m.node("organisation", org.n())
	}
	if len(pc.FundedBy) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, o := range pc.FundedBy {
			om := &mapping{}
			om.opt("uri", o.URI)
			om.opt("name", o.Name)
			seq.Content = append(seq.Content, om.n())
		}
		m.node("fundedBy", seq)
	}
	m.list("platforms", orDefault(pc.Platforms, "web"))
	m.list("categories", pc.Categories)
	m.list("usedBy", pc.UsedBy)
	m.opt("roadmap", pc.Roadmap)
	m.str("developmentStatus", or(pc.DevelopmentStatus, "stable"))
	m.str("softwareType", or(pc.SoftwareType, "standalone/web"))
	if len(pc.Supports) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, s := range pc.Supports {
			sm := &mapping{}
			sm.str("id", s.ID)
			seq.Content = append(seq.Content, sm.n())
		}
		m.node("supports", seq)
	}
	if a := pc.IntendedAudience; a != nil && len(a.Scope)+len(a.Countries)+len(a.UnsupportedCountries) > 0 {
		am := &mapping{}
		am.list("scope", a.Scope)
		am.list("countries", a.Countries)
		am.list("unsupportedCountries", a.UnsupportedCountries)
		m.node("intendedAudience", am.n())
	}

	// features are mandatory in at least one language: an interlinker
	// without tags lists its overview as the one feature.
	hasFeatures := false
	for _, lang := range langs {
		for _, t := range it.Tags[lang] {
			hasFeatures = hasFeatures || !slices.Contains(pc.Categories, t)
		}
	}
	desc := &mapping{}
	for _, lang := range langs {
		d := &mapping{}
		if n := it.Name[lang]; n != "" && n != name {
			d.str("localisedName", n)
		}
		short := it.OverviewText[lang]
		if short == "" {
			short = clip(it.Description[lang], 150)
		}
		d.str("shortDescription", short)
		d.str("longDescription", it.Description[lang])
		d.opt("documentation", pc.Documentation[lang])
		d.opt("apiDocumentation", pc.APIDocumentation[lang])
		var features []string
		for _, t := range it.Tags[lang] {
			if !slices.Contains(pc.Categories, t) {
				features = append(features, t)
			}
		}
		if !hasFeatures {
			features = []string{short}
		}
		d.list("features", features)
		desc.node(lang, d.n())
	}
	m.node("description", desc.n())

	legal := &mapping{}
	legal.str("license", it.SPDXLicence)
	legal.opt("mainCopyrightOwner", pc.MainCopyrightOwner)
	legal.opt("repoOwner", pc.RepoOwner)
	m.node("legal", legal.n())

	maint := &mapping{}
	maint.str("type", or(pc.Maintenance.Type, "none"))
	if len(pc.Maintenance.Contractors) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, c := range pc.Maintenance.Contractors {
			cm := &mapping{}
			cm.str("name", c.Name)
			cm.opt("email", c.Email)
			cm.opt("website", c.Website)
			cm.opt("until", c.Until)
			seq.Content = append(seq.Content, cm.n())
		}
		maint.node("contractors", seq)
	}
	if len(pc.Maintenance.Contacts) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, c := range pc.Maintenance.Contacts {
			cm := &mapping{}
			cm.str("name", c.Name)
			cm.opt("email", c.Email)
			cm.opt("affiliation", c.Affiliation)
			cm.opt("phone", c.Phone)
			seq.Content = append(seq.Content, cm.n())
		}
		maint.node("contacts", seq)
	}
	m.node("maintenance", maint.n())

	loc := &mapping{}
	ready := pc.LocalisationReady
	if it.SupportsInternationalization != nil {
		ready = *it.SupportsInternationalization
	}
	loc.node("localisationReady", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(ready)})
	available := it.Languages
	if len(available) == 0 {
		available = pc.AvailableLanguages
	}
	if len(available) == 0 {
		available = langs
	}
	loc.list("availableLanguages", available)
	m.node("localisation", loc.n())

	if d := pc.DependsOn; d != nil {
		dm := &mapping{}
		for _, part := range []struct {
			key  string
			deps []protocol.PublicCodeDependency
		}{{"open", d.Open}, {"proprietary", d.Proprietary}, {"hardware", d.Hardware}} {
			if len(part.deps) == 0 {
				continue
			}
			seq := &yaml.Node{Kind: yaml.SequenceNode}
			for _, dep := range part.deps {
				em := &mapping{}
				em.str("name", dep.Name)
				em.opt("versionMin", dep.VersionMin)
				em.opt("versionMax", dep.VersionMax)
				em.opt("version", dep.Version)
				if dep.Optional {
					em.node("optional", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
				}
				seq.Content = append(seq.Content, em.n())
			}
			dm.node(part.key, seq)
		}
		m.node("dependsOn", dm.n())
	}
	for _, cc := range slices.Sorted(maps.Keys(pc.CountrySections)) {
		var v any
		if err := json.Unmarshal(pc.CountrySections[cc], &v); err != nil {
			return nil, fmt.Errorf("publiccode: export %q: country section %s: %w", it.Key, cc, err)
		}
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			return nil, fmt.Errorf("publiccode: export %q: country section %s: %w", it.Key, cc, err)
		}
		m.node(cc, &n)
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m.n()); err != nil {
		return nil, fmt.Errorf("publiccode: export %q: %w", it.Key, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("publiccode: export %q: %w", it.Key, err)
	}
	return buf.Bytes(), nil
}

// mapping builds a YAML mapping in key order.
type mapping struct{ content []*yaml.Node }

func (m *mapping) n() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: m.content} }

func (m *mapping) node(key string, v *yaml.Node) {
	m.content = append(m.content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

// str writes a string, quoted when YAML would read it as something else.
func (m *mapping) str(key, v string) {
	m.node(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
}

func (m *mapping) opt(key, v string) {
	if v != "" {
		m.str(key, v)
	}
}

func (m *mapping) list(key string, vals []string) {
	if len(vals) == 0 {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vals {
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
	}
	m.node(key, seq)
}

// commonName is the name every language shares, else the English one, else
// the first by language.
func commonName(t protocol.Text) string {
	langs := slices.Sorted(maps.Keys(t))
	if len(langs) == 0 {
		return ""
	}
	same := true
	for _, l := range langs {
		same = same && t[l] == t[langs[0]]
	}
	if same {
		return t[langs[0]]
	}
	if n := t["en"]; n != "" {
		return n
	}
	return t[langs[0]]
}

func firstOf(t protocol.Text) string {
	for _, l := range slices.Sorted(maps.Keys(t)) {
		if t[l] != "" {
			return t[l]
		}
	}
	return ""
}

func or(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func orDefault(l []string, def string) []string {
	if len(l) == 0 {
		return []string{def}
	}
	return l
}

// clip cuts s to at most n characters, at a word when it can.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
