package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// fakeProcesses keeps processes in memory and applies the pages' changes
// the way the model does (revisions, rights by the node's standing).
type fakeProcesses struct {
	mu    sync.Mutex
	procs map[string]*ProcessView
	calls []string
	fail  error // the next change's error, once
	queue bool  // changes are queued (host away)
	// service is what Service answers.
	service ServiceStatus
}

const (
	fakeHost  = "http://node.test"
	fakeOther = "https://other.example"
)

func newFakeProcesses() *fakeProcesses {
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	task := &cp.Task{Key: "survey", Name: "Survey the residents", Status: cp.InProgress, Progress: 40, Responsible: fakeOther,
		Start: "2026-03-01", End: "2026-04-01", ProblemProfiles: []string{"engagement"}, Rev: 4,
		Assets: []cp.Asset{{ID: "notes", Name: "Meeting notes", SHA256: "ab12", AddedBy: fakeHost, Seq: 5},
			{ID: "pad", Name: "Shared pad", Link: "https://pad.example/x", AddedBy: fakeOther, Seq: 6}}}
	garden := &cp.Process{IRI: fakeHost + "/processes/p1", Host: fakeHost, Seq: 6, Name: "Shared gardens", Aim: "Gardens run with the neighbourhood",
		Governance: cp.GovernmentPlusCitizen, Status: cp.InProgress, Languages: []string{"en", "it"}, Created: at,
		Participants: []*cp.Participant{{Entity: fakeHost, Name: "Comune di Prova", Role: cp.Initiator, Membership: cp.Active, Grants: []cp.Grant{{Rights: cp.DefaultRights(cp.Initiator)}}},
			{Entity: fakeOther, Name: "Other town", Role: cp.CoProducer, Membership: cp.Active, Grants: []cp.Grant{{Rights: cp.DefaultRights(cp.CoProducer)}}}},
		Phases: []*cp.Phase{{Key: "engage", Name: "Engage", Status: cp.InProgress, Progress: 40, Objectives: []*cp.Objective{
			{Key: "map", Name: "Map the needs", Status: cp.InProgress, Progress: 40, Tasks: []*cp.Task{task}}}}}}
	private := &cp.Process{IRI: fakeHost + "/processes/p2", Host: fakeHost, Seq: 1, Name: "Internal budget", Governance: cp.GovernmentToCitizen, Status: cp.Awaiting}
	done := &cp.Process{IRI: fakeOther + "/processes/p3", Host: fakeOther, Seq: 9, Name: "Library hours", Aim: "Open the library on Sundays",
		Governance: cp.CitizenToGovernment, Status: cp.Finished,
		Participants: []*cp.Participant{{Entity: fakeOther, Name: "Other town", Role: cp.Initiator, Membership: cp.Active}},
		Story:        &cp.Story{Title: "Sunday library", Summary: "Volunteers keep it open."}}
	invited := &cp.Process{IRI: fakeOther + "/processes/p4", Host: fakeOther, Seq: 2, Name: "Clean river", Aim: "A clean river", Status: cp.Awaiting,
		Participants: []*cp.Participant{{Entity: fakeOther, Name: "Other town", Role: cp.Initiator, Membership: cp.Active},
			{Entity: fakeHost, Role: cp.CoProducer, Membership: cp.Invited}}}
	garden.Public = true
	f := &fakeProcesses{procs: map[string]*ProcessView{}}
	for id, x := range map[string]struct {
		p     *cp.Process
		local string
	}{"p1": {garden, "host"}, "p2": {private, "host"}, "p3": {done, "participant"}, "p4": {invited, "invited"}} {
		f.procs[id] = &ProcessView{ID: id, IRI: x.p.IRI, Name: x.p.Name, Host: x.p.Host, Local: x.local, Self: fakeHost, Changes: x.p.Seq, Updated: at, Process: x.p}
	}
	return f
}

func (f *fakeProcesses) note(s string) { f.calls = append(f.calls, s) }

func (f *fakeProcesses) called(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.calls, s)
}

func (f *fakeProcesses) List(context.Context) ([]ProcessView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ProcessView
	for _, id := range []string{"p1", "p2", "p3", "p4", "p5"} {
		if v, ok := f.procs[id]; ok {
			out = append(out, *v)
		}
	}
	return out, nil
}

func (f *fakeProcesses) Get(_ context.Context, id string) (ProcessView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.procs[id]
	if !ok {
		return ProcessView{}, fmt.Errorf("%w: process %s", ErrNotFound, id)
	}
	return *v, nil
}

func (f *fakeProcesses) Timeline(_ context.Context, id string, after uint64, limit int) ([]ProcessChange, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.procs[id]
	if !ok {
		return nil, 0, ErrNotFound
	}
	held := uint64(45) // more than a page
	if id != "p1" {
		held = v.Changes
	}
	var out []ProcessChange
	for s := after + 1; s <= held && len(out) < limit; s++ {
		c := ProcessChange{Seq: s, Op: "update-task", Item: "survey", Author: fakeOther, Person: "maria", Host: fakeHost,
			At: time.Date(2026, 3, 4, 10, int(s), 0, 0, time.UTC)}
		if s == 1 {
			c.Op, c.Item, c.Author, c.Person = "create", "", fakeHost, "root"
		}
		out = append(out, c)
	}
	return out, held, nil
}

