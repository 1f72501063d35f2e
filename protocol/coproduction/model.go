// Package coproduction is the federated co-production process as every
// participant holds it: the process (aim, governance, participants and their
// rights, the tree of phases → objectives → tasks with their interlinkers and
// assets, the contributions), the signed changes that make it, and the
// host's ordered log of entries that every participant replays.
//
// The state of a process is the fold of its log: Apply takes a state and one
// verified change and returns the next state, deterministically, or an error
// naming why the change is refused (ErrForbidden, ErrStale, ErrInvalid).
// Replay verifies and folds a whole history (for catching up, for an
// imported bundle and for `interlink verify`). The package is pure: no
// network, no disk; the signature checks are the caller's Verifier.
package coproduction

import (
	"slices"
	"time"
)

// Governance is who co-produces with whom (the INTERLINK platform's values).
type Governance string

// The governance models.
const (
	CitizenToCitizen      Governance = "citizen-to-citizen"
	CitizenToGovernment   Governance = "citizen-to-government"
	GovernmentToCitizen   Governance = "government-to-citizen"
	GovernmentPlusCitizen Governance = "government-plus-citizen"
)

// Governances lists the valid governance models.
var Governances = []Governance{CitizenToCitizen, CitizenToGovernment, GovernmentToCitizen, GovernmentPlusCitizen}

// Status is the state of a process or of a tree item.
type Status string

// The statuses.
const (
	Awaiting   Status = "awaiting"
	InProgress Status = "in_progress"
	Finished   Status = "finished"
)

// Statuses lists the valid statuses.
var Statuses = []Status{Awaiting, InProgress, Finished}

// Role is a participant's role.
type Role string

// The roles.
const (
	Initiator  Role = "initiator"
	CoProducer Role = "co-producer"
	Observer   Role = "observer"
)

// Roles lists the valid roles.
var Roles = []Role{Initiator, CoProducer, Observer}

// Membership is where a participant stands.
type Membership string

// The memberships: invited (waits for its admin), active, declined,
// requested (asked to join a public process), removed.
const (
	Invited   Membership = "invited"
	Active    Membership = "active"
	Declined  Membership = "declined"
	Requested Membership = "requested"
	Removed   Membership = "removed"
)

// Right is one permission, as INTERLINK's team permissions were.
type Right string

// The rights.
const (
	See          Right = "see"
	AddAssets    Right = "add-assets"
	RemoveAssets Right = "remove-assets"
	EditTasks    Right = "edit-tasks"
	Administer   Right = "administer"
)

// Rights lists the valid rights.
var Rights = []Right{See, AddAssets, RemoveAssets, EditTasks, Administer}

// DefaultRights are the rights a role gets on the whole process.
func DefaultRights(r Role) []Right {
	switch r {
	case Initiator:
		return slices.Clone(Rights)
	case CoProducer:
		return []Right{See, AddAssets, RemoveAssets, EditTasks}
	}
	return []Right{See}
}

// Grant gives rights on the whole process (Scope "") or on one branch of the
// tree (Scope: the key of a phase, objective or task, and all beneath it).
type Grant struct {
	Scope  string  `json:"scope"`
	Rights []Right `json:"rights"`
}

// Participant is an organisation taking part, identified by its entity id
// (its node's public URL, the iss of everything it signs).
type Participant struct {
	Entity     string     `json:"entity"`
	Actor      string     `json:"actor,omitempty"`
	Name       string     `json:"name,omitempty"`
	Role       Role       `json:"role"`
	Membership Membership `json:"membership"`
	Grants     []Grant    `json:"grants"`
	Since      uint64     `json:"since"` // the entry that made it what it is
}

// Asset is what was made with an interlinker: a link, or a small file kept
// by its SHA-256 (the content travels in the change that added it).
type Asset struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Link        string `json:"link,omitempty"`
	SHA256      string `json:"sha256,omitempty"` // hex, of the file
	Size        int    `json:"size,omitempty"`
	MediaType   string `json:"media_type,omitempty"`
	Interlinker string `json:"interlinker,omitempty"`
	AddedBy     string `json:"added_by"`
	Seq         uint64 `json:"seq"`
}

