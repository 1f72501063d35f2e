package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/interlink-project/interlink-node/node/api"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/interlinkfmt"
)

// Limits of one POST /api/v1/import. The node takes up to 500 objects; the
// CLI sends at most maxBatchObjects and about maxBatchBytes, and halves a
// batch the node finds too large.
const (
	maxBatchObjects = 200
	maxBatchBytes   = 512 << 10
)

// importItem is one entity ready to send.
type importItem struct {
	kind protocol.Kind
	key  string
	body json.RawMessage
}

// importAnswer is the node's answer to an import.
type importAnswer struct {
	Created   int                `json:"created"`
	Updated   int                `json:"updated"`
	Unchanged int                `json:"unchanged"`
	Items     []importAnswerItem `json:"items"`
	Warnings  []importWarning    `json:"warnings,omitempty"`
}

// importWarning is something the node accepted but warns about (a
// publiccode.yml of a newer version, a deprecated key).
type importWarning struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type importAnswerItem struct {
	IRI     string `json:"iri"`
	Version uint64 `json:"version"`
	Key     string `json:"key"`
	Type    string `json:"type"`
	Result  string `json:"result"` // created, updated, unchanged
}

func newImportCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	c := newGroupCmd("import", "Import catalogue data into the node (editor)",
		newImportInterlinkCmd(g, &asJSON),
		newImportDocCmd(g, &asJSON, "publiccode", "a publiccode.yml document", "/import/publiccode", mediaYAML),
		newImportDocCmd(g, &asJSON, "cpsv", "CPSV-AP 3.2.0 JSON-LD or Turtle (.ttl)", "/import/cpsv", mediaJSONLD))
	c.PersistentFlags().BoolVar(&asJSON, "json", false, `print the summary as JSON: {"source", "created", "updated", "unchanged", "types": [{"type", "created", "updated", "unchanged"}]}`)
	return c
}

