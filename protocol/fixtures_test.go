package protocol

import "encoding/json"

// Test fixtures: valid entities with text in the four INTERLINK languages.

func ptr[T any](v T) *T { return &v }

func validInterlinker() *Interlinker {
	return &Interlinker{
		Type:   KindInterlinker,
		Key:    "business_model_canvas",
		Nature: NatureKnowledge,
		Name: Text{
			"en": "Business Model Canvas",
			"es": "Lienzo del modelo de negocio",
			"it": "Canvas del modello di business",
			"lv": "Biznesa modeļa plānošanas rīks",
		},
		Description: Text{
			"en": "This canvas can be used collaboratively.",
			"es": "Este lienzo puede utilizarse de forma colaborativa.",
			"it": "Questo canvas può essere utilizzato in modo collaborativo.",
			"lv": "Šis audekls var tikt lietots sadarbībai.",
		},
		Tags:                         TextList{"en": {"model", "canvas"}, "lv": {"modelis"}},
		Difficulty:                   "easy",
		Targets:                      []string{"all", "all;pas"},
		Types:                        []string{"enhancing_services", "enhancing_services:external_experts"},
		AdministrativeScopes:         []string{"eu", "regional"},
		Form:                         "document_template",
		Format:                       "sofware",
		LicenceCategory:              "propietary",
		SPDXLicence:                  "EUPL-1.2",
		ProblemProfiles:              []string{"SUS_PROBLEM_1", "ORG_PROBLEM_6.1", "SUS_PROBLEM_1"},
		Languages:                    []string{"lv", "en", "es", "it"},
		Environments:                 []string{"varam", "mef", "zgz"},
		Instructions:                 Text{"en": "# How to\n\nUse it.\n", "it": "# Come\n\nUsalo.\n"},
		ConstraintsAndLimitations:    Text{"en": "None", "es": ""},
		RegulationsAndStandards:      Text{"en": ""},
		AssetName:                    Text{"en": "Canvas"},
		OverviewText:                 Text{"en": "Overview", "es": "Resumen"},
		File:                         Text{"en": "./interlinkers/knowledge/BMC/resource.pptx"},
		URI:                          Text{"en": "https://example.org/bmc", "es": ""},
		SoftwareInterlinker:          "googledrive",
		Logotype:                     "./interlinkers/knowledge/BMC/logo.png",
		IsSustainabilityRelated:      true,
		IsResponsive:                 ptr(false),
		SupportsInternationalization: ptr(true),
		SupportedBy:                  []string{"saas"},
		Integration:                  json.RawMessage(`{"auth_method":"cookie","capabilities":{"clone":true}}`),
		PublicCode:                   &PublicCodeInfo{Version: "0.4", URL: "https://github.com/example/bmc"},
	}
}

func validProblemProfile() *ProblemProfile {
	return &ProblemProfile{
		Type: KindProblemProfile,
		Key:  "ORG_PROBLEM_6.1",
		Name: Text{
			"en": "Define the aim",
			"es": "Definir el objetivo",
			"it": "Definire l'obiettivo",
			"lv": "Definēt mērķi",
		},
		Description: Text{
			"en": "This problem refers to the need to support the initiators.",
			"es": "Este problema se refiere a la necesidad de apoyar.",
			"it": "Questo problema si riferisce alla necessità di supportare.",
			"lv": "Šī problēma attiecas uz nepieciešamību atbalstīt.",
		},
		Functionality: Text{"en": "A template would help:\n- a list", "es": "Una plantilla"},
	}
}

func validSchema() *CoproductionSchema {
	txt := func(en string) Text {
		return Text{"en": en, "es": en + " (es)", "it": en + " (it)", "lv": en + " (lv)"}
	}
	return &CoproductionSchema{
		Type:            KindCoproductionSchema,
		Key:             "default",
		Name:            Text{"en": "Default schema", "es": "Esquema por defecto", "it": "Processo predefinito", "lv": "Noklusējuma shēma"},
		Description:     txt("The INTERLINK process"),
		Tags:            TextList{"en": {"default", "coproduction"}},
		Author:          "",
		LicenceCategory: "permissive",
		Languages:       []string{"en", "es", "it", "lv"},
		Environments:    []string{"varam", "mef", "zgz"},
		Phases: []Phase{
			{
				Key: "phase-engage", Name: txt("Engage"), Description: txt("Engage them"),
				Prerequisites: nil, IsPartOfCodelivery: false,
				Objectives: []Objective{{
					Key: "objective-identify", Name: txt("Identify"), Description: txt("Identify stakeholders"),
					ProblemProfiles: []string{"UND_PROBLEM_2"},
					Tasks: []Task{
						{Key: "task-understand", Name: txt("Understand"), ProblemProfiles: []string{"UND_PROBLEM_2", "ORG_PROBLEM_4"}},
						{Key: "task-map", Name: txt("Map"), Prerequisites: []Prerequisite{{Item: "task-understand", Type: "previous"}}},
					},
				}},
			},
			{
				Key: "phase-design", Name: txt("Design"), Description: txt("Design it"),
				Prerequisites: []Prerequisite{{Item: "phase-engage", Status: "finished"}}, IsPartOfCodelivery: true,
				Objectives: []Objective{{
					Key: "objective-ideate", Name: txt("Ideate"),
					ProblemProfiles: []string{"ORG_PROBLEM_4", "DEF_PROBLEM_3"},
					Prerequisites:   []Prerequisite{{Item: "objective-identify", Type: "previous"}},
					Tasks: []Task{
						{Key: "task-brainstorm", Name: txt("Brainstorm"), Description: txt("Organise one"), ProblemProfiles: []string{"DEF_PROBLEM_6"}},
					},
				}},
			},
		},
	}
}

func validAdoption() *Adoption {
	return &Adoption{
		Type:         KindAdoption,
		Object:       "https://node.example.it/objects/01JD0000000000000000000000",
		Organisation: "https://zaragoza.example.es/actor",
		Instance:     "https://zaragoza.example.es/objects/01JD0000000000000000000001",
		Note: Text{
			"en": "We run it for our citizens",
			"es": "Lo usamos para nuestra ciudadanía",
			"it": "Lo usiamo per i cittadini",
			"lv": "Mēs to izmantojam iedzīvotājiem",
		},
		Since: "2024-01-23",
	}
}

func validRating() *Rating {
	return &Rating{
		Type:         KindRating,
		Object:       "https://node.example.it/objects/01JD0000000000000000000000",
		Organisation: "Comune di Reggio Emilia",
		Value:        4,
		Comment: Text{
			"en": "Useful",
			"es": "Útil",
			"it": "Utile",
			"lv": "Noderīgs",
		},
	}
}
