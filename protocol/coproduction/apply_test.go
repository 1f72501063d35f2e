package coproduction

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// start makes a process hosted by host with one phase, objective and task,
// and co as an active co-producer.
func start(t *testing.T) (*log, org, org, org) {
	host, co, other := newOrg(t, "https://re.example"), newOrg(t, "https://civic.example"), newOrg(t, "https://zgz.example")
	l := newLog(t, host, verifier(host, co, other))
	l.must(host, Change{Op: OpCreate, Data: data(Init{Name: "Gardens", Governance: GovernmentPlusCitizen, Phases: []*Phase{
		{Key: "engage", Name: "Engage", Objectives: []*Objective{{Key: "map", Name: "Map", Tasks: []*Task{{Key: "survey", Name: "Survey"}}}}}}})})
	l.must(host, Change{Op: OpInvite, Data: data(Invite{Entity: co.id, Actor: co.id + "/actor"})})
	l.must(co, Change{Op: OpJoin})
	return l, host, co, other
}

func TestApplyRules(t *testing.T) {
	tests := []struct {
		name   string
		author int // 0 host, 1 co-producer, 2 outsider
		c      Change
		want   error
	}{
		{"co-producer adds a task", 1, Change{Op: OpAddTask, Item: "map", Data: data(Task{Key: "t2", Name: "Two"})}, nil},
		{"outsider adds a task", 2, Change{Op: OpAddTask, Item: "map", Data: data(Task{Key: "t2", Name: "Two"})}, ErrForbidden},
		{"co-producer invites", 1, Change{Op: OpInvite, Data: data(Invite{Entity: "https://x.example"})}, ErrForbidden},
		{"duplicate key", 0, Change{Op: OpAddTask, Item: "map", Data: data(Task{Key: "survey", Name: "Again"})}, ErrInvalid},
		{"task under a phase", 0, Change{Op: OpAddTask, Item: "engage", Data: data(Task{Key: "t3", Name: "Three"})}, ErrNotFound},
		{"stale update", 1, Change{Op: OpUpdateTask, Item: "survey", Base: 2, Data: data(map[string]any{"progress": 5})}, ErrStale},
		{"fresh update", 1, Change{Op: OpUpdateTask, Item: "survey", Base: 1, Data: data(map[string]any{"progress": 5})}, nil},
		{"progress out of range", 1, Change{Op: OpUpdateTask, Item: "survey", Data: data(map[string]any{"progress": 101})}, ErrInvalid},
		{"unknown field", 1, Change{Op: OpUpdateTask, Item: "survey", Data: json.RawMessage(`{"progres": 5}`)}, ErrInvalid},
		{"end before start", 1, Change{Op: OpUpdateTask, Item: "survey", Data: data(map[string]any{"start": "2026-05-02", "end": "2026-05-01"})}, ErrInvalid},
		{"outsider responsible", 1, Change{Op: OpUpdateTask, Item: "survey", Data: data(map[string]any{"responsible": "https://zgz.example"})}, ErrInvalid},
		{"asset link and file", 1, Change{Op: OpAddAsset, Item: "survey", Data: data(AssetData{ID: "a", Name: "A", Link: "https://x.example/a", Content: []byte("x")})}, ErrInvalid},
		{"asset wrong hash", 1, Change{Op: OpAddAsset, Item: "survey", Data: data(AssetData{ID: "a", Name: "A", Content: []byte("x"), SHA256: "00"})}, ErrInvalid},
		{"request a private process", 2, Change{Op: OpRequest, Data: data(Invite{Entity: "https://zgz.example"})}, ErrForbidden},
		{"join without invitation", 2, Change{Op: OpJoin}, ErrForbidden},
		{"remove the host", 0, Change{Op: OpRemove, Data: data(Member{Entity: "https://re.example"})}, ErrForbidden},
		{"finish without summary", 0, Change{Op: OpFinish, Data: data(Story{Title: "T"})}, ErrInvalid},
		{"finish with a material not a link", 0, Change{Op: OpFinish, Data: data(Story{Title: "T", Summary: "S", Materials: []string{"plan.pdf"}})}, ErrInvalid},
		{"finish with objectives and links", 0, Change{Op: OpFinish, Data: data(Story{Title: "T", Summary: "S", Objectives: "O",
			Materials: []string{"https://x.example/plan.pdf"}, Interlinkers: []string{"https://x.example/objects/1"}})}, nil},
		{"create twice", 0, Change{Op: OpCreate, Data: data(Init{Name: "X", Governance: CitizenToCitizen})}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, host, co, other := start(t)
			before, _ := json.Marshal(l.p)
			err := l.propose([]org{host, co, other}[tt.author], tt.c)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil {
				after, _ := json.Marshal(l.p)
				if !bytes.Equal(before, after) {
					t.Fatal("a refused change altered the state")
				}
			}
		})
	}
}