func (f *fakeProcesses) Recommend(_ context.Context, id, task string, limit int) ([]catalogue.Recommendation, error) {
	body := []byte(`{"type":"Interlinker","key":"survey-kit","name":{"en":"Survey kit"},"description":{"en":"Ask the residents"}}`)
	return []catalogue.Recommendation{{Score: 2, Matched: []string{"engagement"},
		Object: protocol.Object{Meta: protocol.Meta{ID: "01HSURVEYKIT00000000000000", IRI: fakeHost + "/objects/01HSURVEYKIT00000000000000",
			Type: protocol.KindInterlinker, Key: "survey-kit"}, Body: body}}}, nil
}

func (f *fakeProcesses) Asset(_ context.Context, sha string) ([]byte, error) {
	if sha == "ab12" {
		return []byte("the notes"), nil
	}
	return nil, fmt.Errorf("%w: asset", ErrNotFound)
}

func (f *fakeProcesses) Schemas(context.Context) ([]SchemaChoice, error) {
	return []SchemaChoice{{Ref: fakeHost + "/objects/schema1", Name: "Default schema"}}, nil
}

func (f *fakeProcesses) change(s string) (bool, error) {
	f.note(s)
	if err := f.fail; err != nil {
		f.fail = nil
		return false, err
	}
	return f.queue, nil
}

func (f *fakeProcesses) Create(_ context.Context, in NewProcess, person string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.Schema != "" && in.Schema != fakeHost+"/objects/schema1" {
		return "", fmt.Errorf("%w: no co-production schema %q", cp.ErrNotFound, in.Schema)
	}
	if _, err := f.change(fmt.Sprintf("create %s %s %v %s", in.Name, in.Governance, in.Languages, person)); err != nil {
		return "", err
	}
	p := &cp.Process{IRI: fakeHost + "/processes/p5", Host: fakeHost, Seq: 1, Name: in.Name, Aim: in.Aim, Governance: cp.Governance(in.Governance),
		Status: cp.Awaiting, Languages: in.Languages, Public: in.Public}
	f.procs["p5"] = &ProcessView{ID: "p5", IRI: p.IRI, Name: p.Name, Host: fakeHost, Local: "host", Self: fakeHost, Changes: 1, Process: p}
	return "p5", nil
}

func (f *fakeProcesses) Invite(_ context.Context, id, target, person string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.change(fmt.Sprintf("invite %s %s %s", id, target, person))
}

func (f *fakeProcesses) Answer(_ context.Context, id string, accept bool, person string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.change(fmt.Sprintf("answer %s %v %s", id, accept, person))
}

func (f *fakeProcesses) UpdateTask(_ context.Context, id, task string, base uint64, patch cp.TaskPatch, person string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.procs[id]
	if !ok {
		return false, ErrNotFound
	}
	t := v.Process.Task(task)
	if t == nil {
		return false, fmt.Errorf("%w: task %q", cp.ErrNotFound, task)
	}
	if base != t.Rev {
		return false, fmt.Errorf("%w: %s is at revision %d, the change was made against %d", cp.ErrStale, task, t.Rev, base)
	}
	q, err := f.change(fmt.Sprintf("update %s %s %s %d %s %s %s", id, task, *patch.Status, *patch.Progress, *patch.Start, *patch.End, person))
	if err != nil {
		return false, err
	}
	v.Process.Seq++
	t.Status, t.Progress, t.Start, t.End, t.Rev = *patch.Status, *patch.Progress, *patch.Start, *patch.End, v.Process.Seq
	return q, nil
}

func (f *fakeProcesses) AddAsset(ctx context.Context, id, task string, a cp.AssetData, person string) (bool, error) {
	f.mu.Lock()
	f.note(fmt.Sprintf("asset %s %s %s %s %s", id, task, a.Name, a.Link, person))
	f.mu.Unlock()
	data, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	return f.Propose(ctx, id, cp.Change{Op: cp.OpAddAsset, Item: task, Data: data, Person: person})
}

// Propose applies c with the domain's own Apply, as this node (fakeHost),
// to the process's state: what the host would refuse, the fake refuses.
func (f *fakeProcesses) Propose(_ context.Context, id string, c cp.Change) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.procs[id]
	if !ok {
		return false, ErrNotFound
	}
	q, err := f.change(fmt.Sprintf("%s %s %s %s %s", c.Op, id, c.Item, c.Data, c.Person))
	if err != nil {
		return false, err
	}
	c.Process = v.Process.IRI
	p, err := cp.Clone(v.Process)
	if err != nil {
		return false, err
	}
	np, err := cp.Apply(p, c, cp.Meta{Author: v.Self, Seq: p.Seq + 1, At: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC), AssetLimit: fakeAssetLimit})
	if err != nil {
		return false, err
	}
	v.Process, v.Changes = np, np.Seq
	return q, nil
}

const fakeAssetLimit = 1 << 10

func (f *fakeProcesses) AssetLimit() int { return fakeAssetLimit }

func (f *fakeProcesses) Request(_ context.Context, iri, person string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.change(fmt.Sprintf("request %s %s", iri, person))
}

func (f *fakeProcesses) Finish(_ context.Context, id string, st cp.Story, person string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.procs[id]
	if !ok {
		return ErrNotFound
	}
	if _, err := f.change(fmt.Sprintf("finish %s %s %s %v %s", id, st.Title, st.Summary, st.Materials, person)); err != nil {
		return err
	}
	st.Service = "coproduced-" + id
	v.Process.Story, v.Process.Status = &st, cp.Finished
	return nil
}

func (f *fakeProcesses) Service(_ context.Context, v ProcessView) (ServiceStatus, error) {
	if v.Process == nil || v.Process.Story == nil {
		return ServiceStatus{}, nil
	}
	return f.service, nil
}
