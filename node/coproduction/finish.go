package coproduction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/storage"
)

// Services is what finishing needs of the catalogue (*catalogue.Service):
// drafting the co-produced public service (which starts the co-signing of
// every participant), and, on a participant, answering the co-sign request
// of a service its finished process drafted.
type Services interface {
	Create(ctx context.Context, e protocol.Entity) (protocol.Object, error)
	CosignRequests(ctx context.Context, status string) ([]storage.CosignRequest, error)
	CosignRequest(ctx context.Context, id string) (catalogue.CosignRequest, error)
	AnswerCosign(ctx context.Context, id string, approve bool, reason string) (storage.CosignRequest, error)
}

// Finished is what finishing came to: the ordered finish change and the
// drafts of the public service and of the story its participants co-sign.
type Finished struct {
	Result
	Service    string `json:"service"` // the service's identifier
	Draft      string `json:"draft,omitempty"`
	IRI        string `json:"iri,omitempty"`         // the service's IRI
	Story      string `json:"story,omitempty"`       // the story's IRI (a catalogue object linking the process)
	StoryDraft string `json:"story_draft,omitempty"` // the story's draft, while its co-signers sign
}

// Finish finishes a process this node hosts with its story: the finish
// change is ordered, then the story's CPSV-AP public service is drafted
// with every active participant as co-producer, and the story itself as a
// catalogue object (protocol.Story) linking the process and the service,
// with the same co-producers. Each participant's node co-signs both when
// it holds the finished process and the drafts say what its copy of the
// process says (ApprovePending); each is then published, signed by all of
// them, and federates like any other object.
func (s *Service) Finish(ctx context.Context, idOrIRI string, st cp.Story, person string) (Finished, error) {
	rec, err := s.record(ctx, idOrIRI)
	if err != nil {
		return Finished{}, err
	}
	if rec.Local != storage.LocalHost {
		return Finished{}, fmt.Errorf("%w: only the host finishes %s", ErrNotHost, rec.IRI)
	}
	if st.Service == "" {
		st.Service = "coproduced-" + strings.ToLower(ProcessID(rec.IRI))
	}
	data, err := json.Marshal(st)
	if err != nil {
		return Finished{}, err
	}
	res, err := s.Propose(ctx, rec.IRI, cp.Change{Op: cp.OpFinish, Person: person, Data: data})
	if err != nil {
		return Finished{}, err
	}
	f := Finished{Result: res, Service: st.Service}
	v, err := s.Get(ctx, rec.IRI)
	if err != nil {
		return f, err
	}
	// A process finished again after reopening keeps the service and the
	// story it published the first time.
	if f.IRI, err = s.published(ctx, protocol.KindPublicService, st.Service); err != nil {
		return f, err
	}
	if f.Story, err = s.published(ctx, protocol.KindStory, StoryKey(rec.IRI)); err != nil {
		return f, err
	}
	if f.IRI != "" && f.Story != "" {
		return f, nil
	}
	var ds *catalogue.DraftStarted
	var obj protocol.Object
	if f.IRI == "" {
		obj, err = s.d.Services.Create(ctx, serviceOf(v.Process))
	}
	switch {
	case f.IRI != "":
	case errors.As(err, &ds):
		f.Draft, f.IRI = ds.Draft.ID, ds.Draft.Object.IRI
	case err != nil:
		return f, fmt.Errorf("coproduction: draft the service of %s: %w", rec.IRI, err)
	default:
		f.IRI = obj.IRI // a process with the host alone: published at once
	}
	if f.Story != "" {
		return f, nil
	}
	history, err := s.timeline(ctx, rec.IRI, v.Changes)
	if err != nil {
		return f, err
	}
	sobj, err := s.d.Services.Create(ctx, storyOf(v.Process, history, f.IRI))
	switch {
	case errors.As(err, &ds):
		f.StoryDraft, f.Story = ds.Draft.ID, ds.Draft.Object.IRI
	case err != nil:
		return f, fmt.Errorf("coproduction: draft the story of %s: %w", rec.IRI, err)
	default:
		f.Story = sobj.IRI
	}
	return f, nil
}

