package cpsv

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

func TestImportOfficialExample(t *testing.T) {
	services, orgs, err := Import(readShared(t, exampleFile))
	if err != nil {
		t.Fatalf("Import(official example): %v", err)
	}
	if len(services) != 1 || len(orgs) != 1 {
		t.Fatalf("got %d services and %d organisations, want 1 and 1", len(services), len(orgs))
	}
	s, o := services[0], orgs[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"service iri", s.IRI, "http://example.com/publicService1"},
		{"identifier", s.Identifier, "Tax-on-web"},
		{"title", s.Title, protocol.Text{"en": "Tax-on-web"}},
		{"description", s.Description, protocol.Text{"fr": "Service pour la déclaration à l'impôt des personnes physiques en ligne"}},
		{"competent authority", s.CompetentAuthority, "http://example.com/publicOrganisation1"},
		{"channels", s.Channels, []protocol.ServiceChannel{{ID: "http://example.com/channel1", Identifier: "cha-123",
			Type: "http://data.europa.eu/snb/com-channel/b37115f83e"}}},
		{"requirements", s.Requirements, []protocol.ServiceRequirement{{ID: "http://example.com/requirement1", Identifier: "req-123",
			Title: protocol.Text{"en": "Request to provide certificate about childcare costs"},
			Types: []string{"http://example.com/federalreduction"}, SupportingEvidence: []string{"evi-123"}}}},
		{"evidence", s.Evidence, []protocol.ServiceEvidence{{ID: "http://example.com/evidence1", Identifier: "evi-123",
			Title:       protocol.Text{"fr": "Attestation garde d'enfants"},
			Description: protocol.Text{"fr": "Attestation en matière de frais de garde d'enfants de l'année 2020"}}}},
		{"contact points", s.ContactPoints, []protocol.ContactPoint{{ID: "http://example.com/contactPoint1", Telephone: []string{"+32 257 25757"},
			OpeningHours: protocol.Text{"en": "Every day from 9 a.m. to 5 p.m."}, SpecialOpeningHours: protocol.Text{"en": "closed on weekend"}}}},
		{"org key", o.Key, "http://example.com/publicOrganisation1"},
		{"org iri", o.IRI, "http://example.com/publicOrganisation1"},
		{"org label", o.PrefLabel, protocol.Text{"fr": "Service Public Fédéral FINANCES", "nl": "Federale Overheidsdiesnt FINANCIEN",
			"en": "Federal Public Service FINANCE", "de": "Foderaler Offentlicher Dienst FINANZEN"}},
		{"org country", o.Spatial.Country, "BE"},
		{"org spatial iris", o.Spatial.IRIs, []string{"http://publications.europa.eu/resource/authority/atu/BEL"}},
		{"org kind", o.OrgKind, protocol.OrgPublicAdministration},
		{"service index country", s.Index().Country, ""},
		{"org index country", o.Index().Country, "BE"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if err := s.Validate(); err != nil {
		t.Errorf("imported service does not validate: %v", err)
	}
	if err := o.Validate(); err != nil {
		t.Errorf("imported organisation does not validate: %v", err)
	}
}

// minimalDoc is a small valid CPSV-AP document in the style of the official
// example, as a JSON tree the tests mutate.
func minimalDoc() map[string]any {
	return map[string]any{
		"@context": []any{ContextURL, map[string]any{
			"cv": "http://data.europa.eu/m8g/", "dct": "http://purl.org/dc/terms/",
			"skos": "http://www.w3.org/2004/02/skos/core#",
		}},
		"@graph": []any{
			map[string]any{
				"@id": "https://ex.org/s1", "@type": "PublicService",
				"dct:identifier":           "s1",
				"dct:title":                map[string]any{"@language": "en", "@value": "T"},
				"dct:description":          []any{map[string]any{"@language": "en", "@value": "D"}},
				"cv:hasCompetentAuthority": map[string]any{"@id": "https://ex.org/o1"},
			},
			map[string]any{
				"@id": "https://ex.org/o1", "@type": "PublicOrganization",
				"skos:prefLabel": map[string]any{"@language": "it", "@value": "Comune"},
				"dct:spatial":    map[string]any{"@id": "http://publications.europa.eu/resource/authority/country/ITA"},
			},
		},
	}
}

func graphNode(doc map[string]any, i int) map[string]any {
	return doc["@graph"].([]any)[i].(map[string]any)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportMinimal(t *testing.T) {
	services, orgs, err := Import(mustJSON(t, minimalDoc()))
	if err != nil {
		t.Fatal(err)
	}
	want := &protocol.PublicService{Type: protocol.KindPublicService, IRI: "https://ex.org/s1", Identifier: "s1",
		Title: protocol.Text{"en": "T"}, Description: protocol.Text{"en": "D"}, CompetentAuthority: "https://ex.org/o1"}
	if len(services) != 1 || !reflect.DeepEqual(services[0], want) {
		t.Errorf("services = %#v, want [%#v]", services, want)
	}
	wantOrg := &protocol.Organisation{Type: protocol.KindOrganisation, Key: "https://ex.org/o1", IRI: "https://ex.org/o1",
		PrefLabel: protocol.Text{"it": "Comune"}, Spatial: protocol.OrganisationSpatial{Country: "IT"}, OrgKind: protocol.OrgPublicAdministration}
	if len(orgs) != 1 || !reflect.DeepEqual(orgs[0], wantOrg) {
		t.Errorf("organisations = %#v, want [%#v]", orgs, wantOrg)
	}
}

func TestImportMalformed(t *testing.T) {
	cases := []struct {
		name      string
		mutate    func(doc map[string]any)
		raw       string // used instead of the mutated document when set
		wantField string
		wantRule  string
	}{
		{name: "missing dct:identifier", mutate: func(d map[string]any) { delete(graphNode(d, 0), "dct:identifier") },
			wantField: "services[0].identifier", wantRule: "required"},
		{name: "two identifiers", mutate: func(d map[string]any) { graphNode(d, 0)["dct:identifier"] = []any{"a", "b"} },
			wantField: "services[0].identifier", wantRule: "max_count"},
		{name: "identifier is a node", mutate: func(d map[string]any) {
			graphNode(d, 0)["dct:identifier"] = map[string]any{"@id": "https://ex.org/x"}
		}, wantField: "services[0].identifier", wantRule: "type"},
		{name: "missing title", mutate: func(d map[string]any) { delete(graphNode(d, 0), "dct:title") },
			wantField: "services[0].title", wantRule: "required"},
		{name: "missing description", mutate: func(d map[string]any) { delete(graphNode(d, 0), "dct:description") },
			wantField: "services[0].description", wantRule: "required"},
		{name: "missing competent authority", mutate: func(d map[string]any) { delete(graphNode(d, 0), "cv:hasCompetentAuthority") },
			wantField: "services[0].competent_authority", wantRule: "required"},
		{name: "blank-node competent authority", mutate: func(d map[string]any) {
			graphNode(d, 0)["cv:hasCompetentAuthority"] = map[string]any{"skos:prefLabel": "X"}
		}, wantField: "services[0].competent_authority", wantRule: "iri"},
		{name: "bad language tag on the title", mutate: func(d map[string]any) {
			graphNode(d, 0)["dct:title"] = map[string]any{"@language": "en_GB", "@value": "T"}
		}, wantField: "services[0].title", wantRule: "required"}, // json-gold drops a literal with a malformed tag
		{name: "bad dct:language", mutate: func(d map[string]any) { graphNode(d, 0)["dct:language"] = "english language" },
			wantField: "services[0].language[0]", wantRule: "bcp47"},
		{name: "bad processing time", mutate: func(d map[string]any) { graphNode(d, 0)["cv:processingTime"] = "5 days" },
			wantField: "services[0].processing_time", wantRule: "duration"},
		{name: "organisation without spatial", mutate: func(d map[string]any) { delete(graphNode(d, 1), "dct:spatial") },
			wantField: "organisations[0].spatial.country", wantRule: "required"},
		{name: "organisation without label", mutate: func(d map[string]any) { delete(graphNode(d, 1), "skos:prefLabel") },
			wantField: "organisations[0].pref_label", wantRule: "required"},
		{name: "@graph is a string", mutate: func(d map[string]any) { d["@graph"] = "services" },
			wantField: "$", wantRule: "jsonld"}, // the document expands to nothing: json-gold refuses it
		{name: "@graph holds a number", mutate: func(d map[string]any) { d["@graph"] = []any{1} },
			wantField: "@graph", wantRule: "required"},
		{name: "empty @graph", mutate: func(d map[string]any) { d["@graph"] = []any{} },
			wantField: "@graph", wantRule: "required"},
		{name: "@id is a number", mutate: func(d map[string]any) { graphNode(d, 0)["@id"] = 7 },
			wantField: "$", wantRule: "jsonld"},
		{name: "unknown remote context", mutate: func(d map[string]any) { d["@context"] = "https://example.org/context.jsonld" },
			wantField: "@context", wantRule: "unsupported"},
		{name: "value object with an object value", mutate: func(d map[string]any) {
			graphNode(d, 0)["dct:title"] = map[string]any{"@value": map[string]any{}}
		}, wantField: "$", wantRule: "jsonld"},
		{name: "top level is a string", raw: `"PublicService"`, wantField: "$", wantRule: "jsonld"},
		{name: "top-level array of numbers", raw: `[1]`, wantField: "@graph", wantRule: "required"},
		{name: "invalid UTF-8", raw: "{\"@id\": \"\xff\"}", wantField: `["@id"]`, wantRule: "jsonld"},
		{name: "a member named twice", raw: `{"@id": "a", "@id": "b"}`, wantField: `["@id"]`, wantRule: "jsonld"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := []byte(c.raw)
			if c.raw == "" {
				d := minimalDoc()
				c.mutate(d)
				doc = mustJSON(t, d)
			}
			_, _, err := Import(doc)
			ve, ok := errors.AsType[*protocol.ValidationError](err)
			if !ok {
				t.Fatalf("Import error = %v (%T), want a *protocol.ValidationError", err, err)
			}
			if !slices.ContainsFunc(ve.Errors, func(fe protocol.FieldError) bool { return fe.Field == c.wantField && fe.Rule == c.wantRule }) {
				t.Errorf("errors %v lack field %q with rule %q", ve.Errors, c.wantField, c.wantRule)
			}
		})
	}
}

func TestImportNotJSON(t *testing.T) {
	for _, doc := range []string{"", "{", `{"@graph": []} trailing`, "<rdf:RDF/>"} {
		_, _, err := Import([]byte(doc))
		if err == nil {
			t.Errorf("Import(%q) succeeded", doc)
			continue
		}
		if _, isVE := errors.AsType[*protocol.ValidationError](err); isVE {
			t.Errorf("Import(%q) = validation error %v, want a JSON syntax error", doc, err)
		}
		if !strings.Contains(err.Error(), "not JSON") {
			t.Errorf("Import(%q) = %v, want it to say the document is not JSON", doc, err)
		}
	}
}

// TestImportForms writes the same service in the forms publishers use and
// checks that each imports to the same entity.
func TestImportForms(t *testing.T) {
	want := &protocol.PublicService{Type: protocol.KindPublicService, IRI: "https://ex.org/s1", Identifier: "s1",
		Title: protocol.Text{"en": "T"}, Description: protocol.Text{"en": "D"}, CompetentAuthority: "https://ex.org/o1"}
	for name, doc := range importForms {
		t.Run(name, func(t *testing.T) {
			services, _, err := Import([]byte(doc))
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if len(services) != 1 || !reflect.DeepEqual(services[0], want) {
				t.Errorf("services = %#v, want [%#v]", services, want)
			}
		})
	}
}

// TestImportEmbeddedAuthority reads an authority embedded in the service
// and a co-producer that is only referenced.
func TestImportEmbeddedAuthority(t *testing.T) {
	doc := `{"@context": ["` + ContextURL + `", {"ilk": "` + Namespace + `", "dct": "http://purl.org/dc/terms/"}],
		"@id": "https://ex.org/s1", "@type": "PublicService", "PublicService.identifier": "s1",
		"PublicService.name": {"@language": "en", "@value": "T"}, "PublicService.description": {"@language": "en", "@value": "D"},
		"PublicService.hasCompetentAuthority": {"@id": "https://ex.org/o1", "@type": "PublicOrganization",
			"PublicOrganization.preferredLabel": {"@language": "lv", "@value": "VARAM"},
			"PublicOrganization.spatial": "http://publications.europa.eu/resource/authority/country/LVA"},
		"ilk:coproducedBy": [{"@id": "https://ex.org/civic", "skos:prefLabel": "unused: skos is not declared"},
			{"@id": "https://ex.org/civic2", "dct:type": {"@id": "ilk:citizen_group"}, "dct:spatial": "LV",
			 "http://www.w3.org/2004/02/skos/core#prefLabel": {"@language": "lv", "@value": "Biedrība"}}]}`
	services, orgs, err := Import([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(services) != 1 || services[0].CompetentAuthority != "https://ex.org/o1" ||
		!slices.Equal(services[0].CoproducedBy, []string{"https://ex.org/civic", "https://ex.org/civic2"}) {
		t.Fatalf("services = %#v", services)
	}
	if len(orgs) != 2 || orgs[0].Spatial.Country != "LV" || orgs[0].PrefLabel["lv"] != "VARAM" || orgs[0].OrgKind != protocol.OrgPublicAdministration ||
		orgs[1].IRI != "https://ex.org/civic2" || orgs[1].OrgKind != protocol.OrgCitizenGroup || orgs[1].Spatial.Country != "LV" {
		t.Fatalf("organisations = %#v, want the embedded authority and the citizen group (the other co-producer has no kind)", orgs)
	}
}

// TestImportNormalises checks the documented normalisations: authority IRIs
// of languages, countries and currencies become codes, mailto: is dropped.
func TestImportNormalises(t *testing.T) {
	d := minimalDoc()
	n := graphNode(d, 0)
	n["dct:language"] = []any{map[string]any{"@id": "http://publications.europa.eu/resource/authority/language/DEU"},
		map[string]any{"@id": "http://publications.europa.eu/resource/authority/language/FRE"}, "lv"}
	n["dct:spatial"] = []any{map[string]any{"@id": "http://publications.europa.eu/resource/authority/country/LVA"},
		map[string]any{"@id": "http://publications.europa.eu/resource/authority/atu/BEL"}}
	n["cv:hasCost"] = map[string]any{"@type": "Cost", "dct:identifier": "c", "cv:hasValue": 5,
		"cv:currency": map[string]any{"@id": "http://publications.europa.eu/resource/authority/currency/EUR"}}
	n["cv:contactPoint"] = map[string]any{"cv:email": map[string]any{"@id": "mailto:info@ex.org"}, "cv:openingHours": "9-17"}
	services, _, err := Import(mustJSON(t, d))
	if err != nil {
		t.Fatal(err)
	}
	s := services[0]
	if want := []string{"de", "fr", "lv"}; !slices.Equal(s.Language, want) {
		t.Errorf("language = %v, want %v", s.Language, want)
	}
	if want := []string{"LV", "http://publications.europa.eu/resource/authority/atu/BEL"}; !slices.Equal(s.Spatial, want) {
		t.Errorf("spatial = %v, want %v", s.Spatial, want)
	}
	if s.Index().Country != "LV" {
		t.Errorf("index country = %q, want LV", s.Index().Country)
	}
	if len(s.Costs) != 1 || s.Costs[0].Currency != "EUR" || s.Costs[0].Value == nil || *s.Costs[0].Value != 5 {
		t.Errorf("costs = %+v, want 5 EUR", s.Costs)
	}
	if len(s.ContactPoints) != 1 || !slices.Equal(s.ContactPoints[0].Email, []string{"info@ex.org"}) ||
		s.ContactPoints[0].OpeningHours["und"] != "9-17" {
		t.Errorf("contact points = %+v", s.ContactPoints)
	}
}

// importForms is one service written in the forms publishers use.
var importForms = map[string]string{
	"official compact terms": `{"@context": "` + ContextURL + `", "@id": "https://ex.org/s1", "@type": "PublicService",
		"PublicService.identifier": "s1", "PublicService.name": {"@language": "en", "@value": "T"},
		"PublicService.description": [{"@language": "en", "@value": "D"}],
		"PublicService.hasCompetentAuthority": "https://ex.org/o1"}`,
	"full IRIs, no context": `{"@id": "https://ex.org/s1", "@type": ["http://purl.org/vocab/cpsv#PublicService"],
		"http://purl.org/dc/terms/identifier": [{"@value": "s1"}],
		"http://purl.org/dc/terms/title": [{"@value": "T", "@language": "en"}],
		"http://purl.org/dc/terms/description": {"@value": "D", "@language": "en"},
		"http://data.europa.eu/m8g/hasCompetentAuthority": [{"@id": "https://ex.org/o1"}]}`,
	"default @language and plain strings": `{"@context": {"@language": "en", "dct": "http://purl.org/dc/terms/",
		"cpsv": "http://purl.org/vocab/cpsv#", "authority": {"@id": "http://data.europa.eu/m8g/hasCompetentAuthority", "@type": "@id"},
		"identifier": {"@id": "dct:identifier", "@language": null}},
		"@id": "https://ex.org/s1", "@type": "cpsv:PublicService", "identifier": "s1",
		"dct:title": "T", "dct:description": ["D"], "authority": "https://ex.org/o1"}`,
	"language maps and aliases": `{"@context": {"@vocab": "http://purl.org/dc/terms/", "id": "@id", "type": "@type",
		"ex": "https://ex.org/", "title": {"@container": "@language"}, "description": {"@container": "@language"},
		"PublicService": "http://purl.org/vocab/cpsv#PublicService",
		"authority": {"@id": "http://data.europa.eu/m8g/hasCompetentAuthority", "@type": "@id"}},
		"id": "ex:s1", "type": "PublicService", "identifier": "s1", "title": {"en": "T"}, "description": {"en": ["D"]},
		"authority": "ex:o1"}`,
	"top-level array with node contexts": `[{"@context": "` + ContextURL + `", "@id": "https://ex.org/s1", "@type": "PublicService",
		"PublicService.identifier": "s1", "PublicService.name": {"@language": "en", "@value": "T"},
		"PublicService.description": {"@language": "en", "@value": "D"}},
		{"@id": "https://ex.org/s1", "http://data.europa.eu/m8g/hasCompetentAuthority": {"@id": "https://ex.org/o1"}}]`,
	"@base and a relative @id": `{"@context": [null, {"@base": "https://ex.org/", "cv": "http://data.europa.eu/m8g/",
		"dct": "http://purl.org/dc/terms/"}], "@id": "s1", "@type": "http://purl.org/vocab/cpsv#PublicService",
		"dct:identifier": "s1", "dct:title": {"@language": "en", "@value": "T"}, "dct:description": {"@language": "en", "@value": "D"},
		"cv:hasCompetentAuthority": {"@id": "o1"}}`,
	"scoped context and @set": `{"@context": {"cpsv": "http://purl.org/vocab/cpsv#", "dct": "http://purl.org/dc/terms/",
		"cv": {"@id": "http://data.europa.eu/m8g/", "@prefix": true},
		"titles": {"@id": "dct:title", "@context": {"@language": "en"}}},
		"@id": "https://ex.org/s1", "@type": "cpsv:PublicService", "dct:identifier": "s1",
		"titles": {"@set": ["T"]}, "dct:description": {"@value": "D", "@language": "en"},
		"cv:hasCompetentAuthority": {"@id": "https://ex.org/o1"}}`,
}