// Task is one task of an objective.
type Task struct {
	Key             string   `json:"key"`
	Name            string   `json:"name"`
	Description     string   `json:"description,omitempty"`
	ProblemProfiles []string `json:"problem_profiles,omitempty"`
	Prerequisites   []string `json:"prerequisites,omitempty"`
	Start           string   `json:"start,omitempty"` // YYYY-MM-DD
	End             string   `json:"end,omitempty"`
	Status          Status   `json:"status"`
	Progress        int      `json:"progress"` // 0-100
	Responsible     string   `json:"responsible,omitempty"`
	Interlinkers    []string `json:"interlinkers,omitempty"`
	Assets          []Asset  `json:"assets,omitempty"`
	Rev             uint64   `json:"rev"` // the entry that last changed it
}

// Objective is one objective of a phase; its status and progress roll up
// from its tasks.
type Objective struct {
	Key             string   `json:"key"`
	Name            string   `json:"name"`
	Description     string   `json:"description,omitempty"`
	ProblemProfiles []string `json:"problem_profiles,omitempty"`
	Prerequisites   []string `json:"prerequisites,omitempty"`
	Status          Status   `json:"status"`
	Progress        int      `json:"progress"`
	Tasks           []*Task  `json:"tasks"`
	Rev             uint64   `json:"rev"`
}

// Phase is one phase; its status and progress roll up from its objectives.
type Phase struct {
	Key           string       `json:"key"`
	Name          string       `json:"name"`
	Description   string       `json:"description,omitempty"`
	Prerequisites []string     `json:"prerequisites,omitempty"`
	Status        Status       `json:"status"`
	Progress      int          `json:"progress"`
	Objectives    []*Objective `json:"objectives"`
	Rev           uint64       `json:"rev"`
}

// Contribution is what one person of one participant did: how many
// changes, of which kinds, the first and the last (the history holds each
// one, signed). One per participant and person, in order of first change.
type Contribution struct {
	Participant string    `json:"participant"`
	Person      string    `json:"person,omitempty"`
	Changes     int       `json:"changes"`
	Ops         []Op      `json:"ops"`
	First       uint64    `json:"first"`
	Last        uint64    `json:"last"`
	At          time.Time `json:"at"` // of the last
}

// contribute records change seq of op by person of participant.
func (p *Process) contribute(participant, person string, op Op, seq uint64, at time.Time) {
	for i := range p.Contributions {
		c := &p.Contributions[i]
		if c.Participant == participant && c.Person == person {
			c.Changes++
			c.Last, c.At = seq, at
			if !slices.Contains(c.Ops, op) {
				c.Ops = append(c.Ops, op)
			}
			return
		}
	}
	p.Contributions = append(p.Contributions, Contribution{Participant: participant, Person: person, Changes: 1, Ops: []Op{op},
		First: seq, Last: seq, At: at})
}

// Story is what a finished process tells others. Finishing also drafts it
// as a catalogue object of its own (protocol.Story), co-signed by every
// participant.
type Story struct {
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Objectives   string   `json:"objectives,omitempty"` // what the process set out to do (the aim when empty)
	Results      string   `json:"results,omitempty"`
	Lessons      string   `json:"lessons,omitempty"`
	Materials    []string `json:"materials,omitempty"`
	Service      string   `json:"service,omitempty"` // the identifier of the drafted public service
	Interlinkers []string `json:"interlinkers,omitempty"`
}

// Process is the state of one co-production process: the fold of its log.
type Process struct {
	IRI             string         `json:"iri"`
	Host            string         `json:"host"` // the initiator's entity id: orders the log
	Seq             uint64         `json:"seq"`  // the last applied entry
	Head            string         `json:"head"` // PayloadHash of the last entry
	Name            string         `json:"name"`
	Aim             string         `json:"aim,omitempty"`
	Idea            string         `json:"idea,omitempty"`
	Challenges      string         `json:"challenges,omitempty"`
	Description     string         `json:"description,omitempty"`
	Languages       []string       `json:"languages,omitempty"`
	Governance      Governance     `json:"governance"`
	ProblemProfiles []string       `json:"problem_profiles,omitempty"`
	Status          Status         `json:"status"`
	Schema          string         `json:"schema,omitempty"`
	Public          bool           `json:"public"`
	Participants    []*Participant `json:"participants"`
	Phases          []*Phase       `json:"phases"`
	Contributions   []Contribution `json:"contributions"`
	Story           *Story         `json:"story,omitempty"`
	Created         time.Time      `json:"created"`
	Updated         time.Time      `json:"updated"`
}

