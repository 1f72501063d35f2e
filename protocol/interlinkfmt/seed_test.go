package interlinkfmt

import (
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"

	"github.com/interlink-project/interlink-node/testnet/testenv"
)

// seedDir returns the real INTERLINK seed (../shared/data/interlink-catalogue
// beside the repository) or skips the test when it is absent.
func seedDir(tb testing.TB) string {
	tb.Helper()
	return testenv.Data(tb, "interlink-catalogue")
}

func readRealSeed(tb testing.TB) (*Seed, string) {
	tb.Helper()
	dir := seedDir(tb)
	s, err := ReadSeed(os.DirFS(dir))
	if err != nil {
		tb.Fatalf("ReadSeed(%s): %v", dir, err)
	}
	return s, dir
}

func TestReadRealSeed(t *testing.T) {
	s, _ := readRealSeed(t)
	counts := map[protocol.Nature]int{}
	for _, it := range s.Interlinkers {
		counts[it.Nature]++
		if err := it.Validate(); err != nil {
			t.Errorf("interlinker %s: %v", it.Key, err)
		}
	}
	want := map[protocol.Nature]int{"knowledge": 46, "software": 5, "externalknowledge": 12, "externalsoftware": 15}
	if len(s.Interlinkers) != 78 || !reflect.DeepEqual(counts, want) {
		t.Errorf("%d interlinkers %v, want 78 %v", len(s.Interlinkers), counts, want)
	}
	if len(s.ProblemProfiles) != 45 {
		t.Errorf("%d problem profiles, want 45", len(s.ProblemProfiles))
	}
	for _, p := range s.ProblemProfiles {
		if err := p.Validate(); err != nil {
			t.Errorf("problem profile %s: %v", p.Key, err)
		}
	}
	if len(s.Schemas) != 4 {
		t.Errorf("%d schemas, want 4", len(s.Schemas))
	}
	phases := map[string][]string{}
	for _, sc := range s.Schemas {
		if err := sc.Validate(); err != nil {
			t.Errorf("schema %s: %v", sc.Key, err)
		}
		for _, p := range sc.Phases {
			phases[sc.Key] = append(phases[sc.Key], p.Key)
		}
	}
	wantPhases := map[string][]string{
		"default":                       {"phase-engage", "phase-design", "phase-build", "phase-sustain"},
		"hackathon":                     {"phase-engage", "phase-design", "phase-run", "phase-exploit"},
		"servicedescriptionenhancement": {"phase-engage", "phase-design", "phase-run", "phase-refine"},
		"solutioncorefinementprocess":   {"phase-co_reflection_of_solution", "phase-re_design_of_solution"},
	}
	if !reflect.DeepEqual(phases, wantPhases) {
		t.Errorf("phase order = %v, want %v", phases, wantPhases)
	}

	var bmc *protocol.Interlinker
	for _, it := range s.Interlinkers {
		if it.Key == "business_model_canvas" {
			bmc = it
		}
	}
	if bmc == nil {
		t.Fatal("the Business Model Canvas is missing")
	}
	wantNames := protocol.Text{
		"en": "Business Model Canvas", "es": "Business Model Canvas", "it": "Business Model Canvas",
		"lv": "Biznesa modeļa plānošanas rīks",
	}
	if !reflect.DeepEqual(bmc.Name, wantNames) {
		t.Errorf("BMC names = %v, want %v", bmc.Name, wantNames)
	}
	if bmc.Nature != protocol.NatureKnowledge || bmc.LicenceCategory != "public_domain" ||
		!strings.Contains(bmc.Instructions["en"], "anvas") || s.Layout.InterlinkerDirs[bmc.Key] != "Business-Model-Canvas" {
		t.Errorf("BMC = nature %q licence %q dir %q instructions %.40q", bmc.Nature, bmc.LicenceCategory,
			s.Layout.InterlinkerDirs[bmc.Key], bmc.Instructions["en"])
	}

	// The misspelt licence is kept as written ("sofware" and
	// "enhancing_services:external_experts" appear only in the seed's JSON
	// Schemas, not in its interlinkers: see TestDecodeInterlinkerQuirks).
	misspelt := 0
	for _, it := range s.Interlinkers {
		if it.LicenceCategory == "propietary" {
			misspelt++
		}
	}
	if misspelt != 14 {
		t.Errorf("%d interlinkers keep the licence \"propietary\", want 14", misspelt)
	}
	// Three interlinkers point their instructions at another one's file.
	cross := map[string]string{
		"agid_cloud_computing_migration_strategy_evalution_template": "agid_cloud_computing_competence_evalution_template",
		"italian_pa_interoperablity_model":                           "edpb_data_protection_guidelines",
		"open_api_specification":                                     "agid_minimum_security_measures_for_public_administration",
	}
	byKey := map[string]*protocol.Interlinker{}
	for _, it := range s.Interlinkers {
		byKey[it.Key] = it
	}
	for a, b := range cross {
		if byKey[a].Instructions["en"] != byKey[b].Instructions["en"] || byKey[a].Instructions["en"] == "" {
			t.Errorf("%s does not share the instructions of %s", a, b)
		}
	}
}

