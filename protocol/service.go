package protocol

import (
	"math"
	"slices"
	"strings"
)

// PublicService is a public service as CPSV-AP 3.2.0 describes it
// (cpsv:PublicService), plus three links of the interlink federation:
// the organisations that co-produced and signed it, the interlinkers it uses,
// and the service it is an instance of (the one it adopts).
//
// Multilingual text is keyed by BCP 47 tag; text that arrived without a
// language (a plain RDF literal) is kept under "und". Lists of codes hold
// IRIs of the controlled vocabularies CPSV-AP recommends; Language also
// accepts BCP 47 tags and Spatial ISO 3166-1 alpha-2 country codes.
type PublicService struct {
	Type Kind `json:"type"` // always "PublicService"
	// IRI is the service's IRI in CPSV-AP (its JSON-LD @id), when it has
	// one; the CPSV-AP exporter falls back to {base}/services/{identifier}.
	IRI         string `json:"iri,omitempty"`
	Identifier  string `json:"identifier"`  // dct:identifier; mandatory; the natural key
	Title       Text   `json:"title"`       // dct:title; mandatory
	Description Text   `json:"description"` // dct:description; mandatory
	// CompetentAuthority is cv:hasCompetentAuthority: the IRI of the public
	// organisation responsible for the service: a node's Organisation object
	// IRI, or the organisation's own IRI (Organisation.IRI) as a CPSV-AP
	// document names it. Mandatory. CPSV-AP allows several; this model keeps
	// one, the first.
	CompetentAuthority string `json:"competent_authority"`

	Keywords     TextList `json:"keywords,omitempty"`      // dcat:keyword
	Language     []string `json:"language,omitempty"`      // dct:language: BCP 47 tags or EU language authority IRIs
	Spatial      []string `json:"spatial,omitempty"`       // dct:spatial: country codes ("IT") or IRIs (EU country/ATU tables, NUTS, ...)
	ThematicArea []string `json:"thematic_area,omitempty"` // cv:thematicArea: concept IRIs

	Channels      []ServiceChannel     `json:"channels,omitempty"`       // cv:hasChannel
	Costs         []ServiceCost        `json:"costs,omitempty"`          // cv:hasCost
	Outputs       []ServiceOutput      `json:"outputs,omitempty"`        // cpsv:produces
	Requirements  []ServiceRequirement `json:"requirements,omitempty"`   // cv:holdsRequirement
	Evidence      []ServiceEvidence    `json:"evidence,omitempty"`       // cpsv:hasInput, and the evidence requirements name
	ContactPoints []ContactPoint       `json:"contact_points,omitempty"` // cv:contactPoint
	// ProcessingTime is cv:processingTime, an ISO 8601 duration ("P5D").
	ProcessingTime string `json:"processing_time,omitempty"`

	CoproducedBy     []string `json:"coproduced_by,omitempty"`     // IRIs of the organisations that co-produced (and sign) it
	UsesInterlinkers []string `json:"uses_interlinkers,omitempty"` // IRIs of the interlinkers it uses
	IsInstanceOf     string   `json:"is_instance_of,omitempty"`    // IRI of the service it adopts
}

// ServiceChannel is a cv:Channel through which the service is delivered.
type ServiceChannel struct {
	ID             string `json:"id,omitempty"`              // the channel's IRI in CPSV-AP
	Identifier     string `json:"identifier"`                // dct:identifier; mandatory in CPSV-AP
	Type           string `json:"type,omitempty"`            // dct:type: a concept IRI (e.g. the EU "com-channel" scheme)
	Description    Text   `json:"description,omitempty"`     // dct:description
	ProcessingTime string `json:"processing_time,omitempty"` // cv:processingTime, ISO 8601 duration
}

// ServiceCost is a cv:Cost of using the service.
type ServiceCost struct {
	ID          string   `json:"id,omitempty"`
	Identifier  string   `json:"identifier"`            // dct:identifier; mandatory in CPSV-AP
	Description Text     `json:"description,omitempty"` // dct:description
	Value       *float64 `json:"value,omitempty"`       // cv:hasValue
	// Currency is cv:currency: an ISO 4217 code ("EUR"); an EU currency
	// authority IRI arriving in CPSV-AP is read as its code.
	Currency string `json:"currency,omitempty"`
}