func newImportInterlinkCmd(g *globalFlags, asJSON *bool) *cobra.Command {
	return &cobra.Command{
		Use:   "interlink DIR",
		Short: "Import an INTERLINK catalogue seed (problem profiles, interlinkers, schemas)",
		Long: `Read the INTERLINK catalogue seed in DIR (interlinkers/, problemprofiles/, schemas/),
check every entity, then send the problem profiles, the interlinkers and the
co-production schemas to the node in batches. Importing again is safe: unchanged
objects stay as they are, changed ones get a new version.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if st, err := os.Stat(dir); err != nil {
				return fmt.Errorf("import the INTERLINK seed: %w", err)
			} else if !st.IsDir() {
				return fmt.Errorf("import the INTERLINK seed: %s is not a directory", dir)
			}
			seed, err := interlinkfmt.ReadSeed(os.DirFS(dir))
			if err != nil {
				return fmt.Errorf("read the INTERLINK seed in %s: %w", dir, err)
			}
			items, err := seedItems(seed)
			if err != nil {
				return fmt.Errorf("read the INTERLINK seed in %s: %w", dir, err)
			}
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			stderr := cmd.ErrOrStderr()
			p := newProgress(stderr, isTerminal(stderr), int64(len(items)), unitObjects, "imported")
			t, err := importItems(cmd.Context(), c, items, p)
			p.Finish()
			if err != nil {
				return fmt.Errorf("import the INTERLINK seed in %s: %w", dir, err)
			}
			if *asJSON {
				return printJSON(cmd.OutOrStdout(), t.summary(dir))
			}
			return t.write(cmd.OutOrStdout(), dir)
		},
	}
}

// seedItems encodes the seed's entities (which ReadSeed has validated) in
// the order the node needs them (Seed.Entities).
func seedItems(seed *interlinkfmt.Seed) ([]importItem, error) {
	entities := seed.Entities()
	items := make([]importItem, len(entities))
	for i, e := range entities {
		body, err := protocol.EncodeEntity(e)
		if err != nil {
			return nil, fmt.Errorf("encode %s %q: %w", e.Kind(), e.NaturalKey(), err)
		}
		items[i] = importItem{kind: e.Kind(), key: e.NaturalKey(), body: body}
	}
	return items, nil
}

// batches cuts items into runs of one kind of at most maxBatchObjects
// objects and about maxBatchBytes bytes.
func batches(items []importItem) [][]importItem {
	var out [][]importItem
	start, size := 0, 0
	for i, it := range items {
		if i > start && (it.kind != items[start].kind || i-start == maxBatchObjects || size+len(it.body) > maxBatchBytes) {
			out = append(out, items[start:i])
			start, size = i, 0
		}
		size += len(it.body) + 1
	}
	if start < len(items) {
		out = append(out, items[start:])
	}
	return out
}

// importItems sends items in batches, reporting progress after each, and
// tallies the node's answers.
func importItems(ctx context.Context, c *client, items []importItem, p progress) (*importTally, error) {
	t := newImportTally()
	for _, b := range batches(items) {
		if err := importBatch(ctx, c, b, t, p); err != nil {
			return t, err
		}
	}
	return t, nil
}

// importBatch sends one batch; when the node finds it too large it sends
// each half instead.
func importBatch(ctx context.Context, c *client, batch []importItem, t *importTally, p progress) error {
	objects := make([]json.RawMessage, len(batch))
	for i, it := range batch {
		objects[i] = it.body
	}
	var answer importAnswer
	err := c.callJSON(ctx, http.MethodPost, "/import", map[string]any{"objects": objects}, &answer)
	var pe *api.Problem
	if errors.As(err, &pe) && pe.Status == http.StatusRequestEntityTooLarge && len(batch) > 1 {
		half := len(batch) / 2
		if err := importBatch(ctx, c, batch[:half], t, p); err != nil {
			return err
		}
		return importBatch(ctx, c, batch[half:], t, p)
	}
	if err != nil {
		if pe != nil {
			nameBatchFields(pe, batch)
		}
		first, last := batch[0], batch[len(batch)-1]
		return fmt.Errorf("import %d %s objects (%q … %q): %w", len(batch), first.kind, first.key, last.key, err)
	}
	t.add(batch[0].kind, &answer)
	p.Add(int64(len(batch)))
	return nil
}

var batchFieldRE = regexp.MustCompile(`^objects\[(\d+)\]\.?`)

// nameBatchFields rewrites "objects[i].field" in a problem's errors to name
// the entity ("Interlinker[business_model_canvas].field"): the index is
// relative to a batch the user never sees.
func nameBatchFields(pe *api.Problem, batch []importItem) {
	for i, fe := range pe.Errors {
		m := batchFieldRE.FindStringSubmatchIndex(fe.Field)
		if m == nil {
			continue
		}
		n, err := strconv.Atoi(fe.Field[m[2]:m[3]])
		if err != nil || n < 0 || n >= len(batch) {
			continue
		}
		rest := fe.Field[m[1]:]
		name := fmt.Sprintf("%s[%s]", batch[n].kind, batch[n].key)
		if rest != "" {
			name += "." + rest
		}
		pe.Errors[i].Field = name
	}
}

// importTally counts the results of an import per type, in the order the
// types were first seen.
type importTally struct {
	order  []string
	counts map[string]*[3]int // created, updated, unchanged
}

func newImportTally() *importTally { return &importTally{counts: map[string]*[3]int{}} }

func (t *importTally) bump(typ string, result int, n int) {
	c, ok := t.counts[typ]
	if !ok {
		c = &[3]int{}
		t.counts[typ] = c
		t.order = append(t.order, typ)
	}
	c[result] += n
}

// add counts an answer by its items, or by its totals under kind when the
// node listed no items.
func (t *importTally) add(kind protocol.Kind, a *importAnswer) {
	if len(a.Items) == 0 {
		typ := string(kind)
		if typ == "" {
			typ = "(all types)"
		}
		t.bump(typ, 0, a.Created)
		t.bump(typ, 1, a.Updated)
		t.bump(typ, 2, a.Unchanged)
		return
	}
	for _, it := range a.Items {
		typ := it.Type
		if typ == "" {
			typ = string(kind)
		}
		switch it.Result {
		case "created":
			t.bump(typ, 0, 1)
		case "updated":
			t.bump(typ, 1, 1)
		default:
			t.bump(typ, 2, 1)
		}
	}
}

// importCounts are the results of an import, in total or of one type.
type importCounts struct {
	Type      string `json:"type,omitempty"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
}

// importSummary is `import --json`.
type importSummary struct {
	Source string `json:"source"`
	importCounts
	Types []importCounts `json:"types"`
}

// summary is the tally as data, types in the order first seen.
func (t *importTally) summary(source string) importSummary {
	s := importSummary{Source: source, Types: []importCounts{}}
	for _, typ := range t.order {
		c := t.counts[typ]
		s.Types = append(s.Types, importCounts{Type: typ, Created: c[0], Updated: c[1], Unchanged: c[2]})
		s.Created, s.Updated, s.Unchanged = s.Created+c[0], s.Updated+c[1], s.Unchanged+c[2]
	}
	return s
}

// write prints the summary: a line of totals, then a table per type.
func (t *importTally) write(w io.Writer, source string) error {
	var total [3]int
	for _, typ := range t.order {
		for i, n := range t.counts[typ] {
			total[i] += n
		}
	}
	var buf bytes.Buffer
	n := total[0] + total[1] + total[2]
	noun := "objects"
	if n == 1 {
		noun = "object"
	}
	fmt.Fprintf(&buf, "imported %d %s from %s: %d created, %d updated, %d unchanged\n",
		n, noun, source, total[0], total[1], total[2])
	if len(t.order) > 0 {
		width := len("TYPE")
		for _, typ := range t.order {
			width = max(width, len(typ))
		}
		fmt.Fprintf(&buf, "%-*s  %7s  %7s  %9s\n", width, "TYPE", "CREATED", "UPDATED", "UNCHANGED")
		for _, typ := range t.order {
			c := t.counts[typ]
			fmt.Fprintf(&buf, "%-*s  %7d  %7d  %9d\n", width, typ, c[0], c[1], c[2])
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func newImportDocCmd(g *globalFlags, asJSON *bool, name, what, path, mediaType string) *cobra.Command {
	return &cobra.Command{
		Use:   name + " FILE",
		Short: "Import " + what + " (FILE may be - for stdin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			var body []byte
			var err error
			if file == "-" {
				body, err = io.ReadAll(cmd.InOrStdin())
				file = "stdin"
			} else {
				body, err = os.ReadFile(file)
			}
			if err != nil {
				return fmt.Errorf("import %s: %w", what, err)
			}
			c, err := newClient(cmd, g)
			if err != nil {
				return err
			}
			defer c.close()
			var answer importAnswer
			ct := mediaType
			if name == "cpsv" {
				ct = cpsvMediaType(file, body)
			}
			r := request{method: http.MethodPost, path: path, body: bytes.NewReader(body),
				contentType: ct, contentLength: int64(len(body))}
			if err := c.call(cmd.Context(), r, &answer); err != nil {
				return fmt.Errorf("import %s from %s: %w", what, file, err)
			}
			for _, w := range answer.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s: %s\n", w.Field, w.Message)
			}
			t := newImportTally()
			t.add("", &answer)
			if *asJSON {
				return printJSON(cmd.OutOrStdout(), t.summary(file))
			}
			return t.write(cmd.OutOrStdout(), file)
		},
	}
}
