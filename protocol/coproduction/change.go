package coproduction

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// Op is what a change does.
type Op string

// The operations.
const (
	OpCreate        Op = "create"         // data: Init (only the first entry, by the host)
	OpInvite        Op = "invite"         // data: Invite; administer
	OpJoin          Op = "join"           // an invited organisation accepts (or a requester is admitted)
	OpDecline       Op = "decline"        // an invited organisation declines
	OpRequest       Op = "request"        // asks to join a public process; data: Invite (name, actor)
	OpAdmit         Op = "admit"          // data: Member; administer
	OpRemove        Op = "remove"         // data: Member; administer
	OpGrant         Op = "grant"          // data: GrantData; administer
	OpUpdateProcess Op = "update-process" // data: ProcessPatch; administer
	OpAddPhase      Op = "add-phase"      // data: Phase; administer
	OpAddObjective  Op = "add-objective"  // item: the phase; data: Objective; administer on the phase
	OpAddTask       Op = "add-task"       // item: the objective; data: Task; edit-tasks there
	OpUpdateTask    Op = "update-task"    // item: the task; data: TaskPatch; edit-tasks
	OpAddAsset      Op = "add-asset"      // item: the task; data: AssetData; add-assets
	OpRemoveAsset   Op = "remove-asset"   // item: the task; data: AssetRef; remove-assets
	OpFinish        Op = "finish"         // data: Story; administer
)

// Ops lists the operations.
var Ops = []Op{OpCreate, OpInvite, OpJoin, OpDecline, OpRequest, OpAdmit, OpRemove, OpGrant, OpUpdateProcess,
	OpAddPhase, OpAddObjective, OpAddTask, OpUpdateTask, OpAddAsset, OpRemoveAsset, OpFinish}

// Payload types of the signed documents.
const (
	ChangeType = "coproduction-change" // signed by the author organisation
	EntryType  = "coproduction-entry"  // signed by the host: orders a change
)

// Change is the body of a signed change: the author (the payload's iss) asks
// the process to apply Op to Item, made against the item's revision Base (0:
// no precondition).
type Change struct {
	Process string          `json:"process"`
	Op      Op              `json:"op"`
	Item    string          `json:"item,omitempty"`
	Base    uint64          `json:"base,omitempty"`
	Actor   string          `json:"actor,omitempty"`  // the author organisation's actor
	Person  string          `json:"person,omitempty"` // who acted for it (an account name)
	Data    json.RawMessage `json:"data,omitempty"`
}

// Entry is the body of a host-signed log entry: the Seq-th change of
// Process, linked to the previous entry by Prev (its PayloadHash; empty for
// the first), carrying the author's change JWS unchanged.
type Entry struct {
	Process string          `json:"process"`
	Seq     uint64          `json:"seq"`
	Prev    string          `json:"prev,omitempty"`
	Change  json.RawMessage `json:"change"`
}

// Init is the data of OpCreate: the process and its tree.
type Init struct {
	Name            string     `json:"name"`
	Aim             string     `json:"aim,omitempty"`
	Idea            string     `json:"idea,omitempty"`
	Challenges      string     `json:"challenges,omitempty"`
	Description     string     `json:"description,omitempty"`
	Languages       []string   `json:"languages,omitempty"`
	Governance      Governance `json:"governance"`
	ProblemProfiles []string   `json:"problem_profiles,omitempty"`
	Schema          string     `json:"schema,omitempty"`
	Public          bool       `json:"public,omitempty"`
	HostName        string     `json:"host_name,omitempty"`
	Phases          []*Phase   `json:"phases,omitempty"`
}

// Invite names an organisation (OpInvite, OpRequest).
type Invite struct {
	Entity string `json:"entity"`
	Actor  string `json:"actor,omitempty"`
	Name   string `json:"name,omitempty"`
	Role   Role   `json:"role,omitempty"`
}

// Member names a participant (OpAdmit, OpRemove).
type Member struct {
	Entity string `json:"entity"`
}

// GrantData replaces a participant's grants.
type GrantData struct {
	Entity string  `json:"entity"`
	Grants []Grant `json:"grants"`
}

