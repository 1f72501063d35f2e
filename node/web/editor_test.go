package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/node/accounts"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// editorFixture is the page fixture with the editor's and the import's
// routes, an editor (alice) and a reader (rita) signed in.
type editorFixture struct {
	fixture
	editor, reader *http.Cookie
}

func newEditorFixture(t *testing.T) editorFixture {
	t.Helper()
	f := newFixture(t)
	h := f.h
	mux := http.NewServeMux()
	mux.Handle("/", f.srv)
	mux.Handle("GET /new", h.Sessions(http.HandlerFunc(h.Editor().NewIndex)))
	mux.Handle("GET /new/{kind}", h.Sessions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Editor().NewForm(w, r, r.PathValue("kind")) })))
	mux.Handle("POST /new/{kind}", h.Sessions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Editor().NewPost(w, r, r.PathValue("kind")) })))
	mux.Handle("GET /objects/{id}/edit", h.Sessions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Editor().EditForm(w, r, r.PathValue("id")) })))
	mux.Handle("POST /objects/{id}/edit", h.Sessions(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Editor().EditPost(w, r, r.PathValue("id")) })))
	mux.Handle("GET /import", h.Sessions(http.HandlerFunc(h.Editor().ImportForm)))
	mux.Handle("POST /import", h.Sessions(http.HandlerFunc(h.Editor().ImportPost)))
	f.srv = mux
	if _, err := f.acc.CreateUser(context.Background(), accounts.NewUser{Username: "rita", Role: accounts.RoleReader, Password: "Secret-Passw0rd!"}); err != nil {
		t.Fatal(err)
	}
	return editorFixture{fixture: f, editor: f.signIn(t), reader: f.signInAs(t, "rita")}
}

// signInAs signs user in (password Secret-Passw0rd!) and returns the session cookie.
func (f fixture) signInAs(t *testing.T, user string) *http.Cookie {
	t.Helper()
	get := f.do(t, http.MethodGet, "/login", nil, nil)
	pre := cookie(t, get, "interlink_presession")
	w := f.do(t, http.MethodPost, "/login", url.Values{"csrf": {csrfOf(t, get.Body.String())}, "username": {user}, "password": {"Secret-Passw0rd!"}}, []*http.Cookie{pre})
	sc := cookie(t, w, "interlink_session")
	if sc == nil {
		t.Fatalf("sign-in of %s: %d", user, w.Code)
	}
	return sc
}

// csrf is the editor's CSRF token (from a page it sees).
func (f editorFixture) csrf(t *testing.T) string {
	t.Helper()
	return csrfOf(t, f.do(t, http.MethodGet, "/new?lang=en", nil, []*http.Cookie{f.editor}).Body.String())
}

// post sends form as the editor, with its CSRF token and op.
func (f editorFixture) post(t *testing.T, target, op string, form url.Values) (int, string) {
	t.Helper()
	form = cloneValues(form)
	form.Set("csrf", f.csrf(t))
	form.Set("op", op)
	w := f.do(t, http.MethodPost, target, form, []*http.Cookie{f.editor}, "Accept-Language", "en")
	return w.Code, w.Body.String() + "\nLocation: " + w.Header().Get("Location")
}