// serviceOf is the public service a finished process drafts: the story's
// title and summary, the process's languages, every active participant as
// co-producer (the host, competent authority, first), the interlinkers used.
func serviceOf(p *cp.Process) *protocol.PublicService {
	langs := p.Languages
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	lang := langs[0]
	desc := p.Story.Summary
	if p.Story.Results != "" {
		desc += "\n\n" + p.Story.Results
	}
	if p.Story.Lessons != "" {
		desc += "\n\n" + p.Story.Lessons
	}
	desc += "\n\nCo-produced in " + p.IRI
	return &protocol.PublicService{Type: protocol.KindPublicService, Identifier: p.Story.Service,
		Title: protocol.Text{lang: p.Story.Title}, Description: protocol.Text{lang: desc}, CompetentAuthority: p.Host,
		Language: langs, CoproducedBy: p.Active(), UsesInterlinkers: p.Story.Interlinkers}
}

// ApprovePending co-signs the pending requests for the services and
// stories that a finished process this node takes part in drafted: from
// the process's host, a service with the story's identifier, title and
// description and the active participants as co-producers, or the story
// exactly as this node's copy of the process tells it (storyOf). Others are
// left to the node's admin.
func (s *Service) ApprovePending(ctx context.Context) (int, error) {
	reqs, err := s.d.Services.CosignRequests(ctx, "pending")
	if err != nil || len(reqs) == 0 {
		return 0, err
	}
	recs, err := s.d.Store.ListProcesses(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, q := range reqs {
		for _, r := range recs {
			if r.Local != storage.LocalParticipant || r.Host != q.Origin {
				continue
			}
			full, err := s.d.Store.Process(ctx, r.IRI)
			if err != nil {
				return n, err
			}
			p, err := state(full)
			if err != nil || p == nil || p.Status != cp.Finished || p.Story == nil {
				continue
			}
			cr, err := s.d.Services.CosignRequest(ctx, q.ID)
			if err != nil || cr.Body == nil {
				continue
			}
			if !sameService(cr.Body, serviceOf(p)) {
				// A story is checked against the process it names only: its
				// contributions are counted from that process's history.
				if storyProcess(cr.Body) != r.IRI {
					continue
				}
				history, err := s.timeline(ctx, r.IRI, full.Seq)
				if err != nil {
					return n, err
				}
				if !sameStory(cr.Body, storyOf(p, history, p.Story.Service), p.Host) {
					continue
				}
			}
			if _, err := s.d.Services.AnswerCosign(ctx, q.ID, true, ""); err != nil {
				return n, fmt.Errorf("coproduction: co-sign the service of %s: %w", r.IRI, err)
			}
			n++
			break
		}
	}
	return n, nil
}

// sameService reports whether a drafted body is the service want: the same
// identifier, title, description, authority and co-producers.
func sameService(body json.RawMessage, want *protocol.PublicService) bool {
	e, err := protocol.DecodeEntity(body)
	if err != nil {
		return false
	}
	got, ok := e.(*protocol.PublicService)
	if !ok {
		return false
	}
	return got.Identifier == want.Identifier && got.CompetentAuthority == want.CompetentAuthority &&
		mapsEqual(got.Title, want.Title) && mapsEqual(got.Description, want.Description) &&
		slices.Equal(got.CoproducedBy, want.CoproducedBy)
}

func mapsEqual(a, b protocol.Text) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// published is the IRI of this node's live object of kind with key, or ""
// when it has none.
func (s *Service) published(ctx context.Context, kind protocol.Kind, key string) (string, error) {
	iri, err := s.d.Objects.LookupKey(ctx, s.Self(), kind, key)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	return iri, err
}
