package cpsv

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

func ptr[T any](v T) *T { return &v }

// fullService sets every field the model has.
func fullService() *protocol.PublicService {
	return &protocol.PublicService{
		Type:               protocol.KindPublicService,
		IRI:                "https://comune.re.it/objects/01JD0000000000000000000001",
		Identifier:         "bonus-nido-2025",
		Title:              protocol.Text{"it": "Bonus asilo nido", "en": "Nursery bonus", "und": "Bonus nido"},
		Description:        protocol.Text{"it": "Contributo per le rette.\n\nDue paragrafi.", "en": "A contribution to nursery fees."},
		CompetentAuthority: "https://comune.re.it/objects/01JD0000000000000000000010",
		Keywords:           protocol.TextList{"it": {"famiglia", "infanzia"}, "en": {"family"}},
		Language:           []string{"it", "en", "de"},
		Spatial:            []string{"IT", "http://data.europa.eu/nuts/code/ITH53"},
		ThematicArea:       []string{"http://data.europa.eu/m8g/thematic-area/family"},
		Channels: []protocol.ServiceChannel{
			{ID: "https://comune.re.it/channels/web", Identifier: "web", Type: "http://data.europa.eu/snb/com-channel/b37115f83e",
				Description: protocol.Text{"it": "Portale"}, ProcessingTime: "PT2H"},
			{Identifier: "desk"},
		},
		Costs: []protocol.ServiceCost{
			{Identifier: "stamp", Description: protocol.Text{"it": "Marca da bollo"}, Value: ptr(16.0), Currency: "EUR"},
			{ID: "https://comune.re.it/costs/free", Identifier: "free", Value: ptr(0.0)},
		},
		Outputs: []protocol.ServiceOutput{{Identifier: "decision", Title: protocol.Text{"it": "Determina"},
			Description: protocol.Text{"en": "The decision"}, Types: []string{"http://data.europa.eu/m8g/output/decision"}}},
		Requirements: []protocol.ServiceRequirement{{Identifier: "residence", Title: protocol.Text{"it": "Residenza"},
			Types: []string{"https://comune.re.it/req/residence"}, SupportingEvidence: []string{"isee", "id-card"}}},
		Evidence: []protocol.ServiceEvidence{
			{Identifier: "isee", Title: protocol.Text{"it": "ISEE"}, Description: protocol.Text{"it": "Attestazione"},
				Type: "https://comune.re.it/evidence/isee", Language: []string{"it"}, RelatedDocumentation: []string{"https://www.inps.it/isee"}},
			{ID: "https://comune.re.it/evidence/id", Identifier: "id-card", Title: protocol.Text{"en": "Identity card"}},
		},
		ContactPoints: []protocol.ContactPoint{{Email: []string{"nidi@comune.re.it"}, Telephone: []string{"+39 0522 456111"},
			URL: []string{"https://www.comune.re.it/nidi"}, OpeningHours: protocol.Text{"it": "Lun-Ven 9-13"},
			SpecialOpeningHours: protocol.Text{"it": "Chiuso ad agosto"}}},
		ProcessingTime:   "P30D",
		CoproducedBy:     []string{"https://comune.re.it/objects/01JD0000000000000000000010", "https://civic.example/objects/01JD0000000000000000000020"},
		UsesInterlinkers: []string{"https://node.example/objects/01JD0000000000000000000030"},
		IsInstanceOf:     "https://zaragoza.example/objects/01JD0000000000000000000040",
	}
}

func fullOrgs() []*protocol.Organisation {
	return []*protocol.Organisation{
		{Type: protocol.KindOrganisation, Key: "c_h223", IRI: "https://comune.re.it/objects/01JD0000000000000000000010",
			PrefLabel: protocol.Text{"it": "Comune di Reggio Emilia", "en": "Municipality of Reggio Emilia"},
			Spatial: protocol.OrganisationSpatial{Country: "IT", Region: "Emilia-Romagna", Municipality: "Reggio Emilia",
				IRIs: []string{"http://data.europa.eu/nuts/code/ITH53"}},
			OrgKind: protocol.OrgPublicAdministration, Homepage: "https://www.comune.re.it", Email: "urp@comune.re.it"},
		{Type: protocol.KindOrganisation, Key: "civic-santa-croce", IRI: "https://civic.example/objects/01JD0000000000000000000020",
			PrefLabel: protocol.Text{"it": "Associazione Santa Croce"}, Spatial: protocol.OrganisationSpatial{Country: "IT"},
			OrgKind: protocol.OrgCitizenGroup},
	}
}