func (f editorFixture) count(t *testing.T) int {
	t.Helper()
	c, err := f.st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func validInterlinker() url.Values {
	return url.Values{"key": {"survey_tool"}, "nature": {"software"}, "name.en": {"Survey tool"}, "name.it": {"Strumento per sondaggi"},
		"description.en": {"Ask citizens\r\nwhat they think."}, "tags.en": {"survey\r\n\r\nparticipation"}, "problem_profiles": {"ORG_PROBLEM_1"},
		"langs": {"en es it lv"}}
}

func with(v url.Values, kv ...string) url.Values {
	out := cloneValues(v)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

func TestEditorAccess(t *testing.T) {
	f := newEditorFixture(t)
	for _, target := range []string{"/new", "/new/interlinker", "/import"} {
		w := f.do(t, http.MethodGet, target, nil, nil)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next="+url.QueryEscape(target) {
			t.Errorf("signed out %s: %d %q", target, w.Code, w.Header().Get("Location"))
		}
		if w := f.do(t, http.MethodGet, target, nil, []*http.Cookie{f.reader}); w.Code != http.StatusForbidden {
			t.Errorf("reader %s: %d", target, w.Code)
		}
		if w := f.do(t, http.MethodGet, target, nil, []*http.Cookie{f.editor}); w.Code != http.StatusOK {
			t.Errorf("editor %s: %d", target, w.Code)
		}
	}
	if w := f.do(t, http.MethodGet, "/new/rocket", nil, []*http.Cookie{f.editor}); w.Code != http.StatusNotFound {
		t.Errorf("unknown kind: %d", w.Code)
	}
	// A reader's post and a post without the editor's CSRF token save nothing.
	tok := f.csrf(t)
	if w := f.do(t, http.MethodPost, "/new/interlinker", with(validInterlinker(), "csrf", tok, "op", "save"), []*http.Cookie{f.reader}); w.Code != http.StatusForbidden {
		t.Errorf("reader's post: %d", w.Code)
	}
	for _, bad := range []string{"", "forged"} {
		if w := f.do(t, http.MethodPost, "/new/interlinker", with(validInterlinker(), "csrf", bad, "op", "save"), []*http.Cookie{f.editor}); w.Code != http.StatusForbidden {
			t.Errorf("csrf %q: %d", bad, w.Code)
		}
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("%d objects saved by refused posts", n)
	}
	// The form: every control labelled, the languages marked.
	body := f.do(t, http.MethodGet, "/new/interlinker?lang=en", nil, []*http.Cookie{f.editor}).Body.String()
	for _, want := range []string{`<label for="f-key">Key`, `<label for="f-name-it">Italian</label>`, `name="name.it" value="" lang="it"`,
		`name="tags.lv" lang="lv"`, `name="csrf" value="`, `<option value="software">Software</option>`, `name="op" value="preview"`, `name="op" value="addlang"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
}

func TestEditorValidation(t *testing.T) {
	f := newEditorFixture(t)
	service := url.Values{"identifier": {"svc-1"}, "title.en": {"Parking permit"}, "description.en": {"Apply for a permit"},
		"competent_authority": {"http://node.test/objects/01JORG"}}
	org := url.Values{"key": {"comune"}, "pref_label.it": {"Comune"}, "kind": {"public_administration"}, "spatial.country": {"IT"}}
	profile := url.Values{"key": {"P1"}, "name.en": {"Profile"}, "description.en": {"About"}}
	cases := []struct {
		name, kind string
		form       url.Values
		id, text   string // the control whose error shows, and a word of it
	}{
		{"interlinker without key", "interlinker", with(validInterlinker(), "key", ""), "f-key", "This field is required."},
		{"interlinker key not a slug", "interlinker", with(validInterlinker(), "key", "a b"), "f-key", "Use only letters"},
		{"interlinker without name", "interlinker", with(validInterlinker(), "name.en", "", "name.it", ""), "f-name", "This field is required."},
		{"interlinker unknown nature", "interlinker", with(validInterlinker(), "nature", "rocket"), "f-nature", "Choose one of the values"},
		{"interlinker uri not a URL", "interlinker", with(validInterlinker(), "uri.es", "not a url"), "f-uri-es", "full web address"},
		{"interlinker language not a tag", "interlinker", with(validInterlinker(), "languages", "en\nenglish"), "f-languages", "not a language tag"},
		{"interlinker scope unknown", "interlinker", with(validInterlinker(), "administrative_scopes", "galactic"), "f-administrative_scopes", "Choose one"},
		{"interlinker integration not JSON", "interlinker", with(validInterlinker(), "integration", "{nope"), "f-integration", "format is wrong"},
		{"interlinker publiccode without url", "interlinker", with(validInterlinker(), "publiccode", `{"publiccode_yml_version":"0.4","maintenance":{"type":"none"}}`), "f-publiccode", "required"},
		{"interlinker profile key not a slug", "interlinker", with(validInterlinker(), "problem_profiles", "ok\nnot ok"), "f-problem_profiles", "Use only letters"},
		{"service without authority", "public-service", with(service, "competent_authority", ""), "f-competent_authority", "required"},
		{"service bad duration", "public-service", with(service, "processing_time", "5 days"), "f-processing_time", "ISO 8601 duration"},
		{"service channel without identifier", "public-service", with(service, "rows.channels", "1", "channels[0].type", "http://x.example/c"), "f-channels-0--identifier", "required"},
		{"service cost not a number", "public-service", with(service, "rows.costs", "1", "costs[0].identifier", "c1", "costs[0].value", "lots"), "f-costs-0--value", "Enter a number."},
		{"service empty contact point", "public-service", with(service, "rows.contact_points", "1", "contact_points[0].id", "http://x.example/cp"), "f-contact_points-0-", "required"},
		{"service contact e-mail", "public-service", with(service, "rows.contact_points", "1", "contact_points[0].email", "nobody"), "f-contact_points-0--email", "e-mail address"},
		{"service evidence reference", "public-service", with(service, "rows.requirements", "1", "requirements[0].identifier", "r1", "requirements[0].title.en", "R", "requirements[0].supporting_evidence", "ghost"), "f-requirements-0--supporting_evidence", "does not name"},
		{"organisation country", "organisation", with(org, "spatial.country", "it"), "f-spatial-country", "country code"},
		{"organisation e-mail", "organisation", with(org, "email", "no-at"), "f-email", "e-mail address"},
		{"organisation without kind", "organisation", with(org, "kind", ""), "f-kind", "required"},
		{"organisation homepage", "organisation", with(org, "homepage", "ftp://x"), "f-homepage", "full web address"},
		{"profile without description", "problem-profile", with(profile, "description.en", ""), "f-description", "required"},
		{"profile name too long", "problem-profile", with(profile, "name.en", strings.Repeat("x", 600)), "f-name-en", "too long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, op := range []string{"save", "preview"} {
				status, body := f.post(t, "/new/"+c.kind, op, c.form)
				if status != http.StatusUnprocessableEntity {
					t.Fatalf("%s: %d, want 422", op, status)
				}
				i := strings.Index(body, `id="`+c.id+`-error"`)
				if i < 0 {
					t.Fatalf("%s: no error next to %s in %s", op, c.id, body)
				}
				if !strings.Contains(body[i:min(len(body), i+600)], c.text) {
					t.Errorf("%s: the error of %s does not say %q: %s", op, c.id, c.text, body[i:min(len(body), i+600)])
				}
				if !strings.Contains(body, `href="#`+c.id+`"`) || !strings.Contains(body, `class="error-summary"`) {
					t.Errorf("%s: the summary does not link to %s", op, c.id)
				}
				if !strings.Contains(body, `aria-describedby="`) || !strings.Contains(body, c.id+`-error"`) {
					t.Errorf("%s: the control is not described by its error", op)
				}
			}
			if n := f.count(t); n != 0 {
				t.Fatalf("%d objects saved by an invalid form", n)
			}
		})
	}
}

func TestEditorPreviewSavesNothing(t *testing.T) {
	f := newEditorFixture(t)
	status, body := f.post(t, "/new/interlinker", "preview", validInterlinker())
	if status != http.StatusOK {
		t.Fatalf("preview: %d %s", status, body)
	}
	for _, want := range []string{`id="h-preview"`, "<h1>Survey tool</h1>", `lang="it"`, "Strumento per sondaggi", `value="survey_tool"`, "participation"} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("the preview saved %d objects", n)
	}
}

func TestEditorLanguagesAndRows(t *testing.T) {
	f := newEditorFixture(t)
	status, body := f.post(t, "/new/interlinker", "addlang", with(validInterlinker(), "addlang", "de"))
	if status != http.StatusOK || !strings.Contains(body, `name="name.de" value="" lang="de"`) || !strings.Contains(body, `value="en es it lv de"`) ||
		!strings.Contains(body, `value="Strumento per sondaggi"`) {
		t.Fatalf("add a language: %d", status)
	}
	if status, _ := f.post(t, "/new/interlinker", "addlang", with(validInterlinker(), "addlang", "not a tag")); status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad language: %d", status)
	}
	status, body = f.post(t, "/new/public-service", "add:channels", url.Values{"rows.channels": {"0"}})
	if status != http.StatusOK || !strings.Contains(body, `name="channels[0].identifier"`) || !strings.Contains(body, `name="rows.channels" value="1"`) {
		t.Fatalf("add a row: %d", status)
	}
	// An empty row is dropped; the rows after it are numbered again.
	status, body = f.post(t, "/new/public-service", "add:costs", url.Values{"rows.costs": {"2"}, "costs[1].identifier": {"fee"}})
	if status != http.StatusOK || !strings.Contains(body, `name="costs[0].identifier" value="fee"`) || !strings.Contains(body, `name="rows.costs" value="2"`) {
		t.Fatalf("rows renumbered: %d", status)
	}
}

func TestEditorPublishEditAndStale(t *testing.T) {
	f := newEditorFixture(t)
	status, body := f.post(t, "/new/interlinker", "save", validInterlinker())
	if status != http.StatusSeeOther || !strings.Contains(body, "Location: /objects/") {
		t.Fatalf("publish: %d %s", status, body)
	}
	href := body[strings.Index(body, "Location: ")+len("Location: "):]
	id := strings.TrimPrefix(href, "/objects/")
	p, err := f.cat.ObjectByID(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	e := entityOf(p.Object).(*protocol.Interlinker)
	if e.Description["en"] != "Ask citizens\nwhat they think." || len(e.Tags["en"]) != 2 || e.Name["it"] != "Strumento per sondaggi" {
		t.Fatalf("stored %+v", e)
	}
	entries, _, err := f.acc.ListAudit(context.Background(), 0, 10)
	if err != nil || len(entries) == 0 || entries[0].Username != "alice" || entries[0].Action != ActionObjectCreate || entries[0].Target != p.Object.IRI {
		t.Fatalf("audit %+v %v", entries, err)
	}
	// The object page links "Edit" for editors only.
	if page := f.do(t, http.MethodGet, href, nil, []*http.Cookie{f.editor}).Body.String(); !strings.Contains(page, `href="`+href+`/edit"`) {
		t.Errorf("no Edit link for the editor")
	}
	for _, c := range [][]*http.Cookie{nil, {f.reader}} {
		if page := f.do(t, http.MethodGet, href, nil, c).Body.String(); strings.Contains(page, href+"/edit") {
			t.Errorf("an Edit link for a non-editor")
		}
	}
	form := f.do(t, http.MethodGet, href+"/edit?lang=en", nil, []*http.Cookie{f.editor}).Body.String()
	for _, want := range []string{`name="version" value="1"`, `value="survey_tool"`, "Ask citizens\nwhat they think.</textarea>", "survey\nparticipation</textarea>"} {
		if !strings.Contains(form, want) {
			t.Errorf("the edit form lacks %q", want)
		}
	}
	changed := with(validInterlinker(), "version", "1", "name.en", "Survey tool 2")
	if status, body := f.post(t, href+"/edit", "save", changed); status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", status, body)
	}
	// A second save based on version 1 is stale: refused, the input kept.
	stale := with(validInterlinker(), "version", "1", "name.en", "My other title")
	status, body = f.post(t, href+"/edit", "save", stale)
	if status != http.StatusConflict || !strings.Contains(body, "now version 2") || !strings.Contains(body, `value="My other title"`) || !strings.Contains(body, `name="version" value="2"`) {
		t.Fatalf("stale: %d", status)
	}
	if p, _ := f.cat.ObjectByID(context.Background(), id, 0); p.Object.Version != 2 {
		t.Fatalf("version %d after a stale save", p.Object.Version)
	}
	entries, _, _ = f.acc.ListAudit(context.Background(), 0, 10)
	if entries[0].Action != ActionObjectUpdate || entries[0].Username != "alice" {
		t.Fatalf("audit %+v", entries[0])
	}
	// Another object with the same key: the key's error.
	status, body = f.post(t, "/new/interlinker", "save", validInterlinker())
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-key-error"`) || !strings.Contains(body, "already used") {
		t.Fatalf("same key: %d", status)
	}
	// A peer's object, and kinds the forms do not cover, have no edit page.
	if w := f.do(t, http.MethodGet, "/objects/01J00000000000000000000000/edit", nil, []*http.Cookie{f.editor}); w.Code != http.StatusNotFound {
		t.Errorf("missing object: %d", w.Code)
	}
	sc := f.put(t, testSchema())
	if w := f.do(t, http.MethodGet, "/objects/"+idOf(sc)+"/edit", nil, []*http.Cookie{f.editor}); w.Code != http.StatusForbidden {
		t.Errorf("schema edit: %d", w.Code)
	}
}

// fakeCosign answers the catalogue's co-signing seam: a draft, or err.
type fakeCosign struct{ err error }

func (c fakeCosign) StartCosign(_ context.Context, obj protocol.Object, _ uint64, _ []byte, cs []string) (storage.Draft, error) {
	return storage.Draft{ID: "d1", Object: obj, Cosigners: cs}, c.err
}

func (fakeCosign) AnswerCosign(context.Context, string, bool, string) (storage.CosignRequest, error) {
	return storage.CosignRequest{}, errors.New("not offered")
}

func (fakeCosign) DraftBody(context.Context, []byte) json.RawMessage { return nil }

// TestEditorCoproducedService: a service co-produced with another node's
// organisation goes to its co-signers as a draft (202, recorded), or,
// when they cannot be asked, nothing is saved (502).
func TestEditorCoproducedService(t *testing.T) {
	f := newEditorFixture(t)
	form := url.Values{"identifier": {"svc-co"}, "title.en": {"Shared service"}, "description.en": {"Made together"},
		"competent_authority": {"http://node.test/objects/01JORG"}, "coproduced_by": {"http://node.test/org\nhttps://civic.example/org"}}
	for _, c := range []struct {
		err    error
		status int
		text   string
	}{{nil, http.StatusAccepted, "sent to the co-producers"}, {federation.ErrCosign, http.StatusBadGateway, "could not be asked to sign"}} {
		cat := catalogue.New(catalogue.Deps{Store: f.st, URIs: protocol.NewURIs("http://node.test"), Federation: fakeTrust{}, Trust: fakeTrust{}, Cosign: fakeCosign{err: c.err}})
		f.h.d.Catalogue = func() *catalogue.Service { return cat }
		status, body := f.post(t, "/new/public-service", "save", form)
		if status != c.status || !strings.Contains(body, c.text) || strings.Contains(body, `value="Shared service"`) != (c.err != nil) {
			t.Fatalf("%v: %d %s", c.err, status, body)
		}
	}
	if n := f.count(t); n != 0 {
		t.Fatalf("%d objects stored before the co-signers signed", n)
	}
	entries, _, _ := f.acc.ListAudit(context.Background(), 0, 10)
	if len(entries) != 1 || entries[0].Action != ActionObjectDraft {
		t.Fatalf("audit %+v", entries)
	}
}

// TestEditorChoices: the problem profiles the node holds are checkboxes
// (others typed beside them), its organisations suggestions for the
// competent authority.
func TestEditorChoices(t *testing.T) {
	f := newEditorFixture(t)
	f.put(t, testProfile("ORG_PROBLEM_1"))
	org := f.put(t, &protocol.Organisation{Type: protocol.KindOrganisation, Key: "comune", PrefLabel: protocol.Text{"it": "Comune di Prova"},
		OrgKind: protocol.OrgPublicAdministration, Spatial: protocol.OrganisationSpatial{Country: "IT"}})
	body := f.do(t, http.MethodGet, "/new/interlinker?lang=en", nil, []*http.Cookie{f.editor}).Body.String()
	if !strings.Contains(body, `name="problem_profiles" value="ORG_PROBLEM_1">`) || !strings.Contains(body, `id="f-problem_profiles-other" name="problem_profiles"`) {
		t.Fatalf("no checkbox for the profile held")
	}
	if body := f.do(t, http.MethodGet, "/new/public-service?lang=en", nil, []*http.Cookie{f.editor}).Body.String(); !strings.Contains(body, `<option value="`+org.IRI+`">Comune di Prova</option>`) {
		t.Fatalf("no suggestion of the organisation")
	}
	form := with(validInterlinker(), "problem_profiles", "")
	form["problem_profiles"] = []string{"ORG_PROBLEM_1", "NEW_PROFILE\r\nOTHER_ONE"}
	status, body := f.post(t, "/new/interlinker", "save", form)
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", status, body)
	}
	id := strings.TrimPrefix(body[strings.Index(body, "Location: ")+len("Location: "):], "/objects/")
	p, _ := f.cat.ObjectByID(context.Background(), id, 0)
	if got := entityOf(p.Object).(*protocol.Interlinker).ProblemProfiles; strings.Join(got, " ") != "ORG_PROBLEM_1 NEW_PROFILE OTHER_ONE" {
		t.Fatalf("problem profiles %v", got)
	}
	edit := f.do(t, http.MethodGet, "/objects/"+id+"/edit?lang=en", nil, []*http.Cookie{f.editor}).Body.String()
	if !strings.Contains(edit, `value="ORG_PROBLEM_1" checked>`) || !strings.Contains(edit, "NEW_PROFILE\nOTHER_ONE</textarea>") {
		t.Fatalf("the edit form does not show the chosen profiles")
	}
}

