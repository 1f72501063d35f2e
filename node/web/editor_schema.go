package web

import (
	"github.com/interlink-project/interlink-node/protocol"
)

// widget is how the editor shows one field of an entity and how it reads
// it back into the entity's JSON.
type widget int

const (
	wString  widget = iota // one line of text
	wProse                 // a textarea
	wEnum                  // a select of Options ("" allowed unless Required)
	wBool                  // a checkbox (true, or absent)
	wTriBool               // a select: not said, yes, no (a *bool)
	wList                  // a textarea, one item per line ([]string)
	wNumber                // a decimal number (*float64)
	wJSON                  // a textarea holding a JSON object, kept verbatim
	wChecks                // a checkbox per option ([]string; values not offered stay, checked)
	wLText                 // one line per language (protocol.Text)
	wLProse                // a textarea per language (protocol.Text)
	wLList                 // a textarea per language, one item per line (protocol.TextList)
)

// fieldSpec is one field of a form: Path is its JSON path in the entity
// (relative to the row in a group), which is also the form control's name,
// so that a validation error's field names the control.
type fieldSpec struct {
	Path     string
	W        widget
	Options  []string
	Required bool
	// Choices names the objects the node holds that the field may refer
	// to: "profiles" (checkboxes, wChecks), "organisations" (suggestions
	// for a wString).
	Choices string
	// Other: a wChecks field also takes values it does not offer, typed
	// one per line.
	Other bool
}

// groupSpec is a list of structured items (a service's channels), shown as
// rows of the same fields; a row left empty is dropped.
type groupSpec struct {
	Path   string
	Fields []fieldSpec
}

// sectionSpec is a fieldset of the form: plain fields or one group.
type sectionSpec struct {
	ID     string
	Fields []fieldSpec
	Group  *groupSpec
}

// formSpec is the whole form of one kind. Every JSON member of the kind
// has a control (TestFormsRoundTrip checks it), so that an edit keeps what
// the form does not show.
type formSpec struct {
	Kind     protocol.Kind
	Slug     string // the /new/{slug} path segment
	Sections []sectionSpec
}

func natureOptions() []string {
	var out []string
	for _, n := range protocol.Natures() {
		out = append(out, string(n))
	}
	return out
}

func orgKindOptions() []string {
	var out []string
	for _, k := range protocol.OrganisationKinds() {
		out = append(out, string(k))
	}
	return out
}

var (
	difficultyOptions = []string{"very_easy", "easy", "medium", "difficult", "very_difficult"}
	licenceOptions    = []string{"public_domain", "permissive", "copyleft", "non_commercial", "proprietary", protocol.LicenceProprietaryMisspelt}
	scopeOptions      = []string{"eu", "national", "regional", "local"}
)

