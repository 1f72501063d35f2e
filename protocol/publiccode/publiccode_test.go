package publiccode

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"go.yaml.in/yaml/v3"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// sharedData reads a file under ../shared/data beside the repository root,
// or skips the test when the data is absent.
func sharedData(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.Data(t, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sharedDataIfPresent is sharedData without the skip: nil when absent.
func sharedDataIfPresent(rel string) []byte {
	dir, err := testenv.DataDir()
	if err != nil {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	return b
}

var officialExamples = []string{
	"standards/publiccode.yml/v0.4.0/publiccode.yml",
	"standards/publiccode.yml/v0.4.0/publiccode.minimal.yml",
	"standards/publiccode.yml/v0.5.0/publiccode.yml",
	"standards/publiccode.yml/v0.5.0/publiccode.minimal.yml",
}

func TestImportOfficialExamples(t *testing.T) {
	for _, rel := range officialExamples {
		t.Run(rel, func(t *testing.T) {
			it, err := Import(sharedData(t, rel))
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if err := it.Validate(); err != nil {
				t.Errorf("the interlinker does not validate: %v", err)
			}
			if it.Key != "example_com_italia_medusa" || it.Nature != protocol.NatureExternalSoftware ||
				it.SPDXLicence != "AGPL-3.0-or-later" || it.LicenceCategory != "copyleft" || it.Name["en"] == "" {
				t.Errorf("interlinker = key %q nature %q licence %q/%q name %v", it.Key, it.Nature, it.SPDXLicence, it.LicenceCategory, it.Name)
			}
			if !strings.HasPrefix(it.Description["en"], "Very long description of this software") ||
				it.OverviewText["en"] == "" || len(it.Tags["en"]) == 0 {
				t.Errorf("description %q overview %q tags %v", it.Description["en"], it.OverviewText["en"], it.Tags)
			}
		})
	}
}

func TestImportFullExample(t *testing.T) {
	it, err := Import(sharedData(t, "standards/publiccode.yml/v0.5.0/publiccode.yml"))
	if err != nil {
		t.Fatal(err)
	}
	pc := it.PublicCode
	ready := true
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", it.Name, protocol.Text{"en": "Medusa"}},
		{"languages", it.Languages, []string{"en", "it", "fr", "de"}},
		{"uri", it.URI, protocol.Text{"en": "https://example.com/italia/medusa"}},
		{"tags", it.Tags["en"], []string{"Very important feature", "Will run without a problem", "Has zero bugs",
			"Solves all the problems of the world", "content-management", "office"}},
		{"i18n", it.SupportsInternationalization, &ready},
		{"available languages", pc.AvailableLanguages, []string{"en", "it", "fr", "de"}},
		{"version", pc.Version, "0.4"},
		{"url", pc.URL, "https://example.com/italia/medusa.git"},
		{"landing", pc.LandingURL, "https://example.com/italia/medusa"},
		{"based on", pc.IsBasedOn, []string{"https://github.com/italia/otello.git"}},
		{"suite", pc.ApplicationSuite, "MegaProductivitySuite"},
		{"software version", pc.SoftwareVersion, "1.0"},
		{"release date", pc.ReleaseDate, "2017-04-15"},
		{"platforms", pc.Platforms, []string{"android", "ios"}},
		{"categories", pc.Categories, []string{"content-management", "office"}},
		{"used by", pc.UsedBy, []string{"Comune di Firenze", "Comune di Roma"}},
		{"status", pc.DevelopmentStatus, "development"},
		{"type", pc.SoftwareType, "standalone/desktop"},
		{"audience", pc.IntendedAudience, &protocol.PublicCodeAudience{Scope: []string{"science-and-technology"},
			Countries: []string{"it", "de"}, UnsupportedCountries: []string{"us"}}},
		{"documentation", pc.Documentation, protocol.Text{"en": "https://read.the.documentation/medusa/v1.0"}},
		{"owner", pc.MainCopyrightOwner, "City of Chicago"},
		{"maintenance", pc.Maintenance, protocol.PublicCodeMaintenance{Type: "contract",
			Contractors: []protocol.PublicCodeContractor{{Name: "Fornitore Privato SPA", Email: "dario.bianchi@fornitore.it",
				Website: "https://privatecompany.com", Until: "2019-01-01"}},
			Contacts: []protocol.PublicCodeContact{{Name: "Francesco Rossi", Email: "francesco.rossi@comune.reggioemilia.it",
				Affiliation: "Comune di Reggio Emilia", Phone: "+3923113215112"}}}},
		{"depends on", pc.DependsOn, &protocol.PublicCodeDependsOn{
			Open: []protocol.PublicCodeDependency{{Name: "MySQL", VersionMin: "1.1", VersionMax: "1.3", Optional: true},
				{Name: "PostgreSQL", Version: "3.2", Optional: true}},
			Proprietary: []protocol.PublicCodeDependency{{Name: "Oracle", VersionMin: "11.4"}, {Name: "IBM SoftLayer"}},
			Hardware:    []protocol.PublicCodeDependency{{Name: "NFC Reader", Optional: true}}}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	var it1 map[string]any
	if err := json.Unmarshal(pc.CountrySections["it"], &it1); err != nil {
		t.Fatalf("country section it: %v", err)
	}
	want := map[string]any{"countryExtensionVersion": "1.0",
		"conforme":    map[string]any{"lineeGuidaDesign": true, "modelloInteroperabilita": true, "misureMinimeSicurezza": true, "gdpr": true},
		"piattaforme": map[string]any{"spid": true, "cie": true, "anpr": true, "pagopa": true},
		"riuso":       map[string]any{"codiceIPA": "c_h501"}}
	if !reflect.DeepEqual(it1, want) {
		t.Errorf("country section it = %v, want %v", it1, want)
	}
	// The interlinker survives the entity codec the node stores it with.
	raw, err := protocol.EncodeEntity(it)
	if err != nil {
		t.Fatal(err)
	}
	back, err := protocol.DecodeEntity(raw)
	if err != nil {
		t.Fatalf("DecodeEntity: %v", err)
	}
	if !reflect.DeepEqual(back, it) {
		t.Errorf("the interlinker changed in a JSON round trip:\n%s", raw)
	}
}

func TestImportLaterVersion(t *testing.T) {
	doc := strings.Replace(minimal04, `publiccodeYmlVersion: "0.4"`, `publiccodeYmlVersion: "0.6"`, 1) +
		"\nfutureKey:\n  nested: [1, 2]\nanotherOne: true\norganisation:\n  name: Comune di Medusa\n  uri: urn:x-italian-pa:c_h501\n"
	it, err := Import([]byte(doc))
	if err != nil {
		t.Fatalf("Import of a 0.6 document with unknown keys: %v", err)
	}
	if it.PublicCode.Version != "0.6" || it.PublicCode.OrganisationURI != "urn:x-italian-pa:c_h501" {
		t.Errorf("publiccode = %+v", it.PublicCode)
	}
	if err := it.Validate(); err != nil {
		t.Error(err)
	}
}

// minimal04 is the v0.5.0 minimal example (publiccodeYmlVersion 0.4),
// written here so that tests run without the shared data.
const minimal04 = `publiccodeYmlVersion: "0.4"

name: Medusa
url: "https://example.com/italia/medusa.git"
platforms:
  - web

developmentStatus: development

softwareType: "standalone/desktop"

description:
  en:
    shortDescription: >
      A rather short description which
      is probably useless

    longDescription: >
      Very long description of this software, also split
      on multiple rows. You should note what the software
      is and why one should need it. We can potentially
      have many pages of text here.

    features:
      - Just one feature

legal:
  license: AGPL-3.0-or-later

maintenance:
  type: "community"

  contacts:
    - name: Francesco Rossi

localisation:
  localisationReady: true
  availableLanguages:
    - en
`

// without removes the key at a dotted path from a YAML document.
func without(t *testing.T, doc, path string) []byte {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(path, ".")
	cur := m
	for _, p := range parts[:len(parts)-1] {
		cur = cur[p].(map[string]any)
	}
	if _, ok := cur[parts[len(parts)-1]]; !ok {
		t.Fatalf("%s is not in the document", path)
	}
	delete(cur, parts[len(parts)-1])
	out, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func failures(t *testing.T, err error) []protocol.FieldError {
	t.Helper()
	ve, ok := errors.AsType[*protocol.ValidationError](err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *protocol.ValidationError", err, err)
	}
	return ve.Errors
}

func hasField(fes []protocol.FieldError, field, rule string) bool {
	return slices.ContainsFunc(fes, func(fe protocol.FieldError) bool { return fe.Field == field && fe.Rule == rule })
}

func TestImportMissingMandatoryKeys(t *testing.T) {
	keys04 := []string{"publiccodeYmlVersion", "name", "url", "platforms", "developmentStatus", "softwareType", "description",
		"description.en.shortDescription", "description.en.longDescription", "description.en.features", "legal", "legal.license",
		"maintenance", "maintenance.type", "maintenance.contacts", "localisation", "localisation.localisationReady",
		"localisation.availableLanguages"}
	type keyedDoc struct {
		name string
		doc  string
		keys []string
	}
	docs := []keyedDoc{{"0.4 minimal", minimal04, keys04}}
	for _, rel := range officialExamples {
		if b := sharedDataIfPresent(rel); b != nil {
			keys := slices.Clone(keys04)
			if strings.Contains(string(b), `publiccodeYmlVersion: "0.2"`) {
				keys = append(keys, "releaseDate", "categories")
			}
			if strings.Contains(string(b), `type: "contract"`) { // contacts are optional, contractors mandatory
				keys = slices.DeleteFunc(keys, func(k string) bool { return k == "maintenance.contacts" })
				keys = append(keys, "maintenance.contractors")
			}
			docs = append(docs, keyedDoc{rel, string(b), keys})
		}
	}
	if len(docs) == 1 {
		t.Log("shared data absent: only the built-in 0.4 document is checked")
	}
	for _, d := range docs {
		if _, err := Import([]byte(d.doc)); err != nil {
			t.Fatalf("%s does not import: %v", d.name, err)
		}
		for _, key := range d.keys {
			t.Run(d.name+"/"+key, func(t *testing.T) {
				it, err := Import(without(t, d.doc, key))
				if err == nil {
					t.Fatalf("Import without %s succeeded: %+v", key, it)
				}
				if fes := failures(t, err); !hasField(fes, key, "required") {
					t.Errorf("errors %v do not name %s as required", fes, key)
				}
			})
		}
	}
}

func TestImportVersionRules(t *testing.T) {
	// A 0.3 document must have releaseDate and categories, which 0.4 dropped.
	doc := strings.Replace(minimal04, `"0.4"`, `"0.3"`, 1)
	fes := failures(t, func() error { _, err := Import([]byte(doc)); return err }())
	if !hasField(fes, "releaseDate", "required") || !hasField(fes, "categories", "required") {
		t.Errorf("0.3 without releaseDate and categories: %v", fes)
	}
	for v, rule := range map[string]string{`"1.0"`: "unsupported", `"0.1"`: "unsupported", `"zero"`: "format", `"0.4.x"`: "format"} {
		_, err := Import([]byte(strings.Replace(minimal04, `"0.4"`, v, 1)))
		if fes := failures(t, err); !hasField(fes, "publiccodeYmlVersion", rule) {
			t.Errorf("version %s: %v, want rule %s", v, fes, rule)
		}
	}
	for _, v := range []string{"0.4", "0.4.0", `"0.2.1"`, "0.5", `"0.10"`} {
		if _, err := Import([]byte(strings.Replace(minimal04, `"0.4"`, v, 1) + "releaseDate: \"2020-01-01\"\ncategories: [it]\n")); err != nil {
			t.Errorf("version %s: %v", v, err)
		}
	}
}

func TestImportInvalidValues(t *testing.T) {
	cases := []struct {
		name        string
		from, to    string
		field, rule string
	}{
		{"name is a mapping", "name: Medusa", "name: {a: b}", "name", "type"},
		{"bad status", "developmentStatus: development", "developmentStatus: alpha", "developmentStatus", "enum"},
		{"bad software type", `softwareType: "standalone/desktop"`, "softwareType: app", "softwareType", "enum"},
		{"url not http", `url: "https://example.com/italia/medusa.git"`, "url: git@example.com:italia/medusa.git", "url", "url"},
		{"bad language", "    - en\n", "    - english language\n", "localisation.availableLanguages[0]", "bcp47"},
		{"bad description language", "  en:\n    shortDescription", "  en_US:\n    shortDescription", "description.en_US", "bcp47"},
		{"localisationReady not a boolean", "localisationReady: true", "localisationReady: sure", "localisation.localisationReady", "type"},
		{"bad licence expression", "license: AGPL-3.0-or-later", "license: MIT OR", "legal.license", "spdx"},
		{"contract without contractors", `type: "community"`, `type: "contract"`, "maintenance.contractors", "required"},
		{"contact without a name", "- name: Francesco Rossi", "- email: f@example.org", "maintenance.contacts[0].name", "required"},
		{"duplicate key", "name: Medusa\n", "name: Medusa\nname: Gorgon\n", "name", "duplicate_key"},
		{"platforms is a mapping", "platforms:\n  - web", "platforms:\n  web: yes", "platforms", "type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(minimal04, c.from) {
				t.Fatalf("the document lacks %q", c.from)
			}
			_, err := Import([]byte(strings.Replace(minimal04, c.from, c.to, 1)))
			if fes := failures(t, err); !hasField(fes, c.field, c.rule) {
				t.Errorf("errors %v lack %s (%s)", fes, c.field, c.rule)
			}
		})
	}
	// Type errors carry the line.
	_, err := Import([]byte(strings.Replace(minimal04, "name: Medusa", "name: {a: b}", 1)))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("type error %v does not give line 3", err)
	}
}

func TestImportMalformedYAML(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		line int
	}{
		{"unclosed flow sequence", "publiccodeYmlVersion: \"0.4\"\nname: [Medusa\nurl: x\n", 2},
		{"unclosed flow mapping on the first line", "name: {a: b\n", 2}, // found at the end of the document
		{"unclosed flow sequence at the end", "a: [b\n  c", 2},          // not the line after the last
		{"mapping in a scalar", "name: Medusa\nurl: a: b\n", 2},
		{"C1 control character", "name: Medusa\nurl: a\u0080b\n", 2},
		{"bad indentation", "name: Medusa\n  url: x\n y: z\n", 2},
		{"tab indentation", "description:\n\ten: x\n", 2},
		{"unclosed quote", "name: Medusa\nurl: \"https://x\n", 2},
		{"invalid UTF-8", "name: Medusa\nurl: \xff\n", 2},
		{"control character", "name: Medusa\n\nurl: a\x01b\n", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Import([]byte(c.doc))
			se, ok := errors.AsType[*SyntaxError](err)
			if !ok {
				t.Fatalf("err = %v (%T), want a *SyntaxError", err, err)
			}
			if se.Line < 1 || (c.line > 0 && se.Line != c.line) {
				t.Errorf("line = %d, want %d (%v)", se.Line, c.line, se)
			}
			if !strings.Contains(se.Error(), "line") {
				t.Errorf("message %q lacks the line", se.Error())
			}
		})
	}
	for _, doc := range []string{"- a\n- b\n", "just a string"} {
		_, err := Import([]byte(doc))
		if fes := failures(t, err); !hasField(fes, protocol.RootField, "type") {
			t.Errorf("Import(%q) = %v, want a type failure on the document", doc, fes)
		}
	}
	_, err := Import(nil)
	if fes := failures(t, err); !hasField(fes, "name", "required") || !hasField(fes, "legal", "required") {
		t.Errorf("Import of an empty document = %v, want every mandatory key", fes)
	}
}

