package node

import (
	"net/http"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/node/catalogue"
	cp "github.com/interlink-project/interlink-node/protocol/coproduction"
)

// processOperations describes /api/v1/processes (api_processes.go routes):
// a change is answered 200 once the host ordered it, 202 when it is queued
// for a host that is away.
func processOperations() []apiOp {
	str := schema{"type": "string"}
	strs := schema{"type": "array", "items": str}
	date := schema{"type": "string", "description": "YYYY-MM-DD"}
	changed := []opAnswer{answer(http.StatusOK, jsonOf[api.ChangeResult]()), answer(http.StatusAccepted, jsonOf[api.ChangeResult]())}
	task := props("key", str, "name", str, "description", str, "problem_profiles", strs, "prerequisites", strs, "start", date, "end", date,
		"status", str, "progress", schema{"type": "integer", "minimum": 0, "maximum": 100}, "responsible", str, "interlinkers", strs)
	task["required"] = []any{"key", "name"}
	octets := &opBody{media: "application/octet-stream", schema: schema{"type": "string", "contentMediaType": "application/octet-stream"}}
	recs := jsonSchema(props("items", schema{"type": []any{"array", "null"}, "items": schemaRef(typeOf[catalogue.Recommendation]())}))
	return []apiOp{
		{method: "GET", path: "/processes", name: "processes.list", role: RoleReader, summary: "The co-production processes this node hosts, takes part in or is invited to",
			ok: []opAnswer{answer(200, jsonOf[api.ProcessList]())}},
		{method: "POST", path: "/processes", name: "processes.create", role: RoleEditor, summary: "Start a process (hosted here) from a co-production schema",
			body: jsonOf[api.ProcessCreate](), ok: []opAnswer{answer(201, jsonOf[api.ChangeResult]())}},
		{method: "POST", path: "/processes/join", name: "processes.join", role: RoleAdmin, summary: "Ask to join a public process hosted elsewhere",
			body: jsonOf[api.ProcessJoin](), ok: changed},
		{method: "POST", path: "/processes/import", name: "processes.import", role: RoleAdmin, summary: "Import a process bundle (verified whole: signatures with their chains, prev chain, rules, state) as an archive this node holds read-only; 201 when it added entries, 200 when all were held; 409 bundle-conflict, process-held; 422 invalid-bundle",
			body: jsonOf[cp.Bundle](), ok: []opAnswer{answer(201, jsonOf[api.ProcessImported]()), answer(200, jsonOf[api.ProcessImported]())}},
		{method: "GET", path: "/processes/{id}", name: "processes.get", role: RoleReader, summary: "A process with its whole state (participants, tree, contributions, story)",
			ok: []opAnswer{answer(200, jsonOf[api.Process]())}},
		{method: "GET", path: "/processes/{id}/history", name: "processes.history", role: RoleReader, summary: "The signed changes of a process, in order: who signed what and when",
			query: processHistoryParams(), ok: []opAnswer{answer(200, jsonOf[api.Timeline]())}},
		{method: "GET", path: "/processes/{id}/export", name: "processes.export", role: RoleReader, summary: "The process as one bundle: its host-signed history and state (verifies offline)",
			ok: []opAnswer{answer(200, jsonOf[cp.Bundle]())}},
		{method: "GET", path: "/processes/{id}/assets/{sha}", name: "processes.asset", role: RoleReader, summary: "A file asset by its hex SHA-256",
			ok: []opAnswer{answer(200, octets)}},
		{method: "POST", path: "/processes/{id}/invitations", name: "processes.invite", role: RoleAdmin, summary: "Invite an organisation (actor IRI or acct:name@host)",
			body: jsonOf[api.ProcessInvite](), ok: changed},
		{method: "POST", path: "/processes/{id}/accept", name: "processes.accept", role: RoleAdmin, summary: "Accept an invitation received", ok: changed},
		{method: "POST", path: "/processes/{id}/decline", name: "processes.decline", role: RoleAdmin, summary: "Decline an invitation received", ok: changed},
		{method: "POST", path: "/processes/{id}/changes", name: "processes.change", role: RoleEditor, summary: "Propose any change (op, item, base revision, data)",
			body: jsonOf[api.ProcessChange](), ok: changed},
		{method: "POST", path: "/processes/{id}/tasks", name: "processes.task_add", role: RoleEditor, summary: "Add a task to an objective",
			body: jsonSchema(schema{"type": "object", "required": []any{"objective", "task"}, "properties": schema{"objective": str, "task": task}}), ok: changed},
		{method: "PATCH", path: "/processes/{id}/tasks/{task}", name: "processes.task_update", role: RoleEditor, summary: "Change a task (If-Match: the task's revision the change was made against)",
			body: jsonOf[cp.TaskPatch](), ok: changed},
		{method: "GET", path: "/processes/{id}/tasks/{task}/recommendations", name: "processes.task_recommend", role: RoleReader, summary: "Interlinkers recommended for a task's problem profiles",
			query: []param{limitParam(100)}, ok: []opAnswer{answer(200, recs)}},
		{method: "POST", path: "/processes/{id}/tasks/{task}/assets", name: "processes.asset_add", role: RoleEditor, summary: "Add an asset to a task: a link, or a small file (content in base64)",
			body: jsonOf[cp.AssetData](), ok: changed},
		{method: "DELETE", path: "/processes/{id}/tasks/{task}/assets/{asset}", name: "processes.asset_remove", role: RoleEditor, summary: "Remove an asset from a task", ok: changed},
		{method: "POST", path: "/processes/{id}/finish", name: "processes.finish", role: RoleAdmin, summary: "Finish the process with its story; drafts the public service every participant co-signs",
			body: jsonOf[cp.Story](), ok: []opAnswer{answer(200, jsonOf[api.ProcessFinished]())}},
	}
}
