package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// A readable difference between two versions of an entity: the bodies are
// flattened into fields (a JSON path; a multilingual text one field per
// language), and each field that differs is a row saying whether it was
// added, removed or changed; a changed text is compared word by word.

// flatField is one leaf of a flattened body.
type flatField struct {
	Path  string // "name", "phases[1].objectives[0].name"
	Lang  string // the language of a multilingual text's entry
	Value string // a list of scalars joins with "\n"
}

// langKey matches a BCP 47 language tag as the model's Text maps use.
var langKey = regexp.MustCompile(`^[a-z]{2}(-[A-Za-z0-9]{1,8})*$`)

// flatten reads body (a JSON object) into its fields in a stable order;
// nil when it is not JSON.
func flatten(body []byte) []flatField {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil
	}
	var out []flatField
	walk(&out, "", "", v, 0)
	return out
}

// maxDepth bounds the recursion over nested bodies.
const maxDepth = 32

func walk(out *[]flatField, path, lang string, v any, depth int) {
	if depth > maxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		texts := path != "" && lang == "" && len(keys) > 0
		for _, k := range keys {
			if !langKey.MatchString(k) || !leafy(x[k]) {
				texts = false
			}
		}
		for _, k := range keys {
			if texts {
				walk(out, path, k, x[k], depth+1)
				continue
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			walk(out, p, lang, x[k], depth+1)
		}
	case []any:
		if leafy(x) {
			vals := make([]string, 0, len(x))
			for _, e := range x {
				vals = append(vals, scalar(e))
			}
			*out = append(*out, flatField{Path: path, Lang: lang, Value: strings.Join(vals, "\n")})
			return
		}
		for i, e := range x {
			walk(out, path+"["+strconv.Itoa(i)+"]", lang, e, depth+1)
		}
	default:
		*out = append(*out, flatField{Path: path, Lang: lang, Value: scalar(x)})
	}
}

// leafy reports whether v is a scalar or a list of scalars.
func leafy(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return false
	case []any:
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				return false
			}
		}
	}
	return true
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// segment is a piece of a changed value: kept, inserted or deleted.
type segment struct {
	Text string
	Op   string // "", "ins", "del"
}

// diffRow is one field that differs between two versions.
type diffRow struct {
	Path, Lang string
	Change     string // added, removed, changed, formatting (the markup only)
	Segments   []segment
}

// diffFields compares two flattened bodies: a row per field added,
// removed or changed, in the order of the newer body (removed fields
// after).
func diffFields(a, b []flatField) []diffRow {
	key := func(f flatField) string { return f.Path + "\x00" + f.Lang }
	old := make(map[string]string, len(a))
	for _, f := range a {
		old[key(f)] = f.Value
	}
	seen := make(map[string]bool, len(b))
	var rows []diffRow
	for _, f := range b {
		k := key(f)
		seen[k] = true
		before, had := old[k]
		switch {
		case !had:
			rows = append(rows, diffRow{Path: f.Path, Lang: f.Lang, Change: "added", Segments: []segment{{Text: plainText(f.Value), Op: "ins"}}})
		case before != f.Value:
			// descriptions imported from INTERLINK carry markup, which the
			// pages never render: compare the text a reader sees
			pb, pa := plainText(before), plainText(f.Value)
			if pb == pa {
				rows = append(rows, diffRow{Path: f.Path, Lang: f.Lang, Change: "formatting", Segments: []segment{{Text: pa}}})
				continue
			}
			rows = append(rows, diffRow{Path: f.Path, Lang: f.Lang, Change: "changed", Segments: diffWords(pb, pa)})
		}
	}
	for _, f := range a {
		if !seen[key(f)] {
			rows = append(rows, diffRow{Path: f.Path, Lang: f.Lang, Change: "removed", Segments: []segment{{Text: plainText(f.Value), Op: "del"}}})
		}
	}
	return rows
}

// tokens splits s into words, runs of white space, and single marks of
// punctuation (so that "survey," and "survey" share the word).
func tokens(s string) []string {
	var out []string
	start, class := 0, -1
	for i, r := range s {
		c := 2 // punctuation: a token of its own
		switch {
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			c = 0
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			c = 1
		}
		if i > start && (c != class || c == 2) {
			out = append(out, s[start:i])
			start = i
		}
		class = c
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// maxDiffCells bounds the word-by-word comparison (n×m): beyond it a
// changed value shows as removed then added whole.
const maxDiffCells = 1 << 20

// diffWords compares two texts word by word (longest common subsequence).
func diffWords(a, b string) []segment {
	ta, tb := tokens(a), tokens(b)
	n, m := len(ta), len(tb)
	if n*m > maxDiffCells {
		return []segment{{Text: a, Op: "del"}, {Text: b, Op: "ins"}}
	}
	// lcs[i][j]: the common subsequence length of ta[i:] and tb[j:]
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if ta[i] == tb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []segment
	add := func(text, op string) {
		if k := len(out) - 1; k >= 0 && out[k].Op == op {
			out[k].Text += text
			return
		}
		out = append(out, segment{Text: text, Op: op})
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case ta[i] == tb[j]:
			add(ta[i], "")
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			add(ta[i], "del")
			i++
		default:
			add(tb[j], "ins")
			j++
		}
	}
	for ; i < n; i++ {
		add(ta[i], "del")
	}
	for ; j < m; j++ {
		add(tb[j], "ins")
	}
	return out
}

// diffRowView is a row as the template shows it.
type diffRowView struct {
	Field, Label, Lang, LangName, Change, ChangeText string
	Segments                                         []segment
}

// fieldLabel names a top-level field in the reader's language when the
// messages know it ("" otherwise: the path alone is shown).
func fieldLabel(loc *locale, path string) string {
	for _, id := range []string{"diff.f." + path, "field." + path} {
		if s := loc.T(id); s != id {
			return s
		}
	}
	return ""
}

// diffView is the rows of a comparison in the reader's language.
func diffView(loc *locale, rows []diffRow) []diffRowView {
	out := make([]diffRowView, 0, len(rows))
	for _, r := range rows {
		v := diffRowView{Field: r.Path, Label: fieldLabel(loc, r.Path), Lang: r.Lang, Change: r.Change, ChangeText: loc.T("diff." + r.Change), Segments: r.Segments}
		if r.Lang != "" {
			v.LangName = loc.LangName(r.Lang)
		}
		out = append(out, v)
	}
	return out
}