// ServiceOutput is a cv:Output the service produces (a permit, a certificate).
type ServiceOutput struct {
	ID          string   `json:"id,omitempty"`
	Identifier  string   `json:"identifier"`            // dct:identifier; mandatory in CPSV-AP
	Title       Text     `json:"title"`                 // dct:title; mandatory in CPSV-AP
	Description Text     `json:"description,omitempty"` // dct:description
	Types       []string `json:"types,omitempty"`       // dct:type: concept IRIs
}

// ServiceRequirement is a cv:Requirement the user must meet.
type ServiceRequirement struct {
	ID         string   `json:"id,omitempty"`
	Identifier string   `json:"identifier"`      // dct:identifier; mandatory in CPSV-AP
	Title      Text     `json:"title"`           // dct:title; mandatory in CPSV-AP
	Types      []string `json:"types,omitempty"` // dct:type: concept IRIs
	// SupportingEvidence lists the identifiers of the service's Evidence
	// that prove the requirement is met (cv:hasSupportingEvidence).
	SupportingEvidence []string `json:"supporting_evidence,omitempty"`
}

// ServiceEvidence is a cv:Evidence the user supplies.
type ServiceEvidence struct {
	ID                   string   `json:"id,omitempty"`
	Identifier           string   `json:"identifier"`                      // dct:identifier; mandatory in CPSV-AP
	Title                Text     `json:"title"`                           // dct:title; mandatory in CPSV-AP
	Description          Text     `json:"description,omitempty"`           // dct:description
	Type                 string   `json:"type,omitempty"`                  // dct:type: a concept IRI
	Language             []string `json:"language,omitempty"`              // dct:language: BCP 47 tags or EU language IRIs
	RelatedDocumentation []string `json:"related_documentation,omitempty"` // foaf:page: URLs
}

// ContactPoint is a cv:ContactPoint of the service.
type ContactPoint struct {
	ID        string   `json:"id,omitempty"`
	Email     []string `json:"email,omitempty"`     // cv:email, bare addresses
	Telephone []string `json:"telephone,omitempty"` // cv:telephone
	URL       []string `json:"url,omitempty"`       // cv:contactPage
	// OpeningHours and SpecialOpeningHours are the descriptions of the
	// cv:openingHours and cv:specialOpeningHoursSpecification temporal
	// entities ("Every day from 9 a.m. to 5 p.m."). Structured
	// time:hasBeginning/hasEnd instants are not modelled.
	OpeningHours        Text `json:"opening_hours,omitempty"`
	SpecialOpeningHours Text `json:"special_opening_hours,omitempty"`
}

// Kind implements Entity.
func (s *PublicService) Kind() Kind { return KindPublicService }

// NaturalKey implements Entity: the dct:identifier.
func (s *PublicService) NaturalKey() string { return s.Identifier }

