package publiccode

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// TestExportRoundTrip imports every official example, exports it and
// imports the export: everything but the version must come back.
func TestExportRoundTrip(t *testing.T) {
	docs := map[string][]byte{"minimal04": []byte(minimal04), "with 0.5 and 0.7 keys": []byte(withNewKeys)}
	for _, rel := range officialExamples {
		if b := sharedDataIfPresent(rel); b != nil {
			docs[rel] = b
		}
	}
	if len(docs) < 2+len(officialExamples) {
		t.Log("../shared/data is absent: the official examples are not round-tripped")
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			it, err := Import(doc)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			out, err := Export(it)
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			back, warnings, err := ImportWithWarnings(out)
			if err != nil {
				t.Fatalf("Import of the export: %v\n%s", err, out)
			}
			if len(warnings) > 0 && !strings.Contains(name, "minimal") && it.PublicCode.CountrySections == nil {
				t.Errorf("warnings on the export: %v", warnings)
			}
			if back.PublicCode.Version != ExportVersion {
				t.Errorf("version %q, want %q", back.PublicCode.Version, ExportVersion)
			}
			back.PublicCode.Version = it.PublicCode.Version
			if !reflect.DeepEqual(back, it) {
				t.Errorf("the round trip changed the interlinker:\nbefore %+v\nafter  %+v\n%s", it.PublicCode, back.PublicCode, out)
			}
		})
	}
}

const withNewKeys = `publiccodeYmlVersion: "0.7"
name: Medusa
url: "https://example.com/italia/medusa.git"
organisation:
  uri: "urn:x-italian-pa:c_h501"
  name: Comune di Medusa
fundedBy:
  - uri: "https://example.org/ministry"
    name: Ministry of Examples
  - name: A foundation
supports:
  - id: alias:gdpr
  - id: "https://eur-lex.europa.eu/eli/reg/2014/910/oj"
platforms: [web]
developmentStatus: stable
softwareType: "standalone/web"
description:
  en:
    shortDescription: Bookings for hospitals
    longDescription: A long description of the booking system that hospitals use.
    features: [Booking]
  it:
    localisedName: Medusa IT
    shortDescription: Prenotazioni
    longDescription: Una lunga descrizione.
    features: [Prenotazione]
legal:
  license: EUPL-1.2
maintenance:
  type: none
localisation:
  localisationReady: false
  availableLanguages: [en, it]
`

func TestImportNewKeys(t *testing.T) {
	it, warnings, err := ImportWithWarnings([]byte(withNewKeys))
	if err != nil {
		t.Fatal(err)
	}
	pc := it.PublicCode
	if pc.OrganisationURI != "urn:x-italian-pa:c_h501" || pc.OrganisationName != "Comune di Medusa" {
		t.Errorf("organisation = %q %q", pc.OrganisationURI, pc.OrganisationName)
	}
	wantFunded := []protocol.PublicCodeOrganisation{{Name: "Ministry of Examples", URI: "https://example.org/ministry"}, {Name: "A foundation"}}
	if !reflect.DeepEqual(pc.FundedBy, wantFunded) {
		t.Errorf("fundedBy = %+v", pc.FundedBy)
	}
	wantSupports := []protocol.PublicCodeSupport{{ID: "alias:gdpr"}, {ID: "https://eur-lex.europa.eu/eli/reg/2014/910/oj"}}
	if !reflect.DeepEqual(pc.Supports, wantSupports) {
		t.Errorf("supports = %+v", pc.Supports)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %v", warnings)
	}
}

func TestImportVersionForms(t *testing.T) {
	cases := []struct {
		version string
		warn    bool
	}{
		{`"0"`, false}, {`0`, false}, {`"0.2"`, false}, {`"0.2.2"`, false}, {`"0.3"`, false}, {`"0.3.0"`, false},
		{`"0.4"`, false}, {`0.4`, false}, {`"0.4.0"`, false}, {`"0.5"`, false}, {`"0.5.0"`, false},
		{`"0.7"`, false}, {`"0.7.0"`, false}, {`"0.7.1"`, false}, {`"0.8"`, true}, {`"0.9"`, true}, {`"0.12.3"`, true},
	}
	for _, c := range cases {
		doc := strings.Replace(minimal04, `"0.4"`, c.version, 1) + "releaseDate: \"2020-01-01\"\ncategories: [it]\n"
		it, warnings, err := ImportWithWarnings([]byte(doc))
		if err != nil {
			t.Errorf("version %s: %v", c.version, err)
			continue
		}
		if got := len(warnings) > 0; got != c.warn {
			t.Errorf("version %s: warnings %v, want some: %v", c.version, warnings, c.warn)
		}
		if c.warn && warnings[0].Field != "publiccodeYmlVersion" {
			t.Errorf("version %s: warning %v", c.version, warnings[0])
		}
		if it.PublicCode.Version != strings.Trim(c.version, `"`) {
			t.Errorf("version kept as %q", it.PublicCode.Version)
		}
	}
}

