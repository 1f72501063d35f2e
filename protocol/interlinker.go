package protocol

import "encoding/json"

// Nature is what kind of interlinker it is. The INTERLINK seed files them
// under a directory of the same name.
type Nature string

// The four natures of an interlinker.
const (
	NatureSoftware          Nature = "software"
	NatureKnowledge         Nature = "knowledge"
	NatureExternalSoftware  Nature = "externalsoftware"
	NatureExternalKnowledge Nature = "externalknowledge"
)

// Interlinker is a reusable co-production enabler: a software tool or a
// knowledge asset (guide, canvas, template), hosted by INTERLINK or external.
//
// Field names follow the INTERLINK metadata.json format without its
// "_translations" suffixes; LicenceCategory is INTERLINK's coarse licence
// category (public_domain, permissive, copyleft, non_commercial, proprietary)
// and SPDXLicence the SPDX expression publiccode.yml gives: the two are kept apart.
type Interlinker struct {
	Type        Kind     `json:"type"`           // always "Interlinker"
	Key         string   `json:"key"`            // the INTERLINK id, e.g. "business_model_canvas"
	Nature      Nature   `json:"nature"`         // software, knowledge, externalsoftware, externalknowledge
	Name        Text     `json:"name"`           // mandatory, at least one language
	Description Text     `json:"description"`    // mandatory, at least one language
	Tags        TextList `json:"tags,omitempty"` // per language

	Difficulty           string   `json:"difficulty,omitempty"` // very_easy, easy, medium, difficult, very_difficult
	Targets              []string `json:"targets,omitempty"`
	Types                []string `json:"types,omitempty"`
	AdministrativeScopes []string `json:"administrative_scopes,omitempty"` // eu, national, regional, local
	Form                 string   `json:"form,omitempty"`
	Format               string   `json:"format,omitempty"`
	LicenceCategory      string   `json:"licence_category,omitempty"`
	SPDXLicence          string   `json:"spdx_licence,omitempty"`
	ProblemProfiles      []string `json:"problem_profiles,omitempty"` // problem-profile keys
	Languages            []string `json:"languages,omitempty"`        // BCP 47
	Environments         []string `json:"environments,omitempty"`
	Domain               string   `json:"domain,omitempty"`
	Process              string   `json:"process,omitempty"`

	Instructions              Text `json:"instructions,omitempty"` // the instructions text (markdown) per language
	ConstraintsAndLimitations Text `json:"constraints_and_limitations,omitempty"`
	RegulationsAndStandards   Text `json:"regulations_and_standards,omitempty"`
	AssetName                 Text `json:"asset_name,omitempty"`
	OverviewText              Text `json:"overview_text,omitempty"`
	File                      Text `json:"file,omitempty"` // per-language resource paths or URLs
	URI                       Text `json:"uri,omitempty"`  // external URI, per language

	SoftwareInterlinker          string          `json:"software_interlinker,omitempty"`
	Logotype                     string          `json:"logotype,omitempty"`
	IsSustainabilityRelated      bool            `json:"is_sustainability_related,omitempty"`
	IsResponsive                 *bool           `json:"is_responsive,omitempty"`
	SupportsInternationalization *bool           `json:"supports_internationalization,omitempty"`
	SupportedBy                  []string        `json:"supported_by,omitempty"`
	Integration                  json.RawMessage `json:"integration,omitempty"` // software interlinkers' integration block, kept verbatim

	PublicCode *PublicCodeInfo `json:"publiccode,omitempty"`
}