// Validate implements Entity. It checks every field and reports each
// failure with its JSON path and rule.
func (s *PublicService) Validate() error {
	e := &ValidationError{Kind: KindPublicService}
	e.kind("type", s.Type, KindPublicService)
	e.iri("iri", s.IRI, false)
	e.String("identifier", s.Identifier, true, MaxShortRunes)
	e.Text("title", s.Title, true, MaxNameRunes)
	e.Text("description", s.Description, true, MaxDescriptionRunes)
	e.iri("competent_authority", s.CompetentAuthority, true)
	e.TextList("keywords", s.Keywords, MaxNameRunes)
	e.languageList("language", s.Language)
	e.spatialList("spatial", s.Spatial)
	e.iris("thematic_area", s.ThematicArea)
	e.duration("processing_time", s.ProcessingTime)
	e.iris("coproduced_by", s.CoproducedBy)
	e.iris("uses_interlinkers", s.UsesInterlinkers)
	e.iri("is_instance_of", s.IsInstanceOf, false)

	if e.maxItems("channels", len(s.Channels)) {
		ids := make([]string, len(s.Channels))
		for i, c := range s.Channels {
			f := IndexField("channels", i)
			ids[i] = c.Identifier
			e.part(f, c.ID, c.Identifier, ids[:i])
			e.iri(f+".type", c.Type, false)
			e.Text(f+".description", c.Description, false, MaxDescriptionRunes)
			e.duration(f+".processing_time", c.ProcessingTime)
		}
	}
	if e.maxItems("costs", len(s.Costs)) {
		ids := make([]string, len(s.Costs))
		for i, c := range s.Costs {
			f := IndexField("costs", i)
			ids[i] = c.Identifier
			e.part(f, c.ID, c.Identifier, ids[:i])
			e.Text(f+".description", c.Description, false, MaxDescriptionRunes)
			if c.Value != nil && (math.IsNaN(*c.Value) || *c.Value < 0 || *c.Value > 1e15) {
				e.Add(f+".value", "range", "must be a number from 0 to 10^15")
			}
			if c.Currency != "" && !validCurrency(c.Currency) {
				e.Add(f+".currency", "iso4217", "%q is not an ISO 4217 code (three upper-case letters) or an IRI", Clip(c.Currency, 64))
			}
		}
	}
	if e.maxItems("outputs", len(s.Outputs)) {
		ids := make([]string, len(s.Outputs))
		for i, o := range s.Outputs {
			f := IndexField("outputs", i)
			ids[i] = o.Identifier
			e.part(f, o.ID, o.Identifier, ids[:i])
			e.Text(f+".title", o.Title, true, MaxNameRunes)
			e.Text(f+".description", o.Description, false, MaxDescriptionRunes)
			e.iris(f+".types", o.Types)
		}
	}
	evidence := make([]string, len(s.Evidence))
	if e.maxItems("evidence", len(s.Evidence)) {
		for i, ev := range s.Evidence {
			f := IndexField("evidence", i)
			evidence[i] = ev.Identifier
			e.part(f, ev.ID, ev.Identifier, evidence[:i])
			e.Text(f+".title", ev.Title, true, MaxNameRunes)
			e.Text(f+".description", ev.Description, false, MaxDescriptionRunes)
			e.iri(f+".type", ev.Type, false)
			e.languageList(f+".language", ev.Language)
			if e.maxItems(f+".related_documentation", len(ev.RelatedDocumentation)) {
				for j, u := range ev.RelatedDocumentation {
					e.URL(IndexField(f+".related_documentation", j), u, true)
				}
			}
		}
	}
	if e.maxItems("requirements", len(s.Requirements)) {
		ids := make([]string, len(s.Requirements))
		for i, r := range s.Requirements {
			f := IndexField("requirements", i)
			ids[i] = r.Identifier
			e.part(f, r.ID, r.Identifier, ids[:i])
			e.Text(f+".title", r.Title, true, MaxNameRunes)
			e.iris(f+".types", r.Types)
			if e.maxItems(f+".supporting_evidence", len(r.SupportingEvidence)) {
				for j, ref := range r.SupportingEvidence {
					if !slices.Contains(evidence, ref) {
						e.Add(IndexField(f+".supporting_evidence", j), "reference", "%q is not the identifier of an item of evidence", Clip(ref, 64))
					}
				}
			}
		}
	}
	if e.maxItems("contact_points", len(s.ContactPoints)) {
		for i, c := range s.ContactPoints {
			f := IndexField("contact_points", i)
			e.iri(f+".id", c.ID, false)
			e.contactPoint(f, c)
		}
	}
	return e.Err()
}