// forms are the kinds an editor publishes through the browser, in the
// order the "publish" page lists them.
var forms = []*formSpec{
	{Kind: protocol.KindInterlinker, Slug: "interlinker", Sections: []sectionSpec{
		{ID: "basic", Fields: []fieldSpec{
			{Path: "key", W: wString, Required: true},
			{Path: "nature", W: wEnum, Options: natureOptions(), Required: true},
			{Path: "name", W: wLText, Required: true},
			{Path: "description", W: wLProse, Required: true},
			{Path: "tags", W: wLList},
			{Path: "problem_profiles", W: wChecks, Choices: "profiles", Other: true},
			{Path: "languages", W: wList},
		}},
		{ID: "use", Fields: []fieldSpec{
			{Path: "difficulty", W: wEnum, Options: difficultyOptions},
			{Path: "targets", W: wList},
			{Path: "types", W: wList},
			{Path: "administrative_scopes", W: wChecks, Options: scopeOptions},
			{Path: "form", W: wString},
			{Path: "format", W: wString},
			{Path: "environments", W: wList},
			{Path: "domain", W: wString},
			{Path: "process", W: wString},
		}},
		{ID: "licence", Fields: []fieldSpec{
			{Path: "licence_category", W: wEnum, Options: licenceOptions},
			{Path: "spdx_licence", W: wString},
		}},
		{ID: "content", Fields: []fieldSpec{
			{Path: "instructions", W: wLProse},
			{Path: "constraints_and_limitations", W: wLProse},
			{Path: "regulations_and_standards", W: wLProse},
			{Path: "asset_name", W: wLText},
			{Path: "overview_text", W: wLProse},
			{Path: "file", W: wLText},
			{Path: "uri", W: wLText},
		}},
		{ID: "software", Fields: []fieldSpec{
			{Path: "software_interlinker", W: wString},
			{Path: "logotype", W: wString},
			{Path: "is_sustainability_related", W: wBool},
			{Path: "is_responsive", W: wTriBool},
			{Path: "supports_internationalization", W: wTriBool},
			{Path: "supported_by", W: wList},
			{Path: "integration", W: wJSON},
			{Path: "publiccode", W: wJSON},
		}},
	}},
	{Kind: protocol.KindPublicService, Slug: "public-service", Sections: []sectionSpec{
		{ID: "basic", Fields: []fieldSpec{
			{Path: "identifier", W: wString, Required: true},
			{Path: "title", W: wLText, Required: true},
			{Path: "description", W: wLProse, Required: true},
			{Path: "competent_authority", W: wString, Required: true, Choices: "organisations"},
			{Path: "keywords", W: wLList},
			{Path: "language", W: wList},
			{Path: "spatial", W: wList},
			{Path: "thematic_area", W: wList},
			{Path: "processing_time", W: wString},
			{Path: "iri", W: wString},
		}},
		{ID: "links", Fields: []fieldSpec{
			{Path: "coproduced_by", W: wList},
			{Path: "uses_interlinkers", W: wList},
			{Path: "is_instance_of", W: wString},
		}},
		{ID: "channels", Group: &groupSpec{Path: "channels", Fields: []fieldSpec{
			{Path: "identifier", W: wString, Required: true},
			{Path: "type", W: wString},
			{Path: "description", W: wLProse},
			{Path: "processing_time", W: wString},
			{Path: "id", W: wString},
		}}},
		{ID: "costs", Group: &groupSpec{Path: "costs", Fields: []fieldSpec{
			{Path: "identifier", W: wString, Required: true},
			{Path: "value", W: wNumber},
			{Path: "currency", W: wString},
			{Path: "description", W: wLProse},
			{Path: "id", W: wString},
		}}},
		{ID: "outputs", Group: &groupSpec{Path: "outputs", Fields: []fieldSpec{
			{Path: "identifier", W: wString, Required: true},
			{Path: "title", W: wLText, Required: true},
			{Path: "description", W: wLProse},
			{Path: "types", W: wList},
			{Path: "id", W: wString},
		}}},
		{ID: "evidence", Group: &groupSpec{Path: "evidence", Fields: []fieldSpec{
			{Path: "identifier", W: wString, Required: true},
			{Path: "title", W: wLText, Required: true},
			{Path: "description", W: wLProse},
			{Path: "type", W: wString},
			{Path: "language", W: wList},
			{Path: "related_documentation", W: wList},
			{Path: "id", W: wString},
		}}},
		{ID: "requirements", Group: &groupSpec{Path: "requirements", Fields: []fieldSpec{
			{Path: "identifier", W: wString, Required: true},
			{Path: "title", W: wLText, Required: true},
			{Path: "types", W: wList},
			{Path: "supporting_evidence", W: wList},
			{Path: "id", W: wString},
		}}},
		{ID: "contact_points", Group: &groupSpec{Path: "contact_points", Fields: []fieldSpec{
			{Path: "email", W: wList},
			{Path: "telephone", W: wList},
			{Path: "url", W: wList},
			{Path: "opening_hours", W: wLText},
			{Path: "special_opening_hours", W: wLText},
			{Path: "id", W: wString},
		}}},
	}},
	{Kind: protocol.KindOrganisation, Slug: "organisation", Sections: []sectionSpec{
		{ID: "basic", Fields: []fieldSpec{
			{Path: "key", W: wString, Required: true},
			{Path: "pref_label", W: wLText, Required: true},
			{Path: "kind", W: wEnum, Options: orgKindOptions(), Required: true},
			{Path: "spatial.country", W: wString, Required: true},
			{Path: "spatial.region", W: wString},
			{Path: "spatial.municipality", W: wString},
			{Path: "spatial.iris", W: wList},
			{Path: "homepage", W: wString},
			{Path: "email", W: wString},
			{Path: "iri", W: wString},
		}},
	}},
	{Kind: protocol.KindProblemProfile, Slug: "problem-profile", Sections: []sectionSpec{
		{ID: "basic", Fields: []fieldSpec{
			{Path: "key", W: wString, Required: true},
			{Path: "name", W: wLText, Required: true},
			{Path: "description", W: wLProse, Required: true},
			{Path: "functionality", W: wLProse},
		}},
	}},
}

// formBySlug finds the form of /new/{slug}.
func formBySlug(slug string) *formSpec {
	for _, f := range forms {
		if f.Slug == slug {
			return f
		}
	}
	return nil
}

// formByKind finds the form of a kind; nil for the kinds the browser does
// not edit (schemas, adoptions, ratings).
func formByKind(k protocol.Kind) *formSpec {
	for _, f := range forms {
		if f.Kind == k {
			return f
		}
	}
	return nil
}

// editHref is the edit page of obj when an editor may change it through a
// form here: a live object of this node of an editable kind; "" otherwise.
func editHref(obj protocol.Object, base string) string {
	if obj.Deleted || obj.Origin != base || formByKind(obj.Type) == nil {
		return ""
	}
	return "/objects/" + obj.ID + "/edit"
}