func TestRollUpAndContributions(t *testing.T) {
	l, host, co, _ := start(t)
	l.must(co, Change{Op: OpAddTask, Item: "map", Person: "anna", Data: data(Task{Key: "t2", Name: "Two"})})
	l.must(co, Change{Op: OpUpdateTask, Item: "survey", Data: data(map[string]any{"status": "finished", "progress": 100})})
	o := l.p.Phases[0].Objectives[0]
	if o.Progress != 50 || o.Status != InProgress || l.p.Phases[0].Status != InProgress {
		t.Fatalf("objective %d%% %s, phase %s", o.Progress, o.Status, l.p.Phases[0].Status)
	}
	l.must(co, Change{Op: OpUpdateTask, Item: "t2", Data: data(map[string]any{"status": "finished", "progress": 100})})
	if l.p.Phases[0].Status != Finished || l.p.Phases[0].Progress != 100 {
		t.Fatalf("phase %s %d%%", l.p.Phases[0].Status, l.p.Phases[0].Progress)
	}
	c := l.p.Contributions[2] // host; co without a person (join); co as anna
	if c.Participant != co.id || c.Person != "anna" || c.Changes != 1 || c.First != 4 || c.Ops[0] != OpAddTask {
		t.Fatalf("contribution %+v", c)
	}
	if c := l.p.Contributions[1]; c.Participant != co.id || c.Changes != 3 || len(c.Ops) != 2 {
		t.Fatalf("contribution %+v", c)
	}
	l.must(host, Change{Op: OpFinish, Data: data(Story{Title: "Gardens", Summary: "Done together"})})
	if err := l.propose(co, Change{Op: OpAddTask, Item: "map", Data: data(Task{Key: "t3", Name: "Late"})}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a change after finishing: %v", err)
	}
}

func TestRemovedParticipantIsRefused(t *testing.T) {
	l, host, co, _ := start(t)
	l.must(host, Change{Op: OpRemove, Data: data(Member{Entity: co.id})})
	if err := l.propose(co, Change{Op: OpUpdateTask, Item: "survey", Data: data(map[string]any{"progress": 5})}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a removed participant's change: %v", err)
	}
}

func TestBranchGrant(t *testing.T) {
	l, host, co, other := start(t)
	l.must(host, Change{Op: OpInvite, Data: data(Invite{Entity: other.id, Role: Observer})})
	l.must(other, Change{Op: OpJoin})
	edit := Change{Op: OpUpdateTask, Item: "survey", Data: data(map[string]any{"progress": 5})}
	if err := l.propose(other, edit); !errors.Is(err, ErrForbidden) {
		t.Fatalf("an observer edited a task: %v", err)
	}
	l.must(host, Change{Op: OpGrant, Data: data(GrantData{Entity: other.id, Grants: []Grant{{Scope: "map", Rights: []Right{See, EditTasks}}}})})
	l.must(other, edit)
	_ = co
}

