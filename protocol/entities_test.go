package protocol

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestInterlinkerValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ā", n) }
	tests := []struct {
		name   string
		mutate func(i *Interlinker)
		want   []failure
	}{
		{"valid", func(*Interlinker) {}, nil},
		{"minimal", func(i *Interlinker) {
			*i = Interlinker{Type: KindInterlinker, Key: "k", Nature: NatureSoftware, Name: Text{"en": "n"}, Description: Text{"lv": "d"}}
		}, nil},
		{"type missing", func(i *Interlinker) { i.Type = "" }, []failure{{"type", "required"}}},
		{"type wrong", func(i *Interlinker) { i.Type = KindRating }, []failure{{"type", "enum"}}},
		{"key missing", func(i *Interlinker) { i.Key = "" }, []failure{{"key", "required"}}},
		{"key not a slug", func(i *Interlinker) { i.Key = "business model" }, []failure{{"key", "slug"}}},
		{"key too long", func(i *Interlinker) { i.Key = strings.Repeat("k", MaxKeyLength+1) }, []failure{{"key", "slug"}}},
		{"nature missing", func(i *Interlinker) { i.Nature = "" }, []failure{{"nature", "required"}}},
		{"nature unknown", func(i *Interlinker) { i.Nature = "hardware" }, []failure{{"nature", "enum"}}},
		{"name missing", func(i *Interlinker) { i.Name = nil }, []failure{{"name", "required"}}},
		{"name all blank", func(i *Interlinker) { i.Name = Text{"en": "", "es": " "} }, []failure{{"name", "required"}}},
		{"name one blank ok", func(i *Interlinker) { i.Name["es"] = "" }, nil},
		{"name too long", func(i *Interlinker) { i.Name["lv"] = long(MaxNameRunes + 1) }, []failure{{"name.lv", "max_length"}}},
		{"name max ok", func(i *Interlinker) { i.Name["lv"] = long(MaxNameRunes) }, nil},
		{"name bad tag", func(i *Interlinker) { i.Name["english"] = "x" }, []failure{{"name.english", "bcp47"}}},
		{"name bad utf8", func(i *Interlinker) { i.Name["en"] = "\xff" }, []failure{{"name.en", "utf8"}}},
		{"description missing", func(i *Interlinker) { i.Description = Text{} }, []failure{{"description", "required"}}},
		{"description too long", func(i *Interlinker) { i.Description["it"] = strings.Repeat("a", MaxDescriptionBytes+1) },
			[]failure{{"description.it", "max_length"}}},
		{"description max ok", func(i *Interlinker) { i.Description["it"] = strings.Repeat("a", MaxDescriptionBytes) }, nil},
		{"description counts bytes", func(i *Interlinker) { i.Description["lv"] = long(MaxDescriptionBytes/2 + 1) },
			[]failure{{"description.lv", "max_length"}}},
		{"tags bad tag", func(i *Interlinker) { i.Tags["en_US"] = []string{"x"} }, []failure{{"tags.en_US", "bcp47"}}},
		{"tags empty item", func(i *Interlinker) { i.Tags["en"] = []string{"a", ""} }, []failure{{"tags.en[1]", "required"}}},
		{"difficulty", func(i *Interlinker) { i.Difficulty = "hard" }, []failure{{"difficulty", "enum"}}},
		{"scopes", func(i *Interlinker) { i.AdministrativeScopes = []string{"eu", "planet", ""} },
			[]failure{{"administrative_scopes[1]", "enum"}, {"administrative_scopes[2]", "required"}}},
		{"licence", func(i *Interlinker) { i.LicenceCategory = "MIT" }, []failure{{"licence_category", "enum"}}},
		{"licence proprietary", func(i *Interlinker) { i.LicenceCategory = "proprietary" }, nil},
		{"targets lenient", func(i *Interlinker) { i.Targets = []string{"anything;goes"} }, nil},
		{"targets control", func(i *Interlinker) { i.Targets = []string{"all\x07"} }, []failure{{"targets[0]", "control_char"}}},
		{"types control", func(i *Interlinker) { i.Types = []string{"a\nb"} }, []failure{{"types[0]", "control_char"}}},
		{"form control", func(i *Interlinker) { i.Form = "x\x1b" }, []failure{{"form", "control_char"}}},
		{"format control", func(i *Interlinker) { i.Format = "\u0085pdf" }, []failure{{"format", "control_char"}}},
		{"problem profiles", func(i *Interlinker) { i.ProblemProfiles = []string{"ok", "not ok", ""} },
			[]failure{{"problem_profiles[1]", "slug"}, {"problem_profiles[2]", "required"}}},
		{"languages", func(i *Interlinker) { i.Languages = []string{"en", "en_US"} }, []failure{{"languages[1]", "bcp47"}}},
		{"instructions too long", func(i *Interlinker) { i.Instructions["en"] = strings.Repeat("a", MaxInstructionsBytes+1) },
			[]failure{{"instructions.en", "max_length"}}},
		{"instructions max ok", func(i *Interlinker) { i.Instructions["en"] = strings.Repeat("a", MaxInstructionsBytes) }, nil},
		{"uri not a url", func(i *Interlinker) { i.URI["en"] = "www.example.org" }, []failure{{"uri.en", "url"}}},
		{"file newline", func(i *Interlinker) { i.File["en"] = "a\nb" }, []failure{{"file.en", "control_char"}}},
		{"overview bad tag", func(i *Interlinker) { i.OverviewText[""] = "x" }, []failure{{`overview_text[""]`, "bcp47"}}},
		{"integration not an object", func(i *Interlinker) { i.Integration = json.RawMessage(`[1]`) }, []failure{{"integration", "type"}}},
		{"integration invalid", func(i *Interlinker) { i.Integration = json.RawMessage(`{`) }, []failure{{"integration", "format"}}},
		{"publiccode", func(i *Interlinker) { i.PublicCode = &PublicCodeInfo{URL: "git@github.com:x/y"} },
			[]failure{{"publiccode.publiccode_yml_version", "required"}, {"publiccode.url", "url"}}},
		{"many at once", func(i *Interlinker) { i.Key = ""; i.Difficulty = "x"; i.Name = nil },
			[]failure{{"key", "required"}, {"name", "required"}, {"difficulty", "enum"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := validInterlinker()
			tt.mutate(it)
			if got := failures(t, it.Validate()); !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInterlinkerIndex(t *testing.T) {
	it := validInterlinker()
	doc := it.Index()
	if doc.Nature != "knowledge" || doc.LicenceCategory != "proprietary" {
		t.Errorf("nature %q licence %q, want knowledge, proprietary (the misspelling normalised)", doc.Nature, doc.LicenceCategory)
	}
	if !slices.Equal(doc.ProblemProfiles, []string{"SUS_PROBLEM_1", "ORG_PROBLEM_6.1"}) {
		t.Errorf("problem profiles %v, want de-duplicated in order", doc.ProblemProfiles)
	}
	if !slices.Equal(doc.Scopes, []string{"eu", "regional"}) || !slices.Equal(doc.Languages, []string{"lv", "en", "es", "it"}) {
		t.Errorf("scopes %v languages %v", doc.Scopes, doc.Languages)
	}
	if doc.Name["lv"] != it.Name["lv"] || doc.Description["it"] != it.Description["it"] || doc.Tags["en"][1] != "canvas" {
		t.Errorf("name/description/tags not projected: %+v", doc)
	}
	if it.Kind() != KindInterlinker || it.NaturalKey() != "business_model_canvas" {
		t.Errorf("kind %q key %q", it.Kind(), it.NaturalKey())
	}
	it.Languages = nil
	if got := it.Index().Languages; !slices.Equal(got, []string{"en", "es", "it", "lv"}) {
		t.Errorf("languages without a list = %v, want those of name and description", got)
	}
	doc.ProblemProfiles[0] = "changed"
	if it.ProblemProfiles[0] != "SUS_PROBLEM_1" {
		t.Error("Index aliases the interlinker's problem profiles")
	}
}

func TestProblemProfileValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *ProblemProfile)
		want   []failure
	}{
		{"valid", func(*ProblemProfile) {}, nil},
		{"no functionality", func(p *ProblemProfile) { p.Functionality = nil }, nil},
		{"type", func(p *ProblemProfile) { p.Type = KindInterlinker }, []failure{{"type", "enum"}}},
		{"key", func(p *ProblemProfile) { p.Key = "ORG PROBLEM" }, []failure{{"key", "slug"}}},
		{"name", func(p *ProblemProfile) { p.Name = nil }, []failure{{"name", "required"}}},
		{"description", func(p *ProblemProfile) { p.Description = Text{"en": ""} }, []failure{{"description", "required"}}},
		{"functionality tag", func(p *ProblemProfile) { p.Functionality["es_ES"] = "x" }, []failure{{"functionality.es_ES", "bcp47"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProblemProfile()
			tt.mutate(p)
			if got := failures(t, p.Validate()); !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v", got, tt.want)
			}
		})
	}
	p := validProblemProfile()
	if p.NaturalKey() != "ORG_PROBLEM_6.1" || !slices.Equal(p.Index().Languages, []string{"en", "es", "it", "lv"}) {
		t.Errorf("key %q index %+v", p.NaturalKey(), p.Index())
	}
}

func TestSchemaValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *CoproductionSchema)
		want   []failure
	}{
		{"valid", func(*CoproductionSchema) {}, nil},
		{"type", func(s *CoproductionSchema) { s.Type = "" }, []failure{{"type", "required"}}},
		{"licence alias", func(s *CoproductionSchema) { s.LicenceCategory = "propietary" }, nil},
		{"licence", func(s *CoproductionSchema) { s.LicenceCategory = "gpl" }, []failure{{"licence_category", "enum"}}},
		{"task key", func(s *CoproductionSchema) { s.Phases[1].Objectives[0].Tasks[0].Key = "" },
			[]failure{{"phases[1].objectives[0].tasks[0].key", "required"}}},
		{"task name", func(s *CoproductionSchema) { s.Phases[0].Objectives[0].Tasks[1].Name = nil },
			[]failure{{"phases[0].objectives[0].tasks[1].name", "required"}}},
		{"duplicate key across levels", func(s *CoproductionSchema) { s.Phases[1].Objectives[0].Tasks[0].Key = "objective-identify" },
			[]failure{{"phases[1].objectives[0].tasks[0].key", "duplicate"}}},
		{"duplicate phase key", func(s *CoproductionSchema) {
			s.Phases[1].Key = "phase-engage"
			s.Phases[1].Prerequisites = nil
		}, []failure{{"phases[1].key", "duplicate"}}},
		{"unknown prerequisite", func(s *CoproductionSchema) { s.Phases[1].Objectives[0].Prerequisites[0].Item = "objective-nowhere" },
			[]failure{{"phases[1].objectives[0].prerequisites[0].item", "reference"}}},
		{"empty prerequisite", func(s *CoproductionSchema) { s.Phases[1].Prerequisites[0].Item = "" },
			[]failure{{"phases[1].prerequisites[0].item", "required"}}},
		{"self prerequisite", func(s *CoproductionSchema) {
			s.Phases[0].Objectives[0].Tasks[0].Prerequisites = []Prerequisite{{Item: "task-understand", Type: "previous"}}
		}, []failure{{"phases[0].objectives[0].tasks[0].prerequisites[0].item", "cycle"}}},
		{"cycle", func(s *CoproductionSchema) {
			s.Phases[0].Prerequisites = []Prerequisite{{Item: "phase-design", Status: "finished"}}
		}, []failure{{"phases[1].prerequisites[0].item", "cycle"}}},
		{"problem profile", func(s *CoproductionSchema) { s.Phases[0].Objectives[0].Tasks[0].ProblemProfiles[1] = "bad key" },
			[]failure{{"phases[0].objectives[0].tasks[0].problem_profiles[1]", "slug"}}},
		{"prerequisite type control", func(s *CoproductionSchema) { s.Phases[1].Prerequisites[0].Status = "fin\nished" },
			[]failure{{"phases[1].prerequisites[0].status", "control_char"}}},
		{"too many phases", func(s *CoproductionSchema) { s.Phases = make([]Phase, MaxPhases+1) }, []failure{{"phases", "max_items"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSchema()
			tt.mutate(s)
			if got := failures(t, s.Validate()); !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSchemaTaskAndIndex(t *testing.T) {
	s := validSchema()
	task, ok := s.Task("task-brainstorm")
	if !ok || task.Key != "task-brainstorm" || !slices.Equal(task.ProblemProfiles, []string{"DEF_PROBLEM_6"}) {
		t.Fatalf("Task(task-brainstorm) = %+v, %v", task, ok)
	}
	task.ProblemProfiles = []string{"X"}
	if s.Phases[1].Objectives[0].Tasks[0].ProblemProfiles[0] != "X" {
		t.Error("Task does not point into the schema")
	}
	for _, k := range []string{"objective-ideate", "phase-design", "", "task-nowhere"} {
		if _, ok := s.Task(k); ok {
			t.Errorf("Task(%q) found a task", k)
		}
	}
	doc := validSchema().Index()
	want := []string{"UND_PROBLEM_2", "ORG_PROBLEM_4", "DEF_PROBLEM_3", "DEF_PROBLEM_6"}
	if !slices.Equal(doc.ProblemProfiles, want) {
		t.Errorf("problem profiles = %v, want the union %v", doc.ProblemProfiles, want)
	}
	if doc.LicenceCategory != "permissive" || doc.Name["lv"] == "" || doc.Tags["en"][0] != "default" {
		t.Errorf("index = %+v", doc)
	}
}

func TestAdoptionRatingValidate(t *testing.T) {
	tests := []struct {
		name string
		e    func() Entity
		want []failure
	}{
		{"adoption valid", func() Entity { return validAdoption() }, nil},
		{"adoption by name", func() Entity { a := validAdoption(); a.Organisation = "Ayuntamiento de Zaragoza"; return a }, nil},
		{"adoption minimal", func() Entity {
			return &Adoption{Type: KindAdoption, Object: "http://127.0.0.1:8080/objects/1", Organisation: "x"}
		}, nil},
		{"adoption object missing", func() Entity { a := validAdoption(); a.Object = ""; return a }, []failure{{"object", "required"}}},
		{"adoption object relative", func() Entity { a := validAdoption(); a.Object = "/objects/1"; return a }, []failure{{"object", "url"}}},
		{"adoption organisation missing", func() Entity { a := validAdoption(); a.Organisation = " "; return a }, []failure{{"organisation", "required"}}},
		{"adoption organisation bad iri", func() Entity { a := validAdoption(); a.Organisation = "ftp://x.example"; return a }, []failure{{"organisation", "url"}}},
		{"adoption instance", func() Entity { a := validAdoption(); a.Instance = "urn:x"; return a }, []failure{{"instance", "url"}}},
		{"adoption since", func() Entity { a := validAdoption(); a.Since = "2024-13-01"; return a }, []failure{{"since", "format"}}},
		{"adoption since format", func() Entity { a := validAdoption(); a.Since = "23/01/2024"; return a }, []failure{{"since", "format"}}},
		{"adoption note tag", func() Entity { a := validAdoption(); a.Note["xx_YY"] = "x"; return a }, []failure{{"note.xx_YY", "bcp47"}}},
		{"adoption type", func() Entity { a := validAdoption(); a.Type = KindRating; return a }, []failure{{"type", "enum"}}},
		{"rating valid", func() Entity { return validRating() }, nil},
		{"rating 1", func() Entity { r := validRating(); r.Value = 1; return r }, nil},
		{"rating 5", func() Entity { r := validRating(); r.Value = 5; return r }, nil},
		{"rating 0", func() Entity { r := validRating(); r.Value = 0; return r }, []failure{{"value", "range"}}},
		{"rating 6", func() Entity { r := validRating(); r.Value = 6; return r }, []failure{{"value", "range"}}},
		{"rating object", func() Entity { r := validRating(); r.Object = "x"; return r }, []failure{{"object", "url"}}},
		{"rating comment", func() Entity { r := validRating(); r.Comment["en"] = "\x00"; return r }, []failure{{"comment.en", "control_char"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failures(t, tt.e().Validate()); !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v", got, tt.want)
			}
		})
	}
	a, r := validAdoption(), validRating()
	if a.NaturalKey() != "" || r.NaturalKey() != "" {
		t.Error("adoptions and ratings have a natural key")
	}
	if a.Index().Target != a.Object || r.Index().Target != r.Object {
		t.Error("Index().Target is not the object's IRI")
	}
}
