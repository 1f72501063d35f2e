package interlinkfmt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// Seed is a whole INTERLINK catalogue seed.
type Seed struct {
	Interlinkers    []*protocol.Interlinker    // by nature directory, then by directory name
	ProblemProfiles []*protocol.ProblemProfile // in file order
	Schemas         []*protocol.CoproductionSchema
	// Layout records the directory and file names a seed was read from, so
	// that WriteSeed lays it out the same way. Names it lacks are derived
	// from the keys.
	Layout Layout
}

// Entities lists the seed's entities in the order a node can import them:
// problem profiles, then interlinkers (which name problem profiles), then
// schemas (whose tasks name problem profiles).
func (s *Seed) Entities() []protocol.Entity {
	all := make([]protocol.Entity, 0, len(s.ProblemProfiles)+len(s.Interlinkers)+len(s.Schemas))
	for _, e := range s.ProblemProfiles {
		all = append(all, e)
	}
	for _, e := range s.Interlinkers {
		all = append(all, e)
	}
	for _, e := range s.Schemas {
		all = append(all, e)
	}
	return all
}

// Layout holds the names of a seed's directories and files, which its
// metadata does not carry (an interlinker with id "business_model_canvas"
// lives in "Business-Model-Canvas/").
type Layout struct {
	InterlinkerDirs map[string]string            // interlinker key → directory under interlinkers/<nature>/
	SchemaDirs      map[string]string            // schema key → directory under schemas/
	PhaseFiles      map[string]map[string]string // schema key → phase key → file name under phases/
}

// The fixed parts of the layout.
const (
	interlinkersDir     = "interlinkers"
	problemProfilesFile = "problemprofiles/problemprofiles.json"
	schemasDir          = "schemas"
	metadataFile        = "metadata.json"
	phasesDir           = "phases"
)

// Size limits on the files ReadSeed reads.
const (
	maxJSONFile         = 8 << 20                       // one metadata.json, phase or problemprofiles.json
	maxInstructionsFile = protocol.MaxInstructionsBytes // the limit of Interlinker.Validate
)

