package publiccode

import (
	"errors"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// FuzzImport feeds Import arbitrary bytes. It must not panic; what it
// accepts must validate, carry a slug key, and export to a document that
// imports again with the same key and licence; what it refuses must be a
// *SyntaxError or a *protocol.ValidationError.
func FuzzImport(f *testing.F) {
	for _, rel := range officialExamples {
		if b := sharedDataIfPresent(rel); b != nil {
			f.Add(b)
		}
	}
	f.Add([]byte(minimal04))
	f.Add([]byte(strings.Replace(minimal04, `"0.4"`, `"0.6"`, 1) + "future: {a: [1, *x]}\nit: &x {riuso: {codiceIPA: c_h501}}\nIT: *x\n"))
	for _, s := range []string{"", "a: [", "- 1", "name: &a [*a]", "a: &a {b: *a}", "\xff", "legal: {license: (MIT OR}",
		"description: {en: {features: [x]}}", "publiccodeYmlVersion: 0.4\nplatforms: web", withNewKeys, "publiccodeYmlVersion: \"0\"\nsupports: [alias:x]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		it, err := Import(doc)
		if err != nil {
			_, syntax := errors.AsType[*SyntaxError](err)
			_, invalid := errors.AsType[*protocol.ValidationError](err)
			if !syntax && !invalid {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if err := it.Validate(); err != nil {
			t.Fatalf("the imported interlinker does not validate: %v", err)
		}
		if !protocol.ValidSlug(it.Key) {
			t.Fatalf("key %q is not a slug", it.Key)
		}
		out, err := Export(it)
		if err != nil {
			t.Fatalf("Export of an accepted document: %v", err)
		}
		back, err := Import(out)
		if err != nil {
			t.Fatalf("the export does not import: %v\n%s", err, out)
		}
		if back.Key != it.Key || back.SPDXLicence != it.SPDXLicence {
			t.Fatalf("round trip: key %q→%q licence %q→%q", it.Key, back.Key, it.SPDXLicence, back.SPDXLicence)
		}
	})
}