func TestLicenceCategory(t *testing.T) {
	cases := map[string]string{
		"AGPL-3.0-or-later": "copyleft", "GPL-2.0+": "copyleft", "LGPL-2.1-only": "copyleft", "MPL-2.0": "copyleft",
		"EUPL-1.2": "copyleft", "mit": "permissive", "Apache-2.0": "permissive", "BSD-3-Clause": "permissive", "ISC": "permissive",
		"CC0-1.0": "public_domain", "Unlicense": "public_domain", "CC-BY-NC-SA-4.0": "non_commercial", "CC-BY-SA-4.0": "copyleft",
		"CC-BY-4.0": "permissive", "CECILL-B": "permissive", "CECILL-2.1": "copyleft",
		"MIT OR GPL-3.0-only": "permissive", "MIT AND GPL-3.0-only": "copyleft", "(MIT OR CC0-1.0) AND Apache-2.0": "permissive",
		"GPL-2.0-or-later WITH Classpath-exception-2.0": "copyleft", "LicenseRef-proprietary": "", "MIT AND LicenseRef-x": "",
		"LicenseRef-x OR Apache-2.0": "permissive", "CC-BY-ND-4.0": "", "mit or apache-2.0": "permissive",
	}
	for expr, want := range cases {
		got, err := LicenceCategory(expr)
		if err != nil || got != want {
			t.Errorf("LicenceCategory(%q) = %q, %v; want %q", expr, got, err, want)
		}
	}
	for _, bad := range []string{"", "MIT OR", "(MIT", "MIT)", "AND MIT", "MIT WITH", "MIT GPL-2.0", strings.Repeat("(", 40) + "MIT" + strings.Repeat(")", 40)} {
		if _, err := LicenceCategory(bad); err == nil {
			t.Errorf("LicenceCategory(%q) accepted a malformed expression", bad)
		}
	}
}

func TestKeyFor(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("very-long-group/", 12) + "repo.git"
	cases := []struct{ url, name, want string }{
		{"https://example.com/italia/medusa.git", "Medusa", "example_com_italia_medusa"},
		{"https://GitHub.com/Org/My-App/", "x", "github_com_org_my-app"},
		{"", "Decidim Barcelona", "decidim_barcelona"},
		{"not a url", "Città Aperta", "citt_aperta"},
	}
	for _, c := range cases {
		if got := keyFor(c.url, c.name); got != c.want {
			t.Errorf("keyFor(%q, %q) = %q, want %q", c.url, c.name, got, c.want)
		}
	}
	k := keyFor(long, "x")
	if len(k) > protocol.MaxKeyLength || !protocol.ValidSlug(k) || k == keyFor(long+"x", "x") {
		t.Errorf("keyFor(long) = %q (%d bytes)", k, len(k))
	}
}

func BenchmarkImportFullExample(b *testing.B) {
	doc := sharedData(b, "standards/publiccode.yml/v0.5.0/publiccode.yml")
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Import(doc); err != nil {
			b.Fatal(err)
		}
	}
}
