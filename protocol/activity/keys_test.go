package activity

import (
	"strings"
	"testing"
)

func TestParseKeyDocument(t *testing.T) {
	const a = "https://gts.example/users/alice"
	tests := []struct {
		name     string
		doc      string
		keys     []PublicKey
		refs     []string
		actor    bool
		errField string
	}{
		{name: "gotosocial stub", doc: `{"id":"` + a + `","type":"Person","publicKey":{"id":"` + a + `/main-key","owner":"` + a + `","publicKeyPem":"P"}}`,
			keys: []PublicKey{{ID: a + "/main-key", Owner: a, PEM: "P"}}},
		{name: "key document", doc: `{"id":"` + a + `/k","type":"CryptographicKey","owner":"` + a + `","publicKeyPem":"P"}`,
			keys: []PublicKey{{ID: a + "/k", Owner: a, PEM: "P"}}},
		{name: "multikey document", doc: `{"id":"` + a + `/k","type":"Multikey","controller":"` + a + `","publicKeyMultibase":"z6Mk"}`,
			keys: []PublicKey{{ID: a + "/k", Owner: a, Multibase: "z6Mk"}}},
		{name: "actor with array, refs and multikey", actor: true,
			doc: `{"id":"` + a + `","type":"Person","inbox":"` + a + `/inbox","publicKey":[{"id":"` + a + `#main-key","owner":"` + a + `","publicKeyPem":"P"},"` + a + `/k2",{"id":"nope","publicKeyPem":"X"}],` +
				`"assertionMethod":[{"id":"` + a + `#ed","type":"Multikey","controller":"` + a + `","publicKeyMultibase":"z6Mk"},{"id":"` + a + `#ed","publicKeyMultibase":"dup"}]}`,
			keys: []PublicKey{{ID: a + "#main-key", Owner: a, PEM: "P"}, {ID: a + "#ed", Owner: a, Multibase: "z6Mk"}}, refs: []string{a + "/k2"}},
		{name: "no key", doc: `{"id":"` + a + `","type":"Person"}`, errField: "publicKey"},
		{name: "key without material", doc: `{"id":"` + a + `","publicKey":{"id":"` + a + `#k","owner":"` + a + `"}}`, errField: "publicKey"},
		{name: "owner not a URL", doc: `{"id":"` + a + `","publicKey":{"id":"` + a + `#k","owner":"alice","publicKeyPem":"P"}}`, errField: "publicKey"},
		{name: "no id", doc: `{"publicKey":{"id":"` + a + `#k","publicKeyPem":"P"}}`, errField: "id"},
		{name: "invalid actor", doc: `{"id":"` + a + `","type":"Person","inbox":"not a url","publicKey":{"id":"` + a + `#k","publicKeyPem":"P"}}`, errField: "inbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseKeyDocument([]byte(tt.doc))
			if tt.errField != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errField) {
					t.Fatalf("err = %v, want one naming %s", err, tt.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Keys) != len(tt.keys) || len(d.Refs) != len(tt.refs) || (d.Actor != nil) != tt.actor {
				t.Fatalf("keys %+v refs %v actor %v", d.Keys, d.Refs, d.Actor != nil)
			}
			for i, k := range tt.keys {
				if d.Keys[i] != k || !d.Names(k.ID) {
					t.Errorf("key %d = %+v, want %+v", i, d.Keys[i], k)
				}
			}
			for _, r := range tt.refs {
				if !d.Names(r) {
					t.Errorf("does not name %s", r)
				}
			}
			if d.Names(a + "#absent") {
				t.Error("names an absent key")
			}
		})
	}
}
