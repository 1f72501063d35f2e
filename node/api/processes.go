package api

import (
	"encoding/json"
	"time"
)

// ProcessCreate starts a co-production process (POST /api/v1/processes).
// Schema names a co-production schema of the catalogue by key or IRI.
type ProcessCreate struct {
	Name            string   `json:"name"`
	Aim             string   `json:"aim,omitempty"`
	Idea            string   `json:"idea,omitempty"`
	Challenges      string   `json:"challenges,omitempty"`
	Description     string   `json:"description,omitempty"`
	Languages       []string `json:"languages,omitempty"`
	Governance      string   `json:"governance"`
	ProblemProfiles []string `json:"problem_profiles,omitempty"`
	Schema          string   `json:"schema,omitempty"`
	Public          bool     `json:"public,omitempty"`
}

// ProcessItem is one process in a listing.
type ProcessItem struct {
	ID           string    `json:"id"`
	IRI          string    `json:"iri"`
	Name         string    `json:"name"`
	Host         string    `json:"host"`
	Local        string    `json:"local"` // host, participant, invited, left, archived
	Status       string    `json:"status,omitempty"`
	Changes      uint64    `json:"changes"` // entries held: the last sequence number
	Participants int       `json:"participants"`
	Tasks        int       `json:"tasks"`
	Updated      time.Time `json:"updated"`
}

// ProcessList is GET /api/v1/processes.
type ProcessList struct {
	Items []ProcessItem `json:"items"`
}

// Process is GET /api/v1/processes/{id}: the listing's fields and the
// whole state (participants, tree, contributions, story).
type Process struct {
	ProcessItem
	State json.RawMessage `json:"process,omitempty"`
	// Story is the IRI of the story the finished process published in the
	// catalogue, once every participant co-signed it.
	Story string `json:"story,omitempty"`
}

// ProcessInvite invites an organisation by actor IRI or acct:name@host.
type ProcessInvite struct {
	Target string `json:"target"`
	Role   string `json:"role,omitempty"` // co-producer (default) or observer
}

// ProcessJoin asks to join a public process hosted elsewhere.
type ProcessJoin struct {
	Process string `json:"process"` // the group's IRI
}

// ProcessChange is any change (POST /api/v1/processes/{id}/changes): the
// operation, the tree item it acts on, the item's revision it was made
// against (0: none) and the operation's data.
type ProcessChange struct {
	Op   string          `json:"op"`
	Item string          `json:"item,omitempty"`
	Base uint64          `json:"base,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// ProcessTaskAdd adds a task (POST /api/v1/processes/{id}/tasks) to an
// objective: the task as the model writes it (key, name, dates...).
type ProcessTaskAdd struct {
	Objective string          `json:"objective"`
	Task      json.RawMessage `json:"task"`
}

// ChangeResult is what a change came to: ordered (seq) or queued while the
// host is unreachable.
type ChangeResult struct {
	Process string `json:"process"`
	Change  string `json:"change"`
	Seq     uint64 `json:"seq,omitempty"`
	Queued  bool   `json:"queued,omitempty"`
}

// TimelineItem is one signed change of a process's history.
type TimelineItem struct {
	Seq    uint64    `json:"seq"`
	Op     string    `json:"op"`
	Item   string    `json:"item,omitempty"`
	Author string    `json:"author"`
	Person string    `json:"person,omitempty"`
	Change string    `json:"change"`
	At     time.Time `json:"at"`
	Host   string    `json:"host"`
}

// Timeline is GET /api/v1/processes/{id}/history.
type Timeline struct {
	Process string         `json:"process"`
	Changes uint64         `json:"changes"`
	Items   []TimelineItem `json:"items"`
}

// ProcessFinished is what finishing came to: the finish change, and the
// public service and the story drafted for every participant to co-sign.
type ProcessFinished struct {
	ChangeResult
	Service    string `json:"service"`               // its identifier
	Draft      string `json:"draft,omitempty"`       // the service's co-signing draft on the host
	IRI        string `json:"iri,omitempty"`         // the service's IRI
	Story      string `json:"story,omitempty"`       // the story's IRI (a catalogue object of kind Story)
	StoryDraft string `json:"story_draft,omitempty"` // the story's co-signing draft on the host
}

// ProcessImported is what importing a process bundle came to
// (POST /api/v1/processes/import): the process, now held read-only
// (local "archived"), the entries held and those this import added.
type ProcessImported struct {
	Process string `json:"process"`
	ID      string `json:"id"`
	Local   string `json:"local"`
	Changes uint64 `json:"changes"`
	Added   uint64 `json:"added"`
}
