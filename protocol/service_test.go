package protocol

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func validService() *PublicService {
	v := 16.0
	return &PublicService{
		Type: KindPublicService, IRI: "https://node.example/objects/01JD0000000000000000000001", Identifier: "bonus-nido",
		Title: Text{"it": "Bonus nido", "en": "Nursery bonus"}, Description: Text{"it": "Contributo"},
		CompetentAuthority: "https://node.example/objects/01JD0000000000000000000002",
		Keywords:           TextList{"it": {"famiglia"}},
		Language:           []string{"it", LanguageAuthority + "ENG"},
		Spatial:            []string{"IT", NUTSBase + "ITH53"},
		ThematicArea:       []string{"http://data.europa.eu/m8g/thematic-area/family"},
		Channels:           []ServiceChannel{{Identifier: "web", Type: "http://data.europa.eu/snb/com-channel/b37115f83e", ProcessingTime: "PT2H"}},
		Costs:              []ServiceCost{{Identifier: "stamp", Value: &v, Currency: "EUR"}},
		Outputs:            []ServiceOutput{{Identifier: "decision", Title: Text{"it": "Determina"}}},
		Requirements:       []ServiceRequirement{{Identifier: "residence", Title: Text{"it": "Residenza"}, SupportingEvidence: []string{"isee"}}},
		Evidence:           []ServiceEvidence{{Identifier: "isee", Title: Text{"it": "ISEE"}, Language: []string{"it"}, RelatedDocumentation: []string{"https://www.inps.it"}}},
		ContactPoints:      []ContactPoint{{Email: []string{"nidi@comune.re.it"}, Telephone: []string{"+39 0522 456111"}, URL: []string{"https://www.comune.re.it"}}},
		ProcessingTime:     "P30D",
		CoproducedBy:       []string{"https://civic.example/objects/01JD0000000000000000000003"},
		UsesInterlinkers:   []string{"urn:interlink:survey"},
		IsInstanceOf:       "https://zgz.example/objects/01JD0000000000000000000004",
	}
}

func validOrganisation() *Organisation {
	return &Organisation{Type: KindOrganisation, Key: "c_h223", IRI: "https://comune.re.it/org",
		PrefLabel: Text{"it": "Comune di Reggio Emilia"},
		Spatial:   OrganisationSpatial{Country: "IT", Region: "Emilia-Romagna", Municipality: "Reggio Emilia", IRIs: []string{NUTSBase + "ITH53"}},
		OrgKind:   OrgPublicAdministration, Homepage: "https://www.comune.re.it", Email: "urp@comune.re.it"}
}

