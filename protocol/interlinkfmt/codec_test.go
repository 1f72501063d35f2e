package interlinkfmt

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/interlink-project/interlink-node/protocol"
)

// minimalInterlinker is a small knowledge interlinker in INTERLINK's format
// with the quirks of the real seed.
const minimalInterlinker = `{
    "id": "canvas",
    "type": "knowledge",
    "name_translations": {"en": "Canvas", "lv": ""},
    "description_translations": {"es": "Un lienzo"},
    "tags_translations": {"en": ["a"]},
    "problemprofiles": ["P_1", "P_1"],
    "is_sustainability_related": false,
    "constraints_and_limitations_translations": {},
    "difficulty": "easy",
    "licence": "propietary",
    "format": "sofware",
    "types": ["enhancing_services:external_experts"],
    "targets": ["all;pas"],
    "instructions_translations": {"en": "./interlinkers/knowledge/Canvas/instructions.md", "es": "https://example.org/guia"},
    "softwareinterlinker": "googledrive",
    "file_translations": {}
}`

func files(m map[string]string) func(rel string) ([]byte, error) {
	return func(rel string) ([]byte, error) {
		if s, ok := m[rel]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
}

type failure struct{ field, rule string }

func failuresOf(t *testing.T, err error) []failure {
	t.Helper()
	var ve *protocol.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *protocol.ValidationError", err)
	}
	out := make([]failure, len(ve.Errors))
	for i, fe := range ve.Errors {
		out[i] = failure{fe.Field, fe.Rule}
	}
	return out
}

