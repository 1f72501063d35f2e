package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// The co-production process pages (issue 15 §4): the catalogue of the
// processes this node holds and the finished ones' stories (/processes),
// a process's workspace (/processes/{id}, its tree as tables or as a board
// by status), the tree's forms (/processes/{id}/tree), a task's page
// (/processes/{id}/tasks/{key}) and the finish form
// (/processes/{id}/finish), with the forms to start a process, ask to join
// one, invite an organisation, answer an invitation, change participants'
// rights and membership, grow the tree, update a task, add a link or a
// file, remove an asset and finish with a story. They reach the processes
// only through Processes, which the node implements over
// node/coproduction's use cases (node/web_process_faces.go).

// Processes is what the process pages read and change.
type Processes interface {
	// List lists the processes this node holds, with their state.
	List(ctx context.Context) ([]ProcessView, error)
	// Get returns one process (ErrNotFound when none).
	Get(ctx context.Context, id string) (ProcessView, error)
	// Timeline returns up to limit signed changes after seq after, and the
	// number held.
	Timeline(ctx context.Context, id string, after uint64, limit int) ([]ProcessChange, uint64, error)
	// Recommend lists the interlinkers recommended for a task.
	Recommend(ctx context.Context, id, task string, limit int) ([]catalogue.Recommendation, error)
	// Asset returns a file asset's bytes by its hex SHA-256.
	Asset(ctx context.Context, sha string) ([]byte, error)
	// Schemas lists the co-production schemas a process may start from.
	Schemas(ctx context.Context) ([]SchemaChoice, error)
	// Create starts a process and returns its id.
	Create(ctx context.Context, in NewProcess, person string) (string, error)
	// Invite, Answer, UpdateTask and AddAsset make a signed change; queued
	// is true when the host is away and the change waits to be sent.
	Invite(ctx context.Context, id, target, person string) (queued bool, err error)
	Answer(ctx context.Context, id string, accept bool, person string) (queued bool, err error)
	UpdateTask(ctx context.Context, id, task string, base uint64, patch cp.TaskPatch, person string) (queued bool, err error)
	AddAsset(ctx context.Context, id, task string, a cp.AssetData, person string) (queued bool, err error)
	// Propose makes any other change (the tree, assets, rights,
	// membership) as this node's organisation; c.Person names who acted.
	Propose(ctx context.Context, id string, c cp.Change) (queued bool, err error)
	// Request asks the host of the public process at iri to let this
	// node's organisation join.
	Request(ctx context.Context, iri, person string) (queued bool, err error)
	// Finish finishes a process this node hosts with its story and drafts
	// its public service.
	Finish(ctx context.Context, id string, st cp.Story, person string) error
	// Service says where the public service a finished process drafted
	// stands on this node (zero before it is drafted).
	Service(ctx context.Context, v ProcessView) (ServiceStatus, error)
	// AssetLimit is the largest file asset, in bytes, the node accepts.
	AssetLimit() int
}

// ServiceStatus is where the public service of a finished process stands:
// published here (its page), a draft this node started gathering its
// co-signatures, or a co-signing request this node received.
type ServiceStatus struct {
	State           string // "published", "draft", "request"; "" when none is held
	Href            string // the object's page, or the co-signing page
	Status          string // the draft's or request's status (pending, approved, rejected, published, failed)
	Signed, Signers int    // a draft: how many co-producers signed, of how many
}

// ErrHostUnavailable: the process's host refused the change or could not be
// reached (the detail is the host's answer).
var ErrHostUnavailable = errors.New("the process's host did not take the change")

// ErrNotDrafted: the process is finished, but its public service could not
// be drafted (the detail says why).
var ErrNotDrafted = errors.New("the process is finished but its public service was not drafted")

// ProcessView is one process: where this node stands in it (Local: host,
// participant, invited, left) and its state (nil before its first entry).
type ProcessView struct {
	ID, IRI, Name, Host, Local string
	Self                       string // this node's entity id: whose rights the pages check
	Story                      string // the IRI of the story the finished process published ("" before)
	Changes                    uint64
	Updated                    time.Time
	Process                    *cp.Process
}

// ProcessChange is one signed change of the timeline.
type ProcessChange struct {
	Seq                  uint64
	Op, Item             string
	Author, Person, Host string
	At                   time.Time
}

// SchemaChoice is a co-production schema a process may start from.
type SchemaChoice struct{ Ref, Name string }

// NewProcess is the start-a-process form, read.
type NewProcess struct {
	Name, Aim, Governance, Schema string
	Languages                     []string
	Public                        bool
}

// processLangs are the languages the form offers.
var processLangs = []string{"en", "es", "it", "lv"}

// timelinePage is how many changes the workspace shows at a time.
const timelinePage = 20

