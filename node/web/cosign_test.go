package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/node/catalogue"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/storage"
)

// fakeCosigner answers co-sign requests in the store; a request whose id
// starts with "refused" is refused as federation.Coproduction refuses one
// whose sender is unreachable. A request's "JWS" is its body in the clear.
type fakeCosigner struct{ st *storage.Store }

func (fakeCosigner) StartCosign(context.Context, protocol.Object, uint64, []byte, []string) (storage.Draft, error) {
	return storage.Draft{}, fmt.Errorf("%w: not in this test", federation.ErrCosign)
}

func (f fakeCosigner) AnswerCosign(ctx context.Context, id string, approve bool, reason string) (storage.CosignRequest, error) {
	q, err := f.st.Cosigning().CosignRequest(ctx, id)
	if err != nil {
		return q, err
	}
	if strings.HasPrefix(id, "refused") {
		return q, fmt.Errorf("%w: the origin https://far.example is unreachable", federation.ErrCosign)
	}
	q.Status, q.Reason, q.Decided = federation.CosignRejected, reason, time.Now()
	if approve {
		q.Status = federation.CosignApproved
	}
	return q, f.st.Cosigning().PutCosignRequest(ctx, q)
}

func (fakeCosigner) DraftBody(_ context.Context, jws []byte) json.RawMessage {
	if !json.Valid(jws) || !strings.HasPrefix(string(jws), "{") {
		return nil
	}
	return jws
}

func (f adminFixture) withCosign(t *testing.T) {
	t.Helper()
	cat := catalogue.New(catalogue.Deps{Store: f.st, URIs: f.h.d.URIs, Federation: fakeTrust{}, Trust: fakeTrust{}, Cosign: fakeCosigner{f.st}})
	f.h.d.Catalogue = func() *catalogue.Service { return cat }
}

