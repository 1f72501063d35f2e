package coproduction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/storage"
)

// CreateInput is what an initiator gives to start a process. Schema names
// a co-production schema in the catalogue (its key, such as "default", or
// its IRI) whose phases, objectives and tasks the process starts with.
type CreateInput struct {
	Name            string        `json:"name"`
	Aim             string        `json:"aim,omitempty"`
	Idea            string        `json:"idea,omitempty"`
	Challenges      string        `json:"challenges,omitempty"`
	Description     string        `json:"description,omitempty"`
	Languages       []string      `json:"languages,omitempty"`
	Governance      cp.Governance `json:"governance"`
	ProblemProfiles []string      `json:"problem_profiles,omitempty"`
	Schema          string        `json:"schema,omitempty"`
	Public          bool          `json:"public,omitempty"`
}

// Result is what a proposal came to: ordered now (Seq), or queued for a
// host that did not answer.
type Result struct {
	Process string `json:"process"`
	Change  string `json:"change"`
	Seq     uint64 `json:"seq,omitempty"`
	Queued  bool   `json:"queued,omitempty"`
}

// Create starts a process hosted by this node: its first entry creates it
// with the schema's tree, and this node is its initiator.
func (s *Service) Create(ctx context.Context, in CreateInput, person string) (Result, error) {
	init := cp.Init{Name: in.Name, Aim: in.Aim, Idea: in.Idea, Challenges: in.Challenges, Description: in.Description,
		Languages: in.Languages, Governance: in.Governance, ProblemProfiles: in.ProblemProfiles, Public: in.Public, HostName: s.d.Name}
	if in.Schema != "" {
		sc, iri, err := s.schema(ctx, in.Schema)
		if err != nil {
			return Result{}, err
		}
		init.Schema = iri
		init.Phases = instantiate(sc, in.Languages)
	}
	data, err := json.Marshal(init)
	if err != nil {
		return Result{}, err
	}
	iri := s.processIRI(s.d.IDs.New(s.d.Now()))
	jws, changeIRI, err := s.signChange(cp.Change{Process: iri, Op: cp.OpCreate, Person: person, Data: data})
	if err != nil {
		return Result{}, err
	}
	o, err := s.order(ctx, iri, jws, changeIRI)
	if err != nil {
		return Result{}, err
	}
	return Result{Process: iri, Change: o.Change, Seq: o.Seq}, nil
}

// schema finds a co-production schema by IRI or by key.
func (s *Service) schema(ctx context.Context, ref string) (*protocol.CoproductionSchema, string, error) {
	var objs []protocol.Object
	if strings.Contains(ref, "://") {
		o, err := s.d.Objects.Get(ctx, ref)
		if err != nil {
			return nil, "", fmt.Errorf("%w: schema %s: %w", cp.ErrNotFound, ref, err)
		}
		objs = append(objs, o)
	} else {
		after := ""
		for {
			page, next, err := s.d.Objects.List(ctx, storage.ListOptions{Filters: map[string][]string{"type": {string(protocol.KindCoproductionSchema)}}, After: after, Limit: 1000})
			if err != nil {
				return nil, "", err
			}
			objs = append(objs, page...)
			if next == "" {
				break
			}
			after = next
		}
	}
	for _, o := range objs {
		if o.Type != protocol.KindCoproductionSchema || (o.Key != ref && o.IRI != ref) {
			continue
		}
		e, err := protocol.DecodeEntity(o.Body)
		if err != nil {
			return nil, "", fmt.Errorf("schema %s: %w", o.IRI, err)
		}
		if sc, ok := e.(*protocol.CoproductionSchema); ok {
			return sc, o.IRI, nil
		}
	}
	return nil, "", fmt.Errorf("%w: no co-production schema %q in the catalogue", cp.ErrNotFound, ref)
}

