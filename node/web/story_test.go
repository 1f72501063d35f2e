package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// TestStoryPage: a story's page shows its parts in the reader's language,
// the process it comes from, the service it produced and the interlinkers
// it used (linked here when this node holds them), and every participant
// with its role and contributions.
func TestStoryPage(t *testing.T) {
	f := newFixture(t)
	il := f.put(t, testInterlinker("canvas"))
	st := f.putRemote(t, "https://re.example", &protocol.Story{Type: protocol.KindStory, Key: "story-01m985aaaaaaaaaaaaaaaaaaaa",
		Title: protocol.Text{"it": "Orti condivisi", "en": "Shared gardens"}, Summary: protocol.Text{"it": "Quattro orti", "en": "Four gardens"},
		Objectives: protocol.Text{"it": "Orti per tutti"}, Results: protocol.Text{"it": "Aperti", "en": "Opened"},
		Lessons:   protocol.Text{"en": "Start small"},
		Materials: []string{"https://files.example/report.pdf"},
		Process:   "https://re.example/processes/01M985AAAAAAAAAAAAAAAAAAAA", Service: "coproduced-01m985aaaaaaaaaaaaaaaaaaaa",
		Governance: "government-plus-citizen", Languages: []string{"it", "en"},
		Participants: []protocol.StoryParticipant{
			{Organisation: "https://re.example", Name: "Comune di Reggio Emilia", Role: "initiator",
				Contributions: []protocol.StoryContribution{{Person: "anna", Changes: 3, Kinds: map[string]int{"invite": 1, "update-task": 2}}}},
			{Organisation: "https://civic.example", Role: "co-producer", Contributions: []protocol.StoryContribution{{Changes: 1, Kinds: map[string]int{"join": 1}}}},
		},
		Interlinkers: []string{il.IRI, "https://elsewhere.example/objects/9"}})
	w := f.do(t, http.MethodGet, "/objects/"+idOf(st)+"?lang=it", nil, nil)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, body)
	}
	for _, want := range []string{"<h1>Orti condivisi</h1>", "Come è stato coprodotto", "<h3>Obiettivi</h3>", "Orti per tutti",
		`<p class="desc" lang="en">Start small</p>`, `href="https://re.example/processes/01M985AAAAAAAAAAAAAAAAAAAA"`,
		"coproduced-01m985aaaaaaaaaaaaaaaaaaaa", "Amministrazione con i cittadini", "<strong>Comune di Reggio Emilia</strong> · Promotore",
		"anna: 3 modifiche firmate", "update-task: 2, invite: 1", "l&#39;organizzazione stessa: 1 modifiche firmate",
		`<a href="/objects/` + idOf(il) + `">Strumento canvas</a>`, `<a href="https://elsewhere.example/objects/9">`,
		`<a href="https://files.example/report.pdf">`} {
		if !strings.Contains(body, want) {
			t.Errorf("story page lacks %q", want)
		}
	}
	if strings.Contains(body, `<span class="chip">government-plus-citizen</span>`) {
		t.Errorf("the governance model is shown as a raw tag beside its localised name")
	}
	if strings.Count(body, "Aperti") != 1 {
		t.Errorf("the results are shown %d times, want once (not again in the summary)", strings.Count(body, "Aperti"))
	}
}

// putRemote stores e as version 1 of an object of another node's, as if it
// had arrived from origin.
func (f fixture) putRemote(t *testing.T, origin string, e protocol.Entity) protocol.Object {
	t.Helper()
	body, err := protocol.EncodeEntity(e)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	id := (&protocol.ULIDSource{}).New(now)
	obj := protocol.Object{Meta: protocol.Meta{IRI: origin + "/objects/" + id, ID: id, Type: e.Kind(), Version: 1, Origin: origin,
		Key: e.NaturalKey(), Created: now, Updated: now, Actor: origin + "/actor"}, Body: body}
	if _, err := f.st.Apply(context.Background(), storage.WriteOp{Object: obj, Remote: true}); err != nil {
		t.Fatal(err)
	}
	return obj
}
