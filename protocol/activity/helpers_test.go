package activity

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The node the tests render for, and fixed ULIDs and times.
var (
	testBase = "https://reggioemilia.interlink.example"
	t0       = time.Date(2024, 3, 14, 9, 26, 53, 589793000, time.UTC)
	t1       = time.Date(2024, 5, 2, 16, 4, 11, 0, time.UTC)
)

const (
	ulidObject   = "01HQ7Z8X9Y0ABCDEFGHJKMNPQR"
	ulidActivity = "01HX2B3C4D5E6F7G8H9J0KMNPQ"
	ulidFollow   = "01HX2B3C4D5E6F7G8H9J0KMNPR"
)

func testURIs() protocol.URIs { return protocol.NewURIs(testBase) }

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// golden compares got (compact JSON) with testdata/golden/name, stored
// indented; -update rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var ind bytes.Buffer
	if err := json.Indent(&ind, got, "", "  "); err != nil {
		t.Fatalf("%s: output is not JSON: %v\n%s", name, err, got)
	}
	ind.WriteByte('\n')
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(file, ind.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(ind.Bytes(), want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, ind.Bytes(), want)
	}
	// The golden file, compacted, is the exact output.
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(compact.Bytes(), got) {
		t.Errorf("%s: the compacted golden file is not the exact output", name)
	}
}

