package search

import (
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// corpus is a small known catalogue in the four INTERLINK languages.
func corpus() []il {
	return []il{
		{
			key: "business_model_canvas", nature: protocol.NatureKnowledge,
			name: protocol.Text{"en": "Business Model Canvas", "es": "Business Model Canvas",
				"it": "Business Model Canvas", "lv": "Biznesa modeļa plānošanas rīks"},
			desc: protocol.Text{
				"en": "This canvas can be used collaboratively, for instance during a brainstorming, to reflect on the most suitable business model.",
				"es": "Este lienzo puede utilizarse de forma colaborativa para reflexionar sobre el modelo de negocio más adecuado.",
				"it": "Questo canvas può essere utilizzato in modo collaborativo per riflettere sul modello di business più adatto.",
				"lv": "Šis audekls var tikt lietots sadarbībai, lai novērtētu piemērotāko biznesa modeli.",
			},
			tags:  protocol.TextList{"en": {"model", "canvas", "business"}},
			langs: []string{"lv", "en", "es", "it"}, profiles: []string{"SUS_PROBLEM_1"},
			licence: "public_domain", scopes: []string{"eu"},
		},
		{
			key: "gamification_canvas", nature: protocol.NatureKnowledge,
			name:  protocol.Text{"en": "Gamification Canvas"},
			desc:  protocol.Text{"en": "A template to design game mechanics that motivate participants."},
			langs: []string{"en"}, profiles: []string{"ENG_PROBLEM_2", "SUS_PROBLEM_1"},
			licence: "permissive", scopes: []string{"eu", "local"},
		},
		{
			key: "digital_service_guide", nature: protocol.NatureExternalKnowledge,
			name: protocol.Text{"en": "Digital service guide", "es": "Guía de servicios digitales",
				"it": "Guida al servizio digitale"},
			desc: protocol.Text{"en": "How a public administration designs a digital service.",
				"es": "Cómo una administración pública diseña un servicio digital.",
				"it": "Come una pubblica amministrazione progetta un servizio digitale."},
			langs: []string{"en", "es", "it"}, profiles: []string{"BUILD_PROBLEM_4"},
			licence: "copyleft", scopes: []string{"national"},
		},
		{
			key: "citizen_participation", nature: protocol.NatureExternalSoftware,
			name: protocol.Text{"es": "Servicio de participación ciudadana", "en": "Citizen participation platform"},
			desc: protocol.Text{"es": "Una plataforma para que la ciudadanía proponga y vote ideas.",
				"en": "A platform where citizens propose and vote ideas."},
			tags:  protocol.TextList{"es": {"participación", "votación"}},
			langs: []string{"es", "en"}, profiles: []string{"ENG_PROBLEM_2"},
			licence: "copyleft", scopes: []string{"local"},
		},
		{
			key: "survey_editor", nature: protocol.NatureSoftware,
			name: protocol.Text{"en": "Survey editor", "es": "Editor de encuestas", "it": "Editor di sondaggi",
				"lv": "Aptauju redaktors"},
			desc:  protocol.Text{"en": "<p>Create <b>questionnaires</b> &amp; collect answers.</p>"},
			tags:  protocol.TextList{"en": {"survey", "questionnaire"}},
			langs: []string{"en", "es", "it", "lv"}, profiles: []string{"ENG_PROBLEM_2"},
			licence: "permissive", scopes: []string{"eu", "national", "local"},
		},
		{
			key: "service_design_handbook", nature: protocol.NatureKnowledge,
			name:  protocol.Text{"lv": "Pakalpojumu dizaina rokasgrāmata"},
			desc:  protocol.Text{"lv": "Rokasgrāmata pakalpojumu dizainam pašvaldībās."},
			langs: []string{"lv"}, profiles: []string{"BUILD_PROBLEM_4"},
			licence: "propietary", scopes: []string{"regional"},
		},
		{
			key: "workshop_guide", nature: protocol.NatureKnowledge,
			name:  protocol.Text{"en": "Workshop facilitation guide"},
			desc:  protocol.Text{"en": "Use a canvas on the wall during the workshop to collect ideas."},
			langs: []string{"en"}, profiles: []string{"ORG_PROBLEM_3"},
			licence: "public_domain", scopes: []string{"local"},
		},
	}
}

// corpusObjects returns the corpus as stored objects on testOrigin.
func corpusObjects(t testing.TB) []protocol.Object {
	var out []protocol.Object
	for _, x := range corpus() {
		out = append(out, x.object(t, testOrigin))
	}
	return out
}

// italianService is a public service of an Italian municipality on another node.
func italianService(t testing.TB) protocol.Object {
	svc := &protocol.PublicService{
		Type:               protocol.KindPublicService,
		Identifier:         "reggio-emilia-civic-budget",
		Title:              protocol.Text{"it": "Bilancio partecipativo", "en": "Participatory budgeting"},
		Description:        protocol.Text{"it": "I cittadini decidono come spendere una parte del bilancio comunale."},
		CompetentAuthority: "https://comune.re.example/objects/org1",
		Keywords:           protocol.TextList{"it": {"partecipazione", "bilancio"}},
		Language:           []string{"it"},
		Spatial:            []string{"IT"},
	}
	return entityObject(t, "https://comune.re.example:8443", "svc1", svc)
}

// newCorpusIndex opens an index in a temp dir over the corpus plus the
// Italian service, running until the test ends.
func newCorpusIndex(t *testing.T) (*Index, *fakeSource) {
	t.Helper()
	src := newFakeSource("e1")
	src.put(corpusObjects(t)...)
	src.put(italianService(t))
	ix := openIndex(t, t.TempDir(), nil)
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	runIndex(t, ix, src)
	return ix, src
}
