package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// put creates e through the catalogue and returns its object.
func (f fixture) put(t *testing.T, e protocol.Entity) protocol.Object {
	t.Helper()
	obj, err := f.cat.Create(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func testInterlinker(key string, pps ...string) *protocol.Interlinker {
	return &protocol.Interlinker{Type: protocol.KindInterlinker, Key: key, Nature: "knowledge",
		Name:        protocol.Text{"en": "Tool " + key, "it": "Strumento " + key},
		Description: protocol.Text{"en": "Helps with " + key, "it": "Aiuta con " + key}, ProblemProfiles: pps}
}

func idOf(obj protocol.Object) string { return obj.IRI[strings.LastIndexByte(obj.IRI, '/')+1:] }

func TestObjectProvenanceInWords(t *testing.T) {
	f := newFixture(t)
	obj := f.put(t, testInterlinker("canvas"))
	checked := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		v          *protocol.Verification
		lang, want string
		reason     bool
	}{
		{&protocol.Verification{Status: protocol.Unverified, Checked: checked,
			Reason: "trustchain: http://node.test: http://node.test: trust chain does not end at a pinned anchor: not a pinned anchor, and it names no authority"},
			"en", "This node trusts no anchor yet", true},
		{&protocol.Verification{Status: protocol.Unverified, Checked: checked,
			Reason: `trustchain: https://a.example: content key "k1" signed at 2025-01-01T00:00:00Z, first seen 2025-01-02T00:00:00Z: entity revoked by its superior at 2025-01-01T12:00:00Z`},
			"es", "ha sido revocada", true},
		{&protocol.Verification{Status: protocol.Verified, Checked: checked, Signers: []protocol.SignerInfo{{EntityID: "https://a.example",
			Name: "Comune di Prova", Country: "IT", Anchor: "https://anchor.example", Path: []string{"https://a.example", "https://mid.example", "https://anchor.example"}}}},
			"en", "Signed by Comune di Prova (Italy), vouched for by https://mid.example, up to the trust anchor https://anchor.example.", false},
		{&protocol.Verification{Status: protocol.Verified, Checked: checked, Signers: []protocol.SignerInfo{{EntityID: "https://a.example",
			Name: "Comune di Prova", Country: "IT", Anchor: "https://anchor.example", Path: []string{"https://a.example", "https://anchor.example"}}}},
			"it", "Firmato da Comune di Prova (Italia), garantito direttamente dall&#39;ancora di fiducia https://anchor.example.", false},
	} {
		if err := f.st.SetVerification(context.Background(), obj.IRI, obj.Version, c.v); err != nil {
			t.Fatal(err)
		}
		w := f.do(t, http.MethodGet, "/objects/"+idOf(obj)+"?lang="+c.lang, nil, nil)
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, c.want) {
			t.Fatalf("%s: %d, want %q in %s", c.lang, w.Code, c.want, body)
		}
		if got := strings.Contains(body, "<details>"); got != c.reason {
			t.Errorf("%s: technical details shown %v, want %v", c.lang, got, c.reason)
		}
		if c.reason && !strings.Contains(body, `<p class="mono" lang="en">`+strings.ReplaceAll(c.v.Reason[:20], `"`, "&#34;")) {
			t.Errorf("%s: the technical reason is not kept: %s", c.lang, body)
		}
	}
}

// fakeTrust "signs" locally and publishes nowhere: the pages only read.
type fakeTrust struct{}

func (fakeTrust) Kick() {}

func (fakeTrust) SignLocal(context.Context, protocol.Object, []byte) ([]byte, *protocol.Verification, error) {
	return []byte(`{}`), &protocol.Verification{Status: protocol.Unverified}, nil
}

func testSchema() *protocol.CoproductionSchema {
	return &protocol.CoproductionSchema{Type: protocol.KindCoproductionSchema, Key: "default",
		Name: protocol.Text{"en": "Default schema", "es": "Esquema por defecto"}, Description: protocol.Text{"en": "The usual way"},
		Phases: []protocol.Phase{{Key: "phase-engage", Name: protocol.Text{"en": "Engage", "es": "Involucrar"},
			Objectives: []protocol.Objective{{Key: "obj-1", Name: protocol.Text{"en": "Know the context"}, ProblemProfiles: []string{"PP_1"},
				Tasks: []protocol.Task{
					{Key: "task-a", Name: protocol.Text{"en": "Map the actors", "es": "Mapear los actores"}}, // the objective's profiles
					{Key: "task-b", Name: protocol.Text{"en": "Write the plan"}, ProblemProfiles: []string{"PP_2"}},
				}}}}}}
}

func testProfile(key string) *protocol.ProblemProfile {
	return &protocol.ProblemProfile{Type: protocol.KindProblemProfile, Key: key,
		Name: protocol.Text{"en": "Problem " + key, "es": "Problema " + key}, Description: protocol.Text{"en": "About " + key}}
}

