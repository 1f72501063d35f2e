package publiccode

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/protocol"
	"go.yaml.in/yaml/v3"
)

// SyntaxError is a document that is not well-formed YAML. Line is 1-based;
// 0 when the YAML parser gave no line.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("publiccode: YAML syntax error at line %d: %s", e.Line, e.Msg)
	}
	return "publiccode: YAML syntax error: " + e.Msg
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses doc into its root node (nil for an empty document).
func parseYAML(doc []byte) (root *yaml.Node, err error) {
	if !utf8.Valid(doc) {
		return nil, &SyntaxError{Line: lineOf(doc, firstInvalidUTF8(doc)), Msg: "the document is not valid UTF-8"}
	}
	if i := firstControl(doc); i >= 0 {
		r, _ := utf8.DecodeRune(doc[i:])
		return nil, &SyntaxError{Line: lineOf(doc, i), Msg: fmt.Sprintf("the character %U is not allowed", r)}
	}
	defer func() {
		if p := recover(); p != nil { // the YAML parser must never take the node down
			root, err = nil, &SyntaxError{Msg: fmt.Sprintf("the YAML parser failed: %v", p)}
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return nil, syntaxError(err.Error(), bytes.Count(doc, []byte("\n"))+1)
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, nil
	}
	return n.Content[0], nil
}

// syntaxError turns a YAML parser message into a SyntaxError with a 1-based
// line. The parser reports scanner errors ("mapping values are not allowed
// in this context") at their 1-based line, but parser errors ("did not find
// expected ...") at the 0-based line where the unfinished construct starts,
// and leaves the line out when it is the first: both are corrected here.
//
// A parser error found at the end of the input can name the line after the
// last: the line is clamped to the document's last line.
func syntaxError(msg string, lines int) *SyntaxError {
	line, text := 0, strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		text = m[2]
	}
	switch {
	case strings.HasPrefix(text, "did not find expected"):
		line++
	case line == 0 && !strings.Contains(text, "unmarshal"):
		line = 1
	}
	return &SyntaxError{Line: min(line, lines), Msg: text}
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// firstControl finds the first character YAML does not allow (C0 and C1
// controls other than tab, LF, CR and NEL; DEL; U+FFFE and U+FFFF), or -1.
func firstControl(b []byte) int {
	for i, r := range string(b) {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0xfffe || r == 0xffff:
			return i
		}
	}
	return -1
}

func lineOf(b []byte, offset int) int {
	return 1 + strings.Count(string(b[:min(offset, len(b))]), "\n")
}

// maxAliasHops bounds alias chains; maxConverted bounds the nodes converted
// to JSON for one country section (aliases can multiply them).
const (
	maxAliasHops = 32
	maxConverted = 10_000
)

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasHops; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!null":
			return "null"
		}
		return "a string"
	}
	return "an unknown node"
}

// reader walks the YAML tree and records failures under publiccode.yml key
// paths ("legal.license", "description.en.features").
type reader struct {
	ve       *protocol.ValidationError
	warnings []Warning
}

// warn records a warning at path.
func (r *reader) warn(path, format string, args ...any) {
	r.warnings = append(r.warnings, Warning{Field: path, Message: fmt.Sprintf(format, args...)})
}

// ymap is a YAML mapping with its keys resolved.
type ymap struct {
	line int
	keys map[string]*yaml.Node
	// order keeps the keys as written.
	order []string
}

// mapping reads n as a mapping; nil (with a "type" failure unless n is
// null) when it is something else.
func (r *reader) mapping(path string, n *yaml.Node) *ymap {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.ve.Add(path, "type", "must be a mapping, not %s (line %d)", kindName(n), n.Line)
		return nil
	}
	m := &ymap{line: n.Line, keys: make(map[string]*yaml.Node, len(n.Content)/2)}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			r.ve.Add(path, "type", "has a key that is not a string (line %d)", n.Content[i].Line)
			continue
		}
		if _, dup := m.keys[k.Value]; dup {
			r.ve.Add(join(path, k.Value), "duplicate_key", "is defined twice (line %d)", k.Line)
			continue
		}
		m.keys[k.Value] = n.Content[i+1]
		m.order = append(m.order, k.Value)
	}
	return m
}

func join(path, key string) string {
	if path == "" || path == protocol.RootField {
		return key
	}
	return path + "." + key
}

// get returns the value of key, or nil when m is nil or lacks it.
func (m *ymap) get(key string) *yaml.Node {
	if m == nil {
		return nil
	}
	return resolve(m.keys[key])
}

func (m *ymap) lineOr(def int) int {
	if m == nil {
		return def
	}
	return m.line
}

// required records a "required" failure when the value at path is missing or null.
func (r *reader) required(path string, n *yaml.Node, parentLine int) bool {
	if isNull(n) {
		r.ve.Add(path, "required", "is required (in the mapping at line %d)", parentLine)
		return false
	}
	return true
}

// str reads a scalar as a string (numbers and dates as written); "" when
// missing or null.
func (r *reader) str(path string, n *yaml.Node) string {
	n = resolve(n)
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		r.ve.Add(path, "type", "must be a string, not %s (line %d)", kindName(n), n.Line)
		return ""
	}
	return n.Value
}

// strList reads a list of scalars; with scalarOK a single scalar counts as a
// list of one.
func (r *reader) strList(path string, n *yaml.Node, scalarOK bool) []string {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode && scalarOK {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		r.ve.Add(path, "type", "must be a list of strings, not %s (line %d)", kindName(n), n.Line)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		if s := r.str(protocol.IndexField(path, i), item); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// boolean reads a YAML boolean; ok is false when missing or not a boolean.
func (r *reader) boolean(path string, n *yaml.Node) (value, ok bool) {
	n = resolve(n)
	if isNull(n) {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		r.ve.Add(path, "type", "must be true or false, not %s (line %d)", kindName(n), n.Line)
		return false, false
	}
	b, err := strconv.ParseBool(strings.ToLower(n.Value))
	if err != nil { // YAML 1.1 spellings (yes, on, ...) that the parser tags !!bool
		switch strings.ToLower(n.Value) {
		case "yes", "y", "on":
			return true, true
		case "no", "n", "off":
			return false, true
		}
		r.ve.Add(path, "type", "must be true or false, not %q (line %d)", n.Value, n.Line)
		return false, false
	}
	return b, true
}

// toJSON converts a YAML node to values encoding/json writes, scalars kept
// as written (no timestamp or number reinterpretation beyond YAML's own
// int, float, bool and null). budget bounds the nodes visited.
func toJSON(n *yaml.Node, budget *int) (any, error) {
	n = resolve(n)
	*budget--
	if *budget < 0 {
		return nil, fmt.Errorf("more than %d values (aliases included)", maxConverted)
	}
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolve(n.Content[i])
			if k == nil || k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("a key at line %d is not a string", n.Content[i].Line)
			}
			v, err := toJSON(n.Content[i+1], budget)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := toJSON(item, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
				return b, nil
			}
		case "!!int":
			if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
				return i, nil
			}
		case "!!float":
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !isInfOrNaN(f) {
				return f, nil
			}
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("unsupported YAML node at line %d", n.Line)
}

func isInfOrNaN(f float64) bool { return math.IsInf(f, 0) || math.IsNaN(f) }