func TestRoundTrip(t *testing.T) {
	minimal := &protocol.PublicService{Type: protocol.KindPublicService, IRI: "https://node.example/s/2", Identifier: "2",
		Title: protocol.Text{"lv": "Pakalpojums"}, Description: protocol.Text{"lv": "Apraksts"}, CompetentAuthority: "urn:lv:varam"}
	cases := []struct {
		name     string
		services []*protocol.PublicService
		orgs     []*protocol.Organisation
	}{
		{"every field", []*protocol.PublicService{fullService()}, fullOrgs()},
		{"mandatory fields only", []*protocol.PublicService{minimal}, nil},
		{"organisations only", nil, fullOrgs()},
		{"several services", []*protocol.PublicService{fullService(), minimal}, fullOrgs()[:1]},
		{"services sharing parts", []*protocol.PublicService{fullService(), func() *protocol.PublicService {
			s := fullService() // the same channel, cost and evidence IRIs, described twice
			s.IRI, s.Identifier = "https://comune.re.it/objects/01JD0000000000000000000002", "bonus-nido-2026"
			return s
		}()}, fullOrgs()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Export(c.services, c.orgs, "https://node.example")
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			services, orgs, err := Import(doc)
			if err != nil {
				t.Fatalf("Import(Export(x)): %v\n%s", err, doc)
			}
			if !reflect.DeepEqual(services, c.services) {
				t.Errorf("services differ after the round trip:\n got %s\nwant %s", mustJSON(t, services), mustJSON(t, c.services))
			}
			if !reflect.DeepEqual(orgs, c.orgs) {
				t.Errorf("organisations differ after the round trip:\n got %s\nwant %s", mustJSON(t, orgs), mustJSON(t, c.orgs))
			}
			again, err := Export(services, orgs, "https://node.example")
			if err != nil || string(again) != string(doc) {
				t.Errorf("re-export differs (err %v): the export is not deterministic", err)
			}
		})
	}
}

