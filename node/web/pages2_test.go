package web

import (
	"context"
	"net/http"
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
			"en", "Signed by Comune di Prova (IT), vouched for by https://mid.example, up to the trust anchor https://anchor.example.", false},
		{&protocol.Verification{Status: protocol.Verified, Checked: checked, Signers: []protocol.SignerInfo{{EntityID: "https://a.example",
			Name: "Comune di Prova", Country: "IT", Anchor: "https://anchor.example", Path: []string{"https://a.example", "https://anchor.example"}}}},
			"it", "Firmato da Comune di Prova (IT), garantito direttamente dall&#39;ancora di fiducia https://anchor.example.", false},
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
