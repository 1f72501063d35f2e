package coproduction

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Meta is what the log says of a change besides its body: its author (the
// verified iss of the change), its place in the log and its time.
type Meta struct {
	Author string
	Seq    uint64
	At     time.Time
	// AssetLimit caps a file asset's size (0: only MaxChangeSize). The host
	// applies its configured limit; a replay takes what the host accepted.
	AssetLimit int
}

// Apply applies change c to p (nil before the first entry) and returns the
// new state. On error p is unchanged: every check runs before anything is
// written. Apply is deterministic: the same log gives the same state on
// every node.
func Apply(p *Process, c Change, m Meta) (*Process, error) {
	if p == nil {
		if c.Op != OpCreate || m.Seq != 1 {
			return nil, fmt.Errorf("%w: a process starts with a create change at seq 1", ErrInvalid)
		}
		return create(c, m)
	}
	if c.Process != p.IRI {
		return nil, fmt.Errorf("%w: the change is for %s, not %s", ErrInvalid, c.Process, p.IRI)
	}
	if m.Seq != p.Seq+1 {
		return nil, fmt.Errorf("%w: entry %d does not follow %d", ErrHistory, m.Seq, p.Seq)
	}
	if p.Status == Finished && c.Op != OpUpdateProcess {
		return nil, fmt.Errorf("%w: the process is finished", ErrForbidden)
	}
	if err := applyOp(p, c, m); err != nil {
		return nil, err
	}
	p.Seq = m.Seq
	p.Updated = m.At.UTC()
	p.contribute(m.Author, c.Person, c.Op, m.Seq, m.At.UTC())
	p.rollUp()
	return p, nil
}

func applyOp(p *Process, c Change, m Meta) error {
	switch c.Op {
	case OpCreate:
		return fmt.Errorf("%w: the process exists", ErrInvalid)
	case OpInvite, OpRequest:
		return invite(p, c, m)
	case OpJoin, OpDecline:
		return answer(p, c, m)
	case OpAdmit, OpRemove:
		return member(p, c, m)
	case OpGrant:
		return grant(p, c, m)
	case OpUpdateProcess:
		return updateProcess(p, c, m)
	case OpAddPhase, OpAddObjective, OpAddTask:
		return addItem(p, c, m)
	case OpUpdateTask:
		return updateTask(p, c, m)
	case OpAddAsset, OpRemoveAsset:
		return asset(p, c, m)
	case OpFinish:
		return finish(p, c, m)
	}
	return fmt.Errorf("%w: unknown op %q", ErrInvalid, c.Op)
}

func create(c Change, m Meta) (*Process, error) {
	var in Init
	if err := decodeData(c, &in); err != nil {
		return nil, err
	}
	if err := checkInit(&in); err != nil {
		return nil, err
	}
	p := &Process{IRI: c.Process, Host: m.Author, Seq: 1, Name: in.Name, Aim: in.Aim, Idea: in.Idea, Challenges: in.Challenges,
		Description: in.Description, Languages: in.Languages, Governance: in.Governance, ProblemProfiles: in.ProblemProfiles,
		Status: InProgress, Schema: in.Schema, Public: in.Public, Phases: in.Phases, Created: m.At.UTC(), Updated: m.At.UTC(),
		Participants: []*Participant{{Entity: m.Author, Actor: c.Actor, Name: in.HostName, Role: Initiator, Membership: Active,
			Grants: []Grant{{Scope: "", Rights: DefaultRights(Initiator)}}, Since: 1}},
	}
	if p.Phases == nil {
		p.Phases = []*Phase{}
	}
	for _, ph := range p.Phases {
		ph.Rev = 1
		for _, o := range ph.Objectives {
			o.Rev = 1
			for _, t := range o.Tasks {
				t.Rev = 1
			}
		}
	}
	p.Contributions = []Contribution{}
	p.contribute(m.Author, c.Person, OpCreate, 1, m.At.UTC())
	p.rollUp()
	return p, nil
}

func checkInit(in *Init) error {
	if in.Name == "" || len(in.Name) > MaxName {
		return fmt.Errorf("%w: name: 1 to %d bytes", ErrInvalid, MaxName)
	}
	for _, s := range []string{in.Aim, in.Idea, in.Challenges, in.Description} {
		if len(s) > MaxText {
			return fmt.Errorf("%w: a text is longer than %d bytes", ErrInvalid, MaxText)
		}
	}
	if !slices.Contains(Governances, in.Governance) {
		return fmt.Errorf("%w: governance %q is not one of %v", ErrInvalid, in.Governance, Governances)
	}
	seen := map[string]bool{}
	tasks := 0
	for _, ph := range in.Phases {
		if err := checkItem(ph.Key, ph.Name, seen); err != nil {
			return err
		}
		ph.Status, ph.Progress = Awaiting, 0
		for _, o := range ph.Objectives {
			if err := checkItem(o.Key, o.Name, seen); err != nil {
				return err
			}
			o.Status, o.Progress = Awaiting, 0
			if o.Tasks == nil {
				o.Tasks = []*Task{}
			}
			for _, t := range o.Tasks {
				if err := checkTask(t, seen); err != nil {
					return err
				}
				tasks++
			}
		}
		if ph.Objectives == nil {
			ph.Objectives = []*Objective{}
		}
	}
	if tasks > MaxItems {
		return fmt.Errorf("%w: more than %d tasks", ErrInvalid, MaxItems)
	}
	return nil
}

func checkItem(key, name string, seen map[string]bool) error {
	if !keyPattern.MatchString(key) {
		return fmt.Errorf("%w: key %q: 1 to 128 letters, digits, '.', '_', ':' or '-'", ErrInvalid, key)
	}
	if seen[key] {
		return fmt.Errorf("%w: key %q is used twice", ErrInvalid, key)
	}
	seen[key] = true
	if name == "" || len(name) > MaxName {
		return fmt.Errorf("%w: %s: name: 1 to %d bytes", ErrInvalid, key, MaxName)
	}
	return nil
}

func checkTask(t *Task, seen map[string]bool) error {
	if err := checkItem(t.Key, t.Name, seen); err != nil {
		return err
	}
	if t.Status == "" {
		t.Status = Awaiting
	}
	t.Assets = nil
	return checkTaskFields(t)
}

func checkTaskFields(t *Task) error {
	switch {
	case !slices.Contains(Statuses, t.Status):
		return fmt.Errorf("%w: %s: status %q is not one of %v", ErrInvalid, t.Key, t.Status, Statuses)
	case t.Progress < 0 || t.Progress > 100:
		return fmt.Errorf("%w: %s: progress %d is not within 0-100", ErrInvalid, t.Key, t.Progress)
	case (t.Start != "" && !datePattern.MatchString(t.Start)) || (t.End != "" && !datePattern.MatchString(t.End)):
		return fmt.Errorf("%w: %s: dates are YYYY-MM-DD", ErrInvalid, t.Key)
	case t.Start != "" && t.End != "" && t.End < t.Start:
		return fmt.Errorf("%w: %s: end %s is before start %s", ErrInvalid, t.Key, t.End, t.Start)
	case len(t.Description) > MaxText, len(t.Interlinkers) > MaxList, len(t.Prerequisites) > MaxList, len(t.ProblemProfiles) > MaxList:
		return fmt.Errorf("%w: %s: a field is too long", ErrInvalid, t.Key)
	}
	for _, il := range t.Interlinkers {
		if err := checkURL(il); err != nil {
			return fmt.Errorf("%w: %s: interlinkers: %w", ErrInvalid, t.Key, err)
		}
	}
	return nil
}

// need refuses a change whose author lacks right r on key.
func need(p *Process, m Meta, r Right, key string) error {
	if !p.Can(m.Author, r, key) {
		return fmt.Errorf("%w: %s has no %q right on %s", ErrForbidden, m.Author, r, orProcess(key))
	}
	return nil
}

func orProcess(key string) string {
	if key == "" {
		return "the process"
	}
	return key
}

// stale refuses a change made against another revision of the item.
func stale(c Change, rev uint64) error {
	if c.Base != 0 && c.Base != rev {
		return fmt.Errorf("%w: %s was changed by entry %d since revision %d", ErrStale, orProcess(c.Item), rev, c.Base)
	}
	return nil
}

func updateProcess(p *Process, c Change, m Meta) error {
	var in ProcessPatch
	if err := decodeData(c, &in); err != nil {
		return err
	}
	if err := need(p, m, Administer, ""); err != nil {
		return err
	}
	if p.Status == Finished && (in.Status == nil || *in.Status == Finished) {
		return fmt.Errorf("%w: the process is finished (reopen it with status in_progress)", ErrForbidden)
	}
	if in.Governance != nil && !slices.Contains(Governances, *in.Governance) {
		return fmt.Errorf("%w: governance %q", ErrInvalid, *in.Governance)
	}
	if in.Status != nil && !slices.Contains(Statuses, *in.Status) {
		return fmt.Errorf("%w: status %q", ErrInvalid, *in.Status)
	}
	if in.Name != nil && (*in.Name == "" || len(*in.Name) > MaxName) {
		return fmt.Errorf("%w: name: 1 to %d bytes", ErrInvalid, MaxName)
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, in.Name)
	set(&p.Aim, in.Aim)
	set(&p.Idea, in.Idea)
	set(&p.Challenges, in.Challenges)
	set(&p.Description, in.Description)
	if in.Governance != nil {
		p.Governance = *in.Governance
	}
	if in.ProblemProfiles != nil {
		p.ProblemProfiles = *in.ProblemProfiles
	}
	if in.Status != nil {
		p.Status = *in.Status
	}
	if in.Public != nil {
		p.Public = *in.Public
	}
	return nil
}

// Keys returns the keys in use in the tree (phases, objectives and tasks
// share one namespace).
func (p *Process) Keys() map[string]bool {
	seen := map[string]bool{}
	for _, ph := range p.Phases {
		seen[ph.Key] = true
		for _, o := range ph.Objectives {
			seen[o.Key] = true
			for _, t := range o.Tasks {
				seen[t.Key] = true
			}
		}
	}
	return seen
}

func addItem(p *Process, c Change, m Meta) error {
	seen := p.Keys()
	switch c.Op {
	case OpAddPhase:
		var ph Phase
		if err := decodeData(c, &ph); err != nil {
			return err
		}
		if err := need(p, m, Administer, ""); err != nil {
			return err
		}
		if err := checkItem(ph.Key, ph.Name, seen); err != nil {
			return err
		}
		ph.Objectives, ph.Status, ph.Progress, ph.Rev = []*Objective{}, Awaiting, 0, m.Seq
		p.Phases = append(p.Phases, &ph)
	case OpAddObjective:
		var o Objective
		if err := decodeData(c, &o); err != nil {
			return err
		}
		it, ok := p.find(c.Item)
		if !ok || it.objective != nil {
			return fmt.Errorf("%w: phase %q", ErrNotFound, c.Item)
		}
		if err := need(p, m, Administer, c.Item); err != nil {
			return err
		}
		if err := checkItem(o.Key, o.Name, seen); err != nil {
			return err
		}
		o.Tasks, o.Status, o.Progress, o.Rev = []*Task{}, Awaiting, 0, m.Seq
		it.phase.Objectives = append(it.phase.Objectives, &o)
		it.phase.Rev = m.Seq
	case OpAddTask:
		var t Task
		if err := decodeData(c, &t); err != nil {
			return err
		}
		it, ok := p.find(c.Item)
		if !ok || it.objective == nil || it.task != nil {
			return fmt.Errorf("%w: objective %q", ErrNotFound, c.Item)
		}
		if err := need(p, m, EditTasks, c.Item); err != nil {
			return err
		}
		if p.TaskCount() >= MaxItems {
			return fmt.Errorf("%w: the process has %d tasks already", ErrInvalid, MaxItems)
		}
		if err := checkTask(&t, seen); err != nil {
			return err
		}
		if err := checkResponsible(p, t.Responsible); err != nil {
			return err
		}
		t.Rev = m.Seq
		it.objective.Tasks = append(it.objective.Tasks, &t)
		it.objective.Rev = m.Seq
	}
	return nil
}

func checkResponsible(p *Process, e string) error {
	if e == "" {
		return nil
	}
	if x := p.Participant(e); x == nil || x.Membership != Active {
		return fmt.Errorf("%w: responsible %s is not an active participant", ErrInvalid, e)
	}
	return nil
}

func updateTask(p *Process, c Change, m Meta) error {
	var in TaskPatch
	if err := decodeData(c, &in); err != nil {
		return err
	}
	t := p.Task(c.Item)
	if t == nil {
		return fmt.Errorf("%w: task %q", ErrNotFound, c.Item)
	}
	if err := need(p, m, EditTasks, c.Item); err != nil {
		return err
	}
	if err := stale(c, t.Rev); err != nil {
		return err
	}
	n := *t
	setS := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setS(&n.Name, in.Name)
	setS(&n.Description, in.Description)
	setS(&n.Start, in.Start)
	setS(&n.End, in.End)
	setS(&n.Responsible, in.Responsible)
	if in.Status != nil {
		n.Status = *in.Status
	}
	if in.Progress != nil {
		n.Progress = *in.Progress
	}
	if in.Interlinkers != nil {
		n.Interlinkers = *in.Interlinkers
	}
	if in.Prerequisites != nil {
		n.Prerequisites = *in.Prerequisites
	}
	if n.Name == "" || len(n.Name) > MaxName {
		return fmt.Errorf("%w: %s: name: 1 to %d bytes", ErrInvalid, n.Key, MaxName)
	}
	if err := checkTaskFields(&n); err != nil {
		return err
	}
	if in.Responsible != nil {
		if err := checkResponsible(p, n.Responsible); err != nil {
			return err
		}
	}
	n.Rev = m.Seq
	*t = n
	return nil
}

func asset(p *Process, c Change, m Meta) error {
	t := p.Task(c.Item)
	if t == nil {
		return fmt.Errorf("%w: task %q", ErrNotFound, c.Item)
	}
	if c.Op == OpRemoveAsset {
		var in AssetRef
		if err := decodeData(c, &in); err != nil {
			return err
		}
		if err := need(p, m, RemoveAssets, c.Item); err != nil {
			return err
		}
		i := slices.IndexFunc(t.Assets, func(a Asset) bool { return a.ID == in.ID })
		if i < 0 {
			return fmt.Errorf("%w: asset %q of %s", ErrNotFound, in.ID, c.Item)
		}
		t.Assets = slices.Delete(slices.Clone(t.Assets), i, i+1)
		t.Rev = m.Seq
		return nil
	}
	var in AssetData
	if err := decodeData(c, &in); err != nil {
		return err
	}
	if err := need(p, m, AddAssets, c.Item); err != nil {
		return err
	}
	a, err := checkAsset(in, m)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(t.Assets, func(x Asset) bool { return x.ID == a.ID }) {
		return fmt.Errorf("%w: %s already has an asset %q", ErrInvalid, c.Item, a.ID)
	}
	if a.Interlinker != "" && !slices.Contains(t.Interlinkers, a.Interlinker) {
		t.Interlinkers = append(slices.Clone(t.Interlinkers), a.Interlinker)
	}
	t.Assets = append(t.Assets, a)
	t.Rev = m.Seq
	return nil
}

func checkAsset(in AssetData, m Meta) (Asset, error) {
	a := Asset{ID: in.ID, Name: in.Name, Link: in.Link, MediaType: in.MediaType, Interlinker: in.Interlinker, AddedBy: m.Author, Seq: m.Seq}
	switch {
	case !keyPattern.MatchString(in.ID):
		return a, fmt.Errorf("%w: asset id %q is not a key", ErrInvalid, in.ID)
	case in.Name == "" || len(in.Name) > MaxName:
		return a, fmt.Errorf("%w: asset name: 1 to %d bytes", ErrInvalid, MaxName)
	case (in.Link == "") == (len(in.Content) == 0):
		return a, fmt.Errorf("%w: an asset is a link or a file, exactly one", ErrInvalid)
	case len(in.MediaType) > 255:
		return a, fmt.Errorf("%w: media_type is too long", ErrInvalid)
	}
	if in.Interlinker != "" {
		if err := checkURL(in.Interlinker); err != nil {
			return a, fmt.Errorf("%w: interlinker: %w", ErrInvalid, err)
		}
	}
	if in.Link != "" {
		if err := checkURL(in.Link); err != nil {
			return a, fmt.Errorf("%w: link: %w", ErrInvalid, err)
		}
		return a, nil
	}
	if m.AssetLimit > 0 && len(in.Content) > m.AssetLimit {
		return a, fmt.Errorf("%w: the file has %d bytes, more than the %d this process accepts (add a link instead)", ErrInvalid, len(in.Content), m.AssetLimit)
	}
	sum := sha256.Sum256(in.Content)
	h := hex.EncodeToString(sum[:])
	if in.SHA256 != "" && in.SHA256 != h {
		return a, fmt.Errorf("%w: sha256 %s is not the file's hash %s", ErrInvalid, in.SHA256, h)
	}
	a.SHA256, a.Size = h, len(in.Content)
	return a, nil
}

func finish(p *Process, c Change, m Meta) error {
	var st Story
	if err := decodeData(c, &st); err != nil {
		return err
	}
	if err := need(p, m, Administer, ""); err != nil {
		return err
	}
	if st.Title == "" || len(st.Title) > MaxName || st.Summary == "" || len(st.Summary) > MaxText ||
		len(st.Objectives) > MaxText || len(st.Results) > MaxText || len(st.Lessons) > MaxText || len(st.Materials) > MaxList ||
		len(st.Interlinkers) > MaxList {
		return fmt.Errorf("%w: a story needs a title (≤ %d bytes) and a summary (≤ %d bytes)", ErrInvalid, MaxName, MaxText)
	}
	for _, l := range append(slices.Clone(st.Materials), st.Interlinkers...) {
		if err := checkURL(l); err != nil {
			return fmt.Errorf("%w: story: materials and interlinkers are links: %w", ErrInvalid, err)
		}
	}
	if len(st.Interlinkers) == 0 {
		st.Interlinkers = p.usedInterlinkers()
	}
	p.Story, p.Status = &st, Finished
	return nil
}

// usedInterlinkers lists the interlinkers the tasks used, in tree order.
func (p *Process) usedInterlinkers() []string {
	var out []string
	for _, ph := range p.Phases {
		for _, o := range ph.Objectives {
			for _, t := range o.Tasks {
				for _, il := range t.Interlinkers {
					if !slices.Contains(out, il) {
						out = append(out, il)
					}
				}
			}
		}
	}
	return out
}