// TestEditorPublishEachKind: a valid form of each kind publishes its
// object (303 to its page), with the structured rows of a service.
func TestEditorPublishEachKind(t *testing.T) {
	f := newEditorFixture(t)
	cases := []struct {
		slug string
		kind protocol.Kind
		form url.Values
	}{
		{"interlinker", protocol.KindInterlinker, validInterlinker()},
		{"public-service", protocol.KindPublicService, url.Values{"identifier": {"svc-1"}, "title.es": {"Permiso de aparcamiento"},
			"description.es": {"Solicitar"}, "competent_authority": {"http://node.test/objects/01JORG"}, "processing_time": {"P5D"},
			"rows.channels": {"1"}, "channels[0].identifier": {"web"}, "channels[0].description.en": {"Online"},
			"rows.costs": {"1"}, "costs[0].identifier": {"fee"}, "costs[0].value": {"12,50"}, "costs[0].currency": {"EUR"},
			"rows.contact_points": {"1"}, "contact_points[0].email": {"info@pa.example"}}},
		{"organisation", protocol.KindOrganisation, url.Values{"key": {"comune"}, "pref_label.it": {"Comune di Prova"}, "kind": {"public_administration"},
			"spatial.country": {"IT"}, "spatial.region": {"Emilia-Romagna"}, "homepage": {"https://comune.example"}}},
		{"problem-profile", protocol.KindProblemProfile, url.Values{"key": {"P1"}, "name.lv": {"Profils"}, "description.lv": {"Apraksts"}, "functionality.en": {"A tool"}}},
	}
	for _, c := range cases {
		status, body := f.post(t, "/new/"+c.slug, "save", c.form)
		if status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", c.slug, status, body)
		}
		id := strings.TrimPrefix(body[strings.Index(body, "Location: ")+len("Location: "):], "/objects/")
		p, err := f.cat.ObjectByID(context.Background(), id, 0)
		if err != nil || p.Object.Type != c.kind || p.Object.Version != 1 {
			t.Fatalf("%s: %+v %v", c.slug, p.Object.Meta, err)
		}
		if s, ok := entityOf(p.Object).(*protocol.PublicService); ok {
			if len(s.Channels) != 1 || s.Channels[0].Description["en"] != "Online" || *s.Costs[0].Value != 12.5 || s.ContactPoints[0].Email[0] != "info@pa.example" {
				t.Fatalf("service %+v", s)
			}
		}
	}
	if n := f.count(t); n != len(cases) {
		t.Fatalf("%d objects, want %d", n, len(cases))
	}
}
