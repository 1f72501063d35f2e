package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// An interlinker's page shows where to find it and how to use it, in each
// language, and names its coded details as the editor does.
func TestObjectPageShowsAnInterlinkersDetails(t *testing.T) {
	f := newFixture(t)
	il := testInterlinker("aac")
	il.Nature = protocol.NatureExternalSoftware
	il.URI = protocol.Text{"en": "https://scc-digitalhub.github.io/AAC"}
	il.Instructions = protocol.Text{"en": "1. Open the console.\n2. Create a client.", "it": "Aprire la console."}
	il.ConstraintsAndLimitations = protocol.Text{"en": "Needs an identity provider."}
	il.Difficulty = "medium"
	il.LicenceCategory = "public_domain"
	il.AdministrativeScopes = []string{"eu", "local"}
	il.Targets = []string{"public_administrations"}
	obj := f.put(t, il)
	w := f.do(t, http.MethodGet, "/objects/"+idOf(obj), nil, nil, "Accept-Language", "en")
	body := w.Body.String()
	for _, want := range []string{
		`<a href="https://scc-digitalhub.github.io/AAC" rel="external">https://scc-digitalhub.github.io/AAC</a>`,
		"Instructions</h4><div class=\"longtext\">1. Open the console.\n2. Create a client.</div>",
		"Aprire la console.",
		"Constraints and limitations</h4>",
		"<dt>Difficulty</dt><dd>Medium</dd>",
		"<dd>Public domain</dd>",
		"<dd>European Union, ",
		"<dt>Target groups</dt><dd>public_administrations</dd>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The labels follow the reader's language.
	es := f.do(t, http.MethodGet, "/objects/"+idOf(obj)+"?lang=es", nil, nil).Body.String()
	if !strings.Contains(es, "Instrucciones") && !strings.Contains(es, "Dirección web") {
		t.Errorf("the labels are not in Spanish")
	}
}

// The search page's facets name coded values as the editor does.
func TestSearchFacetsNameCodedValues(t *testing.T) {
	f := newFixture(t)
	f.h.d.SearchWait = 10 * time.Second
	il := testInterlinker("canvas")
	il.LicenceCategory, il.AdministrativeScopes = "public_domain", []string{"eu"}
	f.put(t, il)
	body := f.do(t, http.MethodGet, "/search?q=canvas&lang=en", nil, nil).Body.String()
	for _, want := range []string{">Knowledge</a>", ">Public domain</a>", ">European Union</a>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the facets lack %s", want)
		}
	}
}