func TestDecodeInterlinkerQuirks(t *testing.T) {
	it, err := DecodeInterlinker(protocol.NatureKnowledge, []byte(minimalInterlinker),
		files(map[string]string{"interlinkers/knowledge/Canvas/instructions.md": "# Use it\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if it.LicenceCategory != "propietary" || it.Format != "sofware" || it.Types[0] != "enhancing_services:external_experts" {
		t.Errorf("quirks not kept: %+v", it)
	}
	if !slices.Equal(it.ProblemProfiles, []string{"P_1", "P_1"}) || it.Name["lv"] != "" {
		t.Errorf("problem profiles %v, names %v", it.ProblemProfiles, it.Name)
	}
	if it.Instructions["en"] != "# Use it\n" || it.Instructions["es"] != "https://example.org/guia" {
		t.Errorf("instructions = %q", it.Instructions)
	}
	if it.ConstraintsAndLimitations != nil || it.File != nil {
		t.Errorf("empty maps not normalised to nil: %v %v", it.ConstraintsAndLimitations, it.File)
	}
	// Written back, a URL stays a URL and the file is referenced by path.
	raw, err := EncodeInterlinker(it, func(lang string) string { return "./x/" + instructionsFile(lang) })
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"es": "https://example.org/guia"`, `"en": "./x/instructions.md"`, `"licence": "propietary"`,
		`"file_translations": {}`, `"softwareinterlinker": "googledrive"`, `"problemprofiles": [`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("encoded metadata lacks %s:\n%s", want, raw)
		}
	}
}

func TestDecodeInterlinkerErrors(t *testing.T) {
	swap := func(old, new string) string { return strings.Replace(minimalInterlinker, old, new, 1) }
	instr := map[string]string{"interlinkers/knowledge/Canvas/instructions.md": "x"}
	tests := []struct {
		name   string
		nature protocol.Nature
		raw    string
		want   []failure
	}{
		{"unknown field", "knowledge", swap(`"id"`, `"user_manual": "x", "id"`), []failure{{"user_manual", "unknown_field"}}},
		{"model name is unknown here", "knowledge", swap(`"id"`, `"key": "x", "id"`), []failure{{"key", "unknown_field"}}},
		{"wrong type", "knowledge", swap(`"is_sustainability_related": false`, `"is_sustainability_related": "no"`),
			[]failure{{"is_sustainability_related", "type"}}},
		{"type and nature disagree", "software", minimalInterlinker, []failure{{"type", "enum"}}},
		{"missing instructions file", "knowledge", swap("Canvas/instructions.md", "other/instructions.md"),
			[]failure{{"instructions_translations.en", "file"}}},
		{"path escapes the seed", "knowledge", swap("./interlinkers/knowledge/Canvas/instructions.md", "../../etc/passwd"),
			[]failure{{"instructions_translations.en", "file"}}},
		{"absolute path", "knowledge", swap("./interlinkers/knowledge/Canvas/instructions.md", "/etc/passwd"),
			[]failure{{"instructions_translations.en", "file"}}},
		{"validation in seed names", "knowledge", swap(`"id": "canvas"`, `"id": "can vas"`), []failure{{"id", "slug"}}},
		{"validation of text in seed names", "knowledge", swap(`{"es": "Un lienzo"}`, `{"es_ES": "Un lienzo"}`),
			[]failure{{"description_translations.es_ES", "bcp47"}}},
		{"bad licence", "knowledge", swap(`"propietary"`, `"MIT"`), []failure{{"licence", "enum"}}},
		{"bad problem profile", "knowledge", swap(`["P_1", "P_1"]`, `["P 1"]`), []failure{{"problemprofiles[0]", "slug"}}},
		{"duplicate member", "knowledge", swap(`"id": "canvas"`, `"id": "canvas", "id": "other"`), []failure{{"id", "duplicate_key"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeInterlinker(tt.nature, []byte(tt.raw), files(instr))
			if err == nil {
				t.Fatal("DecodeInterlinker succeeded")
			}
			if got := failuresOf(t, err); !slices.Equal(got, tt.want) {
				t.Fatalf("failures = %v, want %v (%v)", got, tt.want, err)
			}
		})
	}
	if _, err := DecodeInterlinker("hardware", []byte(minimalInterlinker), nil); err == nil {
		t.Error("an unknown nature was accepted")
	}
	if _, err := DecodeInterlinker("knowledge", []byte(minimalInterlinker), nil); err == nil {
		t.Error("instructions without a file reader were accepted")
	}
}

func TestSeedPath(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"./interlinkers/knowledge/X/instructions.md", "interlinkers/knowledge/X/instructions.md", true},
		{"interlinkers/x/../y/i.md", "interlinkers/y/i.md", true},
		{"", "", false},
		{".", "", false},
		{"../x", "", false},
		{"./a/../../x", "", false},
		{"/etc/passwd", "", false},
		{`a\b`, "", false},
		{"C:/x", "", false},
	}
	for _, tt := range tests {
		got, err := SeedPath(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("SeedPath(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// smallSeed is a valid seed in memory.
func smallSeed() fstest.MapFS {
	return fstest.MapFS{
		"interlinkers/knowledge/Canvas/metadata.json":   {Data: []byte(minimalInterlinker)},
		"interlinkers/knowledge/Canvas/instructions.md": {Data: []byte("# Use it\n")},
		"interlinkers/knowledge/schema.json":            {Data: []byte(`{}`)},
		"problemprofiles/problemprofiles.json": {Data: []byte(`[{"id": "P_1", "name_translations": {"en": "P"},
			"description_translations": {"en": "D"}, "functionality_translations": {"es": "F"}}]`)},
		"schemas/phase_schema.json": {Data: []byte(`{}`)},
		"schemas/s/metadata.json": {Data: []byte(`{"id": "s", "author": "", "licence": "permissive",
			"name_translations": {"en": "S"}, "description_translations": {"en": "D"}, "tags_translations": {}}`)},
		"schemas/s/phases/b.json": {Data: []byte(`{"id": "phase-two", "name_translations": {"en": "2"},
			"description_translations": {}, "is_part_of_codelivery": true,
			"prerequisites": [{"item": "phase-one", "status": "finished"}], "objectives": []}`)},
		"schemas/s/phases/a.json": {Data: []byte(`{"id": "phase-one", "name_translations": {"en": "1"},
			"description_translations": {}, "is_part_of_codelivery": false, "prerequisites": [],
			"objectives": [{"id": "objective-o", "name_translations": {"en": "O"}, "description_translations": {},
				"problemprofiles": ["P_1"], "prerequisites": [], "tasks": [{"id": "task-t", "name_translations": {"en": "T"},
				"description_translations": {}, "problemprofiles": [], "prerequisites": []}]}]}`)},
	}
}

func TestReadSeedSmall(t *testing.T) {
	s, err := ReadSeed(smallSeed())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Interlinkers) != 1 || len(s.ProblemProfiles) != 1 || len(s.Schemas) != 1 {
		t.Fatalf("seed = %+v", s)
	}
	if got := []string{s.Schemas[0].Phases[0].Key, s.Schemas[0].Phases[1].Key}; !slices.Equal(got, []string{"phase-one", "phase-two"}) {
		t.Errorf("phases %v", got)
	}
	if _, ok := s.Schemas[0].Task("task-t"); !ok {
		t.Error("task-t not found")
	}
	if s.Layout.InterlinkerDirs["canvas"] != "Canvas" || s.Layout.PhaseFiles["s"]["phase-two"] != "b.json" {
		t.Errorf("layout = %+v", s.Layout)
	}
}

func TestReadSeedErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(m fstest.MapFS)
		want   []string // substrings of the error
	}{
		{"empty", func(m fstest.MapFS) {
			for k := range m {
				delete(m, k)
			}
		}, []string{"not a seed root"}},
		{"bad nature directory", func(m fstest.MapFS) {
			m["interlinkers/hardware/x/metadata.json"] = &fstest.MapFile{Data: []byte(`{}`)}
		}, []string{"interlinkers/hardware", "not a nature"}},
		{"no metadata", func(m fstest.MapFS) {
			m["interlinkers/software/empty/logo.png"] = &fstest.MapFile{Data: []byte{}}
		}, []string{"interlinkers/software/empty/metadata.json"}},
		{"invalid interlinker names file and field", func(m fstest.MapFS) {
			m["interlinkers/knowledge/Canvas/metadata.json"].Data = []byte(strings.Replace(minimalInterlinker, `"easy"`, `"trivial"`, 1))
		}, []string{"interlinkers/knowledge/Canvas/metadata.json", "difficulty", "enum"}},
		{"duplicate interlinker", func(m fstest.MapFS) {
			m["interlinkers/externalknowledge/Again/metadata.json"] = &fstest.MapFile{Data: m["interlinkers/knowledge/Canvas/metadata.json"].Data}
		}, []string{"interlinkers/knowledge/Canvas/metadata.json", `id: "canvas" is already the id of interlinkers/externalknowledge/Again/metadata.json`}},
		{"unknown problem profile", func(m fstest.MapFS) {
			m["interlinkers/knowledge/Canvas/metadata.json"].Data = []byte(strings.Replace(minimalInterlinker, `["P_1", "P_1"]`, `["P_2"]`, 1))
		}, []string{"interlinkers/knowledge/Canvas/metadata.json", "problemprofiles[0]", `"P_2"`, "reference"}},
		{"unknown problem profile in a task", func(m fstest.MapFS) {
			m["schemas/s/phases/a.json"].Data = []byte(strings.Replace(string(m["schemas/s/phases/a.json"].Data), `"problemprofiles": []`, `"problemprofiles": ["NOPE"]`, 1))
		}, []string{"schemas/s/metadata.json", "phases[0].objectives[0].tasks[0].problemprofiles[0]", "NOPE"}},
		{"bad problem profiles", func(m fstest.MapFS) {
			m["problemprofiles/problemprofiles.json"].Data = []byte(`[{"id": "P_1", "name_translations": {"en": ""}, "description_translations": {"en": "D"}}]`)
		}, []string{"problemprofiles/problemprofiles.json", "[0].name_translations", "required"}},
		{"duplicate problem profile", func(m fstest.MapFS) {
			m["problemprofiles/problemprofiles.json"].Data = []byte(`[{"id": "P_1", "name_translations": {"en": "a"}, "description_translations": {"en": "D"}},
				{"id": "P_1", "name_translations": {"en": "b"}, "description_translations": {"en": "D"}}]`)
		}, []string{"problemprofiles/problemprofiles.json", "[1].id", "duplicate"}},
		{"phase cycle", func(m fstest.MapFS) {
			m["schemas/s/phases/a.json"].Data = []byte(strings.Replace(string(m["schemas/s/phases/a.json"].Data), `"prerequisites": [],`, `"prerequisites": [{"item": "phase-two"}],`, 1))
		}, []string{"schemas/s/phases", "cycle"}},
		{"phase error names the phase file", func(m fstest.MapFS) {
			m["schemas/s/phases/a.json"].Data = []byte(strings.Replace(string(m["schemas/s/phases/a.json"].Data), `"id": "task-t"`, `"id": "objective-o"`, 1))
		}, []string{"schemas/s/phases/a.json: objectives[0].tasks[0].id", "duplicate"}},
		{"dangling prerequisite", func(m fstest.MapFS) {
			m["schemas/s/phases/b.json"].Data = []byte(strings.Replace(string(m["schemas/s/phases/b.json"].Data), `"phase-one"`, `"phase-zero"`, 1))
		}, []string{"schemas/s/phases/b.json: prerequisites[0].item", "reference"}},
		{"phase with unknown member", func(m fstest.MapFS) {
			m["schemas/s/phases/b.json"].Data = []byte(strings.Replace(string(m["schemas/s/phases/b.json"].Data), `"objectives"`, `"steps": [], "objectives"`, 1))
		}, []string{"schemas/s/phases/b.json", "steps", "unknown_field"}},
		{"schema metadata wrong type", func(m fstest.MapFS) {
			m["schemas/s/metadata.json"].Data = []byte(`{"id": "s", "author": 1}`)
		}, []string{"schemas/s/metadata.json", "author", "type"}},
		{"instructions too large", func(m fstest.MapFS) {
			m["interlinkers/knowledge/Canvas/instructions.md"].Data = make([]byte, maxInstructionsFile+1)
		}, []string{"interlinkers/knowledge/Canvas/metadata.json", "instructions_translations.en", "larger than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := smallSeed()
			tt.change(m)
			_, err := ReadSeed(m)
			if err == nil {
				t.Fatal("ReadSeed succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestWriteSeedSmall(t *testing.T) {
	s, err := ReadSeed(smallSeed())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteSeed(dir, s); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSeed(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", back, s)
	}
	if err := WriteSeed(dir, s); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("writing into a non-empty directory: %v", err)
	}
	// An instructions URL is not written as a file.
	if _, err := os.Stat(filepath.Join(dir, "interlinkers/knowledge/Canvas/instructions.es.md")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("instructions URL written to a file: %v", err)
	}
}

func TestWriteSeedWithoutLayout(t *testing.T) {
	s, err := ReadSeed(smallSeed())
	if err != nil {
		t.Fatal(err)
	}
	// Phases whose derived names ("two.json" < "zzz.json") would read back
	// in the wrong order, and no layout at all.
	s.Schemas[0].Phases[0].Key = "phase-zzz"
	s.Schemas[0].Phases[1].Prerequisites = nil
	s.Schemas[0].Phases[1].Key = "phase-two"
	s.Layout = Layout{}
	dir := t.TempDir()
	if err := WriteSeed(dir, s); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"interlinkers/knowledge/canvas/metadata.json", "interlinkers/knowledge/canvas/instructions.md",
		"schemas/s/metadata.json", "schemas/s/phases/01-zzz.json", "schemas/s/phases/02-two.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	back, err := ReadSeed(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Schemas[0].Phases; got[0].Key != "phase-zzz" || got[1].Key != "phase-two" {
		t.Errorf("phase order not kept: %s, %s", got[0].Key, got[1].Key)
	}
	if !reflect.DeepEqual(back.Interlinkers, s.Interlinkers) || !reflect.DeepEqual(back.Schemas, s.Schemas) {
		t.Error("entities differ after a write without layout")
	}
}

func TestWriteSeedRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Seed)
		want   string
	}{
		{"unsafe directory", func(s *Seed) { s.Layout.InterlinkerDirs["canvas"] = "../../escape" }, "not a safe file name"},
		{"dot directory", func(s *Seed) { s.Layout.SchemaDirs["s"] = ".." }, "not a safe file name"},
		{"invalid entity", func(s *Seed) { s.Interlinkers[0].Difficulty = "trivial" }, "difficulty"},
		{"duplicate key", func(s *Seed) { s.ProblemProfiles = append(s.ProblemProfiles, s.ProblemProfiles[0]) }, "duplicate"},
		{"dangling reference", func(s *Seed) { s.ProblemProfiles = nil }, "not a problem profile of the seed"},
		{"nil interlinker", func(s *Seed) { s.Interlinkers = append(s.Interlinkers, nil) }, "nil interlinker"},
		{"phase file", func(s *Seed) { s.Layout.PhaseFiles["s"]["phase-one"] = "a.txt" }, "does not end in .json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSeed(smallSeed())
			if err != nil {
				t.Fatal(err)
			}
			tt.change(s)
			dir := t.TempDir()
			err = WriteSeed(filepath.Join(dir, "out"), s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteSeed = %v, want an error containing %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
				t.Fatal("WriteSeed wrote outside its directory")
			}
		})
	}
	if err := WriteSeed(t.TempDir(), nil); err == nil {
		t.Error("WriteSeed(nil) succeeded")
	}
}

func TestOrderPhases(t *testing.T) {
	ph := func(key string, prqs ...string) protocol.Phase {
		p := protocol.Phase{Key: key}
		for _, q := range prqs {
			p.Prerequisites = append(p.Prerequisites, protocol.Prerequisite{Item: q, Status: "finished"})
		}
		return p
	}
	keys := func(ps []protocol.Phase) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Key)
		}
		return out
	}
	tests := []struct {
		name string
		in   []protocol.Phase
		want []string
	}{
		{"as the seed", []protocol.Phase{ph("build", "design"), ph("design", "engage"), ph("engage"), ph("sustain", "build")},
			[]string{"engage", "design", "build", "sustain"}},
		{"unconstrained keep input order", []protocol.Phase{ph("b"), ph("a"), ph("c")}, []string{"b", "a", "c"}},
		{"non-phase prerequisites ignored", []protocol.Phase{ph("b", "task-x"), ph("a")}, []string{"b", "a"}},
		{"diamond", []protocol.Phase{ph("d", "b", "c"), ph("c", "a"), ph("b", "a"), ph("a")}, []string{"a", "c", "b", "d"}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		got, err := OrderPhases(tt.in)
		if err != nil || !slices.Equal(keys(got), tt.want) {
			t.Errorf("%s: OrderPhases = %v, %v; want %v", tt.name, keys(got), err, tt.want)
		}
	}
	for _, in := range [][]protocol.Phase{{ph("a", "b"), ph("b", "a")}, {ph("a", "a")}} {
		if _, err := OrderPhases(in); err == nil {
			t.Errorf("OrderPhases(%v) accepted a cycle", keys(in))
		}
	}
}
