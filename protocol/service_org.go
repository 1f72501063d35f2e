package protocol

import (
	"slices"
	"strings"
)

// OrganisationKind says what sort of organisation an Organisation is.
type OrganisationKind string

// The kinds of organisation that run nodes and co-produce services.
const (
	OrgPublicAdministration OrganisationKind = "public_administration"
	OrgCitizenGroup         OrganisationKind = "citizen_group"
	OrgNonProfit            OrganisationKind = "non_profit"
	OrgForProfit            OrganisationKind = "for_profit"
)

// OrganisationKinds lists every kind in a stable order.
func OrganisationKinds() []OrganisationKind {
	return []OrganisationKind{OrgPublicAdministration, OrgCitizenGroup, OrgNonProfit, OrgForProfit}
}

// Organisation is a public administration or a civic organisation: CPSV-AP's
// cv:PublicOrganisation when it is a public administration, an
// org:Organization otherwise.
type Organisation struct {
	Type Kind `json:"type"` // always "Organisation"
	// Key is the natural key: the organisation's dct:identifier, or its IRI
	// when a CPSV-AP document gives it no identifier.
	Key string `json:"key"`
	// IRI is the organisation's own IRI (its JSON-LD @id in CPSV-AP), which
	// services' competent_authority and coproduced_by may name.
	IRI       string              `json:"iri,omitempty"`
	PrefLabel Text                `json:"pref_label"` // skos:prefLabel; mandatory
	Spatial   OrganisationSpatial `json:"spatial"`
	OrgKind   OrganisationKind    `json:"kind"`               // mandatory; the Go name avoids the Kind method
	Homepage  string              `json:"homepage,omitempty"` // foaf:homepage, http(s)
	Email     string              `json:"email,omitempty"`    // a bare e-mail address
}

// OrganisationSpatial is where an organisation is. Country is mandatory;
// IRIs keeps the dct:spatial IRIs of CPSV-AP other than the EU country
// authority IRI that Country stands for (e.g. ".../atu/BEL", a NUTS region).
type OrganisationSpatial struct {
	Country      string   `json:"country"`                // ISO 3166-1 alpha-2, upper case
	Region       string   `json:"region,omitempty"`       // name or code of the region
	Municipality string   `json:"municipality,omitempty"` // name or code of the municipality
	IRIs         []string `json:"iris,omitempty"`
}

// Kind implements Entity.
func (o *Organisation) Kind() Kind { return KindOrganisation }

// NaturalKey implements Entity.
func (o *Organisation) NaturalKey() string { return o.Key }

// Validate implements Entity.
func (o *Organisation) Validate() error {
	e := &ValidationError{Kind: KindOrganisation}
	e.kind("type", o.Type, KindOrganisation)
	e.String("key", o.Key, true, MaxURLBytes)
	e.iri("iri", o.IRI, false)
	e.Text("pref_label", o.PrefLabel, true, MaxNameRunes)
	switch c := o.Spatial.Country; {
	case c == "":
		e.Add("spatial.country", "required", "is required")
	case !ValidCountryCode(c):
		e.Add("spatial.country", "iso3166", "%q is not an ISO 3166-1 alpha-2 code in upper case", Clip(c, 64))
	}
	e.String("spatial.region", o.Spatial.Region, false, MaxNameRunes)
	e.String("spatial.municipality", o.Spatial.Municipality, false, MaxNameRunes)
	e.iris("spatial.iris", o.Spatial.IRIs)
	if o.OrgKind == "" {
		e.Add("kind", "required", "is required")
	} else {
		allowed := make([]string, 0, 4)
		for _, k := range OrganisationKinds() {
			allowed = append(allowed, string(k))
		}
		e.Enum("kind", string(o.OrgKind), allowed...)
	}
	e.URL("homepage", o.Homepage, false)
	if o.Email != "" && !ValidEmail(o.Email) {
		e.Add("email", "email", "%q is not an e-mail address", Clip(o.Email, 64))
	}
	return e.Err()
}

// Index implements Entity: the preferred label as name, its languages, the
// country.
func (o *Organisation) Index() IndexDoc {
	return IndexDoc{
		Name:      o.PrefLabel,
		Languages: filledLanguages(o.PrefLabel),
		Country:   o.Spatial.Country,
	}
}

// SpatialIRIs returns every dct:spatial IRI of the organisation: the EU
// country authority IRI of its country first, then IRIs.
func (o *Organisation) SpatialIRIs() []string {
	var out []string
	if c := CountryIRI(o.Spatial.Country); c != "" {
		out = append(out, c)
	}
	for _, s := range o.Spatial.IRIs {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SetSpatialIRIs fills Spatial from dct:spatial values: the first that
// names a country sets Country when it is empty; EU country authority IRIs
// and bare country codes are then dropped (Country stands for them), the
// others kept in IRIs.
func (o *Organisation) SetSpatialIRIs(iris []string) {
	for _, s := range iris {
		c := CountryFromSpatial(s)
		if c != "" && o.Spatial.Country == "" {
			o.Spatial.Country = c
		}
		if _, isCountry := authorityCode(s, CountryAuthority); c != "" && (isCountry || len(s) == 2) {
			continue // Country stands for it
		}
		if strings.TrimSpace(s) != "" && !slices.Contains(o.Spatial.IRIs, s) {
			o.Spatial.IRIs = append(o.Spatial.IRIs, s)
		}
	}
}