// visible reports whether s (ok: signed in) may see v: a reader sees every
// process; a visitor the public ones and the finished ones' stories.
func visible(v ProcessView, signedIn bool) bool {
	if signedIn {
		return true
	}
	return v.Process != nil && (v.Process.Public || v.Process.Status == cp.Finished)
}

// takesPart reports whether this node takes part in v (hosts it or is an
// active participant) and v is not finished: it may propose changes.
func takesPart(v ProcessView) bool {
	return v.Process != nil && v.Process.Status != cp.Finished && (v.Local == "host" || v.Local == "participant")
}

// may reports whether this node may make a change needing right r on the
// item key ("" the whole process) of v, and the person's role allows it.
func may(r *http.Request, v ProcessView, right cp.Right, key string, role accounts.Role) bool {
	s, ok := sessionFrom(r.Context())
	return ok && s.user.Role.Allows(role) && takesPart(v) && v.Process.Can(v.Self, right, key)
}

// processPage reads the process of a page, or answers (404, or sign-in
// when the process is not public).
func (h ProcessPages) processPage(w http.ResponseWriter, r *http.Request, id string) (ProcessView, bool) {
	if h.d.Processes == nil {
		h.Error(w, r, http.StatusNotFound)
		return ProcessView{}, false
	}
	v, err := h.d.Processes.Get(r.Context(), id)
	if err != nil {
		h.processError(w, r, err)
		return ProcessView{}, false
	}
	if _, signedIn := sessionFrom(r.Context()); !visible(v, signedIn) {
		if _, ok := h.needRole(w, r, accounts.RoleReader); !ok {
			return ProcessView{}, false
		}
	}
	return v, true
}

func (h ProcessPages) processError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrNotFound) || errors.Is(err, cp.ErrNotFound) {
		h.Error(w, r, http.StatusNotFound)
		return
	}
	h.d.Logger.ErrorContext(r.Context(), "web: processes", "err", err)
	h.Error(w, r, http.StatusInternalServerError)
}

// changeMessage is the message a refused change shows beside its form, and
// the status of the page; "" for an error that is not the person's.
func changeMessage(loc *locale, err error) (string, int) {
	switch {
	case errors.Is(err, cp.ErrStale):
		return loc.T("process.error.stale"), http.StatusConflict
	case errors.Is(err, cp.ErrForbidden):
		return loc.T("process.error.forbidden"), http.StatusForbidden
	case errors.Is(err, cp.ErrInvalid):
		return loc.T("process.error.invalid"), http.StatusUnprocessableEntity
	case errors.Is(err, ErrHostUnavailable):
		return loc.T("process.error.host"), http.StatusBadGateway
	}
	return "", 0
}

// statusLabel names a status in words (never colour alone).
func statusLabel(loc *locale, s cp.Status) string {
	if s == "" {
		return loc.T("process.status.none")
	}
	return loc.T("process.status." + string(s))
}

// participantName is an entity's name as the process knows it.
func participantName(p *cp.Process, entity string) string {
	if p != nil {
		if x := p.Participant(entity); x != nil && x.Name != "" {
			return x.Name
		}
	}
	return strings.TrimPrefix(strings.TrimPrefix(entity, "https://"), "http://")
}

// atoiRange reads a whole number from lo to hi.
func atoiRange(s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi && strconv.Itoa(n) == s
}

// validDate accepts YYYY-MM-DD.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func validStatus(s string) bool { return slices.Contains(cp.Statuses, cp.Status(s)) }

// processPost checks a process form (the session, its CSRF token and the
// role, as postForm) and that this node runs co-production processes.
func (h ProcessPages) processPost(w http.ResponseWriter, r *http.Request, role accounts.Role) (session, bool) {
	s, ok := h.postForm(w, r, role)
	if ok && h.d.Processes == nil {
		h.Error(w, r, http.StatusNotFound)
		return session{}, false
	}
	return s, ok
}

// processRole is processPost for a form that checks its own CSRF token (a
// multipart upload): the session and the role only.
func (h ProcessPages) processRole(w http.ResponseWriter, r *http.Request, role accounts.Role) (session, bool) {
	s, ok := h.needRole(w, r, role)
	if ok && h.d.Processes == nil {
		h.Error(w, r, http.StatusNotFound)
		return session{}, false
	}
	return s, ok
}

// processPostOf checks a form that changes process id (the session, its
// CSRF token and the role, as postForm) and reads the process (processPage).
func (h ProcessPages) processPostOf(w http.ResponseWriter, r *http.Request, role accounts.Role, id string) (session, ProcessView, bool) {
	s, ok := h.postForm(w, r, role)
	if !ok {
		return session{}, ProcessView{}, false
	}
	pv, ok := h.processPage(w, r, id)
	return s, pv, ok
}