func TestSchemaPage(t *testing.T) {
	f := newFixture(t)
	a := f.put(t, testInterlinker("actors", "PP_1"))
	b := f.put(t, testInterlinker("planner", "PP_2"))
	pp := f.put(t, testProfile("PP_2"))
	sc := f.put(t, testSchema())
	w := f.do(t, http.MethodGet, "/objects/"+idOf(sc)+"?lang=es", nil, nil)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, body)
	}
	for _, want := range []string{
		`<h2 id="h-phases">Fases, objetivos y tareas</h2>`,
		`<h3>Involucrar</h3>`,
		`<li lang="en"><h4>Know the context</h4>`, // no Spanish name: marked as English
		`<h5>Mapear los actores</h5>`,
		`<a href="/objects/` + idOf(a) + `" lang="en">Tool actors</a>`,  // task-a: the objective's PP_1
		`<a href="/objects/` + idOf(b) + `" lang="en">Tool planner</a>`, // task-b: its own PP_2
	} {
		if !strings.Contains(body, want) {
			t.Errorf("schema page lacks %q", want)
		}
	}
	// headings in order: h1, h2, h3, h4, h5, never skipping a level
	if i, j := strings.Index(body, "<h4>"), strings.Index(body, "<h5>"); i < 0 || j < i {
		t.Errorf("headings out of order")
	}
	if strings.Index(body, "/objects/"+idOf(b)) < strings.Index(body, "Write the plan") {
		t.Errorf("task-b's recommendation is not under it")
	}
	_ = pp
}

func TestProblemProfilePage(t *testing.T) {
	f := newFixture(t)
	a := f.put(t, testInterlinker("actors", "PP_1"))
	f.put(t, testInterlinker("other", "PP_9"))
	sc := f.put(t, testSchema())
	pp := f.put(t, testProfile("PP_2"))
	pp1 := f.put(t, testProfile("PP_1"))
	w := f.do(t, http.MethodGet, "/objects/"+idOf(pp1)+"?lang=it", nil, nil)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, body)
	}
	for _, want := range []string{"Interlinker che affrontano questo problema", `<a href="/objects/` + idOf(a) + `">Strumento actors</a>`,
		"Schemi di coproduzione che lo affrontano", `<a href="/objects/` + idOf(sc) + `" lang="en">Default schema</a>`, "About PP_1"} {
		if !strings.Contains(body, want) {
			t.Errorf("profile page lacks %q", want)
		}
	}
	if strings.Contains(body, "Tool other") || strings.Contains(body, "Strumento other") {
		t.Errorf("an interlinker of another profile is listed")
	}
	// PP_2: a task's own profile; no interlinker lists it
	w = f.do(t, http.MethodGet, "/objects/"+idOf(pp)+"?lang=lv", nil, nil)
	if body := w.Body.String(); !strings.Contains(body, "Neviens šī mezgla interlinkers nenorāda") || !strings.Contains(body, "/objects/"+idOf(sc)) {
		t.Errorf("PP_2 page: %s", body)
	}
}

func TestOrganisationPages(t *testing.T) {
	f := newFixture(t)
	il := f.put(t, testInterlinker("canvas"))
	f.put(t, testProfile("PP_1"))
	if err := f.st.SetVerification(context.Background(), il.IRI, il.Version, &protocol.Verification{Status: protocol.Verified,
		Signers: []protocol.SignerInfo{{EntityID: "http://node.test", Name: "Comune di Prova", Country: "IT", Anchor: "https://anchor.example",
			Path: []string{"http://node.test", "https://anchor.example"}}}}); err != nil {
		t.Fatal(err)
	}
	w := f.do(t, http.MethodGet, "/actor?lang=es", nil, nil)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("/actor: %d %s", w.Code, body)
	}
	for _, want := range []string{"<h1>Comune di Prova</h1>", "Administración pública", "Lo que publica", "<dt>Interlinker</dt><dd>1</dd>",
		"<dt>Perfil de problema</dt><dd>1</dd>", `href="/objects/` + idOf(il) + `"`, "Cadena de confianza", "<strong>Comune di Prova (IT)</strong>",
		`<li class="mono">https://anchor.example</li>`, "ninguna fijada"} {
		if !strings.Contains(body, want) {
			t.Errorf("/actor lacks %q", want)
		}
	}
	org := f.put(t, &protocol.Organisation{Type: protocol.KindOrganisation, Key: "comune", PrefLabel: protocol.Text{"it": "Comune di Prova"},
		Spatial: protocol.OrganisationSpatial{Country: "IT"}, OrgKind: "public_administration"})
	w = f.do(t, http.MethodGet, "/objects/"+idOf(org)+"?lang=lv", nil, nil)
	body = w.Body.String()
	for _, want := range []string{"Ko tas publicē", "<dt>Organizācija</dt><dd>1</dd>", "Uzticības ķēde", "Comune di Prova (IT)"} {
		if !strings.Contains(body, want) {
			t.Errorf("organisation object page lacks %q", want)
		}
	}
}

