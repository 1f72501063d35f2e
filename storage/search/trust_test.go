package search

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// Objects are filtered and faceted by the trust layer's judgement: verified
// or not, and the countries their verified signers' anchors state.
func TestVerificationFiltersAndFacets(t *testing.T) {
	src := newFakeSource("e1")
	signed := func(key, status string, countries ...string) protocol.Object {
		o := il{key: key, name: protocol.Text{"en": "Service " + key}}.object(t, testOrigin)
		o.Verification = &protocol.Verification{Status: status}
		for _, c := range countries {
			o.Verification.Signers = append(o.Verification.Signers, protocol.SignerInfo{EntityID: "https://" + c + ".example", Country: c})
		}
		return o
	}
	src.put(
		signed("it_alone", protocol.Verified, "IT"),
		signed("it_es", protocol.Verified, "IT", "ES"),
		signed("lv", protocol.Verified, "LV"),
		signed("claims_es", protocol.Unverified, "ES"), // no chain: its country is not stated by anyone
		il{key: "legacy", name: protocol.Text{"en": "Old"}}.object(t, testOrigin),
	)
	ix := openIndex(t, t.TempDir(), nil)
	t.Cleanup(func() { ix.Close() })
	runIndex(t, ix, src)
	tests := []struct {
		name    string
		filters map[string][]string
		want    []string
	}{
		{"verified", map[string][]string{"verified": {"verified"}}, []string{"it_alone", "it_es", "lv"}},
		{"unverified", map[string][]string{"verified": {"unverified"}}, []string{"claims_es"}},
		{"unsigned", map[string][]string{"verified": {"unsigned"}}, []string{"legacy"}},
		{"signer country, any signer", map[string][]string{"signer_country": {"es"}}, []string{"it_es"}},
		{"signer countries are alternatives", map[string][]string{"signer_country": {"LV", "ES"}}, []string{"it_es", "lv"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Query{Filters: tc.filters, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.IRI[strings.LastIndex(h.IRI, "/")+1:])
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("hits = %v, want %v", got, tc.want)
			}
		})
	}
	res, err := ix.Search(context.Background(), Query{Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"verified": 3, "unverified": 1, "unsigned": 1}; !maps.Equal(res.Facets["verified"], want) {
		t.Errorf("verified facet = %v, want %v", res.Facets["verified"], want)
	}
	if want := map[string]int{"IT": 2, "ES": 1, "LV": 1}; !maps.Equal(res.Facets["signer_country"], want) {
		t.Errorf("signer_country facet = %v, want %v", res.Facets["signer_country"], want)
	}
}