// instantiate turns a schema into the process's tree, texts in the first
// of langs the schema has (else its preferred language).
func instantiate(sc *protocol.CoproductionSchema, langs []string) []*cp.Phase {
	text := func(t protocol.Text) string {
		for _, l := range langs {
			if v := strings.TrimSpace(t[l]); v != "" {
				return v
			}
		}
		return t.Preferred()
	}
	items := func(ps []protocol.Prerequisite) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Item)
		}
		return out
	}
	clip := func(s string, n int) string {
		if len(s) <= n {
			return s
		}
		return protocol.Clip(s, n)
	}
	var phases []*cp.Phase
	for _, ph := range sc.Phases {
		np := &cp.Phase{Key: ph.Key, Name: clip(text(ph.Name), cp.MaxName), Description: clip(text(ph.Description), cp.MaxText),
			Prerequisites: items(ph.Prerequisites), Objectives: []*cp.Objective{}}
		for _, o := range ph.Objectives {
			no := &cp.Objective{Key: o.Key, Name: clip(text(o.Name), cp.MaxName), Description: clip(text(o.Description), cp.MaxText),
				ProblemProfiles: o.ProblemProfiles, Prerequisites: items(o.Prerequisites), Tasks: []*cp.Task{}}
			for _, t := range o.Tasks {
				pps := t.ProblemProfiles
				if len(pps) == 0 {
					pps = o.ProblemProfiles
				}
				no.Tasks = append(no.Tasks, &cp.Task{Key: t.Key, Name: clip(text(t.Name), cp.MaxName), Description: clip(text(t.Description), cp.MaxText),
					ProblemProfiles: pps, Prerequisites: items(t.Prerequisites), Status: cp.Awaiting})
			}
			np.Objectives = append(np.Objectives, no)
		}
		phases = append(phases, np)
	}
	return phases
}

// Propose makes a change to a process as this node's organisation: the
// host orders it at once; a participant checks it against what it holds
// (a stale revision or a missing right is refused here), signs it and
// sends it to the host, or queues it durably when the host does not answer.
func (s *Service) Propose(ctx context.Context, idOrIRI string, c cp.Change) (Result, error) {
	rec, err := s.record(ctx, idOrIRI)
	if err != nil {
		return Result{}, err
	}
	c.Process = rec.IRI
	if rec.Local == storage.LocalArchived {
		return Result{}, fmt.Errorf("%w: %s", ErrArchived, rec.IRI)
	}
	if rec.Local == storage.LocalHost {
		jws, changeIRI, err := s.signChange(c)
		if err != nil {
			return Result{}, err
		}
		o, err := s.order(ctx, rec.IRI, jws, changeIRI)
		if err != nil {
			return Result{}, err
		}
		return Result{Process: rec.IRI, Change: o.Change, Seq: o.Seq}, nil
	}
	if rec.Local == storage.LocalLeft && c.Op != cp.OpRequest {
		return Result{}, fmt.Errorf("%w: this node no longer takes part in %s", cp.ErrForbidden, rec.IRI)
	}
	if p, err := state(rec); err != nil {
		return Result{}, err
	} else if p != nil {
		if err := s.precheck(p, c); err != nil {
			return Result{}, err
		}
	}
	jws, changeIRI, err := s.signChange(c)
	if err != nil {
		return Result{}, err
	}
	body, err := proposal(rec.IRI, s.d.URIs.Actor(), changeIRI, jws)
	if err != nil {
		return Result{}, err
	}
	res := Result{Process: rec.IRI, Change: changeIRI}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	status, answer, err := s.d.Transport.PostGroup(pctx, rec.Inbox, body)
	cancel()
	switch {
	case err == nil && status >= 200 && status < 300:
		var o Ordered
		if json.Unmarshal(answer, &o) == nil {
			res.Seq = o.Seq
		}
		if err := s.CatchUp(ctx, rec.IRI); err != nil {
			s.d.Logger.Debug("catch up after a proposal", "process", rec.IRI, "err", err)
		}
		return res, nil
	case err == nil && status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout:
		return Result{}, refusal(status, answer)
	}
	// Unreachable, or the host failed: queue it durably; the delivery
	// workers retry until the host takes it.
	if qerr := s.d.Queue.Enqueue(ctx, storage.Activity{IRI: changeIRI + "/propose", Type: "Create", Actor: s.d.URIs.Actor(),
		ObjectIRI: changeIRI, Body: body}, []string{rec.Inbox}); qerr != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrUnreachable, qerr)
	}
	s.d.Transport.Kick()
	res.Queued = true
	return res, nil
}

// precheck applies c to a copy of p as the next entry: what the host
// would refuse now is refused before anything is signed or sent.
func (s *Service) precheck(p *cp.Process, c cp.Change) error {
	q, err := cp.Clone(p)
	if err != nil {
		return err
	}
	_, err = cp.Apply(q, c, cp.Meta{Author: s.Self(), Seq: p.Seq + 1, At: s.d.Now(), AssetLimit: s.d.AssetLimit})
	return err
}