func (e *ValidationError) contactPoint(f string, c ContactPoint) {
	if len(c.Email)+len(c.Telephone)+len(c.URL)+len(c.OpeningHours)+len(c.SpecialOpeningHours) == 0 {
		e.Add(f, "required", "a contact point needs an e-mail address, a telephone number, a page or opening hours")
	}
	if e.maxItems(f+".email", len(c.Email)) {
		for j, m := range c.Email {
			if !ValidEmail(m) {
				e.Add(IndexField(f+".email", j), "email", "%q is not an e-mail address", Clip(m, 64))
			}
		}
	}
	if e.maxItems(f+".telephone", len(c.Telephone)) {
		for j, t := range c.Telephone {
			if !ValidTelephone(t) {
				e.Add(IndexField(f+".telephone", j), "telephone", "%q is not a telephone number", Clip(t, 64))
			}
		}
	}
	if e.maxItems(f+".url", len(c.URL)) {
		for j, u := range c.URL {
			e.URL(IndexField(f+".url", j), u, true)
		}
	}
	e.Text(f+".opening_hours", c.OpeningHours, false, MaxNameRunes)
	e.Text(f+".special_opening_hours", c.SpecialOpeningHours, false, MaxNameRunes)
}

// part checks what every structured item of a service has: an optional IRI,
// a mandatory identifier, unique within its list.
func (e *ValidationError) part(f, id, identifier string, before []string) {
	e.iri(f+".id", id, false)
	e.String(f+".identifier", identifier, true, MaxShortRunes)
	if identifier != "" && slices.Contains(before, identifier) {
		e.Add(f+".identifier", "unique", "%q is used by an earlier item", Clip(identifier, 64))
	}
}

// languageList checks BCP 47 tags or EU language authority IRIs.
func (e *ValidationError) languageList(field string, values []string) {
	if len(values) > MaxLanguages {
		e.Add(field, "max_items", "has %d languages, more than %d", len(values), MaxLanguages)
		return
	}
	for i, v := range values {
		f := IndexField(field, i)
		if LanguageTag(v) == "" {
			e.Add(f, "bcp47", "%q is neither a BCP 47 tag nor an EU language authority IRI", Clip(v, 64))
		}
		if slices.Index(values, v) < i {
			e.Add(f, "unique", "%q is listed twice", Clip(v, 64))
		}
	}
}

// spatialList checks country codes or IRIs.
func (e *ValidationError) spatialList(field string, values []string) {
	if !e.maxItems(field, len(values)) {
		return
	}
	for i, v := range values {
		f := IndexField(field, i)
		if len(v) == 2 {
			if !ValidCountryCode(v) {
				e.Add(f, "iso3166", "%q is not an ISO 3166-1 alpha-2 code in upper case", v)
			}
		} else if !ValidIRI(v) {
			e.Add(f, "iri", "%q is neither a country code nor an absolute IRI", Clip(v, 64))
		}
		if slices.Index(values, v) < i {
			e.Add(f, "unique", "%q is listed twice", Clip(v, 64))
		}
	}
}

func (e *ValidationError) duration(field, value string) {
	if value != "" && !ValidDuration(value) {
		e.Add(field, "duration", "%q is not an ISO 8601 duration such as P5D or PT2H", Clip(value, 64))
	}
}

func validCurrency(c string) bool {
	return (len(c) == 3 && isAlpha(c) && strings.ToUpper(c) == c) || ValidIRI(c)
}

// Index implements Entity: the title, description and keywords; languages
// from dct:language (as BCP 47 tags), or from the title and description when
// it has none; the country of the first spatial value that names one.
func (s *PublicService) Index() IndexDoc {
	doc := IndexDoc{Name: s.Title, Description: s.Description, Tags: s.Keywords}
	for _, l := range s.Language {
		if t := LanguageTag(l); t != "" && !slices.Contains(doc.Languages, t) {
			doc.Languages = append(doc.Languages, t)
		}
	}
	if len(doc.Languages) == 0 {
		doc.Languages = filledLanguages(s.Title, s.Description)
	}
	for _, sp := range s.Spatial {
		if c := CountryFromSpatial(sp); c != "" {
			doc.Country = c
			break
		}
	}
	return doc
}

// filledLanguages lists the languages in which the texts hold something,
// sorted, without "und" (text of no known language).
func filledLanguages(texts ...Text) []string {
	var langs []string
	for _, t := range texts {
		for l, v := range t {
			if l != "und" && strings.TrimSpace(v) != "" && !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
	}
	slices.Sort(langs)
	return langs
}
