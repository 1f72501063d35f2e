package protocol

import (
	"encoding/json"
	"slices"
	"strings"
)

// The values the enumerated fields of an Interlinker accept (read-only).
var (
	natures              = []Nature{NatureSoftware, NatureKnowledge, NatureExternalSoftware, NatureExternalKnowledge}
	difficulties         = []string{"very_easy", "easy", "medium", "difficult", "very_difficult"}
	administrativeScopes = []string{"eu", "national", "regional", "local"}
	// INTERLINK's coarse licence categories, plus the misspelling
	// "propietary" that the INTERLINK seed uses: it is kept as written so
	// that it round-trips (Index reports it as "proprietary").
	licenceCategories = []string{"public_domain", "permissive", "copyleft", "non_commercial", "proprietary", LicenceProprietaryMisspelt}
)

// Natures returns the four natures in a stable order.
func Natures() []Nature { return slices.Clone(natures) }

// LicenceProprietaryMisspelt is how the INTERLINK seed spells "proprietary".
const LicenceProprietaryMisspelt = "propietary"

// MaxIntegrationBytes bounds an interlinker's verbatim integration block.
const MaxIntegrationBytes = 64 << 10

// CanonicalLicenceCategory maps the accepted alias "propietary" to
// "proprietary" and returns every other value unchanged.
func CanonicalLicenceCategory(c string) string {
	if c == LicenceProprietaryMisspelt {
		return "proprietary"
	}
	return c
}

// ValidNature reports whether n is one of the four natures.
func ValidNature(n Nature) bool { return slices.Contains(natures, n) }

// Kind reports KindInterlinker.
func (*Interlinker) Kind() Kind { return KindInterlinker }

// NaturalKey is the INTERLINK id (Key).
func (i *Interlinker) NaturalKey() string { return i.Key }

// Validate checks every field and returns a *ValidationError listing each
// failure, or nil.
func (i *Interlinker) Validate() error {
	ve := &ValidationError{Kind: KindInterlinker}
	ve.kind("type", i.Type, KindInterlinker)
	ve.Slug("key", i.Key, true)
	if i.Nature == "" {
		ve.Add("nature", "required", "is required")
	} else {
		ve.Enum("nature", string(i.Nature), "software", "knowledge", "externalsoftware", "externalknowledge")
	}
	ve.Text("name", i.Name, true, MaxNameRunes)
	ve.TextBytes("description", i.Description, true, MaxDescriptionBytes)
	ve.TextList("tags", i.Tags, MaxNameRunes)

	ve.Enum("difficulty", i.Difficulty, difficulties...)
	ve.StringList("targets", i.Targets, MaxShortRunes)
	ve.StringList("types", i.Types, MaxShortRunes)
	ve.enumList("administrative_scopes", i.AdministrativeScopes, administrativeScopes)
	ve.String("form", i.Form, false, MaxShortRunes)
	ve.String("format", i.Format, false, MaxShortRunes)
	ve.Enum("licence_category", i.LicenceCategory, licenceCategories...)
	ve.String("spdx_licence", i.SPDXLicence, false, MaxShortRunes)
	ve.slugList("problem_profiles", i.ProblemProfiles)
	ve.Languages("languages", i.Languages)
	ve.StringList("environments", i.Environments, MaxShortRunes)
	ve.String("domain", i.Domain, false, MaxNameRunes)
	ve.String("process", i.Process, false, MaxNameRunes)

	ve.TextBytes("instructions", i.Instructions, false, MaxInstructionsBytes)
	ve.TextBytes("constraints_and_limitations", i.ConstraintsAndLimitations, false, MaxDescriptionBytes)
	ve.TextBytes("regulations_and_standards", i.RegulationsAndStandards, false, MaxDescriptionBytes)
	ve.Text("asset_name", i.AssetName, false, MaxNameRunes)
	ve.TextBytes("overview_text", i.OverviewText, false, MaxDescriptionBytes)
	ve.singleLineText("file", i.File, MaxURLBytes)
	ve.urlText("uri", i.URI)

	ve.String("software_interlinker", i.SoftwareInterlinker, false, MaxShortRunes)
	ve.String("logotype", i.Logotype, false, MaxURLBytes)
	ve.StringList("supported_by", i.SupportedBy, MaxShortRunes)
	if len(i.Integration) > 0 {
		switch {
		case len(i.Integration) > MaxIntegrationBytes:
			ve.Add("integration", "max_length", "is larger than %d bytes", MaxIntegrationBytes)
		case !json.Valid(i.Integration):
			ve.Add("integration", "format", "is not valid JSON")
		case !isJSONObject(i.Integration):
			ve.Add("integration", "type", "must be a JSON object")
		}
	}
	if pc := i.PublicCode; pc != nil {
		pc.ValidateInto(ve, "publiccode")
	}
	return ve.Err()
}