// hasFailure reports whether err is a *ValidationError holding field with rule.
func hasFailure(t *testing.T, err error, field, rule string) bool {
	t.Helper()
	ve, ok := errors.AsType[*ValidationError](err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	return slices.ContainsFunc(ve.Errors, func(fe FieldError) bool { return fe.Field == field && fe.Rule == rule })
}

func TestPublicServiceValidate(t *testing.T) {
	if err := validService().Validate(); err != nil {
		t.Fatalf("valid service: %v", err)
	}
	cases := []struct {
		name        string
		mutate      func(s *PublicService)
		field, rule string
	}{
		{"wrong type", func(s *PublicService) { s.Type = KindOrganisation }, "type", "enum"},
		{"no type", func(s *PublicService) { s.Type = "" }, "type", "required"},
		{"no identifier", func(s *PublicService) { s.Identifier = " " }, "identifier", "required"},
		{"no title", func(s *PublicService) { s.Title = nil }, "title", "required"},
		{"blank title", func(s *PublicService) { s.Title = Text{"en": "  "} }, "title", "required"},
		{"bad title language", func(s *PublicService) { s.Title["en_GB"] = "x" }, "title.en_GB", "bcp47"},
		{"no description", func(s *PublicService) { s.Description = Text{} }, "description", "required"},
		{"no competent authority", func(s *PublicService) { s.CompetentAuthority = "" }, "competent_authority", "required"},
		{"relative competent authority", func(s *PublicService) { s.CompetentAuthority = "/objects/1" }, "competent_authority", "iri"},
		{"blank-node competent authority", func(s *PublicService) { s.CompetentAuthority = "_:b0" }, "competent_authority", "iri"},
		{"bad iri", func(s *PublicService) { s.IRI = "https:// bad" }, "iri", "iri"},
		{"bad language", func(s *PublicService) { s.Language = []string{"english"} }, "language[0]", "bcp47"},
		{"duplicate language", func(s *PublicService) { s.Language = []string{"it", "it"} }, "language[1]", "unique"},
		{"lower-case country", func(s *PublicService) { s.Spatial = []string{"it"} }, "spatial[0]", "iso3166"},
		{"spatial not an IRI", func(s *PublicService) { s.Spatial = []string{"Emilia"} }, "spatial[0]", "iri"},
		{"thematic area not an IRI", func(s *PublicService) { s.ThematicArea = []string{"family"} }, "thematic_area[0]", "iri"},
		{"bad processing time", func(s *PublicService) { s.ProcessingTime = "30 days" }, "processing_time", "duration"},
		{"bad channel time", func(s *PublicService) { s.Channels[0].ProcessingTime = "P" }, "channels[0].processing_time", "duration"},
		{"channel without identifier", func(s *PublicService) { s.Channels[0].Identifier = "" }, "channels[0].identifier", "required"},
		{"duplicate channel", func(s *PublicService) { s.Channels = append(s.Channels, s.Channels[0]) }, "channels[1].identifier", "unique"},
		{"negative cost", func(s *PublicService) { v := -1.0; s.Costs[0].Value = &v }, "costs[0].value", "range"},
		{"bad currency", func(s *PublicService) { s.Costs[0].Currency = "euro" }, "costs[0].currency", "iso4217"},
		{"output without title", func(s *PublicService) { s.Outputs[0].Title = nil }, "outputs[0].title", "required"},
		{"dangling evidence reference", func(s *PublicService) { s.Requirements[0].SupportingEvidence = []string{"nope"} },
			"requirements[0].supporting_evidence[0]", "reference"},
		{"evidence without title", func(s *PublicService) { s.Evidence[0].Title = nil }, "evidence[0].title", "required"},
		{"evidence documentation not a URL", func(s *PublicService) { s.Evidence[0].RelatedDocumentation = []string{"ftp://x"} },
			"evidence[0].related_documentation[0]", "url"},
		{"bad e-mail", func(s *PublicService) { s.ContactPoints[0].Email = []string{"Nidi <nidi@x.it>"} }, "contact_points[0].email[0]", "email"},
		{"bad telephone", func(s *PublicService) { s.ContactPoints[0].Telephone = []string{"call us"} }, "contact_points[0].telephone[0]", "telephone"},
		{"empty contact point", func(s *PublicService) { s.ContactPoints[0] = ContactPoint{} }, "contact_points[0]", "required"},
		{"co-producer not an IRI", func(s *PublicService) { s.CoproducedBy = []string{"Civic group"} }, "coproduced_by[0]", "iri"},
		{"duplicate interlinker", func(s *PublicService) { s.UsesInterlinkers = []string{"urn:a", "urn:a"} }, "uses_interlinkers[1]", "unique"},
		{"instance of not an IRI", func(s *PublicService) { s.IsInstanceOf = "bonus" }, "is_instance_of", "iri"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := validService()
			c.mutate(s)
			err := s.Validate()
			if err == nil {
				t.Fatal("Validate passed")
			}
			if !hasFailure(t, err, c.field, c.rule) {
				t.Errorf("Validate = %v, want field %q rule %q", err, c.field, c.rule)
			}
		})
	}
}

func TestPublicServiceCollectsEveryFailure(t *testing.T) {
	err := (&PublicService{}).Validate()
	for _, f := range []string{"type", "identifier", "title", "description", "competent_authority"} {
		if !hasFailure(t, err, f, "required") {
			t.Errorf("Validate of an empty service = %v, lacks %s", err, f)
		}
	}
}

func TestOrganisationValidate(t *testing.T) {
	if err := validOrganisation().Validate(); err != nil {
		t.Fatalf("valid organisation: %v", err)
	}
	cases := []struct {
		name        string
		mutate      func(o *Organisation)
		field, rule string
	}{
		{"no key", func(o *Organisation) { o.Key = "" }, "key", "required"},
		{"no label", func(o *Organisation) { o.PrefLabel = nil }, "pref_label", "required"},
		{"no country", func(o *Organisation) { o.Spatial.Country = "" }, "spatial.country", "required"},
		{"alpha-3 country", func(o *Organisation) { o.Spatial.Country = "ITA" }, "spatial.country", "iso3166"},
		{"lower-case country", func(o *Organisation) { o.Spatial.Country = "it" }, "spatial.country", "iso3166"},
		{"bad spatial IRI", func(o *Organisation) { o.Spatial.IRIs = []string{"Emilia"} }, "spatial.iris[0]", "iri"},
		{"no kind", func(o *Organisation) { o.OrgKind = "" }, "kind", "required"},
		{"unknown kind", func(o *Organisation) { o.OrgKind = "company" }, "kind", "enum"},
		{"bad homepage", func(o *Organisation) { o.Homepage = "www.comune.re.it" }, "homepage", "url"},
		{"bad e-mail", func(o *Organisation) { o.Email = "urp" }, "email", "email"},
		{"multi-line region", func(o *Organisation) { o.Spatial.Region = "a\nb" }, "spatial.region", "control_char"},
		{"wrong type", func(o *Organisation) { o.Type = KindPublicService }, "type", "enum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := validOrganisation()
			c.mutate(o)
			err := o.Validate()
			if err == nil {
				t.Fatal("Validate passed")
			}
			if !hasFailure(t, err, c.field, c.rule) {
				t.Errorf("Validate = %v, want field %q rule %q", err, c.field, c.rule)
			}
		})
	}
}

