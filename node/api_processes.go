package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/node/coproduction"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// processesAPI serves /api/v1/processes: thin handlers over the
// co-production use cases (node/coproduction).
type processesAPI struct {
	web
	cop func() *coproduction.Service
}

func (h processesAPI) routes(api apiRoutes) {
	api.handle(http.MethodGet, "/processes", "processes.list", h.require(RoleReader, h.handleList))
	api.handle(http.MethodPost, "/processes", "processes.create", h.require(RoleEditor, h.handleCreate))
	api.handle(http.MethodPost, "/processes/join", "processes.join", h.require(RoleAdmin, h.handleJoin))
	api.handle(http.MethodPost, "/processes/import", "processes.import", h.require(RoleAdmin, h.handleImport))
	api.handle(http.MethodGet, "/processes/{id}", "processes.get", h.require(RoleReader, h.handleGet))
	api.handle(http.MethodGet, "/processes/{id}/history", "processes.history", h.require(RoleReader, h.handleHistory))
	api.handle(http.MethodGet, "/processes/{id}/export", "processes.export", h.require(RoleReader, h.handleExport))
	api.handle(http.MethodGet, "/processes/{id}/assets/{sha}", "processes.asset", h.require(RoleReader, h.handleAsset))
	api.handle(http.MethodPost, "/processes/{id}/invitations", "processes.invite", h.require(RoleAdmin, h.handleInvite))
	api.handle(http.MethodPost, "/processes/{id}/accept", "processes.accept", h.require(RoleAdmin, h.handleAnswer(true)))
	api.handle(http.MethodPost, "/processes/{id}/decline", "processes.decline", h.require(RoleAdmin, h.handleAnswer(false)))
	api.handle(http.MethodPost, "/processes/{id}/changes", "processes.change", h.require(RoleEditor, h.handleChange))
	api.handle(http.MethodPost, "/processes/{id}/tasks", "processes.task_add", h.require(RoleEditor, h.handleAddTask))
	api.handle(http.MethodPatch, "/processes/{id}/tasks/{task}", "processes.task_update", h.require(RoleEditor, h.handleUpdateTask))
	api.handle(http.MethodGet, "/processes/{id}/tasks/{task}/recommendations", "processes.task_recommend", h.require(RoleReader, h.handleRecommend))
	api.handle(http.MethodPost, "/processes/{id}/tasks/{task}/assets", "processes.asset_add", h.require(RoleEditor, h.handleAddAsset))
	api.handle(http.MethodDelete, "/processes/{id}/tasks/{task}/assets/{asset}", "processes.asset_remove", h.require(RoleEditor, h.handleRemoveAsset))
	api.handle(http.MethodPost, "/processes/{id}/finish", "processes.finish", h.require(RoleAdmin, h.handleFinish))
}

// processProblem names the co-production errors as problems; others pass.
func processProblem(err error) error {
	switch {
	case errors.Is(err, cp.ErrStale):
		return errorf(http.StatusConflict, "stale-change", "The item changed since the version you edited", "%v", err)
	case errors.Is(err, cp.ErrForbidden):
		return errorf(http.StatusForbidden, "change-forbidden", "The change is not permitted", "%v", err)
	case errors.Is(err, cp.ErrInvalid):
		return errorf(http.StatusUnprocessableEntity, "invalid-change", "The change is invalid", "%v", err)
	case errors.Is(err, cp.ErrNotFound), errors.Is(err, coproduction.ErrNoProcess):
		return errorf(http.StatusNotFound, "not-found", "Not found", "%v", err)
	case errors.Is(err, coproduction.ErrArchived):
		return errorf(http.StatusConflict, "process-archived", "The process is an archive", "%v", err)
	case errors.Is(err, coproduction.ErrNotHost):
		return errorf(http.StatusConflict, "not-host", "This node does not host the process", "%v", err)
	case errors.Is(err, cp.ErrHistory):
		return errorf(http.StatusBadGateway, "broken-history", "The process's history does not verify", "%v", err)
	case errors.Is(err, coproduction.ErrRefused), errors.Is(err, coproduction.ErrUnreachable):
		return errorf(http.StatusBadGateway, "host-unavailable", "The process's host did not take the change", "%v", err)
	}
	return err
}

func (h processesAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.writeProblem(w, r, processProblem(err))
}

func person(r *http.Request) string { return principal(r.Context()).Name }