// ProcessPatch changes the process's own fields (absent: unchanged).
type ProcessPatch struct {
	Name            *string     `json:"name,omitempty"`
	Aim             *string     `json:"aim,omitempty"`
	Idea            *string     `json:"idea,omitempty"`
	Challenges      *string     `json:"challenges,omitempty"`
	Description     *string     `json:"description,omitempty"`
	Governance      *Governance `json:"governance,omitempty"`
	ProblemProfiles *[]string   `json:"problem_profiles,omitempty"`
	Status          *Status     `json:"status,omitempty"`
	Public          *bool       `json:"public,omitempty"`
}

// TaskPatch changes a task (absent: unchanged).
type TaskPatch struct {
	Name          *string   `json:"name,omitempty"`
	Description   *string   `json:"description,omitempty"`
	Status        *Status   `json:"status,omitempty"`
	Progress      *int      `json:"progress,omitempty"`
	Start         *string   `json:"start,omitempty"`
	End           *string   `json:"end,omitempty"`
	Responsible   *string   `json:"responsible,omitempty"`
	Interlinkers  *[]string `json:"interlinkers,omitempty"`
	Prerequisites *[]string `json:"prerequisites,omitempty"`
}

// AssetData adds an asset: a Link, or a small file (Content, base64 in
// JSON) whose SHA256 the change names.
type AssetData struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Link        string `json:"link,omitempty"`
	Content     []byte `json:"content,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	MediaType   string `json:"media_type,omitempty"`
	Interlinker string `json:"interlinker,omitempty"`
}

// AssetRef names an asset of a task.
type AssetRef struct {
	ID string `json:"id"`
}

// Errors of Apply and Replay. They are wrapped with the rule that failed.
var (
	ErrInvalid   = errors.New("invalid change")
	ErrForbidden = errors.New("not permitted")
	ErrStale     = errors.New("stale change")
	ErrNotFound  = errors.New("no such item")
	ErrHistory   = errors.New("broken history")
)

// Limits.
const (
	MaxText       = 8 << 10
	MaxName       = 512
	MaxList       = 64
	MaxItems      = 5000 // tasks in a tree
	MaxChangeSize = 1 << 20
	DefaultAsset  = 256 << 10 // default cap of an asset file
)

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// DecodeChange decodes a change body strictly (unknown fields, duplicate
// keys, wrong types and invalid UTF-8 are errors naming the field) and checks
// its envelope: the op is known and the process an absolute URL.
func DecodeChange(raw []byte) (Change, error) {
	var c Change
	if err := strictjson.Decode(raw, &c, strictjson.Options{MaxBytes: MaxChangeSize}); err != nil {
		return Change{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if !slices.Contains(Ops, c.Op) {
		return Change{}, fmt.Errorf("%w: op %q is not one of %v", ErrInvalid, c.Op, Ops)
	}
	if err := checkURL(c.Process); err != nil {
		return Change{}, fmt.Errorf("%w: process: %w", ErrInvalid, err)
	}
	if c.Item != "" && !keyPattern.MatchString(c.Item) {
		return Change{}, fmt.Errorf("%w: item %q is not a key", ErrInvalid, c.Item)
	}
	if len(c.Person) > MaxName {
		return Change{}, fmt.Errorf("%w: person is longer than %d bytes", ErrInvalid, MaxName)
	}
	return c, nil
}

// DecodeEntry decodes an entry body strictly.
func DecodeEntry(raw []byte) (Entry, error) {
	var e Entry
	if err := strictjson.Decode(raw, &e, strictjson.Options{MaxBytes: MaxChangeSize + 4096}); err != nil {
		return Entry{}, fmt.Errorf("%w: entry: %w", ErrHistory, err)
	}
	if e.Seq == 0 || len(e.Change) == 0 {
		return Entry{}, fmt.Errorf("%w: entry: seq and change are required", ErrHistory)
	}
	if err := checkURL(e.Process); err != nil {
		return Entry{}, fmt.Errorf("%w: entry: process: %w", ErrHistory, err)
	}
	return e, nil
}

// decodeData decodes a change's data strictly into v.
func decodeData(c Change, v any) error {
	if len(c.Data) == 0 {
		return fmt.Errorf("%w: %s needs data", ErrInvalid, c.Op)
	}
	if err := strictjson.Decode(c.Data, v, strictjson.Options{MaxBytes: MaxChangeSize}); err != nil {
		return fmt.Errorf("%w: data: %w", ErrInvalid, err)
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(s) > 2048 {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}
