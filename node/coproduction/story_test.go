package coproduction

import (
	"encoding/json"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

func finishedProcess() *cp.Process {
	return &cp.Process{IRI: "https://re.example/processes/01M985AAAAAAAAAAAAAAAAAAAA", Host: "https://re.example", Name: "Gardens",
		Aim: "Gardens for all", Languages: []string{"it"}, Governance: cp.GovernmentPlusCitizen, Status: cp.Finished,
		Participants: []*cp.Participant{
			{Entity: "https://re.example", Name: "Reggio", Role: cp.Initiator, Membership: cp.Active},
			{Entity: "https://civic.example", Role: cp.CoProducer, Membership: cp.Active},
			{Entity: "https://gone.example", Role: cp.CoProducer, Membership: cp.Removed},
		},
		Story: &cp.Story{Title: "Orti", Summary: "Quattro orti", Results: "Aperti", Materials: []string{"https://f.example/a.pdf", "not a link"},
			Service: "coproduced-01m985aaaaaaaaaaaaaaaaaaaa", Interlinkers: []string{"https://re.example/objects/1"}}}
}

func TestStoryOf(t *testing.T) {
	p := finishedProcess()
	h := []TimelineItem{{Seq: 1, Op: cp.OpCreate, Author: "https://re.example", Person: "anna"},
		{Seq: 2, Op: cp.OpInvite, Author: "https://re.example", Person: "anna"},
		{Seq: 3, Op: cp.OpJoin, Author: "https://civic.example"},
		{Seq: 4, Op: cp.OpUpdateTask, Author: "https://civic.example", Person: "marco"},
		{Seq: 5, Op: cp.OpUpdateTask, Author: "https://civic.example", Person: "marco"},
		{Seq: 6, Op: cp.OpAddTask, Author: "https://gone.example"},
		{Seq: 7, Op: cp.OpFinish, Author: "https://re.example", Person: "luca"}}
	st := storyOf(p, h, p.Story.Service)
	if err := st.Validate(); err != nil {
		t.Fatalf("the drafted story is invalid: %v", err)
	}
	if st.Key != "story-01m985aaaaaaaaaaaaaaaaaaaa" || st.Process != p.IRI || st.Title["it"] != "Orti" || st.Objectives["it"] != "Gardens for all" ||
		st.Governance != "government-plus-citizen" || len(st.Materials) != 1 || st.Lessons != nil {
		t.Fatalf("story = %+v", st)
	}
	if len(st.Participants) != 2 || st.Participants[0].Organisation != "https://re.example" || st.Participants[0].Role != "initiator" {
		t.Fatalf("participants = %+v", st.Participants)
	}
	re, civic := st.Participants[0].Contributions, st.Participants[1].Contributions
	if len(re) != 2 || re[0].Person != "anna" || re[0].Changes != 2 || re[0].Kinds["invite"] != 1 || re[1].Person != "luca" ||
		len(civic) != 2 || civic[1].Person != "marco" || civic[1].Kinds["update-task"] != 2 {
		t.Fatalf("contributions = %+v / %+v", re, civic)
	}
}

func TestSameStory(t *testing.T) {
	p := finishedProcess()
	want := storyOf(p, nil, p.Story.Service)
	enc := func(mut func(s *protocol.Story)) json.RawMessage {
		s := storyOf(p, nil, p.Story.Service)
		mut(s)
		b, err := protocol.EncodeEntity(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		body json.RawMessage
		want bool
	}{
		{"the same", enc(func(*protocol.Story) {}), true},
		{"the service's IRI on the host", enc(func(s *protocol.Story) { s.Service = "https://re.example/objects/01SV" }), true},
		{"the service's IRI elsewhere", enc(func(s *protocol.Story) { s.Service = "https://evil.example/objects/01SV" }), false},
		{"another summary", enc(func(s *protocol.Story) { s.Summary["it"] = "Cinque orti" }), false},
		{"a participant dropped", enc(func(s *protocol.Story) { s.Participants = s.Participants[:1] }), false},
		{"contributions inflated", enc(func(s *protocol.Story) {
			s.Participants[0].Contributions = []protocol.StoryContribution{{Person: "anna", Changes: 99}}
		}), false},
		{"a service, not a story", json.RawMessage(`{"type":"Rating","object":"https://a.example/o","organisation":"x","value":3}`), false},
		{"not an entity", json.RawMessage(`{}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameStory(tt.body, want, p.Host); got != tt.want {
				t.Fatalf("sameStory = %v, want %v", got, tt.want)
			}
		})
	}
}