// refusal turns a host's problem answer into an error of the domain.
func refusal(status int, answer []byte) error {
	var pr struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(answer, &pr)
	detail := pr.Detail
	if detail == "" {
		detail = http.StatusText(status)
	}
	switch {
	case strings.HasSuffix(pr.Type, "/stale-change"):
		return fmt.Errorf("%w: the host says: %s", cp.ErrStale, detail)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: the host says: %s", cp.ErrForbidden, detail)
	case status == http.StatusNotFound:
		return fmt.Errorf("%w: the host says: %s", cp.ErrNotFound, detail)
	case status == http.StatusUnprocessableEntity || status == http.StatusBadRequest:
		return fmt.Errorf("%w: the host says: %s", cp.ErrInvalid, detail)
	}
	return fmt.Errorf("%w (%d): %s", ErrRefused, status, detail)
}

// Invite invites an organisation, named by its actor IRI or acct:name@host.
func (s *Service) Invite(ctx context.Context, idOrIRI, target string, role cp.Role, person string) (Result, error) {
	actor, err := s.d.Transport.ResolveActor(ctx, target)
	if err != nil {
		return Result{}, fmt.Errorf("%w: invite %q: %w", cp.ErrInvalid, target, err)
	}
	entity := originOf(actor)
	if entity == "" {
		return Result{}, fmt.Errorf("%w: %q is not an actor URL", cp.ErrInvalid, actor)
	}
	data, err := json.Marshal(cp.Invite{Entity: entity, Actor: actor, Role: role})
	if err != nil {
		return Result{}, err
	}
	return s.Propose(ctx, idOrIRI, cp.Change{Op: cp.OpInvite, Person: person, Data: data})
}

// Answer accepts (join) or declines an invitation this node received.
func (s *Service) Answer(ctx context.Context, idOrIRI string, accept bool, person string) (Result, error) {
	rec, err := s.record(ctx, idOrIRI)
	if err != nil {
		return Result{}, err
	}
	if rec.Local != storage.LocalInvited {
		return Result{}, fmt.Errorf("%w: this node has no pending invitation to %s", cp.ErrForbidden, rec.IRI)
	}
	op := cp.OpDecline
	if accept {
		op = cp.OpJoin
	}
	data, err := json.Marshal(cp.Invite{Entity: s.Self(), Actor: s.d.URIs.Actor(), Name: s.d.Name})
	if err != nil {
		return Result{}, err
	}
	return s.Propose(ctx, rec.IRI, cp.Change{Op: op, Person: person, Data: data})
}

// Request asks to join a public process hosted elsewhere: its history is
// fetched and verified, then the request is proposed to its host.
func (s *Service) Request(ctx context.Context, group, person string) (Result, error) {
	if err := s.invited(ctx, group, "", true); err != nil {
		return Result{}, err
	}
	data, err := json.Marshal(cp.Invite{Entity: s.Self(), Actor: s.d.URIs.Actor(), Name: s.d.Name})
	if err != nil {
		return Result{}, err
	}
	return s.Propose(ctx, group, cp.Change{Op: cp.OpRequest, Person: person, Data: data})
}

// View is a process as the API shows it.
type View struct {
	ID      string      `json:"id"`
	IRI     string      `json:"iri"`
	Local   string      `json:"local"`
	Changes uint64      `json:"changes"`
	Process *cp.Process `json:"process,omitempty"`
	// Story is the IRI of the story the finished process published in the
	// catalogue, once every participant co-signed it (Get only).
	Story string `json:"story,omitempty"`
	Summary
}

// Summary is what a listing shows of a process.
type Summary struct {
	Name         string    `json:"name"`
	Host         string    `json:"host"`
	Status       cp.Status `json:"status,omitempty"`
	Participants int       `json:"participants"`
	Tasks        int       `json:"tasks"`
	Updated      time.Time `json:"updated"`
}

func view(rec storage.ProcessRecord, p *cp.Process, full bool) View {
	v := View{ID: ProcessID(rec.IRI), IRI: rec.IRI, Local: rec.Local, Changes: rec.Seq,
		Summary: Summary{Name: rec.Name, Host: rec.Host, Updated: rec.Updated}}
	if p != nil {
		v.Status, v.Participants, v.Tasks = p.Status, len(p.Active()), p.TaskCount()
		if full {
			v.Process = p
		}
	}
	return v
}