func TestExportMintsIRIs(t *testing.T) {
	s := fullService()
	s.IRI = ""
	o := fullOrgs()[1]
	o.IRI = ""
	doc, err := Export([]*protocol.PublicService{s}, []*protocol.Organisation{o}, "https://node.example/")
	if err != nil {
		t.Fatal(err)
	}
	services, orgs, err := Import(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := services[0].IRI; got != "https://node.example/services/bonus-nido-2025" {
		t.Errorf("service IRI = %q", got)
	}
	if got := orgs[0].IRI; got != "https://node.example/organisations/civic-santa-croce" {
		t.Errorf("organisation IRI = %q", got)
	}
	if _, err := Export([]*protocol.PublicService{s}, nil, "not a url"); err == nil || !strings.Contains(err.Error(), "base") {
		t.Errorf("Export with a bad base and no IRI: err = %v, want one naming the base", err)
	}
}

func TestExportRefusesInvalid(t *testing.T) {
	s := fullService()
	s.Title = nil
	o := fullOrgs()[0]
	o.Spatial.Country = "Italy"
	_, err := Export([]*protocol.PublicService{s, nil}, []*protocol.Organisation{o}, "https://node.example")
	ve, ok := errors.AsType[*protocol.ValidationError](err)
	if !ok {
		t.Fatalf("err = %v, want a *protocol.ValidationError", err)
	}
	for _, want := range []string{"services[0].title", "services[1].$", "organisations[0].spatial.country"} {
		if !slices.ContainsFunc(ve.Errors, func(fe protocol.FieldError) bool { return fe.Field == want }) {
			t.Errorf("errors %v lack %q", ve.Errors, want)
		}
	}
}

// TestExportExpandsToCPSVIRIs expands the export with this package's
// expander after removing the remote context, as a processor that cannot
// fetch it would have to: the inline prefixes alone give the CPSV-AP IRIs.
func TestExportExpandsToCPSVIRIs(t *testing.T) {
	doc, err := Export([]*protocol.PublicService{fullService()}, fullOrgs(), "https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(doc, &tree); err != nil {
		t.Fatal(err)
	}
	ctx := tree["@context"].([]any)
	if ctx[0] != ContextURL {
		t.Errorf("@context[0] = %v, want the official context URL", ctx[0])
	}
	tree["@context"] = ctx[1:] // a processor that cannot fetch the remote context
	g, err := expandDocument(mustJSON(t, tree))
	if err != nil {
		t.Fatal(err)
	}
	s := g.Nodes[fullService().IRI]
	if s == nil {
		t.Fatalf("no node %s in %v", fullService().IRI, g.Order)
	}
	checkExpandedService(t, s, g)
	org := g.Nodes[fullOrgs()[0].IRI]
	if org == nil || !slices.Contains(org.Types, "http://data.europa.eu/m8g/PublicOrganisation") {
		t.Fatalf("organisation node = %+v, want type cv:PublicOrganisation", org)
	}
	if !hasRef(org.Props["http://purl.org/dc/terms/spatial"], "http://publications.europa.eu/resource/authority/country/ITA") {
		t.Errorf("organisation dct:spatial = %+v, want the EU country IRI of Italy", org.Props["http://purl.org/dc/terms/spatial"])
	}
	if !hasLang(org.Props["http://www.w3.org/2004/02/skos/core#prefLabel"], "it", "Comune di Reggio Emilia") {
		t.Errorf("organisation skos:prefLabel = %+v", org.Props["http://www.w3.org/2004/02/skos/core#prefLabel"])
	}
	civic := g.Nodes[fullOrgs()[1].IRI]
	if civic == nil || !slices.Contains(civic.Types, "http://www.w3.org/ns/org#Organization") ||
		!hasRef(civic.Props["http://purl.org/dc/terms/type"], Namespace+"citizen_group") {
		t.Errorf("citizen group node = %+v, want org:Organization with dct:type ilk:citizen_group", civic)
	}
}

func checkExpandedService(t *testing.T, s *node, g *graph) {
	t.Helper()
	if !slices.Contains(s.Types, "http://purl.org/vocab/cpsv#PublicService") {
		t.Errorf("service types = %v, want cpsv:PublicService", s.Types)
	}
	p := s.Props
	if !hasLang(p["http://purl.org/dc/terms/title"], "en", "Nursery bonus") || !hasLang(p["http://purl.org/dc/terms/title"], "it", "Bonus asilo nido") {
		t.Errorf("dct:title = %+v, want language-tagged titles", p["http://purl.org/dc/terms/title"])
	}
	if !hasLang(p["http://purl.org/dc/terms/description"], "en", "A contribution to nursery fees.") {
		t.Errorf("dct:description = %+v", p["http://purl.org/dc/terms/description"])
	}
	if !hasRef(p["http://data.europa.eu/m8g/hasCompetentAuthority"], fullService().CompetentAuthority) {
		t.Errorf("cv:hasCompetentAuthority = %+v", p["http://data.europa.eu/m8g/hasCompetentAuthority"])
	}
	if v := p["http://purl.org/dc/terms/identifier"]; len(v) != 1 || v[0].Lit == nil || v[0].Lit.Value != "bonus-nido-2025" {
		t.Errorf("dct:identifier = %+v", v)
	}
	if !hasRef(p["http://purl.org/dc/terms/language"], "http://publications.europa.eu/resource/authority/language/ITA") {
		t.Errorf("dct:language = %+v, want the EU language IRI of Italian", p["http://purl.org/dc/terms/language"])
	}
	if v := p["http://data.europa.eu/m8g/processingTime"]; len(v) != 1 || v[0].Lit == nil ||
		v[0].Lit.Datatype != "http://www.w3.org/2001/XMLSchema#duration" {
		t.Errorf("cv:processingTime = %+v, want an xsd:duration", v)
	}
	typed := map[string]string{
		"http://data.europa.eu/m8g/hasChannel":       "http://data.europa.eu/m8g/Channel",
		"http://data.europa.eu/m8g/hasCost":          "http://data.europa.eu/m8g/Cost",
		"http://purl.org/vocab/cpsv#produces":        "http://data.europa.eu/m8g/Output",
		"http://data.europa.eu/m8g/holdsRequirement": "http://data.europa.eu/m8g/Requirement",
		"http://purl.org/vocab/cpsv#hasInput":        "http://data.europa.eu/m8g/Evidence",
		"http://data.europa.eu/m8g/contactPoint":     "http://data.europa.eu/m8g/ContactPoint",
	}
	for _, prop := range slices.Sorted(maps.Keys(typed)) {
		vals := p[prop]
		if len(vals) == 0 {
			t.Errorf("%s is missing", prop)
			continue
		}
		for _, v := range vals {
			if n := g.Nodes[v.Ref]; n == nil || !slices.Contains(n.Types, typed[prop]) {
				t.Errorf("%s value %+v is not a %s node", prop, v, typed[prop])
			}
		}
	}
	for _, prop := range []string{Namespace + "coproducedBy", Namespace + "usesInterlinker", Namespace + "isInstanceOf"} {
		if len(p[prop]) == 0 {
			t.Errorf("%s is missing", prop)
		}
	}
}

func hasLang(vals []value, lang, text string) bool {
	return slices.ContainsFunc(vals, func(v value) bool {
		return v.Lit != nil && strings.EqualFold(v.Lit.Lang, lang) && v.Lit.Value == text
	})
}

func hasRef(vals []value, iri string) bool {
	return slices.ContainsFunc(vals, func(v value) bool { return v.Ref == iri })
}

// TestReexportOfficialExample imports the official example, exports it and
// imports the export: identifier, title with its language, description and
// competent authority survive, and so does everything else imported.
func TestReexportOfficialExample(t *testing.T) {
	services, orgs, err := Import(readShared(t, exampleFile))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Export(services, orgs, "https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	services2, orgs2, err := Import(doc)
	if err != nil {
		t.Fatalf("Import(re-export): %v\n%s", err, doc)
	}
	if len(services2) != 1 {
		t.Fatalf("re-export has %d services", len(services2))
	}
	s := services2[0]
	if s.Identifier != "Tax-on-web" || !reflect.DeepEqual(s.Title, protocol.Text{"en": "Tax-on-web"}) ||
		s.Description["fr"] == "" || s.CompetentAuthority != "http://example.com/publicOrganisation1" {
		t.Errorf("re-exported service = %+v", s)
	}
	if !reflect.DeepEqual(services2, services) || !reflect.DeepEqual(orgs2, orgs) {
		t.Errorf("re-export changed the entities:\n got %s %s\nwant %s %s", mustJSON(t, services2), mustJSON(t, orgs2),
			mustJSON(t, services), mustJSON(t, orgs))
	}
}

// BenchmarkExportImport100 exports 100 fully populated services with their
// organisations and imports the document back.
func BenchmarkExportImport100(b *testing.B) {
	services := make([]*protocol.PublicService, 100)
	for i := range services {
		s := fullService()
		s.Identifier = fmt.Sprintf("service-%d", i)
		s.IRI = fmt.Sprintf("https://node.example/objects/%d", i)
		services[i] = s
	}
	doc, err := Export(services, fullOrgs(), "https://node.example")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("export", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, err := Export(services, fullOrgs(), "https://node.example"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("import", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, _, err := Import(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, f := range []Format{FormatTurtle, FormatRDFXML} {
		b.Run("export-"+string(f), func(b *testing.B) {
			for b.Loop() {
				if _, err := ExportAs(f, services, fullOrgs(), "https://node.example"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	ttl, err := ExportAs(FormatTurtle, services, fullOrgs(), "https://node.example")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("import-turtle", func(b *testing.B) {
		b.SetBytes(int64(len(ttl)))
		for b.Loop() {
			if _, _, err := ImportTurtle(ttl); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkImportOfficialExample(b *testing.B) {
	doc := readShared(b, exampleFile)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, _, err := Import(doc); err != nil {
			b.Fatal(err)
		}
	}
}