func TestReplayAndTampering(t *testing.T) {
	l, _, co, _ := start(t)
	l.must(co, Change{Op: OpAddAsset, Item: "survey", Data: data(AssetData{ID: "form", Name: "Form", Content: []byte("q1\n")})})
	p, err := Replay(context.Background(), l.verify, l.process, l.entries)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(p)
	b, _ := json.Marshal(l.p)
	if !bytes.Equal(a, b) {
		t.Fatal("the replayed state differs")
	}
	tests := []struct {
		name    string
		entries func() [][]byte
	}{
		{"an entry dropped", func() [][]byte { return append(append([][]byte{}, l.entries[:2]...), l.entries[3:]...) }},
		{"entries swapped", func() [][]byte {
			e := append([][]byte{}, l.entries...)
			e[1], e[2] = e[2], e[1]
			return e
		}},
		{"an entry repeated", func() [][]byte { return append(append([][]byte{}, l.entries...), l.entries[3]) }},
		{"a byte changed", func() [][]byte {
			e := append([][]byte{}, l.entries...)
			e[2] = bytes.Replace(bytes.Clone(e[2]), []byte(`"signature":"`), []byte(`"signature":"A`), 1)
			return e
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Replay(context.Background(), l.verify, l.process, tt.entries()); err == nil {
				t.Fatal("a tampered history replayed")
			}
		})
	}
	// A host that is not the process's origin cannot order it.
	other := newOrg(t, "https://evil.example")
	l2 := newLog(t, other, verifier(other))
	l2.process = "https://re.example/processes/p1"
	if err := l2.propose(other, Change{Op: OpCreate, Data: data(Init{Name: "X", Governance: CitizenToCitizen})}); !errors.Is(err, ErrHistory) {
		t.Fatalf("a foreign host created the process: %v", err)
	}
}

func TestBundle(t *testing.T) {
	l, _, _, _ := start(t)
	b, err := NewBundle(l.process, l.entries, l.p)
	if err != nil {
		t.Fatal(err)
	}
	p, n, err := VerifyBundle(context.Background(), l.verify, b)
	if err != nil || n != 3 || p.Name != "Gardens" {
		t.Fatalf("bundle: %v (%d entries)", err, n)
	}
	if _, _, err := VerifyBundle(context.Background(), l.verify, bytes.Replace(b, []byte(`"name":"Gardens"`), []byte(`"name":"Gardenz"`), 1)); err == nil {
		t.Fatal("a bundle whose state was edited verified")
	}
}

func FuzzDecodeChange(f *testing.F) {
	f.Add([]byte(`{"process":"https://a.example/processes/1","op":"update-task","item":"t","base":3,"data":{"progress":4}}`))
	f.Add([]byte(`{"process":"x","op":"nope"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeChange(b)
		if err != nil {
			return
		}
		// A decoded change applies or is refused; it never panics.
		host := org{id: "https://a.example"}
		p := &Process{IRI: c.Process, Host: host.id, Seq: 1, Status: InProgress, Governance: CitizenToCitizen,
			Participants: []*Participant{{Entity: host.id, Role: Initiator, Membership: Active, Grants: []Grant{{Rights: Rights}}}},
			Phases:       []*Phase{{Key: "p", Name: "P", Objectives: []*Objective{{Key: "o", Name: "O", Tasks: []*Task{{Key: "t", Name: "T", Status: Awaiting}}}}}}}
		_, _ = Apply(p, c, Meta{Author: host.id, Seq: 2})
	})
}

func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte(`{"process":"https://a.example/processes/1","seq":2,"prev":"x","change":{"payload":"e30"}}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = DecodeEntry(b) })
}

// FuzzReadBundle: a bundle read back (an import's first step) has the
// format, entries, and a state that compares without panicking.
func FuzzReadBundle(f *testing.F) {
	f.Add([]byte(`{"format":"interlink-process-bundle/1","process":"https://a.example/processes/1","entries":[{"payload":"e30","signatures":[]}],"state":{}}`))
	f.Add([]byte(`{"format":"interlink-process-bundle/1","process":"x","entries":[],"state":null}`))
	f.Add([]byte(`{"format":"x","format":"y"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := ReadBundle(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("a refusal that is not ErrInvalid: %v", err)
			}
			return
		}
		if b.Format != BundleFormat || len(b.Entries) == 0 {
			t.Fatalf("accepted %+v", b)
		}
		if err := b.CheckState(&Process{IRI: b.Process}); err != nil && !errors.Is(err, ErrHistory) {
			t.Fatalf("check state: %v", err)
		}
	})
}