// Index projects the interlinker for search: names, descriptions, tags,
// nature, languages (its languages list, else the languages of its name),
// problem profiles (de-duplicated), licence category ("propietary" reported
// as "proprietary") and administrative scopes.
func (i *Interlinker) Index() IndexDoc {
	langs := slices.Clone(i.Languages)
	if len(langs) == 0 {
		langs = textLanguages(i.Name, i.Description)
	}
	return IndexDoc{
		Name:            i.Name,
		Description:     i.Description,
		Tags:            i.Tags,
		Nature:          string(i.Nature),
		Languages:       langs,
		ProblemProfiles: uniqueStrings(i.ProblemProfiles),
		LicenceCategory: CanonicalLicenceCategory(i.LicenceCategory),
		Scopes:          uniqueStrings(i.AdministrativeScopes),
	}
}

// kind checks the "type" member: "required" when empty, "enum" when another kind.
func (e *ValidationError) kind(field string, got, want Kind) {
	switch got {
	case want:
	case "":
		e.Add(field, "required", "is required (%q)", want)
	default:
		e.Add(field, "enum", "%q is not %q", Clip(string(got), 64), want)
	}
}

// enumList checks each item of a list with Enum; items must not be empty.
func (e *ValidationError) enumList(field string, values, allowed []string) {
	if len(values) > MaxListItems {
		e.Add(field, "max_items", "has %d items, more than %d", len(values), MaxListItems)
		return
	}
	for n, v := range values {
		f := IndexField(field, n)
		if v == "" {
			e.Add(f, "required", "is empty")
			continue
		}
		e.Enum(f, v, allowed...)
	}
}

// slugList checks that every item is a slug (problem-profile keys).
func (e *ValidationError) slugList(field string, values []string) {
	if len(values) > MaxListItems {
		e.Add(field, "max_items", "has %d items, more than %d", len(values), MaxListItems)
		return
	}
	for n, v := range values {
		e.Slug(IndexField(field, n), v, true)
	}
}

// singleLineText checks per-language single-line values (paths, URLs).
func (e *ValidationError) singleLineText(field string, t Text, maxRunes int) {
	eachLanguage(e, field, t, func(f, v string) { e.String(f, v, false, maxRunes) })
}

// urlText checks per-language URLs; an empty value is allowed (the INTERLINK
// seed has some).
func (e *ValidationError) urlText(field string, t Text) {
	eachLanguage(e, field, t, func(f, v string) { e.URL(f, v, false) })
}

func isJSONObject(raw []byte) bool {
	s := strings.TrimLeft(string(raw), " \t\r\n")
	return strings.HasPrefix(s, "{")
}

// textLanguages returns the sorted union of the languages of the texts.
func textLanguages(texts ...Text) []string {
	var langs []string
	for _, t := range texts {
		for l := range t {
			langs = append(langs, l)
		}
	}
	slices.Sort(langs)
	return slices.Compact(langs)
}

// uniqueStrings returns values without duplicates, first occurrence first.
func uniqueStrings(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	out := make([]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
