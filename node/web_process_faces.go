package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/node/coproduction"
	webui "github.com/interlink-project/interlink-node/node/web"
	"github.com/interlink-project/interlink-node/protocol"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
	"github.com/interlink-project/interlink-node/storage"
)

// webProcesses is what the process pages use (webui.Processes): the
// co-production use cases the processes API runs, and the co-production
// schemas of the catalogue a process may start from.
type webProcesses struct{ n *Node }

func (f webProcesses) cop() *coproduction.Service { return f.n.live.coproduction() }

// processErr marks the use cases' errors for the pages.
func processErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, coproduction.ErrNoProcess):
		return fmt.Errorf("%w: %w", webui.ErrNotFound, err)
	case errors.Is(err, coproduction.ErrRefused), errors.Is(err, coproduction.ErrUnreachable), errors.Is(err, coproduction.ErrNotHost):
		return fmt.Errorf("%w: %w", webui.ErrHostUnavailable, err)
	}
	return err
}

func (f webProcesses) view(v coproduction.View) webui.ProcessView {
	return webui.ProcessView{ID: v.ID, IRI: v.IRI, Name: v.Name, Host: v.Host, Local: v.Local, Story: v.Story, Self: f.cop().Self(), Changes: v.Changes,
		Updated: v.Updated, Process: v.Process}
}

func (f webProcesses) List(ctx context.Context) ([]webui.ProcessView, error) {
	vs, err := f.cop().List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]webui.ProcessView, 0, len(vs))
	for _, v := range vs {
		full, err := f.cop().Get(ctx, v.IRI) // the listing's summary lacks the aim, publicity and story
		if err != nil {
			return nil, processErr(err)
		}
		out = append(out, f.view(full))
	}
	return out, nil
}

func (f webProcesses) Get(ctx context.Context, id string) (webui.ProcessView, error) {
	v, err := f.cop().Get(ctx, id)
	if err != nil {
		return webui.ProcessView{}, processErr(err)
	}
	return f.view(v), nil
}

func (f webProcesses) Timeline(ctx context.Context, id string, after uint64, limit int) ([]webui.ProcessChange, uint64, error) {
	items, held, err := f.cop().Timeline(ctx, id, after, limit)
	if err != nil {
		return nil, 0, processErr(err)
	}
	out := make([]webui.ProcessChange, 0, len(items))
	for _, it := range items {
		out = append(out, webui.ProcessChange{Seq: it.Seq, Op: string(it.Op), Item: it.Item, Author: it.Author, Person: it.Person, Host: it.Host, At: it.At})
	}
	return out, held, nil
}

func (f webProcesses) Recommend(ctx context.Context, id, task string, limit int) ([]catalogue.Recommendation, error) {
	recs, err := f.cop().Recommend(ctx, id, task, limit)
	if err != nil {
		return nil, processErr(err)
	}
	out, _ := recs.([]catalogue.Recommendation)
	return out, nil
}

func (f webProcesses) Asset(ctx context.Context, sha string) ([]byte, error) {
	b, err := f.cop().Asset(ctx, sha)
	return b, processErr(err)
}