// Participant returns the participant with entity id e, or nil.
func (p *Process) Participant(e string) *Participant {
	for _, x := range p.Participants {
		if x.Entity == e {
			return x
		}
	}
	return nil
}

// Active lists the entity ids of the active participants, in joining order.
func (p *Process) Active() []string {
	var out []string
	for _, x := range p.Participants {
		if x.Membership == Active {
			out = append(out, x.Entity)
		}
	}
	return out
}

// TaskCount is the number of tasks in the tree.
func (p *Process) TaskCount() int {
	n := 0
	for _, ph := range p.Phases {
		for _, o := range ph.Objectives {
			n += len(o.Tasks)
		}
	}
	return n
}

// item is where a key sits in the tree: its path from the phase down.
type item struct {
	phase     *Phase
	objective *Objective
	task      *Task
}

// find locates key in the tree.
func (p *Process) find(key string) (item, bool) {
	for _, ph := range p.Phases {
		if ph.Key == key {
			return item{phase: ph}, true
		}
		for _, o := range ph.Objectives {
			if o.Key == key {
				return item{phase: ph, objective: o}, true
			}
			for _, t := range o.Tasks {
				if t.Key == key {
					return item{phase: ph, objective: o, task: t}, true
				}
			}
		}
	}
	return item{}, false
}

// Task returns the task with key, or nil.
func (p *Process) Task(key string) *Task {
	it, ok := p.find(key)
	if !ok {
		return nil
	}
	return it.task
}

// scopes are the keys whose grants cover the item: the process (""), its
// phase, objective and task.
func (it item) scopes() []string {
	s := []string{""}
	if it.phase != nil {
		s = append(s, it.phase.Key)
	}
	if it.objective != nil {
		s = append(s, it.objective.Key)
	}
	if it.task != nil {
		s = append(s, it.task.Key)
	}
	return s
}

// Can reports whether entity e holds right r on the item with key ("" the
// whole process). Only active participants hold rights.
func (p *Process) Can(e string, r Right, key string) bool {
	x := p.Participant(e)
	if x == nil || x.Membership != Active {
		return false
	}
	scopes := []string{""}
	if key != "" {
		it, ok := p.find(key)
		if !ok {
			return false
		}
		scopes = it.scopes()
	}
	for _, g := range x.Grants {
		if slices.Contains(scopes, g.Scope) && (slices.Contains(g.Rights, r) || slices.Contains(g.Rights, Administer)) {
			return true
		}
	}
	return false
}

// rollUp recomputes the objectives' and phases' progress and status from
// their tasks.
func (p *Process) rollUp() {
	for _, ph := range p.Phases {
		sum, n := 0, 0
		var sts []Status
		for _, o := range ph.Objectives {
			if len(o.Tasks) > 0 {
				ts, tn := 0, 0
				var tst []Status
				for _, t := range o.Tasks {
					ts += t.Progress
					tn++
					tst = append(tst, t.Status)
				}
				o.Progress = ts / tn
				o.Status = combine(tst)
			}
			sum += o.Progress
			n++
			sts = append(sts, o.Status)
		}
		if n > 0 {
			ph.Progress = sum / n
			ph.Status = combine(sts)
		}
	}
}

// combine is the status of a parent: finished when every child is,
// awaiting when none has started, in progress otherwise.
func combine(children []Status) Status {
	fin, wait := 0, 0
	for _, s := range children {
		switch s {
		case Finished:
			fin++
		case Awaiting, "":
			wait++
		}
	}
	switch {
	case fin == len(children):
		return Finished
	case wait == len(children):
		return Awaiting
	}
	return InProgress
}
