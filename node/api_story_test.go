package node

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"
)

// TestProcessFinishPublishesStory finishes a process of three organisations
// with a task worked on by two of them: besides the service, the host drafts
// the story (the participants with their contributions, the interlinkers
// used, the process), each participant's node co-signs both on its own, and
// every node holds the story, signed by all three, verified and found by
// search; the process links its story.
func TestProcessFinishPublishesStory(t *testing.T) {
	host, b, c := startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1"), startFed(t, "127.0.0.1")
	r := host.postJSON("/api/v1/processes", host.admin, map[string]any{"name": "Orti condivisi", "governance": "government-plus-citizen",
		"aim": "Gardens run with the neighbourhood", "languages": []string{"it", "en"}})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	iri := r.json(t)["process"].(string)
	id := iri[len(iri)-26:]
	host.change(t, id, map[string]any{"op": "add-phase", "data": map[string]any{"key": "engage", "name": "Engage"}}, 200)
	host.change(t, id, map[string]any{"op": "add-objective", "item": "engage", "data": map[string]any{"key": "map", "name": "Map the needs"}}, 200)
	for _, p := range []*testNode{b, c} {
		if r := host.postJSON("/api/v1/processes/"+id+"/invitations", host.admin, map[string]any{"target": p.actor()}); r.status != 200 {
			t.Fatalf("invite: %d %s", r.status, r.body)
		}
	}
	for _, p := range []*testNode{b, c} {
		eventually(t, 10*time.Second, "the invitation arrives", func() bool { return p.processes(t)[iri].Local == "invited" })
		if r := p.postJSON("/api/v1/processes/"+id+"/accept", p.admin, nil); r.status != 200 {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
		p.follow(t, host) // co-sign requests and publications of the host
	}
	const interlinker = "https://catalogue.example/objects/01HQ7Z8X9Y0ABCDEFGHJKMNPQR"
	b.change(t, id, map[string]any{"op": "add-task", "item": "map", "data": map[string]any{"key": "survey", "name": "Survey",
		"interlinkers": []string{interlinker}}}, 200)
	eventually(t, 10*time.Second, "c holds the task", func() bool { return c.processes(t)[iri].Changes == 8 })
	c.change(t, id, map[string]any{"op": "update-task", "item": "survey", "data": map[string]any{"status": "finished", "progress": 100}}, 200)
	eventually(t, 10*time.Second, "the host holds every change", func() bool { return host.processes(t)[iri].Changes == 9 })

	r = host.postJSON("/api/v1/processes/"+id+"/finish", host.admin, map[string]any{"title": "Orti condivisi di Santa Croce",
		"summary": "Quattro orti aperti con i vicini", "lessons": "Cominciare dai vicini", "materials": []string{"https://files.example/piano.pdf"}})
	if r.status != 200 {
		t.Fatalf("finish: %d %s", r.status, r.body)
	}
	f := r.json(t)
	story, svc := f["story"].(string), f["iri"].(string)
	if story == "" || svc == "" || f["story_draft"] == nil {
		t.Fatalf("finish drafted no story: %s", r.body)
	}
	for _, n := range []*testNode{host, b, c} {
		eventually(t, 30*time.Second, "the story is held signed by all three", func() bool {
			status, m := n.object(story)
			if status != 200 {
				return false
			}
			v, _ := m["verification"].(map[string]any)
			signers, _ := v["signers"].([]any)
			return len(signers) == 3 && v["status"] != "invalid"
		})
		eventually(t, 10*time.Second, "the service is held signed by all three", func() bool {
			status, m := n.object(svc)
			v, _ := m["verification"].(map[string]any)
			signers, _ := v["signers"].([]any)
			return status == 200 && len(signers) == 3
		})
		s := n.get("/api/v1/search?q=" + url.QueryEscape("orti vicini") + "&type=Story").json(t)
		items, _ := s["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["iri"] != story {
			t.Fatalf("%s: search for the story: %v", n.url, s)
		}
	}
	_, m := b.object(story)
	var body struct {
		Process, Service, Governance string
		Participants                 []struct {
			Organisation, Role string
			Contributions      []struct {
				Changes int
				Kinds   map[string]int
			}
		}
		Interlinkers, Materials []string
		Lessons                 map[string]string
	}
	raw, _ := json.Marshal(m["body"])
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.Process != iri || body.Service != svc || body.Governance != "government-plus-citizen" || len(body.Participants) != 3 ||
		!slices.Equal(body.Interlinkers, []string{interlinker}) || body.Lessons["it"] != "Cominciare dai vicini" ||
		!slices.Equal(body.Materials, []string{"https://files.example/piano.pdf"}) {
		t.Fatalf("story body: %s", raw)
	}
	if p := body.Participants[0]; p.Organisation != host.url || p.Role != "initiator" || p.Contributions[0].Kinds["finish"] != 1 ||
		p.Contributions[0].Kinds["invite"] != 2 {
		t.Fatalf("the host's part: %+v", p)
	}
	if p := body.Participants[1]; p.Organisation != b.url || p.Contributions[0].Kinds["add-task"] != 1 || p.Contributions[0].Kinds["join"] != 1 {
		t.Fatalf("b's part: %+v", p)
	}
	for _, n := range []*testNode{host, b, c} {
		eventually(t, 10*time.Second, "the process links its story", func() bool {
			v, err := n.n.live.coproduction().Get(context.Background(), iri)
			return err == nil && v.Story == story
		})
	}
	// Reopened and finished again, the process keeps what it published.
	host.change(t, id, map[string]any{"op": "update-process", "data": map[string]any{"status": "in_progress"}}, 200)
	r = host.postJSON("/api/v1/processes/"+id+"/finish", host.admin, map[string]any{"title": "Again", "summary": "Again"})
	if r.status != 200 {
		t.Fatalf("finish again: %d %s", r.status, r.body)
	}
	if f := r.json(t); f["story"] != story || f["iri"] != svc || f["draft"] != nil || f["story_draft"] != nil {
		t.Fatalf("finish again answered %s", r.body)
	}
}