func (f adminFixture) request(t *testing.T, id, iri string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	if body == nil {
		b = []byte(`"not a draft"`)
	}
	q := storage.CosignRequest{ID: id, Activity: "https://far.example/activities/" + id, Actor: "https://far.example/actor", Origin: "https://far.example",
		IRI: iri, Title: "Shared service " + id, JWS: b, Status: federation.DraftPending, Received: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	if err := f.st.Cosigning().PutCosignRequest(context.Background(), q); err != nil {
		t.Fatal(err)
	}
}

func TestCosignPages(t *testing.T) {
	f := newAdminFixture(t)
	il := testInterlinker("survey")
	obj := f.put(t, il)
	f.withCosign(t)
	changed := *testInterlinker("survey")
	changed.Name = protocol.Text{"en": "Tool survey, improved", "it": "Strumento sondaggio", "lv": "Rīks aptaujām"}
	f.request(t, "q1", obj.IRI, &changed)
	f.request(t, "q2", "https://far.example/objects/new", testInterlinker("brand-new"))
	f.request(t, "q3", "https://far.example/objects/broken", nil)
	f.request(t, "refused1", "https://far.example/objects/gone", testInterlinker("gone"))
	draft := storage.Draft{ID: "d1", Cosigners: []string{"http://node.test", "https://zgz.example", "https://rix.example"}, Signed: []string{"http://node.test", "https://zgz.example"},
		Status: federation.DraftPending, Created: time.Now(), Object: obj}
	if err := f.st.Cosigning().PutDraft(context.Background(), draft); err != nil {
		t.Fatal(err)
	}

	wantRedirect(t, f.do(t, http.MethodGet, "/cosign", nil, nil), "/login?next=%2Fcosign")
	wantPage(t, f.do(t, http.MethodGet, "/cosign", nil, f.reader.cookies), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodGet, "/cosign/q1", nil, nil), "/login?next=%2Fcosign%2Fq1")
	wantPage(t, f.do(t, http.MethodGet, "/cosign/q1", nil, f.reader.cookies), http.StatusForbidden)
	wantPage(t, f.post(t, f.reader, "/cosign/q2/reject", url.Values{"reason": {"no"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.editor, "/cosign/q2/reject", url.Values{"reason": {"no"}, "csrf": {"forged"}}), http.StatusForbidden)
	wantPage(t, f.do(t, http.MethodGet, "/cosign?lang=en", nil, f.editor.cookies), 200, `href="/cosign/q1"`, "Shared service q1", "https://far.example",
		"Tool survey", "2 / 3", "✓ signed", "… not yet", "https://rix.example")

	// the changes against the last signed version, each language apart
	w := f.do(t, http.MethodGet, "/cosign/q1?lang=en", nil, f.editor.cookies)
	wantPage(t, w, 200, "Compared with the last signed version this node holds, version 1.", "<code>name</code>",
		`Strumento <del><span class="vh">[removed: </span>survey<span class="vh">]</span></del><ins><span class="vh">[added: </span>sondaggio`, `<ins><span class="vh">[added: </span>Rīks aptaujām`, `lang="lv"`, "± changed", "+ added",
		`action="/cosign/q1/approve"`, `action="/cosign/q1/reject"`)
	if strings.Contains(w.Body.String(), "<code>key</code>") {
		t.Error("an unchanged field is listed")
	}
	wantPage(t, f.do(t, http.MethodGet, "/cosign/q2?lang=en", nil, f.editor.cookies), 200, "A new object", "Tool brand-new")
	b := f.do(t, http.MethodGet, "/cosign/q3?lang=en", nil, f.editor.cookies)
	wantPage(t, b, 200, "The draft no longer verifies")
	if strings.Contains(b.Body.String(), `action="/cosign/q3/approve"`) {
		t.Error("a draft that does not verify can be approved")
	}
	wantPage(t, f.do(t, http.MethodGet, "/cosign/nope", nil, f.editor.cookies), http.StatusNotFound)

	// answers: CSRF, role, reason, refusal, success
	wantPage(t, f.post(t, f.editor, "/cosign/q1/approve", url.Values{"csrf": {"forged"}}), http.StatusForbidden)
	wantPage(t, f.post(t, f.reader, "/cosign/q1/approve", nil), http.StatusForbidden)
	wantRedirect(t, f.do(t, http.MethodPost, "/cosign/q1/approve", url.Values{}, nil), "/login")
	wantPage(t, f.post(t, f.editor, "/cosign/q2/reject?lang=en", url.Values{"reason": {"  "}}), http.StatusUnprocessableEntity, `<a href="#reason">Say why you reject it`, `aria-invalid="true"`,
		`href="/cosign/q2?lang=es"`) // the switcher links to the page, not to the form's action
	wantPage(t, f.post(t, f.editor, "/cosign/q2/reject?lang=en", url.Values{"reason": {strings.Repeat("x", 501)}}), http.StatusUnprocessableEntity, "At most 500 characters.")
	wantPage(t, f.post(t, f.editor, "/cosign/refused1/approve?lang=en", nil), http.StatusConflict, "The answer could not be given:", "is unreachable")
	wantPage(t, f.post(t, f.editor, "/cosign/nope/approve", nil), http.StatusNotFound)
	if q, _ := f.st.Cosigning().CosignRequest(context.Background(), "q1"); q.Status != federation.DraftPending {
		t.Fatalf("a refused answer changed q1: %s", q.Status)
	}
	wantRedirect(t, f.post(t, f.editor, "/cosign/q1/approve", nil), "/cosign?done=cosign_approved")
	wantRedirect(t, f.post(t, f.editor, "/cosign/q2/reject", url.Values{"reason": {"The licence is wrong."}}), "/cosign?done=cosign_rejected")
	for id, want := range map[string]string{"q1": federation.CosignApproved, "q2": federation.CosignRejected} {
		if q, _ := f.st.Cosigning().CosignRequest(context.Background(), id); q.Status != want {
			t.Errorf("%s: %s, want %s", id, q.Status, want)
		}
	}
	if !f.audited(t, "alice", actionCosignApprove, obj.IRI) || !f.audited(t, "alice", actionCosignReject, "https://far.example/objects/new") {
		t.Fatal("answers not audited")
	}
	wantPage(t, f.do(t, http.MethodGet, "/cosign?lang=es&done=cosign_rejected", nil, f.editor.cookies), 200, "Ha rechazado el borrador", "The licence is wrong.", "rechazado")
}