func item(v coproduction.View) api.ProcessItem {
	return api.ProcessItem{ID: v.ID, IRI: v.IRI, Name: v.Name, Host: v.Host, Local: v.Local, Status: string(v.Status),
		Changes: v.Changes, Participants: v.Participants, Tasks: v.Tasks, Updated: v.Updated}
}

func (h processesAPI) handleList(w http.ResponseWriter, r *http.Request) {
	vs, err := h.cop().List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.ProcessList{Items: make([]api.ProcessItem, 0, len(vs))}
	for _, v := range vs {
		out.Items = append(out.Items, item(v))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h processesAPI) handleGet(w http.ResponseWriter, r *http.Request) {
	v, err := h.cop().Get(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.Process{ProcessItem: item(v), Story: v.Story}
	if v.Process != nil {
		if out.State, err = json.Marshal(v.Process); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h processesAPI) handleCreate(w http.ResponseWriter, r *http.Request) {
	var in api.ProcessCreate
	if err := h.decodeRequest(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.cop().Create(r.Context(), coproduction.CreateInput{Name: in.Name, Aim: in.Aim, Idea: in.Idea, Challenges: in.Challenges,
		Description: in.Description, Languages: in.Languages, Governance: cp.Governance(in.Governance), ProblemProfiles: in.ProblemProfiles,
		Schema: in.Schema, Public: in.Public}, person(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", res.Process)
	writeJSON(w, http.StatusCreated, changeResult(res))
}

func changeResult(res coproduction.Result) api.ChangeResult {
	return api.ChangeResult{Process: res.Process, Change: res.Change, Seq: res.Seq, Queued: res.Queued}
}

// writeResult answers a change: 200 when ordered, 202 when queued.
func (h processesAPI) writeResult(w http.ResponseWriter, r *http.Request, res coproduction.Result, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Queued {
		status = http.StatusAccepted
	}
	writeJSON(w, status, changeResult(res))
}

func (h processesAPI) handleJoin(w http.ResponseWriter, r *http.Request) {
	var in api.ProcessJoin
	if err := h.decodeRequest(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.cop().Request(r.Context(), in.Process, person(r))
	h.writeResult(w, r, res, err)
}

func (h processesAPI) handleInvite(w http.ResponseWriter, r *http.Request) {
	var in api.ProcessInvite
	if err := h.decodeRequest(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.cop().Invite(r.Context(), mux.Vars(r)["id"], in.Target, cp.Role(in.Role), person(r))
	h.writeResult(w, r, res, err)
}

func (h processesAPI) handleAnswer(accept bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res, err := h.cop().Answer(r.Context(), mux.Vars(r)["id"], accept, person(r))
		h.writeResult(w, r, res, err)
	}
}

func (h processesAPI) handleChange(w http.ResponseWriter, r *http.Request) {
	var in api.ProcessChange
	if err := h.decodeRequest(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	h.propose(w, r, cp.Change{Op: cp.Op(in.Op), Item: in.Item, Base: in.Base, Data: in.Data})
}

func (h processesAPI) propose(w http.ResponseWriter, r *http.Request, c cp.Change) {
	c.Person = person(r)
	res, err := h.cop().Propose(r.Context(), mux.Vars(r)["id"], c)
	h.writeResult(w, r, res, err)
}

// rawBody reads the request's JSON body as the change's data.
func (h processesAPI) rawBody(w http.ResponseWriter, r *http.Request) (json.RawMessage, bool) {
	raw, err := h.readJSON(w, r)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return raw, true
}

func (h processesAPI) handleAddTask(w http.ResponseWriter, r *http.Request) {
	var in api.ProcessTaskAdd
	if err := h.decodeRequest(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	h.propose(w, r, cp.Change{Op: cp.OpAddTask, Item: in.Objective, Data: in.Task})
}

func (h processesAPI) handleUpdateTask(w http.ResponseWriter, r *http.Request) {
	base, err := ifMatch(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if raw, ok := h.rawBody(w, r); ok {
		h.propose(w, r, cp.Change{Op: cp.OpUpdateTask, Item: mux.Vars(r)["task"], Base: base, Data: raw})
	}
}

func (h processesAPI) handleAddAsset(w http.ResponseWriter, r *http.Request) {
	if raw, ok := h.rawBody(w, r); ok {
		h.propose(w, r, cp.Change{Op: cp.OpAddAsset, Item: mux.Vars(r)["task"], Data: raw})
	}
}

func (h processesAPI) handleRemoveAsset(w http.ResponseWriter, r *http.Request) {
	data, _ := json.Marshal(cp.AssetRef{ID: mux.Vars(r)["asset"]})
	h.propose(w, r, cp.Change{Op: cp.OpRemoveAsset, Item: mux.Vars(r)["task"], Data: data})
}

func (h processesAPI) handleFinish(w http.ResponseWriter, r *http.Request) {
	var st cp.Story
	if err := h.decodeRequest(w, r, &st); err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := h.cop().Finish(r.Context(), mux.Vars(r)["id"], st, person(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ProcessFinished{ChangeResult: changeResult(f.Result), Service: f.Service, Draft: f.Draft, IRI: f.IRI,
		Story: f.Story, StoryDraft: f.StoryDraft})
}

func (h processesAPI) handleRecommend(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, limitParam(100))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	limit, err := q.limit(10)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	recs, err := h.cop().Recommend(r.Context(), mux.Vars(r)["id"], mux.Vars(r)["task"], limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": recs})
}

func (h processesAPI) handleHistory(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, processHistoryParams()...)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	after, _ := strconv.ParseUint(q.get("after"), 10, 64) // checked: absent is 0
	limit, err := q.limit(coproduction.HistoryLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.cop().Record(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, held, err := h.cop().Timeline(r.Context(), v.IRI, after, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := api.Timeline{Process: v.IRI, Changes: held, Items: make([]api.TimelineItem, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, api.TimelineItem{Seq: it.Seq, Op: string(it.Op), Item: it.Item, Author: it.Author, Person: it.Person,
			Change: it.Change, At: it.At, Host: it.Host})
	}
	writeJSON(w, http.StatusOK, out)
}

// processHistoryParams are the history's: after (a sequence number, 0:
// from the start) and limit (at most coproduction.HistoryLimit).
func processHistoryParams() []param {
	return []param{{name: "after", check: func(s string) *paramError {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || strconv.FormatUint(v, 10) != s {
			return &paramError{"range", fmt.Sprintf("after %q is not a sequence number (0 or more)", s)}
		}
		return nil
	}}, limitParam(coproduction.HistoryLimit)}
}

func (h processesAPI) handleExport(w http.ResponseWriter, r *http.Request) {
	b, err := h.cop().Export(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="process-`+mux.Vars(r)["id"]+`.json"`)
	_, _ = w.Write(b)
}

func (h processesAPI) handleAsset(w http.ResponseWriter, r *http.Request) {
	b, err := h.cop().Asset(r.Context(), mux.Vars(r)["sha"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment")
	_, _ = w.Write(b)
}

// maxImportBody caps a process bundle sent to POST /api/v1/processes/import
// (a process of 5,000 changes with small file assets fits).
const maxImportBody = 64 << 20

// handleImport keeps a verified process bundle as an archive: 201 when it
// added entries, 200 when every entry was held already.
func (h processesAPI) handleImport(w http.ResponseWriter, r *http.Request) {
	raw, err := readJSONBody(w, r, maxImportBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.cop().Import(r.Context(), raw)
	if err != nil {
		h.fail(w, r, importProblem(err))
		return
	}
	status := http.StatusOK
	if res.Added > 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, api.ProcessImported{Process: res.Process, ID: res.ID, Local: res.Local, Changes: res.Changes, Added: res.Added})
}

// importProblem names what refused a bundle: a fork of the history held
// (naming the entry), a process this node holds live, or a bundle that does
// not verify (its signatures, chain, rules or stated state).
func importProblem(err error) error {
	var ce *coproduction.ConflictError
	switch {
	case errors.As(err, &ce):
		return fieldError(http.StatusConflict, "bundle-conflict", "The bundle conflicts with the history held",
			fmt.Sprintf("entries[%d]", ce.Seq-1), "conflict", "%v", err)
	case errors.Is(err, coproduction.ErrHeld):
		return errorf(http.StatusConflict, "process-held", "This node holds the live process", "%v", err)
	case errors.Is(err, cp.ErrHistory), errors.Is(err, cp.ErrInvalid), errors.Is(err, cp.ErrForbidden), errors.Is(err, cp.ErrStale),
		errors.Is(err, cp.ErrNotFound):
		return errorf(http.StatusUnprocessableEntity, "invalid-bundle", "The bundle does not verify", "%v", err)
	}
	return err
}