func TestServiceAndOrganisationDecode(t *testing.T) {
	for _, e := range []Entity{validService(), validOrganisation()} {
		raw, err := EncodeEntity(e)
		if err != nil {
			t.Fatalf("EncodeEntity(%s): %v", e.Kind(), err)
		}
		back, err := DecodeEntity(raw)
		if err != nil {
			t.Fatalf("DecodeEntity(%s): %v\n%s", e.Kind(), err, raw)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("%s changed in a JSON round trip:\n%s", e.Kind(), raw)
		}
	}
	if _, err := DecodeEntity([]byte(`{"type": "Organisation", "key": "x", "pref_label": {"en": "X"}, "spatial": {"country": "IT"}, "kind": "public_administration", "kind_": 1}`)); err == nil {
		t.Error("DecodeEntity accepted an unknown member")
	}
}

func TestIndex(t *testing.T) {
	s := validService()
	doc := s.Index()
	if doc.Country != "IT" || !slices.Equal(doc.Languages, []string{"it", "en"}) || doc.Name["en"] != "Nursery bonus" ||
		doc.Description["it"] != "Contributo" || !reflect.DeepEqual(doc.Tags, s.Keywords) {
		t.Errorf("service index = %+v", doc)
	}
	s.Language, s.Spatial = nil, []string{NUTSBase + "EL30"}
	s.Title["und"] = "x"
	doc = s.Index()
	if doc.Country != "GR" || !slices.Equal(doc.Languages, []string{"en", "it"}) {
		t.Errorf("service index without dct:language = %+v, want languages of the texts and country GR", doc)
	}
	o := validOrganisation().Index()
	if o.Country != "IT" || o.Name["it"] == "" || !slices.Equal(o.Languages, []string{"it"}) {
		t.Errorf("organisation index = %+v", o)
	}
}

func TestValidDuration(t *testing.T) {
	good := []string{"P1Y", "P1Y2M10DT2H30M", "PT36H", "P0.5D", "PT1,5S", "P2W", "PT0S", "P1DT1S"}
	bad := []string{"", "P", "PT", "1D", "-P1D", "P1H", "PT1D", "P1M1Y", "P1.5DT1H", "P1DT", "P1W2D", "P.5D", "P5.D", "P1Y1Y", "P 1D", "PT1H1H"}
	for _, d := range good {
		if !ValidDuration(d) {
			t.Errorf("ValidDuration(%q) = false", d)
		}
	}
	for _, d := range bad {
		if ValidDuration(d) {
			t.Errorf("ValidDuration(%q) = true", d)
		}
	}
}

func TestValidIRIEmailTelephone(t *testing.T) {
	iris := map[string]bool{"https://a.example/x": true, "urn:isbn:123": true, "mailto:a@b.example": true,
		"http://": false, "_:b0": false, "/rel": false, "a b:c": false, "1a:b": false, "https://a.example/ x": false, "x:": false}
	for s, want := range iris {
		if ValidIRI(s) != want {
			t.Errorf("ValidIRI(%q) = %v", s, !want)
		}
	}
	emails := map[string]bool{"a@b.example": true, "a.b+c@d.example": true, "a": false, "<a@b.example>": false, "A <a@b.example>": false, "": false}
	for s, want := range emails {
		if ValidEmail(s) != want {
			t.Errorf("ValidEmail(%q) = %v", s, !want)
		}
	}
	phones := map[string]bool{"+32 257 25757": true, "tel:+39-0522-456111": true, "(0522) 456.111": true, "12": false, "call": false, "": false}
	for s, want := range phones {
		if ValidTelephone(s) != want {
			t.Errorf("ValidTelephone(%q) = %v", s, !want)
		}
	}
}