// List lists the processes this node hosts, takes part in or is invited to.
func (s *Service) List(ctx context.Context) ([]View, error) {
	recs, err := s.d.Store.ListProcesses(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(recs))
	for _, r := range recs {
		full, err := s.d.Store.Process(ctx, r.IRI)
		if err != nil {
			return nil, err
		}
		p, err := state(full)
		if err != nil {
			return nil, err
		}
		out = append(out, view(full, p, false))
	}
	return out, nil
}

// Get returns a process with its whole state.
func (s *Service) Get(ctx context.Context, idOrIRI string) (View, error) {
	rec, err := s.record(ctx, idOrIRI)
	if err != nil {
		return View{}, err
	}
	p, err := state(rec)
	if err != nil {
		return View{}, err
	}
	v := view(rec, p, true)
	if p != nil && p.Story != nil {
		if iri, err := s.d.Objects.LookupKey(ctx, p.Host, protocol.KindStory, StoryKey(rec.IRI)); err == nil {
			v.Story = iri
		} else if !errors.Is(err, storage.ErrNotFound) {
			return View{}, err
		}
	}
	return v, nil
}

// Record returns the stored record of a process (for the group endpoints).
func (s *Service) Record(ctx context.Context, idOrIRI string) (storage.ProcessRecord, error) {
	return s.record(ctx, idOrIRI)
}

// TimelineItem is one entry as the timeline shows it: who signed what.
type TimelineItem struct {
	Seq    uint64    `json:"seq"`
	Op     cp.Op     `json:"op"`
	Item   string    `json:"item,omitempty"`
	Author string    `json:"author"`
	Person string    `json:"person,omitempty"`
	Change string    `json:"change"`
	At     time.Time `json:"at"`
	Host   string    `json:"host"`
}

// History returns up to limit entries after seq after (raw, host-signed)
// and the number held.
func (s *Service) History(ctx context.Context, idOrIRI string, after uint64, limit int) ([][]byte, uint64, error) {
	rec, err := s.record(ctx, idOrIRI)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > HistoryLimit {
		limit = HistoryLimit
	}
	return s.d.Store.History(ctx, rec.IRI, after, limit)
}

// Timeline decodes the entries after seq after (already verified when they
// were stored) into who signed what.
func (s *Service) Timeline(ctx context.Context, idOrIRI string, after uint64, limit int) ([]TimelineItem, uint64, error) {
	entries, held, err := s.History(ctx, idOrIRI, after, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]TimelineItem, 0, len(entries))
	for _, raw := range entries {
		it, err := timelineItem(raw)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, it)
	}
	return out, held, nil
}

// Asset returns a file asset's bytes by its hex SHA-256.
func (s *Service) Asset(ctx context.Context, hexHash string) ([]byte, error) {
	b, err := s.d.Store.Asset(ctx, hexHash)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: asset %s", cp.ErrNotFound, hexHash)
	}
	return b, err
}

// Recommend lists the interlinkers recommended for a task: those sharing
// its problem profiles (its objective's, when it has none).
func (s *Service) Recommend(ctx context.Context, idOrIRI, task string, limit int) (any, error) {
	v, err := s.Get(ctx, idOrIRI)
	if err != nil {
		return nil, err
	}
	if v.Process == nil {
		return nil, fmt.Errorf("%w: %s has no entries yet", cp.ErrNotFound, v.IRI)
	}
	t := v.Process.Task(task)
	if t == nil {
		return nil, fmt.Errorf("%w: task %q", cp.ErrNotFound, task)
	}
	return s.d.Catalogue.Recommend(ctx, t.ProblemProfiles, limit)
}

// Export returns the process as one bundle: its whole signed history and
// the state it folds to (cp.VerifyBundle checks it, offline too).
func (s *Service) Export(ctx context.Context, idOrIRI string) ([]byte, error) {
	rec, err := s.record(ctx, idOrIRI)
	if err != nil {
		return nil, err
	}
	p, err := state(rec)
	if err != nil {
		return nil, err
	}
	var all [][]byte
	for after := uint64(0); after < rec.Seq; {
		page, _, err := s.d.Store.History(ctx, rec.IRI, after, HistoryLimit)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after += uint64(len(page))
	}
	return cp.NewBundle(rec.IRI, all, p)
}