func TestImportLenientForms(t *testing.T) {
	doc := minimal04 + "organisation: Comune di Medusa\nfundedBy:\n  - name: Ministry\n    url: https://example.org/m\nsupports: [alias:eidas]\n"
	it, warnings, err := ImportWithWarnings([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	pc := it.PublicCode
	if pc.OrganisationName != "Comune di Medusa" || pc.FundedBy[0].URI != "https://example.org/m" || pc.Supports[0].ID != "alias:eidas" {
		t.Errorf("publiccode = %+v", pc)
	}
	fields := map[string]bool{}
	for _, w := range warnings {
		fields[w.Field] = true
	}
	for _, f := range []string{"organisation", "fundedBy[0].url", "supports[0]"} {
		if !fields[f] {
			t.Errorf("no warning on %s: %v", f, warnings)
		}
	}
	for name, bad := range map[string]string{
		"supports.id":   minimal04 + "supports: [{id: 'not a uri'}]\n",
		"fundedBy":      minimal04 + "fundedBy: [{}]\n",
		"fundedBy.uri":  minimal04 + "fundedBy: [{uri: 'x y'}]\n",
		"org.uri":       minimal04 + "organisation: {uri: 'not a uri'}\n",
		"supports type": minimal04 + "supports: {id: x}\n",
	} {
		if _, err := Import([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if _, ok := errors.AsType[*protocol.ValidationError](err); !ok {
			t.Errorf("%s: %T %v", name, err, err)
		}
	}
}

func TestExportRefusals(t *testing.T) {
	it, err := Import([]byte(minimal04))
	if err != nil {
		t.Fatal(err)
	}
	knowledge := *it
	knowledge.Nature = protocol.NatureKnowledge
	if _, err := Export(&knowledge); !errors.Is(err, ErrNotSoftware) {
		t.Errorf("knowledge: %v", err)
	}
	nolicence := *it
	nolicence.SPDXLicence = ""
	if _, err := Export(&nolicence); err == nil || !strings.Contains(err.Error(), "SPDX") {
		t.Errorf("no licence: %v", err)
	}
	native := protocol.Interlinker{Type: protocol.KindInterlinker, Key: "survey", Nature: protocol.NatureSoftware,
		Name: protocol.Text{"en": "Survey", "es": "Encuesta"}, Description: protocol.Text{"en": "A survey editor", "es": "Un editor"},
		SPDXLicence: "MIT", URI: protocol.Text{"en": "https://example.org/survey"}}
	out, err := Export(&native)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Import(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if back.Name["es"] != "Encuesta" || back.Name["en"] != "Survey" || back.SPDXLicence != "MIT" || back.URI["en"] != "https://example.org/survey" {
		t.Errorf("native interlinker came back as %+v\n%s", back, out)
	}
}

func TestImportWarnsDeprecatedKeys(t *testing.T) {
	extra := "monochromeLogo: img/mono.svg\ninputTypes: [text/plain]\n"
	doc := strings.Replace(minimal04, "    shortDescription:", "    genericName: Booking\n    shortDescription:", 1) + extra +
		"legal:\n  license: AGPL-3.0-or-later\n  authorsFile: AUTHORS\n"
	doc = strings.Replace(doc, "legal:\n  license: AGPL-3.0-or-later\n\n", "", 1)
	_, warnings, err := ImportWithWarnings([]byte(doc))
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	got := map[string]bool{}
	for _, w := range warnings {
		got[w.Field] = true
	}
	for _, f := range []string{"monochromeLogo", "inputTypes", "legal.authorsFile", "description.en.genericName"} {
		if !got[f] {
			t.Errorf("no warning on %s: %v", f, warnings)
		}
	}
	old := strings.Replace(doc, `"0.4"`, `"0.2"`, 1) + "releaseDate: \"2020-01-01\"\ncategories: [it]\n"
	if _, warnings, err := ImportWithWarnings([]byte(old)); err != nil || len(warnings) != 0 {
		t.Errorf("a 0.2 document, where those keys were not deprecated: %v %v", err, warnings)
	}
}