func TestCodes(t *testing.T) {
	spatial := map[string]string{
		"IT": "IT", "it": "IT", "XK": "XK", "ZZ": "", "Italy": "",
		CountryAuthority + "ITA": "IT", "https://publications.europa.eu/resource/authority/country/LVA": "LV",
		CountryAuthority + "XXX": "", ATUAuthority + "BEL": "BE", ATUAuthority + "BEL_BRU": "",
		NUTSBase + "ES243": "ES", NUTSBase + "EL30": "GR", NUTSBase + "UKI": "GB", "https://example.org/IT": "",
	}
	for in, want := range spatial {
		if got := CountryFromSpatial(in); got != want {
			t.Errorf("CountryFromSpatial(%q) = %q, want %q", in, got, want)
		}
	}
	if got := CountryIRI("lv"); got != CountryAuthority+"LVA" {
		t.Errorf("CountryIRI(lv) = %q", got)
	}
	if CountryIRI("Latvia") != "" || ValidCountryCode("it") || !ValidCountryCode("ES") {
		t.Error("country code checks are wrong")
	}
	langIRI := map[string]string{"en": "ENG", "en-GB": "ENG", "FR": "FRA", "lv": "LAV", "el": "ELL", "fre": "FRA", "und": "UND", "x-klingon": "", "e": ""}
	for tag, code := range langIRI {
		want := ""
		if code != "" {
			want = LanguageAuthority + code
		}
		if got := LanguageIRI(tag); got != want {
			t.Errorf("LanguageIRI(%q) = %q, want %q", tag, got, want)
		}
	}
	langTag := map[string]string{LanguageAuthority + "ENG": "en", LanguageAuthority + "FRE": "fr", LanguageAuthority + "GER": "de",
		LanguageAuthority + "SPA": "es", LanguageAuthority + "MUL": "mul", LanguageAuthority + "EN": "", "https://example.org/ENG": "",
		"http://publications.europa.eu/resource/authority/language/ITA/x": ""}
	for iri, want := range langTag {
		if got := LanguageFromIRI(iri); got != want {
			t.Errorf("LanguageFromIRI(%q) = %q, want %q", iri, got, want)
		}
	}
	// Every table entry maps back.
	for a2, a3 := range countryAlpha3 {
		if CountryFromSpatial(CountryAuthority+a3) != a2 {
			t.Errorf("country %s/%s does not map back", a2, a3)
		}
	}
	for l2 := range languageAlpha3 {
		if LanguageFromIRI(LanguageIRI(l2)) != l2 {
			t.Errorf("language %s does not map back", l2)
		}
	}
}

func TestOrganisationSpatialIRIs(t *testing.T) {
	o := &Organisation{}
	o.SetSpatialIRIs([]string{ATUAuthority + "BEL", CountryAuthority + "BEL", NUTSBase + "BE1", " "})
	if o.Spatial.Country != "BE" || !slices.Equal(o.Spatial.IRIs, []string{ATUAuthority + "BEL", NUTSBase + "BE1"}) {
		t.Errorf("spatial = %+v", o.Spatial)
	}
	if got := o.SpatialIRIs(); !slices.Equal(got, []string{CountryAuthority + "BEL", ATUAuthority + "BEL", NUTSBase + "BE1"}) {
		t.Errorf("SpatialIRIs = %v", got)
	}
}

func TestPublicCodeInfoValidateInto(t *testing.T) {
	good := &PublicCodeInfo{Version: "0.4", URL: "https://example.com/italia/medusa.git", ReleaseDate: "2017-04-15",
		DevelopmentStatus: "development", SoftwareType: "standalone/desktop",
		Maintenance:     PublicCodeMaintenance{Type: "community", Contacts: []PublicCodeContact{{Name: "Francesco Rossi"}}},
		CountrySections: map[string]json.RawMessage{"it": json.RawMessage(`{"riuso": {"codiceIPA": "c_h501"}}`)}}
	e := &ValidationError{}
	good.ValidateInto(e, "publiccode")
	if err := e.Err(); err != nil {
		t.Fatalf("valid block: %v", err)
	}
	bad := *good
	bad.URL, bad.ReleaseDate, bad.DevelopmentStatus = "", "15/04/2017", "alpha"
	bad.Maintenance.Contacts = []PublicCodeContact{{}}
	bad.CountrySections = map[string]json.RawMessage{"italy": json.RawMessage(`{}`), "de": json.RawMessage(`[]`)}
	e = &ValidationError{}
	bad.ValidateInto(e, "publiccode")
	for _, want := range [][2]string{{"publiccode.url", "required"}, {"publiccode.release_date", "date"},
		{"publiccode.development_status", "enum"}, {"publiccode.maintenance.contacts[0].name", "required"},
		{"publiccode.country_sections.italy", "format"}, {"publiccode.country_sections.de", "type"}} {
		if !hasFailure(t, e, want[0], want[1]) {
			t.Errorf("ValidateInto = %v, lacks %s %s", e, want[0], want[1])
		}
	}
	if !strings.Contains(e.Error(), "publiccode.url") {
		t.Errorf("message %q does not name the field", e.Error())
	}
}
