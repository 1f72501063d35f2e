package cpsv

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestContextTermsMatchOfficial checks every embedded term against the
// official CPSV-AP 3.2.0 context: same IRI, same type coercion.
func TestContextTermsMatchOfficial(t *testing.T) {
	var file struct {
		Context map[string]json.RawMessage `json:"@context"`
	}
	if err := json.Unmarshal(readShared(t, contextFile), &file); err != nil {
		t.Fatal(err)
	}
	for term, def := range officialTerms() {
		raw, ok := file.Context[term]
		if !ok {
			t.Errorf("term %q is not in the official context", term)
			continue
		}
		var iri, typ string
		var s string
		if json.Unmarshal(raw, &s) == nil {
			iri = s
		} else {
			var obj struct {
				ID   string `json:"@id"`
				Type string `json:"@type"`
			}
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("term %q: %v", term, err)
			}
			iri, typ = obj.ID, obj.Type
		}
		if def.IRI != iri || def.Type != typ {
			t.Errorf("term %q = (%s, %s), official (%s, %s)", term, def.IRI, def.Type, iri, typ)
		}
	}
	// Every class and every property of the classes the importer reads.
	for term := range file.Context {
		if _, ok := officialTerms()[term]; ok {
			continue
		}
		class, _, dotted := cutDot(term)
		if !dotted || slices.Contains([]string{"PublicService", "PublicOrganization", "Channel", "Cost", "Output",
			"Requirement", "Evidence", "EvidenceType", "ContactPoint", "TemporalEntity", "Agent"}, class) {
			t.Errorf("official term %q is missing from the embedded table", term)
		}
	}
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestIsContextURL(t *testing.T) {
	cases := map[string]bool{
		ContextURL: true,
		"http://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.2.0/context/cpsv-ap.jsonld":  true,
		"https://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.1.0/context/cpsv-ap.jsonld": false,
		"https://www.w3.org/ns/activitystreams":                                                          false,
		"":                                                                                               false,
	}
	for u, want := range cases {
		if got := IsContextURL(u); got != want {
			t.Errorf("IsContextURL(%q) = %v, want %v", u, got, want)
		}
	}
}