type fakeFed struct {
	peers   []Peer
	members []GossipMember
	gossip  bool
}

func (f fakeFed) Peers(context.Context) ([]Peer, error) { return f.peers, nil }
func (f fakeFed) GossipMembers() ([]GossipMember, bool) { return f.members, f.gossip }

// signIn signs alice in and returns her session cookie.
func (f fixture) signIn(t *testing.T) *http.Cookie {
	t.Helper()
	get := f.do(t, http.MethodGet, "/login", nil, nil)
	pre := cookie(t, get, "interlink_presession")
	w := f.do(t, http.MethodPost, "/login", url.Values{"csrf": {csrfOf(t, get.Body.String())}, "username": {"alice"}, "password": {"Secret-Passw0rd!"}}, []*http.Cookie{pre})
	sc := cookie(t, w, "interlink_session")
	if sc == nil {
		t.Fatalf("sign-in: %d", w.Code)
	}
	return sc
}

func TestPeersPage(t *testing.T) {
	f := newFixture(t)
	ok := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	f.h.d.Federation = fakeFed{gossip: true,
		peers: []Peer{{Actor: "https://rix.example/actor", Following: "accepted", Follower: "pending", LastSuccess: ok, Queue: 2},
			{Actor: "https://zgz.example/actor", Follower: "accepted", LastError: "connection refused", LastFailure: ok, CircuitOpen: true}},
		members: []GossipMember{{Name: "rix", EntityID: "https://rix.example", Country: "LV", Status: "alive", Trust: "verified", LastSeen: ok},
			{Name: "zgz", EntityID: "https://zgz.example", Country: "ES", Status: "dead"}}}
	if w := f.do(t, http.MethodGet, "/peers", nil, nil); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Fatalf("signed out: %d %q", w.Code, w.Header().Get("Location"))
	}
	sc := f.signIn(t)
	w := f.do(t, http.MethodGet, "/peers?lang=it", nil, []*http.Cookie{sc})
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, body)
	}
	for _, want := range []string{"<h1>Nodi pari</h1>", `<th scope="row" class="mono">https://rix.example/actor</th><td>accettato</td><td>in attesa</td><td>01/03/2025 10:00 UTC</td>`,
		"consegne sospese", `lang="en">connection refused`, "<td>Lettonia</td>", "<strong>non risponde</strong>", "<td>Spagna</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("/peers lacks %q", want)
		}
	}
	f.h.d.Federation = fakeFed{}
	if body := f.do(t, http.MethodGet, "/peers?lang=en", nil, []*http.Cookie{sc}).Body.String(); !strings.Contains(body, "follows no node") || !strings.Contains(body, "Gossip is not enabled") {
		t.Errorf("empty /peers: %s", body)
	}
	if body := f.do(t, http.MethodGet, "/?lang=en", nil, nil).Body.String(); !strings.Contains(body, `<a href="/peers">`) {
		t.Errorf("the home page does not link to /peers")
	}
}

// TestSearchFacetNamesProblemProfiles: the problem profile facet and its
// active filter show the profiles' names in the reader's language, not
// their keys; a key the node holds no profile for stays a key.
func TestSearchFacetNamesProblemProfiles(t *testing.T) {
	f := newFixture(t)
	f.h.d.SearchWait = 10 * time.Second // read the writes just made
	f.put(t, testInterlinker("actors", "PP_1", "PP_7"))
	f.put(t, testProfile("PP_1"))
	w := f.do(t, http.MethodGet, "/search?q=actors&lang=es", nil, nil)
	body := w.Body.String()
	if !strings.Contains(body, ">Problema PP_1</a>") || !strings.Contains(body, ">PP_7</a>") {
		t.Errorf("the facet does not name the profiles: %s", body)
	}
	w = f.do(t, http.MethodGet, "/search?problem_profile=PP_1&lang=es", nil, nil)
	if body := w.Body.String(); !strings.Contains(body, "Problema PP_1 <span") {
		t.Errorf("the active filter does not name the profile: %s", body)
	}
}

// TestObjectPageLinksPubliccode: a software interlinker's page links its
// publiccode.yml; a knowledge interlinker's does not.
func TestObjectPageLinksPubliccode(t *testing.T) {
	f := newFixture(t)
	sw := testInterlinker("survey_tool")
	sw.Nature = protocol.NatureSoftware
	soft := f.put(t, sw)
	know := f.put(t, testInterlinker("canvas"))
	if body := f.do(t, http.MethodGet, "/objects/"+idOf(soft), nil, nil).Body.String(); !strings.Contains(body, `href="/api/v1/objects/`+idOf(soft)+`/publiccode.yml"`) {
		t.Errorf("the software interlinker's page does not link its publiccode.yml")
	}
	if body := f.do(t, http.MethodGet, "/objects/"+idOf(know), nil, nil).Body.String(); strings.Contains(body, "publiccode.yml") {
		t.Errorf("a knowledge interlinker's page links a publiccode.yml")
	}
}