// body validates e and returns its canonical JSON.
func body(t testing.TB, e protocol.Entity) json.RawMessage {
	t.Helper()
	if err := e.Validate(); err != nil {
		t.Fatalf("fixture %s: %v", e.Kind(), err)
	}
	b, err := protocol.EncodeEntity(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stored wraps an entity as version v of object ulid of the test node.
func stored(t testing.TB, ulid string, e protocol.Entity, version uint64, created, updated time.Time) protocol.Object {
	t.Helper()
	u := testURIs()
	return protocol.Object{
		Meta: protocol.Meta{IRI: u.Object(ulid), ID: ulid, Type: e.Kind(), Version: version, Origin: u.Base(),
			Key: e.NaturalKey(), Created: created, Updated: updated},
		Body: body(t, e),
	}
}

// tombstone is the deleted version of o.
func tombstone(o protocol.Object, at time.Time) protocol.Object {
	o.Version++
	o.Updated = at
	o.Deleted = true
	o.Body = nil
	return o
}

func ptr[T any](v T) *T { return &v }

// participatoryCanvas is a realistic interlinker in the four INTERLINK
// languages, with HTML in one description and an external URI.
func participatoryCanvas() *protocol.Interlinker {
	return &protocol.Interlinker{
		Type:   protocol.KindInterlinker,
		Key:    "participatory_budgeting_canvas",
		Nature: protocol.NatureExternalKnowledge,
		Name: protocol.Text{
			"en": "Participatory Budgeting Canvas",
			"es": "Lienzo de presupuestos participativos",
			"it": "Canvas per il bilancio partecipativo",
			"lv": "Līdzdalības budžeta plānošanas audekls",
		},
		Description: protocol.Text{
			"en": "<p>A one-page canvas to plan a participatory budgeting cycle with residents: goals, budget, phases & voting rules.</p><p>Use it in a workshop.</p>",
			"es": "Un lienzo de una página para planificar un ciclo de presupuestos participativos con la ciudadanía: objetivos, presupuesto, fases y reglas de votación.",
			"it": "Un canvas di una pagina per pianificare un ciclo di bilancio partecipativo con i cittadini: obiettivi, budget, fasi e regole di voto.",
			"lv": "Vienas lappuses audekls līdzdalības budžeta cikla plānošanai kopā ar iedzīvotājiem: mērķi, budžets, posmi un balsošanas noteikumi.",
		},
		Tags:                 protocol.TextList{"en": {"participation", "budget", "co-production"}, "it": {"partecipazione", "bilancio"}, "lv": {"līdzdalība"}},
		Difficulty:           "medium",
		Targets:              []string{"all;pas"},
		Types:                []string{"enhancing_services"},
		AdministrativeScopes: []string{"local", "regional"},
		Form:                 "canvas",
		Format:               "editable_source_document",
		LicenceCategory:      "permissive",
		SPDXLicence:          "CC-BY-4.0",
		ProblemProfiles:      []string{"ORG_PROBLEM_6.1"},
		Languages:            []string{"en", "es", "it", "lv"},
		URI:                  protocol.Text{"en": "https://participation.example.org/canvas", "it": "https://participation.example.org/it/canvas"},
		IsResponsive:         ptr(true),
	}
}

func sampleService() *protocol.PublicService {
	return &protocol.PublicService{
		Type: protocol.KindPublicService, IRI: "https://www.comune.re.example/servizi/bonus-nido", Identifier: "bonus-nido",
		Title:              protocol.Text{"it": "Bonus nido", "en": "Nursery bonus"},
		Description:        protocol.Text{"it": "Contributo per la retta dell'asilo nido.", "en": "A contribution to nursery fees."},
		CompetentAuthority: testBase + "/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQS",
		Keywords:           protocol.TextList{"it": {"famiglia", "infanzia"}, "en": {"family"}},
		Language:           []string{"it", "en"},
		Spatial:            []string{"IT"},
		ProcessingTime:     "P30D",
		CoproducedBy:       []string{"https://civic.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQT"},
	}
}

func sampleOrganisation() *protocol.Organisation {
	return &protocol.Organisation{Type: protocol.KindOrganisation, Key: "c_h223",
		PrefLabel: protocol.Text{"it": "Comune di Reggio Emilia", "en": "Municipality of Reggio Emilia"},
		Spatial:   protocol.OrganisationSpatial{Country: "IT", Region: "Emilia-Romagna", Municipality: "Reggio Emilia"},
		OrgKind:   protocol.OrgPublicAdministration, Homepage: "https://www.comune.re.example"}
}

func sampleProblemProfile() *protocol.ProblemProfile {
	return &protocol.ProblemProfile{Type: protocol.KindProblemProfile, Key: "ORG_PROBLEM_6.1",
		Name:        protocol.Text{"en": "Define the aim", "es": "Definir el objetivo", "it": "Definire l'obiettivo", "lv": "Definēt mērķi"},
		Description: protocol.Text{"en": "The team needs a shared aim.", "lv": "Komandai vajag kopīgu mērķi."}}
}

func sampleSchema() *protocol.CoproductionSchema {
	txt := func(en string) protocol.Text { return protocol.Text{"en": en, "it": en + " (it)"} }
	return &protocol.CoproductionSchema{Type: protocol.KindCoproductionSchema, Key: "default",
		Name: txt("Default schema"), Description: txt("The INTERLINK process"), Tags: protocol.TextList{"en": {"default"}},
		Phases: []protocol.Phase{{Key: "phase-engage", Name: txt("Engage"),
			Objectives: []protocol.Objective{{Key: "objective-identify", Name: txt("Identify"),
				Tasks: []protocol.Task{{Key: "task-map", Name: txt("Map"), ProblemProfiles: []string{"ORG_PROBLEM_6.1"}}}}}}}}
}

func sampleAdoption() *protocol.Adoption {
	return &protocol.Adoption{Type: protocol.KindAdoption,
		Object:       "https://zaragoza.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQV",
		Organisation: testBase + "/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQS",
		Instance:     testBase + "/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQW",
		Note:         protocol.Text{"it": "Lo usiamo dal 2024.", "en": "We have run it since 2024."}, Since: "2024-01-23"}
}

func sampleRating() *protocol.Rating {
	return &protocol.Rating{Type: protocol.KindRating,
		Object:       "https://zaragoza.interlink.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQV",
		Organisation: "Comune di Reggio Emilia", Value: 4, Comment: protocol.Text{"it": "Utile", "lv": "Noderīgs"}}
}

// everyKind returns one valid entity of every kind.
func everyKind() []protocol.Entity {
	return []protocol.Entity{participatoryCanvas(), sampleService(), sampleOrganisation(), sampleProblemProfile(),
		sampleSchema(), sampleAdoption(), sampleRating(), sampleStory()}
}

func sampleStory() *protocol.Story {
	return &protocol.Story{Type: protocol.KindStory, Key: "story-01m985",
		Title:   protocol.Text{"it": "Orti condivisi di Santa Croce", "en": "Shared gardens of Santa Croce"},
		Summary: protocol.Text{"en": "Neighbours, a civic group and the municipality run four gardens together."},
		Process: testBase + "/processes/01M985", Service: testBase + "/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQX",
		Materials: []string{"https://files.example/plan.pdf"}, Governance: "government-plus-citizen",
		Participants: []protocol.StoryParticipant{{Organisation: testBase, Role: "initiator",
			Contributions: []protocol.StoryContribution{{Person: "anna", Changes: 2, Kinds: map[string]int{"create": 1, "finish": 1}}}}}}
}

// failsOn reports whether err carries a *protocol.ValidationError naming
// field (with rule, when rule is not "").
func failsOn(err error, field, rule string) bool {
	ve, ok := errors.AsType[*protocol.ValidationError](err)
	return ok && slices.ContainsFunc(ve.Errors, func(fe protocol.FieldError) bool {
		return fe.Field == field && (rule == "" || fe.Rule == rule)
	})
}

// decodeTree decodes JSON for assertions.
func decodeTree(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return m
}

// testULID returns a distinct valid ULID for each i ≥ 0.
func testULID(i int) string {
	const digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := []byte("01HQ7Z8X9Y0000000000000000")
	for p := len(b) - 1; i > 0; p-- {
		b[p] = digits[i%32]
		i /= 32
	}
	return string(b)
}