// TestSeedRoundTrip reads the real seed, writes it, reads it back, and
// compares both the entities (deep equality) and every written file with
// the original as generic JSON.
//
// Normalisations, and the comparison is modulo exactly these:
//   - instructions_translations: the written paths point at the
//     interlinker's own instructions.md (three originals point at another
//     interlinker's file); the files' contents must be equal.
//   - "domain" and "process" holding "": the model cannot tell "" from
//     absent, and these optional fields are not written when empty.
func TestSeedRoundTrip(t *testing.T) {
	s, orig := readRealSeed(t)
	out := t.TempDir()
	if err := WriteSeed(out, s); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSeed(os.DirFS(out))
	if err != nil {
		t.Fatalf("reading the written seed: %v", err)
	}
	if !reflect.DeepEqual(back, s) {
		for i := range s.Interlinkers {
			if !reflect.DeepEqual(back.Interlinkers[i], s.Interlinkers[i]) {
				t.Errorf("interlinker %s differs:\n got %#v\nwant %#v", s.Interlinkers[i].Key, back.Interlinkers[i], s.Interlinkers[i])
			}
		}
		t.Fatal("the seed read back differs from the seed written")
	}

	readJSON := func(dir, name string) any {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	// Every metadata.json of an interlinker.
	written := map[string]bool{}
	for _, it := range s.Interlinkers {
		name := path.Join("interlinkers", string(it.Nature), s.Layout.InterlinkerDirs[it.Key], "metadata.json")
		written[name] = true
		o := readJSON(orig, name).(map[string]any)
		w := readJSON(out, name).(map[string]any)
		oi, _ := o["instructions_translations"].(map[string]any)
		wi, _ := w["instructions_translations"].(map[string]any)
		if len(oi) != len(wi) {
			t.Errorf("%s: instructions languages %v, written %v", name, oi, wi)
		}
		for lang, op := range oi {
			wp, _ := wi[lang].(string)
			ob, err1 := os.ReadFile(filepath.Join(orig, filepath.FromSlash(op.(string))))
			wb, err2 := os.ReadFile(filepath.Join(out, filepath.FromSlash(wp)))
			if err1 != nil || err2 != nil || string(ob) != string(wb) {
				t.Errorf("%s: instructions %s: %v %v, contents equal %v", name, lang, err1, err2, string(ob) == string(wb))
			}
			written[path.Clean(wp)] = true
		}
		delete(o, "instructions_translations")
		delete(w, "instructions_translations")
		for k, v := range o {
			if _, kept := w[k]; !kept && v == "" && (k == "domain" || k == "process") {
				delete(o, k)
			}
		}
		if !reflect.DeepEqual(o, w) {
			for k := range o {
				if !reflect.DeepEqual(o[k], w[k]) {
					t.Errorf("%s: %s = %#v, written %#v", name, k, o[k], w[k])
				}
			}
			for k := range w {
				if _, ok := o[k]; !ok {
					t.Errorf("%s: %s written, not in the original", name, k)
				}
			}
		}
	}
	// Problem profiles, schemas and phases compare without normalisation.
	same := []string{problemProfilesFile}
	for _, sc := range s.Schemas {
		d := path.Join("schemas", s.Layout.SchemaDirs[sc.Key])
		same = append(same, path.Join(d, "metadata.json"))
		for _, p := range sc.Phases {
			same = append(same, path.Join(d, "phases", s.Layout.PhaseFiles[sc.Key][p.Key]))
		}
	}
	for _, name := range same {
		written[name] = true
		if o, w := readJSON(orig, name), readJSON(out, name); !reflect.DeepEqual(o, w) {
			t.Errorf("%s differs from the original", name)
		}
	}
	// Nothing else was written.
	var extra []string
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if !written[filepath.ToSlash(rel)] {
			extra = append(extra, rel)
		}
		return nil
	})
	if err != nil || len(extra) > 0 {
		sort.Strings(extra)
		t.Errorf("unexpected files written: %v (%v)", extra, err)
	}
	if len(same) != 1+4+14 {
		t.Errorf("compared %d problem-profile, schema and phase files, want 19", len(same))
	}
}

func BenchmarkReadSeed(b *testing.B) {
	dir := seedDir(b)
	fsys := os.DirFS(dir)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadSeed(fsys); err != nil {
			b.Fatal(err)
		}
	}
}