// ReadSeed reads a seed laid out as the INTERLINK catalogue seed from fsys
// (whose root is the seed root; os.DirFS(dir) for a directory): every
// interlinker with its instructions, the problem profiles, and every schema
// with its phases in process order. Files and directories that are not part
// of the layout (JSON Schemas, weblate exports, README files) are ignored;
// a directory under interlinkers/ that is not a nature, or an interlinker
// directory without metadata.json, is an error. Every entity is validated;
// keys must be unique per kind, and every problem profile an interlinker or
// a schema names must be in the seed. Errors name the file and the field.
func ReadSeed(fsys fs.FS) (*Seed, error) {
	s := &Seed{Layout: Layout{
		InterlinkerDirs: map[string]string{},
		SchemaDirs:      map[string]string{},
		PhaseFiles:      map[string]map[string]string{},
	}}
	found := 0
	where := map[string]string{} // "kind/key" → file, for cross-entity errors

	// Interlinkers.
	natures, err := readDirIfExists(fsys, interlinkersDir)
	if err != nil {
		return nil, err
	}
	if natures != nil {
		found++
	}
	for _, nd := range natures {
		if !nd.IsDir() || hidden(nd.Name()) {
			continue // schema.json and other files beside the natures
		}
		nature := protocol.Nature(nd.Name())
		if !protocol.ValidNature(nature) {
			return nil, fmt.Errorf("interlinkfmt: %s/%s: not a nature (software, knowledge, externalsoftware, externalknowledge)", interlinkersDir, nd.Name())
		}
		dirs, err := fs.ReadDir(fsys, path.Join(interlinkersDir, nd.Name()))
		if err != nil {
			return nil, fmt.Errorf("interlinkfmt: read %s/%s: %w", interlinkersDir, nd.Name(), err)
		}
		for _, d := range dirs {
			if !d.IsDir() || hidden(d.Name()) {
				continue
			}
			file := path.Join(interlinkersDir, nd.Name(), d.Name(), metadataFile)
			raw, err := readCapped(fsys, file, maxJSONFile)
			if err != nil {
				return nil, fmt.Errorf("interlinkfmt: %w", err)
			}
			it, err := DecodeInterlinker(nature, raw, func(rel string) ([]byte, error) {
				return readCapped(fsys, rel, maxInstructionsFile)
			})
			if err != nil {
				return nil, fmt.Errorf("interlinkfmt: %s: %w", file, err)
			}
			if prev, dup := where["i/"+it.Key]; dup {
				return nil, fmt.Errorf("interlinkfmt: %s: id: %q is already the id of %s", file, it.Key, prev)
			}
			where["i/"+it.Key] = file
			s.Interlinkers = append(s.Interlinkers, it)
			s.Layout.InterlinkerDirs[it.Key] = d.Name()
		}
	}

	// Problem profiles.
	raw, err := readCapped(fsys, problemProfilesFile, maxJSONFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("interlinkfmt: %w", err)
	default:
		found++
		if s.ProblemProfiles, err = DecodeProblemProfiles(raw); err != nil {
			return nil, fmt.Errorf("interlinkfmt: %s: %w", problemProfilesFile, err)
		}
	}

	// Schemas.
	sdirs, err := readDirIfExists(fsys, schemasDir)
	if err != nil {
		return nil, err
	}
	if sdirs != nil {
		found++
	}
	for _, d := range sdirs {
		if !d.IsDir() || hidden(d.Name()) {
			continue // metadata_schema.json, phase_schema.json
		}
		sc, files, err := readSchema(fsys, path.Join(schemasDir, d.Name()))
		if err != nil {
			return nil, err
		}
		file := path.Join(schemasDir, d.Name(), metadataFile)
		if prev, dup := where["s/"+sc.Key]; dup {
			return nil, fmt.Errorf("interlinkfmt: %s: id: %q is already the id of %s", file, sc.Key, prev)
		}
		where["s/"+sc.Key] = file
		s.Schemas = append(s.Schemas, sc)
		s.Layout.SchemaDirs[sc.Key] = d.Name()
		s.Layout.PhaseFiles[sc.Key] = files
	}
	if found == 0 {
		return nil, fmt.Errorf("interlinkfmt: not a seed root: none of %s/, %s, %s/ exists", interlinkersDir, problemProfilesFile, schemasDir)
	}
	if err := checkReferences(s, func(kind, key string) string {
		if f, ok := where[kind[:1]+"/"+key]; ok {
			return f
		}
		return problemProfilesFile
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// readSchema reads schemas/<dir>/metadata.json and phases/*.json, orders
// the phases and validates the schema. It returns the phase files by phase key.
func readSchema(fsys fs.FS, dir string) (*protocol.CoproductionSchema, map[string]string, error) {
	file := path.Join(dir, metadataFile)
	raw, err := readCapped(fsys, file, maxJSONFile)
	if err != nil {
		return nil, nil, fmt.Errorf("interlinkfmt: %w", err)
	}
	sc, err := DecodeSchemaMetadata(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("interlinkfmt: %s: %w", file, err)
	}
	entries, err := readDirIfExists(fsys, path.Join(dir, phasesDir))
	if err != nil {
		return nil, nil, err
	}
	files := map[string]string{}
	byFile := map[string]string{} // phase key → file path, for errors
	var phases []protocol.Phase
	for _, e := range entries { // sorted by name
		if e.IsDir() || hidden(e.Name()) || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		pf := path.Join(dir, phasesDir, e.Name())
		raw, err := readCapped(fsys, pf, maxJSONFile)
		if err != nil {
			return nil, nil, fmt.Errorf("interlinkfmt: %w", err)
		}
		p, err := DecodePhase(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("interlinkfmt: %s: %w", pf, err)
		}
		if prev, dup := byFile[p.Key]; dup {
			return nil, nil, fmt.Errorf("interlinkfmt: %s: id: %q is already the id of the phase in %s", pf, p.Key, prev)
		}
		byFile[p.Key] = pf
		files[p.Key] = e.Name()
		phases = append(phases, p)
	}
	if sc.Phases, err = OrderPhases(phases); err != nil {
		return nil, nil, fmt.Errorf("interlinkfmt: %s: %w", path.Join(dir, phasesDir), err)
	}
	if err := sc.Validate(); err != nil {
		return nil, nil, schemaError(file, sc, byFile, err)
	}
	return sc, files, nil
}

// schemaError re-homes the failures of a schema's Validate on the files they
// come from: "phases[1].objectives[0].name" becomes
// "schemas/x/phases/design.json: objectives[0].name_translations".
func schemaError(metaFile string, sc *protocol.CoproductionSchema, byFile map[string]string, err error) error {
	var ve *protocol.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("interlinkfmt: %s: %w", metaFile, err)
	}
	msgs := make([]string, 0, len(ve.Errors))
	for _, fe := range ve.Errors {
		file, field := metaFile, fe.Field
		if strings.HasPrefix(field, "phases[") {
			head, rest, _ := strings.Cut(field, "]")
			var i int
			if _, serr := fmt.Sscanf(head, "phases[%d", &i); serr == nil && i >= 0 && i < len(sc.Phases) {
				if f, ok := byFile[sc.Phases[i].Key]; ok {
					file, field = f, strings.TrimPrefix(rest, ".")
				}
			}
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", file, protocol.FieldError{Field: wireField(field), Rule: fe.Rule, Message: fe.Message}))
	}
	return fmt.Errorf("interlinkfmt: invalid schema %q: %s: %w", sc.Key, strings.Join(msgs, "; "), err)
}

// checkReferences checks that every problem profile an interlinker or a
// schema names is in the seed. file names the file of an entity for errors.
func checkReferences(s *Seed, file func(kind, key string) string) error {
	known := make(map[string]bool, len(s.ProblemProfiles))
	for _, p := range s.ProblemProfiles {
		known[p.Key] = true
	}
	var msgs []string
	for _, it := range s.Interlinkers {
		for i, pp := range it.ProblemProfiles {
			if !known[pp] {
				msgs = append(msgs, fmt.Sprintf("%s: %s: %q is not a problem profile of the seed (reference)",
					file("interlinker", it.Key), protocol.IndexField("problemprofiles", i), pp))
			}
		}
	}
	for _, sc := range s.Schemas {
		for pi, p := range sc.Phases {
			for oi, o := range p.Objectives {
				op := protocol.IndexField(protocol.IndexField("phases", pi)+".objectives", oi)
				for i, pp := range o.ProblemProfiles {
					if !known[pp] {
						msgs = append(msgs, fmt.Sprintf("%s: %s: %q is not a problem profile of the seed (reference)",
							file("schema", sc.Key), protocol.IndexField(op+".problemprofiles", i), pp))
					}
				}
				for ti, t := range o.Tasks {
					for i, pp := range t.ProblemProfiles {
						if !known[pp] {
							msgs = append(msgs, fmt.Sprintf("%s: %s: %q is not a problem profile of the seed (reference)",
								file("schema", sc.Key), protocol.IndexField(protocol.IndexField(op+".tasks", ti)+".problemprofiles", i), pp))
						}
					}
				}
			}
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("interlinkfmt: %s", strings.Join(msgs, "; "))
	}
	return nil
}

// WriteSeed writes s to dir in the layout ReadSeed reads, creating dir when
// it does not exist; it refuses a directory that is not empty. Every entity
// is validated first and keys must be unique per kind. Directory and file
// names come from s.Layout, else from the keys; instructions go to
// instructions.md (English) or instructions.<lang>.md beside the
// interlinker's metadata.json, which points at them with "./" paths relative
// to the seed root.
func WriteSeed(dir string, s *Seed) error {
	if s == nil {
		return errors.New("interlinkfmt: write seed: nil seed")
	}
	if err := checkWritable(s); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("interlinkfmt: write seed: %w", err)
	}
	if entries, err := os.ReadDir(dir); err != nil {
		return fmt.Errorf("interlinkfmt: write seed: %w", err)
	} else if len(entries) > 0 {
		return fmt.Errorf("interlinkfmt: write seed: %s is not empty", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("interlinkfmt: write seed: %w", err)
	}
	defer root.Close()
	w := &seedWriter{root: root}

	for _, it := range s.Interlinkers {
		d, err := safeName(s.Layout.InterlinkerDirs[it.Key], it.Key)
		if err != nil {
			return fmt.Errorf("interlinkfmt: write interlinker %q: %w", it.Key, err)
		}
		idir := path.Join(interlinkersDir, string(it.Nature), d)
		raw, err := EncodeInterlinker(it, func(lang string) string {
			return "./" + path.Join(idir, instructionsFile(lang))
		})
		if err != nil {
			return err
		}
		w.write(path.Join(idir, metadataFile), raw)
		for _, lang := range sortedLangs(it.Instructions) {
			if content := it.Instructions[lang]; !isURLInstruction(content) {
				w.write(path.Join(idir, instructionsFile(lang)), []byte(content))
			}
		}
	}
	if len(s.ProblemProfiles) > 0 {
		raw, err := EncodeProblemProfiles(s.ProblemProfiles)
		if err != nil {
			return err
		}
		w.write(problemProfilesFile, raw)
	}
	for _, sc := range s.Schemas {
		d, err := safeName(s.Layout.SchemaDirs[sc.Key], sc.Key)
		if err != nil {
			return fmt.Errorf("interlinkfmt: write schema %q: %w", sc.Key, err)
		}
		sdir := path.Join(schemasDir, d)
		raw, err := EncodeSchemaMetadata(sc)
		if err != nil {
			return err
		}
		w.write(path.Join(sdir, metadataFile), raw)
		names, err := phaseFileNames(sc, s.Layout.PhaseFiles[sc.Key])
		if err != nil {
			return fmt.Errorf("interlinkfmt: write schema %q: %w", sc.Key, err)
		}
		for i, p := range sc.Phases {
			raw, err := EncodePhase(p)
			if err != nil {
				return err
			}
			w.write(path.Join(sdir, phasesDir, names[i]), raw)
		}
	}
	if w.err != nil {
		return fmt.Errorf("interlinkfmt: write seed to %s: %w", dir, w.err)
	}
	return nil
}

// seedWriter writes files under a root, keeping the first error.
type seedWriter struct {
	root *os.Root
	err  error
}

func (w *seedWriter) write(name string, data []byte) {
	if w.err != nil {
		return
	}
	if err := w.root.MkdirAll(path.Dir(name), 0o755); err != nil {
		w.err = err
		return
	}
	w.err = w.root.WriteFile(name, data, 0o644)
}

// checkWritable validates every entity and checks that keys are unique per
// kind and that problem-profile references resolve.
func checkWritable(s *Seed) error {
	seen := map[string]bool{}
	var errs []error
	check := func(kind protocol.Kind, key string, e protocol.Entity) {
		if err := e.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", kind, key, err))
		}
		if seen[string(kind)+"/"+key] {
			errs = append(errs, fmt.Errorf("%s %q: key: duplicate", kind, key))
		}
		seen[string(kind)+"/"+key] = true
	}
	for _, it := range s.Interlinkers {
		if it == nil {
			return errors.New("interlinkfmt: write seed: nil interlinker")
		}
		check(protocol.KindInterlinker, it.Key, it)
	}
	for _, p := range s.ProblemProfiles {
		if p == nil {
			return errors.New("interlinkfmt: write seed: nil problem profile")
		}
		check(protocol.KindProblemProfile, p.Key, p)
	}
	for _, sc := range s.Schemas {
		if sc == nil {
			return errors.New("interlinkfmt: write seed: nil schema")
		}
		check(protocol.KindCoproductionSchema, sc.Key, sc)
	}
	if err := checkReferences(s, func(kind, key string) string { return kind + " " + fmt.Sprintf("%q", key) }); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("interlinkfmt: write seed: %w", errors.Join(errs...))
	}
	return nil
}

// phaseFileNames picks the file name of each phase of sc: the layout's, else
// the key without its "phase-" prefix. If names so derived would not read
// back in the schema's order, derived names get a numeric prefix
// ("01-engage.json") that fixes the order.
func phaseFileNames(sc *protocol.CoproductionSchema, layout map[string]string) ([]string, error) {
	names := make([]string, len(sc.Phases))
	for i, p := range sc.Phases {
		n, err := safeName(layout[p.Key], strings.TrimPrefix(p.Key, "phase-")+".json")
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(n, ".json") {
			return nil, fmt.Errorf("phase file %q does not end in .json", n)
		}
		names[i] = n
	}
	if readsBackInOrder(sc.Phases, names) {
		return names, nil
	}
	for i, p := range sc.Phases {
		if _, ok := layout[p.Key]; !ok {
			names[i] = fmt.Sprintf("%02d-%s", i+1, names[i])
		}
	}
	if !readsBackInOrder(sc.Phases, names) {
		return nil, errors.New("the phase files of the layout do not give the phases' order")
	}
	return names, nil
}

// readsBackInOrder reports whether phases written under names read back
// (sorted by file name, then ordered by prerequisites) in their order.
func readsBackInOrder(phases []protocol.Phase, names []string) bool {
	idx := make([]int, len(phases))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return names[idx[a]] < names[idx[b]] })
	for i := 1; i < len(idx); i++ {
		if names[idx[i]] == names[idx[i-1]] {
			return false // two phases in one file
		}
	}
	sorted := make([]protocol.Phase, len(phases))
	for i, j := range idx {
		sorted[i] = phases[j]
	}
	ordered, err := OrderPhases(sorted)
	if err != nil {
		return false
	}
	for i := range ordered {
		if ordered[i].Key != phases[i].Key {
			return false
		}
	}
	return true
}

// safeName returns name, or fallback when name is empty, after checking that
// it is a single, ordinary path element.
func safeName(name, fallback string) (string, error) {
	if name == "" {
		name = fallback
	}
	if name == "" || name == "." || name == ".." || hidden(name) || strings.ContainsAny(name, `/\:`) || !fs.ValidPath(name) {
		return "", fmt.Errorf("%q is not a safe file name", name)
	}
	return name, nil
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// readDirIfExists lists a directory, or returns nil when it does not exist.
func readDirIfExists(fsys fs.FS, dir string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("interlinkfmt: read %s: %w", dir, err)
	}
	if entries == nil {
		entries = []fs.DirEntry{}
	}
	return entries, nil
}

// readCapped reads a file of at most max bytes.
func readCapped(fsys fs.FS, name string, max int64) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("read %s: %w", name, fs.ErrInvalid)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("read %s: larger than %d bytes", name, max)
	}
	return b, nil
}

func sortedLangs(t protocol.Text) []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
