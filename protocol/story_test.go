package protocol

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func validStory() *Story {
	return &Story{
		Type: KindStory, Key: "story-01m985", Title: Text{"it": "Orti condivisi", "en": "Shared gardens"},
		Summary:    Text{"en": "Neighbours and the municipality run the gardens together."},
		Objectives: Text{"en": "Give every district a garden."}, Results: Text{"en": "Four gardens open."},
		Lessons:   Text{"en": "Start with the neighbours."},
		Materials: []string{"https://reggio.example/files/plan.pdf"},
		Process:   "https://reggio.example/processes/01M985", Service: "coproduced-01m985",
		Governance: "government-plus-citizen", Languages: []string{"it", "en"},
		Tags: TextList{"en": {"gardens"}},
		Participants: []StoryParticipant{
			{Organisation: "https://reggio.example", Name: "Reggio Emilia", Role: "initiator",
				Contributions: []StoryContribution{{Person: "anna", Changes: 3, Kinds: map[string]int{"create": 1, "invite": 2}}}},
			{Organisation: "https://civic.example", Role: "co-producer"},
		},
		Interlinkers: []string{"https://reggio.example/objects/01IL"},
	}
}

func TestStoryValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Story)
		want   []failure
	}{
		{"valid", func(*Story) {}, nil},
		{"minimal", func(s *Story) {
			*s = Story{Type: KindStory, Key: "s", Title: Text{"en": "t"}, Summary: Text{"lv": "s"},
				Process: "https://a.example/processes/1", Participants: []StoryParticipant{{Organisation: "https://a.example", Role: "initiator"}}}
		}, nil},
		{"type", func(s *Story) { s.Type = KindRating }, []failure{{"type", "enum"}}},
		{"key missing", func(s *Story) { s.Key = "" }, []failure{{"key", "required"}}},
		{"key not a slug", func(s *Story) { s.Key = "a story" }, []failure{{"key", "slug"}}},
		{"title missing", func(s *Story) { s.Title = nil }, []failure{{"title", "required"}}},
		{"title too long", func(s *Story) { s.Title["en"] = strings.Repeat("t", MaxNameRunes+1) }, []failure{{"title.en", "max_length"}}},
		{"summary missing", func(s *Story) { s.Summary = Text{"en": " "} }, []failure{{"summary", "required"}}},
		{"results tag", func(s *Story) { s.Results["en_GB"] = "x" }, []failure{{"results.en_GB", "bcp47"}}},
		{"lessons too long", func(s *Story) { s.Lessons["en"] = strings.Repeat("a", MaxDescriptionBytes+1) }, []failure{{"lessons.en", "max_length"}}},
		{"objectives control", func(s *Story) { s.Objectives["en"] = "a\x00" }, []failure{{"objectives.en", "control_char"}}},
		{"material not a link", func(s *Story) { s.Materials = append(s.Materials, "plan.pdf") }, []failure{{"materials[1]", "url"}}},
		{"material twice", func(s *Story) { s.Materials = append(s.Materials, s.Materials[0]) }, []failure{{"materials[1]", "unique"}}},
		{"process missing", func(s *Story) { s.Process = "" }, []failure{{"process", "required"}}},
		{"process not a url", func(s *Story) { s.Process = "urn:process:1" }, []failure{{"process", "url"}}},
		{"service iri", func(s *Story) { s.Service = "https://reggio.example/objects/01SV" }, nil},
		{"service bad iri", func(s *Story) { s.Service = "ftp://reggio.example/x" }, []failure{{"service", "url"}}},
		{"service control", func(s *Story) { s.Service = "a\nb" }, []failure{{"service", "control_char"}}},
		{"governance", func(s *Story) { s.Governance = "anarchy" }, []failure{{"governance", "enum"}}},
		{"languages", func(s *Story) { s.Languages = []string{"en", "english"} }, []failure{{"languages[1]", "bcp47"}}},
		{"tags", func(s *Story) { s.Tags["en"] = append(s.Tags["en"], "") }, []failure{{"tags.en[1]", "required"}}},
		{"no participants", func(s *Story) { s.Participants = nil }, []failure{{"participants", "required"}}},
		{"participant not a url", func(s *Story) { s.Participants[1].Organisation = "civic" }, []failure{{"participants[1].organisation", "url"}}},
		{"participant twice", func(s *Story) { s.Participants[1].Organisation = s.Participants[0].Organisation },
			[]failure{{"participants[1].organisation", "unique"}}},
		{"participant role", func(s *Story) { s.Participants[1].Role = "boss" }, []failure{{"participants[1].role", "enum"}}},
		{"participant role missing", func(s *Story) { s.Participants[1].Role = "" }, []failure{{"participants[1].role", "required"}}},
		{"contribution negative", func(s *Story) { s.Participants[0].Contributions[0].Changes = -1 },
			[]failure{{"participants[0].contributions[0].changes", "range"}}},
		{"contribution kind", func(s *Story) { s.Participants[0].Contributions[0].Kinds["bad kind"] = 1 },
			[]failure{{"participants[0].contributions[0].kinds.bad kind", "slug"}}},
		{"contribution kind negative", func(s *Story) { s.Participants[0].Contributions[0].Kinds["invite"] = -2 },
			[]failure{{"participants[0].contributions[0].kinds.invite", "range"}}},
		{"interlinker not a url", func(s *Story) { s.Interlinkers = []string{"business_model_canvas"} }, []failure{{"interlinkers[0]", "url"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validStory()
			tt.mutate(s)
			if got := failures(t, s.Validate()); !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStoryIndexAndKey(t *testing.T) {
	s := validStory()
	if s.NaturalKey() != "story-01m985" || s.Kind() != KindStory || KeyField(KindStory) != "key" {
		t.Fatalf("key %q kind %q", s.NaturalKey(), s.Kind())
	}
	if !slices.Contains(Kinds, KindStory) {
		t.Fatal("Kinds lacks Story")
	}
	doc := s.Index()
	if doc.Name["it"] != "Orti condivisi" || doc.Target != "" {
		t.Errorf("index = %+v", doc)
	}
	for _, w := range []string{"Neighbours", "every district", "Four gardens", "neighbours."} {
		if !strings.Contains(doc.Description["en"], w) {
			t.Errorf("description %q lacks %q", doc.Description["en"], w)
		}
	}
	if !slices.Contains(doc.Tags["en"], "government-plus-citizen") || !slices.Contains(doc.Tags["en"], "gardens") ||
		!slices.Contains(doc.Tags["it"], "government-plus-citizen") {
		t.Errorf("tags = %v", doc.Tags)
	}
	if len(s.Tags["en"]) != 1 {
		t.Errorf("Index changed the story's own tags: %v", s.Tags)
	}
	if !slices.Equal(doc.Languages, []string{"it", "en"}) {
		t.Errorf("languages = %v", doc.Languages)
	}
	var c Coproduced = s
	if !slices.Equal(c.Coproducers(), []string{"https://reggio.example", "https://civic.example"}) {
		t.Errorf("coproducers = %v", c.Coproducers())
	}
}

func TestStoryDecodeStrict(t *testing.T) {
	raw, err := EncodeEntity(validStory())
	if err != nil {
		t.Fatal(err)
	}
	e, err := DecodeEntity(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if e.(*Story).Participants[0].Contributions[0].Kinds["invite"] != 2 {
		t.Fatalf("decoded %+v", e)
	}
	for name, tc := range map[string]struct{ raw, field, rule string }{
		"unknown field": {`{"type":"Story","key":"s","title":{"en":"t"},"summary":{"en":"s"},"process":"https://a.example/p","participants":[{"organisation":"https://a.example","role":"initiator"}],"colour":"red"}`, "colour", "unknown_field"},
		"wrong type":    {`{"type":"Story","key":"s","title":{"en":"t"},"summary":{"en":"s"},"process":"https://a.example/p","participants":[{"organisation":"https://a.example","role":"initiator","contributions":[{"changes":"3"}]}]}`, "participants[0].contributions[0].changes", "type"},
		"duplicate key": {`{"type":"Story","key":"s","key":"t","title":{"en":"t"},"summary":{"en":"s"},"process":"https://a.example/p","participants":[{"organisation":"https://a.example","role":"initiator"}]}`, "key", "duplicate_key"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeEntity([]byte(tc.raw))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v", err)
			}
			for _, fe := range ve.Errors {
				if fe.Field == tc.field && fe.Rule == tc.rule {
					return
				}
			}
			t.Fatalf("failures %v lack %s %s", ve.Errors, tc.field, tc.rule)
		})
	}
}