func (f webProcesses) Schemas(ctx context.Context) ([]webui.SchemaChoice, error) {
	var out []webui.SchemaChoice
	after := ""
	for {
		page, next, err := f.n.live.store().List(ctx, storage.ListOptions{Filters: map[string][]string{"type": {string(protocol.KindCoproductionSchema)}}, After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			name := o.Key
			if e, err := protocol.DecodeEntity(o.Body); err == nil {
				if sc, ok := e.(*protocol.CoproductionSchema); ok {
					if n := sc.Name.Preferred(); n != "" {
						name = n
					}
				}
			}
			out = append(out, webui.SchemaChoice{Ref: o.IRI, Name: name})
		}
		if next == "" {
			return out, nil
		}
		after = next
	}
}

func (f webProcesses) Create(ctx context.Context, in webui.NewProcess, person string) (string, error) {
	res, err := f.cop().Create(ctx, coproduction.CreateInput{Name: in.Name, Aim: in.Aim, Languages: in.Languages,
		Governance: cp.Governance(in.Governance), Schema: in.Schema, Public: in.Public}, person)
	if err != nil {
		return "", processErr(err)
	}
	return coproduction.ProcessID(res.Process), nil
}

func (f webProcesses) Invite(ctx context.Context, id, target, person string) (bool, error) {
	res, err := f.cop().Invite(ctx, id, target, cp.CoProducer, person)
	return res.Queued, processErr(err)
}

func (f webProcesses) Answer(ctx context.Context, id string, accept bool, person string) (bool, error) {
	res, err := f.cop().Answer(ctx, id, accept, person)
	return res.Queued, processErr(err)
}

func (f webProcesses) UpdateTask(ctx context.Context, id, task string, base uint64, patch cp.TaskPatch, person string) (bool, error) {
	data, err := json.Marshal(patch)
	if err != nil {
		return false, err
	}
	res, err := f.cop().Propose(ctx, id, cp.Change{Op: cp.OpUpdateTask, Item: task, Base: base, Data: data, Person: person})
	return res.Queued, processErr(err)
}

func (f webProcesses) AddAsset(ctx context.Context, id, task string, a cp.AssetData, person string) (bool, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	res, err := f.cop().Propose(ctx, id, cp.Change{Op: cp.OpAddAsset, Item: task, Data: data, Person: person})
	return res.Queued, processErr(err)
}

func (f webProcesses) Propose(ctx context.Context, id string, c cp.Change) (bool, error) {
	res, err := f.cop().Propose(ctx, id, c)
	return res.Queued, processErr(err)
}

func (f webProcesses) Request(ctx context.Context, iri, person string) (bool, error) {
	res, err := f.cop().Request(ctx, iri, person)
	return res.Queued, processErr(err)
}

func (f webProcesses) Finish(ctx context.Context, id string, st cp.Story, person string) error {
	res, err := f.cop().Finish(ctx, id, st, person)
	if err != nil && res.Seq != 0 { // the finish change is ordered; the service's draft failed
		return fmt.Errorf("%w: %w", webui.ErrNotDrafted, err)
	}
	return processErr(err)
}

// AssetLimit is the cap the node's co-production service applies
// (processes.asset_limit). The domain checks it again on every change.
func (f webProcesses) AssetLimit() int { return int(f.n.cfg.Processes.AssetLimit) }

// Service finds the public service a finished process drafted: published
// (stored here under the host's origin and the story's identifier), else
// the draft this node (the host) started, else the co-signing request
// this node (a participant) received for it.
func (f webProcesses) Service(ctx context.Context, v webui.ProcessView) (webui.ServiceStatus, error) {
	p := v.Process
	if p == nil || p.Story == nil || p.Story.Service == "" {
		return webui.ServiceStatus{}, nil
	}
	st := f.n.live.store()
	iri, err := st.LookupKey(ctx, p.Host, protocol.KindPublicService, p.Story.Service)
	switch {
	case err == nil:
		o, err := st.Get(ctx, iri)
		if err != nil {
			return webui.ServiceStatus{}, err
		}
		return webui.ServiceStatus{State: "published", Href: "/objects/" + o.ID, Status: "published"}, nil
	case !errors.Is(err, storage.ErrNotFound):
		return webui.ServiceStatus{}, err
	}
	cat := f.n.live.catalogue()
	if v.Local == storage.LocalHost {
		drafts, err := cat.Drafts(ctx, "")
		if err != nil {
			return webui.ServiceStatus{}, err
		}
		for i := len(drafts) - 1; i >= 0; i-- { // the latest draft of it
			d := drafts[i]
			if d.Object.Type == protocol.KindPublicService && d.Object.Key == p.Story.Service {
				return webui.ServiceStatus{State: "draft", Href: "/cosign", Status: d.Status, Signed: len(d.Signed), Signers: len(d.Cosigners)}, nil
			}
		}
		return webui.ServiceStatus{}, nil
	}
	reqs, err := cat.CosignRequests(ctx, "")
	if err != nil {
		return webui.ServiceStatus{}, err
	}
	for _, q := range reqs {
		if q.Origin != p.Host {
			continue
		}
		cr, err := cat.CosignRequest(ctx, q.ID)
		if err != nil || cr.Body == nil {
			continue
		}
		if e, err := protocol.DecodeEntity(cr.Body); err == nil {
			if svc, ok := e.(*protocol.PublicService); ok && svc.Identifier == p.Story.Service {
				return webui.ServiceStatus{State: "request", Href: "/cosign/" + q.ID, Status: q.Status}, nil
			}
		}
	}
	return webui.ServiceStatus{}, nil
}
