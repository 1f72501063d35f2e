package protocol

import (
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// PublicCodeInfo is the publiccode.yml block an interlinker keeps when it was
// imported from (or describes software that has) a publiccode.yml file. The
// SPDX licence lives on the Interlinker itself (SPDXLicence), apart from the
// INTERLINK licence category; names, descriptions and features live there
// too (Name, Description, OverviewText, Tags), and the available languages
// both there (Languages, which an editor may change) and here, as the file
// declares them. What is kept here is the rest of the file worth searching
// or showing. JSON names are snake_case renderings of the publiccode.yml keys.
type PublicCodeInfo struct {
	Version          string                   `json:"publiccode_yml_version"`      // publiccodeYmlVersion as written ("0.4", "0.5", "0.4.0")
	URL              string                   `json:"url"`                         // the source repository
	LandingURL       string                   `json:"landing_url,omitempty"`       // landingURL
	IsBasedOn        []string                 `json:"is_based_on,omitempty"`       // isBasedOn: URLs of the projects it forks
	ApplicationSuite string                   `json:"application_suite,omitempty"` // applicationSuite
	OrganisationURI  string                   `json:"organisation_uri,omitempty"`  // organisation.uri (0.5) or organizationUri
	OrganisationName string                   `json:"organisation_name,omitempty"` // organisation.name (0.5)
	FundedBy         []PublicCodeOrganisation `json:"funded_by,omitempty"`         // fundedBy (0.5)
	Supports         []PublicCodeSupport      `json:"supports,omitempty"`          // supports (0.7): standards, regulations, platforms
	SoftwareVersion  string                   `json:"software_version,omitempty"`  // softwareVersion
	ReleaseDate      string                   `json:"release_date,omitempty"`      // releaseDate, YYYY-MM-DD
	Logo             string                   `json:"logo,omitempty"`              // logo: a path in the repository or a URL

	Platforms         []string `json:"platforms,omitempty"`          // web, windows, mac, linux, ios, android, or others
	Categories        []string `json:"categories,omitempty"`         // the publiccode.yml categories list
	UsedBy            []string `json:"used_by,omitempty"`            // usedBy
	Roadmap           string   `json:"roadmap,omitempty"`            // roadmap URL
	DevelopmentStatus string   `json:"development_status,omitempty"` // concept, development, beta, stable, obsolete
	SoftwareType      string   `json:"software_type,omitempty"`      // standalone/web, library, addon, ...

	IntendedAudience *PublicCodeAudience `json:"intended_audience,omitempty"`
	Documentation    Text                `json:"documentation,omitempty"`     // description.<lang>.documentation URLs
	APIDocumentation Text                `json:"api_documentation,omitempty"` // description.<lang>.apiDocumentation URLs

	MainCopyrightOwner string                `json:"main_copyright_owner,omitempty"` // legal.mainCopyrightOwner
	RepoOwner          string                `json:"repo_owner,omitempty"`           // legal.repoOwner
	Maintenance        PublicCodeMaintenance `json:"maintenance"`
	LocalisationReady  bool                  `json:"localisation_ready"`            // localisation.localisationReady
	AvailableLanguages []string              `json:"available_languages,omitempty"` // localisation.availableLanguages, BCP 47
	DependsOn          *PublicCodeDependsOn  `json:"depends_on,omitempty"`

	// CountrySections keeps the country-specific sections ("it", "IT", ...)
	// as JSON, verbatim: each country extension evolves on its own.
	CountrySections map[string]json.RawMessage `json:"country_sections,omitempty"`
}

// PublicCodeOrganisation is publiccode.yml's Organisation (0.5): a URI
// identifying it and its name.
type PublicCodeOrganisation struct {
	Name string `json:"name,omitempty"`
	URI  string `json:"uri,omitempty"`
}

// PublicCodeSupport is one supports entry (0.7): "alias:<name>" from the
// standard's list of aliases (alias:gdpr, alias:eidas, ...) or a URI.
type PublicCodeSupport struct {
	ID string `json:"id"`
}

// PublicCodeAudience is publiccode.yml's intendedAudience section.
type PublicCodeAudience struct {
	Scope                []string `json:"scope,omitempty"`
	Countries            []string `json:"countries,omitempty"`             // ISO 3166-1 alpha-2, as written (usually lower case)
	UnsupportedCountries []string `json:"unsupported_countries,omitempty"` // idem
}

// PublicCodeMaintenance is publiccode.yml's maintenance section.
type PublicCodeMaintenance struct {
	Type        string                 `json:"type"` // internal, contract, community, none
	Contractors []PublicCodeContractor `json:"contractors,omitempty"`
	Contacts    []PublicCodeContact    `json:"contacts,omitempty"`
}

// PublicCodeContractor is one maintenance.contractors entry.
type PublicCodeContractor struct {
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
	Website string `json:"website,omitempty"`
	Until   string `json:"until,omitempty"` // YYYY-MM-DD
}

// PublicCodeContact is one maintenance.contacts entry.
type PublicCodeContact struct {
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Affiliation string `json:"affiliation,omitempty"`
	Phone       string `json:"phone,omitempty"`
}

// PublicCodeDependsOn is publiccode.yml's dependsOn section.
type PublicCodeDependsOn struct {
	Open        []PublicCodeDependency `json:"open,omitempty"`
	Proprietary []PublicCodeDependency `json:"proprietary,omitempty"`
	Hardware    []PublicCodeDependency `json:"hardware,omitempty"`
}

// PublicCodeDependency is one dependsOn entry.
type PublicCodeDependency struct {
	Name       string `json:"name"`
	VersionMin string `json:"version_min,omitempty"`
	VersionMax string `json:"version_max,omitempty"`
	Version    string `json:"version,omitempty"`
	Optional   bool   `json:"optional,omitempty"`
}

// MaxCountrySectionBytes bounds the JSON of one kept country section.
const MaxCountrySectionBytes = 16 << 10

// ValidateInto checks the block's own fields and records failures under
// prefix ("publiccode"): the version and repository URL (required), URLs,
// dates, enumerations, contact names, country sections. The Interlinker's
// Validate calls it.
func (p *PublicCodeInfo) ValidateInto(e *ValidationError, prefix string) {
	f := func(name string) string { return prefix + "." + name }
	e.String(f("publiccode_yml_version"), p.Version, true, MaxShortRunes)
	e.URL(f("url"), p.URL, true)
	e.URL(f("landing_url"), p.LandingURL, false)
	e.StringList(f("is_based_on"), p.IsBasedOn, MaxURLBytes)
	e.String(f("application_suite"), p.ApplicationSuite, false, MaxNameRunes)
	e.String(f("organisation_uri"), p.OrganisationURI, false, MaxURLBytes)
	e.String(f("organisation_name"), p.OrganisationName, false, MaxNameRunes)
	for i, o := range p.FundedBy {
		of := IndexField(f("funded_by"), i)
		e.String(of+".name", o.Name, o.URI == "", MaxNameRunes)
		if o.URI != "" && !ValidIRI(o.URI) {
			e.Add(of+".uri", "iri", "%q is not an absolute URI", Clip(o.URI, 64))
		}
	}
	for i, s := range p.Supports {
		sf := IndexField(f("supports"), i) + ".id"
		if !ValidIRI(s.ID) {
			e.Add(sf, "iri", "%q is neither alias:<name> nor an absolute URI", Clip(s.ID, 64))
		}
	}
	e.String(f("software_version"), p.SoftwareVersion, false, MaxShortRunes)
	pcDate(e, f("release_date"), p.ReleaseDate)
	e.String(f("logo"), p.Logo, false, MaxURLBytes)
	e.StringList(f("platforms"), p.Platforms, MaxShortRunes)
	e.StringList(f("categories"), p.Categories, MaxShortRunes)
	e.StringList(f("used_by"), p.UsedBy, MaxNameRunes)
	e.URL(f("roadmap"), p.Roadmap, false)
	e.Enum(f("development_status"), p.DevelopmentStatus, pcDevelopmentStatuses...)
	e.Enum(f("software_type"), p.SoftwareType, pcSoftwareTypes...)
	if a := p.IntendedAudience; a != nil {
		e.StringList(f("intended_audience.scope"), a.Scope, MaxShortRunes)
		e.StringList(f("intended_audience.countries"), a.Countries, 2)
		e.StringList(f("intended_audience.unsupported_countries"), a.UnsupportedCountries, 2)
	}
	e.urlText(f("documentation"), p.Documentation)
	e.urlText(f("api_documentation"), p.APIDocumentation)
	e.String(f("main_copyright_owner"), p.MainCopyrightOwner, false, MaxNameRunes)
	e.String(f("repo_owner"), p.RepoOwner, false, MaxNameRunes)
	e.Languages(f("available_languages"), p.AvailableLanguages)
	e.Enum(f("maintenance.type"), p.Maintenance.Type, pcMaintenanceTypes...)
	for i, c := range p.Maintenance.Contractors {
		cf := IndexField(f("maintenance.contractors"), i)
		e.String(cf+".name", c.Name, true, MaxNameRunes)
		e.String(cf+".email", c.Email, false, MaxShortRunes)
		e.URL(cf+".website", c.Website, false)
		pcDate(e, cf+".until", c.Until)
	}
	for i, c := range p.Maintenance.Contacts {
		cf := IndexField(f("maintenance.contacts"), i)
		e.String(cf+".name", c.Name, true, MaxNameRunes)
		e.String(cf+".email", c.Email, false, MaxShortRunes)
		e.String(cf+".affiliation", c.Affiliation, false, MaxNameRunes)
		e.String(cf+".phone", c.Phone, false, MaxShortRunes)
	}
	if d := p.DependsOn; d != nil {
		for name, deps := range map[string][]PublicCodeDependency{"open": d.Open, "proprietary": d.Proprietary, "hardware": d.Hardware} {
			for i, dep := range deps {
				df := IndexField(f("depends_on."+name), i)
				e.String(df+".name", dep.Name, true, MaxNameRunes)
				e.String(df+".version_min", dep.VersionMin, false, MaxShortRunes)
				e.String(df+".version_max", dep.VersionMax, false, MaxShortRunes)
				e.String(df+".version", dep.Version, false, MaxShortRunes)
			}
		}
	}
	for _, cc := range slices.Sorted(maps.Keys(p.CountrySections)) {
		raw := p.CountrySections[cc]
		cf := MapField(f("country_sections"), cc)
		switch {
		case len(cc) != 2 || !isAlpha(cc):
			e.Add(cf, "format", "%q is not a two-letter country code", Clip(cc, 64))
		case len(raw) > MaxCountrySectionBytes:
			e.Add(cf, "max_length", "is larger than %d bytes", MaxCountrySectionBytes)
		case !json.Valid(raw) || !isJSONObject(raw):
			e.Add(cf, "type", "must be a JSON object")
		}
	}
}

// The enumerations of publiccode.yml 0.x (read-only).
var (
	pcDevelopmentStatuses = []string{"concept", "development", "beta", "stable", "obsolete"}
	pcSoftwareTypes       = []string{"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
		"standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
	pcMaintenanceTypes = []string{"internal", "contract", "community", "none"}
)

// pcDate checks an optional YYYY-MM-DD date (rule "date").
func pcDate(e *ValidationError, field, value string) {
	if value == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, value); err != nil {
		e.Add(field, "date", "%q is not a date written YYYY-MM-DD", Clip(value, 64))
	}
}
